#!/usr/bin/env bash
# Authentication of the admin API over real HTTP, on SQLite and PostgreSQL:
# the first start prints the administrator's password once; login (right,
# wrong, unknown, disabled: one answer for all failures), the cookie's
# flags, CSRF refused when missing or wrong while GET works, logout ending
# the session server-side, the idle expiry, API tokens (revoked and
# expired ones refused), the own password change ending other sessions,
# `user passwd`, SQL metacharacters in logins, and the login throttle.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"

# sql TEXT: run one statement on the store of this run (tests only: the
# server never takes SQL from outside).
sql() {
	case $STORE in
	sqlite:*) python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()" \
		"${STORE#sqlite:}" "$1" ;;
	*) psql -q "$STORE" -c "$1" > /dev/null ;;
	esac
}

# login_raw LOGIN PASSWORD: POST /auth/login, headers -> headers, status -> code
# (the JSON is written here: quotes and backslashes escaped, no python start-up)
login_raw() {
	local l=${1//\\/\\\\} p=${2//\\/\\\\}
	l=${l//\"/\\\"}
	p=${p//\"/\\\"}
	printf '{"login":"%s","password":"%s"}' "$l" "$p" > req.json
	curl -sS -D headers -o body -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data-binary @req.json "$BASE/api/v1/auth/login" > code
}

cookie_of() { sed -n 's/^Set-Cookie: rq_session=\([^;]*\);.*/\1/ip' headers | tr -d '\r'; }

run() {
	rm -f "$WORK"/*.jar "$WORK"/*.csrf
	# --- first start: the administrator is made and its password printed once ---
	start_server > boot1.out
	expect_grep '^    login: +admin$' boot1.out
	expect_grep 'will not be shown again' boot1.out
	local pw
	pw=$(sed -n 's/^    password: \(.*\)$/\1/p' boot1.out)
	[ "${#pw}" -ge 20 ] || fail "$STORE_KIND: bootstrap password too short: '${pw}'"
	expect_no_grep "$pw" "$WORK/server.log"
	login_raw admin "$pw"
	expect_code 200 "$STORE_KIND: bootstrap admin login: "
	stop_server
	start_server > boot2.out
	expect_no_grep 'password' boot2.out
	login_raw admin "$pw"
	expect_code 200 "$STORE_KIND: admin login after restart: "

	# --- login: answer, cookie flags ---
	make_user "o'brien;--%_" officer
	make_user viewer1 viewer
	login_raw "o'brien;--%_" "o'brien;--%_-password-123"
	expect_code 200 "$STORE_KIND: login with metacharacters: "
	[ "$(json '["user"]["login"]')" = "o'brien;--%_" ] || fail "$STORE_KIND: login echoed wrong: $(cat body)"
	[ "$(json '["user"]["role"]')" = officer ] || fail "$STORE_KIND: role: $(cat body)"
	json '["user"]' | grep -q password && fail "$STORE_KIND: the user answer holds a password field"
	expect_grep '^Set-Cookie: rq_session=rqs_[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/; Max-Age=604800' headers
	expect_no_grep 'Secure' headers
	[ "$(json '["csrf_token"]' | cut -c1-4)" = rqc_ ] || fail "$STORE_KIND: no csrf token: $(cat body)"

	# --- failures: one answer for wrong password, unknown login, disabled ---
	login_raw viewer1 wrong-password-here
	expect_code 401 "$STORE_KIND: wrong password: "
	cp body wrong.json
	login_raw nobody-at-all whatever-password
	expect_code 401 "$STORE_KIND: unknown login: "
	cmp -s body wrong.json || fail "$STORE_KIND: unknown login answered differently: $(cat body) vs $(cat wrong.json)"
	login_raw "' OR '1'='1" "' OR '1'='1"
	expect_code 401 "$STORE_KIND: injection login: "
	sql "UPDATE users SET disabled = 1 WHERE login = 'viewer1'"
	login_raw viewer1 viewer1-password-123
	expect_code 401 "$STORE_KIND: disabled user: "
	cmp -s body wrong.json || fail "$STORE_KIND: disabled answered differently"
	sql "UPDATE users SET disabled = 0 WHERE login = 'viewer1'"
	api - POST /api/v1/auth/login '{"login":"viewer1"}'
	expect_code 400 "$STORE_KIND: missing password: "
	api - POST /api/v1/auth/login '{"login":"viewer1","password":"x","extra":1}'
	expect_code 400 "$STORE_KIND: unknown field: "
	api - POST /api/v1/auth/login '{"login":7,"password":"x"}'
	expect_code 400 "$STORE_KIND: wrong type: "
	# four failures from this address so far: a fresh server forgets them
	stop_server
	start_server > /dev/null

	# --- session: GET without CSRF works, unsafe methods need it ---
	login_as viewer1
	curl -sS -o body -w '%{http_code}' -b "$WORK/viewer1.jar" "$BASE/api/v1/auth/me" > code
	expect_code 200 "$STORE_KIND: me without CSRF header: "
	[ "$(json '["csrf_token"]')" = "$(cat "$WORK/viewer1.csrf")" ] || fail "$STORE_KIND: me's csrf differs"
	[ "$(json '["user"]["login"]')" = viewer1 ] || fail "$STORE_KIND: me: $(cat body)"
	curl -sS -o body -w '%{http_code}' -X POST -b "$WORK/viewer1.jar" "$BASE/api/v1/auth/logout" > code
	expect_code 403 "$STORE_KIND: logout without CSRF: "
	[ "$(json '["error"]')" = csrf ] || fail "$STORE_KIND: csrf error code: $(cat body)"
	curl -sS -o body -w '%{http_code}' -X POST -b "$WORK/viewer1.jar" -H "X-CSRF-Token: rqc_wrong" \
		"$BASE/api/v1/auth/logout" > code
	expect_code 403 "$STORE_KIND: logout with a wrong CSRF: "
	api - GET /api/v1/auth/me
	expect_code 401 "$STORE_KIND: me without a session: "
	curl -sS -o body -w '%{http_code}' -H 'Cookie: rq_session=rqs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' \
		"$BASE/api/v1/auth/me" > code
	expect_code 401 "$STORE_KIND: forged session: "

	# --- logout ends the session on the server, not just in the browser ---
	local cookie
	cookie=$(awk '$6 == "rq_session" {print $7}' "$WORK/viewer1.jar")
	api viewer1 POST /api/v1/auth/logout
	expect_code 204 "$STORE_KIND: logout: "
	curl -sS -o body -w '%{http_code}' -H "Cookie: rq_session=$cookie" "$BASE/api/v1/auth/me" > code
	expect_code 401 "$STORE_KIND: session after logout: "

	# --- API tokens: shown once, usable, revoked and expired refused ---
	login_as viewer1
	api viewer1 POST /api/v1/api-tokens '{"name":"nightly report","expires_days":30}'
	expect_code 201 "$STORE_KIND: create API token: "
	local tok tid
	tok=$(json '["token"]')
	tid=$(json '["id"]')
	case $tok in rqt_*) ;; *) fail "$STORE_KIND: token shape: $tok" ;; esac
	api "token:$tok" GET /api/v1/auth/me
	expect_code 200 "$STORE_KIND: me by token: "
	[ "$(json '["auth"]')" = token ] || fail "$STORE_KIND: auth kind: $(cat body)"
	# a token needs no CSRF: it is not sent by browsers on their own
	api "token:$tok" POST /api/v1/api-tokens '{"name":"second"}'
	expect_code 201 "$STORE_KIND: token creating a token: "
	local tok2 tid2
	tok2=$(json '["token"]')
	tid2=$(json '["id"]')
	api viewer1 GET /api/v1/api-tokens
	expect_code 200 "$STORE_KIND: list tokens: "
	[ "$(json '["total"]')" = 2 ] || fail "$STORE_KIND: token count: $(cat body)"
	grep -q "$tok" body && fail "$STORE_KIND: the token value is listed again"
	grep -q "$tok" "$WORK/server.log" && fail "$STORE_KIND: the token value is in the log"
	api viewer1 DELETE "/api/v1/api-tokens/$tid"
	expect_code 204 "$STORE_KIND: revoke token: "
	api "token:$tok" GET /api/v1/auth/me
	expect_code 401 "$STORE_KIND: revoked token: "
	sql "UPDATE api_tokens SET expires_at = 1000 WHERE id = $tid2"
	api "token:$tok2" GET /api/v1/auth/me
	expect_code 401 "$STORE_KIND: expired token: "
	api "token:rqt_garbage" GET /api/v1/auth/me
	expect_code 401 "$STORE_KIND: malformed token: "
	api viewer1 POST /api/v1/api-tokens '{"name":"x","expires_days":0}'
	expect_code 400 "$STORE_KIND: expires_days 0: "

	# --- own password change: old one needed; other sessions end ---
	cp "$WORK/viewer1.jar" "$WORK/other.jar"
	login_as viewer1
	api viewer1 POST /api/v1/auth/password '{"old_password":"nope-nope-nope","new_password":"brand-new-password-1"}'
	expect_code 403 "$STORE_KIND: password change with a wrong old one: "
	api viewer1 POST /api/v1/auth/password '{"old_password":"viewer1-password-123","new_password":"short"}'
	expect_code 400 "$STORE_KIND: too short a new password: "
	api viewer1 POST /api/v1/auth/password '{"old_password":"viewer1-password-123","new_password":"brand-new-password-1"}'
	expect_code 200 "$STORE_KIND: password change: "
	[ "$(json '["sessions_ended"]')" = 1 ] || fail "$STORE_KIND: sessions ended: $(cat body)"
	api viewer1 GET /api/v1/auth/me
	expect_code 200 "$STORE_KIND: the changing session stays: "
	curl -sS -o body -w '%{http_code}' -b "$WORK/other.jar" "$BASE/api/v1/auth/me" > code
	expect_code 401 "$STORE_KIND: the other session ended: "
	login_raw viewer1 brand-new-password-1
	expect_code 200 "$STORE_KIND: login with the new password: "
	grep -q 'brand-new-password-1' "$WORK/server.log" && fail "$STORE_KIND: a password is in the log"

	# --- user passwd: the operator's way back in ---
	printf 'operator-set-password\n' | "$SERVER" user passwd --store "$STORE" --login viewer1 --password-stdin \
		> passwd.out 2> passwd.err || fail "$STORE_KIND: user passwd: $(cat passwd.err)"
	login_raw viewer1 operator-set-password
	expect_code 200 "$STORE_KIND: login after user passwd: "
	printf 'short\n' | "$SERVER" user passwd --store "$STORE" --login viewer1 --password-stdin \
		> passwd.out 2> passwd.err && fail "$STORE_KIND: user passwd took a short password"
	expect_grep 'at least 10' passwd.err

	stop_server

	# --- idle sessions end (--session-idle 2) ---
	start_server --session-idle 2 > /dev/null
	login_raw viewer1 operator-set-password
	cookie=$(cookie_of)
	curl -sS -o body -w '%{http_code}' -H "Cookie: rq_session=$cookie" "$BASE/api/v1/auth/me" > code
	expect_code 200 "$STORE_KIND: fresh session: "
	sleep 3
	curl -sS -o body -w '%{http_code}' -H "Cookie: rq_session=$cookie" "$BASE/api/v1/auth/me" > code
	expect_code 401 "$STORE_KIND: idle session: "
	stop_server

	# --- throttle: after RQ_THROTTLE_FREE failures, 429 with Retry-After ---
	start_server > /dev/null
	for _ in 1 2 3 4 5; do
		login_raw viewer1 wrong-password-here
		expect_code 401 "$STORE_KIND: failure before the throttle: "
	done
	login_raw viewer1 operator-set-password
	expect_code 429 "$STORE_KIND: throttled login: "
	expect_grep '^Retry-After: [0-9]+' headers
	stop_server

	# --- the audit log holds logins, failures and no secret ---
	case $STORE in
	sqlite:*) python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); [print('|'.join(map(str,r))) for r in c.execute('SELECT actor, action, details FROM audit_log')]" "${STORE#sqlite:}" ;;
	*) psql -qAt "$STORE" -c "SELECT actor, action, details FROM audit_log" ;;
	esac > audit.txt
	expect_grep '^viewer1\|auth.login\|' audit.txt
	expect_grep '^viewer1\|auth.login_failed\|.*wrong password' audit.txt
	expect_grep '^anonymous\|auth.login_failed\|.*unknown login' audit.txt
	expect_grep '^viewer1\|auth.password\|' audit.txt
	expect_grep '^viewer1\|apitoken.create\|' audit.txt
	expect_grep '^viewer1\|apitoken.revoke\|' audit.txt
	expect_no_grep 'password-123|brand-new|operator-set|rqt_|rqs_' audit.txt
}

for_each_store run
finish
