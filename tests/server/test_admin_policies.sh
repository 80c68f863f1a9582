#!/usr/bin/env bash
# Unit policies of the admin API over real HTTP on loopback, on SQLite and
# on PostgreSQL: inheritance over three levels with an override and its
# removal (null), where each field comes from, the version agents see
# strictly increasing on every change along the path (and on a move) but
# not on changes elsewhere; strict validation naming the field; admins
# change, officers and viewers read their own subtree only, nobody 401;
# every change in the audit log.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(realpath "$(dirname "$0")")
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
mkdir -p "$WORK/run" && cd "$WORK/run"

# eff FIELD / from FIELD / own FIELD: of the last policy answer (python repr)
eff() { json "[\"effective\"][\"$1\"]"; }
from() { json "[\"inherited_from\"][\"$1\"]"; }

version_of() { # UNIT -> the effective version
	api root GET "/api/v1/units/$1/policy"
	json '["version"]'
}

suite() {
	echo "--- $STORE_KIND"
	PROV=$(unit_add "Ủy ban nhân dân tỉnh" PROV)
	DEPT=$(unit_add "Sở Y tế" DEPT PROV)
	SUB=$(unit_add "Bệnh viện Đa khoa tỉnh" SUB DEPT)
	OTHER=$(unit_add "UBND thành phố Tuy Hòa" OTHER PROV)
	make_user root admin
	make_user off officer DEPT
	make_user view viewer DEPT
	start_server
	login_as root
	login_as off
	login_as view

	api - GET "/api/v1/units/$SUB/policy"
	expect_code 401 "anonymous read: "
	api - PUT "/api/v1/units/$SUB/policy" '{"realtime":false}'
	expect_code 401 "anonymous change: "

	# --- the defaults, before anything is set ---
	api view GET "/api/v1/units/$SUB/policy"
	expect_code 200 "viewer reads: "
	[ "$(eff action_on_detection),$(eff realtime),$(eff update_interval_minutes),$(eff heartbeat_interval_seconds)" = \
		"quarantine,True,60,300" ] || fail "defaults: $(cat body)"
	[ "$(from action_on_detection),$(from scan_schedule),$(json '["version"]'),$(json '["own"]')" = "None,None,0,{}" ] ||
		fail "nothing inherited yet: $(cat body)"
	[ "$(json '["effective"]["scan_schedule"]["quick"]["every"]')" = day ] || fail "default schedule: $(cat body)"
	local V0
	V0=$(json '["version"]')

	# --- three levels: the province sets, the department overrides ---
	api root PUT "/api/v1/units/$PROV/policy" '{"action_on_detection":"delete","realtime":false,"exclusions":["D:\\Kế toán\\*.mdb","/srv/backup/*"],"scan_schedule":{"quick":{"every":"week","day":"mon","time":"11:45"},"full":{"every":"month","day":1,"time":"16:30"}}}'
	expect_code 200 "province policy: "
	[ "$(json '["own"]["realtime"]')" = False ] || fail "own after PUT: $(cat body)"
	local V1
	V1=$(version_of "$SUB")
	[ "$V1" -gt "$V0" ] || fail "version did not grow: $V0 -> $V1"
	api off PUT "/api/v1/units/$DEPT/policy" '{"action_on_detection":"report"}'
	expect_code 403 "officer changes a policy: "
	api view PUT "/api/v1/units/$DEPT/policy" '{"action_on_detection":"report"}'
	expect_code 403 "viewer changes a policy: "
	api root PUT "/api/v1/units/$DEPT/policy" '{"action_on_detection":"report","update_interval_minutes":30}'
	expect_code 200 "department policy: "
	api off GET "/api/v1/units/$SUB/policy"
	expect_code 200 "officer reads below: "
	[ "$(eff action_on_detection),$(from action_on_detection)" = "report,$DEPT" ] || fail "override: $(cat body)"
	[ "$(eff realtime),$(from realtime)" = "False,$PROV" ] || fail "inherited from the top: $(cat body)"
	[ "$(eff update_interval_minutes),$(from update_interval_minutes)" = "30,$DEPT" ] || fail "interval: $(cat body)"
	[ "$(from heartbeat_interval_seconds)" = None ] || fail "default heartbeat: $(cat body)"
	[ "$(json '["effective"]["exclusions"][0]')" = 'D:\Kế toán\*.mdb' ] || fail "exclusions: $(cat body)"
	[ "$(json '["effective"]["scan_schedule"]["full"]["day"]')" = 1 ] || fail "schedule: $(cat body)"
	local V2
	V2=$(json '["version"]')
	[ "$V2" -gt "$V1" ] || fail "version did not grow: $V1 -> $V2"
	# the sibling branch sees only the province
	api root GET "/api/v1/units/$OTHER/policy"
	[ "$(eff action_on_detection),$(from action_on_detection)" = "delete,$PROV" ] || fail "sibling: $(cat body)"
	local VO
	VO=$(json '["version"]')

	# --- the sub-unit's own value, then removing the department's override ---
	api root PUT "/api/v1/units/$SUB/policy" '{"realtime":true,"heartbeat_interval_seconds":60}'
	expect_code 200
	[ "$(eff realtime),$(from realtime),$(eff heartbeat_interval_seconds)" = "True,$SUB,60" ] || fail "own value: $(cat body)"
	local V3
	V3=$(json '["version"]')
	[ "$V3" -gt "$V2" ] || fail "version: $V2 -> $V3"
	[ "$(version_of "$OTHER")" = "$VO" ] || fail "a change in another branch moved OTHER's version"
	api root PUT "/api/v1/units/$DEPT/policy" '{"action_on_detection":null}'
	expect_code 200 "remove a field: "
	[ "$(json '["own"]')" = "{'update_interval_minutes': 30}" ] || fail "own after removal: $(cat body)"
	api root GET "/api/v1/units/$SUB/policy"
	[ "$(eff action_on_detection),$(from action_on_detection)" = "delete,$PROV" ] || fail "after removal: $(cat body)"
	local V4
	V4=$(json '["version"]')
	[ "$V4" -gt "$V3" ] || fail "version: $V3 -> $V4"
	# an empty PUT changes nothing but is still a new version (someone saved)
	api root PUT "/api/v1/units/$PROV/policy" '{}'
	expect_code 200
	local V5
	V5=$(version_of "$SUB")
	[ "$V5" -gt "$V4" ] || fail "version: $V4 -> $V5"
	api root GET "/api/v1/units/$SUB/policy"
	[ "$(eff realtime)" = True ] && [ "$(eff action_on_detection)" = delete ] || fail "empty PUT changed fields: $(cat body)"

	# --- moving a unit changes what it inherits: a new version below it ---
	api root PUT "/api/v1/units/$OTHER/policy" '{"action_on_detection":"quarantine"}'
	api root PATCH "/api/v1/units/$DEPT" "{\"parent_id\":$OTHER}"
	expect_code 200 "move: "
	api root GET "/api/v1/units/$SUB/policy"
	[ "$(eff action_on_detection),$(from action_on_detection)" = "quarantine,$OTHER" ] || fail "after move: $(cat body)"
	local V6
	V6=$(json '["version"]')
	[ "$V6" -gt "$V5" ] || fail "version after move: $V5 -> $V6"

	# --- permissions ---
	api off GET "/api/v1/units/$PROV/policy"
	expect_code 403 "officer reads above: "
	api view GET "/api/v1/units/$PROV/policy"
	expect_code 403 "viewer reads above: "
	api root GET /api/v1/units/987654/policy
	expect_code 404
	api root PUT /api/v1/units/987654/policy '{"realtime":true}'
	expect_code 404

	# --- strict validation, each refusal naming the field ---
	local bad
	while IFS='|' read -r bad field; do
		api root PUT "/api/v1/units/$SUB/policy" "$bad"
		expect_code 400 "$bad: "
		expect_grep "$field" body
	done <<'EOF'
{"realtime":"yes"}|realtime
{"realtime":1}|realtime
{"surprise":true}|surprise
{"action_on_detection":"ignore"}|action_on_detection
{"action_on_detection":"'; DROP TABLE policies;--"}|action_on_detection
{"update_interval_minutes":5}|update_interval_minutes
{"update_interval_minutes":"60"}|update_interval_minutes
{"heartbeat_interval_seconds":86400}|heartbeat_interval_seconds
{"exclusions":"/tmp"}|exclusions
{"exclusions":["/tmp",7]}|exclusions\[1\]
{"exclusions":[""]}|exclusions\[0\]
{"exclusions":["a\u0001b"]}|exclusions\[0\]
{"scan_schedule":{"quick":{"every":"day","time":"25:00"}}}|scan_schedule.quick.time
{"scan_schedule":{"quick":{"every":"hour","time":"10:00"}}}|scan_schedule.quick.every
{"scan_schedule":{"full":{"every":"month","day":31,"time":"10:00"}}}|scan_schedule.full.day
{"scan_schedule":{"full":{"every":"week","day":"friday","time":"10:00"}}}|scan_schedule.full.day
{"scan_schedule":{"full":{"every":"week","day":"fri"}}}|scan_schedule.full.time
{"scan_schedule":{"hourly":{}}}|scan_schedule.hourly
{"scan_schedule":{"quick":{"every":"day","time":"10:00","cron":"* * *"}}}|scan_schedule.quick.cron
{"realtime":true,|bad_json
EOF
	python3 -c "import json; print(json.dumps({'exclusions': ['/x/%d/*' % i for i in range(257)]}))" > "$WORK/many.json"
	api root PUT "/api/v1/units/$SUB/policy" "$(cat "$WORK/many.json")"
	expect_code 400 "too many exclusions: "
	expect_grep 'exclusions' body
	api root GET "/api/v1/units/$SUB/policy"
	[ "$(json '["version"]')" = "$V6" ] || fail "a refused PUT changed the version"

	# --- a unit with a policy (and a token) can still be deleted: both go with it ---
	api root POST /api/v1/units "{\"name\":\"Tổ công tác tạm thời\",\"code\":\"TMP\",\"parent_id\":$PROV}"
	expect_code 201
	local TMP
	TMP=$(json '["id"]')
	api root PUT "/api/v1/units/$TMP/policy" '{"realtime":false}'
	expect_code 200
	api root POST "/api/v1/units/$TMP/enrollment-tokens" '{}'
	expect_code 201
	api root DELETE "/api/v1/units/$TMP"
	expect_code 200 "delete a unit with a policy: "
	api root GET "/api/v1/units/$TMP/policy"
	expect_code 404

	# --- agents get their unit's policy in the heartbeat answer, in full only when changed ---
	api root POST "/api/v1/units/$SUB/enrollment-tokens" '{}'
	expect_code 201
	local TOKEN CRED PV
	TOKEN=$(json '["token"]')
	curl -sS -o body -X POST -H 'Content-Type: application/json' \
		--data-binary "{\"token\":\"$TOKEN\",\"hostname\":\"pc-policy\"}" "$BASE/api/v1/agent/enroll"
	CRED=$(json '["credential"]')
	beat() { # [POLICY_VERSION]
		curl -sS -o body -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
			-H "Authorization: Bearer $CRED" --data-binary "{${1:+\"policy_version\":$1}}" \
			"$BASE/api/v1/agent/heartbeat" > code
	}
	beat
	expect_code 200 "heartbeat: "
	PV=$(json '["policy_version"]')
	[ "$PV" = "$(version_of "$SUB")" ] || fail "heartbeat policy_version $PV, unit's $(version_of "$SUB")"
	api root GET "/api/v1/units/$SUB/policy"
	local WANT
	WANT=$(json '["effective"]')
	beat
	[ "$(json '["policy"]'),$(json '["databases"]')" = "$WANT,{}" ] || fail "heartbeat policy: $(cat body), want $WANT"
	beat "$PV"
	[ "$(json '.get("policy")')" = None ] || fail "unchanged policy sent again: $(cat body)"
	api root PUT "/api/v1/units/$DEPT/policy" '{"update_interval_minutes":45}'
	expect_code 200
	beat "$PV"
	[ "$(json '["policy_version"]')" -gt "$PV" ] || fail "version after a change: $(cat body)"
	[ "$(json '["policy"]["update_interval_minutes"]')" = 45 ] || fail "changed policy not sent: $(cat body)"

	# --- audited, with what changed ---
	api root GET '/api/v1/audit?action=policy.&limit=500'
	expect_code 200
	[ "$(json '["total"]')" = 8 ] || fail "policy.update entries: $(json '["total"]')"
	python3 -c "
import json, sys
items = json.load(open('body'))['items']
removal = [i for i in items if i['details'].get('removed') == ['action_on_detection']]
sys.exit(0 if removal and removal[0]['unit_id'] == $DEPT and removal[0]['actor'] == 'root' else 1)" ||
		fail "removal not audited: $(head -c 600 body)"
	api off GET '/api/v1/audit?action=policy.'
	python3 -c "
import json, sys
items = json.load(open('body'))['items']
sys.exit(0 if items and all(i['unit_id'] in ($DEPT, $SUB) for i in items) else 1)" ||
		fail "officer sees policy changes outside its subtree: $(head -c 600 body)"
}

for_each_store suite
finish
