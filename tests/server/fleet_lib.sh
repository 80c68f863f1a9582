# Helpers of the fleet's admin API tests (test_admin_fleet.sh,
# test_admin_tasks.sh; source after admin_lib.sh): a machine speaking the
# real agent API, list totals, refusals naming a parameter, audit counts.
#   enroll TOKEN HOSTNAME [KIND]  -> $EP_ID, $EP_CRED
#   agent_post CRED PATH BODY     POST /api/v1/agent/PATH as that machine
#   expect_total AS PATH WANT     the list's "total"
#   expect_400 AS PATH WORD       400 whose reason names WORD
#   audit_count ACTION            rows of the audit log with that action

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
