#!/usr/bin/env bash
# Indicators become protection (docs/intel.md), measured end to end: a real
# raquet-server with a mirror and [intel] signing_key, a real raquetd
# enrolled with it. Importing a hash list that holds the SHA-256 of a test
# file makes the server compile, sign and publish a new `daily`; the agent
# sees it in its next heartbeat answer, installs it, and a scan task finds
# the file. Allow-listing the hash publishes the next daily, after which the
# same scan finds nothing. A server killed right after an import publishes
# the change once restarted. Prints the seconds from import to installed
# database and to detection.
source "$(dirname "$0")/lib.sh"

mkdir -p keys trusted mirror src scanme
"$RAQUET" db keygen --out keys/province > /dev/null 2>&1 || { fail "keygen"; finish; }
cp keys/province.pub trusted/
printf 'raquet intel test sample %s %s\n' "$$" "$(date +%s%N)" > scanme/sample.bin
SUM=$(sha256sum < scanme/sample.bin | cut -d' ' -f1)
INTERVAL=5 # [intel] publish_interval here (the default is 1m); see docs/intel.md
cat > server.conf <<EOF2
[mirror]
dir = $WORK/mirror
[intel]
signing_key = $WORK/keys/province.key
publish_interval = ${INTERVAL}s
EOF2
start_server --config "$WORK/server.conf"
UNIT=$("$SERVER" unit add --store "$STORE" --name "Sở Thử nghiệm" --code STN 2>/dev/null | sed -n 's/^unit \([0-9]*\):.*/\1/p')
printf 'root-password-123\n' | "$SERVER" user add --store "$STORE" --login root --role admin --password-stdin > /dev/null 2>&1
curl -sS -c jar -o login.json -H 'Content-Type: application/json' \
	--data-binary '{"login":"root","password":"root-password-123"}' "$URL/api/v1/auth/login" || { fail "login"; finish; }
CSRF=$(python3 -c "import json; print(json.load(open('login.json'))['csrf_token'])")
api() { # METHOD PATH [BODY [CONTENT_TYPE]] -> body in api.json, status printed
	curl -sS -b jar -H "X-CSRF-Token: $CSRF" -H "Content-Type: ${4:-application/json}" -o api.json -w '%{http_code}' \
		-X "$1" ${3:+--data-binary "$3"} "$URL$2"
}
code=$(api PUT "/api/v1/units/$UNIT/policy" '{"action_on_detection":"report"}')
[ "$code" = 200 ] || fail "policy: $code $(cat api.json)"

# a first daily, from one unrelated indicator, so the agent starts with a database
code=$(api POST '/api/v1/intel/imports?kind=ioc-list&name=start.txt' '198.51.100.99;unrelated' text/plain)
[ "$code" = 201 ] || { fail "first import: $code $(cat api.json)"; finish; }
wait_for 20 test -f mirror/daily-1.rqdb || { fail "daily 1 not published: $(tail -5 server.log)"; finish; }

enroll_agent STN
cat > agent.conf <<EOF2
[agent]
heartbeat_interval = 5
heartbeat_fixed = yes
scheduled_scans = no
[update]
trusted_keys = $WORK/trusted
[realtime]
enabled = no
[netwatch]
interval = 0
EOF2
"$RAQUETD" --state-dir "$ST" --config agent.conf 2> raquetd.log &
APID=$!
installed() { # the version of the agent's daily, 0 if none
	"$RAQUET" db info --trusted-keys trusted --json "$ST/sigs/daily.rqdb" 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["version"])' 2>/dev/null || echo 0
}
is() { [ "$("${@:2}")" = "$1" ]; }
wait_for 60 is 1 installed || { fail "daily 1 not installed: $(tail -5 raquetd.log)"; finish; }

task_state() { api GET "/api/v1/tasks/$1" > /dev/null; python3 -c "import json; print(json.load(open('api.json'))['state'])"; }
scan_infected() { # -> infected count of a scan task of scanme/
	local code t
	code=$(api POST "/api/v1/endpoints/$EP/tasks" "{\"kind\":\"scan_path\",\"params\":{\"path\":\"$WORK/scanme\"}}")
	[ "$code" = 201 ] || { fail "scan task: $code $(cat api.json)"; return; }
	t=$(python3 -c "import json; print(json.load(open('api.json'))['id'])")
	wait_for 60 is done task_state "$t" || { fail "scan task $t: $(cat api.json) $(tail -3 raquetd.log)"; return; }
	python3 -c "import json; print(json.load(open('api.json'))['result']['infected'])"
}
[ "$(scan_infected)" = 0 ] || fail "the sample is detected before any indicator names it"

# 1. import a hash list holding the sample's SHA-256: measure until the agent has it
printf '# bulletin\n%s;Intel test sample\n44d88612fea8a8f36de82e1278abb02f\n' "$SUM" > list.txt
t0=$(date +%s.%N)
code=$(api POST '/api/v1/intel/imports?kind=ioc-list&name=bulletin.txt' "@list.txt" text/plain)
[ "$code" = 201 ] || { fail "import: $code $(cat api.json)"; finish; }
wait_for 120 is 2 installed || { fail "daily 2 not installed: $(tail -5 raquetd.log) $(tail -5 server.log)"; finish; }
t1=$(date +%s.%N)
n=$(scan_infected)
t2=$(date +%s.%N)
[ "$n" = 1 ] || fail "the scan after the update did not find the sample: $n $(cat api.json)"
sql "SELECT name FROM detections WHERE path = '$WORK/scanme/sample.bin'" | grep -q 'IOC.Intel_test_sample' ||
	fail "detection name: $(sql 'SELECT path, name FROM detections')"
python3 - "$t0" "$t1" "$t2" <<'PY'
import sys
t0, t1, t2 = map(float, sys.argv[1:])
print(f"import to protection: {t1 - t0:.1f} s until the agent installed the new daily; "
      f"{t2 - t0:.1f} s until a scan task reported the file (heartbeat 5 s, publish tick 1 s)")
PY

# 2. allow-list the hash: the next daily no longer detects the file
[ -f scanme/sample.bin ] || fail "a report-only scan took the sample"
t3=$(date +%s.%N)
code=$(api POST /api/v1/intel/allowlist "{\"sha256\":\"$SUM\",\"name\":\"confirmed false positive\"}")
[ "$code" = 201 ] || fail "allow-list: $code $(cat api.json)"
wait_for 120 is 3 installed || { fail "daily 3 not installed: $(tail -5 raquetd.log) $(tail -5 server.log)"; finish; }
t4=$(date +%s.%N)
[ "$(scan_infected)" = 0 ] || fail "the allow-listed sample is still detected: $(cat api.json)"
python3 -c "print(f'allow-list to protection: {$t4 - $t3:.1f} s (within publish_interval = $INTERVAL s of the previous publish)')"
"$RAQUET" db info --trusted-keys trusted --json "$ST/sigs/daily.rqdb" > info.json 2>&1
python3 -c "import json; c = json.load(open('info.json'))['header']['counts']; assert c['allow'] == 1 and c['ioc'] == 1 and c['addresses'] == 1, c" ||
	fail "daily 3: one allow-list entry, the MD5 and the address expected: $(head -c 600 info.json)"

# 3. a server killed right after an import: the change is in the store, so the
# restarted server publishes it (and the mirror served the previous daily meanwhile)
printf '%s;Second sample\n' "$(printf 'other sample %s' "$$" | sha256sum | cut -d' ' -f1)" > list2.txt
code=$(api POST '/api/v1/intel/imports?kind=ioc-list&name=list2.txt' "@list2.txt" text/plain)
[ "$code" = 201 ] || fail "second import: $code $(cat api.json)"
stop_server KILL
"$RAQUET" db verify --trusted-keys trusted mirror/daily-3.rqdb > verify.out 2>&1 || fail "daily 3 after the kill: $(cat verify.out)"
start_server --config "$WORK/server.conf"
wait_for 60 is 4 installed || fail "daily 4 not published after the restart: $(tail -5 server.log) $(tail -3 raquetd.log)"
curl -sS -b jar -o api.json "$URL/api/v1/intel/status"
python3 -c "import json; s = json.load(open('api.json')); assert not s['pending'] and s['published_version'] == 4, s" ||
	fail "status after the restart: $(cat api.json)"

kill -TERM "$APID"
wait "$APID" 2>/dev/null
APID=
stop_server
finish
