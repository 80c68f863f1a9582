#!/usr/bin/env bash
# Users and API tokens of the admin API over real HTTP, on SQLite and
# PostgreSQL, per role: an administrator manages everyone; an officer only
# the users of its unit subtree and never grants a role above its own; a
# viewer manages nobody. Nobody disables, deletes, demotes or moves
# themselves; disabling ends the sessions and revokes the API tokens; a
# password reset ends the sessions; SQL metacharacters are kept as text;
# every change is audited without a secret.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"

id_of() { # LOGIN: the id of a user, as the administrator sees it
	api root GET "/api/v1/users?limit=500"
	python3 -c "import json,sys; print([u['id'] for u in json.load(open('body'))['items'] if u['login'] == sys.argv[1]][0])" "$1"
}

logins() { python3 -c "import json; print(' '.join(sorted(u['login'] for u in json.load(open('body'))['items'])))"; }

run() {
	rm -f "$WORK"/*.jar "$WORK"/*.csrf
	local P D1 D1A D2
	P=$(unit_add Province P)
	D1=$(unit_add "District 1" D1 P)
	D1A=$(unit_add "Commune 1A" D1A D1)
	D2=$(unit_add "District 2" D2 P)
	[ -n "$D2" ] || { fail "$STORE_KIND: units not made"; return; }
	# users before the first start: no bootstrap administrator then
	make_user root admin
	make_user off1 officer D1
	make_user view1 viewer D1
	make_user off2 officer D2
	start_server > boot.out
	expect_no_grep 'password' boot.out
	for u in root off1 view1 off2; do login_as $u; done

	# --- lists: filtered to the caller's subtree ---
	api root GET /api/v1/users
	expect_code 200 "$STORE_KIND: admin lists users: "
	[ "$(logins)" = "off1 off2 root view1" ] || fail "$STORE_KIND: admin sees $(logins)"
	api off1 GET /api/v1/users
	expect_code 200 "$STORE_KIND: officer lists users: "
	[ "$(logins)" = "off1 view1" ] || fail "$STORE_KIND: officer sees $(logins)"
	[ "$(json '["total"]')" = 2 ] || fail "$STORE_KIND: officer total: $(cat body)"
	api off1 GET "/api/v1/users?unit=$D2"
	expect_code 403 "$STORE_KIND: officer lists another unit: "
	api off1 GET "/api/v1/users?unit=$D1A"
	expect_code 200 "$STORE_KIND: officer lists a sub-unit: "
	api root GET "/api/v1/users?limit=1&offset=1"
	[ "$(logins)" = off2 ] || fail "$STORE_KIND: paging: $(cat body)"
	api root GET "/api/v1/users?limit=0"
	expect_code 400 "$STORE_KIND: limit 0: "
	api view1 GET /api/v1/users
	expect_code 403 "$STORE_KIND: viewer lists users: "
	api - GET /api/v1/users
	expect_code 401 "$STORE_KIND: nobody lists users: "

	# --- create: within the subtree, never above one's role ---
	local nasty="sub'; DROP TABLE users;--"
	api off1 POST /api/v1/users "{\"login\":\"$nasty\",\"display_name\":\"O'Brien \\\"x\\\" ; -- \\u00fc\",\"role\":\"viewer\",\"unit_id\":$D1A,\"password\":\"a-long-password-1\"}"
	expect_code 201 "$STORE_KIND: officer creates a viewer below: "
	local sub
	sub=$(json '["id"]')
	[ "$(json '["login"]')" = "$nasty" ] || fail "$STORE_KIND: login kept: $(cat body)"
	[ "$(json '["display_name"]')" = "O'Brien \"x\" ; -- ü" ] || fail "$STORE_KIND: display kept: $(cat body)"
	grep -q password body && fail "$STORE_KIND: the answer holds a password field"
	api off1 POST /api/v1/users "{\"login\":\"off1b\",\"role\":\"officer\",\"unit_id\":$D1,\"password\":\"a-long-password-1\"}"
	expect_code 201 "$STORE_KIND: officer creates an officer: "
	api off1 POST /api/v1/users "{\"login\":\"boss\",\"role\":\"admin\",\"unit_id\":$D1,\"password\":\"a-long-password-1\"}"
	expect_code 403 "$STORE_KIND: officer grants admin: "
	api off1 POST /api/v1/users "{\"login\":\"far\",\"role\":\"viewer\",\"unit_id\":$D2,\"password\":\"a-long-password-1\"}"
	expect_code 403 "$STORE_KIND: officer creates outside its subtree: "
	api off1 POST /api/v1/users "{\"login\":\"wide\",\"role\":\"viewer\",\"unit_id\":null,\"password\":\"a-long-password-1\"}"
	expect_code 403 "$STORE_KIND: officer creates a province-wide user: "
	api view1 POST /api/v1/users "{\"login\":\"v2\",\"role\":\"viewer\",\"unit_id\":$D1,\"password\":\"a-long-password-1\"}"
	expect_code 403 "$STORE_KIND: viewer creates: "
	api off1 POST /api/v1/users "{\"login\":\"$nasty\",\"role\":\"viewer\",\"unit_id\":$D1,\"password\":\"a-long-password-1\"}"
	expect_code 409 "$STORE_KIND: duplicate login: "
	api root POST /api/v1/users '{"login":"x1","role":"king","password":"a-long-password-1"}'
	expect_code 400 "$STORE_KIND: unknown role: "
	api root POST /api/v1/users '{"login":"x1","role":"viewer","password":"short"}'
	expect_code 400 "$STORE_KIND: short password: "
	api root POST /api/v1/users '{"login":"x1","role":"viewer","password":"a-long-password-1","admin":true}'
	expect_code 400 "$STORE_KIND: unknown field: "
	api root POST /api/v1/users '{"login":"x1","role":"viewer","unit_id":999999,"password":"a-long-password-1"}'
	expect_code 400 "$STORE_KIND: unknown unit: "
	api root POST /api/v1/users '{"login":"x\u0001y","role":"viewer","password":"a-long-password-1"}'
	expect_code 400 "$STORE_KIND: control character in a login: "
	api root POST /api/v1/users '{"login":"wide-viewer","role":"viewer","unit_id":null,"password":"a-long-password-1"}'
	expect_code 201 "$STORE_KIND: admin creates a province-wide viewer: "
	# the new account works, and its login is matched as text only
	curl -sS -o body -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data-binary "{\"login\":\"$nasty\",\"password\":\"a-long-password-1\"}" "$BASE/api/v1/auth/login" > code
	expect_code 200 "$STORE_KIND: login of the created user: "

	# --- read one ---
	local off2_id view1_id off1_id root_id
	off2_id=$(id_of off2)
	view1_id=$(id_of view1)
	off1_id=$(id_of off1)
	root_id=$(id_of root)
	api off1 GET "/api/v1/users/$off2_id"
	expect_code 403 "$STORE_KIND: officer reads a user of another unit: "
	api off1 GET "/api/v1/users/$sub"
	expect_code 200 "$STORE_KIND: officer reads a user below: "
	api view1 GET "/api/v1/users/$view1_id"
	expect_code 200 "$STORE_KIND: viewer reads itself: "
	api view1 GET "/api/v1/users/$off1_id"
	expect_code 403 "$STORE_KIND: viewer reads another: "
	api root GET /api/v1/users/999999
	expect_code 404 "$STORE_KIND: unknown id: "
	api root GET "/api/v1/users/1%27%20OR%201=1"
	expect_code 404 "$STORE_KIND: id with metacharacters: "

	# --- update ---
	api off1 PATCH "/api/v1/users/$view1_id" '{"display_name":"Viewer One"}'
	expect_code 200 "$STORE_KIND: officer renames a viewer: "
	[ "$(json '["display_name"]')" = "Viewer One" ] || fail "$STORE_KIND: rename: $(cat body)"
	api off1 PATCH "/api/v1/users/$view1_id" '{"role":"admin"}'
	expect_code 403 "$STORE_KIND: officer promotes to admin: "
	api off1 PATCH "/api/v1/users/$view1_id" "{\"unit_id\":$D2}"
	expect_code 403 "$STORE_KIND: officer moves a user out of its subtree: "
	api off1 PATCH "/api/v1/users/$view1_id" "{\"unit_id\":$D1A}"
	expect_code 200 "$STORE_KIND: officer moves a user within its subtree: "
	api off1 PATCH "/api/v1/users/$off2_id" '{"display_name":"nope"}'
	expect_code 403 "$STORE_KIND: officer changes a user of another unit: "
	api off1 PATCH "/api/v1/users/$root_id" '{"display_name":"nope"}'
	expect_code 403 "$STORE_KIND: officer changes an admin: "
	api off1 PATCH "/api/v1/users/$off1_id" '{"disabled":true}'
	expect_code 403 "$STORE_KIND: officer disables itself: "
	api off1 PATCH "/api/v1/users/$off1_id" '{"role":"viewer"}'
	expect_code 403 "$STORE_KIND: officer changes its own role: "
	api view1 PATCH "/api/v1/users/$view1_id" '{"display_name":"Me"}'
	expect_code 200 "$STORE_KIND: viewer renames itself: "
	api view1 PATCH "/api/v1/users/$view1_id" '{"role":"officer"}'
	expect_code 403 "$STORE_KIND: viewer promotes itself: "
	api view1 PATCH "/api/v1/users/$view1_id" '{"password":"a-long-password-2"}'
	expect_code 400 "$STORE_KIND: own password by PATCH: "
	api root PATCH "/api/v1/users/$view1_id" '{"disabled":"yes"}'
	expect_code 400 "$STORE_KIND: wrong type: "

	# --- disabling ends sessions and revokes tokens ---
	api view1 POST /api/v1/api-tokens '{"name":"view1 script"}'
	expect_code 201 "$STORE_KIND: viewer makes a token: "
	local vtok vtid
	vtok=$(json '["token"]')
	vtid=$(json '["id"]')
	api "token:$vtok" POST /api/v1/users "{\"login\":\"v3\",\"role\":\"viewer\",\"unit_id\":$D1,\"password\":\"a-long-password-1\"}"
	expect_code 403 "$STORE_KIND: viewer's token creates a user: "
	api off1 PATCH "/api/v1/users/$view1_id" '{"disabled":true}'
	expect_code 200 "$STORE_KIND: officer disables a viewer: "
	api view1 GET /api/v1/auth/me
	expect_code 401 "$STORE_KIND: session of a disabled user: "
	api "token:$vtok" GET /api/v1/auth/me
	expect_code 401 "$STORE_KIND: token of a disabled user: "
	api off1 PATCH "/api/v1/users/$view1_id" '{"disabled":false}'
	expect_code 200 "$STORE_KIND: re-enabled: "
	api view1 GET /api/v1/auth/me
	expect_code 401 "$STORE_KIND: the old session stays ended: "
	api "token:$vtok" GET /api/v1/auth/me
	expect_code 401 "$STORE_KIND: the old token stays revoked: "
	login_as view1

	# --- password reset by an administrator ends the sessions ---
	api root PATCH "/api/v1/users/$off2_id" '{"password":"reset-by-admin-1"}'
	expect_code 200 "$STORE_KIND: admin resets a password: "
	api off2 GET /api/v1/auth/me
	expect_code 401 "$STORE_KIND: session after a reset: "
	curl -sS -o body -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data-binary '{"login":"off2","password":"reset-by-admin-1"}' "$BASE/api/v1/auth/login" > code
	expect_code 200 "$STORE_KIND: login with the reset password: "

	# --- administrators: never themselves ---
	api root PATCH "/api/v1/users/$root_id" '{"disabled":true}'
	expect_code 403 "$STORE_KIND: admin disables itself: "
	api root PATCH "/api/v1/users/$root_id" '{"role":"viewer"}'
	expect_code 403 "$STORE_KIND: admin demotes itself: "
	api root DELETE "/api/v1/users/$root_id"
	expect_code 403 "$STORE_KIND: admin deletes itself: "
	api root POST /api/v1/users '{"login":"root2","role":"admin","password":"root2-password-123"}'
	expect_code 201 "$STORE_KIND: second admin: "
	local root2_id
	root2_id=$(json '["id"]')
	login_as root2
	api root2 PATCH "/api/v1/users/$root_id" '{"disabled":true}'
	expect_code 200 "$STORE_KIND: an admin disables another: "
	api root2 PATCH "/api/v1/users/$root2_id" '{"disabled":true}'
	expect_code 403 "$STORE_KIND: the last admin disables itself: "
	api root2 DELETE "/api/v1/users/$root2_id"
	expect_code 403 "$STORE_KIND: the last admin deletes itself: "
	api root2 PATCH "/api/v1/users/$root_id" '{"disabled":false}'
	expect_code 200 "$STORE_KIND: re-enabled admin: "
	login_as root

	# --- delete ---
	api off1 DELETE "/api/v1/users/$off2_id"
	expect_code 403 "$STORE_KIND: officer deletes in another unit: "
	api off1 DELETE "/api/v1/users/$sub"
	expect_code 204 "$STORE_KIND: officer deletes a viewer below: "
	api off1 GET "/api/v1/users/$sub"
	expect_code 404 "$STORE_KIND: deleted user: "
	api off1 DELETE "/api/v1/users/$sub"
	expect_code 404 "$STORE_KIND: deleted twice: "
	api root DELETE "/api/v1/users/$root2_id"
	expect_code 204 "$STORE_KIND: admin deletes an admin: "

	# --- API tokens: own, or anyone's for administrators ---
	api view1 POST /api/v1/api-tokens '{"name":"again","expires_days":7}'
	expect_code 201 "$STORE_KIND: token: "
	vtid=$(json '["id"]')
	api off1 GET "/api/v1/api-tokens?user=all"
	expect_code 403 "$STORE_KIND: officer lists all tokens: "
	api off1 GET "/api/v1/api-tokens?user=$view1_id"
	expect_code 403 "$STORE_KIND: officer lists another's tokens: "
	api root GET "/api/v1/api-tokens?user=all"
	expect_code 200 "$STORE_KIND: admin lists all tokens: "
	[ "$(json '["total"]')" = 2 ] || fail "$STORE_KIND: all tokens: $(cat body)"
	api off1 DELETE "/api/v1/api-tokens/$vtid"
	expect_code 404 "$STORE_KIND: officer revokes another's token: "
	api root DELETE "/api/v1/api-tokens/$vtid"
	expect_code 204 "$STORE_KIND: admin revokes another's token: "
	api root DELETE "/api/v1/api-tokens/$vtid"
	expect_code 204 "$STORE_KIND: revoking twice: "
	api root DELETE /api/v1/api-tokens/999999
	expect_code 404 "$STORE_KIND: unknown token: "
	stop_server

	# --- the audit log: every change, no secret ---
	case $STORE in
	sqlite:*) python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); [print('|'.join(map(str,r))) for r in c.execute('SELECT actor, action, details FROM audit_log')]" "${STORE#sqlite:}" ;;
	*) psql -qAt "$STORE" -c "SELECT actor, action, details FROM audit_log" ;;
	esac > audit.txt
	expect_grep '^off1\|user.create\|.*DROP TABLE' audit.txt
	expect_grep '^off1\|user.update\|.*"disabled":true' audit.txt
	expect_grep '^root\|user.update\|.*"password":"reset"' audit.txt
	expect_grep '^off1\|user.delete\|' audit.txt
	expect_grep '^root\|apitoken.revoke\|' audit.txt
	expect_no_grep 'password-1|reset-by-admin|rqt_|rqs_|argon2' audit.txt
}

for_each_store run
finish
