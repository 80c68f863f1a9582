/*
 * `raquet-server unit add`, `token create`, `user add`, `user passwd` and
 * `task add` (admin_cmd.h):
 * the store is the one of the configuration (--config FILE, else the
 * default file) unless --store URL is given; schema migrations are applied
 * first, like at server start.
 */
#include "admin_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <errno.h>

#include <openssl/crypto.h>

#include "api/admin.h"
#include "api/tasks.h"
#include "auth/password.h"
#include "auth/token.h"
#include "bootstrap.h"
#include "config/config.h"
#include "report/figures.h"
#include "report/render.h"
#include "store/audit.h"
#include "store/store.h"
#include "store/tasks.h"
#include "store/tokens.h"
#include "store/units.h"
#include "store/users.h"

/* Longest validity of an enrollment token: a campaign, not forever. */
#define MAX_TOKEN_DAYS 366

typedef struct args {
	const char *config, *store, *name, *code, *parent, *unit, *label, *login, *role, *display;
	const char *kind;                                /* task, report */
	const char *endpoint, *path;                     /* task */
	const char *from, *to, *format, *lang, *output; /* report */
	long uses, days, wait;
	int password_stdin;
} args;

static void usage(FILE *f)
{
	fputs("Usage: raquet-server unit add --name NAME --code CODE [--parent CODE] [--contact TEXT]\n"
	      "       raquet-server token create --unit CODE [--uses N] [--days D] [--label TEXT]\n"
	      "       raquet-server user add --login LOGIN --role admin|officer|viewer [--unit CODE]\n"
	      "                              [--display NAME] [--password-stdin]\n"
	      "       raquet-server user passwd --login LOGIN [--password-stdin]\n"
	      "       raquet-server report --kind province|unit [--unit CODE] --from DD/MM/YYYY\n"
	      "                            --to DD/MM/YYYY --format xlsx|pdf|csv [--lang vi|en] -o FILE\n"
	      "  (report: the period's days from and to both included, Vietnam time)\n"
	      "  (without --password-stdin a random password is made and printed once)\n"
	      "       raquet-server task add --endpoint HOSTNAME|ID --kind scan_quick|scan_full|update\n"
	      "                              [--kind scan_path --path /ABS/PATH] [--wait SECONDS]\n"
	      "  (--wait: until the agent reports the task done or failed; prints its result)\n"
	      "Common options: --config FILE (default /etc/raquet-server/raquet-server.conf),\n"
	      "                --store URL (sqlite:PATH or postgresql://...; overrides the file)\n",
	      f);
}

static int parse(int argc, char **argv, int first, args *a, const char **contact)
{
	memset(a, 0, sizeof(*a));
	a->uses = 1;
	a->days = 7;
	for (int i = first; i < argc; i++) {
		const char **slot = NULL;
		long *num = NULL;
		if (!strcmp(argv[i], "--config")) slot = &a->config;
		else if (!strcmp(argv[i], "--store")) slot = &a->store;
		else if (!strcmp(argv[i], "--name")) slot = &a->name;
		else if (!strcmp(argv[i], "--code")) slot = &a->code;
		else if (!strcmp(argv[i], "--parent")) slot = &a->parent;
		else if (!strcmp(argv[i], "--unit")) slot = &a->unit;
		else if (!strcmp(argv[i], "--label")) slot = &a->label;
		else if (!strcmp(argv[i], "--contact")) slot = contact;
		else if (!strcmp(argv[i], "--login")) slot = &a->login;
		else if (!strcmp(argv[i], "--role")) slot = &a->role;
		else if (!strcmp(argv[i], "--display")) slot = &a->display;
		else if (!strcmp(argv[i], "--endpoint")) slot = &a->endpoint;
		else if (!strcmp(argv[i], "--path")) slot = &a->path;
		else if (!strcmp(argv[i], "--kind")) slot = &a->kind;
		else if (!strcmp(argv[i], "--from")) slot = &a->from;
		else if (!strcmp(argv[i], "--to")) slot = &a->to;
		else if (!strcmp(argv[i], "--format")) slot = &a->format;
		else if (!strcmp(argv[i], "--lang")) slot = &a->lang;
		else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) slot = &a->output;
		else if (!strcmp(argv[i], "--password-stdin")) {
			a->password_stdin = 1;
			continue;
		}
		else if (!strcmp(argv[i], "--uses")) num = &a->uses;
		else if (!strcmp(argv[i], "--days")) num = &a->days;
		else if (!strcmp(argv[i], "--wait")) num = &a->wait;
		else {
			fprintf(stderr, "raquet-server: unknown option '%s'\n", argv[i]);
			return -1;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "raquet-server: %s needs a value\n", argv[i]);
			return -1;
		}
		if (slot) {
			*slot = argv[++i];
		} else {
			char *end = NULL;
			*num = strtol(argv[++i], &end, 10);
			if (!end || *end || *num < 1) {
				fprintf(stderr, "raquet-server: %s takes a whole number >= 1\n", argv[i - 1]);
				return -1;
			}
		}
	}
	return 0;
}

/* The store of the configuration, migrated; NULL after printing why.
 * *agency (may be NULL) gets a copy of [report] agency (free()). */
static rq_store *open_store_agency(const args *a, char **agency)
{
	rq_srv_config cfg;
	rq_store *s = NULL;
	const char *url = a->store;
	int rc = rq_srv_config_init(&cfg);
	if (!rc && !url) {
		const char *path = a->config;
		FILE *probe = path ? NULL : fopen(RQ_SRV_DEFAULT_CONFIG, "r");
		if (probe) {
			fclose(probe);
			path = RQ_SRV_DEFAULT_CONFIG;
		}
		if (path)
			rc = rq_srv_config_load(&cfg, path);
		url = cfg.store_url;
	}
	if (!rc && !(rc = rq_store_open(&s, url)) && (rc = rq_store_migrate(s))) {
		rq_store_close(s);
		s = NULL;
	}
	if (!rc && agency && !(*agency = strdup(cfg.report_agency ? cfg.report_agency : ""))) {
		rq_store_close(s);
		s = NULL;
		rc = rq_fail(RQ_ENOMEM, "out of memory");
	}
	if (rc)
		fprintf(stderr, "raquet-server: %s\n", rq_error_last());
	rq_srv_config_free(&cfg);
	return s;
}

static rq_store *open_store(const args *a)
{
	return open_store_agency(a, NULL);
}

/* The id of the unit with `code`, 0 if none, -1 on error. */
static int64_t unit_by_code(rq_store *s, const char *code)
{
	rq_stmt *st = NULL;
	int64_t id = 0;
	int rc = rq_store_prepare(s, &st, "SELECT id FROM units WHERE code = $1");
	if (!rc)
		rc = rq_stmt_bind_text(st, 1, code);
	if (!rc)
		rc = rq_stmt_step_int64(st, &id);
	if (rc == RQ_ENOTFOUND)
		id = 0;
	else if (rc)
		id = -1;
	rq_stmt_finalize(st);
	return id;
}

static int unit_add(const args *a, const char *contact)
{
	if (!a->name || !a->code) {
		fputs("raquet-server unit add: --name and --code are required\n", stderr);
		return 2;
	}
	rq_store *s = open_store(a);
	if (!s)
		return 1;
	int status = 1;
	int64_t parent = 0, id = 0;
	if (a->parent && (parent = unit_by_code(s, a->parent)) <= 0) {
		fprintf(stderr, "raquet-server unit add: no unit with code '%s'\n", a->parent);
		goto done;
	}
	if (rq_store_unit_create(s, &id, parent, a->name, a->code, contact, (int64_t)time(NULL))) {
		fprintf(stderr, "raquet-server unit add: %s\n", rq_error_last());
		goto done;
	}
	printf("unit %lld: %s (%s)\n", (long long)id, a->name, a->code);
	status = 0;
done:
	rq_store_close(s);
	return status;
}

static int token_create(const args *a)
{
	if (!a->unit) {
		fputs("raquet-server token create: --unit CODE is required\n", stderr);
		return 2;
	}
	if (a->days > MAX_TOKEN_DAYS) {
		fprintf(stderr, "raquet-server token create: --days is at most %d\n", MAX_TOKEN_DAYS);
		return 2;
	}
	rq_store *s = open_store(a);
	if (!s)
		return 1;
	int status = 1;
	int64_t unit = unit_by_code(s, a->unit), id = 0, now = (int64_t)time(NULL);
	char token[RQ_TOKEN_MAX], hash[RQ_TOKEN_HASH_LEN];
	if (unit <= 0) {
		fprintf(stderr, "raquet-server token create: no unit with code '%s'\n", a->unit);
		goto done;
	}
	if (rq_token_new("rqe", token) || rq_token_hash(token, strlen(token), hash) ||
	    rq_store_token_create(s, &id, unit, hash, a->label ? a->label : "", now + a->days * 86400,
				  a->uses, 0, now)) {
		fprintf(stderr, "raquet-server token create: %s\n", rq_error_last());
		goto done;
	}
	time_t exp = (time_t)(now + a->days * 86400);
	struct tm tm;
	char when[32] = "";
	if (gmtime_r(&exp, &tm))
		strftime(when, sizeof(when), "%d/%m/%Y %H:%M UTC", &tm);
	/* the token is shown once: only its hash is stored */
	printf("%s\n", token);
	fprintf(stderr, "enrollment token %lld for unit %s: %ld use(s), valid until %s (shown once)\n",
		(long long)id, a->unit, a->uses, when);
	status = 0;
done:
	memset(token, 0, sizeof(token));
	rq_store_close(s);
	return status;
}

/*
 * The password for `user add` / `user passwd` into pw (RQ_PASSWORD_MAX + 1):
 * the first line of stdin, or a random one (*random_out set). Checked
 * against the password policy; 0 or prints why.
 */
static int read_password(const args *a, char *pw, size_t size, int *random_out)
{
	*random_out = 0;
	if (!a->password_stdin) {
		*random_out = 1;
		if (rq_random_password(pw, size, RQ_BOOTSTRAP_PASSWORD_LEN)) {
			fprintf(stderr, "raquet-server: %s\n", rq_error_last());
			return -1;
		}
		return 0;
	}
	size_t n = fread(pw, 1, size - 1, stdin);
	pw[n] = '\0';
	if (n == size - 1 && !feof(stdin)) {
		fprintf(stderr, "raquet-server: the password has at most %d characters\n", RQ_PASSWORD_MAX);
		return -1;
	}
	char *nl = memchr(pw, '\n', n);
	if (nl) /* the first line; a final CR of CRLF goes too */
		n = (size_t)(nl - pw);
	if (n && pw[n - 1] == '\r')
		n--;
	pw[n] = '\0';
	if (rq_password_check_new(pw, n)) {
		fprintf(stderr, "raquet-server: %s\n", rq_error_last());
		return -1;
	}
	return 0;
}

/* read_password, then its argon2id hash into `hash`; 0 or prints why. */
static int new_password(const args *a, char *pw, size_t size, char hash[RQ_PASSWORD_HASH_MAX], int *random_out)
{
	if (read_password(a, pw, size, random_out))
		return -1;
	if (rq_password_hash(pw, strlen(pw), hash)) {
		fprintf(stderr, "raquet-server: %s\n", rq_error_last());
		return -1;
	}
	return 0;
}

/* Print a random password once (show), then wipe it and its hash. */
static void forget_password(int show, char *pw, size_t size, char hash[RQ_PASSWORD_HASH_MAX])
{
	if (show)
		printf("password: %s\n(shown once: only its hash is stored)\n", pw);
	OPENSSL_cleanse(pw, size);
	OPENSSL_cleanse(hash, RQ_PASSWORD_HASH_MAX);
}

static void audit_cli(rq_store *s, const char *action, int64_t user_id, int64_t unit, const char *details)
{
	char obj[32];
	snprintf(obj, sizeof(obj), "%lld", (long long)user_id);
	rq_audit_entry e = { .at = (int64_t)time(NULL), .actor = "system", .action = action,
			     .object_type = "user", .object_id = obj, .unit_id = unit, .details_json = details };
	if (rq_store_audit_add(s, &e))
		fprintf(stderr, "raquet-server: audit: %s\n", rq_error_last());
}

static int user_add(const args *a)
{
	int role = rq_role_parse(a->role);
	char pw[RQ_PASSWORD_MAX + 2], hash[RQ_PASSWORD_HASH_MAX];
	int random = 0, status = 1;
	rq_store *s = NULL;
	if (!a->login || !*a->login || !a->role) {
		fputs("raquet-server user add: --login and --role are required\n", stderr);
		return 2;
	}
	if (role < 0) {
		fputs("raquet-server user add: --role is admin, officer or viewer\n", stderr);
		return 2;
	}
	if (strlen(a->login) > RQ_LOGIN_MAX) {
		fprintf(stderr, "raquet-server user add: --login has at most %d characters\n", RQ_LOGIN_MAX);
		return 2;
	}
	if (new_password(a, pw, sizeof(pw), hash, &random) || !(s = open_store(a)))
		goto done;
	int64_t unit = 0, id = 0;
	if (a->unit && (unit = unit_by_code(s, a->unit)) <= 0) {
		fprintf(stderr, "raquet-server user add: no unit with code '%s'\n", a->unit);
		goto done;
	}
	int rc = rq_store_user_create(s, &id, a->login, a->display ? a->display : "", (rq_role)role, unit, hash,
				      (int64_t)time(NULL));
	if (rc == RQ_STORE_ECONSTRAINT) {
		fprintf(stderr, "raquet-server user add: a user with this login exists already\n");
		goto done;
	}
	if (rc) {
		fprintf(stderr, "raquet-server user add: %s\n", rq_error_last());
		goto done;
	}
	audit_cli(s, "user.create", id, unit, role == RQ_ROLE_ADMIN ? "{\"role\":\"admin\"}"
					 : role == RQ_ROLE_OFFICER ? "{\"role\":\"officer\"}"
								   : "{\"role\":\"viewer\"}");
	printf("user %lld: %s (%s%s%s)\n", (long long)id, a->login, a->role, a->unit ? ", unit " : "",
	       a->unit ? a->unit : "");
	status = 0;
done:
	forget_password(status == 0 && random, pw, sizeof(pw), hash);
	rq_store_close(s);
	return status;
}

static int user_passwd(const args *a)
{
	char pw[RQ_PASSWORD_MAX + 2], hash[RQ_PASSWORD_HASH_MAX];
	int random = 0, status = 1;
	rq_store *s = NULL;
	rq_user u;
	memset(&u, 0, sizeof(u));
	if (!a->login) {
		fputs("raquet-server user passwd: --login is required\n", stderr);
		return 2;
	}
	if (new_password(a, pw, sizeof(pw), hash, &random) || !(s = open_store(a)))
		goto done;
	int rc = rq_store_user_by_login(s, a->login, &u);
	if (rc == RQ_ENOTFOUND) {
		fprintf(stderr, "raquet-server user passwd: no user with this login\n");
		goto done;
	}
	rq_user_change ch = RQ_USER_KEEP;
	ch.password_hash = hash;
	int64_t ended = 0;
	/* a forgotten or leaked password: every session with the old one ends */
	if (rc || (rc = rq_store_begin(s)) || (rc = rq_store_user_update(s, u.id, &ch, (int64_t)time(NULL))) ||
	    (rc = rq_store_session_delete_user(s, u.id, NULL, &ended)) || (rc = rq_store_commit(s))) {
		fprintf(stderr, "raquet-server user passwd: %s\n", rq_error_last());
		rq_store_rollback(s);
		goto done;
	}
	audit_cli(s, "auth.password", u.id, u.unit_id, "{\"by\":\"operator command\"}");
	printf("user %lld: %s: password changed, %lld session(s) ended\n", (long long)u.id, u.login,
	       (long long)ended);
	status = 0;
done:
	forget_password(status == 0 && random, pw, sizeof(pw), hash);
	rq_store_user_clear(&u);
	rq_store_close(s);
	return status;
}

/* The endpoint named by a decimal id or a hostname (which must be unique):
 * its id (and *unit its unit), 0 after printing why. */
static int64_t endpoint_named(rq_store *s, const char *name, int64_t *unit)
{
	rq_stmt *st = NULL;
	int64_t id = 0, n = 0;
	int by_id = name[0] && strspn(name, "0123456789") == strlen(name) && strlen(name) < 19;
	int rc = rq_store_prepare(s, &st, by_id ? "SELECT COUNT(*), MIN(id), MIN(unit_id) FROM endpoints WHERE id = $1"
						: "SELECT COUNT(*), MIN(id), MIN(unit_id) FROM endpoints WHERE hostname = $1");
	if (!rc)
		rc = by_id ? rq_stmt_bind_int64(st, 1, strtoll(name, NULL, 10)) : rq_stmt_bind_text(st, 1, name);
	if (!rc && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		n = rq_stmt_column_int64(st, 0);
		id = rq_stmt_column_int64(st, 1);
		*unit = rq_stmt_column_int64(st, 2);
		rc = 0;
	}
	rq_stmt_finalize(st);
	if (rc < 0)
		fprintf(stderr, "raquet-server task add: %s\n", rq_error_last());
	else if (n == 0)
		fprintf(stderr, "raquet-server task add: no endpoint '%s'\n", name);
	else if (n > 1)
		fprintf(stderr, "raquet-server task add: %lld endpoints are called '%s': give the id\n", (long long)n,
			name);
	return rc < 0 || n != 1 ? 0 : id;
}

typedef struct task_seen {
	char state[16];
	char *result;
} task_seen;

static int keep_state(const rq_task_row *r, void *payload)
{
	task_seen *t = payload;
	snprintf(t->state, sizeof(t->state), "%s", r->t.state);
	free(t->result);
	t->result = strdup(r->result_json);
	return 0;
}

/* Poll the task until it is finished or `seconds` pass; 0 when done. */
static int wait_task(rq_store *s, int64_t id, long seconds)
{
	task_seen t = {"", NULL};
	int status = 1;
	for (long tick = 0; tick <= seconds * 4; tick++) {
		if (rq_store_task_get(s, id, keep_state, &t)) {
			fprintf(stderr, "raquet-server task add: %s\n", rq_error_last());
			goto done;
		}
		if (strcmp(t.state, "pending") && strcmp(t.state, "sent") && strcmp(t.state, "running"))
			break;
		usleep(250000);
	}
	printf("task %lld: %s%s%s\n", (long long)id, t.state, t.result && *t.result ? " " : "",
	       t.result ? t.result : "");
	status = strcmp(t.state, "done") ? 1 : 0;
done:
	free(t.result);
	return status;
}

static int task_add(const args *a)
{
	static const char *const kinds[] = {"scan_quick", "scan_full", "scan_path", "update", NULL};
	size_t k = 0;
	while (a->kind && kinds[k] && strcmp(kinds[k], a->kind))
		k++;
	if (!a->endpoint || !a->kind) {
		fputs("raquet-server task add: --endpoint and --kind are required\n", stderr);
		return 2;
	}
	if (!kinds[k]) { /* file tasks need a detection's checks: the dashboard or the admin API */
		fputs("raquet-server task add: --kind is scan_quick, scan_full, scan_path or update\n", stderr);
		return 2;
	}
	const char *why = !a->path ? (!strcmp(a->kind, "scan_path") ? "scan_path needs --path" : NULL)
				   : strcmp(a->kind, "scan_path") ? "--path goes with --kind scan_path only"
				   : strlen(a->path) > RQ_TASK_PATH_MAX ? "--path is too long"
									: rq_task_path_problem(a->path, strlen(a->path));
	if (why) {
		fprintf(stderr, "raquet-server task add: %s\n", why);
		return 2;
	}
	rq_store *s = open_store(a);
	if (!s)
		return 1;
	int status = 1;
	int64_t unit = 0, endpoint = endpoint_named(s, a->endpoint, &unit), id = 0, now = (int64_t)time(NULL);
	json_t *params = a->path ? json_pack("{s:s}", "path", a->path) : json_object();
	char *params_json = params ? json_dumps(params, JSON_COMPACT) : NULL;
	if (!endpoint)
		goto done;
	if (!params_json || rq_store_begin(s) ||
	    rq_store_task_create(s, &id, endpoint, a->kind, params_json, 0, now,
				 now + RQ_TASK_DEFAULT_EXPIRY_HOURS * 3600LL) ||
	    rq_store_commit(s)) {
		fprintf(stderr, "raquet-server task add: %s\n", params_json ? rq_error_last() : "out of memory");
		rq_store_rollback(s);
		goto done;
	}
	char obj[32], details[64];
	snprintf(obj, sizeof(obj), "%lld", (long long)id);
	snprintf(details, sizeof(details), "{\"kind\":\"%s\",\"endpoint_id\":%lld}", a->kind, (long long)endpoint);
	rq_audit_entry e = {.at = now, .actor = "system", .action = "task.create", .object_type = "task",
			    .object_id = obj, .unit_id = unit, .details_json = details};
	if (rq_store_audit_add(s, &e))
		fprintf(stderr, "raquet-server: audit: %s\n", rq_error_last());
	fprintf(stderr, "task %lld queued for endpoint %lld (%s)\n", (long long)id, (long long)endpoint, a->kind);
	status = a->wait ? wait_task(s, id, a->wait) : (printf("%lld\n", (long long)id), 0);
done:
	free(params_json);
	json_decref(params);
	rq_store_close(s);
	return status;
}

/* Write `len` bytes to `path` (replaced whole: a temporary name, then rename). */
static int write_file(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	FILE *f;
	int ok;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "wb")))
		return rq_fail_errno(RQ_EIO, errno, "%s", tmp);
	ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) < 0) {
		unlink(tmp);
		return rq_fail_errno(RQ_EIO, errno, "writing %s", path);
	}
	return 0;
}

/* `raquet-server report`: count the figures now, render, write the file. */
static int report_cmd(const args *a)
{
	int kind = rq_report_kind_parse(a->kind), format = rq_report_format_parse(a->format);
	int lang = a->lang ? rq_lang_parse(a->lang) : RQ_LANG_VI, status = 1;
	int64_t from = 0, to = 0, unit = 0;
	char *agency = NULL, *text = NULL;
	json_t *figures = NULL;
	rq_report_doc doc;
	rq_strbuf out = rq_strbuf_init(RQ_REPORT_MAX_FILE);
	rq_store *s = NULL;
	memset(&doc, 0, sizeof(doc));
	if (kind < 0 || format < 0 || lang < 0 || !a->output || (kind == RQ_REPORT_UNIT) != (a->unit != NULL)) {
		fprintf(stderr, "raquet-server report: needs --kind province|unit (--unit CODE with unit), "
				"--format xlsx|pdf|csv, -o FILE and --lang vi|en if given\n");
		return 2;
	}
	if (rq_report_parse_date(a->from, 0, &from) < 0 || rq_report_parse_date(a->to, 1, &to) < 0 || from >= to) {
		fprintf(stderr, "raquet-server report: --from and --to: %s\n",
			from >= to && from ? "from must not be after to" : rq_error_last());
		return 2;
	}
	if (!(s = open_store_agency(a, &agency)))
		goto done;
	if (kind == RQ_REPORT_UNIT && (unit = unit_by_code(s, a->unit)) <= 0) {
		fprintf(stderr, "raquet-server: %s\n", unit < 0 ? rq_error_last() : "no unit with that code");
		goto done;
	}
	if (rq_report_figures_make(s, (rq_report_kind)kind, unit, from, to, (int64_t)time(NULL), agency, &figures) < 0 ||
	    !(text = json_dumps(figures, JSON_COMPACT)) || rq_report_doc_parse(text, &doc) < 0 ||
	    rq_report_render(&doc, (rq_lang)lang, (rq_report_format)format, &out) < 0 ||
	    write_file(a->output, out.p ? out.p : "", out.len) < 0) {
		fprintf(stderr, "raquet-server: report: %s\n", rq_error_last());
		goto done;
	}
	status = 0;
done:
	rq_strbuf_free(&out);
	rq_report_doc_free(&doc);
	free(text);
	json_decref(figures);
	free(agency);
	rq_store_close(s);
	rq_report_render_cleanup();
	return status;
}

int rq_admin_main(int argc, char **argv)
{
	args a;
	const char *contact = NULL;
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	int is_report = !strcmp(argv[0], "report");
	if (parse(argc, argv, is_report ? 1 : 2, &a, &contact)) {
		usage(stderr);
		return 2;
	}
	if (is_report)
		return report_cmd(&a);
	if (!strcmp(argv[0], "unit") && !strcmp(argv[1], "add"))
		return unit_add(&a, contact);
	if (!strcmp(argv[0], "token") && !strcmp(argv[1], "create"))
		return token_create(&a);
	if (!strcmp(argv[0], "user") && !strcmp(argv[1], "add"))
		return user_add(&a);
	if (!strcmp(argv[0], "user") && !strcmp(argv[1], "passwd"))
		return user_passwd(&a);
	if (!strcmp(argv[0], "task") && !strcmp(argv[1], "add"))
		return task_add(&a);
	fprintf(stderr, "raquet-server: unknown command '%s %s'\n", argv[0], argv[1]);
	usage(stderr);
	return 2;
}
