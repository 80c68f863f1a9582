#!/usr/bin/env bash
# The mirror's public keys handed from raquet-server to its agents, against
# a real server on loopback: [mirror] keys checked at --check-config (a
# folder without keys, a file that is no key, a name agents refuse, file:line
# named); a server without keys hands out nothing; the enrollment answer
# carries the keys and their digest, the heartbeat answer only when the
# agent's digest is missing or differs; `raquet agent enroll --config`
# installs them into [update] trusted_keys (created 0755, files 0644) and
# records the digest the heartbeat sends back (not when a key was deleted
# by hand or the folder moved: they come again); raquetd installs a changed
# set and removes nothing; a hostile server (a name with a path, content
# that is no key, a wrong digest) gets nothing written; and a fresh
# enrollment then raquetd installs the province's database with no key
# copied by hand.
source "$(dirname "$0")/lib.sh"

"$RAQUET" db keygen --out province > /dev/null 2>&1 || { fail "keygen"; finish; }
"$RAQUET" db keygen --out province2 > /dev/null 2>&1 || { fail "keygen 2"; finish; }
mkdir -p srvkeys sigs mirror
cp province.pub srvkeys/
printf '%s\n' 'indicator,description' '127.0.0.7,Test C2 server' > sigs/iocs.txt
"$RAQUET" db build --name main --version 1 --key province.key -o main-v1.rqdb sigs > build.out 2>&1 ||
	{ fail "db build: $(cat build.out)"; finish; }
"$RAQUET" mirror publish --dir mirror --key province.key main-v1.rqdb > pub.out 2>&1 ||
	{ fail "publish: $(cat pub.out)"; finish; }
expect_exit 0 "$SERVER" unit add --store "$STORE" --name "Sở Khoa học" --code SKH

# digest NAME...: the digest of key files of srvkeys/ as docs/api-agent.md defines it
digest() {
	python3 - "$@" <<'PY'
import hashlib, sys
h = hashlib.sha256()
for name in sorted(sys.argv[1:]):
    h.update(name.encode() + b"\0" + open("srvkeys/" + name, "rb").read() + b"\0")
print(h.hexdigest())
PY
}
# conf KEYS_DIR: an agent.conf trusting KEYS_DIR, debug log, nothing watched
conf() { printf '[update]\ntrusted_keys = %s\n[log]\nlevel = debug\n%s' "$1" "$NO_WATCH" > agent.conf; }
cred() { python3 -c "import json; print(json.load(open('$1/agent.json'))['credential'])"; }
# heartbeat STATE_DIR [DIGEST]: POST a heartbeat as that agent -> answer in hb.json
heartbeat() {
	local body='{}'
	[ -n "${2:-}" ] && body="{\"mirror_keys_digest\":\"$2\"}"
	curl -sS -o hb.json -H "Authorization: Bearer $(cred "$1")" -H 'Content-Type: application/json' \
		--data-binary "$body" "$URL/api/v1/agent/heartbeat" || fail "heartbeat: curl"
}
has_keys() { python3 -c "import json; print('mirror_keys' in json.load(open('$1')))"; }
set_status_digest() { # STATE_DIR DIGEST: what the agent believes it holds
	python3 - "$1/status.json" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["mirror_keys"]["digest"] = sys.argv[2]
with open(sys.argv[1], "w") as f:  # rewritten in place: the mode (0600) stays
    json.dump(s, f)
PY
}

# --- [mirror] keys checked at start ---
check() { expect_exit "$1" "$SERVER" --check-config --plain-http --listen 127.0.0.1:0 --store "$STORE" "${@:2}"; }
check 1 --mirror-keys "$WORK/nokeys"
expect_grep "^raquet-server: --mirror-keys: \[mirror\] keys: $WORK/nokeys: No such file" err
mkdir -p empty bad badname
check 1 --mirror-keys "$WORK/empty"
expect_grep 'no public key \(\*\.pub' err
echo "not a key" > bad/oops.pub
check 1 --mirror-keys "$WORK/bad"
expect_grep 'bad/oops.pub: not a PEM public key' err
cp province.pub "badname/pro vince.pub"
check 1 --mirror-keys "$WORK/badname"
expect_grep "pro vince.pub: agents accept only names of letters" err
printf '[mirror]\n# the province key\nkeys = %s\n' "$WORK/bad" > server.conf
expect_exit 1 "$SERVER" --check-config --config server.conf --plain-http --listen 127.0.0.1:0
expect_grep "server.conf:3: \[mirror\] keys: .*oops.pub: not a PEM public key" err
check 0 --mirror-keys "$WORK/srvkeys"
expect_grep 'configuration OK' out

# --- a server without [mirror] keys hands out nothing ---
start_server --mirror-dir "$WORK/mirror"
conf "$WORK/k0"
expect_exit 0 "$RAQUET" agent enroll --server "$URL" --token "$(new_token SKH)" --state-dir s0 --config agent.conf
expect_no_grep 'trusted key' out
[ ! -e k0 ] || fail "a server without keys made the keys folder"
heartbeat s0
[ "$(has_keys hb.json)" = False ] || fail "heartbeat of a server without keys: $(cat hb.json)"
stop_server

# --- the server's answers ---
start_server --mirror-dir "$WORK/mirror" --mirror-keys "$WORK/srvkeys"
D1=$(digest province.pub)
curl -sS -o enroll.json -H 'Content-Type: application/json' \
	--data-binary "{\"token\":\"$(new_token SKH)\",\"hostname\":\"pc-keys\"}" "$URL/api/v1/agent/enroll"
python3 - "$D1" <<'PY' || fail "enrollment answer: $(cat enroll.json)"
import json, sys
a = json.load(open("enroll.json"))
assert a["mirror_keys"] == {"province.pub": open("srvkeys/province.pub").read()}, a
assert a["mirror_keys_digest"] == sys.argv[1], a
PY
heartbeat s0 # this agent sends no digest: it gets the keys
[ "$(has_keys hb.json)" = True ] || fail "heartbeat without a digest: $(cat hb.json)"
heartbeat s0 "$D1"
[ "$(has_keys hb.json)" = False ] || fail "heartbeat with the current digest: $(cat hb.json)"
heartbeat s0 "$(printf '0%.0s' $(seq 64))"
[ "$(python3 -c "import json; a = json.load(open('hb.json')); print(a['mirror_keys_digest'] == '$D1' and list(a['mirror_keys']))")" = "['province.pub']" ] ||
	fail "heartbeat with another digest: $(cat hb.json)"

# --- enroll installs them, the heartbeat sends the digest back ---
conf "$WORK/k1"
expect_exit 0 "$RAQUET" agent enroll --server "$URL" --token "$(new_token SKH)" --state-dir s1 --config agent.conf
expect_grep "^trusted key installed: $WORK/k1/province.pub\$" out
cmp -s k1/province.pub srvkeys/province.pub || fail "installed key differs"
[ "$(stat -c %a k1 k1/province.pub | tr '\n' ' ')" = "755 644 " ] || fail "modes: $(stat -c '%n %a' k1 k1/*)"
[ "$(ls -A k1)" = province.pub ] || fail "keys folder: $(ls -A k1)"
recorded() { python3 -c "import json; print(json.load(open('$1/status.json'))['mirror_keys']['digest'])"; }
[ "$(recorded s1)" = "$D1" ] || fail "digest not recorded: $(cat s1/status.json)"
expect_exit 0 "$RAQUETD" --once --state-dir s1 --config agent.conf
expect_no_grep 'trusted key' err # the digest matched: no keys in the answer
# a digest the server does not know: the keys come again, found current
set_status_digest s1 "$(printf 'f%.0s' $(seq 64))"
expect_exit 0 "$RAQUETD" --once --state-dir s1 --config agent.conf
expect_grep "trusted key current: $WORK/k1/province.pub" err
[ "$(recorded s1)" = "$D1" ] || fail "digest not recorded again: $(cat s1/status.json)"
# a key deleted by hand: the digest is not sent, the key comes again
rm k1/province.pub
expect_exit 0 "$RAQUETD" --once --state-dir s1 --config agent.conf
expect_grep "trusted key installed: $WORK/k1/province.pub" err
cmp -s k1/province.pub srvkeys/province.pub || fail "key deleted by hand not restored"
# another trusted keys folder in the configuration: the keys go there too
conf "$WORK/k1b"
expect_exit 0 "$RAQUETD" --once --state-dir s1 --config agent.conf
expect_grep "trusted key installed: $WORK/k1b/province.pub" err
conf "$WORK/k1"
expect_exit 0 "$RAQUETD" --once --state-dir s1 --config agent.conf
expect_grep "trusted key current: $WORK/k1/province.pub" err

# --- a new key: raquetd installs it; a key no longer listed stays ---
cp province2.pub srvkeys/
stop_server
start_server --mirror-dir "$WORK/mirror" --mirror-keys "$WORK/srvkeys"
expect_exit 0 "$RAQUETD" --once --state-dir s1 --config agent.conf
expect_grep "trusted key installed: $WORK/k1/province2.pub" err
cmp -s k1/province2.pub srvkeys/province2.pub || fail "second key differs"
rm srvkeys/province.pub
stop_server
start_server --mirror-dir "$WORK/mirror" --mirror-keys "$WORK/srvkeys"
expect_exit 0 "$RAQUETD" --once --state-dir s1 --config agent.conf
[ -f k1/province.pub ] || fail "a key the server no longer lists was removed"
[ "$(recorded s1)" = "$(digest province2.pub)" ] || fail "digest after the change: $(cat s1/status.json)"
cp province.pub srvkeys/
stop_server

# --- a hostile server: nothing written ---
PEM=$(python3 -c "import json; print(json.dumps(open('province.pub').read()))")
fake_server() { # ANSWER_KEYS_JSON DIGEST: enroll and heartbeat answers carrying them
	cat > fake.py <<'PY'
import http.server, json, os, sys, threading
threading.Timer(120, os._exit, [0]).start()  # never outlives a failed test
keys, digest = json.loads(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        base = {"mirror_keys": keys, "mirror_keys_digest": digest, "server_time": 1}
        if self.path.endswith("/enroll"):
            code, a = 201, dict(base, endpoint_id=9, unit_id=1, credential="9.rqa_" + "A" * 43)
        elif self.path.endswith("/heartbeat"):
            code, a = 200, dict(base, tasks=[], policy_version=1, databases={})
        else:
            code, a = 200, {"acked": [], "new": 0}
        body = json.dumps(a).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_port, flush=True)
s.serve_forever()
PY
	rm -f fake.port # the last one's: the shell truncates it only once the child runs
	python3 fake.py "$1" "$2" > fake.port &
	FPID=$!
	wait_for 10 test -s fake.port || fail "fake server did not start"
	FURL=http://127.0.0.1:$(cat fake.port)
}
# hostile CASE KEYS_JSON DIGEST EXPECTED_MESSAGE
hostile() {
	rm -rf "k-$1" "s-$1"
	conf "$WORK/k-$1"
	fake_server "$2" "$3"
	expect_exit 1 "$RAQUET" agent enroll --server "$FURL" --token rqe_x --state-dir "s-$1" --config agent.conf
	expect_grep "enrolled as endpoint 9 in unit 1, but the server's mirror keys were not installed: $4" err
	[ -f "s-$1/agent.json" ] || fail "$1: the enrollment itself was not kept"
	[ -z "$(ls -A "k-$1" 2>/dev/null)" ] || fail "$1: written: $(ls -A "k-$1")"
	# and raquetd refuses the same in a heartbeat answer, writing nothing
	expect_exit 0 "$RAQUETD" --once --state-dir "s-$1" --config agent.conf
	expect_grep "the server's mirror keys were not installed: $4" err
	[ -z "$(ls -A "k-$1" 2>/dev/null)" ] || fail "$1: raquetd wrote: $(ls -A "k-$1")"
	kill "$FPID"
	wait "$FPID" 2> /dev/null
}
good_digest() { # NAME CONTENT_FILE: the digest a server would send for it
	python3 -c "import hashlib, sys; print(hashlib.sha256(sys.argv[1].encode() + b'\0' + open(sys.argv[2], 'rb').read() + b'\0').hexdigest())" "$1" "$2"
}
hostile path "{\"../x.pub\": $PEM, \"province.pub\": $PEM}" "$(good_digest ../x.pub province.pub)" \
	"mirror key '../x.pub' refused"
[ ! -e x.pub ] || fail "a key was written outside the folder"
echo "no key at all" > nokey.txt
hostile content "{\"evil.pub\": \"no key at all\\n\"}" "$(good_digest evil.pub nokey.txt)" \
	'mirror key refused: evil.pub: not a PEM public key'
hostile digest "{\"province.pub\": $PEM}" "$(printf 'a%.0s' $(seq 64))" \
	'mirror_keys_digest a+ does not match the keys sent'

# --- the round trip: enroll, start raquetd, the database installs with no key copied ---
start_server --mirror-dir "$WORK/mirror" --mirror-keys "$WORK/srvkeys"
conf "$WORK/k2"
printf '[agent]\nheartbeat_interval = 5\nheartbeat_fixed = yes\n' >> agent.conf
expect_exit 0 "$RAQUET" agent enroll --server "$URL" --token "$(new_token SKH)" --state-dir "$ST" --config agent.conf
expect_grep "^trusted key installed: $WORK/k2/province.pub\$" out
"$RAQUETD" --state-dir "$ST" --config agent.conf 2> raquetd.log &
APID=$!
wait_for 30 test -f "$ST/sigs/main.rqdb" || fail "main.rqdb not installed: $(tail -5 raquetd.log)"
"$RAQUET" db verify --trusted-keys k2 "$ST/sigs/main.rqdb" > verify.out 2>&1 || fail "installed database: $(cat verify.out)"
kill -TERM "$APID"
wait "$APID"
APID=
stop_server
finish
