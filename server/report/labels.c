/*
 * The texts of the report files (labels.h): a table per language, in the
 * order of rq_label (tests/server/report checks that both are complete).
 */
#include "report/labels.h"

#include <string.h>

static const char *const vi[L_COUNT] = {
	[L_TITLE_UNIT] = "Báo cáo kết quả rà quét, xử lý mã độc của đơn vị",
	[L_TITLE_PROVINCE] = "Báo cáo tổng hợp kết quả rà quét, xử lý mã độc toàn tỉnh",
	[L_SCOPE] = "Đơn vị: %s",
	[L_PERIOD] = "Kỳ báo cáo: từ ngày %s đến ngày %s",
	[L_MADE] = "Ngày lập: %s",
	[L_CODE] = "Mã đơn vị",
	[L_NAME] = "Tên đơn vị",
	[L_MACHINES] = "Tổng số máy",
	[L_SERVERS] = "Máy chủ",
	[L_WORKSTATIONS] = "Máy trạm",
	[L_OTHERS] = "Thiết bị khác",
	[L_PROTECTED] = "Được bảo vệ",
	[L_AUTO_UPDATE] = "Tự động cập nhật",
	[L_SCANNED] = "Đã rà quét",
	[L_INFECTED] = "Máy nhiễm mã độc",
	[L_DETECTIONS] = "Tệp mã độc phát hiện",
	[L_CLEANED] = "Đã xử lý",
	[L_REMAINING] = "Còn tồn tại",
	[L_TOTAL] = "Tổng cộng",
	[L_SHEET_UNITS] = "Đơn vị",
	[L_SHEET_MALWARE] = "Mã độc nổi bật",
	[L_SHEET_MISSING] = "Đơn vị chưa báo cáo",
	[L_MALWARE_NAME] = "Tên mã độc",
	[L_MALWARE_MACHINES] = "Số máy nhiễm",
	[L_MALWARE_SHA256] = "Số mẫu (SHA-256)",
	[L_MALWARE_DETECTIONS] = "Số lần phát hiện",
	[L_REASON] = "Lý do",
	[L_REASON_NO_MACHINES] = "Chưa có máy nào được cài đặt",
	[L_REASON_NONE_PROTECTED] = "Không có máy nào gửi báo cáo",
	[L_REASON_NO_SCAN] = "Không có lượt rà quét nào trong kỳ",
	[L_NONE] = "Không có",
	[L_NOTES] = "Ghi chú",
	[L_NOTE_ROWS] = "Mỗi dòng là các máy đăng ký trực tiếp tại đơn vị (không gồm đơn vị cấp dưới); "
			"tổng số máy là các máy đăng ký trước ngày kết thúc kỳ.",
	[L_NOTE_PROTECTED] = "Được bảo vệ: phần mềm trên máy gửi báo cáo về máy chủ trong %lld ngày cuối kỳ "
			     "hoặc sau đó.",
	[L_NOTE_UPDATE] = "Tự động cập nhật: mẫu nhận diện mới nhất trên máy được phát hành không quá %lld ngày "
			  "trước ngày kết thúc kỳ.",
	[L_NOTE_PERIOD] = "Đã rà quét: máy có lượt quét hoàn tất trong kỳ. Máy nhiễm mã độc, tệp phát hiện: "
			  "phát hiện lần đầu trong kỳ; đã xử lý: nay đã cách ly hoặc xóa; còn tồn tại: chưa xử lý.",
	[L_NOTE_MISSING] = "Đơn vị chưa báo cáo: đơn vị có máy nhưng không máy nào gửi báo cáo hoặc không máy "
			   "nào được rà quét trong kỳ, hoặc đơn vị không có máy và không có đơn vị cấp dưới.",
	[L_UNITS_MISSING] = "Số đơn vị chưa báo cáo: %lld/%lld",
	[L_PAGE] = "Trang %d/%d",
	[L_FILE_UNIT] = "Báo cáo đơn vị",
	[L_FILE_PROVINCE] = "Báo cáo tổng hợp toàn tỉnh",
	[L_SHEET_OBLIGATIONS] = "Nhiệm vụ của đơn vị",
	[L_OBL_TITLE] = "Tình hình thực hiện nhiệm vụ của các đơn vị — %s",
	[L_OBL_DEADLINES] = "Hạn đơn vị báo cáo: %s; hạn Sở báo cáo: %s",
	[L_OBL_TRAINING] = "Tập huấn nâng cao nhận thức",
	[L_OBL_SYSTEMS] = "Hồ sơ đề xuất cấp độ",
	[L_OBL_REGULATION] = "Quy chế bảo đảm an toàn thông tin",
	[L_OBL_RESPONSE_PLAN] = "Phương án ứng cứu sự cố",
	[L_OBL_SWEEP] = "Rà quét, bóc gỡ mã độc",
	[L_OBL_REPORT] = "Báo cáo của đơn vị",
	[L_COL_STATE] = "Trạng thái",
	[L_COL_TRAINING_ON] = "Ngày tập huấn",
	[L_COL_ATTENDEES] = "Số người tham dự",
	[L_COL_SYSTEMS] = "Số hệ thống",
	[L_COL_DRAFT] = "Đang soạn",
	[L_COL_SUBMITTED] = "Đã trình",
	[L_COL_APPRAISED] = "Đã thẩm định",
	[L_COL_APPROVED] = "Đã phê duyệt",
	[L_COL_LEVELS] = "Cấp độ",
	[L_COL_REGULATED] = "Đã ban hành",
	[L_COL_PLAN_NUMBER] = "Số văn bản",
	[L_COL_ISSUED_ON] = "Ngày ban hành",
	[L_COL_ENDPOINTS] = "Số máy",
	[L_COL_SWEPT] = "Đã rà quét",
	[L_COL_INFECTED_NOW] = "Đang nhiễm",
	[L_COL_CONFIRMED_ON] = "Ngày xác nhận",
	[L_COL_DONE] = "Số nội dung hoàn thành",
	[L_MARK_DONE] = "Đã hoàn thành",
	[L_MARK_PENDING] = "Chưa thực hiện",
	[L_MARK_OVERDUE] = "Quá hạn",
	[L_LEVEL_COUNT] = "cấp %d: %lld",
	[L_PEOPLE] = "%lld người",
	[L_OF_APPROVED] = "%lld/%lld đã phê duyệt",
	[L_OF_ISSUED] = "%lld/%lld đã ban hành",
	[L_PLAN_NO] = "số %s, %s",
	[L_SWEEP_CELL] = "%lld/%lld máy đã quét; %lld máy đang nhiễm",
	[L_UNITS_DONE] = "Số đơn vị hoàn thành",
	[L_OBL_COMPLETE] = "Số đơn vị hoàn thành tất cả nội dung: %lld/%lld",
	[L_OBL_OVERDUE_UNITS] = "Đơn vị có nội dung quá hạn",
	[L_OBL_OVERDUE_ITEMS] = "Nội dung quá hạn",
	[L_OBL_NOTE] = "Trạng thái tại ngày lập báo cáo; quá hạn: chưa hoàn thành khi hạn đơn vị báo cáo đã qua. "
		       "Hồ sơ, quy chế: hoàn thành khi mọi hệ thống của đơn vị đã được phê duyệt, đã ban hành quy chế. "
		       "Rà quét, bóc gỡ mã độc: tính từ dữ liệu phần mềm — mọi máy của đơn vị và đơn vị cấp dưới đã "
		       "được quét trong thời gian chiến dịch và không còn máy đang nhiễm.",
	[L_RAQUET] = "Bảo vệ bằng raquet",
	[L_OTHER_PRODUCTS] = "Bảo vệ bằng sản phẩm khác",
	[L_SHEET_PRODUCTS] = "Sản phẩm khác",
	[L_PRODUCT] = "Sản phẩm",
	[L_PRODUCT_MACHINES] = "Số máy",
	[L_NOTE_DECLARED] = "Bảo vệ bằng sản phẩm khác: máy đơn vị khai báo dùng phần mềm phòng chống mã độc khác "
			    "(không tính khi đơn vị có máy cài raquet cùng tên); được bảo vệ và tự động cập nhật khi mẫu "
			    "nhận diện được cập nhật trong %lld ngày cuối kỳ; đã rà quét, nhiễm và xử lý theo lần quét "
			    "cuối trong kỳ và số lượng khai báo.",
};

static const char *const en[L_COUNT] = {
	[L_TITLE_UNIT] = "Unit report on malware sweeping and removal",
	[L_TITLE_PROVINCE] = "Provincial summary report on malware sweeping and removal",
	[L_SCOPE] = "Unit: %s",
	[L_PERIOD] = "Period: from %s to %s",
	[L_MADE] = "Made on: %s",
	[L_CODE] = "Unit code",
	[L_NAME] = "Unit",
	[L_MACHINES] = "Machines",
	[L_SERVERS] = "Servers",
	[L_WORKSTATIONS] = "Workstations",
	[L_OTHERS] = "Other devices",
	[L_PROTECTED] = "Protected",
	[L_AUTO_UPDATE] = "Automatic update",
	[L_SCANNED] = "Scanned",
	[L_INFECTED] = "Infected machines",
	[L_DETECTIONS] = "Malicious files found",
	[L_CLEANED] = "Cleaned",
	[L_REMAINING] = "Remaining",
	[L_TOTAL] = "Total",
	[L_SHEET_UNITS] = "Units",
	[L_SHEET_MALWARE] = "Notable malware",
	[L_SHEET_MISSING] = "Units not reported",
	[L_MALWARE_NAME] = "Malware name",
	[L_MALWARE_MACHINES] = "Machines",
	[L_MALWARE_SHA256] = "Samples (SHA-256)",
	[L_MALWARE_DETECTIONS] = "Detections",
	[L_REASON] = "Reason",
	[L_REASON_NO_MACHINES] = "No machine enrolled",
	[L_REASON_NONE_PROTECTED] = "No machine reporting",
	[L_REASON_NO_SCAN] = "No scan in the period",
	[L_NONE] = "None",
	[L_NOTES] = "Notes",
	[L_NOTE_ROWS] = "Each row counts the machines enrolled directly in the unit (not its sub-units); "
			"machines are those enrolled before the end of the period.",
	[L_NOTE_PROTECTED] = "Protected: the machine's agent reported to the server in the last %lld days of the "
			     "period or since.",
	[L_NOTE_UPDATE] = "Automatic update: the machine's newest signatures were built at most %lld days before "
			  "the end of the period.",
	[L_NOTE_PERIOD] = "Scanned: a scan finished in the period. Infected machines, files found: first detected "
			  "in the period; cleaned: now quarantined or removed; remaining: not handled yet.",
	[L_NOTE_MISSING] = "Units not reported: units with machines of which none reported or none was scanned in "
			   "the period, or units with no machine and no sub-unit.",
	[L_UNITS_MISSING] = "Units not reported: %lld of %lld",
	[L_PAGE] = "Page %d of %d",
	[L_FILE_UNIT] = "Unit report",
	[L_FILE_PROVINCE] = "Provincial report",
	[L_SHEET_OBLIGATIONS] = "Obligations",
	[L_OBL_TITLE] = "The units' obligations — %s",
	[L_OBL_DEADLINES] = "Units report by %s; the department by %s",
	[L_OBL_TRAINING] = "Awareness training",
	[L_OBL_SYSTEMS] = "Security-level dossiers",
	[L_OBL_REGULATION] = "Security regulations",
	[L_OBL_RESPONSE_PLAN] = "Incident-response plan",
	[L_OBL_SWEEP] = "Malware sweep",
	[L_OBL_REPORT] = "Unit report",
	[L_COL_STATE] = "State",
	[L_COL_TRAINING_ON] = "Held on",
	[L_COL_ATTENDEES] = "Attendees",
	[L_COL_SYSTEMS] = "Systems",
	[L_COL_DRAFT] = "Draft",
	[L_COL_SUBMITTED] = "Submitted",
	[L_COL_APPRAISED] = "Appraised",
	[L_COL_APPROVED] = "Approved",
	[L_COL_LEVELS] = "Levels",
	[L_COL_REGULATED] = "Issued",
	[L_COL_PLAN_NUMBER] = "Number",
	[L_COL_ISSUED_ON] = "Issued on",
	[L_COL_ENDPOINTS] = "Machines",
	[L_COL_SWEPT] = "Scanned",
	[L_COL_INFECTED_NOW] = "Infected now",
	[L_COL_CONFIRMED_ON] = "Confirmed on",
	[L_COL_DONE] = "Items done",
	[L_MARK_DONE] = "Done",
	[L_MARK_PENDING] = "Pending",
	[L_MARK_OVERDUE] = "Overdue",
	[L_LEVEL_COUNT] = "level %d: %lld",
	[L_PEOPLE] = "%lld people",
	[L_OF_APPROVED] = "%lld of %lld approved",
	[L_OF_ISSUED] = "%lld of %lld issued",
	[L_PLAN_NO] = "no. %s, %s",
	[L_SWEEP_CELL] = "%lld of %lld machines scanned; %lld infected now",
	[L_UNITS_DONE] = "Units done",
	[L_OBL_COMPLETE] = "Units that completed every item: %lld of %lld",
	[L_OBL_OVERDUE_UNITS] = "Units with overdue items",
	[L_OBL_OVERDUE_ITEMS] = "Overdue items",
	[L_OBL_NOTE] = "States on the day the report was made; overdue: not done when the units' deadline has passed. "
		       "Dossiers, regulations: done when every system of the unit is approved, has its regulation "
		       "issued. Malware sweep: computed from the agents' data -- every machine of the unit and its "
		       "sub-units scanned during the campaign and none infected now.",
	[L_RAQUET] = "Protected by raquet",
	[L_OTHER_PRODUCTS] = "Protected by other products",
	[L_SHEET_PRODUCTS] = "Other products",
	[L_PRODUCT] = "Product",
	[L_PRODUCT_MACHINES] = "Machines",
	[L_NOTE_DECLARED] = "Protected by other products: machines the unit declared as protected by another "
			    "anti-malware product (not counted when the unit has a raquet machine of the same name); "
			    "protected and automatically updated when their signatures were updated in the last %lld "
			    "days of the period; scanned, infected and cleaned by their last scan in the period and "
			    "the counts declared.",
};

static const char *const names[RQ_LANG_COUNT] = {"vi", "en"};

const char *rq_label_text(rq_lang lang, rq_label label)
{
	const char *const *table = lang == RQ_LANG_EN ? en : vi;
	if ((unsigned)label >= L_COUNT || !table[label])
		return "";
	return table[label];
}

const char *rq_lang_name(rq_lang lang)
{
	return (unsigned)lang < RQ_LANG_COUNT ? names[lang] : "vi";
}

int rq_lang_parse(const char *name)
{
	for (int i = 0; i < RQ_LANG_COUNT; i++)
		if (name && !strcmp(name, names[i]))
			return i;
	return -1;
}
