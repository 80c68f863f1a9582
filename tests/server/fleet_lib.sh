# Helpers of the fleet's admin API tests (test_admin_fleet.sh,
# test_admin_tasks.sh; source after admin_lib.sh): a machine speaking the
# real agent API, list totals, refusals naming a parameter, audit counts.
#   enroll TOKEN HOSTNAME [KIND]  -> $EP_ID, $EP_CRED
#   agent_post CRED PATH BODY     POST /api/v1/agent/PATH as that machine
#   expect_total AS PATH WANT     the list's "total"
#   expect_400 AS PATH WORD       400 whose reason names WORD
#   audit_count ACTION            rows of the audit log with that action
#   fleet_setup UA UA1 UB         the unit tree, tokens, users of both tests

agent_post() {
	curl -sS -o body -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		-H "Authorization: Bearer $1" --data-binary "$3" "$BASE/api/v1/agent$2" > code 2> curl.err
}

enroll() {
	curl -sS -o body -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data-binary "{\"token\":\"$1\",\"hostname\":\"$2\",\"kind\":\"${3:-workstation}\",\"machine_id\":\"m-$2\"}" \
		"$BASE/api/v1/agent/enroll" > code 2> curl.err
	expect_code 201 "enroll $2: "
	EP_ID=$(json '["endpoint_id"]')
	EP_CRED=$(json '["credential"]')
}

expect_total() {
	api "$1" GET "$2"
	expect_code 200 "$1 GET $2: "
	[ "$(json '["total"]')" = "$3" ] || fail "$1 GET $2: total $(json '["total"]'), want $3"
}

expect_400() {
	api "$1" GET "$2"
	expect_code 400 "$1 GET $2: "
	grep -q -- "$3" body || fail "$1 GET $2: the reason does not name $3: $(cat body)"
}

audit_count() {
	if [ "$STORE_KIND" = sqlite ]; then
		python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT COUNT(*) FROM audit_log WHERE action = ?\", (sys.argv[2],)).fetchone()[0])" "${STORE#sqlite:}" "$1"
	else
		psql -tA "$STORE" -c "SELECT COUNT(*) FROM audit_log WHERE action = '$1'"
	fi
}

# fleet_setup USES_A USES_A1 USES_B: units P > A > A1 and P > B, an enrollment
# token per leaf unit with that many uses (TOK_A, TOK_A1, TOK_B), the users
# root (admin), off_a and view_a (officer, viewer of A) and off_b (officer of
# B), the server started and everyone logged in.
fleet_setup() {
	"$SERVER" unit add --store "$STORE" --name "Tỉnh" --code P > /dev/null || fail "unit P"
	"$SERVER" unit add --store "$STORE" --name "Agency A" --code A --parent P > /dev/null || fail "unit A"
	"$SERVER" unit add --store "$STORE" --name "Sub A1" --code A1 --parent A > /dev/null || fail "unit A1"
	"$SERVER" unit add --store "$STORE" --name "Borough B" --code B --parent P > /dev/null || fail "unit B"
	TOK_A=$("$SERVER" token create --store "$STORE" --unit A --uses "$1" --days 1 2> /dev/null)
	TOK_A1=$("$SERVER" token create --store "$STORE" --unit A1 --uses "$2" --days 1 2> /dev/null)
	TOK_B=$("$SERVER" token create --store "$STORE" --unit B --uses "$3" --days 1 2> /dev/null)
	make_user root admin
	make_user off_a officer A
	make_user view_a viewer A
	make_user off_b officer B
	start_server
	for u in root off_a view_a off_b; do login_as "$u"; done
}
