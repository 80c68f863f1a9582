/*
 * Scans as child processes (scanjob.h): the argument list from the
 * policy, fork + exec with the output on pipes read without blocking, and
 * each JSON line of `raquet scan --json` (docs/cli.md, "JSON output")
 * turned into an outbox event as soon as it is read.
 */
#include "scanjob.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent_limits.h"
#include "core/error.h"

struct rq_scanjob {
	pid_t pid;
	int out_fd, err_fd;
	rq_outbox *ob;
	char kind[16];
	int64_t task_id;
	char in[65536];           /* bytes read from the child, handled up to in_pos */
	size_t in_len, in_pos;
	char *line;               /* the stdout line being read */
	size_t line_len;
	int line_overlong;        /* the current line passed RQ_AGENT_SCAN_LINE_MAX: skipped */
	char err_tail[512];       /* the child's last stderr line */
	char err_cur[512];        /* the one being read */
	size_t err_len;
	json_t *summary;          /* the child's "summary" object, when printed */
	json_t *result;           /* the scan event's payload, once finished */
	int64_t started;
	uint64_t detections, quarantined, removed, unreadable_lines;
	int cancelled, status;
};

static int push(char **argv, size_t *n, const char *s)
{
	if (!(argv[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

static int push2(char **argv, size_t *n, const char *opt, const char *value)
{
	size_t len = strlen(opt) + strlen(value) + 2;
	if (!(argv[*n] = malloc(len)))
		return -1;
	snprintf(argv[*n], len, "%s=%s", opt, value);
	(*n)++;
	return 0;
}

void rq_scanjob_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/*
 * What a full scan leaves out: kernel and device pseudo file systems,
 * where reading can block or never end, and nothing is stored.
 */
static const char *const pseudo_dirs[] = { "/proc", "/sys", "/dev", "/run", NULL };

char **rq_scanjob_argv(const rq_scanjob_spec *s)
{
	size_t cap = 32 + (s->exclusions ? json_array_size(s->exclusions) : 0), n = 0;
	for (size_t i = 0; s->skip_dirs && s->skip_dirs[i]; i++)
		cap++;
	char **argv = calloc(cap + 1, sizeof(*argv));
	int bad = !argv;
	if (bad)
		return NULL;
	bad |= push(argv, &n, s->raquet) | push(argv, &n, "scan") | push(argv, &n, "--json") |
	       push(argv, &n, "--infected") | push(argv, &n, "--no-progress");
	bad |= push2(argv, &n, "--database", s->db_dir) | push2(argv, &n, "--vault", s->vault_dir);
	if (s->trusted_keys && *s->trusted_keys)
		bad |= push2(argv, &n, "--trusted-keys", s->trusted_keys);
	int act = s->action && strcmp(s->action, "report");
	if (act)
		bad |= push2(argv, &n, "--action", !strcmp(s->action, "delete") ? "remove" : "quarantine");
	size_t i;
	json_t *g;
	json_array_foreach(s->exclusions, i, g) {
		if (json_is_string(g)) /* a glob names files and folders alike */
			bad |= push2(argv, &n, "--exclude", json_string_value(g)) |
			       push2(argv, &n, "--exclude-dir", json_string_value(g));
	}
	for (i = 0; s->skip_dirs && s->skip_dirs[i]; i++)
		bad |= push2(argv, &n, "--exclude-dir", s->skip_dirs[i]);
	if (!strcmp(s->scan_kind, "quick")) {
		bad |= push(argv, &n, "--quick");
		if (act) /* a detected program started at boot is stopped from starting again */
			bad |= push(argv, &n, "--disable-persistence");
	} else if (!strcmp(s->scan_kind, "full")) {
		for (i = 0; pseudo_dirs[i]; i++)
			bad |= push2(argv, &n, "--exclude-dir", pseudo_dirs[i]);
		bad |= push(argv, &n, "--recursive") | push(argv, &n, "--") | push(argv, &n, "/");
	} else {
		bad |= push(argv, &n, "--recursive") | push(argv, &n, "--") | push(argv, &n, s->path ? s->path : "/");
	}
	if (bad) {
		rq_scanjob_argv_free(argv);
		return NULL;
	}
	return argv;
}

static int cloexec_pipe(int fds[2])
{
	return pipe2(fds, O_CLOEXEC);
}

int rq_scanjob_start(rq_scanjob **out, const rq_scanjob_spec *spec, rq_outbox *ob)
{
	*out = NULL;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, rc = 0;
	rq_scanjob *j = calloc(1, sizeof(*j));
	char **argv = rq_scanjob_argv(spec);
	if (!j || !argv || !(j->line = malloc(RQ_AGENT_SCAN_LINE_MAX + 1))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto fail;
	}
	j->out_fd = j->err_fd = -1;
	j->ob = ob;
	j->task_id = spec->task_id;
	snprintf(j->kind, sizeof(j->kind), "%s", spec->scan_kind);
	if (cloexec_pipe(po) || cloexec_pipe(pe)) {
		rc = rq_fail_errno(RQ_EIO, errno, "scan: cannot make a pipe");
		goto fail;
	}
	j->started = (int64_t)time(NULL);
	pid_t parent = getpid();
	j->pid = fork();
	if (j->pid < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "scan: cannot start %s", spec->raquet);
		goto fail;
	}
	if (j->pid == 0) {
		/* only async-signal-safe calls until exec: the agent has threads */
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* the agent gone: no orphan scan */
		if (getppid() != parent)
			_exit(127);
		int nul = open("/dev/null", O_RDONLY);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0)
			_exit(127);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL); /* raquetd ignores it; an ignored signal survives exec */
		execv(argv[0], argv);
		static const char msg[] = "raquetd: cannot run the scanner program\n";
		(void)!write(2, msg, sizeof(msg) - 1);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	j->out_fd = po[0];
	j->err_fd = pe[0];
	fcntl(j->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(j->err_fd, F_SETFL, O_NONBLOCK);
	rq_scanjob_argv_free(argv);
	*out = j;
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	rq_scanjob_argv_free(argv);
	if (j)
		free(j->line);
	free(j);
	return rc;
}

/* Put one event; `p` is consumed. */
static int put(rq_scanjob *j, const char *kind, rq_event_class cls, json_t *p)
{
	if (!p)
		return rq_fail(RQ_ENOMEM, "out of memory");
	if (j->task_id)
		json_object_set_new(p, "task_id", json_integer((json_int_t)j->task_id));
	json_object_set_new(p, "scan_kind", json_string(j->kind));
	int rc = rq_outbox_put_json(j->ob, kind, cls, p);
	json_decref(p);
	return rc;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/*
 * The detection event of an infected file line: the first detection's
 * name, all of them listed, and the outcome of the action as the state the
 * server keeps (active, quarantined, removed).
 */
static int file_line(rq_scanjob *j, const json_t *line)
{
	const json_t *dets = json_object_get(line, "detections"), *first = json_array_get(dets, 0);
	const json_t *act = json_object_get(line, "action");
	const char *kind = jstr(act, "kind"), *state = "active", *action = "report";
	int ok = json_is_true(json_object_get(act, "ok"));
	if (!strcmp(kind, "quarantine"))
		action = ok ? "quarantine" : "quarantine-failed", state = ok ? "quarantined" : "active";
	else if (!strcmp(kind, "remove"))
		action = ok ? "delete" : "delete-failed", state = ok ? "removed" : "active";
	j->detections++;
	j->quarantined += ok && !strcmp(state, "quarantined");
	j->removed += ok && !strcmp(state, "removed");
	json_t *p = json_pack("{s:s, s:O?, s:s, s:s, s:O?, s:s, s:s, s:O}", "path", jstr(line, "path"), "sha256",
			      json_object_get(line, "sha256"), "name", jstr(first, "name"), "type",
			      jstr(first, "type"), "source", json_object_get(first, "source"), "action", action,
			      "state", state, "detections", dets ? dets : json_null());
	if (p && json_object_get(first, "member"))
		json_object_set(p, "member", json_object_get(first, "member"));
	if (p && json_is_string(json_object_get(act, "id")))
		json_object_set(p, "vault_id", json_object_get(act, "id"));
	if (p && !ok && json_is_string(json_object_get(act, "error")))
		json_object_set(p, "action_error", json_object_get(act, "error"));
	return put(j, "detection", RQ_EVENT_DETAIL, p);
}

/* The first of a list of detection names, or "". */
static const char *first_name(const json_t *names)
{
	const char *s = json_string_value(json_array_get(names, 0));
	return s ? s : "";
}

/* A running process whose image is detected: one detection per detected image. */
static int process_line(rq_scanjob *j, const json_t *line)
{
	const json_t *proc = json_object_get(line, "process"), *images = json_object_get(line, "images");
	size_t i;
	json_t *img;
	int rc = 0;
	json_array_foreach(images, i, img) {
		const json_t *names = json_object_get(img, "detections");
		if (!json_array_size(names) || rc)
			continue;
		j->detections++;
		rc = put(j, "detection", RQ_EVENT_DETAIL,
			 json_pack("{s:s, s:s, s:s, s:s, s:s, s:O?, s:O, s:s}", "path", jstr(img, "path"), "name",
				   first_name(names), "type", "process", "action",
				   "report", "state", "active", "pid", json_object_get(proc, "pid"),
				   "detections", names, "found_in", "process"));
	}
	return rc;
}

/* A persistence entry starting a detected file: its target, and whether it was disabled. */
static int persistence_line(rq_scanjob *j, const json_t *line)
{
	const json_t *e = json_object_get(line, "persistence"), *act = json_object_get(line, "action");
	const json_t *names = json_object_get(line, "detections");
	int disabled = json_is_true(json_object_get(act, "ok"));
	j->detections++;
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:O?}", "path", jstr(e, "target"), "name",
			      first_name(names), "type", "persistence", "action",
			      disabled ? "disable-persistence" : "report", "state", "active", "persistence", e,
			      "detections", names);
	if (p && disabled && json_is_string(json_object_get(act, "id")))
		json_object_set(p, "vault_id", json_object_get(act, "id"));
	return put(j, "detection", RQ_EVENT_DETAIL, p);
}

/* "a.b.c.d:port" or "[v6]:port" into address and port. */
static void split_endpoint(const char *text, char *addr, size_t cap, long *port)
{
	const char *colon = strrchr(text, ':');
	size_t len = colon ? (size_t)(colon - text) : strlen(text);
	if (len >= 2 && text[0] == '[' && text[len - 1] == ']')
		text++, len -= 2;
	snprintf(addr, cap, "%.*s", (int)(len < cap ? len : cap - 1), text);
	*port = colon ? strtol(colon + 1, NULL, 10) : 0;
}

static int connection_line(rq_scanjob *j, const json_t *line)
{
	const json_t *c = json_object_get(line, "connection"), *proc = json_object_get(line, "process");
	char addr[128];
	long port = 0;
	split_endpoint(jstr(c, "remote"), addr, sizeof(addr), &port);
	json_t *p = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "remote", addr, "remote_port", (json_int_t)port,
			      "indicator", jstr(line, "detection"), "source", jstr(line, "source"), "action",
			      "reported", "protocol", jstr(c, "protocol"), "local", jstr(c, "local"));
	if (p && proc) {
		json_object_set(p, "pid", json_object_get(proc, "pid"));
		json_object_set_new(p, "exe", json_string(jstr(proc, "exe")));
		json_object_set(p, "md5", json_object_get(proc, "md5"));
		json_object_set(p, "sha256", json_object_get(proc, "sha256"));
	}
	return put(j, "connection", RQ_EVENT_DETAIL, p);
}

static int handle_line(rq_scanjob *j, const char *text)
{
	json_t *line = json_loads(text, 0, NULL);
	int rc = 0;
	if (!json_is_object(line))
		j->unreadable_lines++;
	else if (json_object_get(line, "summary"))
		json_decref(j->summary), j->summary = json_incref(json_object_get(line, "summary"));
	else if (json_object_get(line, "connection")) /* before "process": it names one too */
		rc = connection_line(j, line);
	else if (json_object_get(line, "images"))
		rc = process_line(j, line);
	else if (json_object_get(line, "persistence"))
		rc = persistence_line(j, line);
	else if (!strcmp(jstr(line, "status"), "infected"))
		rc = file_line(j, line);
	json_decref(line);
	return rc;
}

/*
 * Read the child's output that is there; lines are handled as they
 * complete. 1 at end of file. When putting a line's event fails (a full
 * disk), the line and the bytes after it are kept, and the next poll
 * starts again with that line: nothing read is lost.
 */
static int drain_out(rq_scanjob *j)
{
	for (;;) {
		while (j->in_pos < j->in_len) {
			char c = j->in[j->in_pos];
			if (c != '\n') {
				if (j->line_len < RQ_AGENT_SCAN_LINE_MAX)
					j->line[j->line_len++] = c;
				else
					j->line_overlong = 1;
				j->in_pos++;
				continue;
			}
			j->line[j->line_len] = '\0';
			if (j->line_overlong)
				j->unreadable_lines++;
			else if (j->line_len) {
				int rc = handle_line(j, j->line);
				if (rc)
					return rc; /* in_pos stays on the newline: the line is handled again */
			}
			j->in_pos++;
			j->line_len = 0;
			j->line_overlong = 0;
		}
		ssize_t n = read(j->out_fd, j->in, sizeof(j->in));
		if (n == 0)
			return 1;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : 1;
		j->in_len = (size_t)n;
		j->in_pos = 0;
	}
}

/* Keep the child's last complete stderr line (its error message when it fails). */
static void drain_err(rq_scanjob *j)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(j->err_fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (j->err_len < sizeof(j->err_cur) - 1)
					j->err_cur[j->err_len++] = buf[i];
			} else if (j->err_len) {
				memcpy(j->err_tail, j->err_cur, j->err_len);
				j->err_tail[j->err_len] = '\0';
				j->err_len = 0;
			}
		}
	}
}

static uint64_t sum_u64(const json_t *summary, const char *key)
{
	json_t *v = json_object_get(summary, key);
	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

/* The scan event once the child has ended. */
static int finish(rq_scanjob *j)
{
	int code = WIFEXITED(j->status) ? WEXITSTATUS(j->status) : -1;
	int interrupted = j->cancelled || json_is_true(json_object_get(j->summary, "interrupted")) ||
			  WIFSIGNALED(j->status);
	const char *result = interrupted ? "interrupted" : code == 1 || j->detections ? "infected"
							  : code == 0 ? "clean" : "error";
	j->result = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:I, s:I, s:I}", "scan_kind", j->kind, "started",
			      (json_int_t)j->started, "finished", (json_int_t)time(NULL), "files",
			      (json_int_t)sum_u64(j->summary, "scanned_files"), "infected",
			      (json_int_t)j->detections, "errors", (json_int_t)sum_u64(j->summary, "errors"), "result",
			      result, "quarantined", (json_int_t)j->quarantined, "removed", (json_int_t)j->removed,
			      "bytes", (json_int_t)sum_u64(j->summary, "bytes_read"));
	if (!j->result)
		return rq_fail(RQ_ENOMEM, "out of memory");
	if (j->task_id)
		json_object_set_new(j->result, "task_id", json_integer((json_int_t)j->task_id));
	if (!strcmp(result, "error") || !j->summary) {
		json_object_set_new(j->result, "error", json_string(j->err_tail[0] ? j->err_tail
			: WIFSIGNALED(j->status) ? "the scanner was killed by a signal" : "the scanner failed"));
		json_object_set_new(j->result, "exit_status", json_integer(code));
	}
	if (j->unreadable_lines)
		json_object_set_new(j->result, "unreadable_lines", json_integer((json_int_t)j->unreadable_lines));
	return rq_outbox_put_json(j->ob, "scan", RQ_EVENT_SUMMARY, j->result);
}

int rq_scanjob_poll(rq_scanjob *j)
{
	if (j->result)
		return 1;
	if (j->out_fd >= 0) {
		int end = drain_out(j);
		if (end < 0)
			return end;
		drain_err(j);
		if (!end)
			return 0;
		close(j->out_fd);
		j->out_fd = -1;
	}
	if (j->pid > 0) {
		pid_t w = waitpid(j->pid, &j->status, WNOHANG);
		if (w == 0)
			return 0;
		if (w < 0 && errno != ECHILD)
			return 0;
		j->pid = 0;
	}
	drain_err(j);
	int rc = finish(j);
	if (rc) {
		json_decref(j->result);
		j->result = NULL;
		return rc;
	}
	return 1;
}

void rq_scanjob_cancel(rq_scanjob *j)
{
	if (j && j->pid > 0 && !j->cancelled) {
		j->cancelled = 1;
		kill(j->pid, SIGTERM);
	}
}

const json_t *rq_scanjob_summary(const rq_scanjob *j)
{
	return j->result;
}

const char *rq_scanjob_kind(const rq_scanjob *j)
{
	return j->kind;
}

int64_t rq_scanjob_task(const rq_scanjob *j)
{
	return j->task_id;
}

void rq_scanjob_free(rq_scanjob *j)
{
	if (!j)
		return;
	if (j->pid > 0) {
		kill(j->pid, SIGTERM);
		waitpid(j->pid, NULL, 0);
	}
	if (j->out_fd >= 0)
		close(j->out_fd);
	if (j->err_fd >= 0)
		close(j->err_fd);
	json_decref(j->summary);
	json_decref(j->result);
	free(j->line);
	free(j);
}
