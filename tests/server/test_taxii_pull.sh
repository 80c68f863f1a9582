#!/usr/bin/env bash
# TAXII 2.1 pull (docs/intel.md, "TAXII sources"), the puller on SQLite and
# PostgreSQL. (1) Two real raquet-servers on loopback: A exports what its
# machines reported as its TAXII collection; B has A as a [taxii-pull]
# source with a viewer's API token. B's worker pulls at start; its
# indicators are A's file hashes and addresses; after A sees a new file,
# a pull asked for through B's API fetches only what was added since
# (added_after), and the state and errors are visible in the API. (2) A
# hostile TAXII server (taxii_hostile.py): a second page that is not JSON,
# over 64 MiB, hangs, answers 500, is not TAXII, or holds a malformed
# object -- each pull fails with the reason recorded, the first page stays
# imported and nothing of the bad page is; a pull killed -9 while the
# server hangs holds its claim until the lease ends and imports nothing
# half; then the server recovers and the next pull resumes after the last
# page committed (the requests' added_after), never from the start. The
# same collection over HTTPS is pulled with ca_file and refused without.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
source "$HERE/fleet_lib.sh"
mkdir -p "$WORK/run" && cd "$WORK/run" || exit 1
HPID=
TPID=
PID_A=
trap 'stop_server; for p in "$PID_A" "$HPID" "$TPID"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT

SHA_X=$(printf 'pull-x' | sha256sum | cut -d' ' -f1)
SHA_Y=$(printf 'pull-y' | sha256sum | cut -d' ' -f1)
j() { python3 -c "import json,sys; b = json.load(open('body')); print(*[eval(e, {'b': b}) for e in sys.argv[1:]])" "$@"; }
event() { # UUID_N KIND TIME PAYLOAD
	printf '{"uuid":"00000000-0000-4000-8000-%012d","kind":"%s","time":%s,"payload":%s}' "$1" "$2" "$3" "$4"
}
sql_b() { # a value from B's store
	case $STORE in
	sqlite:*) sqlite3 "${STORE#sqlite:}" "$1" ;;
	*) psql -qAt "$STORE" -c "$1" ;;
	esac
}

# server A: the exporter, on its own SQLite store, with two detections and a connection
start_a() {
	local store=sqlite:$WORK/a-$STORE_KIND.sqlite
	rm -f "$WORK"/a-$STORE_KIND.sqlite*
	"$SERVER" unit add --store "$store" --name "Sở A" --code A > /dev/null 2>&1
	printf 'partner-password-123\n' | "$SERVER" user add --store "$store" --login partner --role viewer \
		--password-stdin > /dev/null 2>&1 || fail "partner user"
	local tok
	tok=$("$SERVER" token create --store "$store" --unit A --uses 5 --days 1 2> /dev/null)
	start_server_logged "$WORK/a.log" "$store"
	PID_A=$PID
	PID=
	PORT_A=$PORT
	BASE_A=http://127.0.0.1:$PORT_A
	enroll "$tok" alpha
	A_CRED=$EP_CRED
	local now
	now=$(date +%s)
	agent_post "$A_CRED" /events "{\"events\":[$(event 1 detection $((now - 600)) "{\"path\":\"/tmp/x.exe\",\"sha256\":\"$SHA_X\",\"name\":\"Win.Trojan.Pull-1\",\"type\":\"sha256\",\"state\":\"quarantined\"}"),$(event 2 connection $((now - 500)) '{"remote":"203.0.113.77","remote_port":443,"exe":"/usr/bin/evil","pid":7,"indicator":"203.0.113.77","action":"reported"}')]}"
	expect_code 200 "A's events: "
	curl -sS -o body -w '%{http_code}' -c "$WORK/partner.jar" -H 'Content-Type: application/json' \
		--data-binary '{"login":"partner","password":"partner-password-123"}' "$BASE_A/api/v1/auth/login" > code
	expect_code 200 "partner login on A: "
	python3 -c "import json; print(json.load(open('body'))['csrf_token'])" > "$WORK/partner.csrf"
	api partner POST /api/v1/api-tokens '{"name":"TAXII for province B"}'
	expect_code 201 "partner token: "
	A_TOKEN=$(json '["token"]')
	curl -sS -o body -H "Authorization: Bearer $A_TOKEN" -H 'Accept: application/taxii+json;version=2.1' \
		"$BASE_A/taxii2/raquet/collections/"
	A_COLL=$(json '["collections"][0]["id"]')
}

wait_run() { # NAME AFTER: until B's state of NAME finished after AFTER -> body
	for _ in $(seq 300); do
		api root GET /api/v1/intel/taxii-pulls
		python3 - "$1" "$2" <<'PY' && return 0
import json, sys
items = {i["name"]: i for i in json.load(open("body"))["items"]}
st = items[sys.argv[1]]["state"]
sys.exit(0 if (st["finished_at"] or 0) > int(sys.argv[2]) and not st["running"] else 1)
PY
		sleep 0.1
	done
	fail "the pull of $1 did not finish: $(cat body) $(tail -5 "$WORK/server.log")"
}
state_of() { # NAME EXPR: EXPR on the source's item in the last listing
	python3 -c "import json,sys; i = {x['name']: x for x in json.load(open('body'))['items']}[sys.argv[1]]; v = eval(sys.argv[2], {'i': i, 's': i['state']}); print(*(v if isinstance(v, tuple) else (v,)))" "$1" "$2"
}

wait_port() { # FILE: until a hostile server wrote its port there (python starts slowly on a loaded machine)
	for _ in $(seq 600); do [ -s "$1" ] && return 0; sleep 0.05; done
	fail "no port in $1 after 30 s"
	finish
}

hostile_section() { # NAME BASE-URL [KEY = VALUE...]: a disabled [taxii-pull] section of a hostile server
	printf '[taxii-pull %s]\nurl = %s/taxii/\ncollection = c1\nuser = user\npassword = secret\nenabled = no\n' "$1" "$2"
	shift 2
	[ $# -gt 0 ] && printf '%s\n' "$@"
	return 0
}

run() {
	start_a
	printf 'ok\n' > mode
	: > hostile.log
	python3 "$HERE/taxii_hostile.py" mode hostile.log > hostile.port &
	HPID=$!
	wait_port hostile.port
	HPORT=$(cat hostile.port)
	# the same collection over HTTPS, with a certificate of a private CA
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout tls.key -out tls.crt > /dev/null 2>&1 || fail "openssl"
	python3 "$HERE/taxii_hostile.py" mode hostile-tls.log --tls tls.crt tls.key > tls.port &
	TPID=$!
	wait_port tls.port
	cat > "$WORK/b.conf" <<EOF
[intel]
max_age = 30d
[taxii-pull province-a]
url = $BASE_A/taxii2/raquet/
collection = $A_COLL
token = $A_TOKEN
interval = 1h
$(hostile_section hostile "http://127.0.0.1:$HPORT" 'timeout = 2s' 'page_size = 2' 'confidence = 80')
$(hostile_section hostile-tls "https://127.0.0.1:$(cat tls.port)" "ca_file = $WORK/run/tls.crt")
$(hostile_section hostile-noca "https://127.0.0.1:$(cat tls.port)")
EOF
	chmod 600 "$WORK/b.conf"
	local t0
	t0=$(($(date +%s) - 1))
	start_server --config "$WORK/b.conf"
	make_user root admin
	make_user viewer viewer
	login_as root
	login_as viewer

	# (1) B's worker pulled A at start
	wait_run province-a "$t0"
	[ "$(state_of province-a "s['last_error']")" = "" ] || fail "first pull: $(cat body)"
	[ "$(state_of province-a "i['auth'], '$A_TOKEN' in str(i)")" = "token False" ] ||
		fail "the listing shows the token or the wrong auth: $(cat body)"
	local first_objects
	first_objects=$(state_of province-a "s['run_objects']")
	[ "$first_objects" -ge 4 ] || fail "first pull read $first_objects objects: $(cat body)"
	[ -n "$(state_of province-a "s['added_after']")" ] || fail "no added_after kept: $(cat body)"
	api root GET '/api/v1/intel/indicators?source=province-a'
	[ "$(j "sorted((i['type'], i['value']) for i in b['items'])")" = "$(python3 -c "print(sorted([('ipv4', '203.0.113.77'), ('sha256', '$SHA_X')]))")" ] ||
		fail "B's indicators from A: $(cat body)"
	[ "$(j "all(i['expires_at'] and not i['expired'] for i in b['items'])")" = True ] ||
		fail "[intel] max_age gave no expiry: $(cat body)"
	grep -q "$A_TOKEN" "$WORK/server.log" "$WORK/a.log" && fail "a token is in a log"

	# A sees a new file; a pull asked for on B fetches only what is new
	BASE=$BASE_A
	agent_post "$A_CRED" /events "{\"events\":[$(event 3 detection "$(date +%s)" "{\"path\":\"/tmp/y.exe\",\"sha256\":\"$SHA_Y\",\"name\":\"Win.Worm.Pull-2\",\"type\":\"sha256\",\"state\":\"removed\"}")]}"
	expect_code 200 "A's new event: "
	BASE=$BASE_B_SAVED
	api viewer POST /api/v1/intel/taxii-pulls/province-a/pull
	expect_code 403 "a viewer asks for a pull: "
	api root POST /api/v1/intel/taxii-pulls/nowhere/pull
	expect_code 404 "an unknown source: "
	api root POST /api/v1/intel/taxii-pulls/hostile/pull
	expect_code 409 "a disabled source: "
	local t1
	t1=$(date +%s)
	sleep 1
	api root POST /api/v1/intel/taxii-pulls/province-a/pull
	expect_code 202 "ask for a pull: "
	wait_run province-a "$t1"
	local second
	second=$(state_of province-a "s['run_objects']")
	[ "$second" -ge 1 ] && [ "$second" -lt "$first_objects" ] ||
		fail "the second pull read $second objects (first: $first_objects): only the new ones were wanted"
	api root GET "/api/v1/intel/indicators?q=$SHA_Y"
	[ "$(j "b['total']" "b['items'][0]['sources'] if b['items'] else ''")" = "1 ['province-a']" ] ||
		fail "the new hash did not arrive: $(cat body)"
	[ "$(sql_b "SELECT COUNT(*) FROM audit_log WHERE action = 'intel.taxii_pull.request'")" = 1 ] ||
		fail "the request is not audited once"
	[ "$(sql_b "SELECT COUNT(*) FROM audit_log WHERE action = 'intel.taxii_pull'")" -ge 2 ] ||
		fail "the pages are not audited"

	# (2) the hostile server, pulled from the command line
	pull() { "$SERVER" intel pull --config "$WORK/b.conf" --store "$STORE" --source hostile > pull.out 2>&1; }
	count_h() { sql_b "SELECT COUNT(*) FROM intel_indicators WHERE name LIKE 'Hostile.%'"; }
	printf 'badjson\n' > mode
	pull && fail "a pull over a page that is not JSON succeeded: $(cat pull.out)"
	grep -q 'not JSON' pull.out || fail "bad JSON: $(cat pull.out)"
	[ "$(count_h)" = 2 ] || fail "after bad JSON: $(count_h) hostile indicators (the first page's 2 wanted)"
	[ "$(sql_b "SELECT MIN(confidence) FROM intel_indicators WHERE name LIKE 'Hostile.%'")" = 80 ] || fail "confidence = 80 not kept"
	[ "$(sql_b "SELECT added_after FROM taxii_pull_state WHERE name = 'hostile'")" = 2026-11-01T00:00:01.000Z ] ||
		fail "added_after after the first page: $(sql_b "SELECT added_after FROM taxii_pull_state WHERE name = 'hostile'")"
	for m in oversize hang status500 badtype malformed; do
		: > hostile.log
		printf '%s\n' "$m" > mode
		local s0=$SECONDS
		pull && fail "$m: the pull succeeded: $(cat pull.out)"
		[ "$(count_h)" = 2 ] || fail "$m: $(count_h) hostile indicators, 2 wanted (nothing of the bad page)"
		head -1 hostile.log | grep -q 'added_after=2026-11-01T00%3A00%3A01.000Z' ||
			fail "$m: the pull did not resume after the first page: $(cat hostile.log)"
		case $m in
		oversize) grep -q 'larger than' pull.out || fail "oversize: $(cat pull.out)" ;;
		hang) grep -qi 'timed\? out\|timeout' pull.out || fail "hang: $(cat pull.out)"
		      [ $((SECONDS - s0)) -le 10 ] || fail "hang: the pull took $((SECONDS - s0)) s with timeout = 2s" ;;
		status500) grep -q 'HTTP status 500: internal error: the database is down' pull.out || fail "500: $(cat pull.out)" ;;
		badtype) grep -q "'text/html'" pull.out || fail "badtype: $(cat pull.out)" ;;
		malformed) grep -q 'objects\[1\]' pull.out || fail "malformed: $(cat pull.out)"
			   [ "$(sql_b "SELECT COUNT(*) FROM intel_indicators WHERE value = '198.51.100.1'")" = 0 ] ||
				fail "malformed: half of the page was imported" ;;
		esac
	done
	api root GET /api/v1/intel/taxii-pulls
	[ "$(state_of hostile "s['failures'] >= 6, 'objects[1]' in s['last_error'], s['last_success'] is None")" = "True True True" ] ||
		fail "the hostile source's recorded errors: $(cat body)"
	grep -q secret pull.out && fail "the password is in an error"
	# killed -9 while the server hangs: nothing half, the claim held until its lease ends
	printf 'hang\n' > mode
	: > hostile.log
	"$SERVER" intel pull --config "$WORK/b.conf" --store "$STORE" --source hostile > kill.out 2>&1 &
	local kp=$!
	for _ in $(seq 100); do [ -s hostile.log ] && break; sleep 0.02; done
	kill -9 "$kp"
	wait "$kp" 2> /dev/null
	[ "$(count_h)" = 2 ] || fail "after kill -9: $(count_h) hostile indicators"
	pull
	grep -q 'another pull of it is running' pull.out || fail "a killed pull's claim was not held: $(cat pull.out)"
	printf 'ok\n' > mode
	sleep 13 # timeout 2 s + RQ_TAXII_PULL_LEASE_SLACK 10 s
	: > hostile.log
	pull || fail "the recovered pull failed: $(cat pull.out)"
	grep -q 'hostile: 2 pages, 4 objects, 4 indicators imported' pull.out || fail "recovery: $(cat pull.out)"
	[ "$(count_h)" = 6 ] || fail "after recovery: $(count_h) hostile indicators, 6 wanted"
	head -1 hostile.log | grep -q 'added_after=2026-11-01T00%3A00%3A01.000Z' || fail "recovery did not resume: $(cat hostile.log)"
	: > hostile.log
	pull || fail "a pull with nothing new failed: $(cat pull.out)"
	grep -q 'hostile: 1 pages, 0 objects' pull.out || fail "nothing new: $(cat pull.out)"
	grep -q 'added_after=2026-11-01T00%3A00%3A03.000Z' hostile.log || fail "nothing new: $(cat hostile.log)"
	api root GET /api/v1/intel/taxii-pulls
	[ "$(state_of hostile "s['failures'], s['last_error'], s['total_indicators']")" = "0  6" ] ||
		fail "the state after recovery: $(cat body)"
	# --from-start reads the whole collection again (the indicators are updated, not duplicated)
	pull_all() { "$SERVER" intel pull --config "$WORK/b.conf" --store "$STORE" --source hostile --from-start > pull.out 2>&1; }
	pull_all || fail "--from-start: $(cat pull.out)"
	grep -q 'hostile: 3 pages, 6 objects, 6 indicators' pull.out || fail "--from-start: $(cat pull.out)"
	[ "$(count_h)" = 6 ] || fail "--from-start duplicated: $(count_h)"
	# HTTPS: the server's certificate checked against ca_file; without it, refused
	"$SERVER" intel pull --config "$WORK/b.conf" --store "$STORE" --source hostile-noca > pull.out 2>&1 &&
		fail "a certificate of an unknown CA was accepted: $(cat pull.out)"
	grep -qi 'certificate' pull.out || fail "no CA: $(cat pull.out)"
	"$SERVER" intel pull --config "$WORK/b.conf" --store "$STORE" --source hostile-tls > pull.out 2>&1 ||
		fail "HTTPS with ca_file: $(cat pull.out)"
	grep -q 'hostile-tls: 3 pages, 6 objects, 6 indicators' pull.out || fail "HTTPS with ca_file: $(cat pull.out)"
	kill "$TPID" 2> /dev/null
	wait "$TPID" 2> /dev/null
	kill "$HPID" 2> /dev/null
	wait "$HPID" 2> /dev/null
	HPID=
	kill "$PID_A" 2> /dev/null
	wait "$PID_A" 2> /dev/null
	PID_A=
}

start_server_orig=$(declare -f start_server)
eval "${start_server_orig/start_server/start_server_base}"
start_server() { start_server_base "$@"; BASE_B_SAVED=$BASE; }
for_each_store run
finish
