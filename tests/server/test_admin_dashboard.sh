#!/usr/bin/env bash
# The dashboard's admin API over real HTTP on loopback, on SQLite and
# PostgreSQL, each role (administrator, officer and viewer of A, officer
# of B) seeing only its subtree:
#  - the coverage history: the server restarted with its recorder's clock
#    moved two days and one day back (RAQUET_SERVER_TEST_RECORD_SKEW, a
#    test hook) and then at today, with machines enrolled in between, so
#    three days accumulate; today's figures equal GET /api/v1/coverage's;
#  - samples: detections of the same file on several machines grouped by
#    SHA-256, filtered, sorted, paged; one file's spread per unit;
#  - signatures: the databases of a published mirror against what the
#    machines report in heartbeats, and the endpoint list's outdated and
#    outdated_db filters;
# and malformed parameters refused naming them, unknown files 404, no
# credentials 401.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
RQ=$(dirname "$SERVER")/raquet
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
source "$HERE/fleet_lib.sh"
mkdir -p "$WORK/run" && cd "$WORK/run"
export TZ=Asia/Ho_Chi_Minh RAQUET_SERVER_TEST_ROUTES=1

SHA_X=$(printf 'a%.0s' {1..64})
SHA_Y=$(printf 'b%.0s' {1..64})
SHA_NONE=$(printf 'c%.0s' {1..64})

# a mirror publishing main 7 and daily 21
mkdir keys sigs
"$RQ" db keygen --out keys/prov > /dev/null
printf '%s\n' 'b1946ac92492d2347c6235b4d2611184:6:Dash.Md5.Hello' > sigs/a.hdb
"$RQ" db build --name main --version 7 --key keys/prov.key -o main.rqdb sigs > /dev/null || fail "db build main"
"$RQ" db build --name daily --version 21 --key keys/prov.key -o daily.rqdb sigs > /dev/null || fail "db build daily"
"$RQ" mirror publish --dir "$WORK/mirror" --key keys/prov.key main.rqdb daily.rqdb > /dev/null || fail "mirror publish"

# heartbeat CRED DATABASES_JSON
heartbeat() {
	agent_post "$1" /heartbeat "{\"realtime\":{\"state\":\"on\"},\"databases\":$2}"
	expect_code 200 "heartbeat: "
}

# event CRED N PAYLOAD: one detection event
event() {
	agent_post "$1" /events "{\"events\":[{\"uuid\":\"00000000-0000-4000-8000-$(printf '%012d' "$2")\",\"kind\":\"detection\",\"time\":$(date +%s),\"payload\":$3}]}"
	expect_code 200 "event $2: "
}

# restart SKEW_DAYS: the server again, its recorder's clock that many days back
restart() {
	stop_server
	RAQUET_SERVER_TEST_RECORD_SKEW=$((-$1 * 86400)) start_server --mirror-dir "$WORK/mirror"
}

# endpoints_by_day AS QUERY: the endpoints of each day of the history, oldest first
endpoints_by_day() {
	api "$1" GET "/api/v1/coverage/history$2"
	expect_code 200 "$1 history$2: "
	python3 -c "import json; print(' '.join(str(d['figures']['endpoints']) for d in json.load(open('body'))['days']))"
}

# wait_days "E1 E2 ...": until the province's history says that (the
# recorder runs in the background)
wait_days() {
	for _ in $(seq 600); do # up to 30 s and more on a loaded machine
		[ "$(endpoints_by_day root "")" = "$1" ] && return 0
		sleep 0.05
	done
	fail "history: want endpoints $1: $(cat body)"
}

# expect_days AS QUERY "E1 E2 ..."
expect_days() {
	local got
	got=$(endpoints_by_day "$1" "$2")
	[ "$got" = "$3" ] || fail "$1 history$2: endpoints $got, want $3: $(cat body)"
}

scenario() {
	fleet_setup 3 2 3
	enroll "$TOK_A" alpha
	A_CRED=$EP_CRED
	heartbeat "$A_CRED" '{"main":{"version":7,"built":1764000000},"daily":{"version":20,"built":1764000000}}'

	# --- coverage history: three days (today's first snapshot was taken
	# when fleet_setup started the server, and is replaced at the end) ---
	restart 2
	wait_days "1 0"
	enroll "$TOK_B" bravo
	B_CRED=$EP_CRED
	heartbeat "$B_CRED" '{"main":{"version":6,"built":1763000000},"daily":{"version":21,"built":1764100000}}'
	restart 1
	wait_days "1 2 0"
	enroll "$TOK_A1" lab
	L_CRED=$EP_CRED
	restart 0
	wait_days "1 2 3"
	[ "$(json '["unit"]')" = None ] || fail "the province's history names no unit: $(cat body)"
	python3 - "$(date +%F)" "$(date -d '-1 day' +%F)" "$(date -d '-2 day' +%F)" <<'PY' || fail "history days: $(cat body)"
import json, sys
days = [d["day"] for d in json.load(open("body"))["days"]]
assert days == sorted(days) and len(set(days)) == 3, days
assert days[-1] == sys.argv[1] and days[0] in sys.argv[3:], (days, sys.argv)
PY
	expect_days off_a "" "1 1 2"
	[ "$(json '["unit"]["code"]')" = A ] || fail "officer's history names unit A: $(cat body)"
	expect_days view_a "" "1 1 2"
	expect_days off_b "" "0 1 1"
	expect_days root "?days=1" "3"
	expect_days root "?days=1095" "1 2 3"
	api off_b GET /api/v1/coverage/history
	UNIT_B=$(json '["unit"]["id"]')
	expect_days root "?unit=$UNIT_B" "0 1 1"
	# today's figures are those of the coverage summary
	for who in root off_a; do
		api "$who" GET /api/v1/coverage/history?days=1
		json '["days"][0]["figures"]' > hist.txt
		api "$who" GET /api/v1/coverage
		python3 - hist.txt <<'PY' || fail "$who: history and coverage differ: $(cat hist.txt) / $(cat body)"
import ast, json, sys
h = ast.literal_eval(open(sys.argv[1]).read())
c = json.load(open("body"))["figures"]
assert len(h) == 10 and all(h[k] == c[k] for k in h), (h, c)
PY
	done
	api off_a GET "/api/v1/coverage/history?unit=$UNIT_B"
	expect_code 403 "officer of A reading B's history: "
	expect_400 root "/api/v1/coverage/history?days=0" days
	expect_400 root "/api/v1/coverage/history?days=1096" days
	expect_400 root "/api/v1/coverage/history?days=x" days
	expect_400 root "/api/v1/coverage/history?unit=x" unit

	# --- samples ---
	event "$A_CRED" 1 "{\"path\":\"/home/u/x.exe\",\"sha256\":\"$SHA_X\",\"name\":\"Win.Trojan.Agent\",\"state\":\"active\"}"
	event "$A_CRED" 2 "{\"path\":\"/home/u/copy.exe\",\"sha256\":\"$SHA_X\",\"name\":\"Win.Trojan.Agent\",\"state\":\"active\"}"
	event "$B_CRED" 3 "{\"path\":\"/tmp/x.exe\",\"sha256\":\"$SHA_X\",\"name\":\"Win.Trojan.Agent\",\"state\":\"active\"}"
	event "$B_CRED" 4 "{\"path\":\"/srv/y\",\"sha256\":\"$SHA_Y\",\"name\":\"Unix.Worm.Y\",\"state\":\"quarantined\"}"
	event "$L_CRED" 5 "{\"path\":\"/x\",\"sha256\":\"$SHA_X\",\"name\":\"Win.Trojan.Agent\",\"state\":\"quarantined\"}"
	event "$L_CRED" 6 '{"path":"/nohash","name":"Heur.Q","state":"active"}'
	expect_total root /api/v1/detections/samples 2
	[ "$(json '["items"][0]["sha256"]') $(json '["items"][0]["endpoints"]') $(json '["items"][0]["units"]') $(json '["items"][0]["detections"]') $(json '["items"][0]["active"]')" = "$SHA_X 3 3 4 2" ] ||
		fail "sample X for root: $(cat body)"
	[ "$(json '["items"][0]["name"]') $(json '["items"][1]["sha256"]')" = "Win.Trojan.Agent $SHA_Y" ] || fail "samples: $(cat body)"
	python3 -c "import json; i = json.load(open('body'))['items'][0]; assert set(i) == {'sha256','name','type','endpoints','units','detections','active','first_seen','last_seen'} and i['first_seen'] <= i['last_seen'], i" ||
		fail "a sample's fields: $(cat body)"
	expect_total off_a /api/v1/detections/samples 1
	[ "$(json '["items"][0]["endpoints"]') $(json '["items"][0]["units"]') $(json '["items"][0]["active"]')" = "2 2 1" ] ||
		fail "sample X for the officer of A: $(cat body)"
	expect_total view_a /api/v1/detections/samples 1
	expect_total off_b /api/v1/detections/samples 2
	expect_total root "/api/v1/detections/samples?unit=$UNIT_B" 2
	expect_total root "/api/v1/detections/samples?state=quarantined" 2
	expect_total root "/api/v1/detections/samples?name=worm" 1
	expect_total root "/api/v1/detections/samples?since=$(($(date +%s) + 3600))" 0
	expect_total root "/api/v1/detections/samples?sort=name&order=asc" 2
	[ "$(json '["items"][0]["sha256"]')" = "$SHA_Y" ] || fail "sort=name asc: $(cat body)"
	expect_total root "/api/v1/detections/samples?sort=endpoints&order=asc&limit=1&offset=1" 2
	[ "$(json '["items"].__len__()') $(json '["items"][0]["sha256"]')" = "1 $SHA_X" ] || fail "paging: $(cat body)"
	for s in units detections last_seen; do expect_total root "/api/v1/detections/samples?sort=$s" 2; done
	api off_a GET "/api/v1/detections/samples?unit=$UNIT_B"
	expect_code 403 "officer of A listing B's samples: "
	expect_400 root "/api/v1/detections/samples?sort=size" sort
	expect_400 root "/api/v1/detections/samples?order=up" order
	expect_400 root "/api/v1/detections/samples?state=gone" state
	expect_400 root "/api/v1/detections/samples?limit=0" limit
	expect_400 root "/api/v1/detections/samples?since=yesterday" since
	expect_400 root "/api/v1/detections/samples?since=20&until=10" until

	api root GET "/api/v1/detections/samples/$SHA_X"
	expect_code 200 "sample X: "
	[ "$(json '["endpoints"]') $(json '["by_unit"].__len__()')" = "3 3" ] || fail "sample X detail: $(cat body)"
	python3 -c "import json; b = json.load(open('body'))['by_unit']; assert all(set(u) == {'unit','endpoints','active'} and set(u['unit']) == {'id','name','code'} for u in b), b" ||
		fail "by_unit's shape: $(cat body)"
	api off_a GET "/api/v1/detections/samples/${SHA_X^^}"
	expect_code 200 "sample X for A, upper case: "
	[ "$(json '["endpoints"]') $(json '["by_unit"].__len__()') $(json '["sha256"]')" = "2 2 $SHA_X" ] || fail "sample X detail for A: $(cat body)"
	api off_a GET "/api/v1/detections/samples/$SHA_Y"
	expect_code 404 "officer of A reading B's sample: "
	api root GET "/api/v1/detections/samples/$SHA_NONE"
	expect_code 404 "an unknown file: "
	api root GET "/api/v1/detections/samples/1234"
	expect_code 400 "a malformed sha256: "
	api root GET "/api/v1/detections/samples/$(printf 'g%.0s' {1..64})"
	expect_code 400 "a sha256 that is not hex: "

	# --- signatures ---
	api root GET /api/v1/signatures
	expect_code 200 "signatures: "
	[ "$(python3 -c "import json; b = json.load(open('body')); print(b['endpoints'], ' '.join('%s:%d:%d/%d/%d' % (d['name'], d['version'], d['current'], d['behind'], d['unknown']) for d in b['databases']))")" = \
		"3 daily:21:1/1/1 main:7:1/1/1" ] || fail "signatures for root: $(cat body)"
	python3 -c "import json; d = json.load(open('body'))['databases'][0]; assert set(d) == {'name','version','built','current','behind','unknown'} and d['built'] > 0, d" ||
		fail "a database's fields: $(cat body)"
	api off_a GET /api/v1/signatures
	[ "$(python3 -c "import json; b = json.load(open('body')); print(b['endpoints'], ' '.join('%s:%d/%d/%d' % (d['name'], d['current'], d['behind'], d['unknown']) for d in b['databases']))")" = \
		"2 daily:0/1/1 main:1/0/1" ] || fail "signatures for the officer of A: $(cat body)"
	api root GET "/api/v1/signatures?unit=$UNIT_B"
	[ "$(python3 -c "import json; b = json.load(open('body')); print(b['endpoints'], ' '.join('%s:%d/%d/%d' % (d['name'], d['current'], d['behind'], d['unknown']) for d in b['databases']))")" = \
		"1 daily:1/0/0 main:0/1/0" ] || fail "signatures of B: $(cat body)"
	api off_a GET "/api/v1/signatures?unit=$UNIT_B"
	expect_code 403 "officer of A reading B's signatures: "
	expect_400 root "/api/v1/signatures?unit=x" unit
	# a newer heartbeat moves alpha to current
	expect_total root "/api/v1/endpoints?outdated=true" 2
	expect_total off_a "/api/v1/endpoints?outdated=true" 1
	expect_total root "/api/v1/endpoints?outdated=false" 1
	expect_total root "/api/v1/endpoints?outdated_db=main" 1
	[ "$(json '["items"][0]["hostname"]')" = bravo ] || fail "behind on main: $(cat body)"
	expect_total root "/api/v1/endpoints?outdated=true&outdated_db=daily" 1
	expect_400 root "/api/v1/endpoints?outdated=maybe" outdated
	expect_400 root "/api/v1/endpoints?outdated_db=bytecode" outdated_db
	heartbeat "$A_CRED" '{"main":{"version":7,"built":1764000000},"daily":{"version":22,"built":1764200000}}'
	expect_total root "/api/v1/endpoints?outdated=true" 1
	api root GET /api/v1/signatures
	[ "$(json '["databases"][0]["current"]')" = 2 ] || fail "daily after alpha's update: $(cat body)"

	# --- no credentials ---
	for path in /api/v1/coverage/history /api/v1/detections/samples "/api/v1/detections/samples/$SHA_X" /api/v1/signatures; do
		api - GET "$path"
		expect_code 401 "$path without credentials: "
	done
}

for_each_store scenario
finish
