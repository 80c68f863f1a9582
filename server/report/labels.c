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
