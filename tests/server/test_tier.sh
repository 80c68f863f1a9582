#!/usr/bin/env bash
# The national tier (docs/tier.md) with two real raquet-server processes on
# loopback, on SQLite and on PostgreSQL: a national server (HTTPS, its own
# CA) issues a credential bound to the unit of a province; the province's
# server, with machines reporting through the real agent API, sends its
# unit tree, figures and sightings on its schedule. Checked: the national
# coverage, units and samples views show the province's tree with the
# same figures as the province's own coverage and samples, marked as
# reported by a downstream; the mirrored units are read-only; a credential
# reports only for its own unit (another province's is 403, a wrong one
# 401); the national server stopped while the province changes and the
# province killed -9 with its report queued: after both restart, the
# report arrives once (nothing lost, nothing counted twice, a resent batch
# is a no-op); a malformed report is refused whole with its reason; a
# revoked credential is refused and the province's queue says so.
# Downward: the national databases reach an agent through the province's
# mirror, the province's own daily beside them; a tampered national file is
# refused and never published, and the next good version goes through.
# Chained (SQLite): province -> region -> nation, the nation sees the
# province's machine in the region's figures and its units under the region.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
source "$HERE/fleet_lib.sh"
mkdir -p "$WORK/run" && cd "$WORK/run"
UP_PID=
DOWN_PID=
STARTS=0
trap '[ -n "$UP_PID" ] && kill "$UP_PID" 2>/dev/null; [ -n "$DOWN_PID" ] && kill "$DOWN_PID" 2>/dev/null; [ -n "${RQ_TEST_KEEP:-}" ] || rm -rf "$WORK"' EXIT

"$SERVER" tls-init --dir "$WORK/tls" --host 127.0.0.1 > /dev/null 2>&1 || fail "tls-init"

# signature databases: the national centre's key signs its databases and
# mirror, the province's key signs the province's mirror
RQ=$(dirname "$SERVER")/raquet
mkdir -p "$WORK/keys/national" "$WORK/keys/agent" "$WORK/sigs"
"$RQ" db keygen --out "$WORK/keys/nat" > /dev/null && "$RQ" db keygen --out "$WORK/keys/prov" > /dev/null || fail "keygen"
cp "$WORK/keys/nat.pub" "$WORK/keys/national/"
cp "$WORK/keys/nat.pub" "$WORK/keys/prov.pub" "$WORK/keys/agent/"
national_db() { # NAME VERSION [DIR]: built, signed and published on the national mirror (or DIR)
	printf '%032x:%d:National.Md5.%s%d\n' "$2" "$2" "$1" "$2" > "$WORK/sigs/a.hdb"
	"$RQ" db build --name "$1" --version "$2" --key "$WORK/keys/nat.key" -o "$WORK/$1-$2.rqdb" "$WORK/sigs" > /dev/null &&
		"$RQ" mirror publish --dir "${3:-$WORK/up-mirror}" --key "$WORK/keys/nat.key" "$WORK/$1-$2.rqdb" > /dev/null ||
		fail "national database $1 $2"
}
# listed NAME: the version the province's mirror lists (0: none)
listed() { python3 -c "import json,sys; d=[x['version'] for x in json.load(open(sys.argv[1]))['databases'] if x['name']==sys.argv[2]]; print(d[0] if d else 0)" "$WORK/down-mirror/index.json" "$1" 2>/dev/null || echo 0; }
wait_listed() { # NAME VERSION
	for _ in $(seq 200); do [ "$(listed "$1")" = "$2" ] && return 0; sleep 0.1; done
	fail "the province's mirror lists $1 $(listed "$1"), want $2: $(grep upstream "$DOWN_LOG" | tail -3)"
}

# wait_port LOG SCHEME: the port a server logged it listens on
wait_port() {
	local port=
	for _ in $(seq 600); do
		port=$(sed -n "s/.*listening on $2:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p" "$1" 2>/dev/null | tail -1)
		[ -n "$port" ] && break
		sleep 0.05
	done
	echo "$port"
}

# the national server, over HTTPS, on $UP_STORE; the same port again after a restart
start_up() {
	STARTS=$((STARTS + 1))
	UP_LOG=$WORK/up-$STARTS.log
	"$SERVER" --foreground --listen "127.0.0.1:${UP_PORT:-0}" --tls-cert "$WORK/tls/server.crt" \
		--tls-key "$WORK/tls/server.key" --store "$UP_STORE" --mirror-dir "$WORK/up-mirror" 2> "$UP_LOG" &
	UP_PID=$!
	UP_PORT=$(wait_port "$UP_LOG" https)
	[ -n "$UP_PORT" ] || { fail "the national server did not start: $(tail -5 "$UP_LOG")"; finish; }
}
stop_up() { [ -n "$UP_PID" ] && kill -TERM "$UP_PID" && wait "$UP_PID" 2>/dev/null; UP_PID=; }

start_down() {
	STARTS=$((STARTS + 1))
	DOWN_LOG=$WORK/down-$STARTS.log
	"$SERVER" --foreground --plain-http --listen 127.0.0.1:0 --store "$DOWN_STORE" --config "$WORK/down.conf" \
		2> "$DOWN_LOG" &
	DOWN_PID=$!
	DOWN_PORT=$(wait_port "$DOWN_LOG" http)
	[ -n "$DOWN_PORT" ] || { fail "the province's server did not start: $(tail -5 "$DOWN_LOG")"; finish; }
}

# as_up / as_down: the helpers of admin_lib.sh and fleet_lib.sh talk to that server
as_up() { BASE=https://127.0.0.1:$UP_PORT; STORE=$UP_STORE; export CURL_CA_BUNDLE=$WORK/tls/ca.crt; }
as_down() { BASE=http://127.0.0.1:$DOWN_PORT; STORE=$DOWN_STORE; }

# tier CRED METHOD PATH [BODY]: the national API as a downstream server
tier() {
	local args=(-sS --cacert "$WORK/tls/ca.crt" -o body -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1")
	[ -n "${4:-}" ] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
	curl "${args[@]}" "https://127.0.0.1:$UP_PORT$3" > code 2> curl.err
}

# the snapshot figures of a coverage answer, one line
figures() { python3 -c "import json; f=json.load(open('body'))['figures']; print(' '.join(str(f[k]) for k in ('endpoints','reporting','realtime_on','fresh_1d','fresh_3d','fresh_7d','fresh_15d','older_15d','sig_unknown','infected')))"; }
# the samples of a list answer: "sha endpoints units" lines, sorted
samples() { python3 -c "import json; print('\n'.join(sorted('%s %s %s' % (i['sha256'], i['endpoints'], i['units']) for i in json.load(open('body'))['items'])))"; }

# wait_reported SNAPSHOT_AFTER: until the national server has a report of CB made after that time
wait_reported() {
	as_up
	for _ in $(seq 200); do
		api root GET /api/v1/downstreams
		if [ "$(cat code)" = 200 ] && python3 -c "import json,sys; d=[i for i in json.load(open('body'))['items'] if i['unit']['code']=='CB']; sys.exit(0 if d and d[0]['snapshot_at'] > $1 else 1)"; then
			return 0
		fi
		sleep 0.1
	done
	fail "no report of CB after $1 reached the national server: $(tail -5 "$DOWN_LOG")"
}

SHA_X=$(printf 'x%.0s' {1..64} | sha256sum | cut -d' ' -f1)
SHA_Y=$(printf 'y%.0s' {1..64} | sha256sum | cut -d' ' -f1)
SHA_Z=$(printf 'z%.0s' {1..64} | sha256sum | cut -d' ' -f1)
EV=0
detect() { # CRED SHA NAME
	EV=$((EV + 1))
	agent_post "$1" /events "{\"events\":[{\"uuid\":\"00000000-0000-4000-8000-$(printf '%012d' "$EV")\",\"kind\":\"detection\",\"time\":$(date +%s),\"payload\":{\"path\":\"/home/u/f$EV.exe\",\"sha256\":\"$2\",\"name\":\"$3\",\"state\":\"active\"}}]}"
	expect_code 200 "detection $EV: "
}
beat() { # CRED
	agent_post "$1" /heartbeat "{\"os\":{\"name\":\"Debian GNU/Linux\",\"version\":\"12\"},\"realtime\":{\"state\":\"on\"},\"firewall\":{\"state\":\"on\"},\"databases\":{\"daily\":{\"version\":7,\"built\":$(($(date +%s) - 3600))}}}"
	expect_code 200 "heartbeat: "
}

compare_views() { # what the national server shows of CB equals what the province shows of itself
	as_down
	api prov GET /api/v1/coverage
	expect_code 200 "province coverage: "
	local want
	want=$(figures)
	api prov GET /api/v1/detections/samples
	expect_code 200 "province samples: "
	samples > "$WORK/down.samples"
	as_up
	api root GET "/api/v1/coverage?unit=$CB"
	expect_code 200 "national coverage of CB: "
	[ "$(figures)" = "$want" ] || fail "$STORE_KIND: national figures of CB '$(figures)', the province's '$want'"
	[ "$(json '["reported_by"][0]["unit"]["code"]')" = CB ] || fail "coverage of CB is not marked as reported: $(head -c 300 body)"
	api root GET "/api/v1/downstreams/samples?unit=$CB"
	expect_code 200 "national samples: "
	samples > "$WORK/up.samples"
	diff "$WORK/down.samples" "$WORK/up.samples" > /dev/null ||
		fail "$STORE_KIND: national sightings differ from the province's: $(diff "$WORK/down.samples" "$WORK/up.samples")"
	[ -s "$WORK/up.samples" ] || fail "no sightings at all"
}

run() {
	UP_STORE=$STORE
	if [ "$STORE_KIND" = sqlite ]; then
		DOWN_STORE=sqlite:$WORK/down-$$.sqlite
		rm -f "$WORK"/down-$$.sqlite*
	else
		DOWN_DB="rqt_tier_down_$$"
		psql -q "$RQ_TEST_PG_URL" -c "CREATE DATABASE $DOWN_DB" > /dev/null || { fail "cannot create $DOWN_DB"; return; }
		DOWN_STORE="${RQ_TEST_PG_URL%/*}/$DOWN_DB"
	fi
	rm -f "$WORK"/*.jar "$WORK"/*.csrf
	rm -rf "$WORK/up-mirror" "$WORK/down-mirror" "$WORK/down-dbs" "$WORK/agent-db"
	national_db main 1
	national_db daily 1
	UP_PORT=

	# --- the national server: its tree, an administrator, an officer of CB ---
	STORE=$UP_STORE
	NAT=$(unit_add "Trung tâm quốc gia" NAT)
	CB=$(unit_add "Tỉnh Cao Bằng" CB NAT)
	HG=$(unit_add "Tỉnh Hà Giang" HG NAT)
	make_user root admin
	make_user off_cb officer CB
	start_up
	as_up
	login_as root
	login_as off_cb

	# credentials: administrators only, bound to one unit, shown once
	api off_cb POST "/api/v1/units/$CB/downstream-credentials" '{"label":"Cao Bằng"}'
	expect_code 403 "an officer issuing a credential: "
	api root POST "/api/v1/units/$CB/downstream-credentials" '{"label":"Sở TT&TT Cao Bằng","expires_in_days":30}'
	expect_code 201 "credential for CB: "
	CRED_CB=$(json '["credential"]')
	CRED_CB_ID=$(json '["id"]')
	# the operator command issues one too (printed once, audited)
	CRED_HG=$("$SERVER" downstream create --store "$UP_STORE" --unit HG --days 30 --label "Hà Giang" 2> "$WORK/cli.err") ||
		fail "downstream create: $(cat "$WORK/cli.err")"
	[[ $CRED_HG == rqd_* ]] || fail "downstream create printed '$CRED_HG'"
	grep -q 'downstream credential [0-9]* for unit HG, valid until' "$WORK/cli.err" || fail "downstream create: $(cat "$WORK/cli.err")"
	api root GET "/api/v1/units/$CB/downstream-credentials"
	expect_code 200
	grep -q "$CRED_CB" body && fail "a listing shows the credential"
	[ "$(json '["items"][0]["state"]')" = active ] || fail "credential state: $(cat body)"
	if [ "$STORE_KIND" = sqlite ]; then
		python3 -c "import sqlite3,sys; sys.exit(1 if sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM tier_credentials WHERE token_hash = ?', (sys.argv[2],)).fetchone()[0] else 0)" \
			"${UP_STORE#sqlite:}" "$CRED_CB" || fail "the credential is stored as itself, not hashed"
	fi

	tier "$CRED_CB" GET /api/v1/tier/self
	expect_code 200 "tier/self: "
	[ "$(json '["unit"]["id"]')" = "$CB" ] || fail "tier/self: $(cat body)"
	tier rqd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA GET /api/v1/tier/self
	expect_code 401 "an unknown credential: "
	# a downstream speaks only for itself: Hà Giang writing Cao Bằng's data
	local forged="{\"batch_id\":\"forged-1\",\"server\":\"HG\",\"snapshot_at\":$(date +%s),\"window_days\":7,\"units\":[{\"code\":\"EVIL\",\"name\":\"Evil\",\"parent\":\"\",\"figures\":{\"endpoints\":999,\"reporting\":0,\"realtime_on\":0,\"fresh_1d\":0,\"fresh_3d\":0,\"fresh_7d\":0,\"fresh_15d\":0,\"older_15d\":0,\"sig_unknown\":0,\"infected\":0}}],\"sightings\":[]}"
	tier "$CRED_HG" POST "/api/v1/tier/units/$CB/report" "$forged"
	expect_code 403 "HG reporting for CB: "
	# a session (even an administrator's) is no downstream credential
	api root POST "/api/v1/tier/units/$CB/report" "$forged"
	expect_code 401 "an administrator's session posting a report: "
	# a malformed report is refused whole with its reason
	tier "$CRED_CB" POST "/api/v1/tier/units/$CB/report" "${forged/\"parent\":\"\"/\"parent\":\"NOWHERE\"}"
	expect_code 400 "a unit with an unknown parent: "
	grep -q NOWHERE body || fail "the refusal does not name the parent: $(cat body)"
	tier "$CRED_CB" POST "/api/v1/tier/units/$CB/report" "${forged/\"window_days\":7/\"window_days\":\"x\"}"
	expect_code 400 "a report with a bad field: "
	api root GET "/api/v1/units?unit=$CB"
	[ "$(json '["total"]')" = 1 ] || fail "a refused report left units behind: $(head -c 400 body)"

	# --- the province: its tree, machines, detections ---
	STORE=$DOWN_STORE
	unit_add "Sở Thông tin và Truyền thông" STTTT > /dev/null
	unit_add "UBND huyện Hòa An" HA STTTT > /dev/null
	unit_add "UBND huyện Bảo Lạc" BL STTTT > /dev/null
	local tok_ha tok_bl
	tok_ha=$("$SERVER" token create --store "$DOWN_STORE" --unit HA --uses 5 --days 1 2> /dev/null)
	tok_bl=$("$SERVER" token create --store "$DOWN_STORE" --unit BL --uses 5 --days 1 2> /dev/null)
	printf '%s\n' "$CRED_CB" > "$WORK/upstream.cred"
	chmod 600 "$WORK/upstream.cred"
	cat > "$WORK/down.conf" <<EOF
[report]
agency = Sở Thông tin và Truyền thông tỉnh Cao Bằng
[upstream]
url = https://127.0.0.1:$UP_PORT
credential_file = $WORK/upstream.cred
ca_file = $WORK/tls/ca.crt
interval = 1s
retry_base = 1s
timeout = 5s
keys = $WORK/keys/national
databases_dir = $WORK/down-dbs
[mirror]
dir = $WORK/down-mirror
[intel]
signing_key = $WORK/keys/prov.key
EOF
	"$SERVER" --check-config --config "$WORK/down.conf" --plain-http --listen 127.0.0.1:0 > "$WORK/check.out" 2>&1 ||
		fail "check-config: $(cat "$WORK/check.out")"
	local t0
	t0=$(date +%s)
	start_down
	as_down
	make_user prov admin
	login_as prov
	enroll "$tok_ha" pc-ha-1; local ha1=$EP_CRED
	enroll "$tok_ha" pc-ha-2; local ha2=$EP_CRED
	enroll "$tok_bl" pc-bl-1; local bl1=$EP_CRED
	beat "$ha1"; beat "$ha2"; beat "$bl1"
	detect "$ha1" "$SHA_X" Win.Trojan.Agent
	detect "$bl1" "$SHA_X" Win.Trojan.Agent
	detect "$ha2" "$SHA_Y" Unix.Malware.Mirai
	grep -q "$CRED_CB" "$DOWN_LOG" && fail "the credential is in the province's log"
	wait_reported "$(date +%s)"
	compare_views
	api root GET "/api/v1/coverage?unit=$NAT&by=children"
	expect_code 200
	python3 -c "import json,sys; c={r['unit']['code']: r for r in json.load(open('body'))['children']}; sys.exit(0 if c['CB']['figures']['endpoints'] == 3 and c['CB']['reported_by'] and c['HG']['reported_by'] is None else 1)" ||
		fail "national children: $(head -c 600 body)"
	# the tree, mirrored under CB, marked and read-only
	api root GET "/api/v1/units?unit=$CB"
	expect_code 200
	python3 -c "import json,sys; u={i['code']: i for i in json.load(open('body'))['items']}; sys.exit(0 if set(u) == {'CB','CB/STTTT','CB/HA','CB/BL'} and u['CB/HA']['reported_by_downstream']['remote_code'] == 'HA' and u['CB']['reported_by_downstream'] is None and u['CB/HA']['parent_id'] == u['CB/STTTT']['id'] else 1)" ||
		fail "mirrored tree: $(head -c 800 body)"
	local ha_up
	ha_up=$(python3 -c "import json; print([i['id'] for i in json.load(open('body'))['items'] if i['code']=='CB/HA'][0])")
	api root PATCH "/api/v1/units/$ha_up" '{"name":"changed here"}'
	expect_code 409 "renaming a mirrored unit: "
	api root DELETE "/api/v1/units/$ha_up"
	expect_code 409 "deleting a mirrored unit: "
	api root POST "/api/v1/units/$ha_up/enrollment-tokens" '{}'
	expect_code 409 "an enrollment token for a mirrored unit: "
	api root GET "/api/v1/coverage?unit=$ha_up"
	[ "$(json '["figures"]["endpoints"]')" = 2 ] || fail "figures of mirrored HA: $(head -c 300 body)"
	# an officer of HG sees nothing of CB's
	make_user off_hg officer HG
	login_as off_hg
	api off_hg GET "/api/v1/downstreams/samples?unit=$CB"
	expect_code 403 "an officer of HG reading CB's sightings: "
	api off_hg GET /api/v1/downstreams/samples
	[ "$(json '["total"]')" = 0 ] || fail "an officer of HG sees sightings: $(head -c 300 body)"
	api root GET "/api/v1/downstreams/samples/$SHA_X"
	expect_code 200
	[ "$(json '["by_downstream"][0]["endpoints"]')" = 2 ] || fail "sample by downstream: $(cat body)"

	# --- downward: the national databases reach the province's agents through
	# the province's mirror; the province's own daily is not replaced ---
	wait_listed main 1
	[ "$(listed daily)" = 0 ] || fail "the national daily was taken as the province's own"
	# the province's own intelligence, compiled into its daily beside the national main
	as_down
	api prov POST "/api/v1/intel/imports?kind=ioc-list&name=local.txt&source=local" "$SHA_Y"
	expect_code 201 "a local indicator: "
	wait_listed daily 1
	"$RQ" update --mirror "http://127.0.0.1:$DOWN_PORT/mirror" --db-dir "$WORK/agent-db" \
		--trusted-keys "$WORK/keys/agent" > "$WORK/update.out" 2>&1 || fail "an agent updating from the province: $(cat "$WORK/update.out")"
	grep -q 'main: installed 1' "$WORK/update.out" || fail "agent update: $(cat "$WORK/update.out")"
	cmp -s "$WORK/agent-db/main.rqdb" "$WORK/main-1.rqdb" || fail "the agent's main differs from the national one"
	# a tampered file on the national mirror is refused, never published
	# (published on a copy, the file altered there, then the copy's files put in place)
	rm -rf "$WORK/stage" && cp -a "$WORK/up-mirror" "$WORK/stage"
	local live=$WORK/up-mirror
	national_db main 2 "$WORK/stage"
	python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=0xff; open(p,'wb').write(b)" "$WORK/stage/main-2.rqdb"
	cp "$WORK/stage/main-2.rqdb" "$live/" && cp "$WORK/stage/index.json.sig" "$live/.sig.new" &&
		cp "$WORK/stage/index.json" "$live/.index.new" && mv "$live/.sig.new" "$live/index.json.sig" &&
		mv "$live/.index.new" "$live/index.json" || fail "putting the tampered main 2 in place"
	for _ in $(seq 100); do grep -q 'database main version 2 refused' "$DOWN_LOG" && break; sleep 0.1; done
	grep -q 'database main version 2 refused' "$DOWN_LOG" || fail "the tampered main 2 was not refused: $(grep upstream "$DOWN_LOG" | tail -3)"
	[ "$(listed main)" = 1 ] || fail "a tampered database was published: main $(listed main)"
	ls "$WORK/down-mirror" | grep -q 'main-2' && fail "the tampered file is in the province's mirror"
	as_down
	api prov GET /api/v1/upstream
	json '["databases"]["last_error"]' | grep -q 'main version 2 refused' || fail "the queue state does not say main 2 was refused: $(cat body)"
	national_db main 3
	wait_listed main 3
	[ "$(listed daily)" = 1 ] || fail "the province's daily after a national sync: $(listed daily)"
	api prov GET /api/v1/upstream
	[ -z "$(json '["databases"]["last_error"]')" ] && [ "$(json '["databases"]["configured"]')" = True ] ||
		fail "the sync state after main 3: $(cat body)"
	cmp -s "$WORK/down-mirror/main-3.rqdb" "$WORK/main-3.rqdb" || fail "the province serves another main 3 than the national one"

	# --- the national server down; the province changes, is killed -9 with its report queued ---
	stop_up
	as_down
	unit_add "UBND huyện Trùng Khánh" TK STTTT > /dev/null
	detect "$bl1" "$SHA_Z" Win.Worm.Conficker
	detect "$ha2" "$SHA_X" Win.Trojan.Agent
	local t1
	t1=$(date +%s)
	for _ in $(seq 100); do
		api prov GET /api/v1/upstream
		[ "$(json '["queued"]')" = 1 ] && [ "$(json '["attempts"]')" -ge 1 ] && [ -n "$(json '["last_error"]')" ] && break
		sleep 0.1
	done
	[ "$(json '["queued"]')" = 1 ] && [ -n "$(json '["last_error"]')" ] || fail "the queue while the national server is down: $(cat body)"
	grep -q "$CRED_CB" body && fail "the queue state shows the credential"
	kill -9 "$DOWN_PID"; wait "$DOWN_PID" 2>/dev/null; DOWN_PID=
	start_up
	start_down
	wait_reported "$t1"
	compare_views
	grep -q "$SHA_Z" "$WORK/up.samples" || fail "the sighting made while the national server was down is missing"
	grep -q "^$SHA_X 3 2$" "$WORK/up.samples" || fail "SHA_X counted wrong: $(cat "$WORK/up.samples")"
	as_up
	api root GET "/api/v1/units?unit=$CB"
	grep -q '"CB/TK"' body || fail "the unit added while the national server was down is missing"
	# the same batch again: acknowledged, applied once
	local sent
	sent=$(python3 -c "import json; print(json.dumps({'batch_id': 'replay-1', 'server': 'CB', 'snapshot_at': 1, 'window_days': 7, 'units': [{'code': 'STTTT', 'name': 'Old', 'parent': '', 'figures': {k: 0 for k in ('endpoints','reporting','realtime_on','fresh_1d','fresh_3d','fresh_7d','fresh_15d','older_15d','sig_unknown','infected')}}], 'sightings': []}))")
	tier "$CRED_CB" POST "/api/v1/tier/units/$CB/report" "$sent"
	expect_code 200 "an old snapshot: "
	[ "$(json '["outcome"]')" = stale ] || fail "an old snapshot was applied: $(cat body)"
	tier "$CRED_CB" POST "/api/v1/tier/units/$CB/report" "$sent"
	[ "$(json '["outcome"]')" = duplicate ] || fail "a resent batch: $(cat body)"
	compare_views

	# --- revoked: refused, the province's queue says so ---
	api root DELETE "/api/v1/downstream-credentials/$CRED_CB_ID"
	expect_code 200 "revoking: "
	[ "$(json '["state"]')" = revoked ] || fail "revoke: $(cat body)"
	tier "$CRED_CB" GET /api/v1/tier/self
	expect_code 401 "a revoked credential: "
	as_down
	for _ in $(seq 100); do
		api prov GET /api/v1/upstream
		[ "$(json '["last_status"]')" = 401 ] && break
		sleep 0.1
	done
	[ "$(json '["last_status"]')" = 401 ] && [ "$(json '["queued"]')" = 1 ] ||
		fail "after the revocation the province's queue says: $(cat body)"
	STORE=$UP_STORE
	[ "$(audit_count tier.report)" -ge 2 ] || fail "reports are not audited"
	[ "$(audit_count tier.credential.revoke)" = 1 ] || fail "the revocation is not audited"
	[ "$(audit_count tier.credential.create)" = 2 ] || fail "the credentials' creation is not audited"
	local hg_id
	as_up
	api root GET "/api/v1/units/$HG/downstream-credentials"
	hg_id=$(json '["items"][0]["id"]')
	"$SERVER" downstream revoke --store "$UP_STORE" --id "$hg_id" 2> "$WORK/cli.err" || fail "downstream revoke: $(cat "$WORK/cli.err")"
	tier "$CRED_HG" GET /api/v1/tier/self
	expect_code 401 "a credential revoked by the operator command: "
	STORE=$UP_STORE
	[ "$(audit_count tier.credential.revoke)" = 2 ] || fail "the operator's revocation is not audited"
	kill -TERM "$DOWN_PID"; wait "$DOWN_PID" 2>/dev/null; DOWN_PID=
	stop_up
	[ "$STORE_KIND" = postgres ] && psql -q "$RQ_TEST_PG_URL" -c "DROP DATABASE $DOWN_DB WITH (FORCE)" > /dev/null
	STORE=$UP_STORE
}

for_each_store run

# --- chained tiers (SQLite): province -> region -> nation. The region is a
# downstream of the nation and the upstream of the province; the nation sees
# the province's units under the region's and its machines in the figures ---
chain() {
	rm -f "$WORK"/chain-*.sqlite*
	local nat=sqlite:$WORK/chain-nat.sqlite reg=sqlite:$WORK/chain-reg.sqlite prov=sqlite:$WORK/chain-prov.sqlite
	STORE=$nat; unit_add "Quốc gia" NAT > /dev/null; local reg_unit; reg_unit=$(unit_add "Vùng Đông Bắc" REG NAT)
	"$SERVER" downstream create --store "$nat" --unit REG 2> /dev/null > "$WORK/chain-reg.cred" || fail "chain: credential for the region"
	STORE=$reg; unit_add "Vùng Đông Bắc" RG > /dev/null; unit_add "Tỉnh Cao Bằng" CB RG > /dev/null
	"$SERVER" downstream create --store "$reg" --unit CB 2> /dev/null > "$WORK/chain-cb.cred" || fail "chain: credential for the province"
	STORE=$prov; unit_add "Sở TT&TT Cao Bằng" STTTT > /dev/null; unit_add "UBND huyện Hòa An" HA STTTT > /dev/null
	local tok; tok=$("$SERVER" token create --store "$prov" --unit HA --uses 2 --days 1 2> /dev/null)
	UP_PORT=; UP_STORE=$nat; start_up; local nat_port=$UP_PORT nat_pid=$UP_PID
	UP_PORT=; UP_STORE=$reg
	STARTS=$((STARTS + 1)); UP_LOG=$WORK/up-$STARTS.log
	printf '[upstream]\nurl = https://127.0.0.1:%s\ncredential_file = %s\nca_file = %s\ninterval = 1s\nretry_base = 1s\n' \
		"$nat_port" "$WORK/chain-reg.cred" "$WORK/tls/ca.crt" > "$WORK/chain-reg.conf"
	"$SERVER" --foreground --listen 127.0.0.1:0 --tls-cert "$WORK/tls/server.crt" --tls-key "$WORK/tls/server.key" \
		--store "$reg" --config "$WORK/chain-reg.conf" 2> "$UP_LOG" &
	local reg_pid=$!; local reg_port; reg_port=$(wait_port "$UP_LOG" https)
	[ -n "$reg_port" ] || { fail "chain: the region did not start: $(tail -3 "$UP_LOG")"; return; }
	printf '[upstream]\nurl = https://127.0.0.1:%s\ncredential_file = %s\nca_file = %s\ninterval = 1s\nretry_base = 1s\n' \
		"$reg_port" "$WORK/chain-cb.cred" "$WORK/tls/ca.crt" > "$WORK/down.conf"
	DOWN_STORE=$prov; start_down
	BASE=http://127.0.0.1:$DOWN_PORT; enroll "$tok" pc-chain-1; beat "$EP_CRED"; beat "$EP_CRED"
	STORE=$nat; make_user nat_admin admin
	UP_PID=$nat_pid; UP_PORT=$nat_port; as_up; login_as nat_admin
	local ok=
	for _ in $(seq 200); do
		api nat_admin GET "/api/v1/coverage?unit=$reg_unit"
		[ "$(cat code)" = 200 ] && [ "$(json '["figures"]["endpoints"]')" = 1 ] && { ok=1; break; }
		sleep 0.1
	done
	[ -n "$ok" ] || fail "chain: the nation's figures of the region: $(head -c 300 body)"
	api nat_admin GET "/api/v1/units?unit=$reg_unit"
	grep -q '"REG/CB/HA"' body || fail "chain: the province's unit is not under the region on the nation: $(head -c 400 body)"
	kill -TERM "$DOWN_PID" "$reg_pid"; wait "$DOWN_PID" "$reg_pid" 2>/dev/null; DOWN_PID=
	stop_up
}
STORE_KIND=sqlite
chain
# every server's log: the credential never in it, no sanitizer report (the ASan build)
grep -l 'rqd_' "$WORK"/up-*.log "$WORK"/down-*.log && fail "a credential is in a server's log"
grep -l 'ERROR: AddressSanitizer\|runtime error:\|ERROR: LeakSanitizer' "$WORK"/up-*.log "$WORK"/down-*.log &&
	fail "a sanitizer reported an error"
[ -n "${RQ_TEST_KEEP:-}" ] && echo "kept $WORK"

# a bad [upstream] is refused at its line
printf '[upstream]\nurl = https://127.0.0.1:1\n' > "$WORK/bad.conf"
"$SERVER" --check-config --config "$WORK/bad.conf" --plain-http --listen 127.0.0.1:0 > "$WORK/bad.out" 2>&1 &&
	fail "an upstream without a credential was accepted"
grep -q 'bad.conf:2: \[upstream\] url: needs \[upstream\] credential_file' "$WORK/bad.out" || fail "bad.conf: $(cat "$WORK/bad.out")"
printf 'not a credential\n' > "$WORK/bad.cred"
printf '[upstream]\nurl = https://127.0.0.1:1\ncredential_file = %s\n' "$WORK/bad.cred" > "$WORK/bad.conf"
"$SERVER" --check-config --config "$WORK/bad.conf" --plain-http --listen 127.0.0.1:0 > "$WORK/bad.out" 2>&1 &&
	fail "a credential file without a credential was accepted"
grep -q 'bad.conf:3: \[upstream\] credential_file' "$WORK/bad.out" || fail "bad.cred: $(cat "$WORK/bad.out")"
finish
