/*
 * YARA rules through libyara (see yara_rules.h): all sources of the signature
 * set compiled into one YR_RULES, one namespace per file, files that do not
 * compile reported and left out; each .yarc loaded into its own YR_RULES.
 * Scanning runs one YR_SCANNER per YR_RULES per thread with the per-file
 * external variables set. Overview: docs/signatures-yara.md.
 */
#include "match/yara_rules.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yara.h>

#include "core/limits.h"

/* --- the process-wide libyara initialisation --- */

static pthread_once_t yr_once = PTHREAD_ONCE_INIT;
static int yr_init_result = ERROR_SUCCESS;

static void yr_init_now(void)
{
	yr_init_result = yr_initialize();
}

/* libyara is never finalised: other threads may still hold rules, and
 * yr_finalize only frees process-wide tables the OS reclaims at exit. */
static int yara_ready(void)
{
	pthread_once(&yr_once, yr_init_now);
	if (yr_init_result != ERROR_SUCCESS)
		return rq_fail(RQ_ERROR, "libyara: initialisation failed (error %d)", yr_init_result);
	return 0;
}

/* --- libyara error codes --- */

static const char *yr_error_text(int err)
{
	switch (err) {
	case ERROR_INSUFFICIENT_MEMORY: return "out of memory";
	case ERROR_COULD_NOT_OPEN_FILE: return "could not open the file";
	case ERROR_COULD_NOT_MAP_FILE: return "could not map the file (changed or unreadable?)";
	case ERROR_COULD_NOT_READ_FILE: return "could not read the file";
	case ERROR_INVALID_FILE: return "not a compiled YARA file";
	case ERROR_CORRUPT_FILE: return "corrupt compiled YARA file";
	case ERROR_UNSUPPORTED_FILE_VERSION:
		return "compiled by an incompatible YARA version (recompile it with this "
		       "machine's yarac, or load the .yar source)";
	case ERROR_SCAN_TIMEOUT: return "scan timed out";
	case ERROR_TOO_MANY_MATCHES: return "too many matches";
	case ERROR_TOO_MANY_SCAN_THREADS: return "too many threads use the same rules";
	case ERROR_EXEC_STACK_OVERFLOW: return "rule condition too deep";
	case ERROR_TOO_MANY_RE_FIBERS: return "regular expression too complex for this data";
	case ERROR_INVALID_EXTERNAL_VARIABLE_TYPE: return "external variable of another type";
	default: return "libyara error";
	}
}

static int yr_error_code(int err)
{
	switch (err) {
	case ERROR_INSUFFICIENT_MEMORY: return RQ_ENOMEM;
	case ERROR_COULD_NOT_OPEN_FILE:
	case ERROR_COULD_NOT_MAP_FILE:
	case ERROR_COULD_NOT_READ_FILE: return RQ_EIO;
	case ERROR_INVALID_FILE:
	case ERROR_CORRUPT_FILE: return RQ_EPARSE;
	case ERROR_UNSUPPORTED_FILE_VERSION: return RQ_EUNSUPPORTED;
	case ERROR_SCAN_TIMEOUT:
	case ERROR_TOO_MANY_MATCHES:
	case ERROR_TOO_MANY_SCAN_THREADS:
	case ERROR_EXEC_STACK_OVERFLOW:
	case ERROR_TOO_MANY_RE_FIBERS: return RQ_ELIMIT;
	default: return RQ_ERROR;
	}
}

/* --- the compiled database --- */

/* The external variables public rule sets (Loki/THOR's signature-base) use. */
enum { EXT_FILENAME, EXT_FILEPATH, EXT_EXTENSION, EXT_FILETYPE, EXT_OWNER, EXT_COUNT };
static const char *const ext_names[EXT_COUNT] = { "filename", "filepath", "extension",
						  "filetype", "owner" };

/* One YR_RULES: all sources (source == NULL: found by namespace) or one .yarc. */
typedef struct yara_part {
	YR_RULES *rules;
	const char *source;
} yara_part;

/* Namespace given to a source file -> that file's name. */
typedef struct ns_source {
	const char *ns;
	const char *source;
} ns_source;

struct rq_yaradb {
	yara_part *parts;
	size_t part_count, part_cap;
	ns_source *ns; /* sorted by ns */
	size_t ns_count, ns_cap;
	size_t rule_count;
	rq_strpool pool; /* names, owned: the signature set may be freed first */
};

static int cmp_ns(const void *a, const void *b)
{
	return strcmp(((const ns_source *)a)->ns, ((const ns_source *)b)->ns);
}

static const char *source_of_ns(const rq_yaradb *db, const char *ns)
{
	ns_source key = { ns, NULL };
	const ns_source *hit = bsearch(&key, db->ns, db->ns_count, sizeof(*db->ns), cmp_ns);
	return hit ? hit->source : "";
}

static int add_part(rq_yaradb *db, YR_RULES *rules, const char *source)
{
	int rc = rq_grow((void **)&db->parts, &db->part_cap, db->part_count + 1, sizeof(*db->parts));
	if (rc) {
		yr_rules_destroy(rules);
		return rc;
	}
	db->parts[db->part_count++] = (yara_part){ rules, source };
	return 0;
}

/* First error and warning count of one compilation. */
typedef struct compile_diag {
	int failed;
	unsigned line;
	char message[256];
	unsigned warnings;
} compile_diag;

static void on_compile_message(int level, const char *file, int line, const YR_RULE *rule,
			       const char *message, void *user)
{
	compile_diag *diag = user;
	if (level != YARA_ERROR_LEVEL_ERROR) {
		diag->warnings++; /* "slow rule" and the like: not our problem */
		return;
	}
	if (diag->failed)
		return;
	diag->failed = 1;
	diag->line = line > 0 ? (unsigned)line : 0;
	if (rule && rule->identifier)
		snprintf(diag->message, sizeof(diag->message), "rule \"%s\": %s", rule->identifier,
			 message ? message : "compile error");
	else
		snprintf(diag->message, sizeof(diag->message), "%s", message ? message : "compile error");
}

/*
 * A compiler with the externals declared ("" by default) and includes
 * disabled: a database is built only from the files it was given, so an
 * `include` is reported as an error of its file.
 */
static int new_compiler(YR_COMPILER **out)
{
	YR_COMPILER *c = NULL;
	int err = yr_compiler_create(&c);
	if (err != ERROR_SUCCESS)
		goto done;
	yr_compiler_set_include_callback(c, NULL, NULL, NULL);
	for (int i = 0; i < EXT_COUNT && err == ERROR_SUCCESS; i++)
		err = yr_compiler_define_string_variable(c, ext_names[i], "");
done:
	if (err != ERROR_SUCCESS) {
		if (c)
			yr_compiler_destroy(c);
		c = NULL;
	}
	*out = c;
	return err == ERROR_SUCCESS ? 0
				    : rq_fail(yr_error_code(err), "libyara: cannot create a compiler: %s",
					      yr_error_text(err));
}

/* Add one source; 0 when it compiled, 1 when it has errors (in *diag). */
static int compile_source(YR_COMPILER *c, compile_diag *diag, const rq_yara_input *in,
			  const char *ns)
{
	memset(diag, 0, sizeof(*diag));
	yr_compiler_set_callback(c, on_compile_message, diag);
	int errors = yr_compiler_add_string(c, (const char *)in->data, ns);
	if (errors && !diag->failed) {
		diag->failed = 1;
		snprintf(diag->message, sizeof(diag->message), "compile error");
	}
	return errors ? 1 : 0;
}

/* Whether `in` compiles on its own (a throwaway compiler: libyara's is spent by an error). */
static int validate_source(const rq_yara_input *in, const char *ns, compile_diag *diag,
			   int *bad)
{
	YR_COMPILER *c = NULL;
	int rc = new_compiler(&c);
	if (rc)
		return rc;
	*bad = compile_source(c, diag, in, ns);
	yr_compiler_destroy(c);
	return 0;
}

/* A namespace from the file name, unique among those already given. */
static const char *make_namespace(rq_yaradb *db, const char *name)
{
	const char *base = rq_basename(name);
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", base);
	for (unsigned n = 2;; n++) {
		int taken = 0;
		for (size_t i = 0; i < db->ns_count && !taken; i++)
			taken = !strcmp(db->ns[i].ns, buf);
		if (!taken)
			break;
		snprintf(buf, sizeof(buf), "%s#%u", base, n);
	}
	return rq_strpool_add(&db->pool, buf, strlen(buf));
}

/* --- .yarc: libyara reads the kept bytes through a memory stream --- */

typedef struct mem_stream {
	const uint8_t *data;
	size_t len, pos;
} mem_stream;

static size_t mem_read(void *ptr, size_t size, size_t count, void *user)
{
	mem_stream *m = user;
	if (!size)
		return 0;
	size_t items = (m->len - m->pos) / size;
	if (items > count)
		items = count;
	memcpy(ptr, m->data + m->pos, items * size);
	m->pos += items * size;
	return items;
}

static int load_compiled(rq_yaradb *db, rq_sigset *set, const rq_yara_input *in)
{
	mem_stream m = { in->data, in->len, 0 };
	YR_STREAM stream = { .user_data = &m, .read = mem_read, .write = NULL };
	YR_RULES *rules = NULL;
	int err = yr_rules_load_stream(&stream, &rules);
	if (err == ERROR_INSUFFICIENT_MEMORY)
		return rq_fail(RQ_ENOMEM, "%s: out of memory", in->name);
	if (err != ERROR_SUCCESS)
		return rq_sigset_warn(set, in->name, 0, yr_error_code(err) == RQ_EUNSUPPORTED, "%s",
				      yr_error_text(err));
	const char *source = rq_strpool_add(&db->pool, in->name, strlen(in->name));
	if (!source) {
		yr_rules_destroy(rules);
		return rq_fail(RQ_ENOMEM, "out of memory");
	}
	return add_part(db, rules, source);
}

/* --- sources: one compiler for all good files --- */

/*
 * Compile every source into one YR_RULES. Optimistic first: all files go
 * into one compiler. When a file fails, that compiler is spent, so it is
 * rebuilt from the files that already passed, and from then on every file
 * is first validated alone. A clean set is compiled once; a set with bad
 * files pays one extra compile per remaining file.
 */
static int compile_sources(rq_yaradb *db, rq_sigset *set)
{
	int rc = 0, validating = 0, bad = 0;
	YR_COMPILER *c = NULL;
	compile_diag diag, cdiag;
	size_t *good = NULL, good_count = 0, good_cap = 0;
	YR_RULES *rules = NULL;

	if ((rc = new_compiler(&c)))
		goto done;
	for (size_t i = 0; i < set->yara_count; i++) {
		const rq_yara_input *in = &set->yara[i];
		if (in->compiled)
			continue;
		const char *ns = make_namespace(db, in->name);
		const char *source = rq_strpool_add(&db->pool, in->name, strlen(in->name));
		if (!ns || !source) {
			rc = rq_fail(RQ_ENOMEM, "out of memory");
			goto done;
		}
		if (validating) {
			if ((rc = validate_source(in, ns, &diag, &bad)))
				goto done;
			if (bad) {
				if ((rc = rq_sigset_warn(set, in->name, diag.line, 0, "%s", diag.message)))
					goto done;
				continue;
			}
		}
		if (compile_source(c, &cdiag, in, ns)) {
			if (validating) {
				rc = rq_fail(RQ_ERROR, "%s:%u: compiles alone but not with the others: %s",
					     in->name, cdiag.line, cdiag.message);
				goto done;
			}
			if ((rc = rq_sigset_warn(set, in->name, cdiag.line, 0, "%s", cdiag.message)))
				goto done;
			validating = 1;
			yr_compiler_destroy(c);
			c = NULL;
			if ((rc = new_compiler(&c)))
				goto done;
			for (size_t g = 0; g < good_count; g++) {
				const rq_yara_input *prev = &set->yara[good[g]];
				if (compile_source(c, &cdiag, prev, db->ns[g].ns)) {
					rc = rq_fail(RQ_ERROR, "%s:%u: failed on second compile: %s",
						     prev->name, cdiag.line, cdiag.message);
					goto done;
				}
			}
			continue;
		}
		if ((rc = rq_grow((void **)&good, &good_cap, good_count + 1, sizeof(*good))) ||
		    (rc = rq_grow((void **)&db->ns, &db->ns_cap, db->ns_count + 1, sizeof(*db->ns))))
			goto done;
		good[good_count++] = i;
		db->ns[db->ns_count++] = (ns_source){ ns, source };
	}
	if (!good_count)
		goto done;
	int err = yr_compiler_get_rules(c, &rules);
	if (err != ERROR_SUCCESS) {
		rc = rq_fail(yr_error_code(err), "libyara: cannot finish the rules: %s",
			     yr_error_text(err));
		goto done;
	}
	rc = add_part(db, rules, NULL);
done:
	if (c)
		yr_compiler_destroy(c);
	free(good);
	if (db->ns_count)
		qsort(db->ns, db->ns_count, sizeof(*db->ns), cmp_ns);
	return rc;
}

static size_t count_rules(YR_RULES *rules)
{
	size_t n = 0;
	YR_RULE *rule;
	yr_rules_foreach(rules, rule)
	{
		if (!RULE_IS_PRIVATE(rule))
			n++;
	}
	return n;
}

int rq_yaradb_build(rq_yaradb **out, rq_sigset *set)
{
	int rc = 0;
	rq_yaradb *db = NULL;
	*out = NULL;
	if (!set->yara_count)
		goto done;
	if ((rc = yara_ready()))
		goto done;
	if (!(db = calloc(1, sizeof(*db)))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = compile_sources(db, set)))
		goto done;
	for (size_t i = 0; i < set->yara_count && !rc; i++)
		if (set->yara[i].compiled)
			rc = load_compiled(db, set, &set->yara[i]);
	if (rc)
		goto done;
	for (size_t i = 0; i < db->part_count; i++)
		db->rule_count += count_rules(db->parts[i].rules);
	if (db->part_count) {
		*out = db;
		db = NULL;
	}
done:
	rq_yaradb_free(db);
	return rc;
}

/* --- saved form (inside a .rqdb) ---
 * u32 ns_count, u32 part_count; per namespace: str ns, str source; per part:
 * u8 has_source, str source, u64 length, the bytes of yr_rules_save_stream.
 * A str is u32 length then the bytes.
 */

static size_t bin_write(const void *ptr, size_t size, size_t count, void *user)
{
	rq_binbuf *b = user;
	rq_bin_put(b, ptr, size * count);
	return b->no_mem ? 0 : count;
}

static void put_str(rq_binbuf *b, const char *str)
{
	size_t n = strlen(str ? str : "");
	rq_bin_u32(b, (uint32_t)n);
	rq_bin_put(b, str, n);
}

int rq_yaradb_save(const rq_yaradb *db, rq_binbuf *out)
{
	int rc = 0;
	rq_binbuf part = { 0 };
	rq_bin_u32(out, db ? (uint32_t)db->ns_count : 0);
	rq_bin_u32(out, db ? (uint32_t)db->part_count : 0);
	for (size_t i = 0; db && i < db->ns_count; i++) {
		put_str(out, db->ns[i].ns);
		put_str(out, db->ns[i].source);
	}
	for (size_t i = 0; db && i < db->part_count && !rc; i++) {
		part.len = 0;
		YR_STREAM stream = { .user_data = &part, .read = NULL, .write = bin_write };
		int err = yr_rules_save_stream(db->parts[i].rules, &stream);
		if (err != ERROR_SUCCESS || part.no_mem) {
			rc = rq_fail(RQ_ENOMEM, "libyara cannot save the rules: %s", yr_error_text(err));
			break;
		}
		rq_bin_u8(out, db->parts[i].source != NULL);
		put_str(out, db->parts[i].source);
		rq_bin_u64(out, part.len);
		rq_bin_put(out, part.p, part.len);
	}
	rq_bin_free(&part);
	if (!rc && out->no_mem)
		rc = rq_fail(RQ_ENOMEM, "out of memory");
	return rc;
}

static const char *get_str(rq_binreader *r, rq_strpool *pool)
{
	uint32_t n = rq_bin_get_u32(r);
	const uint8_t *p = rq_bin_take(r, n);
	if (!p || memchr(p, 0, n))
		return NULL;
	return rq_strpool_add(pool, (const char *)p, n);
}

int rq_yaradb_load(rq_yaradb **out, const uint8_t *data, size_t len)
{
	int rc = 0;
	rq_binreader r = rq_binreader_init(data, len);
	rq_yaradb *db = NULL;
	*out = NULL;
	uint32_t ns_count = rq_bin_get_u32(&r), part_count = rq_bin_get_u32(&r);
	if (r.bad || ns_count > len / 8 || part_count > len / 13) {
		rc = rq_fail(RQ_EPARSE, "YARA section: malformed");
		goto done;
	}
	if (!part_count)
		goto done;
	if ((rc = yara_ready()))
		goto done;
	if (!(db = calloc(1, sizeof(*db))) ||
	    (ns_count && !(db->ns = calloc(ns_count, sizeof(*db->ns))))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	for (uint32_t i = 0; i < ns_count; i++) {
		const char *ns = get_str(&r, &db->pool), *src = ns ? get_str(&r, &db->pool) : NULL;
		if (!ns || !src) {
			rc = rq_fail(r.bad ? RQ_EPARSE : RQ_ENOMEM, "YARA section: malformed namespace table");
			goto done;
		}
		db->ns[db->ns_count++] = (ns_source){ ns, src };
	}
	qsort(db->ns, db->ns_count, sizeof(*db->ns), cmp_ns);
	for (uint32_t i = 0; i < part_count; i++) {
		int has_source = rq_bin_get_u8(&r);
		const char *src = get_str(&r, &db->pool);
		uint64_t n = rq_bin_get_u64(&r);
		const uint8_t *bytes = src && n <= len ? rq_bin_take(&r, (size_t)n) : NULL;
		if (!bytes) {
			rc = rq_fail(RQ_EPARSE, "YARA section: malformed rules part %u", i);
			goto done;
		}
		mem_stream m = { bytes, (size_t)n, 0 };
		YR_STREAM stream = { .user_data = &m, .read = mem_read, .write = NULL };
		YR_RULES *rules = NULL;
		int err = yr_rules_load_stream(&stream, &rules);
		if (err != ERROR_SUCCESS) {
			rc = rq_fail(err == ERROR_INSUFFICIENT_MEMORY ? RQ_ENOMEM : RQ_EPARSE,
				     "YARA section: libyara refuses rules part %u: %s", i, yr_error_text(err));
			goto done;
		}
		if ((rc = add_part(db, rules, has_source ? src : NULL)))
			goto done;
		db->rule_count += count_rules(rules);
	}
	*out = db;
	db = NULL;
done:
	rq_yaradb_free(db);
	return rc;
}

void rq_yaradb_each(const rq_yaradb *db, void (*cb)(const char *rule, const char *source, void *payload),
		    void *payload)
{
	for (size_t i = 0; db && i < db->part_count; i++) {
		YR_RULE *rule;
		yr_rules_foreach(db->parts[i].rules, rule)
		{
			if (RULE_IS_PRIVATE(rule))
				continue;
			const char *src = db->parts[i].source;
			cb(rule->identifier, src ? src : source_of_ns(db, rule->ns->name), payload);
		}
	}
}

size_t rq_yaradb_rule_count(const rq_yaradb *db)
{
	return db ? db->rule_count : 0;
}

void rq_yaradb_free(rq_yaradb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->part_count; i++)
		yr_rules_destroy(db->parts[i].rules);
	free(db->parts);
	free(db->ns);
	rq_strpool_free(&db->pool);
	free(db);
}

/* --- per-thread scanning --- */

typedef struct scan_slot {
	YR_SCANNER *scanner;
	const yara_part *part;
	unsigned externals; /* bit i: ext_names[i] exists as a string in these rules */
} scan_slot;

struct rq_yarascan {
	const rq_yaradb *db;
	scan_slot *slots;
	size_t slot_count;
	/* the scan under way */
	const yara_part *part;
	rq_yara_match_cb cb;
	void *payload;
	int stopped;
	char *ext; /* lower-cased extension */
	size_t ext_cap;
};

static int on_scan_message(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
	rq_yarascan *scan = user;
	if (message == CALLBACK_MSG_RULE_MATCHING) {
		const YR_RULE *rule = data;
		const char *source = scan->part->source ? scan->part->source
							: source_of_ns(scan->db, rule->ns->name);
		if (scan->cb && scan->cb(rule->identifier, source, scan->payload)) {
			scan->stopped = 1;
			return CALLBACK_ABORT;
		}
	}
	/*
	 * CALLBACK_MSG_TOO_MANY_MATCHES: continuing makes libyara stop
	 * collecting that string's matches and finish the scan, so rules are
	 * still decided (with the count capped). Console-module output is dropped.
	 */
	return CALLBACK_CONTINUE;
}

int rq_yarascan_new(rq_yarascan **out, const rq_yaradb *db)
{
	int rc = 0;
	rq_yarascan *scan = NULL;
	*out = NULL;
	if (!db)
		goto done;
	if (!(scan = calloc(1, sizeof(*scan))) ||
	    !(scan->slots = calloc(db->part_count, sizeof(*scan->slots)))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	scan->db = db;
	for (size_t i = 0; i < db->part_count; i++) {
		scan_slot *slot = &scan->slots[i];
		int err = yr_scanner_create(db->parts[i].rules, &slot->scanner);
		if (err != ERROR_SUCCESS) {
			rc = rq_fail(yr_error_code(err), "libyara: cannot create a scanner: %s",
				     yr_error_text(err));
			goto done;
		}
		scan->slot_count++;
		slot->part = &db->parts[i];
		yr_scanner_set_callback(slot->scanner, on_scan_message, scan);
		yr_scanner_set_timeout(slot->scanner, RQ_YARA_SCAN_TIMEOUT);
		yr_scanner_set_flags(slot->scanner, SCAN_FLAGS_REPORT_RULES_MATCHING);
		/* A .yarc may lack some externals (or have them with another type). */
		for (int e = 0; e < EXT_COUNT; e++) {
			err = yr_scanner_define_string_variable(slot->scanner, ext_names[e], "");
			if (err == ERROR_SUCCESS)
				slot->externals |= 1u << e;
			else if (err == ERROR_INSUFFICIENT_MEMORY) {
				rc = rq_fail(RQ_ENOMEM, "out of memory");
				goto done;
			}
		}
	}
	*out = scan;
	scan = NULL;
done:
	rq_yarascan_free(scan);
	return rc;
}

void rq_yarascan_free(rq_yarascan *scan)
{
	if (!scan)
		return;
	for (size_t i = 0; i < scan->slot_count; i++)
		yr_scanner_destroy(scan->slots[i].scanner);
	free(scan->slots);
	free(scan->ext);
	free(scan);
}

/*
 * The `extension` external as signature-base's rules expect it (Loki
 * passes Python's os.path.splitext(path)[1].lower()): the dot included,
 * ASCII lower case, "" when the name has no dot other than leading ones.
 */
static int make_extension(rq_yarascan *scan, const char *base, const char **out)
{
	const char *dot = strrchr(base, '.');
	const char *p = base;
	while (*p == '.')
		p++;
	if (!dot || dot < p) {
		*out = "";
		return 0;
	}
	size_t len = strlen(dot);
	int rc = rq_grow((void **)&scan->ext, &scan->ext_cap, len + 1, 1);
	if (rc)
		return rc;
	for (size_t i = 0; i <= len; i++) {
		char c = dot[i];
		scan->ext[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	*out = scan->ext;
	return 0;
}

/*
 * The `filetype` external: Loki's magic-based names where they exist
 * ("EXE" for PE, "UNKNOWN" for unrecognised data), otherwise our type name
 * in upper case ("ELF", "MACHO", "TEXT", "ZIP", ...).
 */
static void make_filetype(const char *type, char out[32])
{
	if (!type || !*type || !strcasecmp(type, "data")) {
		snprintf(out, 32, "UNKNOWN");
		return;
	}
	if (!strcasecmp(type, "pe")) {
		snprintf(out, 32, "EXE");
		return;
	}
	size_t i = 0;
	for (; type[i] && i < 31; i++) {
		char c = type[i];
		out[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
	}
	out[i] = '\0';
}

static int set_externals(rq_yarascan *scan, const rq_yara_file *file)
{
	const char *path = file && file->path ? file->path : "";
	const char *base = rq_basename(path);
	const char *ext = "";
	char type[32];
	int rc = make_extension(scan, base, &ext);
	if (rc)
		return rc;
	make_filetype(file ? file->filetype : NULL, type);
	const char *values[EXT_COUNT] = {
		[EXT_FILENAME] = base,
		[EXT_FILEPATH] = path,
		[EXT_EXTENSION] = ext,
		[EXT_FILETYPE] = type,
		[EXT_OWNER] = file && file->owner ? file->owner : "",
	};
	for (size_t i = 0; i < scan->slot_count; i++) {
		scan_slot *slot = &scan->slots[i];
		for (int e = 0; e < EXT_COUNT; e++) {
			if (!(slot->externals & (1u << e)))
				continue;
			int err = yr_scanner_define_string_variable(slot->scanner, ext_names[e],
								    values[e]);
			if (err != ERROR_SUCCESS)
				return rq_fail(yr_error_code(err), "%s: YARA external '%s': %s", path,
					       ext_names[e], yr_error_text(err));
		}
	}
	return 0;
}

/*
 * Run every rule set on the data (fd < 0) or the file. A limit hit by one
 * rule set (timeout, too complex) does not stop the others; the first
 * error is returned after they ran. A stop asked by the callback is not an
 * error: the result is 0.
 */
static int run(rq_yarascan *scan, const uint8_t *data, size_t len, int fd,
	       const rq_yara_file *file, rq_yara_match_cb cb, void *payload)
{
	static const uint8_t empty[1];
	int rc = 0, first = 0;
	char first_message[512] = "";
	if (!scan)
		goto done;
	if ((rc = set_externals(scan, file)))
		goto done;
	scan->cb = cb;
	scan->payload = payload;
	scan->stopped = 0;
	for (size_t i = 0; i < scan->slot_count && !scan->stopped; i++) {
		scan_slot *slot = &scan->slots[i];
		scan->part = slot->part;
		int err = fd >= 0 ? yr_scanner_scan_fd(slot->scanner, fd)
				  : yr_scanner_scan_mem(slot->scanner, len ? data : empty, len);
		if (err == ERROR_SUCCESS)
			continue;
		const char *where = file && file->path ? file->path : "(buffer)";
		int code = yr_error_code(err);
		const char *rules = slot->part->source ? slot->part->source : "YARA sources";
		if (err == ERROR_SCAN_TIMEOUT)
			code = rq_fail(code, "%s: YARA scan timed out after %d s (rules of %s)", where,
				       RQ_YARA_SCAN_TIMEOUT, rules);
		else
			code = rq_fail(code, "%s: YARA scan failed: %s (rules of %s)", where,
				       yr_error_text(err), rules);
		if (!first) {
			first = code;
			snprintf(first_message, sizeof(first_message), "%s", rq_error_last());
		}
		if (code != RQ_ELIMIT)
			break;
	}
	rc = first ? rq_fail(first, "%s", first_message) : 0;
done:
	if (scan) {
		scan->cb = NULL;
		scan->payload = NULL;
		scan->part = NULL;
	}
	return rc;
}

int rq_yarascan_buffer(rq_yarascan *scan, const uint8_t *data, size_t len,
		       const rq_yara_file *file, rq_yara_match_cb cb, void *payload)
{
	return run(scan, data, len, -1, file, cb, payload);
}

int rq_yarascan_fd(rq_yarascan *scan, int fd, const rq_yara_file *file,
		   rq_yara_match_cb cb, void *payload)
{
	if (fd < 0)
		return rq_fail(RQ_EINVAL, "rq_yarascan_fd: bad descriptor %d", fd);
	return run(scan, NULL, 0, fd, file, cb, payload);
}
