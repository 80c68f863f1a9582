/*
 * Reminder texts (remind_text.h), built in a bounded buffer.
 */
#include "campaign/remind_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "mail/message.h"

static const char *const label_vi[RQ_OBL_COUNT] = {
	"Tập huấn nâng cao nhận thức",
	"Hồ sơ đề xuất cấp độ các hệ thống thông tin (được phê duyệt)",
	"Quy chế bảo đảm an toàn thông tin của từng hệ thống",
	"Phương án, kịch bản ứng cứu sự cố",
	"Rà quét, bóc gỡ mã độc (mọi máy được quét, không còn máy nhiễm)",
	"Báo cáo của đơn vị (lập và xác nhận)",
};
static const char *const label_en[RQ_OBL_COUNT] = {
	"Awareness training",
	"Security-level dossiers of the information systems (approved)",
	"Security regulation of each system",
	"Incident-response plan and scenarios",
	"Malware sweep (every machine scanned, none infected)",
	"Unit report (made and confirmed)",
};

/* "2023-06-25" -> "25/06/2023" */
static void dmy(const char *ymd, char out[16])
{
	if (strlen(ymd) == 10)
		snprintf(out, 16, "%.2s/%.2s/%.4s", ymd + 8, ymd + 5, ymd);
	else
		snprintf(out, 16, "%s", ymd);
}

/* "còn 7 ngày" / "hạn là hôm nay" / "đã quá hạn 3 ngày", and in English. */
static void when_vi(int64_t days_left, char out[64])
{
	if (days_left > 0)
		snprintf(out, 64, "còn %lld ngày", (long long)days_left);
	else if (days_left == 0)
		snprintf(out, 64, "hạn là hôm nay");
	else
		snprintf(out, 64, "đã quá hạn %lld ngày", (long long)-days_left);
}

static void when_en(int64_t days_left, char out[64])
{
	if (days_left > 0)
		snprintf(out, 64, "%lld day%s left", (long long)days_left, days_left == 1 ? "" : "s");
	else if (days_left == 0)
		snprintf(out, 64, "due today");
	else
		snprintf(out, 64, "%lld day%s overdue", (long long)-days_left, days_left == -1 ? "" : "s");
}

/* The dashboard link of `path` ("" when no dashboard_url). */
static void link(const char *base, const char *path, char out[512])
{
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (n == 0)
		out[0] = '\0';
	else
		snprintf(out, 512, "%.*s/#/%s", (int)(n < 400 ? n : 400), base, path);
}

static int finish(rq_strbuf *sub, rq_strbuf *body, char **subject, char **text)
{
	if (sub->no_mem || body->no_mem || sub->too_long || body->too_long || !sub->p || !body->p) {
		rq_strbuf_free(sub);
		rq_strbuf_free(body);
		return rq_fail(RQ_ENOMEM, "campaign: a reminder's text could not be made");
	}
	*subject = sub->p;
	*text = body->p;
	return 0;
}

int rq_remind_unit_text(const rq_remind_campaign *camp, const rq_obl_unit *u, const char *person,
			int64_t days_left, const char *dashboard_url, char **subject, char **body)
{
	rq_strbuf s = rq_strbuf_init(RQ_MAIL_SUBJECT_MAX), b = rq_strbuf_init(RQ_MAIL_BODY_MAX);
	char due[16], wvi[64], wen[64], url[512], path[128];
	int pending = RQ_OBL_COUNT - u->done_count;
	dmy(camp->unit_deadline, due);
	when_vi(days_left, wvi);
	when_en(days_left, wen);
	snprintf(path, sizeof(path), "campaigns/%lld/units/%lld", (long long)camp->id, (long long)u->id);
	link(dashboard_url, path, url);
	rq_strbuf_printf(&s, "[raquet] %s: %s – hạn %s (%s)", days_left < 0 ? "Quá hạn" : "Nhắc hạn", u->name, due, wvi);
	rq_strbuf_printf(&b, "Kính gửi %s,\n\n", person);
	rq_strbuf_printf(&b, "Chiến dịch \"%s\": đơn vị %s còn %d việc chưa hoàn thành; hạn báo cáo của đơn vị là %s (%s).\n\n",
	     camp->name, u->name, pending, due, wvi);
	rq_strbuf_puts(&b, "Việc chưa hoàn thành:\n");
	for (int k = 0; k < RQ_OBL_COUNT; k++)
		if (!u->done[k])
			rq_strbuf_printf(&b, "  - %s\n", label_vi[k]);
	if (url[0])
		rq_strbuf_printf(&b, "\nXem và cập nhật danh mục của đơn vị: %s\n", url);
	else
		rq_strbuf_puts(&b, "\nXem và cập nhật danh mục trên trang quản trị raquet: Chiến dịch > đơn vị.\n");
	rq_strbuf_puts(&b, "\nThư này được gửi tự động; xin không trả lời.\n\n-- English --\n\n");
	rq_strbuf_printf(&b, "Dear %s,\n\n", person);
	rq_strbuf_printf(&b, "Campaign \"%s\": unit %s has %d obligation%s not done; the units' deadline is %s (%s).\n\n", camp->name,
	     u->name, pending, pending == 1 ? "" : "s", due, wen);
	rq_strbuf_puts(&b, "Not done yet:\n");
	for (int k = 0; k < RQ_OBL_COUNT; k++)
		if (!u->done[k])
			rq_strbuf_printf(&b, "  - %s\n", label_en[k]);
	if (url[0])
		rq_strbuf_printf(&b, "\nSee and update the unit's checklist: %s\n", url);
	else
		rq_strbuf_puts(&b, "\nSee and update the checklist in the raquet dashboard: Campaigns > the unit.\n");
	rq_strbuf_puts(&b, "\nThis message was sent automatically; please do not reply.\n");
	return finish(&s, &b, subject, body);
}

int rq_remind_dept_text(const rq_remind_campaign *camp, const rq_remind_lagging *lagging, size_t n,
			size_t units_total, const char *person, int64_t days_left, const char *dashboard_url,
			char **subject, char **body)
{
	rq_strbuf s = rq_strbuf_init(RQ_MAIL_SUBJECT_MAX), b = rq_strbuf_init(RQ_MAIL_BODY_MAX);
	char due[16], wvi[64], wen[64], url[512], path[64];
	size_t listed = n < RQ_REMIND_UNITS_LISTED ? n : RQ_REMIND_UNITS_LISTED;
	dmy(camp->dept_deadline, due);
	when_vi(days_left, wvi);
	when_en(days_left, wen);
	snprintf(path, sizeof(path), "campaigns/%lld", (long long)camp->id);
	link(dashboard_url, path, url);
	rq_strbuf_printf(&s, "[raquet] %s: %s – hạn của Sở %s (%s), %zu đơn vị chưa hoàn thành", days_left < 0 ? "Quá hạn" : "Nhắc hạn",
	     camp->name, due, wvi, n);
	rq_strbuf_printf(&b, "Kính gửi %s,\n\n", person);
	rq_strbuf_printf(&b, "Chiến dịch \"%s\": hạn Sở báo cáo UBND tỉnh là %s (%s). %zu/%zu đơn vị còn việc chưa hoàn thành:\n\n",
	     camp->name, due, wvi, n, units_total);
	for (size_t i = 0; i < listed; i++)
		rq_strbuf_printf(&b, "  - %s: %d việc\n", lagging[i].name, lagging[i].pending);
	if (listed < n)
		rq_strbuf_printf(&b, "  ... và %zu đơn vị khác\n", n - listed);
	if (url[0])
		rq_strbuf_printf(&b, "\nTiến độ của các đơn vị: %s\n", url);
	rq_strbuf_puts(&b, "\nThư này được gửi tự động; xin không trả lời.\n\n-- English --\n\n");
	rq_strbuf_printf(&b, "Dear %s,\n\n", person);
	rq_strbuf_printf(&b, "Campaign \"%s\": the department reports to the Provincial People's Committee by %s (%s). %zu of %zu "
		 "units still have obligations pending:\n\n",
	     camp->name, due, wen, n, units_total);
	for (size_t i = 0; i < listed; i++)
		rq_strbuf_printf(&b, "  - %s: %d pending\n", lagging[i].name, lagging[i].pending);
	if (listed < n)
		rq_strbuf_printf(&b, "  ... and %zu more units\n", n - listed);
	if (url[0])
		rq_strbuf_printf(&b, "\nThe units' progress: %s\n", url);
	rq_strbuf_puts(&b, "\nThis message was sent automatically; please do not reply.\n");
	return finish(&s, &b, subject, body);
}
