/* Helpers for the cmocka unit tests: see testutil.h. */
#include "testutil.h"

#include "sigs/sigset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char rq_test_eicar[] =
	"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

char *rq_test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path = NULL;
	if (asprintf(&path, "%s/rqtest.XXXXXX", base && *base ? base : "/tmp") < 0)
		fail_msg("asprintf");
	if (!mkdtemp(path))
		fail_msg("mkdtemp %s", path);
	return path;
}

void rq_test_rmtree(const char *path)
{
	char *cmd = NULL;
	if (asprintf(&cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", path, path) >= 0) {
		int rc = system(cmd);
		(void)rc;
	}
	free(cmd);
}

char *rq_test_write(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		fail_msg("asprintf");
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

rq_engine *rq_test_engine(int no_builtin, ...)
{
	rq_engine_options opts = { .no_builtin = no_builtin };
	rq_engine *engine = NULL;
	assert_int_equal(rq_engine_new(&engine, &opts), 0);
	va_list ap;
	va_start(ap, no_builtin);
	for (;;) {
		const char *ext = va_arg(ap, const char *);
		if (!ext)
			break;
		const char *text = va_arg(ap, const char *);
		char name[64];
		snprintf(name, sizeof(name), "test.%s", ext);
		int rc = rq_engine_load_buffer(engine, ext, name, text, strlen(text));
		if (rc)
			fail_msg("load %s: %s", name, rq_error_last());
	}
	va_end(ap);
	if (rq_engine_compile(engine))
		fail_msg("compile: %s", rq_error_last());
	return engine;
}

struct names {
	char buf[4096];
};

static int collect(const rq_result *r, void *payload)
{
	struct names *n = payload;
	for (size_t i = 0; i < r->finding_count; i++) {
		if (r->findings[i].kind != RQ_FINDING_DETECTION)
			continue;
		if (n->buf[0])
			strncat(n->buf, ",", sizeof(n->buf) - strlen(n->buf) - 1);
		strncat(n->buf, r->findings[i].name, sizeof(n->buf) - strlen(n->buf) - 1);
	}
	return 0;
}

char *rq_test_scan_buffer(const rq_engine *engine, const void *data, size_t len, int all_matches)
{
	rq_scan_options opts;
	rq_scan_options_default(&opts);
	opts.all_matches = all_matches;
	rq_scanner *s = NULL;
	assert_int_equal(rq_scanner_new(&s, engine, &opts), 0);
	struct names n = { { 0 } };
	int rc = rq_scanner_scan_buffer(s, data, len, "buffer", collect, &n);
	if (rc)
		fail_msg("scan: %s", rq_error_last());
	rq_scanner_free(s);
	return strdup(n.buf);
}

static int collect_warning(const char *file, unsigned line, const char *message, void *payload)
{
	rq_test_warnings *w = payload;
	if (w->count < 64) {
		w->lines[w->count] = line;
		snprintf(w->msgs[w->count], sizeof(w->msgs[0]), "%s:%u: %s", file, line, message);
	}
	w->count++;
	return w->stop_after && w->count >= w->stop_after;
}

void rq_test_sigset_init(struct rq_sigset *set, rq_test_warnings *w, int strict)
{
	rq_engine_options opts = { .strict = strict, .on_warning = collect_warning,
				   .warning_payload = w };
	memset(w, 0, sizeof(*w));
	rq_sigset_init(set, &opts);
}
