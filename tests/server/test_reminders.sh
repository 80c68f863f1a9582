#!/usr/bin/env bash
# Reminders of the campaigns' deadlines (docs/campaigns.md), on SQLite and
# PostgreSQL, against a real SMTP server on loopback (smtp_recorder.py)
# that keeps every message it accepts: who receives which reminder (a
# unit's officers for their unit, the administrators for the department's
# deadline; not viewers, nor disabled users, nor users without an
# address); the subject and body decoded by Python's e-mail parser with
# their Vietnamese diacritics and English below; MIME headers, Date in
# +0700, Message-ID, AUTH with the configured user; the server run with
# TZ=America/Los_Angeles, then restarted with TZ=Pacific/Kiritimati --
# the same reminder days (province calendar), and no mail twice; a mail
# the SMTP server refuses (451) retried and delivered; the SMTP server
# down, the raquet server killed with -9, both back: delivered once. The
# dashboard's reminders per caller (officers see their subtree only), the
# mail log for administrators only, users' e-mail addresses validated,
# bad [smtp] and [reminders] values refused by --check-config at their
# line.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
source "$HERE/fleet_lib.sh"
mkdir -p "$WORK/run" && cd "$WORK/run"
SMTP_PID=
trap 'stop_server; [ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

# today in Vietnam +N days as YYYY-MM-DD, and as dd/mm/yyyy
vn_date() { TZ=Asia/Ho_Chi_Minh date -d "@$(($(date +%s) + $1 * 86400))" +%F; }
vn_dmy() { TZ=Asia/Ho_Chi_Minh date -d "@$(($(date +%s) + $1 * 86400))" +%d/%m/%Y; }

M=$WORK/smtp
mkdir -p "$M"
smtp_start() { # [PORT]
	rm -f "$M/port"
	SMTP_PORT=${1:-0} python3 "$HERE/smtp_recorder.py" "$M" 2>> "$WORK/smtp.err" &
	SMTP_PID=$!
	for _ in $(seq 100); do [ -f "$M/port" ] && break; sleep 0.05; done
	[ -f "$M/port" ] || { fail "the SMTP recorder did not start: $(cat "$WORK/smtp.err")"; finish; }
}
smtp_stop() { [ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null && wait "$SMTP_PID" 2>/dev/null; SMTP_PID=; }
smtp_start
SMTP_PORT=$(cat "$M/port")
SECRET='s3cret-Mật-khẩu'

CONF=$WORK/reminders.conf
cat > "$CONF" <<CONFEOF
[smtp]
url = smtp://127.0.0.1:$SMTP_PORT
starttls = no
user = raquet-mailer
password = $SECRET
from = raquet@stttt.example.gov.vn
from_name = Hệ thống rà quét mã độc
timeout = 5s
retry_base = 1s
max_attempts = 50

[reminders]
before = 7,1,0
overdue_every = 3
hour = 0
interval = 1s
dashboard_url = https://raquet.example.gov.vn/
CONFEOF

messages() { find "$M" -name 'msg-*.eml' | wc -l; }
wait_mail_state() { # ID WANT_STATE SECONDS
	local i
	for i in $(seq $(($3 * 4))); do
		api root GET "/api/v1/reminders/mail/$1"
		[ "$(json '["state"]' 2>/dev/null)" = "$2" ] && return 0
		sleep 0.25
	done
	fail "mail $1 not $2 after $3 s: $(cat body)"
}
wait_queued() { # N ATTEMPTS: up to 15 s for N queued mails, the oldest tried ATTEMPTS times
	for _ in $(seq 60); do
		api root GET '/api/v1/reminders/mail?state=queued'
		[ "$(json '["total"]')" = "$1" ] && [ "$(json "[\"items\"][$(($1 - 1))][\"attempts\"]" 2> /dev/null)" -ge "$2" ] &&
			break
		sleep 0.25
	done
}
wait_messages() { # N SECONDS
	for _ in $(seq $(($2 * 4))); do [ "$(messages)" -ge "$1" ] && break; sleep 0.25; done
	[ "$(messages)" = "$1" ] || fail "$(messages) messages received, want $1"
}

# check_mail PYTHON: run the checks of PYTHON (want(what, cond)) over `msgs`,
# every message received parsed by Python's e-mail package: rcpt, the
# decoded subject and body, raw bytes, msg (the parsed message), env (the
# envelope and AUTH the recorder saw)
check_mail() {
	python3 - "$M" "$1" <<'PYEOF' || fail "mail check failed (above)"
import email, email.policy, glob, json, os, sys
d, code = sys.argv[1], sys.argv[2]
msgs = []
for p in sorted(glob.glob(os.path.join(d, "msg-*.eml")), key=lambda p: int(p.split("-")[-1][:-4])):
    raw = open(p, "rb").read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    env = json.load(open(p[:-4] + ".json"))
    msgs.append({"rcpt": env["rcpt_to"][0], "subject": str(m["subject"]), "body": m.get_content(), "raw": raw,
                 "msg": m, "env": env})
bad = []
def want(what, cond):
    if not cond:
        bad.append(what)
exec(code)
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PYEOF
}

scenario() {
	rm -f "$M"/msg-* "$M/answers"
	echo accept > "$M/mode"
	"$SERVER" unit add --store "$STORE" --name "Tỉnh Thử Nghiệm" --code P > /dev/null || fail "unit P"
	"$SERVER" unit add --store "$STORE" --name "Sở Nội vụ" --code A --parent P > /dev/null || fail "unit A"
	"$SERVER" unit add --store "$STORE" --name "Phòng Tổ chức" --code A1 --parent A > /dev/null || fail "unit A1"
	"$SERVER" unit add --store "$STORE" --name "UBND huyện Bảo Lạc" --code B --parent P > /dev/null || fail "unit B"
	local A=2 A1=3 B=4
	make_user root admin
	"$SERVER" user add --store "$STORE" --login chief --role admin --display "Nguyễn Văn Quản" \
		--email chief@stttt.example.gov.vn < /dev/null > /dev/null 2>&1 || fail "user chief"
	make_user admin2 admin # no address: no mail
	for u in "off_a A Trần Thị Ánh" "off_a2 A Lê Văn Bình" "off_a1 A1 Phạm Thu Hà" "off_b B Hoàng Đức Lộc"; do
		set -- $u
		printf '%s\n' "$1-password-123" | "$SERVER" user add --store "$STORE" --login "$1" --role officer \
			--unit "$2" --display "$3 $4 $5" --email "$1@donvi.example.gov.vn" --password-stdin > /dev/null 2>&1 ||
			fail "user $1"
	done
	"$SERVER" user add --store "$STORE" --login view_a --role viewer --unit A --email view_a@donvi.example.gov.vn \
		< /dev/null > /dev/null 2>&1 || fail "user view_a"
	expect_exit 2 "$SERVER" user add --store "$STORE" --login bad --role officer --unit A --email 'not an address'
	expect_grep 'email' err

	# --- phase 1, no [smtp]: the campaigns and an item, nothing mailed ---
	start_server
	for u in root off_a off_b; do login_as "$u"; done
	local NOW FROM TO C1 C2 C3
	NOW=$(date +%s)
	FROM=$((NOW - 20 * 86400))
	TO=$((NOW + 60 * 86400))
	api root POST /api/v1/campaigns "{\"name\":\"Rà quét, bóc gỡ mã độc năm nay\",\"unit\":null,\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$(vn_date 7)\",\"dept_deadline\":\"$(vn_date 8)\"}"
	expect_code 201 "campaign 1: "
	C1=$(json '["id"]')
	api root POST /api/v1/campaigns "{\"name\":\"Chiến dịch của huyện Bảo Lạc\",\"unit\":$B,\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$(vn_date -1)\",\"dept_deadline\":\"$(vn_date 1)\"}"
	expect_code 201 "campaign 2: "
	C2=$(json '["id"]')
	api root POST /api/v1/campaigns "{\"name\":\"Chiến dịch chưa đến hạn\",\"unit\":null,\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$(vn_date 10)\",\"dept_deadline\":\"$(vn_date 12)\"}"
	expect_code 201 "campaign 3: "
	C3=$(json '["id"]')
	api root POST /api/v1/campaigns "{\"name\":\"Bản nháp\",\"unit\":null,\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$(vn_date 0)\",\"dept_deadline\":\"$(vn_date 0)\",\"status\":\"draft\"}"
	expect_code 201 "a draft campaign: "
	api off_a PUT "/api/v1/campaigns/$C1/units/$A/items/training" "{\"status\":\"done\",\"done_on\":\"$(vn_date -1)\",\"topic\":\"Thư giả mạo\",\"attendees\":30}"
	expect_code 200 "A's training: "

	# users' addresses over the API: validated, shown, one's own changeable
	api root POST /api/v1/users '{"login":"x1","role":"viewer","password":"x1-password-123456","email":"a@b"}'
	expect_code 400 "an address without a dot in its domain: "
	grep -q email body || fail "the reason does not name email: $(cat body)"
	api root POST /api/v1/users '{"login":"x1","role":"viewer","password":"x1-password-123456","email":"a b@c.vn"}'
	expect_code 400 "an address with a space: "
	api root POST /api/v1/users "{\"login\":\"x1\",\"role\":\"viewer\",\"password\":\"x1-password-123456\",\"email\":\"x1@example.gov.vn\"}"
	expect_code 201 "a user with an address: "
	[ "$(json '["email"]')" = x1@example.gov.vn ] || fail "the address is not shown: $(cat body)"
	local X1
	X1=$(json '["id"]')
	api off_a GET "/api/v1/users/$X1"
	expect_code 403 "an officer reading a province-wide user: "
	api off_a GET /api/v1/auth/me
	local ME
	ME=$(json '["user"]["id"]')
	api off_a PATCH "/api/v1/users/$ME" '{"email":"off_a@donvi.example.gov.vn"}'
	expect_code 200 "an officer setting their own address: "
	api off_a PATCH "/api/v1/users/$ME" '{"email":"off_a@@x.vn"}'
	expect_code 400 "a bad address: "
	[ "$(audit_count user.update)" -ge 1 ] || fail "address changes are not audited"
	api root DELETE "/api/v1/users/$X1"
	stop_server

	# --- phase 2: reminders on, the server's zone 15 hours behind Vietnam ---
	TZ=America/Los_Angeles start_server --config "$CONF"
	wait_messages 6 30
	sleep 2
	[ "$(messages)" = 6 ] || fail "$(messages) messages after settling, want 6"
	login_as root
	check_mail "
rc = sorted(m['rcpt'] for m in msgs)
want('recipients %r' % rc, rc == sorted(['<off_a@donvi.example.gov.vn>', '<off_a2@donvi.example.gov.vn>',
    '<off_a1@donvi.example.gov.vn>', '<off_b@donvi.example.gov.vn>', '<off_b@donvi.example.gov.vn>',
    '<chief@stttt.example.gov.vn>']))
by = {}
for m in msgs:
    by.setdefault(m['rcpt'], []).append(m)
a = by['<off_a@donvi.example.gov.vn>'][0]
want('A subject %r' % a['subject'], a['subject'] == '[raquet] Nhắc hạn: Sở Nội vụ – hạn $(vn_dmy 7) (còn 7 ngày)')
want('A greeting', 'Kính gửi Trần Thị Ánh,' in a['body'])
want('A body names the campaign', 'Chiến dịch \"Rà quét, bóc gỡ mã độc năm nay\": đơn vị Sở Nội vụ còn 5 việc chưa hoàn thành' in a['body'])
want('A training is done, not listed', 'Tập huấn' not in a['body'] and 'Awareness training' not in a['body'])
want('A response plan listed', '  - Phương án, kịch bản ứng cứu sự cố' in a['body'] and '  - Incident-response plan and scenarios' in a['body'])
want('A link', 'https://raquet.example.gov.vn/#/campaigns/$C1/units/$A' in a['body'])
want('A English below', a['body'].index('-- English --') > a['body'].index('Kính gửi') and '7 days left' in a['body'])
a1 = by['<off_a1@donvi.example.gov.vn>'][0]
want('A1 lists training', 'Phòng Tổ chức còn 6 việc' in a1['body'] and 'Tập huấn nâng cao nhận thức' in a1['body'])
b = sorted(by['<off_b@donvi.example.gov.vn>'], key=lambda m: m['subject'])
want('B subjects %r' % [m['subject'] for m in b], b[1]['subject'] == '[raquet] Quá hạn: UBND huyện Bảo Lạc – hạn $(vn_dmy -1) (đã quá hạn 1 ngày)'
     and b[0]['subject'] == '[raquet] Nhắc hạn: UBND huyện Bảo Lạc – hạn $(vn_dmy 7) (còn 7 ngày)')
want('B overdue in English', '1 day overdue' in b[1]['body'])
c = by['<chief@stttt.example.gov.vn>'][0]
want('chief subject %r' % c['subject'], c['subject'] == '[raquet] Nhắc hạn: Chiến dịch của huyện Bảo Lạc – hạn của Sở $(vn_dmy 1) (còn 1 ngày), 1 đơn vị chưa hoàn thành')
want('chief body', 'Kính gửi Nguyễn Văn Quản,' in c['body'] and '  - UBND huyện Bảo Lạc: 6 việc' in c['body']
     and '1/1 đơn vị' in c['body'] and '1 of 1 units' in c['body'] and '#/campaigns/$C2' in c['body'])
for m in msgs:
    h = m['msg']
    raw = m['raw'].decode('ascii')
    want('encoded subject', '\nSubject: =?UTF-8?B?' in raw.replace('\r\n', '\n'))
    want('lines of at most 78', all(len(l) <= 78 for l in raw.split('\r\n')))
    want('CRLF only', '\n' not in raw.replace('\r\n', ''))
    want('Date %s' % h['Date'], str(h['Date']).endswith('+0700'))
    want('Message-ID %s' % h['Message-ID'], str(h['Message-ID']).startswith('<raquet.reminder.') and str(h['Message-ID']).endswith('@stttt.example.gov.vn>'))
    want('MIME', h['MIME-Version'] == '1.0' and h.get_content_type() == 'text/plain' and h.get_content_charset() == 'utf-8')
    want('From %s' % h['From'], h['From'].addresses[0].display_name == 'Hệ thống rà quét mã độc' and h['From'].addresses[0].addr_spec == 'raquet@stttt.example.gov.vn')
    want('To', str(h['To']) == m['rcpt'][1:-1] or h['To'].addresses[0].addr_spec == m['rcpt'][1:-1])
    want('envelope from', m['env']['mail_from'] == '<raquet@stttt.example.gov.vn>')
    want('auth %r' % m['env']['auth'], m['env']['auth'] == {'user': 'raquet-mailer', 'password': '$SECRET'})
ids = [str(m['msg']['Message-ID']) for m in msgs]
want('distinct Message-IDs', len(set(ids)) == len(ids))
"
	grep -q "$SECRET" "$WORK/server.log" && fail "the SMTP password is in the server's log"

	# the mail log: administrators only
	api root GET /api/v1/reminders/mail
	expect_code 200 "mail log: "
	[ "$(json '["total"]')" = 6 ] || fail "mail log total $(json '["total"]'), want 6"
	python3 -c "
import json; d = json.load(open('body'))
assert all(m['state'] == 'sent' and m['attempts'] == 1 and m['smtp_status'] == 250 and m['sent_at'] for m in d['items']), d
assert 'body' not in d['items'][0]
assert sorted(m['deadline'] for m in d['items']) == ['department'] + ['unit'] * 5, d
" || fail "mail log rows: $(head -c 600 body)"
	local MAIL1
	MAIL1=$(json '["items"][0]["id"]')
	api root GET "/api/v1/reminders/mail/$MAIL1"
	expect_code 200 "one mail: "
	grep -q 'English' body || fail "the mail's body is not given: $(head -c 300 body)"
	api root GET "/api/v1/reminders/mail?state=sent&campaign=$C2"
	[ "$(json '["total"]')" = 2 ] || fail "campaign 2's sent mails: $(json '["total"]'), want 2"
	expect_400 root "/api/v1/reminders/mail?state=lost" state
	api root GET /api/v1/reminders/mail/999999
	expect_code 404 "an unknown mail: "
	for u in off_a off_b; do
		api "$u" GET /api/v1/reminders/mail
		expect_code 403 "$u reading the mail log: "
		api "$u" GET "/api/v1/reminders/mail/$MAIL1"
		expect_code 403 "$u reading a mail: "
	done
	make_user view_p viewer
	login_as view_p
	api view_p GET /api/v1/reminders/mail
	expect_code 403 "a province-wide viewer reading the mail log: "
	api - GET /api/v1/reminders/mail
	expect_code 401 "nobody reading the mail log: "

	# --- the dashboard's reminders per caller ---
	login_as off_a
	login_as off_b
	api off_a GET /api/v1/reminders
	expect_code 200 "officer A's reminders: "
	python3 -c "
import json; d = json.load(open('body'))
got = sorted((i['campaign']['id'], i['unit']['code'], i['state'], i['days_left']) for i in d['items'])
assert got == [($C1, 'A', 'at_risk', 7), ($C1, 'A1', 'at_risk', 7)], got
a = [i for i in d['items'] if i['unit']['code'] == 'A'][0]
assert 'training' not in a['pending'] and 'response_plan' in a['pending'] and a['due'] == '$(vn_date 7)', a
" || fail "officer A's reminders: $(head -c 800 body)"
	api off_b GET /api/v1/reminders
	python3 -c "
import json; d = json.load(open('body'))
got = [(i['campaign']['id'], i['unit']['code'], i['state'], i['days_left']) for i in d['items']]
assert got == [($C2, 'B', 'overdue', -1), ($C1, 'B', 'at_risk', 7)], got
" || fail "officer B's reminders (the overdue first): $(head -c 800 body)"
	api off_a GET /api/v1/reminders?risk_days=3
	[ "$(json '["total"]')" = 0 ] || fail "nothing is at risk within 3 days for A: $(cat body)"
	api root GET /api/v1/reminders
	python3 -c "
import json; d = json.load(open('body'))
dept = [i for i in d['items'] if i['deadline'] == 'department']
assert dept == [{'campaign': {'id': $C2, 'name': 'Chiến dịch của huyện Bảo Lạc'}, 'unit': None, 'deadline': 'department',
                 'due': '$(vn_date 1)', 'days_left': 1, 'state': 'at_risk', 'lagging_units': 1, 'units': 1}], dept
units = sorted(i['unit']['code'] for i in d['items'] if i['deadline'] == 'unit' and i['campaign']['id'] == $C1)
assert units == ['A', 'A1', 'B', 'P'], units
assert not [i for i in d['items'] if i['campaign']['id'] == $C3], 'campaign 3 is not at risk'
" || fail "the administrator's reminders: $(head -c 1200 body)"
	api root GET "/api/v1/reminders?campaign=$C2"
	[ "$(json '["total"]')" = 2 ] || fail "campaign 2's reminders: $(cat body)"
	expect_400 root "/api/v1/reminders?risk_days=x" risk_days
	api - GET /api/v1/reminders
	expect_code 401 "nobody's reminders: "

	# --- a restart in a zone 14 hours ahead of UTC: the same days, nothing twice ---
	stop_server
	TZ=Pacific/Kiritimati start_server --config "$CONF"
	sleep 4
	[ "$(messages)" = 6 ] || fail "$(messages) messages after a restart, want 6 (a reminder sent twice?)"
	login_as root

	# --- the SMTP server refuses for a while: retried, delivered once ---
	echo 4xx > "$M/mode"
	api root POST /api/v1/users "{\"login\":\"off_a3\",\"role\":\"officer\",\"unit_id\":$A,\"password\":\"off_a3-password-123\",\"email\":\"off_a3@donvi.example.gov.vn\"}"
	expect_code 201 "a new officer of A: "
	local R
	wait_queued 1 2
	[ "$(json '["total"]')" = 1 ] || fail "the refused mail is not queued: $(head -c 500 body)"
	R=$(json '["items"][0]["id"]')
	[ "$(json '["items"][0]["smtp_status"]')" = 451 ] || fail "the SMTP reply code is not kept: $(head -c 500 body)"
	grep -q '451' body || fail "last_error does not quote the refusal: $(head -c 500 body)"
	echo accept > "$M/mode"
	wait_mail_state "$R" sent 30
	[ "$(json '["attempts"]')" -ge 3 ] || fail "delivered at attempt $(json '["attempts"]'), want >= 3"
	[ "$(json '["recipient"]')" = off_a3@donvi.example.gov.vn ] || fail "recipient: $(cat body)"
	[ "$(messages)" = 7 ] || fail "$(messages) messages, want 7"
	[ "$(grep -c 451 "$M/answers")" -ge 2 ] || fail "the recorder refused $(grep -c 451 "$M/answers") times"

	# --- the SMTP server down, raquet-server killed -9, both back: delivered once ---
	smtp_stop
	api root POST /api/v1/users "{\"login\":\"off_b2\",\"role\":\"officer\",\"unit_id\":$B,\"password\":\"off_b2-password-123\",\"email\":\"off_b2@donvi.example.gov.vn\"}"
	expect_code 201 "a new officer of B: "
	wait_queued 2 1
	[ "$(json '["total"]')" = 2 ] || fail "B's new officer's two mails are not queued: $(head -c 500 body)"
	grep -qi 'connect' body || fail "last_error does not say the connection failed: $(head -c 500 body)"
	kill -9 "$PID"
	wait "$PID" 2> /dev/null
	PID=
	smtp_start "$SMTP_PORT"
	start_server --config "$CONF"
	login_as root
	for _ in $(seq 120); do [ "$(messages)" -ge 9 ] && break; sleep 0.25; done
	sleep 2
	[ "$(messages)" = 9 ] || fail "$(messages) messages, want 9"
	check_mail "
n = [m['rcpt'] for m in msgs].count('<off_b2@donvi.example.gov.vn>')
want('off_b2 got %d mails, want 2 (both of B\'s campaigns)' % n, n == 2)
"
	api root GET '/api/v1/reminders/mail?state=sent'
	[ "$(json '["total"]')" = 9 ] || fail "sent mails in the log: $(json '["total"]'), want 9"
	stop_server
}

for_each_store scenario

# --- TLS (SQLite): STARTTLS and smtps:// against a test CA; STARTTLS required
# but not offered is a failed delivery, never a mail in clear ---
tls_phase() {
	local P=$WORK/pki
	mkdir -p "$P" "$WORK/m2" "$WORK/m3"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$P/ca.key" -out "$P/ca.crt" -days 2 -subj "/CN=Test mail CA" \
		2> /dev/null || fail "CA"
	openssl req -newkey rsa:2048 -nodes -keyout "$P/mail.key" -out "$P/mail.csr" -subj "/CN=127.0.0.1" 2> /dev/null &&
		openssl x509 -req -in "$P/mail.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial -days 2 \
			-extfile <(printf 'subjectAltName=IP:127.0.0.1\n') -out "$P/mail.crt" 2> /dev/null || fail "mail certificate"
	local pids=()
	python3 "$HERE/smtp_recorder.py" "$WORK/m2" "$P/mail.crt" "$P/mail.key" 2>> "$WORK/smtp.err" &
	pids+=($!)
	SMTP_TLS=implicit python3 "$HERE/smtp_recorder.py" "$WORK/m3" "$P/mail.crt" "$P/mail.key" 2>> "$WORK/smtp.err" &
	pids+=($!)
	for _ in $(seq 100); do [ -f "$WORK/m2/port" ] && [ -f "$WORK/m3/port" ] && break; sleep 0.05; done
	tls_conf() { # URL STARTTLS
		printf '[smtp]\nurl = %s\nstarttls = %s\nuser = raquet-mailer\npassword = %s\nfrom = raquet@stttt.example.gov.vn\nca_file = %s\ntimeout = 5s\nretry_base = 1s\nmax_attempts = 2\n[reminders]\nhour = 0\ninterval = 1s\n' \
			"$1" "$2" "$SECRET" "$P/ca.crt" > "$WORK/tls.conf"
	}
	officer() { # LOGIN
		api root POST /api/v1/users "{\"login\":\"$1\",\"role\":\"officer\",\"unit_id\":2,\"password\":\"$1-password-123\",\"email\":\"$1@donvi.example.gov.vn\"}"
		expect_code 201 "officer $1: "
	}
	"$SERVER" unit add --store "$STORE" --name "Tỉnh" --code P > /dev/null || fail "unit P"
	"$SERVER" unit add --store "$STORE" --name "Sở Tài chính" --code A --parent P > /dev/null || fail "unit A"
	make_user root admin
	tls_conf "smtp://127.0.0.1:$(cat "$WORK/m2/port")" yes
	start_server --config "$WORK/tls.conf"
	login_as root
	local NOW
	NOW=$(date +%s)
	officer t1
	api root POST /api/v1/campaigns "{\"name\":\"Hạn hôm nay\",\"unit\":null,\"from\":$((NOW - 86400)),\"to\":$((NOW + 86400 * 30)),\"unit_deadline\":\"$(vn_date 0)\",\"dept_deadline\":\"$(vn_date 3)\"}"
	expect_code 201 "campaign due today: "
	for _ in $(seq 80); do [ -f "$WORK/m2/msg-1.json" ] && break; sleep 0.25; done
	python3 -c "
import json, email, email.policy, sys
e = json.load(open('$WORK/m2/msg-1.json'))
assert e['tls'] is True and e['rcpt_to'] == ['<t1@donvi.example.gov.vn>'] and e['auth']['user'] == 'raquet-mailer', e
m = email.message_from_bytes(open('$WORK/m2/msg-1.eml', 'rb').read(), policy=email.policy.default)
assert str(m['subject']).endswith('(hạn là hôm nay)') and 'due today' in m.get_content(), m['subject']
" || fail "STARTTLS: the mail did not come over TLS, or not as expected"
	stop_server
	tls_conf "smtps://127.0.0.1:$(cat "$WORK/m3/port")" yes
	start_server --config "$WORK/tls.conf"
	login_as root
	officer t2
	for _ in $(seq 80); do [ -f "$WORK/m3/msg-1.json" ] && break; sleep 0.25; done
	python3 -c "
import json
e = json.load(open('$WORK/m3/msg-1.json'))
assert e['tls'] is True and e['rcpt_to'] == ['<t2@donvi.example.gov.vn>'], e
" || fail "smtps://: the mail did not come over TLS"
	[ -f "$WORK/m3/msg-2.json" ] && fail "smtps://: t1's reminder was sent again"
	stop_server
	# the plain recorder offers no STARTTLS: with starttls = yes nothing is sent
	local before
	before=$(messages)
	tls_conf "smtp://127.0.0.1:$SMTP_PORT" yes
	start_server --config "$WORK/tls.conf"
	login_as root
	officer t3
	local state=
	for _ in $(seq 80); do
		api root GET '/api/v1/reminders/mail?state=failed'
		[ "$(json '["total"]')" = 1 ] && break
		sleep 0.25
	done
	[ "$(json '["total"]')" = 1 ] || fail "STARTTLS not offered: the mail is not failed: $(head -c 400 body)"
	[ "$(json '["items"][0]["attempts"]')" = 2 ] || fail "failed after $(json '["items"][0]["attempts"]') attempts, want max_attempts 2"
	grep -qi 'ssl\|tls' body || fail "last_error does not say TLS was refused: $(head -c 400 body)"
	[ "$(messages)" = "$before" ] || fail "a mail went in clear although STARTTLS is required"
	# an administrator queues the failed mail again (audited); nobody else may
	local F
	F=$(json '["items"][0]["id"]')
	api root GET /api/v1/reminders/mail
	local SENT
	SENT=$(python3 -c "import json; print([m['id'] for m in json.load(open('body'))['items'] if m['state'] == 'sent'][0])")
	make_user off_t officer A
	login_as off_t
	api off_t POST "/api/v1/reminders/mail/$F/retry"
	expect_code 403 "an officer queueing a mail again: "
	api - POST "/api/v1/reminders/mail/$F/retry"
	expect_code 401 "nobody queueing a mail again: "
	api root POST "/api/v1/reminders/mail/$SENT/retry"
	expect_code 409 "a sent mail queued again: "
	api root POST /api/v1/reminders/mail/999999/retry
	expect_code 404 "an unknown mail queued again: "
	stop_server
	tls_conf "smtp://127.0.0.1:$(cat "$WORK/m2/port")" yes
	start_server --config "$WORK/tls.conf"
	login_as root
	api root POST "/api/v1/reminders/mail/$F/retry"
	expect_code 200 "queueing a failed mail again: "
	[ "$(json '["attempts"]')" = 0 ] || [ "$(json '["state"]')" = sent ] || fail "queued again with its attempts: $(cat body)"
	wait_mail_state "$F" sent 20
	[ "$(audit_count reminder.retry)" = 1 ] || fail "reminder.retry audited $(audit_count reminder.retry) times, want 1"
	python3 -c "
import json
e = json.load(open('$WORK/m2/msg-2.json'))
assert e['tls'] is True and e['rcpt_to'] == ['<t3@donvi.example.gov.vn>'], e
" || fail "the mail queued again did not arrive over STARTTLS"
	stop_server
	kill "${pids[@]}" 2> /dev/null
	wait "${pids[@]}" 2> /dev/null
}
STORE=sqlite:$WORK/tls.sqlite
STORE_KIND=sqlite
tls_phase

# --- the configuration: bad values refused at their line, a good one accepted ---
check_conf() { # WANT_EXIT PATTERN (config on stdin)
	cat > "$WORK/c.conf"
	expect_exit "$1" "$SERVER" --check-config --config "$WORK/c.conf" --plain-http --listen 127.0.0.1:0 \
		--store "sqlite:$WORK/c.sqlite"
	[ -n "$2" ] && { cat out err | grep -q -- "$2" || fail "'$2' not in: $(cat out err)"; }
	grep -q "$SECRET" out err && fail "the password was printed"
}
printf '[smtp]\nurl = http://mail.example.gov.vn\n' | check_conf 1 'c.conf:2: \[smtp\] url'
printf '[smtp]\nurl = smtp://mail.example.gov.vn\n' | check_conf 1 '\[smtp\] from'
printf '[smtp]\nurl = smtp://mail.example.gov.vn\nfrom = not-an-address\n' | check_conf 1 'c.conf:3: \[smtp\] from'
printf '[smtp]\nurl = smtp://mail.example.gov.vn\nfrom = a@b.vn\nuser = u\n' | check_conf 1 'user and password go together'
printf "[smtp]\nurl = smtp://mail.example.gov.vn\nfrom = a@b.vn\nuser = u\npassword = $SECRET\nstarttls = no\n" |
	check_conf 1 'c.conf:6: \[smtp\] starttls: .*in clear'
printf '[smtp]\nurl = smtps://mail.example.gov.vn\nfrom = a@b.vn\nca_file = /nonexistent/ca.pem\n' | check_conf 1 'c.conf:4: \[smtp\] ca_file'
printf '[reminders]\nbefore = 7,7\n' | check_conf 1 'c.conf:2: \[reminders\] before'
printf '[reminders]\nbefore = 7,-1\n' | check_conf 1 '\[reminders\] before'
printf '[reminders]\noverdue_every = 0\n' | check_conf 1 '\[reminders\] overdue_every'
printf '[reminders]\ndashboard_url = javascript:alert(1)\n' | check_conf 1 '\[reminders\] dashboard_url'
printf "[smtp]\nurl = smtps://mail.example.gov.vn:465\nfrom = raquet@stttt.example.gov.vn\nuser = u\npassword = $SECRET\n[reminders]\nbefore = 14, 7,1,0\n" |
	check_conf 0 'configuration OK'
printf "[smtp]\nurl = smtp://127.0.0.1:2525\nstarttls = no\nfrom = raquet@stttt.example.gov.vn\nuser = u\npassword = $SECRET\n" |
	check_conf 0 ''
finish
