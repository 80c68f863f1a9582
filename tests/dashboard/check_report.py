# The files of one report downloaded through the dashboard, against the
# report the API keeps and the store: PREFIX.xlsx (openpyxl: one row per
# unit with the kept figures, raquet's machines equal to the store's count, a total
# row of =SUM formulas whose sums are the kept totals), PREFIX.txt (the PDF
# through pdftotext: Vietnamese title and unit names), PREFIX.csv (BOM,
# CRLF, the same rows and total). PREFIX.json is GET /api/v1/reports/{id}.
# Usage: check_report.py PREFIX CODE=MACHINES,CODE=MACHINES,...
import csv, io, json, sys
import openpyxl

KEYS = ["machines", "raquet", "other_products", "servers", "workstations", "others", "protected", "auto_update",
        "scanned", "infected", "detections", "cleaned", "remaining"]
prefix, want = sys.argv[1], dict(kv.split("=") for kv in sys.argv[2].split(","))
kept = json.load(open(prefix + ".json"))
fig = kept["figures"]
units = {u["code"]: [u["figures"][k] for k in KEYS] for u in fig["units"]}
totals = [fig["totals"][k] for k in KEYS]
assert units, "no unit in the kept report"
for code, row in units.items():
    assert row[1] == int(want[code]), ("raquet's machines of", code, row[1], "store", want[code])
assert [sum(r[i] for r in units.values()) for i in range(len(KEYS))] == totals, (units, totals)

# XLSX: the header row, one row per unit, the total row of =SUM formulas
wb = openpyxl.load_workbook(prefix + ".xlsx")
ws = wb.worksheets[0]
assert ws.title == "Đơn vị", wb.sheetnames
head = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Mã đơn vị")
assert str(ws["A2"].value).startswith("Báo cáo"), ws["A2"].value
rows, r = {}, head + 1
while ws.cell(r, 1).value:
    rows[ws.cell(r, 1).value] = [ws.cell(r, c).value for c in range(3, 3 + len(KEYS))]
    r += 1
assert rows == units, ("xlsx rows", rows, "kept", units)
assert ws.cell(r, 2).value == "Tổng cộng", ws.cell(r, 2).value
for c in range(3, 3 + len(KEYS)):
    col = openpyxl.utils.get_column_letter(c)
    assert ws.cell(r, c).value == "=SUM(%s%d:%s%d)" % (col, head + 1, col, r - 1), ws.cell(r, c).value

# PDF: Vietnamese letters survive, every unit named
text = open(prefix + ".txt", encoding="utf-8").read()
assert "Báo cáo" in text, text[:300]
for u in fig["units"]:
    assert u["name"] in text, ("the PDF lacks", u["name"])

# CSV: BOM, CRLF, the same rows, the total
raw = open(prefix + ".csv", "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), raw[:10]
lines = raw[3:].decode("utf-8").split("\r\n")
assert lines[-1] == "" and all("\n" not in l for l in lines), "not CRLF"
table = list(csv.reader(io.StringIO("\n".join(lines[:-1]))))
assert table[0][0] == "Mã đơn vị", table[0]
got = {row[0]: [int(x) for x in row[2:2 + len(KEYS)]] for row in table[1:-1]}
assert got == units, ("csv rows", got, "kept", units)
assert table[-1][1] == "Tổng cộng" and [int(x) for x in table[-1][2:2 + len(KEYS)]] == totals, table[-1]
print("ok: %s report (#%d): XLSX, PDF and CSV hold the %d units' figures (machines as in the store), totals %s"
      % (fig["kind"], kept["id"], len(units), totals))
