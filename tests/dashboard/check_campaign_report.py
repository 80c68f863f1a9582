# The campaign report exported from the campaign page, against the report
# the API keeps: PREFIX.json (GET /api/v1/reports/{id}) holds Hòa An's
# obligations as the browser test recorded them (training of 42 people,
# the level-3 dossier approved, three items overdue once the deadline was
# moved back); PREFIX.xlsx (openpyxl: its row on the obligations sheet,
# the total row's cached values equal to the kept totals) and PREFIX.txt
# (the PDF through pdftotext: the Vietnamese title, the figures, the
# units with overdue items) show the same.
# Usage: check_campaign_report.py PREFIX
import json, re, sys
import openpyxl

prefix = sys.argv[1]
kept = json.load(open(prefix + ".json"))["figures"]["campaign"]
units = {u["name"]: u for u in kept["units"]}
hoaan = units["UBND huyện Hòa An"]
assert hoaan["training"]["state"] == "done" and hoaan["training"]["attendees"] == 42, hoaan
assert hoaan["systems"]["state"] == "done" and hoaan["systems"]["levels"] == [0, 0, 1, 0, 0], hoaan
over = {o["name"]: o["items"] for o in kept["overdue"]}
assert over["UBND huyện Hòa An"] == ["response_plan", "malware_sweep", "report"], over

ws = openpyxl.load_workbook(prefix + ".xlsx", data_only=True)["Nhiệm vụ của đơn vị"]
row = next(r for r in range(9, ws.max_row + 1) if ws.cell(r, 2).value == "UBND huyện Hòa An")
got = [ws.cell(row, c).value for c in (3, 5, 6, 12, 15)]
assert got == ["Đã hoàn thành", 42, "Đã hoàn thành", "cấp 3: 1", "Quá hạn"], [ws.cell(row, c).value for c in range(1, 25)]
total = next(r for r in range(9, ws.max_row + 1) if ws.cell(r, 2).value == "Số đơn vị hoàn thành")
got = [ws.cell(total, c).value for c in (3, 6, 13, 18, 22)]
assert got == [kept["totals"][k] for k in ("training", "systems", "regulation", "malware_sweep", "report")], \
    [ws.cell(total, c).value for c in range(3, 25)]

text = re.sub(r"\s+", " ", open(prefix + ".txt").read())
for want in ("Tình hình thực hiện nhiệm vụ của các đơn vị — Rà quét, bóc gỡ mã độc 2026", "42 người",
             "Đơn vị có nội dung quá hạn",
             "UBND huyện Hòa An Phương án ứng cứu sự cố; Rà quét, bóc gỡ mã độc; Báo cáo của đơn vị"):
    assert want in text, (want, text[-1500:])
print("campaign report: the obligations of %d units in the XLSX and PDF match the kept figures" % len(units))
