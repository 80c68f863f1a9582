#!/usr/bin/env bash
# Campaigns and the units' obligations over real HTTP on loopback, on
# SQLite and PostgreSQL: campaigns written by the administrator only and
# read by the officers and viewers they cover; a unit's checklist filled
# in by its officer (malformed bodies 400, other units' officers and
# viewers 403); evidence uploads checked (type by content 415, size 413,
# empty 400, malicious names cleaned, the SHA-256 kept, downloads as
# attachments with nosniff); information systems and the level dossier
# moved by the right roles only (levels 1, 3 and 4); the malware sweep
# computed from agent data; the unit report made and confirmed; the
# department's progress view; every change in the audit log.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
source "$HERE/fleet_lib.sh"
mkdir -p "$WORK/run" && cd "$WORK/run"

PY=python3
# today in Vietnam +N days as YYYY-MM-DD
vn_date() { TZ=Asia/Ho_Chi_Minh date -d "@$(($(date +%s) + $1 * 86400))" +%F; }

# upload AS PATH FILE [NAME]: POST the file's bytes
upload() {
	local as=$1 path=$2 file=$3 name=${4:-}
	local q="" sep="&"
	case $path in *\?*) ;; *) sep="?" ;; esac
	[ -n "$name" ] && q="${sep}name=$($PY -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$name")"
	curl -sS -o body -w '%{http_code}' -X POST -b "$WORK/$as.jar" -H "X-CSRF-Token: $(cat "$WORK/$as.csrf")" \
		-H 'Content-Type: application/octet-stream' --data-binary @"$file" "$BASE$path$q" > code 2> curl.err
}

make_files() {
	printf '%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n' > signed.pdf
	printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\6\0\0\0' > photo.png
	$PY - << 'EOF'
import zipfile
for name, part in (("plan.docx", "word/document.xml"), ("list.xlsx", "xl/workbook.xml"), ("nota.docx", "other.xml")):
    with zipfile.ZipFile(name, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(part, "<x/>")
with zipfile.ZipFile("quy-che.odt", "w") as z:
    z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
    z.writestr("content.xml", "<x/>")
open("virus.exe", "wb").write(b"MZ\x90\x00" + b"\x00" * 200)
open("page.html", "wb").write(b"<html><script>alert(1)</script></html>")
open("big.pdf", "wb").write(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024))
open("empty.pdf", "wb").write(b"")
EOF
}

scenario() {
	fleet_setup 2 2 2
	make_user view_p viewer
	login_as view_p
	make_files
	local P=1 A=2 A1=3 B=4 NOW FROM TO
	NOW=$(date +%s)
	FROM=$((NOW - 10 * 86400))
	TO=$((NOW + 60 * 86400))
	local UD DD
	UD=$(vn_date 5)
	DD=$(vn_date 12)

	# machines: A1's is scanned clean in the period, B's never scanned
	enroll "$TOK_A1" gamma workstation
	agent_post "$EP_CRED" /events "{\"events\":[{\"uuid\":\"00000000-0000-4000-8000-000000000001\",\"kind\":\"scan\",\"time\":$NOW,\"payload\":{\"scan_kind\":\"full\",\"started\":$((NOW - 60)),\"finished\":$NOW,\"files\":10,\"infected\":0}}]}"
	expect_code 200 "scan event: "
	enroll "$TOK_B" delta workstation

	# --- campaigns: admins write, malformed bodies refused ---
	local BODY="{\"name\":\"Rà quét, bóc gỡ mã độc 2023\",\"unit\":null,\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$UD\",\"dept_deadline\":\"$DD\"}"
	api off_a POST /api/v1/campaigns "$BODY"
	expect_code 403 "officer creating a campaign: "
	api view_p POST /api/v1/campaigns "$BODY"
	expect_code 403 "viewer creating a campaign: "
	api - POST /api/v1/campaigns "$BODY"
	expect_code 401 "nobody creating a campaign: "
	for bad in '{"name":"x"}' '{' '[]' \
		"{\"name\":\"x\",\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"2023-02-29\",\"dept_deadline\":\"$DD\"}" \
		"{\"name\":\"x\",\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"25/06/2023\",\"dept_deadline\":\"$DD\"}" \
		"{\"name\":\"x\",\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$DD\",\"dept_deadline\":\"$UD\"}" \
		"{\"name\":\"x\",\"from\":$TO,\"to\":$FROM,\"unit_deadline\":\"$UD\",\"dept_deadline\":\"$DD\"}" \
		"{\"name\":\"x\",\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$UD\",\"dept_deadline\":\"$DD\",\"status\":\"open\"}" \
		"{\"name\":\"x\",\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$UD\",\"dept_deadline\":\"$DD\",\"color\":1}" \
		"{\"name\":\"  \",\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$UD\",\"dept_deadline\":\"$DD\"}" \
		"{\"name\":\"x\",\"from\":$FROM,\"to\":$((FROM + 400 * 86400)),\"unit_deadline\":\"$UD\",\"dept_deadline\":\"$DD\"}"; do
		api root POST /api/v1/campaigns "$bad"
		expect_code 400 "campaign body $bad: "
	done
	api root POST /api/v1/campaigns "{\"name\":\"x\",\"unit\":999,\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$UD\",\"dept_deadline\":\"$DD\"}"
	expect_code 400 "campaign of an unknown unit: "
	api root POST /api/v1/campaigns "$BODY"
	expect_code 201 "create campaign: "
	local C
	C=$(json '["id"]')
	[ "$(json '["days_left"]["unit"]')" = 5 ] || fail "days left to the units' deadline: $(cat body)"
	[ "$(json '["days_left"]["department"]')" = 12 ] || fail "days left to the department's: $(cat body)"
	[ "$(json '["unit_deadline"]')" = "$UD" ] || fail "unit deadline kept: $(cat body)"
	api root POST /api/v1/campaigns "{\"name\":\"Chiến dịch của B\",\"unit\":$B,\"from\":$FROM,\"to\":$TO,\"unit_deadline\":\"$UD\",\"dept_deadline\":\"$DD\"}"
	expect_code 201 "create B's campaign: "
	local CB
	CB=$(json '["id"]')

	# who reads which
	expect_total root /api/v1/campaigns 2
	expect_total view_p /api/v1/campaigns 2
	expect_total off_a /api/v1/campaigns 1
	expect_total view_a /api/v1/campaigns 1
	expect_total off_b /api/v1/campaigns 2
	expect_total root '/api/v1/campaigns?status=closed' 0
	expect_400 root '/api/v1/campaigns?status=open' status
	api off_a GET "/api/v1/campaigns/$CB"
	expect_code 403 "officer of A reading B's campaign: "
	api off_a GET "/api/v1/campaigns/$C"
	expect_code 200 "officer of A reading the province's campaign: "
	api root GET /api/v1/campaigns/9999
	expect_code 404 "no such campaign: "
	api root GET /api/v1/campaigns/abc
	expect_code 404 "a malformed id: "

	# deadlines editable by the administrator only
	api off_a PATCH "/api/v1/campaigns/$C" "{\"dept_deadline\":\"$(vn_date 14)\"}"
	expect_code 403 "officer editing a deadline: "
	api root PATCH "/api/v1/campaigns/$C" "{\"dept_deadline\":\"$(vn_date 14)\"}"
	expect_code 200 "admin editing a deadline: "
	[ "$(json '["days_left"]["department"]')" = 14 ] || fail "edited deadline: $(cat body)"
	api root PATCH "/api/v1/campaigns/$C" '{"unit_deadline":"2023-13-01"}'
	expect_code 400 "a bad month: "

	# --- the checklist of A ---
	api off_a GET "/api/v1/campaigns/$C/units/$A"
	expect_code 200 "officer's checklist: "
	[ "$(json '["items"]["training"]["state"]')" = at_risk ] || fail "training due in 5 days is at risk: $(cat body)"
	[ "$(json '["may_record"]')" = True ] || fail "the officer may record"
	api off_a GET "/api/v1/campaigns/$C/units/$A?risk_days=3"
	[ "$(json '["items"]["training"]["state"]')" = pending ] || fail "not at risk within 3 days: $(cat body)"
	expect_400 off_a "/api/v1/campaigns/$C/units/$A?risk_days=x" risk_days
	api view_a GET "/api/v1/campaigns/$C/units/$A"
	expect_code 200 "viewer's checklist: "
	[ "$(json '["may_record"]')" = False ] || fail "a viewer may not record"
	api off_a GET "/api/v1/campaigns/$C/units/$B"
	expect_code 403 "officer of A reading B's checklist: "
	api off_a GET "/api/v1/campaigns/$CB/units/$A"
	expect_code 403 "A is not in B's campaign: "
	api root GET "/api/v1/campaigns/$C/units/999"
	expect_code 404 "no such unit: "

	local T="/api/v1/campaigns/$C/units/$A/items/training"
	local TRAIN="{\"status\":\"done\",\"done_on\":\"$(vn_date -2)\",\"topic\":\"Nhận diện thư điện tử giả mạo\",\"attendees\":42}"
	api view_a PUT "$T" "$TRAIN"
	expect_code 403 "viewer recording training: "
	api off_b PUT "$T" "$TRAIN"
	expect_code 403 "officer of B recording A's training: "
	api off_a PUT "$T" '{"status":"done","done_on":"2024-01-01"}'
	expect_code 400 "training without topic: "
	api off_a PUT "$T" '{"status":"done","done_on":"01/01/2024","topic":"x","attendees":1}'
	expect_code 400 "training with a dd/mm/yyyy date: "
	api off_a PUT "$T" '{"status":"finished"}'
	expect_code 400 "unknown status: "
	api off_a PUT "$T" '{"status":"done","done_on":"2024-01-01","topic":"x","attendees":-1}'
	expect_code 400 "negative attendees: "
	api off_a PUT "/api/v1/campaigns/$C/units/$A/items/malware_sweep" '{"status":"done"}'
	expect_code 404 "the sweep is never ticked by hand: "
	api off_a PUT "$T" "$TRAIN"
	expect_code 200 "officer recording training: "
	api off_a PUT "/api/v1/campaigns/$C/units/$A/items/response_plan" '{"status":"done","done_on":"2024-03-01"}'
	expect_code 400 "an issued plan without its number: "

	# --- evidence ---
	local E="/api/v1/campaigns/$C/units/$A/evidence?subject=training"
	upload off_a "$E" signed.pdf "Biên bản tập huấn.pdf"
	expect_code 201 "upload a PDF: "
	local EV
	EV=$(json '["id"]')
	[ "$(json '["sha256"]')" = "$(sha256sum signed.pdf | cut -d' ' -f1)" ] || fail "sha256 kept: $(cat body)"
	[ "$(json '["file_name"]')" = "Biên bản tập huấn.pdf" ] || fail "a good name kept: $(cat body)"
	[ "$(json '["media_type"]')" = application/pdf ] || fail "pdf type: $(cat body)"
	curl -sS -D headers -o got.pdf -w '%{http_code}' -b "$WORK/view_a.jar" "$BASE/api/v1/evidence/$EV/file" > code
	expect_code 200 "viewer downloading: "
	cmp -s got.pdf signed.pdf || fail "downloaded bytes differ"
	grep -qi '^content-disposition: attachment; filename=' headers || fail "not an attachment: $(cat headers)"
	grep -qi '^x-content-type-options: nosniff' headers || fail "no nosniff: $(cat headers)"
	grep -qi '^content-type: application/pdf' headers || fail "type: $(cat headers)"
	curl -sS -o /dev/null -w '%{http_code}' -b "$WORK/off_b.jar" "$BASE/api/v1/evidence/$EV/file" > code
	expect_code 403 "officer of B downloading A's evidence: "
	curl -sS -o /dev/null -w '%{http_code}' "$BASE/api/v1/evidence/$EV/file" > code
	expect_code 401 "nobody downloading: "
	for f in photo.png plan.docx list.xlsx quy-che.odt; do
		upload off_a "$E" "$f" "$f"
		expect_code 201 "upload $f: "
		[ "$(json '["file_name"]')" = "$(echo "$f" | sed 's/\.png$/.png/')" ] || fail "$f name: $(cat body)"
	done
	upload off_a "$E" virus.exe "bien-ban.pdf"
	expect_code 415 "an executable named .pdf: "
	upload off_a "$E" page.html "a.pdf"
	expect_code 415 "HTML: "
	upload off_a "$E" nota.docx "nota.docx"
	expect_code 415 "a ZIP that is no Office document: "
	upload off_a "$E" big.pdf "big.pdf"
	expect_code 413 "5 MB: "
	upload off_a "$E" empty.pdf "empty.pdf"
	expect_code 400 "empty: "
	upload view_a "$E" signed.pdf "x.pdf"
	expect_code 403 "viewer uploading: "
	upload off_b "$E" signed.pdf "x.pdf"
	expect_code 403 "officer of B uploading to A: "
	upload off_a "/api/v1/campaigns/$C/units/$A/evidence?subject=dossier" signed.pdf "x.pdf"
	expect_code 400 "a system's subject on a campaign item: "
	upload off_a "/api/v1/campaigns/$C/units/$A/evidence" signed.pdf "x.pdf"
	expect_code 400 "no subject: "
	# malicious names
	upload off_a "$E" signed.pdf "../../etc/passwd"
	[ "$(json '["file_name"]')" = "passwd.pdf" ] || fail "path traversal: $(cat body)"
	upload off_a "$E" signed.pdf 'C:\Windows\system32\evil.pdf'
	[ "$(json '["file_name"]')" = "evil.pdf" ] || fail "backslashes: $(cat body)"
	upload off_a "$E" signed.pdf $'invoice\u202Efdp.exe'
	[ "$(json '["file_name"]')" = "invoicefdp.exe.pdf" ] || fail "RTL override: $(cat body)"
	upload off_a "$E" signed.pdf $'a\r\nSet-Cookie: x=1\x01.pdf'
	[ "$(json '["file_name"]')" = "aSet-Cookie_ x=1.pdf" ] || fail "control characters: $(cat body)"
	local EVC
	EVC=$(json '["id"]')
	curl -sS -D headers -o /dev/null -b "$WORK/off_a.jar" "$BASE/api/v1/evidence/$EVC/file"
	[ "$(grep -ci '^set-cookie' headers)" = 0 ] || fail "header injection: $(cat headers)"
	upload off_a "$E" signed.pdf "$(printf 'x%.0s' {1..300}).pdf"
	[ "$($PY -c "import json; print(len(json.load(open('body'))['file_name'].encode()))")" -le 120 ] || fail "overlong name kept: $(cat body)"
	upload off_a "$E" signed.pdf "..."
	[ "$(json '["file_name"]')" = "evidence.pdf" ] || fail "dots only: $(cat body)"
	api off_a GET "/api/v1/campaigns/$C/units/$A"
	[ "$(json '["items"]["training"]["evidence"].__len__()')" = 11 ] || fail "the training's files: $(cat body)"
	[ "$(json '["items"]["training"]["state"]')" = done ] || fail "training done: $(cat body)"
	[ "$(json '["items"]["training"]["details"]["attendees"]')" = 42 ] || fail "attendees kept: $(cat body)"
	api off_b DELETE "/api/v1/evidence/$EVC"
	expect_code 403 "officer of B deleting A's file: "
	api off_a DELETE "/api/v1/evidence/$EVC"
	expect_code 204 "officer deleting a file: "
	api off_a GET "/api/v1/evidence/$EVC"
	expect_code 404 "a deleted file: "

	# --- information systems and the dossier workflow ---
	local S3 S1 S4
	api off_a POST /api/v1/systems "{\"unit\":$A,\"name\":\"Cổng dịch vụ công\",\"purpose\":\"Dịch vụ công trực tuyến\",\"owner\":\"UBND tỉnh\",\"operator\":\"Sở A\",\"info_type\":\"dữ liệu cá nhân\",\"users\":\"50.000 người dân\",\"level\":3}"
	expect_code 201 "officer declaring a system: "
	S3=$(json '["id"]')
	[ "$(json '["dossier"]["next"]')" = "['submitted']" ] || fail "next steps of a draft: $(cat body)"
	[ "$(json '["dossier"]["approver"]')" = owner ] || fail "level 3 approver: $(cat body)"
	api off_a POST /api/v1/systems "{\"unit\":$A,\"name\":\"Cổng dịch vụ công\",\"level\":2}"
	expect_code 409 "a duplicate name: "
	api off_a POST /api/v1/systems "{\"unit\":$A,\"name\":\"x\",\"level\":6}"
	expect_code 400 "level 6: "
	api off_a POST /api/v1/systems "{\"unit\":$B,\"name\":\"x\",\"level\":1}"
	expect_code 403 "officer of A declaring a system of B: "
	api view_a POST /api/v1/systems "{\"unit\":$A,\"name\":\"x\",\"level\":1}"
	expect_code 403 "viewer declaring a system: "
	api off_a POST /api/v1/systems "{\"unit\":$A,\"name\":\"Quản lý văn bản\",\"level\":1,\"regulation_number\":\"12/QC-SA\",\"regulation_on\":\"2023-03-01\"}"
	S1=$(json '["id"]')
	api off_a POST /api/v1/systems "{\"unit\":$A,\"name\":\"Trục liên thông\",\"level\":4,\"regulation_number\":\"13/QC-SA\",\"regulation_on\":\"2023-03-01\"}"
	S4=$(json '["id"]')
	api off_a POST /api/v1/systems "{\"unit\":$A,\"name\":\"y\",\"level\":1,\"regulation_number\":\"1\"}"
	expect_code 400 "a regulation number without its date: "

	step() { # AS SYSTEM TO WANT [EXTRA]
		api "$1" POST "/api/v1/systems/$2/dossier" "{\"to\":\"$3\"${5:+,$5}}"
		expect_code "$4" "$1 moving system $2 to $3: "
	}
	# level 3: the unit submits and appraises, the department approves
	step view_a "$S3" submitted 403
	step off_b "$S3" submitted 403
	step root "$S3" submitted 403
	step off_a "$S3" submitted 200
	api off_a PATCH "/api/v1/systems/$S3" '{"level":2}'
	expect_code 409 "changing the level of a submitted dossier: "
	step off_a "$S3" approved 403
	step off_a "$S3" appraised 200
	step off_a "$S3" approved 403
	step view_p "$S3" approved 403
	step root "$S3" approved 409 '"decision_number":"45/QĐ-UBND","on":"2023-06-01"'
	grep -q regulation body || fail "approval before the regulation: $(cat body)"
	api off_a PATCH "/api/v1/systems/$S3" '{"regulation_number":"11/QC-SA","regulation_on":"2023-05-01"}'
	expect_code 200 "issuing the regulation: "
	step root "$S3" approved 400
	step root "$S3" approved 200 '"decision_number":"45/QĐ-UBND","on":"2023-06-01"'
	[ "$(json '["dossier"]["decision_number"]')" = "45/QĐ-UBND" ] || fail "decision kept: $(cat body)"
	step root "$S3" draft 403
	step root "$S3" nowhere 400
	# level 1: everything in the unit; the department may not
	step off_a "$S1" submitted 200
	step root "$S1" appraised 403
	step off_a "$S1" draft 200
	step off_a "$S1" submitted 200
	step off_a "$S1" appraised 200
	step off_a "$S1" approved 200 '"decision_number":"7/QĐ-SA"'
	# level 4: the national authority appraises (recorded by the department)
	step off_a "$S4" submitted 200
	step off_a "$S4" appraised 403
	step root "$S4" appraised 200
	step off_a "$S4" approved 403
	step root "$S4" approved 200 '"decision_number":"99/QĐ-UBND"'
	upload off_a "/api/v1/systems/$S3/evidence?subject=dossier" plan.docx "Hồ sơ đề xuất cấp độ.docx"
	expect_code 201 "dossier evidence: "
	upload view_a "/api/v1/systems/$S3/evidence?subject=dossier" plan.docx "x.docx"
	expect_code 403 "viewer uploading a dossier: "
	upload off_a "/api/v1/systems/$S3/evidence?subject=training" plan.docx "x.docx"
	expect_code 400 "a campaign subject on a system: "
	api view_a GET "/api/v1/systems/$S3"
	expect_code 200 "viewer reading a system: "
	[ "$(json '["evidence"][0]["file_name"]')" = "Hồ sơ đề xuất cấp độ.docx" ] || fail "system evidence: $(cat body)"
	[ "$(json '["dossier"]["next"]')" = "[]" ] || fail "a viewer has no next step: $(cat body)"
	expect_total off_a /api/v1/systems 3
	expect_total off_b /api/v1/systems 0
	api off_b GET "/api/v1/systems/$S3"
	expect_code 403 "officer of B reading A's system: "

	# --- the unit report ---
	api off_a POST "/api/v1/campaigns/$C/units/$A/report/confirm"
	expect_code 409 "confirming before making: "
	api view_a POST "/api/v1/campaigns/$C/units/$A/report"
	expect_code 403 "viewer making the report: "
	api off_a POST "/api/v1/campaigns/$C/units/$A/report"
	expect_code 201 "making the unit report: "
	local REP
	REP=$(json '["report"]')
	api off_a GET "/api/v1/reports/$REP"
	expect_code 200 "the campaign's report is a kept report: "
	api off_a POST "/api/v1/campaigns/$C/units/$A/report/confirm"
	expect_code 200 "confirming: "

	# --- the department's progress ---
	api root GET "/api/v1/campaigns/$C/progress"
	expect_code 200 "progress: "
	$PY - "$A" "$A1" "$B" << 'EOF' || fail "progress: $(head -c 3000 body)"
import json, sys
a, a1, b = (int(x) for x in sys.argv[1:])
d = json.load(open("body"))
rows = {r["unit"]["id"]: r for r in d["units"]}
assert d["summary"]["units"] == 4, d["summary"]
ra = rows[a]["items"]
assert ra["training"]["state"] == "done", ra["training"]
assert ra["systems"] == {"total": 3, "approved": 3, "state": "done"}, ra["systems"]
assert ra["regulation"]["state"] == "done", ra["regulation"]
assert ra["response_plan"]["state"] == "at_risk", ra["response_plan"]
assert ra["malware_sweep"]["state"] == "done", ra["malware_sweep"]
assert ra["report"]["state"] == "done", ra["report"]
assert rows[a]["done"] == 5 and rows[a]["days_left"] == 5, rows[a]
assert rows[a1]["items"]["malware_sweep"]["state"] == "done", rows[a1]
assert rows[b]["items"]["malware_sweep"]["endpoints"] == 1, rows[b]
assert rows[b]["items"]["malware_sweep"]["state"] == "at_risk", rows[b]
assert rows[b]["items"]["systems"]["state"] == "at_risk", rows[b]
EOF
	api off_a GET "/api/v1/campaigns/$C/progress"
	[ "$(json '["summary"]["units"]')" = 2 ] || fail "the officer sees A and A1: $(head -c 500 body)"
	api off_b GET "/api/v1/campaigns/$C/progress"
	[ "$(json '["summary"]["units"]')" = 1 ] || fail "the officer of B sees B: $(head -c 500 body)"
	api view_p GET "/api/v1/campaigns/$C/progress"
	[ "$(json '["summary"]["units"]')" = 4 ] || fail "the province's viewer sees all: $(head -c 500 body)"
	api off_a GET "/api/v1/campaigns/$CB/progress"
	expect_code 403 "officer of A on B's progress: "
	# a deadline moved into the past: the pending items become overdue
	api root PATCH "/api/v1/campaigns/$C" "{\"from\":$((NOW - 30 * 86400)),\"unit_deadline\":\"$(vn_date -1)\"}"
	expect_code 200 "deadline moved back: "
	api root GET "/api/v1/campaigns/$C/progress"
	$PY -c "import json; d=json.load(open('body')); r=[u for u in d['units'] if u['unit']['id']==$A][0]; assert r['items']['response_plan']['state']=='overdue' and r['days_left']==-1, r" ||
		fail "overdue: $(head -c 1000 body)"
	[ "$(json '["summary"]["overdue_items"]')" -gt 0 ] || fail "overdue count"

	# --- closing and deleting ---
	api root PATCH "/api/v1/campaigns/$C" '{"status":"closed"}'
	expect_code 200 "closing: "
	api off_a PUT "$T" "$TRAIN"
	expect_code 409 "recording in a closed campaign: "
	api off_a DELETE "/api/v1/evidence/$EV"
	expect_code 409 "deleting a closed campaign's file: "
	upload off_a "$E" signed.pdf "late.pdf"
	expect_code 409 "uploading to a closed campaign: "
	api off_b DELETE "/api/v1/campaigns/$CB"
	expect_code 403 "officer deleting a campaign: "
	api root DELETE "/api/v1/campaigns/$CB"
	expect_code 204 "deleting a campaign: "
	api root GET "/api/v1/campaigns/$CB"
	expect_code 404 "a deleted campaign: "

	for action in campaign.create campaign.update campaign.delete campaign.item campaign.report \
		campaign.report_confirm evidence.upload evidence.delete system.create system.update system.dossier; do
		[ "$(audit_count "$action")" -gt 0 ] || fail "no audit record of $action"
	done
}

for_each_store scenario
finish
