# Helpers for the admin API tests (source after tests/cli/lib.sh): start a
# real raquet-server on loopback over a fresh SQLite store (or $RQ_TEST_STORE
# when set), make users with the operator command, log in as them and call
# the API with the session cookie and CSRF token, or with an API token.
#
#   start_server                 -> $PID, $PORT, $BASE (http://127.0.0.1:PORT)
#   start_server_logged LOG STORE [ARGS]  the same with another log and store
#   unit_add NAME CODE [PARENT_CODE]   prints the new unit's id
#   make_user LOGIN ROLE [UNIT_CODE]   (password: "$LOGIN-password-123")
#   login_as LOGIN               -> cookie jar $WORK/LOGIN.jar, CSRF in $WORK/LOGIN.csrf
#   api AS METHOD PATH [BODY]    -> status in `code`, body in `body`
#                                  (AS: a login, "token:TOKEN" or "-" for nobody)
#   expect_code CODE             fails unless the last status is CODE
#   json EXPR                    python expression on the last body: json '["items"][0]["id"]'
STORE=${RQ_TEST_STORE:-sqlite:$WORK/store.sqlite}
PID=
trap 'stop_server; rm -rf "$WORK"' EXIT

start_server() { start_server_logged "$WORK/server.log" "$STORE" "$@"; }

# start_server_logged LOG STORE [ARGS...]: a server of another store, logging to LOG
start_server_logged() {
	local log=$1 store=$2
	shift 2
	"$SERVER" --foreground --plain-http --listen 127.0.0.1:0 --store "$store" "$@" 2> "$log" &
	PID=$!
	PORT=
	for _ in $(seq 600); do # up to 30 s on a loaded machine
		PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" 2>/dev/null)
		[ -n "$PORT" ] && break
		sleep 0.05
	done
	[ -n "$PORT" ] || { fail "server did not start: $(cat "$log")"; finish; }
	BASE=http://127.0.0.1:$PORT
}

stop_server() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	PID=
}

unit_add() {
	"$SERVER" unit add --store "$STORE" --name "$1" --code "$2" ${3:+--parent "$3"} > "$WORK/unit.out" 2>&1 ||
		fail "unit add $2: $(cat "$WORK/unit.out")"
	sed -n 's/^unit \([0-9]*\):.*/\1/p' "$WORK/unit.out"
}

make_user() {
	local login=$1 role=$2 unit=${3:-}
	printf '%s\n' "$login-password-123" |
		"$SERVER" user add --store "$STORE" --login "$login" --role "$role" \
			${unit:+--unit "$unit"} --password-stdin > "$WORK/user.out" 2> "$WORK/user.err" ||
		fail "user add $login: $(cat "$WORK/user.err")"
}

login_as() {
	local login=$1
	curl -sS -o "$WORK/body" -w '%{http_code}' -c "$WORK/$login.jar" -X POST \
		-H 'Content-Type: application/json' \
		--data-binary "{\"login\":\"$login\",\"password\":\"$login-password-123\"}" \
		"$BASE/api/v1/auth/login" > "$WORK/code" 2> "$WORK/curl.err"
	[ "$(cat "$WORK/code")" = 200 ] || fail "login $login: $(cat "$WORK/code") $(head -c 300 "$WORK/body")"
	python3 -c "import json; print(json.load(open('$WORK/body'))['csrf_token'])" > "$WORK/$login.csrf"
}

api() {
	local as=$1 method=$2 path=$3 data=${4:-}
	local args=(-sS -o "$WORK/body" -w '%{http_code}' -X "$method")
	case $as in
	-) ;;
	token:*) args+=(-H "Authorization: Bearer ${as#token:}") ;;
	*) args+=(-b "$WORK/$as.jar" -H "X-CSRF-Token: $(cat "$WORK/$as.csrf")") ;;
	esac
	[ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	curl "${args[@]}" "$BASE$path" > "$WORK/code" 2> "$WORK/curl.err"
	cp "$WORK/code" code
	cp "$WORK/body" body
}

expect_code() { [ "$(cat code)" = "$1" ] || fail "${2:-}status $(cat code), want $1: $(head -c 400 body)"; }
json() { python3 -c "import json,sys; print(json.load(open('body'))$1)"; }

# for_each_store FUNC: run FUNC with $STORE a fresh SQLite file, then again
# with a fresh PostgreSQL database when RQ_TEST_PG_URL is set (the test
# cluster of scripts/with-pg.sh); the server is stopped after each run.
# $STORE_KIND is "sqlite" or "postgres" during the run.
for_each_store() {
	local fn=$1 n=0
	STORE_KIND=sqlite
	STORE=sqlite:$WORK/store-$$.sqlite
	rm -f "$WORK"/store-$$.sqlite*
	"$fn"
	stop_server
	[ -n "${RQ_TEST_PG_URL:-}" ] || return 0
	local db="rqt_$(basename "$WORK" | tr -dc 'a-zA-Z0-9' | tr 'A-Z' 'a-z')_$((n++))"
	psql -q "$RQ_TEST_PG_URL" -c "CREATE DATABASE $db" > /dev/null || { fail "cannot create PostgreSQL database $db"; return 0; }
	STORE_KIND=postgres
	STORE="${RQ_TEST_PG_URL%/*}/$db"
	rm -f "$WORK"/*.jar "$WORK"/*.csrf
	"$fn"
	stop_server
	psql -q "$RQ_TEST_PG_URL" -c "DROP DATABASE $db WITH (FORCE)" > /dev/null || true
}
