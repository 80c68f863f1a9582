#!/usr/bin/env bash
# Units, enrollment tokens and the audit log of the admin API over real
# HTTP on loopback, on SQLite and on PostgreSQL: every role (admin does
# all; an officer reads its own subtree and makes tokens there, 403
# elsewhere and for unit changes; a viewer only reads; nobody gets 401);
# malformed JSON, wrong types, unknown fields and control characters
# refused naming the field; Vietnamese names and SQL metacharacters
# round-trip; moves that would make a cycle and deletions of units still in
# use refused with the reason; a token shown once, usable by the agent
# enroll route, refused after revocation, never listed or audited.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(realpath "$(dirname "$0")")
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
mkdir -p "$WORK/run" && cd "$WORK/run"

# unit_add NAME CODE [PARENT_CODE] -> the new unit's id on stdout
# has_ids ID...: the last list answer holds exactly these unit ids
has_ids() {
	local want got
	want=$(printf '%s\n' "$@" | sort -n | tr '\n' ' ')
	got=$(python3 -c "import json; print(' '.join(str(i['id']) for i in sorted(json.load(open('body'))['items'], key=lambda i: i['id'])))")
	[ "$got " = "$want" ] || fail "ids '$got', want '$want'"
}

suite() {
	echo "--- $STORE_KIND"
	PROV=$(unit_add "Ủy ban nhân dân tỉnh" PROV)
	DEPT=$(unit_add "Sở Thông tin và Truyền thông" DEPT PROV)
	SUB=$(unit_add "Trung tâm Công nghệ thông tin" SUB DEPT)
	OTHER=$(unit_add "UBND huyện Đông Hòa" OTHER PROV)
	make_user root admin
	make_user off officer DEPT
	make_user view viewer DEPT
	start_server
	login_as root
	login_as off
	login_as view

	# --- nobody ---
	api - GET /api/v1/units
	expect_code 401 "anonymous list: "
	api - POST /api/v1/units '{"name":"x","code":"X"}'
	expect_code 401 "anonymous create: "
	api - GET /api/v1/audit
	expect_code 401 "anonymous audit: "
	api - POST "/api/v1/units/$DEPT/enrollment-tokens" '{}'
	expect_code 401 "anonymous token: "

	# --- lists: the caller's subtree only ---
	api root GET '/api/v1/units?limit=500'
	expect_code 200
	has_ids "$PROV" "$DEPT" "$SUB" "$OTHER"
	[ "$(json '["total"]')" = 4 ] || fail "admin total $(json '["total"]')"
	[ "$(json '["items"][0]["name"]')" = "Ủy ban nhân dân tỉnh" ] || fail "Vietnamese name: $(cat body)"
	api off GET /api/v1/units
	expect_code 200
	has_ids "$DEPT" "$SUB"
	[ "$(json '["items"][0]["depth"]'),$(json '["items"][1]["depth"]')" = "0,1" ] || fail "depths: $(cat body)"
	api view GET "/api/v1/units?unit=$SUB"
	expect_code 200
	has_ids "$SUB"
	api off GET "/api/v1/units?unit=$OTHER"
	expect_code 403 "officer lists another branch: "
	api root GET "/api/v1/units?unit=$DEPT&limit=1&offset=1"
	expect_code 200
	has_ids "$SUB"
	[ "$(json '["total"]')" = 2 ] || fail "paged total"
	api root GET "/api/v1/units?limit=0"
	expect_code 400
	expect_grep 'limit' body

	# --- one unit ---
	api view GET "/api/v1/units/$SUB"
	expect_code 200
	[ "$(json '["parent_id"]'),$(json '["depth"]'),$(json '["code"]')" = "$DEPT,2,SUB" ] || fail "unit: $(cat body)"
	api off GET "/api/v1/units/$OTHER"
	expect_code 403 "officer reads another branch: "
	api off GET "/api/v1/units/$PROV"
	expect_code 403 "officer reads the unit above: "
	api root GET /api/v1/units/987654
	expect_code 404
	api root GET /api/v1/units/abc
	expect_code 404

	# --- create ---
	local nasty="Phòng Tài chính – Kế hoạch'; DROP TABLE units;-- \\\"x\\\" \$1 %_"
	api root POST /api/v1/units "{\"name\":\"$nasty\",\"code\":\"PTC-KH.1_a\",\"contact\":\"Ông Nguyễn Văn A, 0257 3 123 456\",\"parent_id\":$DEPT}"
	expect_code 201 "create: "
	local NEW
	NEW=$(json '["id"]')
	api root GET "/api/v1/units/$NEW"
	python3 -c "
import json, sys
u = json.load(open('body'))
want = 'Phòng Tài chính – Kế hoạch\'; DROP TABLE units;-- \"x\" \$1 %_'
sys.exit(0 if u['name'] == want and u['depth'] == 2 and u['parent_id'] == $DEPT and u['contact'].startswith('Ông') else 1)" ||
		fail "round trip: $(cat body)"
	api root POST /api/v1/units '{"name":"Top","code":"TOP"}'
	expect_code 201 "top-level create: "
	[ "$(json '["parent_id"]')" = None ] || fail "top level parent: $(cat body)"
	local TOP
	TOP=$(json '["id"]')
	api root POST /api/v1/units "{\"name\":\"Again\",\"code\":\"PROV\",\"parent_id\":$DEPT}"
	expect_code 409 "duplicate code: "
	expect_grep 'code' body
	api root POST /api/v1/units '{"name":"Orphan","code":"ORPH","parent_id":987654}'
	expect_code 409 "unknown parent: "
	expect_grep 'parent_id' body
	api off POST /api/v1/units "{\"name\":\"Mine\",\"code\":\"MINE\",\"parent_id\":$DEPT}"
	expect_code 403 "officer creates a unit: "
	api view POST /api/v1/units "{\"name\":\"Mine\",\"code\":\"MINE\",\"parent_id\":$DEPT}"
	expect_code 403 "viewer creates a unit: "

	# --- bad bodies: 400 naming the field ---
	api root POST /api/v1/units '{not json'
	expect_code 400
	expect_grep 'bad_json' body
	api root POST /api/v1/units '{"name":1,"code":"N1"}'
	expect_code 400
	expect_grep '"name: expected a string' body
	api root POST /api/v1/units '{"name":"n","code":"N2","colour":"red"}'
	expect_code 400
	expect_grep 'colour' body
	api root POST /api/v1/units '{"name":"n"}'
	expect_code 400
	expect_grep 'code' body
	api root POST /api/v1/units '{"name":"n","code":"N3","parent_id":"1"}'
	expect_code 400
	expect_grep 'parent_id' body
	api root POST /api/v1/units '{"name":"n","code":"N4","parent_id":1.5}'
	expect_code 400
	expect_grep 'parent_id' body
	api root POST /api/v1/units '{"name":"bell\u0007","code":"N5"}'
	expect_code 400
	expect_grep '"name: control' body
	api root POST /api/v1/units '{"name":"ok","code":"N6","contact":"a\nb"}'
	expect_code 400
	expect_grep 'contact' body
	api root POST /api/v1/units '{"name":"   ","code":"N7"}'
	expect_code 400
	expect_grep 'name' body
	api root POST /api/v1/units '{"name":"n","code":"has space"}'
	expect_code 400
	expect_grep 'code' body
	api root POST /api/v1/units "{\"name\":\"n\",\"code\":\"x'; DROP TABLE units;--\"}"
	expect_code 400
	expect_grep 'code' body
	api root POST /api/v1/units "{\"name\":\"$(head -c 700 /dev/zero | tr '\0' 'a')\",\"code\":\"N8\"}"
	expect_code 400
	expect_grep 'name' body
	printf '{"name":"\xc3\x28","code":"N9"}' > "$WORK/badutf8"
	api root POST /api/v1/units "$(cat "$WORK/badutf8")"
	expect_code 400 "invalid UTF-8: "
	api root POST /api/v1/units '["name"]'
	expect_code 400
	api root GET '/api/v1/units?limit=500'
	[ "$(json '["total"]')" = 6 ] || fail "a refused body created a unit: $(json '["total"]')"

	# --- change, move, cycles ---
	api root PATCH "/api/v1/units/$SUB" '{"name":"Trung tâm CNTT & Truyền thông","contact":"0257 3 811 811"}'
	expect_code 200 "rename: "
	[ "$(json '["name"]')" = "Trung tâm CNTT & Truyền thông" ] && [ "$(json '["code"]')" = SUB ] || fail "rename: $(cat body)"
	api root PATCH "/api/v1/units/$DEPT" "{\"parent_id\":$SUB}"
	expect_code 409 "move under own descendant: "
	expect_grep '"cycle"' body
	expect_grep 'parent_id' body
	api root PATCH "/api/v1/units/$DEPT" "{\"parent_id\":$DEPT}"
	expect_code 409 "move under itself: "
	api root PATCH "/api/v1/units/$PROV" "{\"parent_id\":$NEW}"
	expect_code 409 "move the top under a grandchild: "
	api root PATCH "/api/v1/units/$SUB" '{"code":"OTHER"}'
	expect_code 409 "code taken: "
	api root PATCH "/api/v1/units/$SUB" '{"code":"bad code"}'
	expect_code 400
	api root PATCH "/api/v1/units/$SUB" '{"parent":1}'
	expect_code 400
	expect_grep 'parent' body
	api off PATCH "/api/v1/units/$SUB" '{"name":"mine now"}'
	expect_code 403 "officer changes a unit: "
	api view PATCH "/api/v1/units/$SUB" '{"name":"mine now"}'
	expect_code 403 "viewer changes a unit: "
	api root PATCH /api/v1/units/987654 '{"name":"x"}'
	expect_code 404
	# SUB moves to the other branch: out of the officer's sight
	api root PATCH "/api/v1/units/$SUB" "{\"parent_id\":$OTHER}"
	expect_code 200 "move: "
	[ "$(json '["parent_id"]')" = "$OTHER" ] || fail "move: $(cat body)"
	api off GET /api/v1/units
	has_ids "$DEPT" "$NEW"
	api root PATCH "/api/v1/units/$TOP" '{"parent_id":null}'
	expect_code 200 "stay at the top: "

	# --- enrollment tokens ---
	api off POST "/api/v1/units/$DEPT/enrollment-tokens" '{"label":"Máy phòng kế toán","expires_in_days":3,"max_uses":2}'
	expect_code 201 "officer token: "
	local TOKEN TID
	TOKEN=$(json '["token"]')
	TID=$(json '["id"]')
	[[ "$TOKEN" =~ ^rqe_[A-Za-z0-9_-]{43}$ ]] || fail "token shape: $TOKEN"
	[ "$(json '["command"]')" = "raquet agent enroll --server http://127.0.0.1:$PORT --token $TOKEN" ] ||
		fail "command: $(json '["command"]')"
	[ "$(json '["state"]'),$(json '["max_uses"]'),$(json '["uses"]')" = "active,2,0" ] || fail "token: $(cat body)"
	api root POST "/api/v1/units/$DEPT/enrollment-tokens" '{}'
	expect_code 201 "admin token with defaults: "
	[ "$(json '["max_uses"]')" = 1 ] || fail "default uses"
	api off POST "/api/v1/units/$OTHER/enrollment-tokens" '{}'
	expect_code 403 "officer token elsewhere: "
	api view POST "/api/v1/units/$DEPT/enrollment-tokens" '{}'
	expect_code 403 "viewer token: "
	api root POST /api/v1/units/987654/enrollment-tokens '{}'
	expect_code 404
	api off POST "/api/v1/units/$DEPT/enrollment-tokens" '{"max_uses":0}'
	expect_code 400
	expect_grep 'max_uses' body
	api off POST "/api/v1/units/$DEPT/enrollment-tokens" '{"expires_in_days":367}'
	expect_code 400
	expect_grep 'expires_in_days' body
	api off POST "/api/v1/units/$DEPT/enrollment-tokens" '{"label":"a\u0000b"}'
	expect_code 400
	api off POST "/api/v1/units/$DEPT/enrollment-tokens" '{"value":"rqe_mine"}'
	expect_code 400
	expect_grep 'value' body
	api view GET "/api/v1/units/$DEPT/enrollment-tokens"
	expect_code 200 "viewer lists tokens: "
	[ "$(json '["total"]')" = 2 ] || fail "token total: $(cat body)"
	expect_no_grep "${TOKEN#rqe_}" body
	expect_no_grep 'hash' body
	expect_no_grep '"token"' body
	api off GET "/api/v1/units/$OTHER/enrollment-tokens"
	expect_code 403 "officer lists tokens elsewhere: "

	# the token works for the agent route, twice, then is used up
	curl -sS -o body -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data-binary "{\"token\":\"$TOKEN\",\"hostname\":\"pc-ketoan-01\"}" "$BASE/api/v1/agent/enroll" > code
	expect_code 201 "agent enroll: "
	[ "$(json '["unit_id"]')" = "$DEPT" ] || fail "enrolled into $(json '["unit_id"]')"
	api off GET "/api/v1/units/$DEPT/enrollment-tokens"
	python3 -c "import json,sys; t=[i for i in json.load(open('body'))['items'] if i['id']==$TID][0]; sys.exit(0 if t['uses']==1 and t['label']=='Máy phòng kế toán' else 1)" ||
		fail "uses after enroll: $(cat body)"
	api root GET "/api/v1/units/$DEPT"
	[ "$(json '["endpoint_count"]')" = 1 ] || fail "endpoint count: $(cat body)"

	# revoked: refused
	api view DELETE "/api/v1/enrollment-tokens/$TID"
	expect_code 403 "viewer revokes: "
	api off DELETE "/api/v1/enrollment-tokens/$TID"
	expect_code 200 "officer revokes: "
	[ "$(json '["state"]')" = revoked ] || fail "revoked state: $(cat body)"
	curl -sS -o body -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data-binary "{\"token\":\"$TOKEN\",\"hostname\":\"pc-ketoan-02\"}" "$BASE/api/v1/agent/enroll" > code
	expect_code 403 "enroll after revoke: "
	api root DELETE /api/v1/enrollment-tokens/987654
	expect_code 404
	api root POST "/api/v1/units/$OTHER/enrollment-tokens" '{}'
	local OTID
	OTID=$(json '["id"]')
	api off DELETE "/api/v1/enrollment-tokens/$OTID"
	expect_code 403 "officer revokes elsewhere: "

	# --- delete: refused while in use, naming what ---
	api root DELETE "/api/v1/units/$PROV"
	expect_code 409 "delete with sub-units: "
	expect_grep 'sub-units' body
	api root DELETE "/api/v1/units/$DEPT"
	expect_code 409 "delete with users, endpoints: "
	expect_grep '1 sub-unit' body
	expect_grep '1 endpoint' body
	expect_grep '2 users' body
	api off DELETE "/api/v1/units/$NEW"
	expect_code 403 "officer deletes: "
	api root DELETE "/api/v1/units/$NEW"
	expect_code 200 "delete a leaf: "
	api root GET "/api/v1/units/$NEW"
	expect_code 404
	api root DELETE "/api/v1/units/$NEW"
	expect_code 404

	# --- the audit log ---
	api root GET '/api/v1/audit?limit=500'
	expect_code 200 "admin audit: "
	for a in unit.create unit.update unit.delete token.create token.revoke; do
		expect_grep "\"action\":\"$a\"" body
	done
	expect_no_grep "${TOKEN#rqe_}" body
	python3 -c "
import json, sys
items = json.load(open('body'))['items']
ats = [(i['at'], i['id']) for i in items]
sys.exit(0 if ats == sorted(ats, reverse=True) else 1)" || fail "audit not newest first"
	api root GET '/api/v1/audit?action=token.&limit=500'
	python3 -c "
import json, sys
items = json.load(open('body'))['items']
sys.exit(0 if len(items) >= 4 and all(i['action'].startswith('token.') for i in items) else 1)" ||
		fail "action filter: $(head -c 300 body)"
	api root GET '/api/v1/audit?user=off'
	python3 -c "
import json, sys
items = json.load(open('body'))['items']
sys.exit(0 if items and all(i['actor'] == 'off' for i in items) else 1)" || fail "user filter: $(head -c 300 body)"
	api root GET "/api/v1/audit?user=%27%20OR%20%271%27%3D%271"
	expect_code 200
	[ "$(json '["total"]')" = 0 ] || fail "SQL in the user filter matched"
	api root GET '/api/v1/audit?until=1'
	[ "$(json '["total"]')" = 0 ] || fail "until filter"
	api root GET "/api/v1/audit?since=$(($(date +%s) + 3600))"
	[ "$(json '["total"]')" = 0 ] || fail "since filter"
	api root GET '/api/v1/audit?since=abc'
	expect_code 400
	expect_grep 'since' body
	# the officer sees its own subtree's entries only: none about OTHER's token
	api off GET '/api/v1/audit?limit=500'
	expect_code 200 "officer audit: "
	python3 -c "
import json, sys
items = json.load(open('body'))['items']
units = {i['unit_id'] for i in items}
sys.exit(0 if items and units <= {$DEPT, $NEW} else 1)" || fail "officer audit units: $(head -c 600 body)"
	api off GET "/api/v1/audit?unit=$OTHER"
	expect_code 403 "officer audit elsewhere: "
	api view GET '/api/v1/audit'
	expect_code 200 "viewer audit: "
}

for_each_store suite
finish
