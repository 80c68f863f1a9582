#!/usr/bin/env bash
# Machines protected by other products over real HTTP on loopback, on
# SQLite and PostgreSQL: declared, edited and removed by the unit's officer
# (own subtree only) and the administrator, read by viewers; hostile
# hostnames and products, SQL metacharacters, bad dates and counts refused
# with the field named (or kept byte for byte where they are allowed);
# the CSV import (BOM, semicolons, Vietnamese headers, dd/mm/yyyy and ISO
# dates; re-import updates by hostname; a file with any bad row imports
# nothing and names every bad row, its column and why; size and row
# limits); the coverage summary counting the declared machines until an
# agent of the same unit has the hostname; a unit holding some is not
# deleted; every change audited.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
source "$HERE/fleet_lib.sh"
mkdir -p "$WORK/run" && cd "$WORK/run"

PY=python3
# a day in Vietnam N days from today as dd/mm/yyyy and yyyy-mm-dd
vn_dmy() { date -u -d "@$(($(date +%s) + 7 * 3600 + $1 * 86400))" +%d/%m/%Y; }
vn_iso() { date -u -d "@$(($(date +%s) + 7 * 3600 + $1 * 86400))" +%F; }

# import AS UNIT FILE: POST the CSV file's bytes
import_csv() {
	curl -sS -o body -w '%{http_code}' -X POST -b "$WORK/$1.jar" -H "X-CSRF-Token: $(cat "$WORK/$1.csrf")" \
		-H 'Content-Type: text/csv' --data-binary @"$3" "$BASE/api/v1/declared-machines/import?unit=$2" > code 2> curl.err
}

count_in() { # AS UNIT: machines listed for the unit
	api "$1" GET "/api/v1/declared-machines?unit=$2"
	expect_code 200 "list of $2: "
	json '["total"]'
}

# has_error ROW COLUMN WORD: the last answer names that row's column and why
has_error() {
	$PY - "$1" "$2" "$3" << 'PYEOF' || fail "no error for row $1, column $2 ($3): $(cat body)"
import json, sys
errors = json.load(open("body"))["errors"]
row, col, word = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.exit(0 if any(e["row"] == row and e["column"] == col and word in e["reason"] for e in errors) else 1)
PYEOF
}

scenario() {
	fleet_setup 2 2 2
	make_user view_p viewer
	login_as view_p
	local A=2 A1=3 B=4 D
	D=$(vn_dmy -2)

	# --- declaring one by one: who may ---
	local BODY="{\"unit\":$A,\"hostname\":\"KeToan-01\",\"kind\":\"workstation\",\"product\":\"Kaspersky Endpoint Security 11\",\"sig_updated\":\"$D\",\"last_scan\":\"$(vn_iso -3)\",\"infections_found\":3,\"infections_cleaned\":2}"
	api off_a POST /api/v1/declared-machines "$BODY"
	expect_code 201 "officer of A declaring in A: "
	local KT=$(json '["id"]')
	[ "$(json '["hostname"]') $(json '["kind"]') $(json '["infections_found"]') $(json '["superseded_by"]')" = "ketoan-01 workstation 3 None" ] ||
		fail "declared machine: $(cat body)"
	[ "$(date -u -d @$(($(json '["sig_updated"]') + 7 * 3600)) +%d/%m/%Y)" = "$D" ] || fail "sig_updated is the day's start in Vietnam: $(cat body)"
	api off_a POST /api/v1/declared-machines "${BODY/KeToan-01/KETOAN-01}"
	expect_code 409 "the same hostname again (another case): "
	api off_a POST /api/v1/declared-machines "${BODY/\"unit\":$A/\"unit\":$A1}"
	expect_code 201 "officer of A declaring in A1 (its subtree): "
	api off_a POST /api/v1/declared-machines "${BODY/\"unit\":$A/\"unit\":$B}"
	expect_code 403 "officer of A declaring in B: "
	api view_a POST /api/v1/declared-machines "${BODY/KeToan-01/other}"
	expect_code 403 "viewer declaring: "
	api - POST /api/v1/declared-machines "${BODY/KeToan-01/other}"
	expect_code 401 "nobody declaring: "
	api root POST /api/v1/declared-machines "{\"unit\":$B,\"hostname\":\"srv-mail\",\"kind\":\"server\",\"product\":\"BKAV Pro\"}"
	expect_code 201 "administrator declaring in B (no dates, no counts): "
	local SRV=$(json '["id"]')
	[ "$(json '["sig_updated"]') $(json '["last_scan"]') $(json '["infections_found"]')" = "None None 0" ] || fail "unknown dates: $(cat body)"
	api root POST /api/v1/declared-machines "{\"unit\":999,\"hostname\":\"x\",\"kind\":\"server\",\"product\":\"p\"}"
	[ "$(cat code)" = 404 ] || [ "$(cat code)" = 409 ] || fail "unknown unit: $(cat code) $(cat body)"

	# --- hostile and malformed input ---
	local NASTY='Kaspersky O'"'"'Brien \"x\"; DROP TABLE units; -- <b>bold</b> $1 ?1 %_ Nguyễn'
	api off_a POST /api/v1/declared-machines "{\"unit\":$A,\"hostname\":\"nasty\",\"kind\":\"other\",\"product\":\"$NASTY\"}"
	expect_code 201 "a product with SQL metacharacters and markup: "
	[ "$(json '["product"]')" = "Kaspersky O'Brien \"x\"; DROP TABLE units; -- <b>bold</b> \$1 ?1 %_ Nguyễn" ] ||
		fail "the product kept byte for byte: $(cat body)"
	local bad field
	while IFS='|' read -r field bad; do
		api off_a POST /api/v1/declared-machines "{\"unit\":$A,\"hostname\":\"h1\",\"kind\":\"server\",\"product\":\"p\",$bad}"
		expect_code 400 "$bad: "
		grep -q "$field" body || fail "$bad: the reason does not name $field: $(cat body)"
	done << EOF2
hostname|"hostname":"<script>alert(1)</script>"
hostname|"hostname":"x'; DROP TABLE units; --"
hostname|"hostname":""
hostname|"hostname":"-lead"
kind|"kind":"laptop"
product|"product":"=HYPERLINK(\"http://evil\")"
product|"product":"@SUM(A1)"
product|"product":"a\u0007b"
product|"product":"   "
sig_updated|"sig_updated":"31/02/2026"
sig_updated|"sig_updated":"2026/01/01"
sig_updated|"sig_updated":"$(vn_dmy 5)"
last_scan|"last_scan":"tomorrow"
infections_cleaned|"infections_found":1,"infections_cleaned":2
infections_found|"infections_found":-1
unknown|"unknown":1
EOF2
	api off_a GET /api/v1/units
	expect_code 200 "the units table is still there: "

	# --- reading: viewers of the scope ---
	[ "$(count_in view_a $A)" = 3 ] || fail "viewer of A sees A's subtree: $(cat body)"
	api view_a GET "/api/v1/declared-machines?unit=$B"
	expect_code 403 "viewer of A listing B: "
	[ "$(count_in view_p $B)" = 1 ] || fail "province viewer lists B: $(cat body)"
	api view_p GET /api/v1/declared-machines
	[ "$(json '["total"]')" = 4 ] || fail "province viewer sees all: $(cat body)"
	api off_b GET /api/v1/declared-machines
	[ "$(json '["total"]') $(json '["items"][0]["hostname"]')" = "1 srv-mail" ] || fail "officer of B sees B's: $(cat body)"
	api off_b GET "/api/v1/declared-machines/$KT"
	expect_code 403 "officer of B reading A's machine: "
	api view_a GET "/api/v1/declared-machines/$KT"
	expect_code 200 "viewer of A reading A's machine: "

	# --- editing and removing ---
	api off_a PATCH "/api/v1/declared-machines/$KT" "{\"product\":\"Kaspersky 12\",\"sig_updated\":\"$(vn_iso -1)\"}"
	expect_code 200 "officer editing: "
	[ "$(json '["product"]') $(json '["infections_found"]')" = "Kaspersky 12 3" ] || fail "edited: $(cat body)"
	api view_a PATCH "/api/v1/declared-machines/$KT" '{"product":"x"}'
	expect_code 403 "viewer editing: "
	api off_b PATCH "/api/v1/declared-machines/$KT" '{"product":"x"}'
	expect_code 403 "officer of B editing A's: "
	api off_a PATCH "/api/v1/declared-machines/$KT" '{"hostname":"NASTY"}'
	expect_code 409 "renaming onto another machine's hostname: "
	api off_a PATCH "/api/v1/declared-machines/$KT" '{"infections_cleaned":9}'
	expect_code 400 "more cleaned than found: "
	api off_a PATCH "/api/v1/declared-machines/$KT" '{"unit":4}'
	expect_code 400 "the unit does not change: "
	api off_b DELETE "/api/v1/declared-machines/$SRV"
	expect_code 204 "officer of B removing B's: "
	api off_b GET "/api/v1/declared-machines/$SRV"
	expect_code 404 "removed: "
	api view_a DELETE "/api/v1/declared-machines/$KT"
	expect_code 403 "viewer removing: "

	# --- the CSV import ---
	printf '\xef\xbb\xbfTên máy;Loại;Sản phẩm;Cập nhật mẫu;Quét lần cuối;Số nhiễm phát hiện;Số nhiễm đã xử lý\r\n' > vi.csv
	printf 'PC-KT-02;máy trạm;"BKAV; bản quyền";%s;%s;0;0\r\n' "$D" "$D" >> vi.csv
	printf 'srv-db;máy chủ;Trend Micro;%s;;2;2\r\n\r\n' "$(vn_dmy -20)" >> vi.csv
	printf 'ketoan-01;Máy trạm;Kaspersky 12;%s;%s;5;4\r\n' "$D" "$D" >> vi.csv
	import_csv off_b $A vi.csv
	expect_code 403 "officer of B importing into A: "
	import_csv view_a $A vi.csv
	expect_code 403 "viewer importing: "
	import_csv off_a $A vi.csv
	expect_code 200 "BOM, semicolons, Vietnamese header: "
	[ "$(json '["rows"]') $(json '["created"]') $(json '["updated"]')" = "3 2 1" ] || fail "import counts: $(cat body)"
	api off_a GET "/api/v1/declared-machines?unit=$A"
	$PY - "$D" << 'PYEOF' || fail "imported machines: $(cat body)"
import datetime, json, sys
items = {m["hostname"]: m for m in json.load(open("body"))["items"] if m["unit"]["id"] == 2}
assert sorted(items) == ["ketoan-01", "nasty", "pc-kt-02", "srv-db"], sorted(items)
assert items["pc-kt-02"]["product"] == "BKAV; bản quyền", items["pc-kt-02"]
assert items["srv-db"]["kind"] == "server" and items["srv-db"]["last_scan"] is None, items["srv-db"]
assert items["ketoan-01"]["infections_found"] == 5 and items["ketoan-01"]["infections_cleaned"] == 4, items["ketoan-01"]
day = datetime.datetime.utcfromtimestamp(items["pc-kt-02"]["sig_updated"] + 7 * 3600).strftime("%d/%m/%Y")
assert day == sys.argv[1], day
PYEOF
	# re-import: commas, English header, ISO dates, no BOM: updates by hostname
	{ echo 'hostname,kind,product,sig_updated,last_scan,infections_found,infections_cleaned'
	  echo "pc-kt-02,workstation,BKAV Pro,$(vn_iso -1),$(vn_iso -1),1,1"
	  echo "SRV-DB,server,Trend Micro,$(vn_iso -1),,0,0"
	  echo "new-01,other,\"ESET, Inc.\",,,0,0"; } > en.csv
	import_csv off_a $A en.csv
	expect_code 200 "re-import: "
	[ "$(json '["created"]') $(json '["updated"]')" = "1 2" ] || fail "re-import counts: $(cat body)"
	[ "$(count_in off_a $A)" = 6 ] || fail "re-import duplicated machines: $(cat body)"

	# a file with bad rows imports nothing and names each
	{ echo 'hostname,kind,product,sig_updated,last_scan,infections_found,infections_cleaned'
	  echo "good-01,server,Good AV,$(vn_dmy -1),,0,0"
	  echo "bad host,server,X,,,0,0"
	  echo "ok-02,laptop,X,,,0,0"
	  echo "ok-03,server,X,32/01/2026,,0,0"
	  echo "ok-04,server,X,,,1,2"
	  echo "ok-05,server,=CMD(),,,0,0"
	  echo "ok-06,server,X"
	  echo "good-01,server,X,,,0,0"
	  echo "x');DROP TABLE declared_machines;--,server,X,,,0,0"
	  echo "ok-07,server,X,,,abc,0"
	  echo "ok-08,server,\"unclosed,,,0,0"; } > bad.csv
	import_csv off_a $A bad.csv
	expect_code 400 "bad rows: "
	[ "$(json '["error"]')" = bad_rows ] || fail "bad rows answer: $(cat body)"
	has_error 3 hostname "letters"
	has_error 4 kind "expected server"
	has_error 5 sig_updated "no such day"
	has_error 6 infections_cleaned "more infections cleaned"
	has_error 7 product "formula"
	has_error 8 "" "fields where the header has 7"
	has_error 9 hostname "repeats row 2"
	has_error 10 hostname "letters"
	has_error 11 infections_found "whole number"
	has_error 12 "" "quote"
	[ "$($PY -c 'import json; print(len(json.load(open("body"))["errors"]))')" = 10 ] || fail "one error per bad row: $(cat body)"
	[ "$(count_in off_a $A)" = 6 ] || fail "a bad file imported something: $(cat body)"

	# the header, an empty file, limits
	printf 'hostname;kind\npc;server\n' > nohead.csv
	import_csv off_a $A nohead.csv
	expect_code 400 "no product column: "
	has_error 1 product "required"
	printf 'hostname,kind,product,colour\n' > unknown.csv
	import_csv off_a $A unknown.csv
	expect_code 400 "unknown column: "
	has_error 1 colour "unknown column"
	: > empty.csv
	import_csv off_a $A empty.csv
	expect_code 400 "empty file: "
	printf 'hostname,kind,product\n' > only.csv
	import_csv off_a $A only.csv
	expect_code 400 "no machine: "
	$PY -c '
print("hostname,kind,product")
for i in range(5001): print("pc-%d,workstation,X" % i)' > many.csv
	import_csv off_a $A many.csv
	expect_code 413 "5,001 rows: "
	$PY -c '
print("hostname,kind,product")
for i in range(4000): print("pc-%d,workstation,%s" % (i, "X" * 600))' > big.csv
	import_csv off_a $A big.csv
	expect_code 413 "over 2 MiB: "
	curl -sS -o body -w '%{http_code}' -X POST -b "$WORK/off_a.jar" -H "X-CSRF-Token: $(cat "$WORK/off_a.csrf")" \
		--data-binary @en.csv "$BASE/api/v1/declared-machines/import" > code
	expect_code 400 "no unit: "
	[ "$(count_in off_a $A)" = 6 ] || fail "refused files imported something"

	# --- the coverage summary counts them until an agent has the hostname ---
	api off_a GET "/api/v1/coverage?unit=$A"
	expect_code 200 "coverage of A: "
	[ "$(json '["figures"]["endpoints"]') $(json '["figures"]["declared"]') $(json '["figures"]["declared_protected"]')" = "6 6 4" ] ||
		fail "declared machines in A's coverage (A1's too): $(cat body)"
	enroll "$TOK_A" PC-KT-02 workstation
	api off_a GET "/api/v1/coverage?unit=$A"
	[ "$(json '["figures"]["endpoints"]') $(json '["figures"]["declared"]')" = "6 5" ] ||
		fail "the agent supersedes the declaration: $(cat body)"
	api off_a GET "/api/v1/declared-machines/$(store_id pc-kt-02)"
	[ "$(json '["superseded_by"]')" = "$EP_ID" ] || fail "listed as superseded by endpoint $EP_ID: $(cat body)"

	# a unit with declared machines is not deleted from under them
	api root DELETE "/api/v1/units/$A1"
	expect_code 409 "deleting A1, which has a declared machine: "
	[ "$(count_in root $A1)" = 1 ] || fail "A1's machine kept: $(cat body)"

	for action in declared.create declared.update declared.delete declared.import; do
		[ "$(audit_count "$action")" -gt 0 ] || fail "no audit record of $action"
	done
	[ "$(audit_count declared.import)" = 2 ] || fail "refused imports audited: $(audit_count declared.import)"
}

# store_id HOSTNAME: a declared machine's id, through the list
store_id() {
	api off_a GET /api/v1/declared-machines
	$PY -c "import json,sys; print([m['id'] for m in json.load(open('body'))['items'] if m['hostname'] == sys.argv[1]][0])" "$1"
}

for_each_store scenario
finish
