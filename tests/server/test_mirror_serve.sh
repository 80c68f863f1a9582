#!/usr/bin/env bash
# raquet-server serving a signature mirror at /mirror/FILE: a published
# mirror is served byte for byte with ETag and Last-Modified, conditional
# requests get 304, names that would leave the folder or hidden files or
# links get 404, and `raquet update` installs from the server.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
source "$(dirname "$0")/../cli/lib.sh" "$SERVER"
RQ=$(dirname "$SERVER")/raquet
PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

mkdir keys trusted sigs db
"$RQ" db keygen --out keys/prov > /dev/null
cp keys/prov.pub trusted/
printf '%s\n' 'b1946ac92492d2347c6235b4d2611184:6:Mirror.Md5.Hello' > sigs/a.hdb
"$RQ" db build --name main --version 3 --key keys/prov.key -o main.rqdb sigs > /dev/null
expect_exit 0 "$RQ" mirror publish --dir mirror --key keys/prov.key main.rqdb
ln -s /etc/passwd mirror/passwd-link
echo secret > mirror/.hidden

"$SERVER" --foreground --plain-http --listen 127.0.0.1:0 --store "sqlite:$WORK/s.sqlite" \
	--mirror-dir "$WORK/mirror" 2> server.log &
PID=$!
PORT=
for _ in $(seq 100); do
	PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' server.log)
	[ -n "$PORT" ] && break
	sleep 0.05
done
[ -n "$PORT" ] || { fail "server did not start: $(cat server.log)"; finish; }
M=http://127.0.0.1:$PORT/mirror

curl -sS -D headers -o got.rqdb -w '%{http_code}' "$M/main-3.rqdb" > code
[ "$(cat code)" = 200 ] || fail "status $(cat code)"
cmp -s got.rqdb mirror/main-3.rqdb || fail "served file differs"
etag=$(sed -n 's/^ETag: \(.*\)\r$/\1/ip' headers)
modified=$(sed -n 's/^Last-Modified: \(.*\)\r$/\1/ip' headers)
[ -n "$etag" ] && [ -n "$modified" ] || fail "no ETag/Last-Modified: $(cat headers)"
expect_no_grep 'no-store' headers
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$M/main-3.rqdb")" = 304 ] || fail "If-None-Match: no 304"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $modified" "$M/main-3.rqdb")" = 304 ] || fail "If-Modified-Since: no 304"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: "other"' "$M/main-3.rqdb")" = 200 ] || fail "wrong ETag: not 200"
for bad in passwd-link .hidden ..%2Fs.sqlite nothing.rqdb; do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$M/$bad")" = 404 ] || fail "$bad: not 404"
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$M/index.json")" = 200 ] || fail "index.json not served"

# an agent machine updates from the server
expect_exit 0 "$RQ" update --mirror "$M" --db-dir db --trusted-keys trusted
expect_grep 'main: installed 3' out
cmp -s db/main.rqdb mirror/main-3.rqdb || fail "installed database differs"
kill -TERM "$PID"
wait "$PID"
PID=
finish
