#!/usr/bin/env bash
# No report is lost when the agent's disk fills up, or while the server is
# away with reports piling up. The state folder is a 4 MiB tmpfs (root only;
# skipped where mount is refused); a ballast file takes all its free space.
# 1-2. Server stopped, raquetd retrying: events are queued, the disk fills,
#      and queueing goes on until it is refused ("disk full"), cleanly: the
#      outbox stays whole, what was refused is not in it, raquetd runs on.
# 3.   The server back, the disk still full: everything is delivered and
#      removed from the outbox.
# 4.   The reserve: the write-ahead log emptied (as after every
#      acknowledgement), then the disk filled: deleting acknowledged events
#      needs new pages, which only the released reserve file gives.
# 5.   raquetd started on a full disk (a reboot): opening the outbox needs
#      room too; it still delivers everything.
# 6.   The ballast gone: queueing works again, the reserve is put back.
# 7.   A long outage: 3,000 events (detections, actions, scan summaries,
#      errors) from several producers at once while raquetd keeps retrying,
#      all delivered when the server is back.
# Checked in the server's store each time: its events are exactly the UUIDs
# whose put succeeded (the helper prints a UUID once it is on disk), and each
# scan event made exactly one scan_summaries row (the store's primary key
# hides a repeated event; a repeated summary shows). The outbox's size cap is
# not tested here: raquetd and the helper open the outbox with the default cap
# (64 MiB, far above this disk) and set none, so no event may be dropped and
# no outbox-dropped count may arrive; the cap's policy is in test_outbox.c.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the disk-full tests need root (to mount a small tmpfs)"
	exit 0
fi
mkdir -p "$ST"
if ! mount -t tmpfs -o size=4m,mode=0700 tmpfs "$ST" 2> mount.err; then
	echo "SKIP: cannot mount a tmpfs for the state folder: $(cat mount.err)"
	exit 0
fi
# raquetd must be gone before the tmpfs can be unmounted
trap '[ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null; [ -n "$APID" ] && kill -KILL "$APID" 2>/dev/null && wait "$APID" 2>/dev/null; umount "$ST" 2>/dev/null || umount -l "$ST"; rm -rf "$WORK"' EXIT

expect_exit 0 "$SERVER" unit add --store "$STORE" --name "UBND xã Đầy" --code XD
start_server
enroll_agent XD
OB="$ST/outbox.db"
export RQ_AGENT_BACKOFF_MAX_MS=1000 RQ_AGENT_BATCH_EVENTS=100
printf '[agent]\nheartbeat_interval = 5\nheartbeat_fixed = yes\n[log]\nlevel = debug\n' > agent.conf
printf "%s" "$NO_WATCH" >> agent.conf

queued() { status_json "s['outbox']['events']"; }
outbox_empty() { [ "$(queued)" = 0 ]; }
# delivered: the store holds as many events as were put and the outbox is empty
delivered() { [ "$(sql "SELECT COUNT(*) FROM events WHERE endpoint_id = $EP")" = "$(cat put-*.txt | wc -l)" ] && outbox_empty; }
# fill_disk: a ballast file takes every free byte of the state folder
fill_disk() {
	dd if=/dev/zero of="$ST/ballast" bs=64k 2> /dev/null # until ENOSPC
	[ "$(free_bytes)" = 0 ] || fail "the ballast did not fill the disk: $(free_bytes) bytes free"
}
still_full() { [ -f "$ST/ballast" ] && [ "$(free_bytes)" -lt $((2 * 1024 * 1024)) ] || fail "the disk was not full any more ($1)"; }
# agent_alive WHEN: raquetd is still running (else nothing more can be checked)
agent_alive() { kill -0 "$APID" 2> /dev/null || { fail "raquetd died ($1): $(tail -3 raquetd.log)"; finish; }; }
# delivered_or_dead: as delivered, or raquetd is gone (no use waiting)
delivered_or_dead() { ! kill -0 "$APID" 2> /dev/null || delivered; }
free_bytes() { df --output=avail -B1 "$ST" | tail -1 | tr -d ' '; }
# outbox_sql QUERY: on the agent's outbox, read-only (raquetd has it open)
outbox_sql() {
	python3 - "$OB" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=10)
for row in db.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
}
# check_store: the store's events of this endpoint are exactly the UUIDs put
# (put-*.txt), one each, and the scan events exactly the scan summaries
check_store() {
	cat put-*.txt | sort > want.txt
	[ "$(sort -u want.txt | wc -l)" = "$(wc -l < want.txt)" ] || fail "the helper queued duplicate UUIDs"
	sql "SELECT uuid FROM events WHERE endpoint_id = $EP" | sort > got.txt
	cmp -s want.txt got.txt ||
		fail "store differs from what was put ($1): $(comm -23 want.txt got.txt | wc -l) missing," \
			"$(comm -13 want.txt got.txt | wc -l) extra of $(wc -l < want.txt)"
	cat put-*-scan.txt | sort > want-scan.txt
	sql "SELECT event_uuid FROM scan_summaries WHERE endpoint_id = $EP" | sort > got-scan.txt
	cmp -s want-scan.txt got-scan.txt ||
		fail "scan summaries differ from the scans put ($1): $(comm -23 want-scan.txt got-scan.txt | wc -l)" \
			"missing, $(comm -13 want-scan.txt got-scan.txt | wc -l) extra or repeated"
	[ "$(sql "SELECT COUNT(*) FROM events WHERE endpoint_id = $EP AND payload LIKE '%\"dropped\"%'")" = 0 ] ||
		fail "events were dropped ($1): $(sql "SELECT payload FROM events WHERE payload LIKE '%\"dropped\"%'")"
}

# --- 1. the server stopped: raquetd keeps retrying while events are queued ---
stop_server
"$RAQUETD" --state-dir "$ST" --config agent.conf 2> raquetd.log &
APID=$!
contact_failed() { [ "$(status_json "s['last_contact'] and s['last_contact']['ok']")" = False ]; }
wait_for 10 contact_failed || fail "no failed contact recorded: $(cat status.json)"
"$OUTBOX_PUT" "$OB" 400 detection > put-1-det.txt || fail "outbox_put: offline"
"$OUTBOX_PUT" "$OB" 50 scan > put-1-scan.txt || fail "outbox_put: offline scans"
[ -f "$OB.reserve" ] || fail "no reserve file beside the outbox: $(ls -A "$ST")"

# --- 2. the disk fills up: queueing is refused cleanly ---
fill_disk
refused=
for i in $(seq 100); do # the write-ahead log's last free pages may still take a few
	if ! "$OUTBOX_PUT" "$OB" 20 detection >> put-2-det.txt 2> put.err; then
		refused=$i
		break
	fi
done
[ -n "$refused" ] || fail "2000 puts on a full disk all succeeded: $(free_bytes) bytes free"
expect_grep 'disk full \(nothing was written\)' put.err
# it stays refused, scans and details alike (a refused put may have queued
# some of its events first: those printed their UUIDs and must arrive too)
for kind in detection scan error; do
	"$OUTBOX_PUT" "$OB" 500 $kind >> "put-2-$kind.txt" 2> put.err && fail "500 ${kind}s queued on a full disk"
	expect_grep 'disk full' put.err
done
n_put=$(cat put-*.txt | wc -l)
[ "$(queued)" = "$n_put" ] || fail "outbox on the full disk: $(queued) events, $n_put put"
[ "$(outbox_sql 'PRAGMA integrity_check')" = ok ] || fail "outbox damaged on the full disk: $(outbox_sql 'PRAGMA integrity_check')"
[ "$(outbox_sql 'SELECT COUNT(*) FROM events')" = "$n_put" ] || fail "outbox rows: $(outbox_sql 'SELECT COUNT(*) FROM events')"
sleep 2 # a few more failed contacts of raquetd, on the full disk
agent_alive "offline, full disk"
echo "full disk: $(wc -l < put-2-det.txt) more events queued, refused at put $refused"

# --- 3. the server is back, the disk still full: everything is delivered and removed ---
start_server
wait_for 30 delivered || fail "not delivered on the full disk: $(queued) of $n_put left; $(tail -3 raquetd.log)"
still_full "delivering"
check_store "delivered on a full disk"
[ "$(outbox_sql 'PRAGMA integrity_check')" = ok ] || fail "outbox damaged after acknowledging on a full disk"
agent_alive "delivering on a full disk"

# --- 4. the reserve: acknowledging needs room in the write-ahead log ---
# The log folded back and emptied (as after every acknowledgement), then the
# disk filled by something else: deleting the acknowledged events needs new
# pages, which only the released reserve gives.
rm -f "$ST/ballast"
stop_server
"$OUTBOX_PUT" "$OB" 300 detection > put-4-det.txt || fail "put after the disk was freed"
"$OUTBOX_PUT" "$OB" 20 scan > put-4-scan.txt || fail "scan put after the disk was freed"
[ -f "$OB.reserve" ] || fail "the reserve was not put back: $(ls -A "$ST")"
# raquetd stopped (SIGSTOP) so that it writes nothing between the fold and
# the fill; tried again when it was stopped inside a transaction
for _ in $(seq 20); do
	kill -STOP "$APID"
	python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1], timeout=0.5).execute('PRAGMA wal_checkpoint(TRUNCATE)').fetchone())" \
		"$OB" > ckpt.out 2>&1 && [ "$(stat -c %s "$OB-wal")" = 0 ] && break
	kill -CONT "$APID"
	sleep 0.2
done
[ "$(stat -c %s "$OB-wal")" = 0 ] || fail "the write-ahead log was not emptied: $(cat ckpt.out)"
fill_disk
kill -CONT "$APID"
sleep 2 # failed contacts on the full disk
start_server
wait_for 30 delivered || fail "not delivered with an empty log on the full disk: $(queued) left; $(tail -3 raquetd.log)"
still_full "acknowledging"
check_store "acknowledged with the reserve"
agent_alive "acknowledging with the reserve"

# --- 5. raquetd started on a full disk (a reboot): it still delivers ---
rm -f "$ST/ballast"
stop_server
"$OUTBOX_PUT" "$OB" 300 detection > put-5-det.txt || fail "put before the restart"
"$OUTBOX_PUT" "$OB" 20 scan > put-5-scan.txt || fail "scan put before the restart"
kill -TERM "$APID"
wait "$APID" || fail "raquetd did not stop cleanly"
APID=
fill_disk
start_server
"$RAQUETD" --state-dir "$ST" --config agent.conf 2>> raquetd.log &
APID=$!
wait_for 30 delivered_or_dead
agent_alive "started on a full disk"
delivered || fail "not delivered by a raquetd started on the full disk: $(queued) left"
still_full "restarted"
check_store "started on a full disk"

# --- 6. the ballast gone: queueing works again and is delivered ---
rm -f "$ST/ballast"
"$OUTBOX_PUT" "$OB" 200 detection > put-6-det.txt || fail "put after the disk was freed"
"$OUTBOX_PUT" "$OB" 20 scan > put-6-scan.txt || fail "scan put after the disk was freed"
[ "$(wc -l < put-6-det.txt)" = 200 ] || fail "put after the disk was freed: $(wc -l < put-6-det.txt) of 200"
wait_for 30 delivered || fail "not delivered after the disk was freed: $(queued) left"
[ -f "$OB.reserve" ] || fail "the reserve was not put back: $(ls -A "$ST")"
check_store "after the disk was freed"

# --- 7. a long outage with reports going on: thousands of events, several producers ---
stop_server
before=$(grep -c 'event upload failed' raquetd.log)
pids=
for round in 1 2 3; do
	"$OUTBOX_PUT" "$OB" 700 detection > "put-7-$round-det.txt" & pids="$pids $!"
	"$OUTBOX_PUT" "$OB" 150 action > "put-7-$round-act.txt" & pids="$pids $!"
	"$OUTBOX_PUT" "$OB" 100 scan > "put-7-$round-scan.txt" & pids="$pids $!"
	"$OUTBOX_PUT" "$OB" 50 error > "put-7-$round-err.txt" & pids="$pids $!"
	for p in $pids; do wait "$p" || fail "outbox_put in round $round"; done
	pids=
	sleep 1 # raquetd retries meanwhile
done
n7=$(cat put-7-*.txt | wc -l)
[ "$n7" = 3000 ] || fail "the outage's puts: $n7 of 3000"
[ "$(queued)" = 3000 ] || fail "outbox while the server is away: $(queued) of 3000"
retried() { [ "$(grep -c 'event upload failed' raquetd.log)" -ge $((before + 3)) ]; }
wait_for 20 retried || fail "raquetd did not keep retrying: $(tail -3 raquetd.log)"
[ "$(status_json "s['outbox']['dropped']")" = 0 ] || fail "events dropped: $(cat status.json)"
agent_alive "long outage"
start_server
wait_for 60 delivered || fail "not delivered after the outage: $(queued) left"
check_store "after the outage"
agent_alive "after the outage"

kill -TERM "$APID"
wait "$APID" || fail "raquetd did not stop cleanly"
APID=
stop_server
finish
