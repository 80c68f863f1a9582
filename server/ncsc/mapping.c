/*
 * The field mapping of the AVReport (mapping.h): store rows to text
 * values, with the definitions documented in docs/ncsc.md.
 */
#include "ncsc/mapping.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

void rq_ncsc_time_text(int64_t t, char out[32])
{
	struct tm tm;
	time_t local = (time_t)(t + RQ_NCSC_TZ_OFFSET);
	out[0] = '\0';
	if (t <= 0 || !gmtime_r(&local, &tm))
		return;
	if (strftime(out, 32, "%d-%m-%Y %H:%M:%S", &tm) == 0)
		out[0] = '\0';
}

void rq_ncsc_machine_ip(const char *ips_json, char *out, size_t cap)
{
	json_t *ips = json_loads(ips_json ? ips_json : "[]", 0, NULL);
	const char *first = json_string_value(json_array_get(ips, 0));
	snprintf(out, cap, "%s", first ? first : "");
	json_decref(ips);
}

void rq_ncsc_os_name(const char *name, const char *version, char *out, size_t cap)
{
	snprintf(out, cap, "%s%s%s", name ? name : "", name && *name && version && *version ? " " : "",
		 version ? version : "");
}

void rq_ncsc_last_update(const rq_ncsc_machine *m, char out[32])
{
	rq_ncsc_time_text(m->db_newest_build, out);
}

const char *rq_ncsc_flag(int on)
{
	return on ? "1" : "0";
}

const char *rq_ncsc_device_type(const char *kind)
{
	return kind && *kind ? kind : "workstation";
}

const char *rq_ncsc_behavior(const rq_ncsc_malware *m)
{
	return m->active > 0 ? "active" : m->quarantined > 0 ? "quarantined" : "removed";
}

const char *rq_ncsc_malware_type(const char *type)
{
	return type && *type ? type : "malware";
}

const char *rq_ncsc_digest(const char *hex, size_t hex_len)
{
	if (!hex || strlen(hex) != hex_len || strspn(hex, "0123456789abcdef") != hex_len)
		return "";
	return hex;
}

/* Length of the valid UTF-8 character at p (1-4), 0 if invalid. */
static size_t utf8_char(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		return (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0))
			return 0; /* overlong, surrogate */
		if (p[0] == 0xEF && p[1] == 0xBF && p[2] >= 0xBE)
			return 0; /* U+FFFE, U+FFFF: not XML characters */
		return 3;
	}
	if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
			return 0;
		if ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

void rq_ncsc_clean_text(const char *in, char *out)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	size_t o = 0;
	while (*p) {
		size_t n = utf8_char(p);
		int control = n == 1 && *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r';
		const char *src = n && !control ? (const char *)p : replacement;
		size_t len = n && !control ? n : 3;
		if (o + len > RQ_NCSC_MAX_VALUE)
			break;
		memcpy(out + o, src, len);
		o += len;
		p += n ? n : 1;
	}
	out[o] = '\0';
}
