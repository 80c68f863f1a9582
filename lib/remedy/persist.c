/*
 * Persistence entries: reads the usual Linux autostart places under a root
 * folder and reports the lines that start an absolute path accepted by the
 * caller's predicate (include/raquet/persist.h). Parsing is per kind: whole
 * tokens for preload lists, absolute-path tokens for shell-like files, the
 * program of Exec lines for units and .desktop files; a timer reports the
 * entries of the unit it activates; cron.daily style scripts and at jobs are
 * entries themselves. Disabling is in persist_disable.c.
 */
#include "raquet/persist.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/util.h"

typedef struct search {
	char root[PATH_MAX]; /* without a trailing "/": "" for the real root */
	rq_persist_pred wanted;
	rq_persist_cb cb;
	void *payload;
	int rc;              /* first RQ_ESTOPPED or RQ_ENOMEM; ends the search */
	/* While a timer's unit is read: its entries are reported as the timer's. */
	const char *as_file;
	unsigned as_line;
} search;

const char *rq_persist_kind_name(rq_persist_kind kind)
{
	switch (kind) {
	case RQ_PERSIST_PRELOAD: return "PRELOAD";
	case RQ_PERSIST_RCLOCAL: return "RCLOCAL";
	case RQ_PERSIST_SYSTEMD: return "SYSTEMD";
	case RQ_PERSIST_CRON: return "CRON";
	case RQ_PERSIST_SHELL: return "SHELL";
	case RQ_PERSIST_AUTOSTART: return "AUTOSTART";
	case RQ_PERSIST_TIMER: return "TIMER";
	case RQ_PERSIST_CRONDIR: return "CRONDIR";
	case RQ_PERSIST_AT: return "AT";
	}
	return "UNKNOWN";
}

static void emit(search *s, rq_persist_kind kind, const char *file, unsigned line,
		 const char *tok, size_t len)
{
	char target[PATH_MAX];
	if (s->rc || len == 0 || tok[0] != '/' || len >= sizeof(target))
		return;
	memcpy(target, tok, len);
	target[len] = '\0';
	if (s->wanted && !s->wanted(target, s->payload))
		return;
	if (s->as_file) {
		kind = RQ_PERSIST_TIMER;
		file = s->as_file;
		line = s->as_line;
	}
	rq_persist_entry e = { kind, file, line, target };
	if (s->cb(&e, s->payload) != 0)
		s->rc = rq_fail(RQ_ESTOPPED, "persistence search stopped by the caller");
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Separators of shell words, so that "x;/p", "$(/p)" and "A=/p" yield "/p". */
static int is_shell_sep(char c)
{
	return is_space(c) || (c != '\0' && strchr(";|&()<>`'\"=$", c) != NULL);
}

/* Skip leading blanks; 1 if what is left is empty or a comment. */
static int blank_or_comment(const char **p, const char *end)
{
	while (*p < end && is_space(**p))
		(*p)++;
	return *p == end || **p == '#';
}

static void shell_tokens(search *s, rq_persist_kind kind, const char *file, unsigned n,
			 const char *p, const char *end, int preload)
{
	while (p < end && !s->rc) {
		while (p < end && (preload ? (is_space(*p) || *p == ':') : is_shell_sep(*p)))
			p++;
		if (p < end && *p == '#')
			return; /* the rest of the line is a comment */
		const char *t = p;
		while (p < end && !(preload ? (is_space(*p) || *p == ':') : is_shell_sep(*p)))
			p++;
		emit(s, kind, file, n, t, (size_t)(p - t));
	}
}

/* The program of an Exec value: optionally quoted, else up to a blank. */
static void exec_program(search *s, rq_persist_kind kind, const char *file, unsigned n,
			 const char *p, const char *end)
{
	while (p < end && is_space(*p))
		p++;
	if (kind == RQ_PERSIST_SYSTEMD)
		while (p < end && strchr("-@:+!", *p))
			p++;
	const char *t;
	if (p < end && *p == '"') {
		t = ++p;
		while (p < end && *p != '"')
			p++;
	} else {
		t = p;
		while (p < end && !is_space(*p))
			p++;
	}
	emit(s, kind, file, n, t, (size_t)(p - t));
}

static int has_key(const char **p, const char *end, const char *key)
{
	size_t k = strlen(key);
	if ((size_t)(end - *p) < k || memcmp(*p, key, k) != 0)
		return 0;
	*p += k;
	return 1;
}

static void parse_line(search *s, rq_persist_kind kind, const char *file, unsigned n,
		       const char *p, const char *end)
{
	if (blank_or_comment(&p, end))
		return;
	switch (kind) {
	case RQ_PERSIST_PRELOAD:
		shell_tokens(s, kind, file, n, p, end, 1);
		break;
	case RQ_PERSIST_CRON: /* job lines, and "SHELL=/path" lines: cron runs jobs with it */
	case RQ_PERSIST_RCLOCAL:
	case RQ_PERSIST_SHELL:
	case RQ_PERSIST_CRONDIR:
	case RQ_PERSIST_AT:
		shell_tokens(s, kind, file, n, p, end, 0);
		break;
	case RQ_PERSIST_SYSTEMD:
		if (has_key(&p, end, "ExecStart=") || has_key(&p, end, "ExecStartPre=") ||
		    has_key(&p, end, "ExecStartPost="))
			exec_program(s, kind, file, n, p, end);
		break;
	case RQ_PERSIST_AUTOSTART:
		if (has_key(&p, end, "Exec="))
			exec_program(s, kind, file, n, p, end);
		break;
	case RQ_PERSIST_TIMER:
		break; /* timers are read by scan_timer */
	}
}

/* Read root+file into *data (free() it): 0, or -1 if it is missing,
 * unreadable or too large (skipped), or memory ran out (s->rc set). */
static int read_place(search *s, const char *file, uint8_t **data, size_t *len)
{
	char path[PATH_MAX];
	*data = NULL;
	if (s->rc || snprintf(path, sizeof(path), "%s%s", s->root, file) >= (int)sizeof(path))
		return -1;
	int rc = rq_read_file(path, RQ_PERSIST_MAX_FILE, data, len);
	if (rc == RQ_ENOMEM)
		s->rc = rc;
	return rc == 0 ? 0 : -1;
}

/* Read root+file and report its entries; a missing or unreadable file is skipped. */
static void scan_file(search *s, rq_persist_kind kind, const char *file)
{
	uint8_t *data = NULL;
	size_t len = 0;
	if (read_place(s, file, &data, &len) != 0)
		goto done;
	rq_lines it;
	const char *line;
	size_t ll;
	rq_lines_init(&it, data, len);
	while (!s->rc && rq_lines_next(&it, &line, &ll))
		parse_line(s, kind, file, it.lineno, line, line + ll);
done:
	free(data);
}

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n >= k && strcmp(name + n - k, suffix) == 0;
}

/* A script run as a whole (cron.daily style, at job): the script itself is
 * an entry (line 1), then the paths it runs. */
static void scan_script(search *s, rq_persist_kind kind, const char *file)
{
	emit(s, kind, file, 1, file, strlen(file));
	scan_file(s, kind, file);
}

/* Each entry of root+dir whose name ends with `suffix` ("" for all, hidden
 * names excepted), in name order, passed to fn(s, kind, "dir/name"). */
static void each_in_dir(search *s, rq_persist_kind kind, const char *dir, const char *suffix,
			void (*fn)(search *, rq_persist_kind, const char *))
{
	char path[PATH_MAX];
	struct dirent **names = NULL;
	int count = -1;
	if (s->rc || snprintf(path, sizeof(path), "%s%s", s->root, dir) >= (int)sizeof(path))
		goto done;
	count = scandir(path, &names, NULL, alphasort);
	if (count < 0) {
		if (errno == ENOMEM)
			s->rc = rq_fail(RQ_ENOMEM, "%s: out of memory listing the folder", path);
		goto done;
	}
	for (int i = 0; i < count && i < RQ_PERSIST_MAX_DIR_ENTRIES && !s->rc; i++) {
		const char *name = names[i]->d_name;
		char sub[PATH_MAX];
		if (name[0] == '.' || !has_suffix(name, suffix))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, name) < (int)sizeof(sub))
			fn(s, kind, sub);
	}
done:
	for (int i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

static const char *const unit_dirs[] = { "/etc/systemd/system", "/lib/systemd/system",
					 "/usr/lib/systemd/system" };
#define N_UNIT_DIRS (sizeof(unit_dirs) / sizeof(unit_dirs[0]))

/* The unit a timer activates: its [Timer] Unit= (name and line), else
 * NAME.service for NAME.timer (line 1). 0, or -1 if unreadable or odd. */
static int timer_unit(search *s, const char *file, char *unit, size_t cap, unsigned *line)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int in_timer = 0, found = 0, rc = -1;
	if (read_place(s, file, &data, &len) != 0)
		goto done;
	rq_lines it;
	const char *ln;
	size_t ll;
	rq_lines_init(&it, data, len);
	while (!found && rq_lines_next(&it, &ln, &ll)) {
		const char *p = ln, *end = ln + ll;
		if (blank_or_comment(&p, end) || *p == ';')
			continue;
		if (*p == '[') {
			in_timer = (size_t)(end - p) >= 7 && memcmp(p, "[Timer]", 7) == 0;
			continue;
		}
		if (!in_timer || !has_key(&p, end, "Unit="))
			continue;
		while (p < end && is_space(*p))
			p++;
		while (end > p && is_space(end[-1]))
			end--;
		if (end == p || (size_t)(end - p) >= cap || memchr(p, '/', (size_t)(end - p)))
			goto done;
		memcpy(unit, p, (size_t)(end - p));
		unit[end - p] = '\0';
		*line = it.lineno;
		found = 1;
	}
	if (!found) {
		const char *base = strrchr(file, '/') + 1;
		size_t n = strlen(base) - strlen(".timer");
		if (n == 0 || n + sizeof(".service") > cap)
			goto done;
		memcpy(unit, base, n);
		memcpy(unit + n, ".service", sizeof(".service"));
		*line = 1;
	}
	rc = 0;
done:
	free(data);
	return rc;
}

/* A timer: the entries of the unit it activates, reported as the timer's.
 * The unit is looked up beside the timer, then (system timers) in the
 * system unit folders, first found wins as in systemd. */
static void scan_timer(search *s, rq_persist_kind unused, const char *file)
{
	char unit[NAME_MAX + 1], cand[PATH_MAX], full[PATH_MAX];
	unsigned line = 1;
	struct stat st;
	size_t dl = (size_t)(strrchr(file, '/') - file);
	int system = strncmp(file, "/home/", 6) != 0 && strncmp(file, "/root/", 6) != 0;
	(void)unused;
	if (s->rc || timer_unit(s, file, unit, sizeof(unit), &line) != 0)
		return;
	for (size_t i = 0; i <= (system ? N_UNIT_DIRS : 0); i++) {
		int n = i == 0 ? snprintf(cand, sizeof(cand), "%.*s/%s", (int)dl, file, unit)
			       : snprintf(cand, sizeof(cand), "%s/%s", unit_dirs[i - 1], unit);
		if (n >= (int)sizeof(cand) ||
		    snprintf(full, sizeof(full), "%s%s", s->root, cand) >= (int)sizeof(full) ||
		    stat(full, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		s->as_file = file;
		s->as_line = line;
		scan_file(s, RQ_PERSIST_SYSTEMD, cand);
		s->as_file = NULL;
		break;
	}
}

/* The per-user places of the home folder `home` ("/root", "/home/NAME"). */
static void scan_home(search *s, rq_persist_kind unused, const char *home)
{
	static const char *const rc_files[] = { "/.bashrc", "/.profile" };
	char p[PATH_MAX];
	(void)unused;
	for (size_t i = 0; i < sizeof(rc_files) / sizeof(rc_files[0]); i++)
		if (snprintf(p, sizeof(p), "%s%s", home, rc_files[i]) < (int)sizeof(p))
			scan_file(s, RQ_PERSIST_SHELL, p);
	if (snprintf(p, sizeof(p), "%s/.config/systemd/user", home) < (int)sizeof(p)) {
		each_in_dir(s, RQ_PERSIST_SYSTEMD, p, ".service", scan_file);
		each_in_dir(s, RQ_PERSIST_TIMER, p, ".timer", scan_timer);
	}
	if (snprintf(p, sizeof(p), "%s/.config/autostart", home) < (int)sizeof(p))
		each_in_dir(s, RQ_PERSIST_AUTOSTART, p, ".desktop", scan_file);
}

/* 1 if dirs[i] under the root is the same folder as a later dirs[j] (with a
 * merged /usr, /lib is /usr/lib): it is then read once, not twice. */
static int same_dir_as_later(const search *s, const char *const *dirs, size_t n, size_t i)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct stat sa, sb;
	if (snprintf(a, sizeof(a), "%s%s", s->root, dirs[i]) >= (int)sizeof(a) || stat(a, &sa) != 0)
		return 0;
	for (size_t j = i + 1; j < n; j++)
		if (snprintf(b, sizeof(b), "%s%s", s->root, dirs[j]) < (int)sizeof(b) &&
		    stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
			return 1;
	return 0;
}

int rq_persist_find(const char *root, rq_persist_pred wanted, rq_persist_cb cb, void *payload)
{
	static const char *const cron_dirs[] = { "/etc/cron.hourly", "/etc/cron.daily",
						 "/etc/cron.weekly", "/etc/cron.monthly" };
	int rc = 0;
	search *s = NULL;
	if (!root || !cb) {
		rc = rq_fail(RQ_EINVAL, "rq_persist_find: no root or no callback");
		goto done;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = rq_fail(RQ_ENOMEM, "rq_persist_find: out of memory");
		goto done;
	}
	size_t rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	if (rl >= sizeof(s->root)) {
		rc = rq_fail(RQ_EINVAL, "%s: root folder name too long", root);
		goto done;
	}
	memcpy(s->root, root, rl);
	s->wanted = wanted;
	s->cb = cb;
	s->payload = payload;

	scan_file(s, RQ_PERSIST_PRELOAD, "/etc/ld.so.preload");
	scan_file(s, RQ_PERSIST_RCLOCAL, "/etc/rc.local");
	for (size_t i = 0; i < N_UNIT_DIRS; i++)
		if (!same_dir_as_later(s, unit_dirs, N_UNIT_DIRS, i))
			each_in_dir(s, RQ_PERSIST_SYSTEMD, unit_dirs[i], ".service", scan_file);
	for (size_t i = 0; i < N_UNIT_DIRS; i++)
		if (!same_dir_as_later(s, unit_dirs, N_UNIT_DIRS, i))
			each_in_dir(s, RQ_PERSIST_TIMER, unit_dirs[i], ".timer", scan_timer);
	scan_file(s, RQ_PERSIST_CRON, "/etc/crontab");
	each_in_dir(s, RQ_PERSIST_CRON, "/etc/cron.d", "", scan_file);
	each_in_dir(s, RQ_PERSIST_CRON, "/var/spool/cron/crontabs", "", scan_file);
	for (size_t i = 0; i < sizeof(cron_dirs) / sizeof(cron_dirs[0]); i++)
		each_in_dir(s, RQ_PERSIST_CRONDIR, cron_dirs[i], "", scan_script);
	each_in_dir(s, RQ_PERSIST_AT, "/var/spool/cron/atjobs", "", scan_script);
	each_in_dir(s, RQ_PERSIST_SHELL, "/etc/profile.d", ".sh", scan_file);
	scan_file(s, RQ_PERSIST_SHELL, "/etc/bash.bashrc");
	scan_file(s, RQ_PERSIST_SHELL, "/etc/profile");
	each_in_dir(s, RQ_PERSIST_AUTOSTART, "/etc/xdg/autostart", ".desktop", scan_file);
	scan_home(s, RQ_PERSIST_SHELL, "/root");
	each_in_dir(s, RQ_PERSIST_SHELL, "/home", "", scan_home);
	rc = s->rc;
done:
	free(s);
	return rc;
}
