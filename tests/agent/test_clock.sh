#!/usr/bin/env bash
# Wall-clock jumps do not disturb raquetd's timers (they run on the
# monotonic clock): with the clock set a day back, heartbeats keep coming
# every interval instead of stalling for a day; set a month forward, they
# do not flood; events queued meanwhile are delivered. The clock is moved
# for raquetd alone, by tests/agent/clock_shift.c (LD_PRELOAD).
source "$(dirname "$0")/lib.sh"
[ -f "$CLOCK_SHIFT" ] || { fail "no clock shifter given (5th argument)"; finish; }

expect_exit 0 "$SERVER" unit add --store "$STORE" --name "Sở Tài chính" --code STC
start_server
enroll_agent STC
printf '[agent]\nheartbeat_interval = 5\nheartbeat_fixed = yes\n[log]\nlevel = debug\n' > agent.conf; printf "%s" "$NO_WATCH" >> agent.conf
echo 0 > shift
beats() { grep -c 'heartbeat ok' raquetd.log; }
# a sanitizer build needs its runtime first in the preload list
preload="$(ldd "$RAQUETD" | awk '/libasan/ { print $3 }') $CLOCK_SHIFT"
RQ_TEST_CLOCK_SHIFT_FILE=$PWD/shift LD_PRELOAD=$preload \
	"$RAQUETD" --state-dir "$ST" --config agent.conf 2> raquetd.log &
APID=$!
first() { [ "$(beats)" -ge 1 ]; }
wait_for 10 first || fail "no first heartbeat: $(cat raquetd.log)"
# a day back: the next heartbeats come on time
echo -86400 > shift
n=$(beats)
sleep 11.5
[ "$(beats)" -ge $((n + 2)) ] || fail "heartbeats stalled after the clock went back: $(beats) after $n"
grep -q "$(date -u -d @$(($(date +%s) - 86400)) +%Y-%m-%d)T" raquetd.log || fail "the shift did not reach raquetd"
# a month forward: no flood of catch-up heartbeats
echo $((86400 * 30)) > shift
n=$(beats)
sleep 6
[ "$(beats)" -le $((n + 2)) ] || fail "heartbeats flooded after the clock went forward: $(beats) after $n"
[ "$(beats)" -ge $((n + 1)) ] || fail "heartbeats stopped after the clock went forward"
"$OUTBOX_PUT" "$ST/outbox.db" 10 detection > ev.txt
delivered() { [ "$(sql "SELECT COUNT(*) FROM events WHERE endpoint_id = $EP")" = 10 ]; }
wait_for 10 delivered || fail "events not delivered with the clock moved"
kill -TERM "$APID"
wait "$APID" || fail "raquetd exit status $?"
APID=
stop_server
finish
