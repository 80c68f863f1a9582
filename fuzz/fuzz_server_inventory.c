/*
 * libFuzzer harness for the CSV inventory of machines protected by other
 * products (server/inventory/declared_csv.c), which takes a file from any
 * unit officer. Whatever the bytes, every machine read passes the field
 * checks (a valid hostname, a known kind, an allowed product, counts with
 * cleaned <= found) and every error names a row within the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/declared_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rq_declared_csv csv;
	char host[RQ_DECLARED_HOSTNAME_MAX + 1];
	const char *kind;
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r';
	if (rq_declared_csv_read((const char *)data, size, 2000000000LL, &csv) == 0) {
		for (size_t i = 0; i < csv.row_count; i++) {
			const rq_declared_row *r = &csv.rows[i];
			if (rq_declared_check_hostname(r->hostname, host) || strcmp(host, r->hostname) ||
			    rq_declared_check_kind(r->kind, &kind) || rq_declared_check_product(r->product) ||
			    rq_declared_check_counts(r->infections_found, r->infections_cleaned) || r->row < 2)
				abort();
		}
		for (size_t i = 0; i < csv.error_count; i++)
			if (csv.errors[i].row < 0 || (size_t)csv.errors[i].row > lines || !csv.errors[i].reason[0])
				abort();
	}
	rq_declared_csv_free(&csv);
	return 0;
}
