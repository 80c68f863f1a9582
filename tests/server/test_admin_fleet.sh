#!/usr/bin/env bash
# The admin API's fleet read side over real HTTP on loopback, on SQLite and
# PostgreSQL: units and enrollment tokens made by the operator commands,
# four machines enrolled and reporting through the real agent API
# (heartbeats, detections, scans, connections), then each role: the
# administrator sees everything, a unit officer or viewer only its subtree
# (another unit's endpoint or detection is 403, lists are filtered);
# endpoint and detection filters, sorting and paging checked against
# totals and order; bad query parameters refused naming the parameter;
# the detail of a machine; the free disk of a machine's quarantine vault
# (stored from a heartbeat or an enrollment, shown in the list and the
# detail, kept by a heartbeat without it, wrong values refused naming the
# field); retiring one (credential dead, audited); the coverage summary
# with by=children.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
source "$HERE/fleet_lib.sh"
# api() copies its answer to ./code and ./body: work one folder down
mkdir -p "$WORK/run" && cd "$WORK/run"

SHA_X=$(printf 'a%.0s' {1..64})
SHA_Y=$(printf 'b%.0s' {1..64})

# heartbeat CRED REALTIME BUILT_AGO_DAYS ("" for no databases)
heartbeat() {
	local dbs=""
	[ -n "$3" ] && dbs=",\"databases\":{\"main\":{\"version\":7,\"built\":$(($(date +%s) - $3 * 86400))}}"
	agent_post "$1" /heartbeat "{\"os\":{\"name\":\"Debian GNU/Linux\",\"version\":\"12\"},\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:0$4\",\"addresses\":[\"10.9.0.$4\"]}],\"realtime\":{\"state\":\"$2\"},\"firewall\":{\"state\":\"on\"}$dbs}"
	expect_code 200 "heartbeat: "
}

# event UUID_SUFFIX KIND PAYLOAD -> one event of the machine $CRED
event() {
	local now
	now=$(date +%s)
	agent_post "$CRED" /events "{\"events\":[{\"uuid\":\"00000000-0000-4000-8000-$(printf '%012d' "$1")\",\"kind\":\"$2\",\"time\":$now,\"payload\":$3}]}"
	expect_code 200 "event $1: "
}

scenario() {
	fleet_setup 2 2 3

	# --- the fleet, through the agent API ---
	enroll "$TOK_A" alpha server
	A1_ID=$EP_ID A1_CRED=$EP_CRED
	enroll "$TOK_A1" "lab_50%" workstation
	A2_ID=$EP_ID A2_CRED=$EP_CRED
	enroll "$TOK_B" bravo workstation
	B1_ID=$EP_ID B1_CRED=$EP_CRED
	enroll "$TOK_B" "charlie'; --" other
	B2_ID=$EP_ID B2_CRED=$EP_CRED
	heartbeat "$A1_CRED" on 0 1
	heartbeat "$A2_CRED" off "" 2
	heartbeat "$B1_CRED" on 2 3
	heartbeat "$B2_CRED" off 10 4
	CRED=$A1_CRED
	event 1 detection "{\"path\":\"/home/u/x.exe\",\"sha256\":\"$SHA_X\",\"name\":\"Win.Trojan.Agent\",\"state\":\"active\"}"
	event 2 scan '{"scan_kind":"full","started":1764000000,"finished":1764000100,"files":1200,"infected":1}'
	CRED=$B1_CRED
	event 3 detection "{\"path\":\"/tmp/x.exe\",\"sha256\":\"$SHA_X\",\"name\":\"Win.Trojan.Agent\",\"state\":\"active\"}"
	event 4 connection '{"remote":"203.0.113.9","remote_port":443,"exe":"/usr/bin/curl","indicator":"203.0.113.9"}'
	CRED=$B2_CRED
	event 5 detection "{\"path\":\"/srv/y\",\"sha256\":\"$SHA_Y\",\"name\":\"Unix.Worm.Y\",\"state\":\"quarantined\"}"

	# --- endpoints: who sees what ---
	expect_total root /api/v1/endpoints 4
	expect_total off_a /api/v1/endpoints 2
	expect_total view_a /api/v1/endpoints 2
	expect_total off_b /api/v1/endpoints 2
	[ "$(json '["items"][0]["unit"]["code"]')" = B ] || fail "unit of an item: $(cat body)"
	expect_total root "/api/v1/endpoints?unit=$(json '["items"][0]["unit"]["id"]')" 2
	UNIT_B=$(json '["items"][0]["unit"]["id"]')
	api off_a GET "/api/v1/endpoints?unit=$UNIT_B"
	expect_code 403 "officer of A listing B: "
	api view_a GET "/api/v1/endpoints/$B1_ID"
	expect_code 403 "viewer of A reading B's endpoint: "
	api off_a GET "/api/v1/endpoints/$A2_ID"
	expect_code 200 "officer of A reading A1's endpoint: "
	api - GET /api/v1/endpoints
	expect_code 401 "nobody: "

	# --- filters ---
	expect_total root "/api/v1/endpoints?kind=server" 1
	expect_total root "/api/v1/endpoints?kind=other" 1
	expect_total root "/api/v1/endpoints?realtime=on" 2
	expect_total root "/api/v1/endpoints?realtime=off" 2
	expect_total root "/api/v1/endpoints?infected=true" 2
	expect_total root "/api/v1/endpoints?infected=false" 2
	expect_total off_a "/api/v1/endpoints?infected=true" 1
	expect_total root "/api/v1/endpoints?stale_days=1" 0
	expect_total root "/api/v1/endpoints?sig_older_days=3" 2   # lab (none), charlie (10 days)
	expect_total root "/api/v1/endpoints?sig_older_days=11" 1  # lab (none)
	expect_total root "/api/v1/endpoints?q=ALPHA" 1
	expect_total root "/api/v1/endpoints?q=10.9.0." 4
	expect_total root "/api/v1/endpoints?q=10.9.0.3" 1
	expect_total root "/api/v1/endpoints?q=%25" 1      # a literal %
	expect_total root "/api/v1/endpoints?q=_" 1        # a literal _
	expect_total root "/api/v1/endpoints?q=a_p" 0
	expect_total root "/api/v1/endpoints?q=%27%3B%20--" 1  # "'; --"
	expect_total root "/api/v1/endpoints?q=%27%20OR%20%271%27%3D%271" 0
	expect_total root "/api/v1/endpoints?kind=workstation&realtime=off&infected=false" 1

	# --- sorting and paging ---
	api root GET "/api/v1/endpoints?sort=hostname"
	[ "$(json '["items"][0]["hostname"]')" = alpha ] || fail "hostname order: $(cat body)"
	api root GET "/api/v1/endpoints?sort=hostname&order=desc"
	[ "$(json '["items"][0]["hostname"]')" = "lab_50%" ] || fail "hostname desc: $(cat body)"
	api root GET "/api/v1/endpoints?sort=hostname&limit=2&offset=1"
	[ "$(json '["total"]') $(json '["limit"]') $(json '["offset"]')" = "4 2 1" ] || fail "paging: $(cat body)"
	[ "$(json '["items"][0]["hostname"]')" = bravo ] || fail "page 2 starts with bravo: $(cat body)"
	[ "$(json '["items"].__len__()')" = 2 ] || fail "page of 2: $(cat body)"
	api root GET "/api/v1/endpoints?offset=10"
	[ "$(json '["items"]')" = "[]" ] || fail "past the end: $(cat body)"
	api root GET "/api/v1/endpoints?sort=unit"  # Agency A, Borough B, Borough B, Sub A1
	[ "$(json '["items"][0]["hostname"]') $(json '["items"][3]["hostname"]')" = "alpha lab_50%" ] ||
		fail "unit order: $(cat body)"
	api root GET "/api/v1/endpoints?sort=db_newest_build"  # none first, then oldest
	[ "$(json '["items"][0]["hostname"]') $(json '["items"][1]["hostname"]')" = "lab_50% charlie'; --" ] ||
		fail "db_newest_build order: $(cat body)"
	api root GET "/api/v1/endpoints?sort=active_detections&order=desc"
	[ "$(json '["items"][0]["active_detections"]')" = 1 ] || fail "active_detections order: $(cat body)"
	for s in last_seen os; do
		api root GET "/api/v1/endpoints?sort=$s&order=asc"
		expect_code 200 "sort=$s: "
	done

	# --- bad parameters name themselves ---
	expect_400 root "/api/v1/endpoints?sort=password" sort
	expect_400 root "/api/v1/endpoints?order=up" order
	expect_400 root "/api/v1/endpoints?kind=toaster" kind
	expect_400 root "/api/v1/endpoints?infected=maybe" infected
	expect_400 root "/api/v1/endpoints?realtime=1" realtime
	expect_400 root "/api/v1/endpoints?stale_days=-1" stale_days
	expect_400 root "/api/v1/endpoints?sig_older_days=1%3B" sig_older_days
	expect_400 root "/api/v1/endpoints?limit=0" limit
	expect_400 root "/api/v1/endpoints?offset=x" offset
	expect_400 root "/api/v1/endpoints?q=$(printf 'x%.0s' {1..300})" 'parameter q'
	expect_400 root "/api/v1/endpoints?q=a%0Ab" 'parameter q'
	expect_400 root "/api/v1/endpoints?unit=x" unit

	# --- the vault's free disk ---
	api root GET "/api/v1/endpoints/$B1_ID"
	[ "$(json '["vault_free_bytes"]') $(json '["vault_total_bytes"]')" = "None None" ] ||
		fail "vault before any report: $(cat body)"
	TB5=$((5 << 40))  # beyond 32 bits
	agent_post "$B1_CRED" /heartbeat "{\"vault\":{\"free_bytes\":0,\"total_bytes\":$TB5}}"
	expect_code 200 "heartbeat with a full vault disk: "
	api root GET "/api/v1/endpoints/$B1_ID"
	[ "$(json '["vault_free_bytes"]') $(json '["vault_total_bytes"]')" = "0 $TB5" ] || fail "vault detail: $(cat body)"
	heartbeat "$B1_CRED" on 2 3  # without a vault: the stored one stays
	# VAULT NAMED: a heartbeat with that vault is refused, the reason naming NAMED
	while read -r vault named; do
		agent_post "$B1_CRED" /heartbeat "{\"vault\":$vault}"
		expect_code 400 "vault $vault: "
		grep -q "$named" body || fail "vault $vault: the reason does not name $named: $(cat body)"
	done <<-'EOF'
	{"free_bytes":"x","total_bytes":9} vault\.free_bytes
	{"free_bytes":-1,"total_bytes":9} vault\.free_bytes
	{"free_bytes":1.5,"total_bytes":9} vault\.free_bytes
	{"free_bytes":null,"total_bytes":9} vault\.free_bytes
	{"free_bytes":{},"total_bytes":9} vault\.free_bytes
	{"free_bytes":1,"total_bytes":-9} vault\.total_bytes
	{"free_bytes":1} vault\.total_bytes
	{"free_bytes":3,"total_bytes":2} vault\.free_bytes
	{"free_bytes":1,"total_bytes":2,"used":1} vault\.used
	"full" vault
	EOF
	api root GET "/api/v1/endpoints?q=bravo"
	[ "$(json '["items"][0]["vault_free_bytes"]') $(json '["items"][0]["vault_total_bytes"]')" = "0 $TB5" ] ||
		fail "vault kept by a heartbeat without it and by refused ones, in the list: $(cat body)"
	api root GET "/api/v1/endpoints?q=alpha"
	[ "$(json '["items"][0]["vault_free_bytes"]')" = None ] || fail "an unreported vault in the list: $(cat body)"

	# --- one machine ---
	api off_a GET "/api/v1/endpoints/$A1_ID"
	expect_code 200 "detail: "
	[ "$(json '["hostname"]')" = alpha ] || fail "detail hostname: $(cat body)"
	[ "$(json '["unit"]["code"]')" = A ] || fail "detail unit: $(cat body)"
	[ "$(json '["ips"]')" = "['10.9.0.1']" ] || fail "detail ips: $(cat body)"
	[ "$(json '["macs"]')" = "['02:00:00:00:00:01']" ] || fail "detail macs: $(cat body)"
	[ "$(json '["databases"]["main"]["version"]')" = 7 ] || fail "detail databases: $(cat body)"
	[ "$(json '["detections"]["total"]') $(json '["detections"]["items"][0]["sha256"]')" = "1 $SHA_X" ] ||
		fail "detail detections: $(cat body)"
	[ "$(json '["scans"][0]["files_scanned"]')" = 1200 ] || fail "detail scans: $(cat body)"
	[ "$(json '["realtime"]') $(json '["firewall"]')" = "True True" ] || fail "detail switches: $(cat body)"
	api root GET "/api/v1/endpoints/$B1_ID"
	[ "$(json '["connections"]["items"][0]["remote_addr"]')" = 203.0.113.9 ] || fail "detail connections: $(cat body)"
	api root GET /api/v1/endpoints/999999
	expect_code 404 "no such endpoint: "
	api root GET /api/v1/endpoints/abc
	expect_code 404 "a malformed id: "

	# --- detections ---
	expect_total root /api/v1/detections 3
	expect_total off_a /api/v1/detections 1
	expect_total off_b /api/v1/detections 2
	expect_total root "/api/v1/detections?sha256=$SHA_X" 2
	expect_total root "/api/v1/detections?sha256=${SHA_X^^}" 2
	expect_total root "/api/v1/detections?state=quarantined" 1
	expect_total root "/api/v1/detections?name=TROJAN" 2
	expect_total root "/api/v1/detections?name=%25" 0
	expect_total root "/api/v1/detections?endpoint=$B2_ID" 1
	expect_total off_a "/api/v1/detections?endpoint=$B2_ID" 0   # another unit's: filtered out
	expect_total root "/api/v1/detections?since=$(($(date +%s) - 3600))" 3
	expect_total root "/api/v1/detections?until=1000" 0
	expect_total root "/api/v1/detections?unit=$UNIT_B&state=active" 1
	api root GET "/api/v1/detections?sort=hostname&order=asc"
	[ "$(json '["items"][0]["endpoint"]["hostname"]')" = alpha ] || fail "detections by hostname: $(cat body)"
	api root GET "/api/v1/detections?sort=name&order=desc&limit=1"
	[ "$(json '["items"][0]["name"]') $(json '["total"]')" = "Win.Trojan.Agent 3" ] || fail "by name: $(cat body)"
	expect_400 root "/api/v1/detections?sha256=xyz" sha256
	expect_400 root "/api/v1/detections?state=gone" state
	expect_400 root "/api/v1/detections?since=yesterday" since
	expect_400 root "/api/v1/detections?since=100&until=50" until
	expect_400 root "/api/v1/detections?endpoint=0" endpoint
	expect_400 root "/api/v1/detections?sort=path" sort

	api off_a GET "/api/v1/detections?sha256=$SHA_X"
	DET_A=$(json '["items"][0]["id"]')
	api root GET "/api/v1/detections?sha256=$SHA_X&endpoint=$B1_ID"
	DET_B=$(json '["items"][0]["id"]')
	api root GET "/api/v1/detections/$DET_A"
	expect_code 200 "detection detail: "
	[ "$(json '["shared"]["endpoints"]') $(json '["shared"]["units"]')" = "2 2" ] || fail "shared (admin): $(cat body)"
	[ "$(json '["path"]') $(json '["endpoint"]["id"]')" = "/home/u/x.exe $A1_ID" ] || fail "detection: $(cat body)"
	api off_a GET "/api/v1/detections/$DET_A"
	[ "$(json '["shared"]["endpoints"]') $(json '["shared"]["units"]')" = "1 1" ] ||
		fail "shared counts only the caller's scope: $(cat body)"
	api off_a GET "/api/v1/detections/$DET_B"
	expect_code 403 "another unit's detection: "
	api root GET /api/v1/detections/999999
	expect_code 404 "no such detection: "

	# --- connections ---
	expect_total root /api/v1/connections 1
	expect_total off_a /api/v1/connections 0
	expect_total off_b /api/v1/connections 1
	[ "$(json '["items"][0]["remote_port"]') $(json '["items"][0]["endpoint"]["hostname"]')" = "443 bravo" ] ||
		fail "connection item: $(cat body)"
	expect_total root "/api/v1/connections?endpoint=$A1_ID" 0
	expect_total root "/api/v1/connections?since=$(($(date +%s) + 3600))" 0
	expect_400 root "/api/v1/connections?since=-5" since

	# --- coverage ---
	api root GET /api/v1/coverage
	expect_code 200 "coverage: "
	[ "$(json '["figures"]["endpoints"]') $(json '["figures"]["reporting"]') $(json '["figures"]["realtime_on"]')" = "4 4 2" ] ||
		fail "province coverage: $(cat body)"
	[ "$(json '["figures"]["infected"]') $(json '["figures"]["sig_unknown"]') $(json '["figures"]["fresh_3d"]')" = "2 1 2" ] ||
		fail "province coverage (signatures, infected): $(cat body)"
	api root GET "/api/v1/coverage?by=children"
	[ "$(json '["children"][0]["unit"]["code"]') $(json '["children"].__len__()')" = "P 1" ] ||
		fail "top-level children: $(cat body)"
	api off_a GET "/api/v1/coverage?by=children"
	[ "$(json '["unit"]["code"]') $(json '["figures"]["endpoints"]')" = "A 2" ] || fail "officer's coverage: $(cat body)"
	[ "$(json '["children"][0]["unit"]["code"]') $(json '["children"][0]["figures"]["endpoints"]')" = "A1 1" ] ||
		fail "officer's children: $(cat body)"
	api view_a GET "/api/v1/coverage?unit=$UNIT_B"
	expect_code 403 "viewer of A, coverage of B: "
	api root GET "/api/v1/coverage?unit=$UNIT_B&by=children&from=0&to=$(($(date +%s) + 60))&window_days=1"
	[ "$(json '["figures"]["endpoints"]') $(json '["children"]') $(json '["figures"]["files_found"]')" = "2 [] 2" ] ||
		fail "coverage of B: $(cat body)"
	expect_400 root "/api/v1/coverage?from=10&to=5" from
	expect_400 root "/api/v1/coverage?window_days=0" window_days
	expect_400 root "/api/v1/coverage?by=parent" by
	expect_400 root "/api/v1/coverage?to=soon" to

	# --- retiring a machine ---
	api view_a DELETE "/api/v1/endpoints/$A2_ID"
	expect_code 403 "a viewer retiring: "
	api off_b DELETE "/api/v1/endpoints/$A2_ID"
	expect_code 403 "another unit's officer retiring: "
	api off_a DELETE "/api/v1/endpoints/$A2_ID"
	expect_code 200 "retire: "
	[ "$(json '["hostname"]')" = "lab_50%" ] || fail "retired: $(cat body)"
	agent_post "$A2_CRED" /heartbeat '{}'
	expect_code 401 "a retired machine's heartbeat: "
	api off_a GET "/api/v1/endpoints/$A2_ID"
	expect_code 404 "a retired machine: "
	api off_a DELETE "/api/v1/endpoints/$A2_ID"
	expect_code 404 "retired twice: "
	expect_total root /api/v1/endpoints 3
	[ "$(audit_count endpoint.retire)" = 1 ] || fail "endpoint.retire audited once: $(audit_count endpoint.retire)"

	# --- an enrollment carries the vault too (the machine facts are shared) ---
	curl -sS -o body -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data-binary "{\"token\":\"$TOK_B\",\"hostname\":\"delta\",\"vault\":{\"free_bytes\":1000,\"total_bytes\":4000}}" \
		"$BASE/api/v1/agent/enroll" > code 2> curl.err
	expect_code 201 "enroll with a vault: "
	api root GET "/api/v1/endpoints/$(json '["endpoint_id"]')"
	[ "$(json '["vault_free_bytes"]') $(json '["vault_total_bytes"]')" = "1000 4000" ] ||
		fail "vault stored at enrollment: $(cat body)"
}

for_each_store scenario
finish
