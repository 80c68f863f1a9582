#!/usr/bin/env bash
# Every queued event reaches the server's store exactly once: queued while
# the server is stopped and delivered when it is back (raquetd retrying
# with backoff); the server killed -9 in the middle of an upload and
# restarted; raquetd killed -9 in the middle of a flush and started again.
# Checked in the store: the set of UUIDs equals the set queued, one row each.
# An event the server refuses (400) does not block the others: it is
# replaced by an error event naming it.
source "$(dirname "$0")/lib.sh"

expect_exit 0 "$SERVER" unit add --store "$STORE" --name "UBND huyện B" --code HB
start_server
enroll_agent HB
OB="$ST/outbox.db"
export RQ_AGENT_BACKOFF_MAX_MS=1000 RQ_AGENT_BATCH_EVENTS=20
printf '[agent]\nheartbeat_interval = 5\nheartbeat_fixed = yes\n[log]\nlevel = debug\n' > agent.conf; printf "%s" "$NO_WATCH" >> agent.conf

queued() { status_json "s['outbox']['events']"; }
outbox_empty() { [ "$(queued)" = 0 ]; }
# check_store FILE...: the store's events of this endpoint are exactly the UUIDs listed
check_store() {
	cat "$@" | sort > want.txt
	sql "SELECT uuid FROM events WHERE endpoint_id = $EP" | sort > got.txt
	[ "$(sort -u want.txt | wc -l)" = "$(wc -l < want.txt)" ] || fail "the helper queued duplicate UUIDs"
	cmp -s want.txt got.txt ||
		fail "store differs from the queue: $(comm -23 want.txt got.txt | wc -l) missing, $(comm -13 want.txt got.txt | wc -l) extra"
}
stored() { sql "SELECT COUNT(*) FROM events WHERE endpoint_id = $EP"; }

# --- 1. server stopped while events are queued; delivered when it is back ---
stop_server
"$OUTBOX_PUT" "$OB" 250 detection > a1.txt || fail "outbox_put"
"$OUTBOX_PUT" "$OB" 50 scan > a2.txt || fail "outbox_put"
"$RAQUETD" --state-dir "$ST" --config agent.conf 2> raquetd.log &
APID=$!
contact_failed() { [ "$(status_json "s['last_contact'] and s['last_contact']['ok']")" = False ]; }
wait_for 10 contact_failed || fail "no failed contact recorded: $(cat status.json)"
sleep 2 # a few retries against the stopped server
[ "$(queued)" = 300 ] || fail "outbox while the server is down: $(queued)"
start_server
wait_for 30 outbox_empty || fail "outbox not emptied after the server came back: $(queued) left"
check_store a1.txt a2.txt
grep -q 'event upload failed' raquetd.log || fail "the failed uploads were not logged"
# events queued while everything runs arrive on their own
"$OUTBOX_PUT" "$OB" 30 error > a3.txt
wait_for 15 outbox_empty || fail "new events not delivered: $(queued) left"
check_store a1.txt a2.txt a3.txt

# --- 2. the server killed -9 in the middle of an upload ---
"$OUTBOX_PUT" "$OB" 2000 detection > b1.txt &
PUTPID=$!
base=$(stored)
some_arrived() { [ "$(stored)" -gt $((base + 200)) ]; }
wait_for 30 some_arrived || fail "upload did not start"
stop_server KILL
wait "$PUTPID" || fail "outbox_put"
[ "$(queued)" -gt 0 ] || fail "the kill came after the upload finished: not a mid-upload test"
sleep 1
start_server
wait_for 60 outbox_empty || fail "outbox not emptied after the server's restart: $(queued) left"
check_store a1.txt a2.txt a3.txt b1.txt

# --- 3. raquetd killed -9 in the middle of a flush ---
kill -TERM "$APID"
wait "$APID"
APID=
"$OUTBOX_PUT" "$OB" 2000 detection > c1.txt || fail "outbox_put"
base=$(stored)
RQ_AGENT_BATCH_EVENTS=10 "$RAQUETD" --once --state-dir "$ST" --config agent.conf 2> once.log &
APID=$!
wait_for 30 some_arrived || fail "flush did not start"
kill -KILL "$APID"
wait "$APID" 2>/dev/null
APID=
left=$(queued)
[ "$left" -gt 0 ] || fail "the kill came after the flush finished: not a mid-flush test"
expect_exit 0 "$RAQUETD" --once --state-dir "$ST" --config agent.conf
[ "$(queued)" = 0 ] || fail "outbox not empty after the second flush: $(queued)"
check_store a1.txt a2.txt a3.txt b1.txt c1.txt
total=$(cat a1.txt a2.txt a3.txt b1.txt c1.txt | wc -l)
[ "$(stored)" = "$total" ] || fail "store rows $(stored), queued $total"
[ "$(sql "SELECT COUNT(*) FROM events WHERE endpoint_id = $EP AND kind = 'scan'")" = 50 ] ||
	fail "scan summaries: $(sql "SELECT kind, COUNT(*) FROM events GROUP BY kind")"

# --- 4. an event the server will never take does not block the queue ---
"$OUTBOX_PUT" "$OB" 30 detection > d1.txt
"$OUTBOX_PUT" "$OB" 1 teleport > d2.txt
"$OUTBOX_PUT" "$OB" 30 detection > d3.txt
expect_exit 0 "$RAQUETD" --once --state-dir "$ST" --config agent.conf
[ "$(queued)" = 0 ] || fail "outbox not empty after a refused event: $(queued)"
expect_grep "the server refused event $(cat d2.txt) \(teleport\)" err
bad=$(cat d2.txt)
[ "$(sql "SELECT COUNT(*) FROM events WHERE endpoint_id = $EP AND uuid = '$bad'")" = 0 ] || fail "refused event stored"
[ "$(sql "SELECT COUNT(*) FROM events WHERE endpoint_id = $EP AND kind = 'error' AND payload LIKE '%$bad%'")" = 1 ] ||
	fail "no error event naming the refused one: $(sql "SELECT kind, payload FROM events WHERE kind = 'error' LIMIT 3")"
for f in d1.txt d3.txt; do
	while read -r u; do echo "$u"; done < "$f"
done | sort > d13.txt
sql "SELECT uuid FROM events WHERE endpoint_id = $EP" | sort | comm -23 d13.txt - > missing.txt
[ ! -s missing.txt ] || fail "events around the refused one missing: $(wc -l < missing.txt)"
stop_server
finish
