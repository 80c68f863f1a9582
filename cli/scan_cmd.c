/*
 * `raquet scan`: turns the parsed options into an engine (signature
 * loading with clamscan-style warnings) and a walk over the paths, prints
 * each result through the text or JSON output under one output lock shared
 * with the progress line, and computes clamscan's exit status.
 */
#include "scan_cmd.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "progress.h"
#include "scan_actions.h"
#include "scan_conns.h"
#include "scan_options.h"
#include "scan_persist.h"
#include "scan_procs.h"
#include "scan_quick.h"
#include "vault_path.h"

#ifndef RAQUET_DEFAULT_DB
#define RAQUET_DEFAULT_DB "/var/lib/raquet/sigs"
#endif

/* Longest line of a --file-list (a path; PATH_MAX is far below). */
#define FILE_LIST_MAX_LINE (1024 * 1024)
/* Detection names given to the vault per file (the vault keeps at most 256). */
#define QUARANTINE_MAX_NAMES 256

typedef struct scan_ctx {
	const scan_config *cfg;
	pthread_mutex_t out_lock;
	progress prog;
	uint64_t files_ok, infected, limits, encrypted, errors; /* under out_lock */
	uint64_t quarantined, removed, moved, copied;          /* under out_lock */
	rq_walk_stats stats;
	rq_vault *vault;      /* --action=quarantine; used by one callback at a time */
	int stdin_given;      /* "-" is among the paths (-1: and fstat failed) */
	struct stat stdin_st; /* what standard input was, to recognise its result */
} scan_ctx;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int on_load_warning(const char *file, unsigned line, const char *message, void *payload)
{
	const scan_config *cfg = payload;
	if (cfg->quiet || cfg->strict) /* strict: the load error says it */
		return 0;
	if (line)
		fprintf(stderr, "LibRaquet warning: %s:%u: %s\n", file, line, message);
	else
		fprintf(stderr, "LibRaquet warning: %s: %s\n", file, message);
	return 0;
}

static int load_signatures(rq_engine **out, const scan_config *cfg)
{
	rq_engine_options eo = { .strict = cfg->strict, .on_warning = on_load_warning,
				 .warning_payload = (void *)cfg, .trusted_keys = cfg->trusted_keys,
				 .allow_unsigned = cfg->allow_unsigned };
	rq_engine *engine = NULL;
	int rc = rq_engine_new(&engine, &eo);
	const char *env = getenv("RAQUET_DB");
	struct stat st;
	for (size_t i = 0; rc == 0 && i < cfg->databases.n; i++)
		rc = rq_engine_load_path(engine, cfg->databases.v[i]);
	if (rc == 0 && cfg->databases.n == 0) {
		if (env && *env)
			rc = rq_engine_load_path(engine, env);
		else if (stat(RAQUET_DEFAULT_DB, &st) == 0 && S_ISDIR(st.st_mode))
			rc = rq_engine_load_path(engine, RAQUET_DEFAULT_DB);
	}
	if (rc == 0)
		rc = rq_engine_compile(engine);
	if (rc) {
		fprintf(stderr, "ERROR: %s\n", *rq_error_last() ? rq_error_last() : rq_error_name(rc));
		rq_engine_free(engine);
		engine = NULL;
	}
	*out = engine;
	return rc;
}

/* Append the paths of a list file ('\n'- or NUL-separated; "-" is stdin). */
static int read_file_list(strlist *paths, const char *name, int sep, char ***owned, size_t *owned_n)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "rb") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;
	if (!f) {
		fprintf(stderr, "ERROR: --file-list %s: %s\n", name, strerror(errno));
		return -1;
	}
	while ((len = getdelim(&line, &cap, sep, f)) > 0) {
		if (line[len - 1] == sep)
			line[--len] = '\0';
		if (sep == '\n' && len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (len > FILE_LIST_MAX_LINE) {
			fprintf(stderr, "ERROR: --file-list %s: line too long\n", name);
			rc = -1;
			break;
		}
		char *copy = strdup(line);
		char **grown = realloc(*owned, (*owned_n + 1) * sizeof(**owned));
		if (!copy || !grown || strlist_add(paths, copy)) {
			free(copy);
			if (grown)
				*owned = grown;
			fprintf(stderr, "ERROR: --file-list %s: out of memory\n", name);
			rc = -1;
			break;
		}
		*owned = grown;
		(*owned)[(*owned_n)++] = copy;
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "ERROR: --file-list %s: %s\n", name, strerror(errno));
		rc = -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* The result of "-": standard input, which is no file to act on. */
static int from_stdin(const scan_ctx *ctx, const rq_result *r)
{
	struct stat st;
	if (!ctx->stdin_given || strcmp(r->path, "stdin") != 0)
		return 0;
	return ctx->stdin_given < 0 || fstat(r->fd, &st) != 0 ||
	       (st.st_dev == ctx->stdin_st.st_dev && st.st_ino == ctx->stdin_st.st_ino);
}

/* A vault message without the absolute path it starts with ("/x/y: reason"). */
static const char *without_path(const char *message, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *sep = strstr(message, ": ");
	size_t n = strlen(base);
	if (message[0] == '/' && sep && (size_t)(sep - message) > n &&
	    !strncmp(sep - n, base, n) && sep[-(ptrdiff_t)n - 1] == '/')
		return sep + 2;
	return output_error_text(path, message);
}

static void quarantine(scan_ctx *ctx, const rq_result *r, scan_outcome *out)
{
	const char *names[QUARANTINE_MAX_NAMES];
	size_t n = 0;
	for (size_t i = 0; i < r->finding_count && n < QUARANTINE_MAX_NAMES; i++) {
		const rq_finding *f = &r->findings[i];
		int seen = 0;
		if (!finding_alerts(ctx->cfg, f))
			continue;
		for (size_t k = 0; k < n && !seen; k++)
			seen = !strcmp(names[k], f->name);
		if (!seen)
			names[n++] = f->name;
	}
	int rc = rq_vault_quarantine_fd(ctx->vault, r->fd, r->path, names, n, out->id);
	out->ok = rc == 0;
	if (rc != 0)
		snprintf(out->error, sizeof(out->error), "%s",
			 without_path(*rq_error_last() ? rq_error_last() : rq_error_name(rc), r->path));
}

/* Carry out the chosen action on a file reported as FOUND. */
static void act(scan_ctx *ctx, const rq_result *r, scan_outcome *out)
{
	const scan_config *cfg = ctx->cfg;
	out->kind = cfg->action;
	if (r->fd < 0 || from_stdin(ctx, r)) {
		snprintf(out->error, sizeof(out->error), "standard input is not a file to act on");
		return;
	}
	switch (cfg->action) {
	case ACTION_QUARANTINE:
		quarantine(ctx, r, out);
		break;
	case ACTION_REMOVE:
		out->ok = scan_action_remove(r->fd, r->path, out->error, sizeof(out->error)) == 0;
		break;
	case ACTION_MOVE:
	case ACTION_COPY:
		out->ok = scan_action_copy(r->fd, r->path, cfg->action_dir, cfg->action == ACTION_MOVE,
					   &out->dest, out->error, sizeof(out->error)) == 0;
		break;
	case ACTION_REPORT:
		break;
	}
}

static int on_result(const rq_result *r, void *payload)
{
	scan_ctx *ctx = payload;
	const scan_config *cfg = ctx->cfg;
	int alerts = 0, limits = 0, encrypted = 0;
	for (size_t i = 0; i < r->finding_count; i++) {
		const rq_finding *f = &r->findings[i];
		if (finding_alerts(cfg, f))
			alerts = 1;
		else if (f->kind == RQ_FINDING_LIMIT)
			limits = 1;
		else if (f->kind == RQ_FINDING_ENCRYPTED)
			encrypted = 1;
	}
	/* Callbacks are serialised, so the action runs outside the output lock
	 * (the progress line goes on) and its line follows the file's own. */
	scan_outcome outcome;
	memset(&outcome, 0, sizeof(outcome));
	if (alerts && cfg->action != ACTION_REPORT)
		act(ctx, r, &outcome);
	pthread_mutex_lock(&ctx->out_lock);
	progress_clear(&ctx->prog);
	ctx->infected += (uint64_t)alerts;
	ctx->limits += (uint64_t)limits;
	ctx->encrypted += (uint64_t)encrypted;
	if (r->error)
		ctx->errors++;
	else
		ctx->files_ok++;
	if (outcome.kind != ACTION_REPORT && !outcome.ok)
		ctx->errors++;
	if (outcome.ok) {
		switch (outcome.kind) {
		case ACTION_QUARANTINE: ctx->quarantined++; break;
		case ACTION_REMOVE: ctx->removed++; break;
		case ACTION_MOVE: ctx->moved++; break;
		case ACTION_COPY: ctx->copied++; break;
		case ACTION_REPORT: break;
		}
	}
	if (cfg->json) {
		json_result(stdout, cfg, r, &outcome);
	} else {
		text_result(stdout, cfg, r);
		text_action(stdout, cfg, r->path, &outcome);
	}
	if (ctx->prog.running)
		fflush(stdout);
	pthread_mutex_unlock(&ctx->out_lock);
	scan_outcome_clear(&outcome);
	return interrupted;
}

static void on_walk_error(const char *path, int code, const char *message, void *payload)
{
	scan_ctx *ctx = payload;
	(void)code;
	pthread_mutex_lock(&ctx->out_lock);
	progress_clear(&ctx->prog);
	ctx->errors++;
	if (ctx->cfg->json)
		json_error(stdout, ctx->cfg, path, message);
	else
		text_error(stdout, ctx->cfg, path, message);
	if (ctx->prog.running)
		fflush(stdout);
	pthread_mutex_unlock(&ctx->out_lock);
}

/* Check the --move/--copy folder, open the vault, note what "-" is. */
static int prepare_action(scan_ctx *ctx, const scan_config *cfg)
{
	struct stat st;
	for (size_t i = 0; i < cfg->paths.n; i++)
		if (!strcmp(cfg->paths.v[i], "-"))
			ctx->stdin_given = fstat(STDIN_FILENO, &ctx->stdin_st) == 0 ? 1 : -1;
	if (cfg->action == ACTION_MOVE || cfg->action == ACTION_COPY) {
		const char *why = stat(cfg->action_dir, &st) != 0 ? strerror(errno)
				  : !S_ISDIR(st.st_mode) ? "not a folder" : NULL;
		if (why) {
			fprintf(stderr, "ERROR: --%s %s: %s\n", scan_action_name(cfg->action),
				cfg->action_dir, why);
			return -1;
		}
	}
	if (cfg->action == ACTION_QUARANTINE) {
		int rc = rq_vault_open(&ctx->vault, vault_path_choose(cfg->vault_dir));
		if (rc != 0) {
			fprintf(stderr, "ERROR: %s\n", *rq_error_last() ? rq_error_last() : rq_error_name(rc));
			return -1;
		}
	}
	return 0;
}

static void setup_walk(rq_walk_options *wo, const scan_config *cfg)
{
	rq_walk_options_default(wo);
	wo->threads = cfg->threads;
	wo->recursive = cfg->recursive;
	wo->one_file_system = !cfg->cross_fs;
	wo->follow_dir_symlinks = cfg->follow_dir_symlinks >= 2;
	wo->follow_file_symlinks = cfg->follow_file_symlinks >= 2;
	wo->nofollow_arg_dir_symlinks = cfg->follow_dir_symlinks == 0;
	wo->nofollow_arg_file_symlinks = cfg->follow_file_symlinks == 0;
	wo->exclude = cfg->exclude.n ? cfg->exclude.v : NULL;
	wo->include = cfg->include.n ? cfg->include.v : NULL;
	wo->exclude_dir = cfg->exclude_dir.n ? cfg->exclude_dir.v : NULL;
}

static void verbose_engine(const rq_engine *engine)
{
	rq_engine_stats es;
	rq_engine_stats_get(engine, &es);
	fprintf(stderr, "raquet: %llu signatures from %llu files (", (unsigned long long)es.total,
		(unsigned long long)es.files);
	int first = 1;
	for (int t = 0; t < RQ_SIG_TYPE_COUNT; t++) {
		if (!es.by_type[t])
			continue;
		fprintf(stderr, "%s%s %llu", first ? "" : ", ", rq_sig_type_name((rq_sig_type)t),
			(unsigned long long)es.by_type[t]);
		first = 0;
	}
	fprintf(stderr, "); %llu malformed, %llu unsupported, %llu ignored lines\n",
		(unsigned long long)es.malformed, (unsigned long long)es.unsupported,
		(unsigned long long)es.ignored);
}

int scan_main(int argc, char **argv)
{
	scan_config cfg;
	scan_ctx ctx;
	rq_engine *engine = NULL;
	char **owned = NULL;
	size_t owned_n = 0;
	char *cwd = NULL;
	quick_list quick = { NULL, 0 };
	int status = 2;
	int rc = scan_options_parse(&cfg, argc, argv);

	memset(&ctx, 0, sizeof(ctx));
	pthread_mutex_init(&ctx.out_lock, NULL);
	if (rc != SCAN_OPTIONS_OK) {
		status = rc == SCAN_OPTIONS_EXIT ? 0 : 2;
		goto done;
	}
	ctx.cfg = &cfg;

	for (size_t i = 0; i < cfg.file_lists.n; i++)
		if (read_file_list(&cfg.paths, cfg.file_lists.v[i], '\n', &owned, &owned_n))
			goto done;
	for (size_t i = 0; i < cfg.file_lists0.n; i++)
		if (read_file_list(&cfg.paths, cfg.file_lists0.v[i], '\0', &owned, &owned_n))
			goto done;
	if (cfg.quick && quick_locations(&cfg.paths, &quick))
		goto done;
	if (cfg.paths.n == 0 && cfg.file_lists.n == 0 && cfg.file_lists0.n == 0 && !cfg.processes &&
	    !cfg.persistence && !cfg.connections) {
		cwd = getcwd(NULL, 0); /* clamscan scans the current folder, by its full path */
		if (!cwd || strlist_add(&cfg.paths, cwd)) {
			fprintf(stderr, "ERROR: cannot get the current folder: %s\n", strerror(errno));
			goto done;
		}
	}

	if (prepare_action(&ctx, &cfg))
		goto done;
	if (load_signatures(&engine, &cfg))
		goto done;
	if (cfg.verbose)
		verbose_engine(engine);

	rq_scan_options so;
	rq_scan_options_default(&so);
	so.limits = cfg.limits;
	so.all_matches = cfg.all_matches;
	so.want_sha256 = cfg.json;
	so.scan_archives = cfg.scan_archives;
	rq_walk_options wo;
	setup_walk(&wo, &cfg);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND | SA_RESTART; /* a second Ctrl-C kills at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	scan_summary sum;
	memset(&sum, 0, sizeof(sum));
	sum.start = time(NULL);
	double t0 = progress_now();
	int show_progress = cfg.progress > 0 || (cfg.progress < 0 && isatty(STDERR_FILENO));
	if (cfg.quiet && cfg.progress < 0)
		show_progress = 0;

	/* the process scan is short and prints its lines directly: the
	 * progress line (walk counters) starts after it */
	procs_totals procs;
	memset(&procs, 0, sizeof(procs));
	if (cfg.processes)
		scan_processes(engine, &cfg, &so, &ctx.out_lock, &interrupted, &procs);
	conns_totals conns;
	memset(&conns, 0, sizeof(conns));
	if (cfg.connections && !interrupted)
		scan_connections(engine, &cfg, &ctx.out_lock, &interrupted, &conns);
	persist_totals persist;
	memset(&persist, 0, sizeof(persist));
	if (cfg.persistence && !interrupted)
		scan_persistence(engine, &cfg, &so, &ctx.out_lock, &interrupted, &persist);
	if (show_progress && cfg.paths.n)
		progress_start(&ctx.prog, &ctx.stats, &ctx.out_lock);
	rc = 0;
	if (cfg.paths.n && !interrupted)
		rc = rq_scan_paths(engine, cfg.paths.v, cfg.paths.n, &so, &wo, on_result,
				   on_walk_error, &ctx, &ctx.stats);
	progress_stop(&ctx.prog);
	if (rc && rc != RQ_ESTOPPED) {
		fprintf(stderr, "ERROR: %s\n", rq_error_last());
		goto done;
	}

	rq_walk_stats st;
	rq_walk_stats_read(&ctx.stats, &st);
	rq_engine_stats es;
	rq_engine_stats_get(engine, &es);
	sum.known_signatures = es.total;
	sum.engine_version = rq_version();
	sum.dirs = st.dirs;
	sum.files = ctx.files_ok;
	sum.infected = ctx.infected;
	sum.limits = ctx.limits;
	sum.encrypted = ctx.encrypted;
	sum.errors = ctx.errors + procs.errors + persist.errors + conns.errors;
	sum.skipped = st.skipped;
	sum.quarantined = ctx.quarantined;
	sum.removed = ctx.removed;
	sum.moved = ctx.moved;
	sum.copied = ctx.copied;
	sum.bytes_matched = st.bytes_read;
	sum.bytes_read = st.bytes_scanned;
	sum.seconds = progress_now() - t0;
	sum.end = time(NULL);
	sum.interrupted = interrupted != 0;
	if (interrupted)
		fputs("raquet: scan interrupted\n", stderr);
	if (cfg.verbose)
		fprintf(stderr, "raquet: %llu entries skipped (symlinks, special files, excluded)\n",
			(unsigned long long)st.skipped);
	if (!cfg.no_summary && !cfg.quiet) {
		if (cfg.processes)
			procs_summary(stdout, &cfg, &procs);
		if (cfg.connections)
			conns_summary(stdout, &cfg, &conns);
		if (cfg.persistence)
			persist_summary(stdout, &cfg, &persist);
		if (cfg.json)
			json_summary(stdout, &sum);
		else
			text_summary(stdout, &sum);
	}
	status = ctx.infected || procs.infected || persist.infected || conns.malicious ? 1
		 : (sum.errors || interrupted) ? 2 : 0;

done:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "ERROR: writing the results failed: %s\n", strerror(errno));
		status = 2;
	}
	rq_engine_free(engine);
	rq_vault_close(ctx.vault);
	for (size_t i = 0; i < owned_n; i++)
		free(owned[i]);
	free(owned);
	free(cwd);
	scan_config_free(&cfg);
	quick_free(&quick);
	pthread_mutex_destroy(&ctx.out_lock);
	return status;
}
