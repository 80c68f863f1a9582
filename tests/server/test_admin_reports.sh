#!/usr/bin/env bash
# The official reports over real HTTP on loopback, on SQLite and
# PostgreSQL: a small province (units with Vietnamese names, one with a
# comma and a double quote) whose machines enroll and report through the
# real agent API; reports made through the API as each role (an officer
# outside its subtree and a viewer refused, malformed bodies 400), listed
# and read within scope; each file downloaded twice (the same bytes) and
# checked: the XLSX with openpyxl (sheets, header row, each unit's figures
# equal to the store's, totals as =SUM formulas, frozen panes), the PDF
# with pdftotext and pdfinfo (Vietnamese text, A4, a table across pages),
# the CSV (BOM, CRLF, quoting); the raquet-server report command. Unit B
# also declares a machine protected by another product (counted, its
# product listed) and one whose hostname B's agent has (not counted).
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
source "$HERE/fleet_lib.sh"
mkdir -p "$WORK/run" && cd "$WORK/run"

# a python with openpyxl (Debian's python3-openpyxl is /usr/bin/python3's)
PY=python3
$PY -c 'import openpyxl' 2> /dev/null || PY=/usr/bin/python3
SHA_X=$(printf 'a%.0s' {1..64})
NAME_A='Sở Tài chính, "Kế hoạch"'

heartbeat() { # CRED BUILT_AGO_DAYS
	agent_post "$1" /heartbeat "{\"os\":{\"name\":\"Debian GNU/Linux\",\"version\":\"12\"},\"realtime\":{\"state\":\"on\"},\"databases\":{\"main\":{\"version\":7,\"built\":$(($(date +%s) - $2 * 86400))}}}"
	expect_code 200 "heartbeat: "
}

event() { # CRED UUID_SUFFIX KIND PAYLOAD
	agent_post "$1" /events "{\"events\":[{\"uuid\":\"00000000-0000-4000-8000-$(printf '%012d' "$2")\",\"kind\":\"$3\",\"time\":$(date +%s),\"payload\":$4}]}"
	expect_code 200 "event $2: "
}

# store_sql SQL: one value from the store
store_sql() {
	if [ "$STORE_KIND" = sqlite ]; then
		$PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "${STORE#sqlite:}" "$1"
	else
		psql -tA "$STORE" -c "$1"
	fi
}

download() { # AS ID FORMAT FILE
	curl -sS -D headers -o "$4" -w '%{http_code}' -b "$WORK/$1.jar" "$BASE/api/v1/reports/$2/file?format=$3" > code
	expect_code 200 "download $3: "
}

scenario() {
	"$SERVER" unit add --store "$STORE" --name "Tỉnh Cao Bằng" --code P > /dev/null || fail "unit P"
	"$SERVER" unit add --store "$STORE" --name "$NAME_A" --code A --parent P > /dev/null || fail "unit A"
	"$SERVER" unit add --store "$STORE" --name "Phòng Hà Quảng" --code A1 --parent A > /dev/null || fail "unit A1"
	"$SERVER" unit add --store "$STORE" --name "UBND huyện Bảo Lạc" --code B --parent P > /dev/null || fail "unit B"
	for i in $(seq 10 49); do # enough rows for the PDF's table to break across pages
		"$SERVER" unit add --store "$STORE" --name "Xã Đức Hạnh $i" --code "B$i" --parent B > /dev/null || fail "unit B$i"
	done
	TOK_A=$("$SERVER" token create --store "$STORE" --unit A --uses 2 --days 1 2> /dev/null)
	TOK_A1=$("$SERVER" token create --store "$STORE" --unit A1 --uses 1 --days 1 2> /dev/null)
	TOK_B=$("$SERVER" token create --store "$STORE" --unit B --uses 2 --days 1 2> /dev/null)
	make_user root admin
	make_user off_a officer A
	make_user view_a viewer A
	make_user off_b officer B
	make_user view_p viewer
	start_server
	for u in root off_a view_a off_b view_p; do login_as "$u"; done

	# A: a server (infected, cleaned one of two, full scan) and a workstation
	# (old signatures); A1: a workstation; B: a workstation and an other
	enroll "$TOK_A" alpha server
	heartbeat "$EP_CRED" 1
	event "$EP_CRED" 1 detection "{\"path\":\"/srv/x.exe\",\"sha256\":\"$SHA_X\",\"name\":\"Win.Trojan.Agent\",\"state\":\"active\"}"
	event "$EP_CRED" 2 detection "{\"path\":\"/srv/y.exe\",\"sha256\":\"$SHA_X\",\"name\":\"Win.Trojan.Agent\",\"state\":\"quarantined\"}"
	event "$EP_CRED" 3 scan "{\"scan_kind\":\"full\",\"started\":$(($(date +%s) - 60)),\"finished\":$(date +%s),\"files\":10,\"infected\":2}"
	enroll "$TOK_A" beta workstation
	heartbeat "$EP_CRED" 30
	enroll "$TOK_A1" gamma workstation
	heartbeat "$EP_CRED" 2
	event "$EP_CRED" 4 scan "{\"scan_kind\":\"quick\",\"started\":$(($(date +%s) - 60)),\"finished\":$(date +%s),\"files\":10,\"infected\":0}"
	enroll "$TOK_B" delta workstation
	heartbeat "$EP_CRED" 3
	event "$EP_CRED" 5 detection "{\"path\":\"/tmp/z\",\"sha256\":\"$SHA_X\",\"name\":\"Win.Trojan.Agent\",\"state\":\"removed\"}"
	enroll "$TOK_B" echo other

	NOW=$(date +%s)
	UNIT_B=$(store_sql "SELECT id FROM units WHERE code = 'B'")
	# B declares a workstation under another product (signatures of today,
	# Vietnam time; last scanned before the period) and "delta", which runs
	# raquet: the agent's figures count, not the declaration
	VN_TODAY=$(date -u -d @$((NOW + 7 * 3600)) +%d/%m/%Y)
	api off_b POST /api/v1/declared-machines "{\"unit\":$UNIT_B,\"hostname\":\"KeToan-01\",\"kind\":\"workstation\",\"product\":\"Kaspersky Endpoint Security 11\",\"sig_updated\":\"$VN_TODAY\",\"last_scan\":\"$(date -u -d @$((NOW - 10 * 86400)) +%Y-%m-%d)\",\"infections_found\":4,\"infections_cleaned\":4}"
	expect_code 201 "declaring KeToan-01: "
	api off_b POST /api/v1/declared-machines "{\"unit\":$UNIT_B,\"hostname\":\"delta\",\"kind\":\"workstation\",\"product\":\"BKAV Pro\",\"sig_updated\":\"$VN_TODAY\"}"
	expect_code 201 "declaring delta: "
	[ "$(json '["superseded_by"]')" != None ] || fail "delta runs raquet: $(cat body)"
	FROM=$((NOW - 86400)) TO=$((NOW + 86400))
	UNIT_A=$(store_sql "SELECT id FROM units WHERE code = 'A'")

	# --- who may make which report ---
	api root POST /api/v1/reports "{\"kind\":\"province\",\"from\":$FROM,\"to\":$TO}"
	expect_code 201 "admin, province: "
	PROV=$(json '["id"]')
	[ "$(json '["kind"]') $(json '["lang"]') $(json '["source"]') $(json '["unit"]')" = "province vi manual None" ] ||
		fail "province report object: $(cat body)"
	api off_a POST /api/v1/reports "{\"kind\":\"province\",\"from\":$FROM,\"to\":$TO}"
	expect_code 403 "officer, province: "
	api view_p POST /api/v1/reports "{\"kind\":\"province\",\"from\":$FROM,\"to\":$TO}"
	expect_code 403 "viewer, province: "
	api off_a POST /api/v1/reports "{\"kind\":\"unit\",\"unit\":$UNIT_B,\"from\":$FROM,\"to\":$TO}"
	expect_code 403 "officer of A, unit B: "
	api view_a POST /api/v1/reports "{\"kind\":\"unit\",\"unit\":$UNIT_A,\"from\":$FROM,\"to\":$TO}"
	expect_code 403 "viewer of A, unit A: "
	api off_a POST /api/v1/reports "{\"kind\":\"unit\",\"unit\":$UNIT_A,\"from\":$FROM,\"to\":$TO,\"lang\":\"en\"}"
	expect_code 201 "officer of A, unit A: "
	REP_A=$(json '["id"]')
	[ "$(json '["unit"]["code"]') $(json '["lang"]')" = "A en" ] || fail "unit report object: $(cat body)"
	for bad in "{\"kind\":\"x\",\"from\":$FROM,\"to\":$TO}" "{\"kind\":\"province\",\"from\":$TO,\"to\":$FROM}" \
		"{\"kind\":\"province\",\"from\":$FROM}" "{\"kind\":\"province\",\"unit\":$UNIT_A,\"from\":$FROM,\"to\":$TO}" \
		"{\"kind\":\"unit\",\"from\":$FROM,\"to\":$TO}" "{\"kind\":\"province\",\"from\":$FROM,\"to\":$TO,\"lang\":\"fr\"}" \
		"{\"kind\":\"province\",\"from\":\"x\",\"to\":$TO}" "not json"; do
		api root POST /api/v1/reports "$bad"
		expect_code 400 "malformed $bad: "
	done

	# audited: the two made through the API and the scheduled one
	[ "$(audit_count report.create)" = 3 ] || fail "report.create audited $(audit_count report.create) times"

	# --- reading within scope ---
	# and the provincial report of last month the schedule (monthly by
	# default) made at start
	expect_total root /api/v1/reports 3
	[ "$(json '["items"][2]["source"]') $(json '["items"][2]["kind"]') $(json '["items"][2]["created_by"]')" = "scheduled province None" ] ||
		fail "the scheduled report: $(cat body)"
	expect_total root "/api/v1/reports?kind=province" 2
	expect_total off_a /api/v1/reports 1
	expect_total view_a /api/v1/reports 1
	expect_total off_b /api/v1/reports 0
	expect_total view_p /api/v1/reports 3
	api off_b GET "/api/v1/reports?unit=$UNIT_A"
	expect_code 403 "officer of B listing A: "
	expect_400 root "/api/v1/reports?kind=both" kind
	api off_a GET "/api/v1/reports/$PROV"
	expect_code 403 "officer reading the province report: "
	api off_b GET "/api/v1/reports/$REP_A"
	expect_code 403 "officer of B reading A's report: "
	api view_a GET "/api/v1/reports/$REP_A"
	expect_code 200 "viewer of A reading A's report: "
	api root GET "/api/v1/reports/999999"
	expect_code 404 "no such report: "
	api view_p GET "/api/v1/reports/$PROV"
	expect_code 200 "province viewer reading the province report: "
	# the figures kept: A's own machines, then the province's totals
	[ "$(json '["figures"]["units"][1]["figures"]["machines"]')" = 2 ] || fail "A's machines: $(head -c 600 body)"
	[ "$(json '["figures"]["totals"]["machines"]') $(json '["figures"]["totals"]["servers"]') $(json '["figures"]["totals"]["others"]')" = "6 1 1" ] ||
		fail "totals: $(head -c 900 body)"
	[ "$(json '["figures"]["totals"]["scanned"]') $(json '["figures"]["totals"]["infected"]') $(json '["figures"]["totals"]["detections"]') $(json '["figures"]["totals"]["cleaned"]') $(json '["figures"]["totals"]["remaining"]')" = "2 2 3 2 1" ] ||
		fail "period totals: $(head -c 900 body)"
	[ "$(json '["figures"]["totals"]["auto_update"]') $(json '["figures"]["totals"]["raquet"]') $(json '["figures"]["totals"]["other_products"]')" = "4 5 1" ] || fail "auto update (built within 7 days): $(head -c 900 body)"
	[ "$(json '["figures"]["malware"][0]["name"]') $(json '["figures"]["malware"][0]["machines"]') $(json '["figures"]["malware"][0]["sha256"]')" = "Win.Trojan.Agent 2 1" ] ||
		fail "notable malware: $(json '["figures"]["malware"]')"

	# --- the files ---
	download view_p "$PROV" xlsx r.xlsx
	grep -qi '^content-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' headers || fail "xlsx type: $(cat headers)"
	grep -qi "^content-disposition: attachment; filename=\"bao-cao-tinh_[0-9-]*_[0-9-]*.xlsx\"; filename\*=UTF-8''B%C3%A1o" headers ||
		fail "xlsx disposition: $(cat headers)"
	download root "$PROV" xlsx r2.xlsx
	cmp -s r.xlsx r2.xlsx || fail "two downloads of the XLSX differ"
	# each unit's machine count as the store holds it
	store_sql "SELECT STRING_AGG(code || '=' || n, ',') FROM (SELECT u.code, (SELECT COUNT(*) FROM endpoints e WHERE e.unit_id = u.id) AS n FROM units u WHERE u.code IN ('P', 'A', 'A1', 'B') ORDER BY u.code) t" > want_machines 2> /dev/null ||
		store_sql "SELECT GROUP_CONCAT(code || '=' || n, ',') FROM (SELECT u.code, (SELECT COUNT(*) FROM endpoints e WHERE e.unit_id = u.id) AS n FROM units u WHERE u.code IN ('P', 'A', 'A1', 'B') ORDER BY u.code) t" > want_machines
	$PY - r.xlsx "$(cat want_machines)" "$NAME_A" > xlsx.out 2>&1 <<'PYEOF' || fail "xlsx: $(cat xlsx.out)"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["Đơn vị", "Mã độc nổi bật", "Đơn vị chưa báo cáo", "Sản phẩm khác"], wb.sheetnames
ws = wb.worksheets[0]
assert ws["A1"].value == "Sở Thông tin và Truyền thông", ws["A1"].value
assert ws["A2"].value.startswith("Báo cáo tổng hợp"), ws["A2"].value
head = [c.value for c in ws[7]]
assert head[:6] == ["Mã đơn vị", "Tên đơn vị", "Tổng số máy", "Bảo vệ bằng raquet", "Bảo vệ bằng sản phẩm khác", "Máy chủ"], head
assert ws.freeze_panes == "C8", ws.freeze_panes
rows = {}
r = 8
while ws.cell(r, 1).value:
    rows[ws.cell(r, 1).value] = [ws.cell(r, c).value for c in range(2, 16)]
    r += 1
assert ws.cell(r, 2).value == "Tổng cộng", ws.cell(r, 2).value
for c in range(3, 16):
    f = ws.cell(r, c).value
    col = openpyxl.utils.get_column_letter(c)
    assert f == "=SUM(%s8:%s%d)" % (col, col, r - 1), f
want = dict(kv.split("=") for kv in sys.argv[2].split(","))
for code, n in want.items():
    assert rows[code][2] == int(n), (code, rows[code], n)
assert rows["A"][0] == sys.argv[3], rows["A"]
# A: machines 2 (raquet 2, other products 0), servers 1, workstations 1, others 0,
# protected 2, auto update 1, scanned 1, infected 1, files 2, cleaned 1, remaining 1
assert rows["A"][1:] == [2, 2, 0, 1, 1, 0, 2, 1, 1, 1, 2, 1, 1], rows["A"]
# B: its two agents and KeToan-01 (protected, updated, not scanned in the period)
assert rows["B"][1:] == [3, 2, 1, 0, 2, 1, 3, 2, 0, 1, 1, 1, 0], rows["B"]
prod = [[c.value for c in row] for row in wb.worksheets[3].iter_rows(min_row=1)]
assert prod == [["Mã đơn vị", "Tên đơn vị", "Sản phẩm", "Số máy"], ["B", "UBND huyện Bảo Lạc", "Kaspersky Endpoint Security 11", 1]], prod
m = wb.worksheets[1]
assert [c.value for c in m[1]][:2] == ["Tên mã độc", "Số máy nhiễm"], [c.value for c in m[1]]
assert [c.value for c in m[2]] == ["Win.Trojan.Agent", 2, 1, 3], [c.value for c in m[2]]
miss = {row[0].value: row[2].value for row in wb.worksheets[2].iter_rows(min_row=2)}
assert miss.get("B") == "Không có lượt rà quét nào trong kỳ", miss
assert miss.get("B10") == "Chưa có máy nào được cài đặt", miss
assert "A" not in miss and "A1" not in miss and "P" not in miss, miss
PYEOF

	download root "$PROV" pdf r.pdf
	grep -qi '^content-type: application/pdf' headers || fail "pdf type: $(cat headers)"
	download root "$PROV" pdf r2.pdf
	cmp -s r.pdf r2.pdf || fail "two downloads of the PDF differ"
	pdfinfo r.pdf > pdfinfo.out || fail "pdfinfo"
	grep -q 'Page size:.*(A4)' pdfinfo.out || fail "not A4: $(cat pdfinfo.out)"
	PAGES=$(sed -n 's/^Pages: *//p' pdfinfo.out)
	[ "${PAGES:-0}" -ge 2 ] || fail "the 44-unit table should take two pages: $(cat pdfinfo.out)"
	pdffonts r.pdf | grep -q DejaVuSans || fail "font: $(pdffonts r.pdf)"
	pdftotext -layout r.pdf r.txt
	for text in "Báo cáo tổng hợp" "UBND huyện Bảo Lạc" "Phòng Hà Quảng" "Sở Thông tin và Truyền thông" "Trang 1/$PAGES" "Win.Trojan.Agent" \
		"Kaspersky Endpoint Security 11" "Bảo vệ bằng sản phẩm khác"; do
		grep -qF "$text" r.txt || fail "the PDF lacks '$text'"
	done
	grep -q '^ *A1 .*Phòng Hà Quảng *1 *1 *0 *0 *1 *0 *1 *1 *1 *0 *0 *0 *0' r.txt || fail "A1's row: $(grep 'Hà Quảng' r.txt)"
	pdftotext -f 2 -l 2 r.pdf p2.txt
	grep -qF "Mã đơn vị" p2.txt || fail "the header row is not repeated on page 2"

	download root "$PROV" csv r.csv
	grep -qi '^content-type: text/csv' headers || fail "csv type: $(cat headers)"
	[ "$(head -c 3 r.csv | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "no BOM"
	[ "$(grep -c $'\r$' r.csv)" = "$(wc -l < r.csv)" ] || fail "not CRLF"
	grep -qF 'A,"Sở Tài chính, ""Kế hoạch""",2,2,0,1,1,0,2,1,1,1,2,1,1,' r.csv || fail "quoting: $(grep '^A,' r.csv)"
	grep -qF 'B,UBND huyện Bảo Lạc,3,2,1,0,2,1,3,2,0,1,1,1,0,Kaspersky Endpoint Security 11 (1)' r.csv ||
		fail "B's row with its product: $(grep '^B,' r.csv)"
	grep -qF ',Tổng cộng,6,5,1,1,4,1,' r.csv || fail "total row: $(tail -1 r.csv)"

	# the English unit report
	download off_a "$REP_A" csv a.csv
	grep -q 'Unit code,Unit,Machines' a.csv || fail "English labels: $(head -1 a.csv)"
	grep -q 'filename="bao-cao-don-vi_A_' headers || fail "unit file name: $(cat headers)"
	curl -sS -o /dev/null -w '%{http_code}' -b "$WORK/off_a.jar" "$BASE/api/v1/reports/$REP_A/file?format=doc" > code
	expect_code 400 "format=doc: "
	curl -sS -o /dev/null -w '%{http_code}' -b "$WORK/off_b.jar" "$BASE/api/v1/reports/$REP_A/file?format=csv" > code
	expect_code 403 "officer of B downloading A's report: "

	# a restart makes the scheduled report no second time
	stop_server
	start_server
	[ "$(store_sql "SELECT COUNT(*) FROM reports WHERE source = 'scheduled'")" = 1 ] || fail "scheduled twice"

	# the command
	"$SERVER" report --store "$STORE" --kind unit --unit A --from "$(date -d @$FROM +%d/%m/%Y)" --to "$(date -d @$NOW +%d/%m/%Y)" \
		--format csv -o cli.csv 2> cli.err || fail "report command: $(cat cli.err)"
	grep -qF 'A,"Sở Tài chính, ""Kế hoạch""",2,2,0,1,1,0' cli.csv || fail "report command's CSV: $(cat cli.csv)"
	"$SERVER" report --store "$STORE" --kind unit --from 01/02/2026 --to 31/02/2026 --format csv -o x.csv 2> /dev/null
	[ $? = 2 ] || fail "a bad command line is a usage error"
}

for_each_store scenario
finish
