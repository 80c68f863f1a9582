#!/usr/bin/env bash
# Reports to the national monitoring centre (docs/ncsc.md), on SQLite and
# PostgreSQL, against a local HTTPS receiver (ncsc_receiver.py) that checks
# every document it gets with `xmlsec1 --verify` and `xmllint --schema`:
# machines report through the real agent API (a detection, a connection to
# a malicious address, an outdated and an unknown signature age, real-time
# and firewall flags); an administrator queues a report; the receiver
# answers 500, then hangs past the server's timeout, the server is killed
# with -9 while the report waits for its next attempt, and after a restart
# the same document is delivered once the receiver accepts it. The figures
# of the document are checked against what was reported; the log and the
# document are read through the admin API (administrators and province-wide
# viewers only), the action is audited; `ncsc report --dry-run` writes a
# signed, valid document; bad [ncsc] values are refused at their line.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
XSD=$(realpath "$HERE/../../server/ncsc/avreport.xsd")
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
source "$HERE/fleet_lib.sh"
mkdir -p "$WORK/run" && cd "$WORK/run"
for tool in xmlsec1 xmllint openssl; do
	command -v "$tool" > /dev/null || { echo "SKIP: $tool is not installed (scripts/install-deps.sh --test)"; exit 0; }
done
RECEIVER_PID=
trap 'stop_server; [ -n "$RECEIVER_PID" ] && kill "$RECEIVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

# --- certificates: a test CA signing the receiver's TLS certificate, the
# server's TLS client certificate and the agency's signing certificate ---
P=$WORK/pki
mkdir -p "$P"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$P/ca.key" -out "$P/ca.crt" -days 2 \
	-subj "/CN=Test national CA" 2> /dev/null || fail "CA"
make_cert() { # NAME SUBJECT [SAN]
	openssl req -newkey rsa:2048 -nodes -keyout "$P/$1.key" -out "$P/$1.csr" -subj "$2" -utf8 2> /dev/null &&
		openssl x509 -req -in "$P/$1.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial -days 2 \
			${3:+-extfile <(printf 'subjectAltName=%s\n' "$3")} -out "$P/$1.crt" 2> /dev/null ||
		fail "certificate $1"
	chmod 600 "$P/$1.key"
}
make_cert receiver "/CN=127.0.0.1" "IP:127.0.0.1"
make_cert client "/CN=raquet-server of the province"
make_cert agency "/C=VN/O=Sở Thông tin và Truyền thông/CN=NCSC reporting"

R=$WORK/receiver
mkdir -p "$R"
echo 500 > "$R/mode"
python3 "$HERE/ncsc_receiver.py" "$R" "$P/receiver.crt" "$P/receiver.key" "$P/ca.crt" "$XSD" 2> "$WORK/receiver.err" &
RECEIVER_PID=$!
for _ in $(seq 100); do [ -f "$R/port" ] && break; sleep 0.05; done
[ -f "$R/port" ] || { fail "the receiver did not start: $(cat "$WORK/receiver.err")"; finish; }
NCSC_URL="https://127.0.0.1:$(cat "$R/port")/AVReport/server.php"

CONF=$WORK/ncsc.conf
cat > "$CONF" <<CONFEOF
[ncsc]
url = $NCSC_URL
organ_id = 000.00.00.H47
organ_name = Sở Thông tin và Truyền thông tỉnh Thử Nghiệm
address = 12 Đường Lê Lợi
email = soattt@example.gov.vn
telephone = 0234 3822 000
fax = 0234 3822 001
website = https://stttt.example.gov.vn
sign_cert = $P/agency.crt
sign_key = $P/agency.key
client_cert = $P/client.crt
client_key = $P/client.key
ca_file = $P/ca.crt
schedule = off
timeout = 2s
retry_base = 1s
max_attempts = 30
CONFEOF

# sub FIELD: a field of submission $SUB_ID (as root)
sub() {
	api root GET "/api/v1/ncsc/submissions/$SUB_ID"
	json "[\"$1\"]"
}

# wait_for PYEXPR SECONDS: until the submission's JSON `s` satisfies PYEXPR
wait_for() {
	local i
	for i in $(seq $(($2 * 5))); do
		api root GET "/api/v1/ncsc/submissions/$SUB_ID"
		if [ "$(cat code)" = 200 ] && python3 -c "import json,sys; s=json.load(open('body')); sys.exit(0 if ($1) else 1)"; then
			return 0
		fi
		sleep 0.2
	done
	fail "submission $SUB_ID: not ($1) after $2 s: $(cat body)"
	return 1
}

heartbeat() { # CRED JSON
	agent_post "$1" /heartbeat "$2"
	expect_code 200 "heartbeat: "
}

scenario() {
	: > "$R/log"
	echo 500 > "$R/mode"
	rm -f "$R"/post-*.xml
	"$SERVER" unit add --store "$STORE" --name "Tỉnh" --code P > /dev/null || fail "unit P"
	"$SERVER" unit add --store "$STORE" --name "Sở A" --code A --parent P > /dev/null || fail "unit A"
	TOK=$("$SERVER" token create --store "$STORE" --unit A --uses 3 --days 1 2> /dev/null)
	make_user root admin
	make_user view_p viewer
	make_user off_a officer A
	make_user view_a viewer A
	start_server --config "$CONF"
	for u in root view_p off_a view_a; do login_as "$u"; done
	local now day=86400
	now=$(date +%s)

	enroll "$TOK" alpha workstation
	local alpha=$EP_CRED
	heartbeat "$alpha" "{\"os\":{\"name\":\"Windows 10 Pro\",\"version\":\"22H2\"},\"interfaces\":[{\"name\":\"eth0\",\"addresses\":[\"10.0.0.5\"]}],\"realtime\":{\"state\":\"on\"},\"firewall\":{\"state\":\"off\"},\"databases\":{\"main\":{\"version\":3,\"built\":$((now - day))}}}"
	enroll "$TOK" bravo server
	local bravo=$EP_CRED
	heartbeat "$bravo" "{\"os\":{\"name\":\"Debian GNU/Linux\",\"version\":\"12\"},\"interfaces\":[{\"name\":\"eth0\",\"addresses\":[\"10.0.0.6\"]}],\"realtime\":{\"state\":\"off\"},\"firewall\":{\"state\":\"on\"},\"databases\":{\"main\":{\"version\":1,\"built\":$((now - 20 * day))}}}"
	enroll "$TOK" 'charlie&<co>' other
	local charlie=$EP_CRED
	heartbeat "$charlie" '{"os":{"name":"Ubuntu","version":"24.04"}}'
	# alpha: two files with Eicar (one active, one quarantined); bravo: a connection
	agent_post "$alpha" /events "{\"events\":[{\"uuid\":\"00000000-0000-4000-8000-000000000001\",\"kind\":\"detection\",\"time\":$now,\"payload\":{\"path\":\"/home/u/a.com\",\"sha256\":\"$(printf 'a%.0s' {1..64})\",\"name\":\"Eicar-Test-Signature\",\"type\":\"virus\",\"state\":\"active\"}},{\"uuid\":\"00000000-0000-4000-8000-000000000002\",\"kind\":\"detection\",\"time\":$now,\"payload\":{\"path\":\"/home/u/b.com\",\"sha256\":\"$(printf 'b%.0s' {1..64})\",\"name\":\"Eicar-Test-Signature\",\"type\":\"virus\",\"state\":\"quarantined\"}}]}"
	expect_code 200 "alpha's detections: "
	agent_post "$bravo" /events "{\"events\":[{\"uuid\":\"00000000-0000-4000-8000-000000000003\",\"kind\":\"connection\",\"time\":$now,\"payload\":{\"remote\":\"203.0.113.9\",\"remote_port\":443,\"exe\":\"/usr/bin/evil\",\"pid\":77,\"md5\":\"$(printf 'c%.0s' {1..32})\",\"sha256\":\"$(printf 'd%.0s' {1..64})\",\"indicator\":\"203.0.113.9\",\"action\":\"reported\"}}]}"
	expect_code 200 "bravo's connection: "

	# --- who may ---
	api - GET /api/v1/ncsc/submissions
	expect_code 401 "no credentials: "
	api off_a POST /api/v1/ncsc/submissions
	expect_code 403 "officer POST: "
	api view_p POST /api/v1/ncsc/submissions
	expect_code 403 "viewer POST: "
	api root POST /api/v1/ncsc/submissions
	expect_code 201 "admin POST: "
	SUB_ID=$(json '["id"]')
	[ "$(json '["state"]')" = queued ] || fail "a new submission is not queued: $(cat body)"
	api view_p GET /api/v1/ncsc/submissions
	expect_code 200 "province-wide viewer list: "
	[ "$(json '["total"]')" = 1 ] || fail "list total $(json '["total"]'), want 1"
	api off_a GET /api/v1/ncsc/submissions
	expect_code 403 "unit officer list: "
	api view_a GET "/api/v1/ncsc/submissions/$SUB_ID/document"
	expect_code 403 "unit viewer document: "
	api root GET /api/v1/ncsc/submissions/999999
	expect_code 404 "unknown submission: "
	api root GET '/api/v1/ncsc/submissions?limit=0'
	expect_code 400 "limit=0: "
	[ "$(audit_count ncsc.submit)" = 1 ] || fail "ncsc.submit audited $(audit_count ncsc.submit) times, want 1"

	# --- the centre fails: 500 twice, then hangs past the timeout ---
	wait_for 's["attempts"] >= 2 and s["http_status"] == 500 and s["state"] == "queued"' 20
	grep -q "HTTP 500" body || fail "last_error does not say HTTP 500: $(cat body)"
	grep -q "try later" body || fail "the response excerpt is not kept: $(cat body)"
	echo hang > "$R/mode"
	local before
	before=$(sub attempts)
	wait_for "s[\"attempts\"] > $before and 'imed out' in s[\"last_error\"] and s[\"state\"] == 'queued'" 30
	grep -q '^[0-9]* hang ' "$R/log" || fail "the receiver saw no post while hanging: $(cat "$R/log")"

	# --- kill -9 with the report queued, restart: delivered once accepted ---
	kill -9 "$PID"
	wait "$PID" 2> /dev/null
	PID=
	echo ok > "$R/mode"
	start_server --config "$CONF"
	login_as root
	wait_for 's["state"] == "sent" and s["http_status"] == 200 and s["sent_at"]' 40
	local digest size
	digest=$(sub sha256)
	size=$(sub size)
	api root GET "/api/v1/ncsc/submissions/$SUB_ID/document"
	expect_code 200 "document: "
	[ "$(sha256sum < body | cut -d' ' -f1)" = "$digest" ] || fail "the document served is not the one logged"
	[ "$(stat -c %s body)" = "$size" ] || fail "document size $(stat -c %s body), logged $size"
	cp body "$WORK/sent.xml"
	local accepted
	accepted=$(grep -c " ok 200 .*sha256=$digest" "$R/log")
	[ "$accepted" = 1 ] || fail "accepted $accepted times, want 1: $(cat "$R/log")"
	grep -v "sha256=$digest" "$R/log" | grep -q . && fail "the receiver got another document: $(cat "$R/log")"
	grep -v 'verify=ok schema=ok' "$R/log" | grep -q . && fail "a post failed xmlsec1 or xmllint: $(cat "$R/log")"
	grep -v 'content-type=text/xml ' "$R/log" | grep -q . && fail "a post was not text/xml: $(cat "$R/log")"

	# --- the figures ---
	python3 - "$WORK/sent.xml" "$now" <<'PYEOF' || fail "the document's figures (above)"
import sys, xml.etree.ElementTree as ET
E = "{http://www.mic.gov.vn/TBT/QCVN_102_2016}"
D = "{http://www.w3.org/2000/09/xmldsig#}"
root = ET.parse(sys.argv[1]).getroot()
bad = []
def want(what, got, exp):
    if got != exp:
        bad.append("%s: %r, want %r" % (what, got, exp))
hdr = root.find(E + "edXMLHeader")
want("OrganId", hdr.findtext(E + "MessageHeader/" + E + "From/" + E + "OrganId"), "000.00.00.H47")
want("OrganName", hdr.findtext(E + "MessageHeader/" + E + "From/" + E + "OrganName"),
     "Sở Thông tin và Truyền thông tỉnh Thử Nghiệm")
want("signature under the header", hdr.find(D + "Signature") is not None, True)
want("X509SubjectName", "NCSC reporting" in (hdr.findtext(".//" + D + "X509SubjectName") or ""), True)
rep = root.find(E + "edXMLBody/" + E + "AVReport")
want("product", rep.get("name"), "raquet")
want("Datetime near now", abs(int(rep.findtext(E + "Datetime")) - int(sys.argv[2])) < 600, True)
def machines(section):
    return {m.get("name"): m for m in rep.find(E + section).findall(E + "Machine")}
mal = machines("Malware")
want("machines with malware", sorted(mal), ["alpha"])
a = mal["alpha"]
want("alpha ip", a.get("ip"), "10.0.0.5")
info = a.find(E + "MalwareInfo")
want("MalwareName", info.findtext(E + "MalwareName"), "Eicar-Test-Signature")
want("MalwareType", info.findtext(E + "MalwareType"), "virus")
want("MalwareBehavior", info.findtext(E + "MalwareBehavior"), "active")
want("TypeOfDevice", info.findtext(E + "TypeOfDevice"), "workstation")
want("NumberFile", info.findtext(E + "NumberFile"), "2")
con = machines("Connection")
want("machines with connections", sorted(con), ["bravo"])
ci = con["bravo"].find(E + "ConnectionInfo")
want("Program", ci.findtext(E + "Program"), "/usr/bin/evil")
want("md5", ci.findtext(E + "md5"), "c" * 32)
want("Sha2", ci.findtext(E + "Sha2"), "d" * 64)
want("TargetIP", ci.findtext(E + "TargetIP"), "203.0.113.9")
want("Vulnerability machines", len(rep.find(E + "Vulnerability")), 0)
os_ = machines("OS")
want("OS machines", sorted(os_), ["alpha", "bravo", "charlie&<co>"])
want("alpha OSName", os_["alpha"].findtext(E + "OSName"), "Windows 10 Pro 22H2")
want("alpha LastUpdate set", len(os_["alpha"].findtext(E + "LastUpdate")), 19)
want("charlie LastUpdate unknown", os_["charlie&<co>"].findtext(E + "LastUpdate"), "")
want("NumberMachineNotUpdateOn15Day", rep.findtext(E + "Update/" + E + "NumberMachineNotUpdateOn15Day"), "2")
q = machines("QualityFeature")
want("alpha AutoProtect", q["alpha"].findtext(E + "AutoProtect"), "1")
want("alpha EnableFirewall", q["alpha"].findtext(E + "EnableFirewall"), "0")
want("bravo AutoProtect", q["bravo"].findtext(E + "AutoProtect"), "0")
want("bravo EnableFirewall", q["bravo"].findtext(E + "EnableFirewall"), "1")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PYEOF

	# --- a dry run writes a signed, valid document and queues nothing ---
	expect_exit 0 "$SERVER" ncsc report --dry-run -o "$WORK/dry.xml" --config "$CONF" --store "$STORE"
	xmlsec1 --verify --trusted-pem "$P/ca.crt" "$WORK/dry.xml" > /dev/null 2>&1 || fail "dry run: the signature does not verify"
	xmllint --noout --schema "$XSD" "$WORK/dry.xml" 2> /dev/null || fail "dry run: not valid against the schema"
	api root GET /api/v1/ncsc/submissions
	[ "$(json '["total"]')" = 1 ] || fail "the dry run queued something: total $(json '["total"]')"
	# a tampered document does not verify (the check can fail)
	sed 's/Eicar-Test-Signature/Eicar-Tampered/' "$WORK/dry.xml" > "$WORK/tampered.xml"
	xmlsec1 --verify --trusted-pem "$P/ca.crt" "$WORK/tampered.xml" > /dev/null 2>&1 && fail "a tampered document verifies"
}

for_each_store scenario

# --- the schedule: "daily 00:00" is past every day, so a server starting
# makes that day's report at once, and a restart does not make a second ---
scheduled() {
	: > "$R/log"
	echo ok > "$R/mode"
	sed 's/^schedule = off$/schedule = daily 00:00/' "$CONF" > "$WORK/sched.conf"
	make_user root admin
	start_server --config "$WORK/sched.conf"
	login_as root
	SUB_ID=
	for _ in $(seq 50); do
		api root GET /api/v1/ncsc/submissions
		[ "$(json '["total"]')" = 1 ] && SUB_ID=$(json '["items"][0]["id"]') && break
		sleep 0.2
	done
	[ -n "$SUB_ID" ] || { fail "no scheduled report: $(cat body)"; return; }
	wait_for 's["state"] == "sent" and s["made_by"] == "schedule" and s["schedule_slot"] is not None' 20
	stop_server
	start_server --config "$WORK/sched.conf"
	login_as root
	sleep 3
	api root GET /api/v1/ncsc/submissions
	[ "$(json '["total"]')" = 1 ] || fail "a restart made a second report for the same day: $(cat body)"
	[ "$(grep -c ' ok 200 ' "$R/log")" = 1 ] || fail "the scheduled report was not sent once: $(cat "$R/log")"
}
STORE_KIND=sqlite
STORE=sqlite:$WORK/sched.sqlite
scheduled
stop_server

# the schema built into the program is the project's file
expect_exit 0 "$SERVER" ncsc schema
cmp -s out "$XSD" || fail "ncsc schema does not print server/ncsc/avreport.xsd"

# --- bad [ncsc] values are refused at their line ---
bad_conf() { # WANT_PATTERN LINES...
	local want=$1
	shift
	printf '%s\n' "[ncsc]" "$@" > "$WORK/bad.conf"
	expect_exit 1 "$SERVER" --check-config --config "$WORK/bad.conf" --plain-http --listen 127.0.0.1:0 --store "sqlite:$WORK/x.sqlite"
	grep -q -E -- "$want" err || fail "bad config ($*): '$want' not in: $(cat err)"
}
bad_conf "bad.conf:2: \[ncsc\] organ_id: expected an agency code" "organ_id = 000.00.H47"
bad_conf "bad.conf:2: \[ncsc\] organ_id" "organ_id = 000.00.00.h47"
bad_conf "bad.conf:2: \[ncsc\] url: expected an https:// URL" "url = http://ncsc.example/AVReport/server.php"
bad_conf "bad.conf:2: \[ncsc\] schedule: expected off or daily HH:MM" "schedule = daily 25:00"
bad_conf "bad.conf:2: \[ncsc\] schedule: a schedule needs \[ncsc\] url" "schedule = daily 06:30"
bad_conf "bad.conf:6: \[ncsc\] sign_key: cannot read '$WORK/missing.key'" "url = https://127.0.0.1:9/x" \
	"organ_id = 000.00.00.H47" "organ_name = Sở Thử" "sign_cert = $P/agency.crt" "sign_key = $WORK/missing.key"
bad_conf "bad.conf:6: \[ncsc\] sign_key: '$P/client.key' is not the key of the certificate" "url = https://127.0.0.1:9/x" \
	"organ_id = 000.00.00.H47" "organ_name = Sở Thử" "sign_cert = $P/agency.crt" "sign_key = $P/client.key"
bad_conf "bad.conf:2: \[ncsc\] organ_id: needed" "url = https://127.0.0.1:9/x"
bad_conf "bad.conf:3: \[ncsc\] max_attempts: 0 is out of range" "url = https://127.0.0.1:9/x" "max_attempts = 0"
# the dry run names what is missing
printf '[ncsc]\norgan_id = 000.00.00.H47\norgan_name = X\nsign_cert = %s\nsign_key = %s\n' "$P/agency.crt" "$WORK/gone.key" > "$WORK/dry.conf"
expect_exit 1 "$SERVER" ncsc report --dry-run -o "$WORK/x.xml" --config "$WORK/dry.conf" --store "sqlite:$WORK/y.sqlite"
grep -q "dry.conf:5: \[ncsc\] sign_key: cannot read '$WORK/gone.key'" err || fail "dry run, missing key: $(cat err)"
[ -e "$WORK/x.xml" ] && fail "a failed dry run wrote its output"
finish
