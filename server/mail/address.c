/*
 * Checking e-mail addresses (address.h): what the SMTP envelope and a
 * header carry without quoting or encoding.
 */
#include "mail/address.h"

#include <string.h>

#include "core/error.h"

/* Characters of a dot-atom local part (RFC 5322 atext) besides letters and digits. */
static int atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

int rq_mail_address_check(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	size_t len = addr ? strlen(addr) : 0;
	if (!addr || !*addr)
		return rq_fail(RQ_EINVAL, "an address is empty");
	if (len > RQ_MAIL_ADDRESS_MAX)
		return rq_fail(RQ_EINVAL, "longer than %d characters", RQ_MAIL_ADDRESS_MAX);
	if (!at || at == addr || at[1] == '\0')
		return rq_fail(RQ_EINVAL, "expected local@domain");
	if (at - addr > 64)
		return rq_fail(RQ_EINVAL, "the part before '@' is longer than 64 characters");
	/* local part: atoms separated by single dots */
	for (const char *p = addr; p < at; p++) {
		if (*p == '.' && (p == addr || p + 1 == at || p[1] == '.'))
			return rq_fail(RQ_EINVAL, "a dot at an end of the local part, or two in a row");
		if (*p != '.' && !atext(*p))
			return rq_fail(RQ_EINVAL, "character 0x%02x is not allowed before '@' (letters, digits, . _ - + ...)",
				       (unsigned char)*p);
	}
	/* domain: two labels at least, each 1-63 letters, digits or inner hyphens */
	int labels = 0;
	for (const char *p = at + 1; *p;) {
		const char *end = strchr(p, '.');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
			return rq_fail(RQ_EINVAL, "the domain must be labels of 1-63 letters, digits or inner hyphens "
						  "separated by single dots");
		for (size_t i = 0; i < n; i++)
			if (!label_char(p[i]))
				return rq_fail(RQ_EINVAL, "character 0x%02x is not allowed in the domain (an "
							  "internationalised domain is written in its xn-- form)",
					       (unsigned char)p[i]);
		labels++;
		p += n;
		if (*p == '.')
			p++;
		if (end && !*p)
			return rq_fail(RQ_EINVAL, "the domain ends with a dot");
	}
	if (labels < 2)
		return rq_fail(RQ_EINVAL, "the domain needs a dot (example.gov.vn)");
	return 0;
}

const char *rq_mail_address_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');
	return at ? at + 1 : addr;
}
