/*
 * Binding many parameters of a prepared statement at once from a format
 * string, for the store's wide rows (campaigns, systems, evidence).
 * Implemented in bind.c.
 */
#ifndef RQ_SERVER_STORE_BIND_H
#define RQ_SERVER_STORE_BIND_H

#include <stdarg.h>

#include "store/store.h"

/*
 * Bind $1, $2... in order, one per character of `fmt`:
 *   'i' an int64_t
 *   'I' an int64_t, bound as NULL when <= 0 (an optional reference)
 *   't' a const char * (NULL binds NULL)
 *   'T' a const char *, NULL bound as "" (a NOT NULL DEFAULT '' column)
 * 0 or the first bind's error.
 */
int rq_stmt_bind_fmt(rq_stmt *st, const char *fmt, ...);

/* The same with a va_list (for helpers that prepare and bind in one call). */
int rq_stmt_bind_vfmt(rq_stmt *st, const char *fmt, va_list ap);

/* Column `col` as text, "" for NULL (borrowed like rq_stmt_column_text). */
const char *rq_stmt_column_str(rq_stmt *st, int col);

#endif
