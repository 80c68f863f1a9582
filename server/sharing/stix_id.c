/*
 * UUIDv5 and STIX timestamps (stix_id.h). SHA-1 from libcrypto (the UUID
 * version 5 algorithm, not a security use); time conversions without the
 * C library's time zone state (timegm is not C17).
 */
#include "sharing/stix_id.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/error.h"

/* A random UUID drawn once for raquet: never change it (every id depends on it). */
const rq_uuid rq_uuid_raquet_ns = { { 0x6b, 0x0e, 0x54, 0x1f, 0x33, 0x1a, 0x5c, 0x6d, 0x9a, 0x47, 0x1e, 0x2c, 0x8e,
				      0x10, 0x57, 0x3b } };

int rq_uuid5(const rq_uuid *ns, const char *name, rq_uuid *out)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int rc = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || EVP_DigestInit_ex(md, EVP_sha1(), NULL) != 1 || EVP_DigestUpdate(md, ns->b, 16) != 1 ||
	    EVP_DigestUpdate(md, name, strlen(name)) != 1 || EVP_DigestFinal_ex(md, digest, &len) != 1 || len < 16) {
		rc = rq_fail(RQ_ERROR, "sharing: SHA-1 failed");
		goto done;
	}
	memcpy(out->b, digest, 16);
	out->b[6] = (unsigned char)((out->b[6] & 0x0f) | 0x50); /* version 5 */
	out->b[8] = (unsigned char)((out->b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
done:
	EVP_MD_CTX_free(md);
	return rc;
}

void rq_uuid_text(const rq_uuid *u, char out[RQ_UUID_TEXT])
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[n++] = '-';
		out[n++] = hex[u->b[i] >> 4];
		out[n++] = hex[u->b[i] & 15];
	}
	out[n] = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rq_uuid_parse(const char *text, rq_uuid *out)
{
	size_t n = 0;
	if (!text || strlen(text) != 36)
		return RQ_EINVAL;
	for (size_t i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i++] != '-')
				return RQ_EINVAL;
			continue;
		}
		int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
		if (hi < 0 || lo < 0)
			return RQ_EINVAL;
		out->b[n++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	return 0;
}

int rq_stix_id(const rq_uuid *ns, const char *type, const char *content, char out[RQ_STIX_ID_MAX])
{
	rq_uuid u;
	char text[RQ_UUID_TEXT];
	int rc = rq_uuid5(ns, content, &u);
	if (rc < 0)
		return rc;
	rq_uuid_text(&u, text);
	if (snprintf(out, RQ_STIX_ID_MAX, "%s--%s", type, text) >= RQ_STIX_ID_MAX)
		return rq_fail(RQ_EINVAL, "sharing: STIX type %s too long", type);
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

void rq_stix_time(int64_t ms, char out[RQ_STIX_TIME_TEXT])
{
	if (ms < 0)
		ms = 0;
	if (ms > 253402300799999LL) /* 9999-12-31T23:59:59.999Z */
		ms = 253402300799999LL;
	int64_t secs = ms / 1000, days = secs / 86400, rest = secs % 86400, y;
	int m, d;
	char text[96]; /* the fields are in range; the compiler cannot know */
	civil_from_days(days, &y, &m, &d);
	snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, m, d, (int)(rest / 3600),
		 (int)(rest / 60 % 60), (int)(rest % 60), (int)(ms % 1000));
	memcpy(out, text, RQ_STIX_TIME_TEXT - 1);
	out[RQ_STIX_TIME_TEXT - 1] = '\0';
}

/* `n` decimal digits at *p into *out; advances *p. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int rq_stix_time_parse(const char *text, int64_t *out_ms)
{
	const char *p = text;
	int y, mo, d, h, mi, s, ms = 0, oh = 0, om = 0, sign = 0;
	if (!p || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d) ||
	    (*p != 'T' && *p != 't') || !*p++ || digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) ||
	    *p++ != ':' || digits(&p, 2, &s))
		return RQ_EINVAL;
	if (*p == '.') {
		int scale = 100, n = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, n++) {
			ms += (*p - '0') * scale;
			scale /= 10;
		}
		if (n == 0)
			return RQ_EINVAL;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
			return RQ_EINVAL;
	} else
		return RQ_EINVAL;
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return RQ_EINVAL;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - sign * (oh * 3600 + om * 60);
	*out_ms = secs * 1000 + ms;
	return 0;
}
