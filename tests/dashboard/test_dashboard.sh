#!/usr/bin/env bash
# The dashboard in a real browser (Debian's chromium, headless, driven by
# playwright-core: dashboard.mjs) against a real raquet-server on loopback:
# a unit tree, users of each role, machines speaking the agent API (a
# sample on three machines in three units, two machines behind the
# mirror's signatures), three days of coverage history (the server
# restarted with its recorder's clock moved back, a test hook), one real
# raquetd enrolled with a token and updated from the server's signed
# mirror, and reporting to the national centre configured towards an
# address that refuses. The browser logs in as each role and checks its
# scope (a province-wide viewer too) and every page against the API: the
# language switch, dd/mm/yyyy dates, a scan task carried out by the real agent, the reports made and
# downloaded from the Reports page (the files are checked here: XLSX with
# openpyxl against the store, PDF with pdftotext, CSV), the NCSC log, the
# audit log, the scan schedule form, the threat intelligence page (an IOC
# list imported through the page, a sample allow-listed from its page), the
# sharing page (STIX and MISP downloads, an API token reading TAXII), and no console error or CSP
# violation; then, with [ncsc] not configured, the NCSC page says so, and
# with [upstream] towards an address that refuses, the tier tab shows the
# report queued, its failed attempt and the error.
# With RQ_SCREENSHOTS=DIR it also saves the main pages as PNG
# (docs/screenshots/). Skipped (77) only when chromium or node is missing.
# Usage: test_dashboard.sh RAQUET RAQUETD RAQUET_SERVER OUTBOX_PUT
HERE=$(realpath "$(dirname "$0")")
source "$HERE/../agent/lib.sh"
CHROMIUM=${RQ_CHROMIUM:-$(command -v chromium || true)}
if [ -z "$CHROMIUM" ] || ! command -v node > /dev/null; then
	echo "SKIP: the dashboard's browser test needs chromium and node (scripts/install-deps.sh --test)"
	exit 77
fi
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
	(cd "$HERE" && npm ci --no-audit --no-fund > "$WORK/npm.log" 2>&1) ||
		{ echo "SKIP: npm ci in tests/dashboard failed: $(tail -3 "$WORK/npm.log")"; exit 77; }
fi
# a python with openpyxl (Debian's python3-openpyxl is /usr/bin/python3's)
PY=python3
$PY -c 'import openpyxl' 2> /dev/null || PY=/usr/bin/python3
export RAQUET_SERVER_TEST_ROUTES=1

# --- a signed mirror, so the real agent has signatures to scan with ---
mkdir -p sigs keys mirror trusted
printf '%s\n' 'indicator,description' '127.0.0.7,Test C2 server' > sigs/iocs.txt
printf '%s:%s:%s\n' "$(printf 'dashboard test marker\n' | md5sum | cut -d' ' -f1)" 22 Test.Dashboard.Marker > sigs/m.hdb
"$RAQUET" db keygen --out keys/province > /dev/null 2>&1 || { fail "keygen"; finish; }
"$RAQUET" db build --name main --version 3 --key keys/province.key -o main.rqdb sigs > build.out 2>&1 ||
	{ fail "db build: $(cat build.out)"; finish; }
"$RAQUET" mirror publish --dir mirror --key keys/province.key main.rqdb > pub.out 2>&1 ||
	{ fail "publish: $(cat pub.out)"; finish; }
cp keys/province.pub trusted/

# --- reporting to the national centre: an agency certificate to sign with,
#     and a centre's address where nothing listens (each attempt fails) ---
openssl req -x509 -newkey rsa:2048 -nodes -keyout agency.key -out agency.crt -days 2 -utf8 \
	-subj "/C=VN/O=Sở Thông tin và Truyền thông/CN=NCSC reporting" 2> /dev/null && chmod 600 agency.key ||
	{ fail "agency certificate"; finish; }
cat > ncsc.conf <<EOF2
[ncsc]
url = https://127.0.0.1:9/AVReport/server.php
organ_id = 000.00.00.H47
organ_name = Sở Thông tin và Truyền thông tỉnh Thử Nghiệm
address = 12 Đường Lê Lợi
email = soattt@example.gov.vn
telephone = 0234 3822 000
sign_cert = $WORK/agency.crt
sign_key = $WORK/agency.key
schedule = off
timeout = 2s
retry_base = 60s
max_attempts = 5
EOF2

# --- units, users of each role ---
unit() { "$SERVER" unit add --store "$STORE" --name "$1" --code "$2" ${3:+--parent "$3"} > /dev/null 2>&1 || fail "unit $2"; }
unit "Sở Thông tin và Truyền thông" STTTT
unit "Sở Y tế" SYT
unit "UBND huyện Hòa An" HOAAN
unit "Phòng Giáo dục huyện Hòa An" HOAAN-GD HOAAN
unit "UBND thành phố Cao Bằng" TPCB
user() { printf '%s\n' "$1-password-123" | "$SERVER" user add --store "$STORE" --login "$1" --role "$2" ${3:+--unit "$3"} \
	--display "$4" --password-stdin > /dev/null 2>&1 || fail "user $1"; }
user quantri admin "" "Nguyễn Văn Quản"
user canbo officer HOAAN "Lê Thị Hà"
user xem viewer SYT "Trần Minh Đức"
user xemtinh viewer "" "Phạm Thu Trang"
# restart DAYS_BACK: the server again, its coverage recorder's clock that
# many days back; it records that day's snapshot at start (waited for)
recorded_since() { [ "$(sql "SELECT COUNT(*) FROM coverage_daily WHERE day = '$1' AND recorded_at >= $2")" -ge 1 ] 2> /dev/null; }
restart() {
	local since=$(($(date +%s) - $1 * 86400 - 1)) day
	day=$(date -d "-$1 day" +%F)
	[ -n "$SPID" ] && stop_server
	RAQUET_SERVER_TEST_RECORD_SKEW=$((-$1 * 86400)) start_server --mirror-dir "$WORK/mirror" --config "$WORK/ncsc.conf"
	wait_for 60 recorded_since "$day" "$since" ||
		fail "no coverage snapshot after a start $1 days back: $(sql "SELECT unit_id, day, endpoints, recorded_at FROM coverage_daily")"
}
restart 0

# --- machines through the agent API: heartbeats, detections, scans ---
fake() { # HOSTNAME UNIT KIND REALTIME BUILT_AGO_DAYS IP [MAIN_VERSION] -> $CRED
	local tok body
	tok=$(new_token "$2")
	curl -sS -o enroll.json -X POST -H 'Content-Type: application/json' \
		--data-binary "{\"token\":\"$tok\",\"hostname\":\"$1\",\"kind\":\"$3\",\"machine_id\":\"m-$1\"}" \
		"$URL/api/v1/agent/enroll" || fail "enroll $1"
	CRED=$(python3 -c "import json; print(json.load(open('enroll.json'))['credential'])") || { fail "enroll $1: $(cat enroll.json)"; return; }
	body="{\"os\":{\"name\":\"Debian GNU/Linux\",\"version\":\"12\"},\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:01:$6\",\"addresses\":[\"10.20.0.$6\"]}],\"realtime\":{\"state\":\"$4\"},\"firewall\":{\"state\":\"on\"},\"databases\":{\"main\":{\"version\":${7:-3},\"built\":$(($(date +%s) - $5 * 86400))}}}"
	agent POST /heartbeat "$body"
}
agent() { # METHOD PATH BODY as $CRED
	local code
	code=$(curl -sS -o agent.json -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
		-H "Authorization: Bearer $CRED" --data-binary "$3" "$URL/api/v1/agent$2")
	[ "$code" = 200 ] || fail "agent $2: $code $(cat agent.json)"
}
N=0
event() { # KIND PAYLOAD
	N=$((N + 1))
	agent POST /events "{\"events\":[{\"uuid\":\"00000000-0000-4000-8000-$(printf '%012d' "$N")\",\"kind\":\"$1\",\"time\":$(date +%s),\"payload\":$2}]}"
}
SHA=$(printf 'c%.0s' {1..64})
# the history: three machines two days back (Sở Y tế, one with signatures
# version 2, behind the mirror's 3), five yesterday, six today (and the
# real agent); the sample $SHA on three machines in three units
fake "syt-may-chu-01" SYT server on 0 11
event detection "{\"path\":\"/srv/share/hoadon.exe\",\"sha256\":\"$SHA\",\"name\":\"Win.Trojan.Emotet\",\"state\":\"active\"}"
fake "syt-ketoan-02" SYT workstation on 2 12
fake "syt-vanthu-03" SYT workstation off 20 13 2
restart 2
fake "tpcb-mot-cua-01" TPCB workstation on 1 14
event detection "{\"path\":\"/home/user/Downloads/baocao.doc.exe\",\"sha256\":\"$SHA\",\"name\":\"Win.Trojan.Emotet\",\"state\":\"quarantined\"}"
event scan '{"scan_kind":"full","started":1764000000,"finished":1764000300,"files":48213,"infected":1}'
fake "hoaan-vanphong-01" HOAAN workstation on 9 15 2
event detection '{"path":"/home/ketoan/Downloads/setup.exe","sha256":"'"$(printf 'd%.0s' {1..64})"'","name":"Unix.Malware.Agent","state":"active"}'
restart 1
fake "hoaan-gd-server" HOAAN-GD server on 0 16
event detection "{\"path\":\"/srv/data/hoadon.exe\",\"sha256\":\"$SHA\",\"name\":\"Win.Trojan.Emotet\",\"state\":\"active\"}"
restart 0

# --- the policy of UBND huyện Hòa An (inherited below): report only, and
#     the quick scan stays out of the temporary folders, where the files of
#     other tests and programs are (a scan from this test must never move them) ---
curl -sS -c admin.jar -o login.json -H 'Content-Type: application/json' \
	--data-binary '{"login":"quantri","password":"quantri-password-123"}' "$URL/api/v1/auth/login" || fail "login"
CSRF=$(python3 -c "import json; print(json.load(open('login.json'))['csrf_token'])")
HOAAN=$(sql "SELECT id FROM units WHERE code = 'HOAAN'")
code=$(curl -sS -b admin.jar -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' -o policy.json -w '%{http_code}' \
	-X PUT --data-binary '{"action_on_detection":"report","realtime":false,"exclusions":["/tmp","/tmp/*","/var/tmp","/var/tmp/*","/dev/shm","/dev/shm/*"]}' \
	"$URL/api/v1/units/$HOAAN/policy")
[ "$code" = 200 ] || { fail "policy: $code $(cat policy.json)"; finish; }

# --- one real agent in Phòng Giáo dục huyện Hòa An ---
TOKEN=$(new_token HOAAN-GD)
"$RAQUET" agent enroll --server "$URL" --token "$TOKEN" --state-dir "$ST" --force > enroll.out 2>&1 ||
	{ fail "enroll: $(cat enroll.out)"; finish; }
REAL_EP=$(sed -n 's/^enrolled: endpoint \([0-9]*\) .*/\1/p' enroll.out)
REAL_HOST=$(sql "SELECT hostname FROM endpoints WHERE id = $REAL_EP")
cat > agent.conf <<EOF2
[agent]
heartbeat_interval = 5
heartbeat_fixed = yes
scheduled_scans = no
vault_dir = $WORK/vault
[update]
trusted_keys = $WORK/trusted
[realtime]
enabled = no
[netwatch]
interval = 0
EOF2
"$RAQUETD" --state-dir "$ST" --config agent.conf 2> raquetd.log &
APID=$!
wait_for 30 test -f "$ST/sigs/main.rqdb" || fail "the agent did not install main.rqdb: $(tail -5 raquetd.log)"
agent_action() { python3 -c "import json; print(json.load(open('$ST/status.json'))['policy']['action_on_detection'])" 2> /dev/null; }
is_report() { [ "$(agent_action)" = report ]; }
wait_for 30 is_report || { fail "the agent did not get the report-only policy"; finish; }

# --- the browser ---
mkdir -p browser-profile downloads
browse() { # PHASE -> $rc
	RQ_URL=$URL RQ_CHROMIUM=$CHROMIUM RQ_REAL_EP=$REAL_EP RQ_REAL_HOST=$REAL_HOST RQ_SHA=$SHA RQ_PHASE=$1 \
		RQ_DOWNLOADS=$WORK/downloads RQ_SCREENSHOTS=${RQ_SCREENSHOTS:-} node "$HERE/dashboard.mjs" > "browser-$1.log" 2>&1
	rc=$?
	cat "browser-$1.log"
}
browse main
[ "$rc" = 0 ] || fail "browser checks failed (exit $rc); agent log: $(tail -5 raquetd.log)"

# --- the report files downloaded through the page, against the store ---
# machines enrolled directly in each unit, as the store holds them
sql "SELECT u.code, (SELECT COUNT(*) FROM endpoints e WHERE e.unit_id = u.id) FROM units u" | tr '|' '=' | paste -sd, > want_machines
for kind in province unit; do
	id=$(sed -n "s/^$kind //p" downloads/ids.txt)
	[ -n "$id" ] || { fail "no $kind report downloaded: $(cat downloads/ids.txt 2>/dev/null)"; continue; }
	curl -sS -b admin.jar -o "downloads/$kind.json" "$URL/api/v1/reports/$id" || fail "report $id"
	pdftotext -layout "downloads/$kind.pdf" "downloads/$kind.txt" || fail "pdftotext $kind"
	$PY "$HERE/check_report.py" "downloads/$kind" "$(cat want_machines)" > "check-$kind.out" 2>&1 ||
		fail "the $kind report's files: $(cat "check-$kind.out")"
	cat "check-$kind.out"
done

# --- the campaign report exported from the campaign page, against the kept figures ---
id=$(sed -n "s/^campaign //p" downloads/ids.txt)
if [ -z "$id" ]; then
	fail "no campaign report downloaded: $(cat downloads/ids.txt 2>/dev/null)"
else
	curl -sS -b admin.jar -o downloads/campaign.json "$URL/api/v1/reports/$id" || fail "campaign report $id"
	pdftotext downloads/campaign.pdf downloads/campaign.txt || fail "pdftotext campaign"
	$PY "$HERE/check_campaign_report.py" downloads/campaign > check-campaign.out 2>&1 ||
		fail "the campaign report's files: $(cat check-campaign.out)"
	cat check-campaign.out
fi

# --- [ncsc] not configured: the NCSC page says so; [upstream] configured
#     towards an address where nothing listens: the tier tab shows the
#     queued report, its failed attempts and the error ---
kill "$APID" 2> /dev/null
wait "$APID" 2> /dev/null
APID=
stop_server
mkdir -p upstream && chmod 700 upstream
printf 'rqd_%s\n' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" > upstream/credential
chmod 600 upstream/credential
cat > upstream.conf <<EOF2
[upstream]
url = https://127.0.0.1:9
credential_file = $WORK/upstream/credential
interval = 1h
retry_base = 1h
EOF2
start_server --mirror-dir "$WORK/mirror" --config "$WORK/upstream.conf"
browse ncsc-off
[ "$rc" = 0 ] || fail "browser checks without [ncsc], with [upstream] failed (exit $rc)"
grep -qF "$(cat upstream/credential)" server.log && fail "the upstream credential is in the server's log"
finish
