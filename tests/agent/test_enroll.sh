#!/usr/bin/env bash
# Enrollment and status of the agent against a real raquet-server on
# loopback: a refused token says so; https without a CA is refused before
# anything leaves; plain http to a non-loopback address is refused; a good
# token enrolls (consumed: it works once), agent.json is 0600; a second
# enroll needs --force; status before and after a heartbeat (raquetd
# --once: hostname and last_seen in the store); a readable agent.json or a
# bad configuration line refused; a stopped server shown as a failed
# contact; SIGHUP with a bad file keeps the old configuration; SIGTERM
# stops raquetd within a second.
source "$(dirname "$0")/lib.sh"

expect_exit 0 "$SERVER" unit add --store "$STORE" --name "Sở Y tế" --code SYT
start_server

# --- refusals before or at the server ---
expect_exit 1 "$RAQUET" agent enroll --server "$URL" --token rqe_nope --state-dir "$ST"
expect_grep 'refused the enrollment token' err
[ ! -e "$ST/agent.json" ] || fail "a refused enrollment wrote agent.json"
expect_exit 1 "$RAQUET" agent enroll --server https://raquet.example.vn --token rqe_x --state-dir "$ST"
expect_grep "https needs the server's CA certificate" err
expect_grep 'pass --ca FILE' err
expect_exit 1 "$RAQUET" agent enroll --server http://192.0.2.1:8080 --token rqe_x --state-dir "$ST"
expect_grep 'plain http is only allowed to a loopback server' err
expect_exit 2 "$RAQUET" agent enroll --server "$URL" --state-dir "$ST"
expect_grep 'token TOKEN is required' err
expect_exit 2 "$RAQUET" agent status --token x
expect_exit 1 "$RAQUET" agent status --state-dir "$ST"
expect_grep '^not enrolled' out

# --- enroll ---
TOKEN=$(new_token SYT 1)
expect_exit 0 "$RAQUET" agent enroll --server "$URL" --token "$TOKEN" --state-dir "$ST"
expect_grep '^enrolled: endpoint [0-9]+ in unit [0-9]+ of http://127.0.0.1:' out
EP=$(sed -n 's/^enrolled: endpoint \([0-9]*\) .*/\1/p' out)
[ "$(stat -c %a "$ST/agent.json")" = 600 ] || fail "agent.json mode $(stat -c %a "$ST/agent.json")"
[ "$(stat -c %a "$ST")" = 700 ] || fail "state folder mode $(stat -c %a "$ST")"
grep -q rqa_ out err && fail "the credential was printed"
# the token was used up (1 use): enrolling again with it is refused
expect_exit 1 "$RAQUET" agent enroll --server "$URL" --token "$TOKEN" --state-dir "$ST"
expect_grep 'already enrolled' err
expect_exit 1 "$RAQUET" agent enroll --server "$URL" --token "$TOKEN" --state-dir "$ST" --force
expect_grep 'refused the enrollment token' err
[ "$(sql "SELECT COUNT(*) FROM endpoints")" = 1 ] || fail "endpoints: $(sql 'SELECT id FROM endpoints')"

# --- status before any contact ---
expect_exit 0 "$RAQUET" agent status --state-dir "$ST"
expect_grep "^server: +$URL\$" out
expect_grep "^endpoint: +$EP \\(unit [0-9]+\\)" out
expect_grep '^last contact: +never' out
expect_grep '^queued events: +0 ' out
expect_grep '^raquetd: +not running' out
expect_grep '^real-time: +off' out
expect_grep '^databases: +none installed' out

# --- one heartbeat: the store has the machine ---
expect_exit 0 "$RAQUETD" --once --state-dir "$ST"
row=$(sql "SELECT hostname, last_seen, agent_version FROM endpoints WHERE id = $EP")
[ "${row%%|*}" = "$(uname -n)" ] || fail "hostname in the store: $row"
seen=$(echo "$row" | cut -d'|' -f2)
[ "$seen" -ge $(($(date +%s) - 60)) ] || fail "last_seen not recent: $row"
[ "${row##*|}" = "$("$RAQUET" --version | cut -d' ' -f2)" ] || fail "agent version: $row"
expect_exit 0 "$RAQUET" agent status --state-dir "$ST"
expect_grep '^last contact: +ok, .* \(heartbeat\)$' out
[ "$(status_json "s['last_contact']['ok'], s['endpoint_id'] == $EP, s['enrolled']")" = "True True True" ] ||
	fail "status --json: $(cat status.json)"

# --- a credential others can read is refused ---
chmod 644 "$ST/agent.json"
expect_exit 1 "$RAQUETD" --once --state-dir "$ST"
expect_grep 'mode 0644 lets other users read it' err
expect_exit 1 "$RAQUET" agent status --state-dir "$ST"
chmod 600 "$ST/agent.json"

# --- configuration: a bad line named file:line ---
printf '[agent]\nheartbeat_interval = 5\n[log]\nlevel = loud\n' > bad.conf
expect_exit 1 "$RAQUETD" --once --state-dir "$ST" --config bad.conf
expect_grep 'bad.conf:4: level:' err
expect_exit 1 "$RAQUETD" --once --state-dir "$ST" --config missing.conf
expect_grep 'missing.conf: no such file' err

# --- server down: a failed contact, shown by status ---
stop_server
expect_exit 1 "$RAQUETD" --once --state-dir "$ST"
expect_exit 0 "$RAQUET" agent status --state-dir "$ST"
expect_grep '^last contact: +failed, .*\(heartbeat\): POST http://127.0.0.1:[0-9]+/api/v1/agent/heartbeat: ' out
expect_no_grep 'rqa_' out

# --- the daemon: reload keeps a good configuration, SIGTERM stops it at once ---
start_server
printf '[agent]\nheartbeat_interval = 5\nheartbeat_fixed = yes\n' > agent.conf; printf "%s" "$NO_WATCH" >> agent.conf
"$RAQUETD" --foreground --state-dir "$ST" --config agent.conf 2> raquetd.log &
APID=$!
wait_for 10 grep -q 'raquetd 0' raquetd.log || fail "raquetd did not start: $(cat raquetd.log)"
daemon_seen() { [ "$(status_json "s['daemon_running']")" = True ]; }
wait_for 10 daemon_seen || fail "status does not see raquetd running"
expect_exit 1 "$RAQUETD" --once --state-dir "$ST"
expect_grep 'another raquetd is running' err
printf '[agent]\nheartbeat_interval = 1\n' > agent.conf; printf "%s" "$NO_WATCH" >> agent.conf
kill -HUP "$APID"
wait_for 5 grep -q 'reload refused, configuration kept: agent.conf:2: heartbeat_interval' raquetd.log ||
	fail "bad reload not reported: $(cat raquetd.log)"
printf '[agent]\nheartbeat_interval = 5\nheartbeat_fixed = yes\n[log]\nlevel = debug\n' > agent.conf; printf "%s" "$NO_WATCH" >> agent.conf
kill -HUP "$APID"
wait_for 5 grep -q 'configuration reloaded' raquetd.log || fail "reload not done: $(cat raquetd.log)"
kill -0 "$APID" 2>/dev/null || fail "raquetd died on reload"
# two heartbeats 5 s apart prove the loop keeps going
before=$(sql "SELECT last_seen FROM endpoints WHERE id = $EP")
seen_again() { [ "$(sql "SELECT last_seen FROM endpoints WHERE id = $EP")" -gt "$before" ]; }
wait_for 15 seen_again ||
	fail "no second heartbeat within 15 s: $(cat raquetd.log)"
# stop while a request hangs: the server frozen (SIGSTOP), the stop still takes under a second
kill -STOP "$SPID"
sleep 6 # the next heartbeat is now waiting on the frozen server
t0=$(date +%s%N)
kill -TERM "$APID"
wait "$APID"
rc=$?
APID=
t1=$(date +%s%N)
[ "$rc" = 0 ] || fail "raquetd exit status $rc after SIGTERM"
[ $(((t1 - t0) / 1000000)) -lt 1500 ] || fail "SIGTERM took $(((t1 - t0) / 1000000)) ms"
kill -CONT "$SPID"
grep -q 'stopping' raquetd.log || fail "no stop message: $(cat raquetd.log)"
expect_exit 0 "$RAQUET" agent status --state-dir "$ST"
expect_grep '^raquetd: +not running' out

# --- two agents of different units side by side: each its own endpoint and events ---
expect_exit 0 "$SERVER" unit add --store "$STORE" --name "Phòng Tài chính huyện C" --code TCC --parent SYT
ST2="$WORK/state2"
expect_exit 0 "$RAQUET" agent enroll --server "$URL" --token "$(new_token TCC)" --state-dir "$ST2"
EP2=$(sed -n 's/^enrolled: endpoint \([0-9]*\) .*/\1/p' out)
"$OUTBOX_PUT" "$ST/outbox.db" 3 scan > one.txt
"$OUTBOX_PUT" "$ST2/outbox.db" 4 scan > two.txt
"$RAQUETD" --once --state-dir "$ST" 2> once1.log &
a1=$!
"$RAQUETD" --once --state-dir "$ST2" 2> once2.log &
a2=$!
wait "$a1" || fail "first agent: $(cat once1.log)"
wait "$a2" || fail "second agent: $(cat once2.log)"
units=$(sql "SELECT u.code FROM endpoints e JOIN units u ON u.id = e.unit_id WHERE e.id IN ($EP, $EP2) ORDER BY e.id")
[ "$(echo $units)" = "SYT TCC" ] || fail "units of the two endpoints: $units"
[ "$(sql "SELECT COUNT(*) FROM events WHERE endpoint_id = $EP")" = 3 ] || fail "events of the first agent"
[ "$(sql "SELECT COUNT(*) FROM events WHERE endpoint_id = $EP2")" = 4 ] || fail "events of the second agent"
stop_server
finish
