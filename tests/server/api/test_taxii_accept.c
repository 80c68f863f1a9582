/*
 * Tests of the TAXII Accept check (api/taxii.h): which Accept headers
 * TAXII 2.1 answers fit, and which get 406.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/taxii.h"

static void test_accept(void **state)
{
	(void)state;
	const char *fits[] = { "application/taxii+json;version=2.1", "application/taxii+json",
			       "Application/TAXII+JSON; version=2.1", "*/*", "application/*",
			       "text/html, application/taxii+json;version=2.1;q=0.9",
			       "application/json, */*;q=0.1", NULL };
	const char *refused[] = { "application/json", "application/taxii+json;version=2.0",
				  "application/stix+json;version=2.1", "text/*", "",
				  "application/taxii+json;version=2.1;q=0", "application/taxii+jsonx", NULL };
	assert_true(rq_taxii_accept_fits(NULL));
	for (int i = 0; fits[i]; i++)
		if (!rq_taxii_accept_fits(fits[i]))
			fail_msg("'%s' refused", fits[i]);
	for (int i = 0; refused[i]; i++)
		if (rq_taxii_accept_fits(refused[i]))
			fail_msg("'%s' accepted", refused[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
