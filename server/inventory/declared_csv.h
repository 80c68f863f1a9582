/*
 * Machines protected by other products, as typed by people: the checks of
 * each field (shared by the JSON API and the CSV import) and the CSV
 * inventory reader -- UTF-8 with or without a byte order mark, comma or
 * semicolon separated (the one the header row uses), RFC 4180 quoting,
 * columns named by the header row in English or Vietnamese, dates
 * dd/mm/yyyy or yyyy-mm-dd. A file is read whole and every bad row is
 * named (row, column, reason) so that nothing is imported until all are
 * right. Implemented in declared_csv.c; docs/campaigns.md.
 */
#ifndef RQ_SERVER_INVENTORY_DECLARED_CSV_H
#define RQ_SERVER_INVENTORY_DECLARED_CSV_H

#include <stddef.h>
#include <stdint.h>

/* A hostname: at most 253 bytes (DNS), letters, digits, '-', '_', '.'. */
#define RQ_DECLARED_HOSTNAME_MAX 253
/* A product's name and version as people write it. */
#define RQ_DECLARED_PRODUCT_MAX 200
/* Infections a machine may declare (a bad number, not a real count). */
#define RQ_DECLARED_COUNT_MAX 1000000000LL
/* A CSV inventory: the largest unit has a few thousand machines; a file
 * larger than this is not an inventory, and one request stays small. */
#define RQ_DECLARED_CSV_MAX_BYTES (2 * 1024 * 1024)
#define RQ_DECLARED_CSV_MAX_ROWS 5000
/* Longest field of a CSV row (anything longer is refused, not cut). */
#define RQ_DECLARED_CSV_MAX_FIELD 1024

/* One machine read from a CSV row (strings owned by the result). */
typedef struct rq_declared_row {
	int row;                 /* the file's row number (header: 1) */
	char *hostname, *kind, *product;
	int64_t sig_updated, last_scan; /* 0: not given */
	int64_t infections_found, infections_cleaned;
} rq_declared_row;

/* One problem: a row (0: the file), a column name ("" for the row) and why. */
typedef struct rq_declared_csv_error {
	int row;
	char column[32];
	char reason[160];
} rq_declared_csv_error;

typedef struct rq_declared_csv {
	rq_declared_row *rows;
	size_t row_count;
	rq_declared_csv_error *errors;
	size_t error_count;
} rq_declared_csv;

/*
 * Read `len` bytes of CSV text into *out (free with
 * rq_declared_csv_free, also after an error). `now` bounds the dates (not
 * after tomorrow). 0 when read (out->error_count says whether it is all
 * right); RQ_ELIMIT when larger than the limits; RQ_ENOMEM.
 */
int rq_declared_csv_read(const char *text, size_t len, int64_t now, rq_declared_csv *out);
void rq_declared_csv_free(rq_declared_csv *c);

/* The field checks: NULL when `value` is right (the lower-cased hostname,
 * the kind's English name, the day's start in *out), else why not. */
const char *rq_declared_check_hostname(const char *value, char out[RQ_DECLARED_HOSTNAME_MAX + 1]);
const char *rq_declared_check_kind(const char *value, const char **out);
const char *rq_declared_check_product(const char *value);
const char *rq_declared_check_date(const char *value, int64_t now, int64_t *out);
const char *rq_declared_check_counts(int64_t found, int64_t cleaned);

#endif
