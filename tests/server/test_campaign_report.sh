#!/usr/bin/env bash
# The campaign report over real HTTP on loopback, on SQLite and PostgreSQL:
# made from a campaign (the province's by administrators only; a subtree's
# by its officers too), kept, and downloaded as XLSX (opened with openpyxl:
# the obligations sheet, its frozen two-row header, the per-unit figures,
# the COUNTIF/SUM total row, the units with overdue items), PDF (pdftotext:
# the Vietnamese text and the figures) and CSV (the obligations after each
# unit's figures); a kept report gives the same bytes after the checklist
# changes, a new one shows the change; `raquet-server report --campaign`.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
source "$HERE/fleet_lib.sh"
mkdir -p "$WORK/run" && cd "$WORK/run"

# a python with openpyxl (Debian's python3-openpyxl is /usr/bin/python3's)
PY=python3
$PY -c 'import openpyxl' 2> /dev/null || PY=/usr/bin/python3
vn_date() { TZ=Asia/Ho_Chi_Minh date -d "@$(($(date +%s) + $1 * 86400))" +%F; }
vn_dmy() { TZ=Asia/Ho_Chi_Minh date -d "@$(($(date +%s) + $1 * 86400))" +%d/%m/%Y; }

# download AS REPORT FORMAT FILE
download() {
	curl -sS -o "$4" -w '%{http_code}' -b "$WORK/$1.jar" "$BASE/api/v1/reports/$2/file?format=$3" > code
	expect_code 200 "downloading $3: "
}

scenario() {
	fleet_setup 2 2 2
	make_user view_p viewer
	login_as view_p
	local P=1 A=2 A1=3 B=4 NOW FROM TO
	NOW=$(date +%s)
	FROM=$((NOW - 20 * 86400))
	TO=$((NOW + 60 * 86400))
	# machines: A1's scanned clean in the period; B's never scanned
	enroll "$TOK_A1" gamma workstation
	agent_post "$EP_CRED" /events "{\"events\":[{\"uuid\":\"00000000-0000-4000-8000-000000000001\",\"kind\":\"scan\",\"time\":$NOW,\"payload\":{\"scan_kind\":\"full\",\"started\":$((NOW - 60)),\"finished\":$NOW,\"files\":10,\"infected\":0}}]}"
	expect_code 200 "scan event: "
	enroll "$TOK_B" delta workstation

	api root POST /api/v1/campaigns "{\"name\":\"Rà quét, bóc gỡ mã độc năm 2026\",\"unit\":null,\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$(vn_date 5)\",\"dept_deadline\":\"$(vn_date 12)\"}"
	expect_code 201 "campaign: "
	local C
	C=$(json '["id"]')
	api root POST /api/v1/campaigns "{\"name\":\"Chiến dịch của A\",\"unit\":$A,\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$(vn_date 5)\",\"dept_deadline\":\"$(vn_date 12)\"}"
	local CA
	CA=$(json '["id"]')

	# A: training held, two systems (one approved at level 1 with its
	# regulation, one at level 3 in draft); B: the response plan issued
	api off_a PUT "/api/v1/campaigns/$C/units/$A/items/training" "{\"status\":\"done\",\"done_on\":\"$(vn_date -3)\",\"topic\":\"Nhận diện mã độc\",\"attendees\":37}"
	expect_code 200 "training: "
	api off_a POST /api/v1/systems "{\"unit\":$A,\"name\":\"Quản lý văn bản\",\"level\":1,\"regulation_number\":\"12/QC-SA\",\"regulation_on\":\"2026-01-05\"}"
	expect_code 201 "system 1: "
	local S1
	S1=$(json '["id"]')
	for step in submitted appraised approved; do
		api off_a POST "/api/v1/systems/$S1/dossier" "{\"to\":\"$step\",\"decision_number\":\"7/QĐ-SA\",\"on\":\"$(vn_date -1)\"}"
		expect_code 200 "dossier $step: "
	done
	api off_a POST /api/v1/systems "{\"unit\":$A,\"name\":\"Cổng dịch vụ công\",\"level\":3}"
	expect_code 201 "system 3: "
	api off_b PUT "/api/v1/campaigns/$C/units/$B/items/response_plan" "{\"status\":\"done\",\"done_on\":\"$(vn_date -2)\",\"number\":\"05/PA-UBND\",\"scenarios\":\"mã hóa tống tiền\"}"
	expect_code 200 "response plan: "

	# --- who may make it ---
	api off_a POST "/api/v1/campaigns/$C/report" '{}'
	expect_code 403 "officer making the province's campaign report: "
	api view_p POST "/api/v1/campaigns/$C/report" '{}'
	expect_code 403 "viewer making the campaign report: "
	api root POST "/api/v1/campaigns/$C/report" '{"lang":"fr"}'
	expect_code 400 "bad lang: "
	api root POST "/api/v1/campaigns/9999/report" '{}'
	expect_code 404 "no such campaign: "
	api off_a POST "/api/v1/campaigns/$CA/report" '{"lang":"en"}'
	expect_code 201 "officer making A's campaign report: "
	[ "$(json '["kind"]')" = unit ] || fail "a subtree's campaign report is a unit report: $(cat body)"
	local RA
	RA=$(json '["report"]')
	api off_b GET "/api/v1/reports/$RA"
	expect_code 403 "officer of B reading A's campaign report: "

	api root POST "/api/v1/campaigns/$C/report" '{}'
	expect_code 201 "the campaign report: "
	local R
	R=$(json '["report"]')
	[ "$(json '["kind"]')" = province ] || fail "kind: $(cat body)"
	api root GET "/api/v1/reports/$R"
	expect_code 200 "the kept report: "
	$PY - "$A" "$A1" "$B" "$C" << 'EOF' || fail "kept obligations: $(head -c 3000 body)"
import json, sys
a, a1, b, c = (int(x) for x in sys.argv[1:])
d = json.load(open("body"))["figures"]["campaign"]
assert d["id"] == c and d["name"] == "Rà quét, bóc gỡ mã độc năm 2026", d
u = {x["id"]: x for x in d["units"]}
assert set(u) == {1, a, a1, b}, u.keys()
assert u[a]["training"]["state"] == "done" and u[a]["training"]["attendees"] == 37, u[a]
assert u[a]["systems"] == {"state": "pending", "total": 2, "draft": 1, "submitted": 0, "appraised": 0,
                           "approved": 1, "levels": [1, 0, 1, 0, 0]}, u[a]["systems"]
assert u[a]["regulation"] == {"state": "pending", "total": 2, "issued": 1}, u[a]["regulation"]
assert u[a1]["malware_sweep"] == {"state": "done", "endpoints": 1, "scanned": 1, "infected": 0}, u[a1]
# A's sweep counts A1's machine too (the subtree), scanned
assert u[a]["malware_sweep"]["endpoints"] == 1 and u[a]["malware_sweep"]["state"] == "done", u[a]
assert u[b]["malware_sweep"] == {"state": "pending", "endpoints": 1, "scanned": 0, "infected": 0}, u[b]
assert u[b]["response_plan"]["number"] == "05/PA-UBND", u[b]
assert d["totals"] == {"training": 1, "systems": 0, "regulation": 0, "response_plan": 1,
                       "malware_sweep": 2, "report": 0, "units": 4, "complete": 0, "overdue_units": 0}, d["totals"]
assert d["overdue"] == [], d["overdue"]
EOF

	# --- the files ---
	download root "$R" xlsx r1.xlsx
	download root "$R" pdf r1.pdf
	download root "$R" csv r1.csv
	$PY - "$(vn_dmy -3)" << 'EOF' || fail "XLSX obligations sheet"
import sys, openpyxl
held = sys.argv[1]
wb = openpyxl.load_workbook("r1.xlsx")
assert wb.sheetnames[:2] == ["Đơn vị", "Nhiệm vụ của đơn vị"], wb.sheetnames
ws = wb["Nhiệm vụ của đơn vị"]
assert ws.freeze_panes == "C9", ws.freeze_panes
assert ws["A2"].value == "Tình hình thực hiện nhiệm vụ của các đơn vị — Rà quét, bóc gỡ mã độc năm 2026", ws["A2"].value
assert ws["C7"].value == "Tập huấn nâng cao nhận thức" and ws["C8"].value == "Trạng thái", (ws["C7"].value, ws["C8"].value)
assert ws["F7"].value == "Hồ sơ đề xuất cấp độ", ws["F7"].value
rows = {ws.cell(r, 1).value: r for r in range(9, 13)}
assert set(rows) == {"P", "A", "A1", "B"}, rows
ra = rows["A"]
val = lambda r, c: ws.cell(r, c).value
assert val(ra, 3) == "Đã hoàn thành" and val(ra, 4) == held and val(ra, 5) == 37, [val(ra, c) for c in range(1, 8)]
assert val(ra, 6) == "Chưa thực hiện" and val(ra, 7) == 2 and val(ra, 11) == 1 and val(ra, 12) == "cấp 1: 1; cấp 3: 1", [val(ra, c) for c in range(6, 13)]
assert val(rows["B"], 16) == "05/PA-UBND" and val(rows["B"], 15) == "Đã hoàn thành", [val(rows["B"], c) for c in range(15, 19)]
assert val(rows["A1"], 18) == "Đã hoàn thành" and val(rows["A1"], 19) == 1 and val(rows["A1"], 20) == 1, [val(rows["A1"], c) for c in range(18, 23)]
total = 13
assert val(total, 2) == "Số đơn vị hoàn thành", val(total, 2)
assert val(total, 3) == '=COUNTIF(C9:C12,"Đã hoàn thành")', val(total, 3)
assert val(total, 5) == "=SUM(E9:E12)", val(total, 5)
assert val(total, 24) == "=COUNTIF(X9:X12,6)", val(total, 24)
# the cached values (what a viewer without recalculation shows)
wv = openpyxl.load_workbook("r1.xlsx", data_only=True)["Nhiệm vụ của đơn vị"]
assert wv.cell(total, 3).value == 1 and wv.cell(total, 5).value == 37 and wv.cell(total, 18).value == 2, \
    [wv.cell(total, c).value for c in range(3, 25)]
texts = [ws.cell(r, 1).value for r in range(14, ws.max_row + 1)]
assert "Đơn vị có nội dung quá hạn" in texts and "Không có" in texts, texts
EOF
	# the PDF's text with its runs of white space as one space (a cell's
	# text wraps within its column)
	pdf_text() { pdftotext "$1" - | $PY -c 'import re, sys; print(re.sub(r"\s+", " ", sys.stdin.read()))'; }
	pdf_text r1.pdf > r1.txt || fail "pdftotext"
	for want in "Tình hình thực hiện nhiệm vụ của các đơn vị — Rà quét, bóc gỡ mã độc năm 2026" \
		"Hạn đơn vị báo cáo: $(vn_dmy 5); hạn Sở báo cáo: $(vn_dmy 12)" \
		"Tập huấn nâng cao nhận thức" "Phương án ứng cứu" "Rà quét, bóc gỡ mã" \
		"A Agency A Đã hoàn thành $(vn_dmy -3), 37 người Chưa thực hiện 1/2 đã phê duyệt cấp 1: 1; cấp 3: 1" \
		"số 05/PA-UBND, $(vn_dmy -2)" "1/1 máy đã quét; 0 máy đang nhiễm" "Số đơn vị hoàn thành 1/4 0/4 0/4 1/4 2/4 0/4" \
		"Số đơn vị hoàn thành tất cả nội dung: 0/4" "Đơn vị có nội dung quá hạn Không có"; do
		grep -qF "$want" r1.txt || fail "PDF lacks '$want': $(grep -o 'Tình hình.\{0,600\}' r1.txt)"
	done
	$PY - << 'EOF' || fail "CSV obligations: $(head -c 1500 r1.csv)"
import csv
rows = list(csv.reader(open("r1.csv", encoding="utf-8-sig", newline="")))
head = rows[0]
i = head.index("Tập huấn nâng cao nhận thức: Trạng thái")
assert head[-2] == "Số nội dung hoàn thành" and head[-1] == "Sản phẩm khác", head
a = [r for r in rows if r[0] == "A"][0]
assert a[i] == "Đã hoàn thành" and a[i + 2] == "37", a
total = rows[-1]
assert total[1] == "Tổng cộng" and total[i] == "1" and total[i + 2] == "37", total
assert all(len(r) == len(head) for r in rows), [len(r) for r in rows]
EOF

	# --- a kept report does not change; a new one does ---
	api off_b PUT "/api/v1/campaigns/$C/units/$B/items/training" "{\"status\":\"done\",\"done_on\":\"$(vn_date 0)\",\"topic\":\"An toàn thông tin\",\"attendees\":12}"
	expect_code 200 "B's training: "
	api root PATCH "/api/v1/campaigns/$C" "{\"unit_deadline\":\"$(vn_date -1)\"}"
	expect_code 200 "deadline moved into the past: "
	for f in xlsx pdf csv; do
		download root "$R" "$f" "r2.$f"
		cmp -s "r1.$f" "r2.$f" || fail "the kept report's $f changed after the checklist did"
	done
	api root POST "/api/v1/campaigns/$C/report" '{"lang":"en"}'
	expect_code 201 "a second campaign report: "
	local R2
	R2=$(json '["report"]')
	api root GET "/api/v1/reports/$R2"
	$PY - "$A" "$B" << 'EOF' || fail "second report: $(head -c 3000 body)"
import json, sys
a, b = (int(x) for x in sys.argv[1:])
d = json.load(open("body"))["figures"]["campaign"]
assert d["totals"]["training"] == 2, d["totals"]
over = {x["id"]: x["items"] for x in d["overdue"]}
assert over[b] == ["systems", "regulation", "malware_sweep", "report"], over
assert over[a] == ["systems", "regulation", "response_plan", "report"], over
assert d["totals"]["overdue_units"] == len(d["overdue"]), d["totals"]
EOF
	download root "$R2" pdf r3.pdf
	pdf_text r3.pdf > r3.txt
	for want in "The units' obligations" "Units with overdue items" "Awareness training" \
		"B Borough B Security-level dossiers; Security regulations; Malware sweep; Unit report"; do
		grep -qF "$want" r3.txt || fail "English PDF lacks '$want'"
	done

	# --- the command line ---
	"$SERVER" report --store "$STORE" --campaign "$C" --format csv -o cli.csv 2> cli.err || fail "CLI: $(cat cli.err)"
	grep -qF "Tập huấn nâng cao nhận thức: Trạng thái" cli.csv || fail "CLI CSV lacks the obligations: $(head -c 500 cli.csv)"
	"$SERVER" report --store "$STORE" --campaign 9999 --format csv -o x.csv 2> cli.err && fail "CLI: an unknown campaign"
	grep -q "no campaign 9999" cli.err || fail "CLI error: $(cat cli.err)"
	"$SERVER" report --store "$STORE" --campaign "$C" --kind province --format csv -o x.csv 2> /dev/null
	[ $? = 2 ] || fail "CLI: --campaign with --kind is a usage error"
	[ "$(audit_count report.create)" -ge 3 ] || fail "campaign reports in the audit log"
}

for_each_store scenario
finish
