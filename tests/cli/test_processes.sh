#!/usr/bin/env bash
# `raquet scan --processes [--kill]` on real processes: a copy of sleep with
# a planted signature is reported with its pid, still detected through
# /proc/PID/exe after its file is deleted (text and JSON), killed by --kill
# with SIGKILL, while an unmodified copy started the same way is neither
# reported nor killed. The pid-reuse check is in tests/lib/remedy/test_procs.c.
. "$(dirname "$0")/lib.sh"

S() { "$RAQUET" scan --no-progress "$@"; }

marker='RQ-cli-procs-marker-73151'
hex=$(printf '%s' "$marker" | od -An -tx1 | tr -d ' \n')
echo "Test.Cli.Procs:0:*:$hex" > procs.ndb
cp /bin/sleep bad-sleep
printf '%s' "$marker" >> bad-sleep
cp /bin/sleep good-sleep
chmod 755 bad-sleep good-sleep

"$WORK/bad-sleep" 300 &
bad=$!
"$WORK/good-sleep" 300 &
good=$!
cleanup() { kill -9 "$bad" "$good" 2> /dev/null; wait 2> /dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
# wait until both children run their copies
for _ in $(seq 100); do
	[ "$(readlink /proc/$bad/exe)" = "$WORK/bad-sleep" ] &&
		[ "$(readlink /proc/$good/exe)" = "$WORK/good-sleep" ] && break
	sleep 0.05
done

# --kill alone is refused
expect_exit 2 S -d procs.ndb --kill
expect_grep 'kill needs --processes, --connections or --quick' err

# reported with its pid; the clean copy is not; no folder is scanned
expect_exit 1 S -d procs.ndb --processes
expect_grep "^process $bad \(bad-sleep\) $WORK/bad-sleep: Test.Cli.Procs FOUND\$" out
expect_no_grep "^process $good " out
expect_grep '^Infected processes: 1$' out
expect_grep '^Scanned files: 0$' out

# a clean signature set: nothing found, exit 0
echo "Other:0:*:$(printf 'not-in-any-binary-19283' | od -An -tx1 | tr -d ' \n')" > other.ndb
expect_exit 0 S -d other.ndb --processes
expect_grep '^Infected processes: 0$' out

# combined with a path: both are scanned
printf '%s' "$marker" > planted.bin
expect_exit 1 S -d procs.ndb --processes planted.bin
expect_grep '^planted.bin: Test.Cli.Procs FOUND$' out
expect_grep "^process $bad " out

# deleted from disk: still scanned through /proc/PID/exe
rm bad-sleep
expect_exit 1 S -d procs.ndb --processes
expect_grep "^process $bad \(bad-sleep\) $WORK/bad-sleep \(deleted\): Test.Cli.Procs FOUND\$" out
expect_exit 1 S -d procs.ndb --processes --json
expect_grep "^\{\"process\":\{\"pid\":$bad,\"comm\":\"bad-sleep\",\"exe\":\"$WORK/bad-sleep\",\"deleted\":true," out
expect_grep '"detections":\["Test.Cli.Procs"\]' out
expect_grep '^\{"process_summary":\{.*"infected":1,"killed":0\}\}$' out
kill -0 "$bad" 2> /dev/null || fail "a scan without --kill stopped the process"

# --kill: the detected process dies by SIGKILL, the clean one lives on
expect_exit 1 S -d procs.ndb --processes --kill --json
expect_grep "\"pid\":$bad,.*\"action\":\{\"kind\":\"kill\",\"ok\":true\}" out
wait "$bad"
st=$?
[ "$st" = 137 ] || fail "the detected process ended with status $st, not by SIGKILL (137)"
kill -0 "$good" 2> /dev/null || fail "the clean process was killed"
expect_exit 0 S -d procs.ndb --processes --kill
expect_grep '^Killed processes: 0$' out

# text form of the kill line
"$WORK/good-sleep" 300 &
extra=$!
sleep 0.2
cp good-sleep bad2
printf '%s' "$marker" >> bad2
"$WORK/bad2" 300 &
bad=$!
for _ in $(seq 100); do
	[ "$(readlink /proc/$bad/exe)" = "$WORK/bad2" ] && break
	sleep 0.05
done
expect_exit 1 S -d procs.ndb --processes --kill
expect_grep "^process $bad \(bad2\): killed\$" out
expect_grep '^Killed processes: 1$' out
wait "$bad"
[ $? = 137 ] || fail "bad2 was not killed by SIGKILL"
kill -0 "$extra" 2> /dev/null || fail "a clean process was killed"
kill -9 "$extra"

finish
