#!/usr/bin/env bash
# raquet-server's reminder e-mails at scale (docs/benchmarks.md): 1,000 units
# (or UNITS) with one officer each, a province-wide campaign due in 7 days:
# time until every officer's reminder is accepted by the SMTP recorder, and
# the latency of GET /api/v1/reminders for the administrator.
set -u
S=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY [UNITS]}")
T=$(cd "$(dirname "$0")/../tests/server" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/rqremind.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
N=${2:-1000}
STORE=sqlite:$W/store.sqlite
"$S" unit add --store "$STORE" --name "Tỉnh" --code P > /dev/null
printf 'root-password-123\n' | "$S" user add --store "$STORE" --login root --role admin --password-stdin > /dev/null
python3 - "$W/store.sqlite" "$N" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2]); now = int(time.time())
h = db.execute("SELECT password_hash FROM users WHERE login='root'").fetchone()[0]
for i in range(n):
    cur = db.execute("INSERT INTO units (parent_id, name, code, contact, created_at, updated_at) VALUES (1, ?, ?, '', ?, ?)",
                     ("Đơn vị số %d" % i, "U%d" % i, now, now))
    db.execute("INSERT INTO users (login, display_name, role, unit_id, password_hash, created_at, updated_at, email)"
               " VALUES (?, ?, 'officer', ?, ?, ?, ?, ?)", ("o%d" % i, "Cán bộ %d" % i, cur.lastrowid, h, now, now,
               "o%d@donvi.example.gov.vn" % i))
db.commit()
PY
mkdir -p m
python3 "$T/smtp_recorder.py" m 2> smtp.err &
R=$!
for _ in $(seq 100); do [ -f m/port ] && break; sleep 0.05; done
printf '[smtp]\nurl = smtp://127.0.0.1:%s\nstarttls = no\nfrom = raquet@stttt.example.gov.vn\n[reminders]\ninterval = 1s\n' "$(cat m/port)" > c.conf
"$S" --foreground --plain-http --listen 127.0.0.1:0 --store "$STORE" --config c.conf 2> server.log &
P=$!
for _ in $(seq 200); do PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' server.log); [ -n "$PORT" ] && break; sleep 0.05; done
B=http://127.0.0.1:$PORT
curl -s -c jar -H 'Content-Type: application/json' -d '{"login":"root","password":"root-password-123"}' $B/api/v1/auth/login > login.json
CSRF=$(python3 -c "import json; print(json.load(open('login.json'))['csrf_token'])")
NOW=$(date +%s)
UD=$(TZ=Asia/Ho_Chi_Minh date -d "@$((NOW + 7 * 86400))" +%F)
DD=$(TZ=Asia/Ho_Chi_Minh date -d "@$((NOW + 12 * 86400))" +%F)
T0=$(date +%s.%N)
curl -s -b jar -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
	-d "{\"name\":\"Bench\",\"unit\":null,\"from\":$((NOW - 86400)),\"to\":$((NOW + 60 * 86400)),\"unit_deadline\":\"$UD\",\"dept_deadline\":\"$DD\"}" \
	$B/api/v1/campaigns > /dev/null
while [ "$(ls m | grep -c '\.eml$')" -lt "$N" ]; do sleep 0.2; done
T1=$(date +%s.%N)
echo "units=$N mails=$(ls m | grep -c '\.eml$') from campaign creation to the last mail accepted: $(python3 -c "print(round($T1 - $T0, 2))") s"
for i in 1 2 3; do
	curl -s -o r.json -w 'GET /api/v1/reminders (admin, %{size_download} bytes): %{time_total} s\n' -b jar $B/api/v1/reminders
done
python3 -c "import json; print('reminders listed:', json.load(open('r.json'))['total'])"

kill $P $R; wait $P $R 2>/dev/null
