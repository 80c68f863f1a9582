/*
 * Scanning one file or buffer: one read pass feeding the digests that some
 * hash signature of that size needs and the streaming body matcher, then
 * hash look-ups, YARA, and archive members scanned recursively under the
 * limits. Findings of members are reported on the top-level file with their
 * path inside it. Flow: docs/architecture.md, "Scan".
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/util.h"
#include "match/filetype.h"
#include "raquet/scanner.h"
#include "scan/archive.h"
#include "scan/digest.h"
#include "scan/engine_impl.h"

/* Internal: a member callback's way to end iteration without an error. */
#define STOP_ITERATION 1

struct rq_scanner {
	const rq_engine *engine;
	rq_scan_options opts;
	rq_bodyscan **body;   /* one per pack of the engine */
	rq_yarascan **yara;   /* one per pack; NULL for packs without libyara rules */
	size_t packs;
	int any_yara;
	rq_digests *digests;
	uint8_t *chunk; /* RQ_READ_CHUNK bytes */

	/* state of the current top-level scan */
	rq_finding findings[RQ_MAX_FINDINGS];
	size_t finding_count;
	size_t object_first_finding; /* findings of the object being scanned start here */
	rq_strpool strings;   /* member paths named by findings */
	char member_path[RQ_MAX_MEMBER_PATH];
	size_t member_len;
	unsigned depth;
	uint64_t budget;      /* bytes left under max_scansize */
	unsigned members;     /* members scanned so far (max_files) */
	uint64_t bytes_scanned;
	int stop;             /* a detection was made and all_matches is off */
	int limit_files_noted;
	char sha256_hex[65];
	int have_sha256;
	rq_filetype top_type;
	const char *top_path;
	int top_fd;           /* the descriptor being scanned, -1 for buffers */
	const char *owner;
	rq_archive_buf **bufs; /* one per nesting level; each stays put while deeper levels are added */
	size_t buf_count;

	uid_t owner_uid;      /* one-entry cache for YARA's `owner` */
	int owner_cached;
	char owner_name[64];
};

/* One thing to scan: an open file (fd >= 0) or bytes in memory. */
typedef struct object {
	int fd;
	const uint8_t *data;
	uint64_t size;
	const char *name; /* path of the file or member name, for YARA and stream members */
} object;

static int scan_object(rq_scanner *s, const object *o);

int rq_scanner_new(rq_scanner **out, const rq_engine *engine, const rq_scan_options *opts)
{
	*out = NULL;
	if (!engine || !engine->compiled)
		return rq_fail(RQ_EINVAL, "the engine is not compiled");
	int rc = 0;
	rq_scanner *s = calloc(1, sizeof(*s));
	if (!s)
		return rq_fail(RQ_ENOMEM, "out of memory");
	s->engine = engine;
	if (opts)
		s->opts = *opts;
	else
		rq_scan_options_default(&s->opts);
	s->chunk = malloc(RQ_READ_CHUNK);
	if (!s->chunk) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	s->packs = engine->pack_count;
	if (!(s->body = calloc(s->packs, sizeof(*s->body))) ||
	    !(s->yara = calloc(s->packs, sizeof(*s->yara)))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = rq_digests_new(&s->digests)))
		goto done;
	for (size_t i = 0; i < s->packs; i++) {
		const rq_pack *p = &engine->packs[i];
		if ((rc = rq_bodyscan_new(&s->body[i], p->bodies)) ||
		    (p->yara && (rc = rq_yarascan_new(&s->yara[i], p->yara))))
			goto done;
		s->any_yara |= p->yara != NULL;
	}
	*out = s;
	s = NULL;
done:
	rq_scanner_free(s);
	return rc;
}

void rq_scanner_free(rq_scanner *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->packs; i++) {
		if (s->body)
			rq_bodyscan_free(s->body[i]);
		if (s->yara)
			rq_yarascan_free(s->yara[i]);
	}
	free(s->body);
	free(s->yara);
	rq_digests_free(s->digests);
	for (size_t i = 0; i < s->buf_count; i++) {
		rq_archive_buf_free(s->bufs[i]);
		free(s->bufs[i]);
	}
	free(s->bufs);
	rq_strpool_free(&s->strings);
	free(s->chunk);
	free(s);
}

/* --- findings --- */

/* Whether `name` was already found in the object being scanned (same member path). */
static int seen_here(const rq_scanner *s, const char *name)
{
	for (size_t i = s->object_first_finding; i < s->finding_count; i++)
		if (s->findings[i].kind == RQ_FINDING_DETECTION && !strcmp(s->findings[i].name, name))
			return 1;
	return 0;
}

static void add_finding(rq_scanner *s, rq_finding_kind kind, const char *name,
			rq_sig_type type, const char *source)
{
	if (s->finding_count >= RQ_MAX_FINDINGS)
		return;
	if (kind == RQ_FINDING_DETECTION && seen_here(s, name))
		return; /* the same signature name through another digest or matcher */
	if (kind == RQ_FINDING_DETECTION && s->packs > 1 && rq_engine_ignores(s->engine, name))
		return; /* named by another database's ignore list (e.g. daily.ign2 for main) */
	const char *member = NULL;
	if (s->depth > 0) {
		member = rq_strpool_add(&s->strings, s->member_path, s->member_len);
		if (!member)
			member = "?"; /* out of memory: keep the finding, lose its place */
	}
	s->findings[s->finding_count++] = (rq_finding){ kind, name, type, source, member };
	if (kind == RQ_FINDING_DETECTION && !s->opts.all_matches)
		s->stop = 1;
}

static void add_detection(rq_scanner *s, const char *name, rq_sig_type type, const char *source)
{
	add_finding(s, RQ_FINDING_DETECTION, name, type, source);
}

static void add_limit(rq_scanner *s, const char *name)
{
	add_finding(s, RQ_FINDING_LIMIT, name, RQ_SIG_HEURISTIC, NULL);
}

/* --- one object --- */

static unsigned digests_needed(const rq_scanner *s, uint64_t size)
{
	unsigned need = 0;
	for (size_t i = 0; i < s->packs; i++)
		need |= rq_hashidx_needs(s->engine->packs[i].hashes, size) |
			rq_hashidx_needs(s->engine->packs[i].allow, size);
	if (s->depth == 0 && s->opts.want_sha256)
		need |= RQ_DIGEST_SHA256;
	return need;
}

/* Read up to `want` bytes at `off` of a file into s->chunk; *got 0 at EOF. */
static int read_at(rq_scanner *s, const object *o, uint64_t off, size_t want, size_t *got)
{
	size_t have = 0;
	while (have < want) {
		ssize_t n = pread(o->fd, s->chunk + have, want - have, (off_t)(off + have));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rq_fail_errno(RQ_EIO, errno, "%s: read failed", s->top_path);
		if (n == 0)
			break; /* the file shrank while being scanned */
		have += (size_t)n;
	}
	*got = have;
	return 0;
}

static const char *owner_of(rq_scanner *s, int fd)
{
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return "";
	if (!s->owner_cached || s->owner_uid != st.st_uid) {
		struct passwd pw, *res = NULL;
		char buf[1024];
		s->owner_name[0] = '\0';
		if (getpwuid_r(st.st_uid, &pw, buf, sizeof(buf), &res) == 0 && res)
			snprintf(s->owner_name, sizeof(s->owner_name), "%s", res->pw_name);
		s->owner_uid = st.st_uid;
		s->owner_cached = 1;
	}
	return s->owner_name;
}

static int on_yara_match(const char *rule, const char *source, void *payload)
{
	rq_scanner *s = payload;
	if (rq_engine_ignores(s->engine, rule))
		return 0;
	add_detection(s, rule, RQ_SIG_YARA, source);
	return s->stop;
}

static int run_yara(rq_scanner *s, rq_yarascan *ys, const object *o, rq_filetype type,
		    const uint8_t *mem, size_t len)
{
	char upper[16];
	const char *tname = type == RQ_FT_PE ? "EXE" : rq_filetype_name(type);
	size_t i = 0;
	for (; tname[i] && i + 1 < sizeof(upper); i++)
		upper[i] = (char)(tname[i] >= 'a' && tname[i] <= 'z' ? tname[i] - 32 : tname[i]);
	upper[i] = '\0';
	rq_yara_file file = { .path = o->name, .filetype = upper, .owner = s->owner };
	if (mem)
		return rq_yarascan_buffer(ys, mem, len, &file, on_yara_match, s);
	return rq_yarascan_fd(ys, o->fd, &file, on_yara_match, s);
}

/* Hash look-ups after the read pass; returns 1 if the object is allow-listed. */
static int check_hashes(rq_scanner *s, uint64_t size)
{
	static const unsigned kinds[] = { RQ_DIGEST_MD5, RQ_DIGEST_SHA1, RQ_DIGEST_SHA256 };
	for (size_t p = 0; p < s->packs; p++) {
		for (int i = 0; i < 3; i++) {
			const uint8_t *d = rq_digests_get(s->digests, kinds[i]);
			if (d && rq_hashidx_find(s->engine->packs[p].allow, kinds[i], d, size, NULL))
				return 1;
		}
	}
	for (size_t p = 0; p < s->packs && !s->stop; p++) {
		for (int i = 0; i < 3 && !s->stop; i++) {
			const uint8_t *d = rq_digests_get(s->digests, kinds[i]);
			rq_hashhit hit;
			if (d && rq_hashidx_find(s->engine->packs[p].hashes, kinds[i], d, size, &hit)) {
				/* the name is rebuilt in `hit`: keep a copy for the result */
				const char *name = rq_strpool_add(&s->strings, hit.name, strlen(hit.name));
				add_detection(s, name ? name : "?", (rq_sig_type)hit.sig_type, hit.source);
			}
		}
	}
	return 0;
}

static const char *encrypted_name(rq_filetype type)
{
	switch (type) {
	case RQ_FT_ZIP: return "Heuristics.Encrypted.Zip";
	case RQ_FT_RAR: return "Heuristics.Encrypted.RAR";
	case RQ_FT_7Z: return "Heuristics.Encrypted.7Zip";
	default: return "Heuristics.Encrypted.Archive";
	}
}

typedef struct member_ctx {
	rq_scanner *s;
	rq_filetype archive_type;
	int error;
} member_ctx;

static int push_member(rq_scanner *s, const char *name, size_t *saved)
{
	*saved = s->member_len;
	size_t n = strlen(name);
	size_t sep = s->member_len ? 2 : 0;
	if (s->member_len + sep + n >= sizeof(s->member_path))
		n = sizeof(s->member_path) - 1 - s->member_len - sep; /* cut very long names */
	if (sep)
		memcpy(s->member_path + s->member_len, "//", 2);
	memcpy(s->member_path + s->member_len + sep, name, n);
	s->member_len += sep + n;
	s->member_path[s->member_len] = '\0';
	return 0;
}

static int on_member(const rq_member *m, void *payload)
{
	member_ctx *mc = payload;
	rq_scanner *s = mc->s;
	const rq_scan_limits *lim = &s->opts.limits;
	size_t saved;
	if (lim->max_files && s->members >= lim->max_files) {
		if (!s->limit_files_noted) {
			add_limit(s, "Heuristics.Limits.Exceeded.MaxFiles");
			s->limit_files_noted = 1;
		}
		return STOP_ITERATION;
	}
	s->members++;
	push_member(s, m->name, &saved);
	s->depth++;
	int rc = 0;
	switch (m->problem) {
	case RQ_MEMBER_TOO_LARGE:
		add_limit(s, s->budget == 0 || (lim->max_filesize && s->budget < lim->max_filesize)
				     ? "Heuristics.Limits.Exceeded.MaxScanSize"
				     : "Heuristics.Limits.Exceeded.MaxFileSize");
		break;
	case RQ_MEMBER_RATIO:
		add_limit(s, "Heuristics.Limits.Exceeded.CompressionRatio");
		break;
	case RQ_MEMBER_ENCRYPTED:
		add_finding(s, RQ_FINDING_ENCRYPTED, encrypted_name(mc->archive_type),
			    RQ_SIG_HEURISTIC, NULL);
		break;
	case RQ_MEMBER_OK: {
		s->budget -= m->len < s->budget ? m->len : s->budget;
		object child = { .fd = -1, .data = m->data, .size = m->len, .name = m->name };
		rc = scan_object(s, &child);
		break;
	}
	}
	s->depth--;
	s->member_len = saved;
	s->member_path[saved] = '\0';
	if (rc < 0) {
		mc->error = rc;
		return rc;
	}
	return s->stop ? STOP_ITERATION : 0;
}

static int scan_members(rq_scanner *s, const object *o, rq_filetype type)
{
	const rq_scan_limits *lim = &s->opts.limits;
	if (lim->max_recursion && s->depth + 1 > lim->max_recursion) {
		add_limit(s, "Heuristics.Limits.Exceeded.MaxRecursion");
		return 0;
	}
	while (s->buf_count <= s->depth) {
		rq_archive_buf **nb = realloc(s->bufs, (s->buf_count + 1) * sizeof(*nb));
		if (!nb)
			return rq_fail(RQ_ENOMEM, "out of memory");
		s->bufs = nb;
		if (!(nb[s->buf_count] = calloc(1, sizeof(**nb))))
			return rq_fail(RQ_ENOMEM, "out of memory");
		s->buf_count++;
	}
	member_ctx mc = { s, type, 0 };
	int rc = rq_archive_each(s->bufs[s->depth], o->fd, o->fd >= 0 ? NULL : o->data,
				 (size_t)o->size, o->name,
				 type == RQ_FT_GZIP || type == RQ_FT_BZIP2 || type == RQ_FT_XZ, lim, s->budget, on_member, &mc);
	if (mc.error)
		return mc.error;
	return rc == STOP_ITERATION ? 0 : rc;
}

/* Start a body stream in every pack. */
static int begin_bodies(rq_scanner *s, uint64_t size, rq_filetype type)
{
	int rc = 0;
	for (size_t i = 0; i < s->packs && !rc; i++)
		rc = rq_bodyscan_begin(s->body[i], size, type, s->opts.all_matches);
	return rc;
}

/*
 * Feed every pack. A pack answers "done" only after a match with all_matches
 * off: the verdict is then decided and no pack needs more (*decided).
 */
static int feed_bodies(rq_scanner *s, const uint8_t *p, size_t n, int *decided)
{
	for (size_t i = 0; i < s->packs; i++) {
		int rc = rq_bodyscan_feed(s->body[i], p, n);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			*decided = 1;
			break;
		}
	}
	return 0;
}

/*
 * The read pass over one object: digests and body matcher fed chunk by
 * chunk. Sets *type from the first bytes and *scanned to the bytes read.
 */
static int read_pass(rq_scanner *s, const object *o, uint64_t scan_len, unsigned need,
		     rq_filetype *type, uint64_t *scanned)
{
	int rc = 0;
	unsigned allow_need = 0;
	for (size_t i = 0; i < s->packs; i++)
		allow_need |= rq_hashidx_needs(s->engine->packs[i].allow, o->size);
	int body_done = 0;
	uint64_t off = 0;
	if ((rc = rq_digests_begin(s->digests, need)))
		return rc;
	while (off < scan_len) {
		size_t want = scan_len - off < RQ_READ_CHUNK ? (size_t)(scan_len - off) : RQ_READ_CHUNK;
		const uint8_t *p;
		size_t got = 0;
		if (o->fd >= 0) {
			if ((rc = read_at(s, o, off, want, &got)))
				return rc;
			p = s->chunk;
		} else {
			p = o->data + off;
			got = want;
		}
		if (got == 0)
			break; /* the file shrank to nothing: begun below as empty */
		if (off == 0) {
			*type = rq_filetype_sniff(p, got < RQ_SNIFF_LEN ? got : RQ_SNIFF_LEN);
			if ((rc = begin_bodies(s, o->size, *type)))
				return rc;
		}
		if ((rc = rq_digests_update(s->digests, p, got)))
			return rc;
		if (!body_done && (rc = feed_bodies(s, p, got, &body_done)))
			return rc;
		off += got;
		/* once a body signature decided, only an allow-list can change the verdict */
		if (body_done && !s->opts.all_matches && !allow_need &&
		    !(s->depth == 0 && s->opts.want_sha256))
			break;
	}
	if (off == 0) { /* empty object: the matchers still see a (zero-length) stream */
		*type = RQ_FT_DATA;
		if ((rc = begin_bodies(s, 0, *type)))
			return rc;
	}
	*scanned = off;
	for (size_t i = 0; i < s->packs; i++)
		if ((rc = rq_bodyscan_end(s->body[i])))
			return rc;
	return rq_digests_end(s->digests);
}

static int scan_object(rq_scanner *s, const object *o)
{
	int rc = 0;
	const rq_scan_limits *lim = &s->opts.limits;
	if (lim->max_filesize && o->size > lim->max_filesize) {
		add_limit(s, "Heuristics.Limits.Exceeded.MaxFileSize");
		return 0;
	}
	uint64_t scan_len = o->size;
	if (s->depth == 0 && scan_len > s->budget) {
		scan_len = s->budget;
		add_limit(s, "Heuristics.Limits.Exceeded.MaxScanSize");
	}
	if (s->depth == 0)
		s->budget -= scan_len;

	size_t first_finding = s->finding_count;
	s->object_first_finding = first_finding;
	rq_filetype type = RQ_FT_DATA;
	uint64_t scanned = 0;
	if ((rc = read_pass(s, o, scan_len, digests_needed(s, o->size), &type, &scanned)))
		return rc;
	s->bytes_scanned += scanned;
	if (s->depth == 0) {
		s->top_type = type;
		const uint8_t *sha = rq_digests_get(s->digests, RQ_DIGEST_SHA256);
		if (sha && scanned == o->size) {
			rq_hex_encode(s->sha256_hex, sha, 32);
			s->have_sha256 = 1;
		}
	}

	for (size_t p = 0; p < s->packs && !s->stop; p++) {
		const rq_bodysig *const *matches;
		size_t n = rq_bodyscan_matches(s->body[p], &matches);
		for (size_t i = 0; i < n && !s->stop; i++)
			add_detection(s, matches[i]->name,
				      matches[i]->from_yara ? RQ_SIG_YARA : RQ_SIG_BODY, matches[i]->source);
	}

	/* digests of a read cut short (a decided body match, a scan budget, a
	 * file that shrank) are of a prefix: no hash may be looked up with them */
	if (scanned == o->size && check_hashes(s, scanned)) {
		/* allow-listed: nothing found in this object counts, and its members are trusted */
		s->finding_count = first_finding;
		s->stop = 0;
		return 0;
	}
	for (size_t p = 0; p < s->packs && !s->stop; p++) {
		if (s->yara[p] &&
		    (rc = run_yara(s, s->yara[p], o, type, o->fd >= 0 ? NULL : o->data, (size_t)scan_len)))
			return rc;
	}
	if (s->opts.scan_archives && rq_filetype_is_archive(type) && !s->stop)
		rc = scan_members(s, o, type);
	return rc;
}

/* --- entry points --- */

static void begin_top(rq_scanner *s, const char *path)
{
	s->finding_count = 0;
	rq_strpool_free(&s->strings);
	s->member_len = 0;
	s->member_path[0] = '\0';
	s->depth = 0;
	s->members = 0;
	s->bytes_scanned = 0;
	s->stop = 0;
	s->limit_files_noted = 0;
	s->have_sha256 = 0;
	s->top_type = RQ_FT_DATA;
	s->top_path = path ? path : "";
	s->top_fd = -1;
	s->owner = "";
	s->budget = s->opts.limits.max_scansize ? s->opts.limits.max_scansize : UINT64_MAX;
}

static int deliver(rq_scanner *s, uint64_t size, int error, rq_result_cb cb, void *payload)
{
	rq_result r = {
		.path = s->top_path,
		.size = size,
		.bytes_scanned = s->bytes_scanned,
		.sha256 = s->have_sha256 ? s->sha256_hex : NULL,
		.file_type = rq_filetype_name(s->top_type),
		.infected = 0,
		.findings = s->findings,
		.finding_count = s->finding_count,
		.error = error,
		.error_message = error ? rq_error_last() : NULL,
		.fd = s->top_fd,
	};
	for (size_t i = 0; i < s->finding_count; i++)
		if (s->findings[i].kind == RQ_FINDING_DETECTION)
			r.infected = 1;
	int stop = cb ? cb(&r, payload) : 0;
	rq_strpool_free(&s->strings);
	if (error)
		return error;
	return stop ? RQ_ESTOPPED : 0;
}

int rq_scanner_scan_buffer(rq_scanner *s, const void *data, size_t len, const char *path,
			   rq_result_cb cb, void *payload)
{
	if (!s || (!data && len))
		return rq_fail(RQ_EINVAL, "bad arguments to rq_scanner_scan_buffer");
	begin_top(s, path);
	object o = { .fd = -1, .data = data ? data : (const uint8_t *)"", .size = len, .name = s->top_path };
	int rc = scan_object(s, &o);
	return deliver(s, len, rc, cb, payload);
}

/* Non-seekable input (pipe, socket): read it whole, within max_filesize. */
static int slurp(rq_scanner *s, int fd, uint8_t **out, size_t *out_len)
{
	uint64_t max = s->opts.limits.max_filesize ? s->opts.limits.max_filesize : UINT64_MAX;
	size_t len = 0, cap = 0;
	uint8_t *buf = NULL;
	int rc = 0;
	for (;;) {
		if ((rc = rq_grow((void **)&buf, &cap, len + RQ_READ_CHUNK, 1)))
			break;
		ssize_t n = read(fd, buf + len, RQ_READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = rq_fail_errno(RQ_EIO, errno, "%s: read failed", s->top_path);
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) { /* scanned up to the limit; the rest is reported as unscanned */
			len = (size_t)max;
			add_limit(s, "Heuristics.Limits.Exceeded.MaxFileSize");
			break;
		}
	}
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int rq_scanner_scan_fd(rq_scanner *s, int fd, const char *path, rq_result_cb cb, void *payload)
{
	if (!s || fd < 0)
		return rq_fail(RQ_EINVAL, "bad arguments to rq_scanner_scan_fd");
	begin_top(s, path);
	s->top_fd = fd;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot stat", s->top_path);
		return deliver(s, 0, rc, cb, payload);
	}
	if (s->any_yara)
		s->owner = owner_of(s, fd);
	if (!S_ISREG(st.st_mode)) {
		uint8_t *data = NULL;
		size_t len = 0;
		int rc = slurp(s, fd, &data, &len);
		if (!rc) {
			object o = { .fd = -1, .data = data ? data : (const uint8_t *)"", .size = len,
				     .name = s->top_path };
			rc = scan_object(s, &o);
		}
		rc = deliver(s, len, rc, cb, payload);
		free(data);
		return rc;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	object o = { .fd = fd, .data = NULL, .size = (uint64_t)st.st_size, .name = s->top_path };
	int rc = scan_object(s, &o);
	return deliver(s, (uint64_t)st.st_size, rc, cb, payload);
}
