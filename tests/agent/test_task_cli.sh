#!/usr/bin/env bash
# An operator's task from the server's command line reaching a real agent
# at once: `raquet-server task add` queues a scan of a folder for the
# agent's machine, SIGUSR1 makes raquetd contact the server without waiting
# for its next heartbeat (five minutes here), and `--wait` returns with the
# agent's result; the scan's finding is in the server's store. Bad
# arguments are refused before the store is touched.
source "$(dirname "$0")/lib.sh"

start_server
"$SERVER" unit add --store "$STORE" --name "Phòng Thử" --code PT > /dev/null 2>&1 || { fail "unit add"; finish; }
enroll_agent PT
HOST=$(sql "SELECT hostname FROM endpoints WHERE id = $EP")
cat > agent.conf <<EOF
[agent]
heartbeat_interval = 300
heartbeat_fixed = yes
vault_dir = $WORK/vault
$NO_WATCH
EOF
"$RAQUETD" --state-dir "$ST" --config agent.conf 2> raquetd.log &
APID=$!
wait_for 20 test -n "$(sql "SELECT last_seen FROM endpoints WHERE id = $EP")" ||
	{ fail "no first heartbeat: $(tail -5 raquetd.log)"; finish; }

mkdir -p demo && make_eicar demo/eicar.com
# --wait returns as soon as the agent reports; without SIGUSR1 that would be
# the next heartbeat, five minutes away
"$SERVER" task add --store "$STORE" --endpoint "$HOST" --kind scan_path --path "$WORK/demo" --wait 60 \
	> task.out 2> task.err &
TPID=$!
wait_for 10 test -n "$(sql "SELECT id FROM tasks WHERE endpoint_id = $EP")" || fail "task not queued: $(cat task.err)"
t0=$SECONDS
kill -USR1 "$APID"
wait "$TPID" || fail "task add --wait: status $? $(cat task.out task.err)"
[ $((SECONDS - t0)) -le 30 ] || fail "the task took $((SECONDS - t0)) s after SIGUSR1"
grep -q '^task [0-9]*: done {.*"infected": *1' task.out || fail "task result: $(cat task.out)"
[ "$(sql "SELECT state FROM tasks WHERE endpoint_id = $EP")" = done ] || fail "task state in the store"
det() { sql "SELECT name FROM detections WHERE endpoint_id = $EP AND path = '$WORK/demo/eicar.com'"; }
wait_for 20 test -n "$(det)" || fail "the scan's detection did not reach the server"
# task wait: the state of a task already done, at once; an unknown one fails
TID=$(sql "SELECT id FROM tasks WHERE endpoint_id = $EP")
"$SERVER" task wait --store "$STORE" --id "$TID" > wait.out 2>&1 || fail "task wait: $(cat wait.out)"
grep -q "^task $TID: done " wait.out || fail "task wait output: $(cat wait.out)"
if "$SERVER" task wait --store "$STORE" --id 4242 > wait.out 2>&1; then fail "task wait of an unknown task succeeded"; fi
grep -q "task 4242 not found" wait.out || fail "task wait of an unknown task: $(cat wait.out)"
[ "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'task.create' AND actor = 'system'")" = 1 ] ||
	fail "task add is not in the audit log"

# refused before anything is queued
expect_refusal() { # WHY ARGS...
	local why=$1
	shift
	if "$SERVER" task add --store "$STORE" "$@" > bad.out 2> bad.err; then
		fail "task add $* was accepted"
	fi
	grep -q -- "$why" bad.err || fail "task add $*: expected '$why', got: $(cat bad.err)"
}
expect_refusal "no endpoint 'nosuchhost'" --endpoint nosuchhost --kind scan_quick
expect_refusal "scan_path needs --path" --endpoint "$HOST" --kind scan_path
expect_refusal "expected an absolute path" --endpoint "$HOST" --kind scan_path --path demo
expect_refusal "'.' and '..' components" --endpoint "$HOST" --kind scan_path --path /tmp/../etc
expect_refusal "--path goes with --kind scan_path only" --endpoint "$HOST" --kind update --path /tmp
expect_refusal "--kind is scan_quick" --endpoint "$HOST" --kind delete
expect_refusal "no endpoint '999999'" --endpoint 999999 --kind update
[ "$(sql "SELECT COUNT(*) FROM tasks")" = 1 ] || fail "a refused task was queued"
finish
