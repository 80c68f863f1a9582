#!/usr/bin/env bash
# The agent's side of tasks, against a scripted stand-in for the server
# (python3 on loopback, so the answers are exactly known): the credential
# travels as "Authorization: Bearer ID.SECRET"; tasks of a heartbeat
# answer land in tasks.db once each, even when the answer repeats them;
# status counts them; the policy's heartbeat interval replaces the
# configuration's, also after a restart; a 401 tells the officer to enroll again.
source "$(dirname "$0")/lib.sh"

cat > fake.py <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
CRED = "7.rqa_" + "A" * 43
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        auth = self.headers.get("Authorization", "")
        with open("requests.log", "a") as f:
            f.write("%s %s %s\n" % (self.path, auth, ",".join(sorted(req))))
        if self.path == "/api/v1/agent/enroll":
            return self.answer(201, {"endpoint_id": 7, "unit_id": 2, "credential": CRED, "server_time": 1})
        if auth != "Bearer " + CRED:
            return self.answer(401, {"error": "unauthorized", "reason": "a valid agent credential is required"})
        if self.path == "/api/v1/agent/heartbeat":
            return self.answer(200, {"tasks": [
                {"id": 11, "kind": "scan", "params": {"scan_kind": "quick"}, "expires_at": 1900000000},
                {"id": 12, "kind": "update", "params": {}, "expires_at": 1900000000}], "server_time": 1,
                "policy": {"heartbeat_interval_seconds": 30, "realtime": True}})
        return self.answer(404, {"error": "not_found", "reason": "no route"})
srv = HTTPServer(("127.0.0.1", 0), H)
print(srv.server_port, flush=True)
srv.serve_forever()
PY
python3 fake.py > port.txt 2> fake.err &
SPID=$!
wait_for 10 test -s port.txt || { fail "fake server did not start: $(cat fake.err)"; finish; }
URL=http://127.0.0.1:$(cat port.txt)

expect_exit 0 "$RAQUET" agent enroll --server "$URL" --token rqe_fake --state-dir "$ST"
expect_grep '^enrolled: endpoint 7 in unit 2 ' out
expect_grep '^/api/v1/agent/enroll  .*token' requests.log
expect_exit 0 "$RAQUETD" --once --state-dir "$ST"
expect_exit 0 "$RAQUETD" --once --state-dir "$ST" # the same tasks again: not queued twice
grep -c "^/api/v1/agent/heartbeat Bearer 7.rqa_A\{43\} " requests.log > n.txt
[ "$(cat n.txt)" = 2 ] || fail "heartbeats with the bearer credential: $(cat requests.log)"
expect_grep '^/api/v1/agent/heartbeat .*agent_version.*databases.*hostname.*interfaces.*realtime' requests.log
python3 - "$ST/tasks.db" <<'PY' || fail "tasks.db"
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT id, kind, params, state FROM tasks ORDER BY id").fetchall()
assert rows == [(11, "scan", '{"scan_kind":"quick"}', "pending"), (12, "update", "{}", "pending")], rows
PY
expect_exit 0 "$RAQUET" agent status --state-dir "$ST"
expect_grep '^tasks: +2 pending, 2 received' out
expect_grep '^heartbeat: +every 30 s \(policy\)' out

# the daemon follows the policy (30 s), not its configuration (5 s), from its first start
printf '[agent]\nheartbeat_interval = 5\n' > agent.conf; printf "%s" "$NO_WATCH" >> agent.conf
"$RAQUETD" --state-dir "$ST" --config agent.conf 2> raquetd.log &
APID=$!
sleep 8
kill -TERM "$APID"
wait "$APID"
APID=
[ "$(grep -c '^/api/v1/agent/heartbeat ' requests.log)" = 3 ] ||
	fail "heartbeats in 8 s with a 30 s policy: $(grep -c '^/api/v1/agent/heartbeat ' requests.log) (2 before)"

# the server no longer knows the credential: the contact fails with what to do
python3 - "$ST/agent.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["credential"] = "7.rqa_" + "B" * 43
open(sys.argv[1], "w").write(json.dumps(s))
PY
expect_exit 1 "$RAQUETD" --once --state-dir "$ST"
expect_grep "enroll again with 'raquet agent enroll --force'" err
expect_no_grep 'rqa_' err
finish
