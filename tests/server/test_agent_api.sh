#!/usr/bin/env bash
# The agent API of raquet-server over real HTTP on loopback, with the real
# store: a unit and an enrollment token made by the operator commands;
# enroll (token used up, then refused; a cloned machine gets a new
# endpoint); heartbeats answered only with a valid credential; event
# batches acknowledged after commit, replays adding nothing; malformed
# bodies refused with the field named; SQL metacharacters stored as text;
# kill -9 right after an acknowledgement loses nothing.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
source "$(dirname "$0")/../cli/lib.sh" "$SERVER"
PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
STORE="sqlite:$WORK/store.sqlite"

start_server() {
	"$SERVER" --foreground --plain-http --listen 127.0.0.1:0 --store "$STORE" 2> server.log &
	PID=$!
	PORT=
	for _ in $(seq 100); do
		PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' server.log)
		[ -n "$PORT" ] && break
		sleep 0.05
	done
	[ -n "$PORT" ] || { fail "server did not start: $(cat server.log)"; finish; }
	B=http://127.0.0.1:$PORT/api/v1/agent
}

# post PATH BODY [curl args]: body -> body, status -> code
post() {
	local path=$1 data=$2
	shift 2
	curl -sS -o body -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data-binary "$data" "$@" "$B$path" > code 2> curl.err
}
expect_code() { [ "$(cat code)" = "$1" ] || fail "status $(cat code), want $1: $(head -c 400 body)"; }
json() { python3 -c "import json,sys; print(json.load(open('body'))$1)"; }

expect_exit 0 "$SERVER" unit add --store "$STORE" --name "Sở Thông tin và Truyền thông" --code STTTT
expect_grep '^unit [0-9]+: Sở Thông tin và Truyền thông \(STTTT\)$' out
expect_exit 0 "$SERVER" unit add --store "$STORE" --name "UBND huyện A" --code HA --parent STTTT
expect_exit 1 "$SERVER" unit add --store "$STORE" --name "x" --code Y --parent NOPE
expect_grep "no unit with code 'NOPE'" err
expect_exit 0 "$SERVER" token create --store "$STORE" --unit HA --uses 2 --days 3
TOKEN=$(cat out)
expect_grep 'shown once' err
[[ "$TOKEN" =~ ^rqe_[A-Za-z0-9_-]{43}$ ]] || fail "token shape: $TOKEN"

start_server

# --- enroll ---
post /enroll "{\"token\":\"$TOKEN\",\"hostname\":\"pc-01'; DROP TABLE endpoints;--\",\"kind\":\"workstation\",\"machine_id\":\"abc\",\"os\":{\"name\":\"Debian GNU/Linux\",\"version\":\"12\"}}"
expect_code 201
CRED=$(json '["credential"]')
EP=$(json '["endpoint_id"]')
[[ "$CRED" =~ ^$EP\.rqa_ ]] || fail "credential shape: $CRED"
# the same machine again (a clone): a second endpoint, never merged
post /enroll "{\"token\":\"$TOKEN\",\"hostname\":\"pc-01'; DROP TABLE endpoints;--\",\"machine_id\":\"abc\"}"
expect_code 201
[ "$(json '["endpoint_id"]')" != "$EP" ] || fail "a cloned machine merged into the first endpoint"
# token used up (2 uses)
post /enroll "{\"token\":\"$TOKEN\",\"hostname\":\"pc-02\"}"
expect_code 403
expect_grep '"error":"bad_token"' body
post /enroll '{"token":"rqe_nope","hostname":"x"}'
expect_code 403
post /enroll '{"token":"x","hostname":"x","surprise":1}'
expect_code 400
expect_grep 'surprise' body
post /enroll '{"token":"x"}'
expect_code 400
expect_grep 'hostname' body
post /enroll '{"token":"x","hostname":"x","kind":"toaster"}'
expect_code 400
expect_grep 'kind' body
post /enroll '{not json'
expect_code 400

# --- heartbeat ---
HB='{"hostname":"pc-01","agent_version":"0.1.0","interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","addresses":["10.0.0.5"]}],"firewall":{"state":"on","source":"nftables"},"realtime":{"state":"off","reason":"container"},"databases":{"main":{"version":7,"built":1764000000}}}'
post /heartbeat "$HB" -H "Authorization: Bearer $CRED"
expect_code 200
[ "$(json '["tasks"]')" = "[]" ] || fail "tasks: $(cat body)"
post /heartbeat "$HB"
expect_code 401
post /heartbeat "$HB" -H "Authorization: Bearer $EP.rqa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect_code 401
OTHER=$((EP + 1000))
post /heartbeat "$HB" -H "Authorization: Bearer $OTHER.${CRED#*.}"
expect_code 401
post /heartbeat '{"hostname":7}' -H "Authorization: Bearer $CRED"
expect_code 400
expect_grep 'hostname' body

# --- events ---
U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
EV="{\"events\":[{\"uuid\":\"$U1\",\"kind\":\"detection\",\"time\":1764000100,\"payload\":{\"path\":\"/home/a/x'; --.exe\",\"sha256\":\"$(printf a%.0s {1..64})\",\"name\":\"Win.Trojan.Test\",\"state\":\"active\"}},{\"uuid\":\"$U2\",\"kind\":\"scan\",\"time\":1764000200,\"payload\":{\"scan_kind\":\"full\",\"started\":1764000000,\"finished\":1764000200,\"files\":1200,\"infected\":1}}]}"
post /events "$EV" -H "Authorization: Bearer $CRED"
expect_code 200
[ "$(json '["new"]')" = 2 ] || fail "new events: $(cat body)"
expect_grep "$U1" body
expect_grep "$U2" body
# replayed: acknowledged again, nothing added
post /events "$EV" -H "Authorization: Bearer $CRED"
expect_code 200
[ "$(json '["new"]')" = 0 ] || fail "a replayed batch added events: $(cat body)"
post /events '{"events":[{"uuid":"short","kind":"scan","time":1}]}' -H "Authorization: Bearer $CRED"
expect_code 400
post /events "{\"events\":[{\"uuid\":\"$U1\",\"kind\":\"teleport\",\"time\":1}]}" -H "Authorization: Bearer $CRED"
expect_code 400
expect_grep 'events\[0\].kind' body
post /events "$EV"
expect_code 401

# --- task results: none exist for this endpoint ---
post /tasks/99/result '{"state":"done"}' -H "Authorization: Bearer $CRED"
expect_code 404
post /tasks/abc/result '{"state":"done"}' -H "Authorization: Bearer $CRED"
expect_code 400
post /tasks/99/result '{"state":"exploded"}' -H "Authorization: Bearer $CRED"
expect_code 400

# --- kill -9 right after an acknowledgement: the events are there after a restart ---
U3=33333333-3333-4333-8333-333333333333
post /events "{\"events\":[{\"uuid\":\"$U3\",\"kind\":\"error\",\"time\":1764000300,\"payload\":{\"message\":\"x\"}}]}" -H "Authorization: Bearer $CRED"
expect_code 200
kill -KILL "$PID"
wait "$PID" 2>/dev/null
PID=
python3 - "$WORK/store.sqlite" "$U1" "$U2" "$U3" <<'PY' || fail "acknowledged events missing after kill -9"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("SELECT COUNT(*) FROM events WHERE uuid IN (?, ?, ?)", sys.argv[2:5]).fetchone()[0]
assert n == 3, n
host = db.execute("SELECT hostname FROM endpoints ORDER BY id LIMIT 1").fetchone()[0]
assert host == "pc-01", host  # the heartbeat's name replaced the enrolled one
PY
start_server
post /heartbeat "$HB" -H "Authorization: Bearer $CRED"
expect_code 200
kill -TERM "$PID"
wait "$PID"
PID=
finish
