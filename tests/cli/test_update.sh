#!/usr/bin/env bash
# `raquet db keygen`, `raquet mirror publish` and `raquet update` end to end,
# with real databases from `raquet db build`, a mirror served over HTTP by a
# local python server (tests/lib/db/mirror_server.py), a folder mirror (USB
# key), tampering, the rollback attack, --rollback, a full disk (1 MiB tmpfs,
# root only) and a kill at each step of the swap. After each failure the
# installed database must still verify and scan.
. "$(dirname "$0")/lib.sh"

src=${RQ_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SERVER=$src/tests/lib/db/mirror_server.py
export RQ_UPDATE_BACKOFF_MS=10
unset RAQUET_DB RAQUET_KEYS RQ_UPDATE_CRASH_AT

mkdir keys db mirror
expect_exit 0 "$RAQUET" db keygen --out prov
expect_grep '^key id: +[0-9a-f]{16}$' out
[ "$(stat -c %a prov.key)" = 600 ] || fail "prov.key is not mode 0600"
cp prov.pub keys/
expect_exit 1 "$RAQUET" db keygen --out prov # never overwrites
expect_exit 0 "$RAQUET" db keygen --out evil
expect_exit 2 "$RAQUET" db keygen

# databases: main (one hash per version, so a scan tells versions apart) and daily
printf 'sample file\n' > sample
sha=$(sha256sum sample | cut -d' ' -f1)
build() { # NAME VERSION [KEY]
	echo "$sha:12:Test.$1.v$2" > "$1-$2.hdb"
	"$RAQUET" db build --name "$1" --version "$2" --key "${3:-prov.key}" -o "$1-$2.rqdb" "$1-$2.hdb" \
		> /dev/null || fail "db build $1 $2"
}
# which version of main the installed databases detect ("none" when nothing)
scanned() { # DBDIR
	"$RAQUET" scan --no-summary -z -d "$1" --trusted-keys keys sample 2> scan.err |
		grep -o -E 'Test\.main\.v[0-9]+' || echo none
}
for v in 1 2 3; do build main $v; done
build daily 1
build main 9 evil.key

expect_exit 2 "$RAQUET" mirror publish --dir mirror main-1.rqdb # no --key
expect_exit 0 "$RAQUET" mirror publish --dir mirror --key prov.key main-1.rqdb daily-1.rqdb
expect_grep '^main: new, version 1 \(main-1.rqdb\)$' out
[ -f mirror/index.json ] && [ "$(stat -c %s mirror/index.json.sig)" = 80 ] || fail "no signed index"
expect_exit 1 "$RAQUET" mirror publish --dir mirror --key prov.key main-9.rqdb # foreign key
expect_grep 'unknown key|trusted keys' err

# --- HTTP mirror ---
start_server() { # MODE: the server exits when fd $CTL closes
	rm -f port ctl
	mkfifo ctl
	python3 "$SERVER" "$1" "$WORK/mirror" "$WORK/server.log" < ctl > port &
	SERVER_PID=$!
	exec {CTL}> ctl
	for _ in $(seq 100); do [ -s port ] && break; sleep 0.1; done
	URL="http://127.0.0.1:$(head -1 port)"
}
stop_server() {
	exec {CTL}>&-
	wait "$SERVER_PID" 2> /dev/null
}
fetched() { grep -c -x -- "$1" server.log; }

start_server serve
common=(--db-dir db --trusted-keys keys --timeout 5 --retries 1)
expect_exit 0 "$RAQUET" update --mirror "$URL" "${common[@]}"
expect_grep '^daily: installed 1 ' out
expect_grep '^main: installed 1 ' out
[ "$(scanned db)" = Test.main.v1 ] || fail "after install: $(scanned db)"
expect_exit 0 "$RAQUET" update --mirror "$URL/" "${common[@]}" --json
expect_grep '^\{"name":"main","status":"current","old_version":1,"new_version":1\}$' out
expect_exit 0 "$RAQUET" mirror publish --dir mirror --key prov.key main-2.rqdb
expect_grep '^main: 1 -> 2 ' out
expect_exit 0 "$RAQUET" update --mirror "$URL" "${common[@]}"
expect_grep '^daily: current \(version 1\)$' out
expect_grep '^main: updated 1 -> 2$' out
[ "$(scanned db)" = Test.main.v2 ] || fail "after update: $(scanned db)"
[ -f db/main.rqdb.prev ] || fail "no main.rqdb.prev"
# only what changed was downloaded
[ "$(fetched /daily-1.rqdb)" = 1 ] || fail "daily fetched $(fetched /daily-1.rqdb) times"
[ "$(fetched /main-2.rqdb)" = 1 ] || fail "main-2 fetched $(fetched /main-2.rqdb) times"
# keys: none trusted, or not the signer
expect_exit 1 "$RAQUET" update --mirror "$URL" --db-dir db --trusted-keys "$WORK/nokeys"
expect_grep 'no trusted keys' err
mkdir evilkeys && cp evil.pub evilkeys/
expect_exit 1 "$RAQUET" update --mirror "$URL" --db-dir db --trusted-keys evilkeys
expect_grep 'index.json: .*(unknown key|trusted keys)' err

# a flipped byte in the served database or in the index: refused, nothing changed
expect_exit 0 "$RAQUET" mirror publish --dir mirror --key prov.key main-3.rqdb
snapshot() { (cd db && ls -A | grep -v '^.update.lock$' | xargs sha256sum); }
snapshot > before
flip() { # FILE OFFSET
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
size=$(stat -c %s mirror/main-3.rqdb)
for at in 0 40 $((size / 2)) $((size - 81)) $((size - 1)); do
	flip mirror/main-3.rqdb $at
	expect_exit 1 "$RAQUET" update --mirror "$URL" "${common[@]}"
	expect_grep '^main: refused: .*SHA-256' out
	flip mirror/main-3.rqdb $at
done
for at in 5 30 100; do
	flip mirror/index.json $at
	expect_exit 1 "$RAQUET" update --mirror "$URL" "${common[@]}"
	flip mirror/index.json $at
done
flip mirror/index.json.sig 50
expect_exit 1 "$RAQUET" update --mirror "$URL" "${common[@]}"
expect_grep 'bad signature' err
flip mirror/index.json.sig 50
# truncated in the mirror
cp mirror/main-3.rqdb main-3.saved
truncate -s $((size - 100)) mirror/main-3.rqdb
expect_exit 1 "$RAQUET" update --mirror "$URL" "${common[@]}"
expect_grep '^main: refused: .*bytes, the index says' out
cp main-3.saved mirror/main-3.rqdb
snapshot > after
cmp -s before after || fail "refused updates changed the database folder"
[ "$(scanned db)" = Test.main.v2 ] || fail "after refusals: $(scanned db)"
stop_server

# the server drops the connection halfway (retried, then given up)
start_server drop
expect_exit 1 "$RAQUET" update --mirror "$URL" "${common[@]}"
expect_grep '^main: failed: ' out
[ "$(fetched /main-3.rqdb)" -ge 2 ] || fail "a dropped download was not retried"
stop_server
# a server that never answers
start_server hang
expect_exit 1 "$RAQUET" update --mirror "$URL" --db-dir db --trusted-keys keys --timeout 1 --retries 0
expect_grep '^main: failed: .*timed out' out
stop_server
snapshot > after
cmp -s before after || fail "failed downloads changed the database folder"
ls -A db | grep -q part && fail "a .part file was left behind"
expect_exit 1 "$RAQUET" update --mirror http://127.0.0.1:1 "${common[@]}"

# --- folder mirror (USB key), file:// URL ---
expect_exit 0 "$RAQUET" update --mirror "$WORK/mirror" "${common[@]}"
expect_grep '^main: updated 2 -> 3$' out
[ "$(scanned db)" = Test.main.v3 ] || fail "after the folder update: $(scanned db)"
expect_exit 0 "$RAQUET" update --mirror "file://$WORK/mirror" "${common[@]}"
expect_grep '^main: current' out
RAQUET_DB=$WORK/db RAQUET_KEYS=$WORK/keys expect_exit 0 "$RAQUET" update --mirror mirror

# --- rollback attack, --allow-downgrade, --rollback ---
mkdir old-mirror
expect_exit 0 "$RAQUET" mirror publish --dir old-mirror --key prov.key main-1.rqdb
expect_exit 1 "$RAQUET" update --mirror old-mirror "${common[@]}"
expect_grep '^main: refused: .*older than the installed 3' out
[ "$(scanned db)" = Test.main.v3 ] || fail "rollback attack: $(scanned db)"
expect_exit 0 "$RAQUET" update --mirror old-mirror "${common[@]}" --allow-downgrade
expect_grep '^main: updated 3 -> 1$' out
expect_exit 0 "$RAQUET" update --rollback --db-dir db --trusted-keys keys
expect_grep '^main: rolled back 1 -> 3$' out
[ "$(scanned db)" = Test.main.v3 ] || fail "after --rollback: $(scanned db)"
expect_exit 0 "$RAQUET" update --rollback --name main --db-dir db --trusted-keys keys --json
expect_grep '"status":"rolled back"' out
[ "$(scanned db)" = Test.main.v1 ] || fail "after the second --rollback: $(scanned db)"
expect_exit 1 "$RAQUET" update --rollback --name daily --db-dir db --trusted-keys keys
expect_grep 'no previous version' out

# --- kill -9 at each step of the swap ---
mkdir crash-mirror
expect_exit 0 "$RAQUET" mirror publish --dir crash-mirror --key prov.key main-3.rqdb
for step in download verify prev rename sync; do
	rm -rf cdb && mkdir cdb
	expect_exit 0 "$RAQUET" update --mirror old-mirror --db-dir cdb --trusted-keys keys
	RQ_UPDATE_CRASH_AT=$step expect_exit 137 "$RAQUET" update --mirror crash-mirror --db-dir cdb --trusted-keys keys
	expect_exit 0 "$RAQUET" db verify cdb/main.rqdb --trusted-keys keys
	got=$(scanned cdb)
	case $step in
	download | verify | prev) want=Test.main.v1 ;;
	*) want=Test.main.v3 ;;
	esac
	[ "$got" = "$want" ] || fail "crash at $step: scan finds $got, want $want"
	expect_exit 0 "$RAQUET" update --mirror crash-mirror --db-dir cdb --trusted-keys keys
	[ "$(scanned cdb)" = Test.main.v3 ] || fail "crash at $step: the next update did not finish"
	[ -z "$(ls -A cdb | grep -v -x -E 'main.rqdb|main.rqdb.prev|.update.lock')" ] ||
		fail "crash at $step: left $(ls -A cdb)"
done

# --- disk full: a 1 MiB tmpfs as the database folder (root only) ---
mkdir small
trap 'umount "$WORK/small" 2> /dev/null; rm -rf "$WORK"' EXIT
if mount -t tmpfs -o size=1m tmpfs small 2> /dev/null; then
	expect_exit 0 "$RAQUET" update --mirror old-mirror --db-dir small --trusted-keys keys
	python3 -c "
import hashlib
with open('big.hdb', 'w') as f:
    f.write('$sha:12:Test.main.v4\n')
    for i in range(40000):
        f.write('%s:%d:Big.%d\n' % (hashlib.sha256(str(i).encode()).hexdigest(), 1000 + i, i))
"
	"$RAQUET" db build --name main --version 4 --key prov.key -o main-4.rqdb big.hdb > /dev/null ||
		fail "db build big"
	[ "$(stat -c %s main-4.rqdb)" -gt 1100000 ] || fail "main-4.rqdb too small for the test"
	expect_exit 0 "$RAQUET" mirror publish --dir old-mirror --key prov.key main-4.rqdb
	expect_exit 1 "$RAQUET" update --mirror old-mirror --db-dir small --trusted-keys keys
	expect_grep '^main: failed: .*disk full' out
	expect_exit 0 "$RAQUET" db verify small/main.rqdb --trusted-keys keys
	[ "$(scanned small)" = Test.main.v1 ] || fail "disk full: $(scanned small)"
	ls -A small | grep -q part && fail "disk full: a .part file was left behind"
	umount small
else
	echo "skipped: disk full (needs root to mount a tmpfs)"
fi

# usage errors
expect_exit 2 "$RAQUET" update
expect_exit 2 "$RAQUET" update --mirror x --bogus
expect_exit 2 "$RAQUET" update --mirror x --timeout abc
expect_exit 2 "$RAQUET" update --rollback --mirror x
expect_exit 2 "$RAQUET" mirror
expect_exit 0 "$RAQUET" update --help
expect_exit 0 "$RAQUET" help update
expect_exit 0 "$RAQUET" help mirror

finish
