/*
 * The option table of `raquet scan` and its parser (clamscan-compatible
 * spellings: --opt=value, --opt value, grouped short flags, "--"), plus the
 * --help text generated from the same table. Reference: docs/cli.md.
 */
#include "scan_options.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum arg_kind {
	ARG_NONE,     /* a plain flag */
	ARG_BOOL,     /* a flag that also accepts =yes / =no */
	ARG_REQUIRED, /* --opt=VALUE or --opt VALUE */
	ARG_OPTIONAL, /* --opt or --opt=VALUE */
} arg_kind;

enum option_id {
	OPT_GROUP = 0,
	OPT_HELP, OPT_VERSION, OPT_VERBOSE, OPT_QUIET, OPT_STDOUT,
	OPT_DATABASE, OPT_STRICT, OPT_TRUSTED_KEYS, OPT_ALLOW_UNSIGNED,
	OPT_RECURSIVE, OPT_FILE_LIST, OPT_FILE_LIST0, OPT_EXCLUDE, OPT_INCLUDE, OPT_EXCLUDE_DIR,
	OPT_CROSS_FS, OPT_ONE_FS, OPT_FOLLOW_DIR, OPT_FOLLOW_FILE, OPT_THREADS,
	OPT_INFECTED, OPT_SUPPRESS_OK, OPT_NO_SUMMARY, OPT_JSON, OPT_PROGRESS, OPT_NO_PROGRESS,
	OPT_ALLMATCH, OPT_SCAN_ARCHIVE, OPT_NO_ARCHIVE, OPT_ALERT_EXCEEDS, OPT_ALERT_ENCRYPTED,
	OPT_MAX_FILESIZE, OPT_MAX_SCANSIZE, OPT_MAX_RECURSION, OPT_MAX_FILES, OPT_MAX_RATIO,
	OPT_ACTION, OPT_REMOVE, OPT_MOVE, OPT_COPY, OPT_VAULT,
	OPT_PROCESSES, OPT_CONNECTIONS, OPT_KILL, OPT_QUICK, OPT_PERSISTENCE, OPT_PERSISTENCE_ROOT,
	OPT_DISABLE_PERSISTENCE,
};

typedef struct option_spec {
	const char *name;   /* long name without "--"; NULL for a group heading */
	char letter;        /* short option, 0 if none */
	arg_kind arg;
	const char *meta;   /* shown as --name=META */
	enum option_id id;
	const char *help;   /* one sentence; the group title for headings */
} option_spec;

static const option_spec options[] = {
	{ NULL, 0, ARG_NONE, NULL, OPT_GROUP, "General:" },
	{ "help", 'h', ARG_NONE, NULL, OPT_HELP, "Print this help and exit." },
	{ "version", 'V', ARG_NONE, NULL, OPT_VERSION, "Print \"raquet VERSION\" and exit." },
	{ "verbose", 'v', ARG_BOOL, NULL, OPT_VERBOSE,
	  "Also report signature counts and skipped entries (on stderr)." },
	{ "quiet", 0, ARG_BOOL, NULL, OPT_QUIET, "Print only errors: no result lines, no summary." },
	{ "stdout", 0, ARG_BOOL, NULL, OPT_STDOUT, "Accepted for clamscan compatibility; results always go to stdout." },

	{ NULL, 0, ARG_NONE, NULL, OPT_GROUP, "Signatures:" },
	{ "database", 'd', ARG_REQUIRED, "FILE|DIR", OPT_DATABASE,
	  "Load a signature file, or every signature file in a folder; repeatable. "
	  "Default: $RAQUET_DB, else /var/lib/raquet/sigs if it exists, else only the built-in EICAR signature." },
	{ "strict", 0, ARG_BOOL, NULL, OPT_STRICT, "Make a malformed or unsupported signature line a fatal error." },
	{ "trusted-keys", 0, ARG_REQUIRED, "DIR", OPT_TRUSTED_KEYS,
	  "Folder of public keys (*.pub) trusted to sign .rqdb databases. Default: $RAQUET_KEYS, else /etc/raquet/keys." },
	{ "allow-unsigned", 0, ARG_BOOL, NULL, OPT_ALLOW_UNSIGNED,
	  "Accept an intact .rqdb that is unsigned or signed by an unknown key, only when the file itself is named with -d." },

	{ NULL, 0, ARG_NONE, NULL, OPT_GROUP, "What to scan:" },
	{ "recursive", 'r', ARG_BOOL, NULL, OPT_RECURSIVE,
	  "Descend into sub-folders (without it only the files directly inside a folder are scanned)." },
	{ "file-list", 'f', ARG_REQUIRED, "FILE", OPT_FILE_LIST, "Also scan the paths listed in FILE, one per line (\"-\": standard input)." },
	{ "file-list0", 0, ARG_REQUIRED, "FILE", OPT_FILE_LIST0, "Same with NUL-separated paths (find -print0)." },
	{ "exclude", 0, ARG_REQUIRED, "GLOB", OPT_EXCLUDE, "Skip files whose path or name matches GLOB (fnmatch, not a regex); repeatable." },
	{ "include", 0, ARG_REQUIRED, "GLOB", OPT_INCLUDE, "Scan only files whose path or name matches GLOB; repeatable." },
	{ "exclude-dir", 0, ARG_REQUIRED, "GLOB", OPT_EXCLUDE_DIR, "Do not enter folders whose path or name matches GLOB; repeatable." },
	{ "cross-fs", 0, ARG_BOOL, NULL, OPT_CROSS_FS, "Enter other file systems mounted below a path (default yes)." },
	{ "one-file-system", 0, ARG_NONE, NULL, OPT_ONE_FS, "Same as --cross-fs=no." },
	{ "follow-dir-symlinks", 0, ARG_OPTIONAL, "0|1|2", OPT_FOLLOW_DIR,
	  "Symlinks to folders: 0 never, 1 only when given as a path (default), 2 always; bare flag means 2." },
	{ "follow-file-symlinks", 0, ARG_OPTIONAL, "0|1|2", OPT_FOLLOW_FILE,
	  "Symlinks to files, same values." },
	{ "threads", 'j', ARG_REQUIRED, "N", OPT_THREADS, "Scanner threads (default: one per CPU)." },

	{ NULL, 0, ARG_NONE, NULL, OPT_GROUP, "Output:" },
	{ "infected", 'i', ARG_BOOL, NULL, OPT_INFECTED, "Print only infected files (and notices and errors)." },
	{ "suppress-ok-results", 'o', ARG_BOOL, NULL, OPT_SUPPRESS_OK, "Same as --infected." },
	{ "no-summary", 0, ARG_NONE, NULL, OPT_NO_SUMMARY, "Do not print the summary at the end." },
	{ "json", 0, ARG_BOOL, NULL, OPT_JSON, "One JSON object per line for each file, then a summary object." },
	{ "progress", 0, ARG_BOOL, NULL, OPT_PROGRESS, "Show the progress line on stderr even if it is not a terminal." },
	{ "no-progress", 0, ARG_NONE, NULL, OPT_NO_PROGRESS, "Never show the progress line." },

	{ NULL, 0, ARG_NONE, NULL, OPT_GROUP, "Detection:" },
	{ "allmatch", 'z', ARG_BOOL, NULL, OPT_ALLMATCH, "Report every matching signature, not only the first." },
	{ "scan-archive", 0, ARG_BOOL, NULL, OPT_SCAN_ARCHIVE, "Look inside archives (default yes)." },
	{ "no-archive", 0, ARG_NONE, NULL, OPT_NO_ARCHIVE, "Same as --scan-archive=no." },
	{ "alert-exceeds-max", 0, ARG_BOOL, NULL, OPT_ALERT_EXCEEDS,
	  "Count files not fully scanned because of a limit as infected (Heuristics.Limits.Exceeded.*)." },
	{ "alert-encrypted", 0, ARG_BOOL, NULL, OPT_ALERT_ENCRYPTED,
	  "Count encrypted archive members as infected (Heuristics.Encrypted.*)." },

	{ NULL, 0, ARG_NONE, NULL, OPT_GROUP, "Limits (0 = no limit; sizes take K, M or G):" },
	{ "max-filesize", 0, ARG_REQUIRED, "SIZE", OPT_MAX_FILESIZE, "Larger files and members are not scanned." },
	{ "max-scansize", 0, ARG_REQUIRED, "SIZE", OPT_MAX_SCANSIZE, "Bytes scanned per file, archive members included." },
	{ "max-recursion", 0, ARG_REQUIRED, "N", OPT_MAX_RECURSION, "Archive nesting depth." },
	{ "max-files", 0, ARG_REQUIRED, "N", OPT_MAX_FILES, "Archive members scanned per file." },
	{ "max-ratio", 0, ARG_REQUIRED, "N", OPT_MAX_RATIO, "Member size / compressed size above which a member is a bomb." },

	{ NULL, 0, ARG_NONE, NULL, OPT_GROUP, "Actions on files reported as FOUND (on the archive file for a member):" },
	{ "action", 0, ARG_REQUIRED, "report|quarantine|remove", OPT_ACTION,
	  "What to do with each infected file. Default: report (nothing)." },
	{ "remove", 0, ARG_BOOL, NULL, OPT_REMOVE, "Same as --action=remove: delete infected files." },
	{ "move", 0, ARG_REQUIRED, "DIR", OPT_MOVE,
	  "Move infected files into the folder DIR (NAME.1, NAME.2 ... if NAME is taken)." },
	{ "copy", 0, ARG_REQUIRED, "DIR", OPT_COPY, "Copy infected files into the folder DIR, the same way." },
	{ "vault", 0, ARG_REQUIRED, "DIR", OPT_VAULT,
	  "The quarantine vault of --action=quarantine. Default: $RAQUET_VAULT, else /var/lib/raquet/quarantine." },

	{ NULL, 0, ARG_NONE, NULL, OPT_GROUP, "Running processes (Linux):" },
	{ "processes", 0, ARG_BOOL, NULL, OPT_PROCESSES,
	  "Also scan the executable and executable mappings of every running process, "
	  "deleted files included; without PATH only the processes are scanned." },
	{ "connections", 0, ARG_BOOL, NULL, OPT_CONNECTIONS,
	  "Also list the TCP and UDP connections to addresses of loaded IOC lists (IPs and networks), with "
	  "the owning process and its executable's MD5 and SHA-256." },
	{ "kill", 0, ARG_BOOL, NULL, OPT_KILL,
	  "With --processes, --connections or --quick: SIGKILL each process running a detected image "
	  "or holding a malicious connection (never pid 1 or raquet)." },
	{ "quick", 0, ARG_BOOL, NULL, OPT_QUICK,
	  "Scan where malware usually lives: the running processes (--processes), their connections "
	  "(--connections), /tmp, /var/tmp, "
	  "/dev/shm and users' Downloads folders, recursively, and the persistence entries (--persistence; "
	  "report only unless --disable-persistence is given)." },

	{ NULL, 0, ARG_NONE, NULL, OPT_GROUP, "Persistence (Linux):" },
	{ "persistence", 0, ARG_BOOL, NULL, OPT_PERSISTENCE,
	  "Also scan the files started by persistence entries (ld.so.preload, rc.local, systemd units, "
	  "crontabs, shell start-up files, XDG autostart) and report the entries that start a detected file." },
	{ "persistence-root", 0, ARG_REQUIRED, "DIR", OPT_PERSISTENCE_ROOT,
	  "Testing aid: read the persistence places and their targets under DIR instead of /." },
	{ "disable-persistence", 0, ARG_BOOL, NULL, OPT_DISABLE_PERSISTENCE,
	  "Implies --persistence; disable each entry that starts a detected file, keeping a backup "
	  "in the vault (--vault) that 'raquet quarantine restore' puts back." },
};

#define OPTION_COUNT (sizeof(options) / sizeof(options[0]))

int strlist_add(strlist *l, const char *s)
{
	if (l->n + 2 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		const char **nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
	return 0;
}

void strlist_free(strlist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void scan_config_free(scan_config *cfg)
{
	strlist_free(&cfg->databases);
	strlist_free(&cfg->paths);
	strlist_free(&cfg->file_lists);
	strlist_free(&cfg->file_lists0);
	strlist_free(&cfg->exclude);
	strlist_free(&cfg->include);
	strlist_free(&cfg->exclude_dir);
}

/* --- help --- */

#define HELP_COLUMN 32
#define HELP_WIDTH 79

static void print_wrapped(FILE *f, const char *text, size_t col)
{
	size_t at = col;
	while (*text) {
		size_t word = strcspn(text, " ");
		if (at > col && at + 1 + word > HELP_WIDTH) {
			fprintf(f, "\n%*s", (int)col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', f);
			at++;
		}
		fwrite(text, 1, word, f);
		at += word;
		text += word;
		while (*text == ' ')
			text++;
	}
	fputc('\n', f);
}

/* " Default: 100M." for the limits, from the library's own defaults. */
static const char *default_text(enum option_id id)
{
	static char buf[64];
	rq_scan_limits lim;
	uint64_t v;
	rq_scan_limits_default(&lim);
	switch (id) {
	case OPT_MAX_FILESIZE: v = lim.max_filesize; break;
	case OPT_MAX_SCANSIZE: v = lim.max_scansize; break;
	case OPT_MAX_RECURSION: v = lim.max_recursion; break;
	case OPT_MAX_FILES: v = lim.max_files; break;
	case OPT_MAX_RATIO: v = lim.max_ratio; break;
	default: return "";
	}
	int is_size = id == OPT_MAX_FILESIZE || id == OPT_MAX_SCANSIZE;
	if (is_size && v && v % (1024 * 1024) == 0)
		snprintf(buf, sizeof(buf), " Default: %" PRIu64 "M.", v / (1024 * 1024));
	else
		snprintf(buf, sizeof(buf), " Default: %" PRIu64 ".", v);
	return buf;
}

void scan_options_help(FILE *f)
{
	fputs("Usage: raquet scan [OPTIONS] [PATH...]\n"
	      "\n"
	      "Scan files and folders for malware with ClamAV (.hdb .hsb .ndb .fp .sfp .ign2,\n"
	      ".cvd .cld containers), YARA and IOC hash-list signatures. Prints\n"
	      "\"PATH: NAME FOUND\" for each detection, like clamscan. Without PATH the\n"
	      "current folder is scanned.\n"
	      "Flags shown without a value also accept =yes or =no.\n",
	      f);
	for (size_t i = 0; i < OPTION_COUNT; i++) {
		const option_spec *o = &options[i];
		if (!o->name) {
			fprintf(f, "\n%s\n", o->help);
			continue;
		}
		char spec[96];
		int n;
		const char *meta = o->meta ? o->meta : "";
		const char *fmt = o->arg == ARG_REQUIRED ? "=%s" : o->arg == ARG_OPTIONAL ? "[=%s]" : "%s";
		char tail[48];
		snprintf(tail, sizeof(tail), fmt, o->arg == ARG_REQUIRED || o->arg == ARG_OPTIONAL ? meta : "");
		if (o->letter)
			n = snprintf(spec, sizeof(spec), "  -%c, --%s%s", o->letter, o->name, tail);
		else
			n = snprintf(spec, sizeof(spec), "      --%s%s", o->name, tail);
		fputs(spec, f);
		if (n + 2 > HELP_COLUMN) {
			fprintf(f, "\n%*s", HELP_COLUMN, "");
		} else {
			fprintf(f, "%*s", HELP_COLUMN - n, "");
		}
		char text[512];
		snprintf(text, sizeof(text), "%s%s", o->help, default_text(o->id));
		print_wrapped(f, text, HELP_COLUMN);
	}
	fputs("\nExit status: 0 nothing found, 1 something found, 2 an error happened\n"
	      "(1 wins when both happen).\n",
	      f);
}

/* --- values --- */

__attribute__((format(printf, 1, 2)))
static int usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("raquet scan: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'raquet scan --help' for more information.\n", stderr);
	return SCAN_OPTIONS_USAGE;
}

static int parse_bool(const char *v, int *out)
{
	static const char *yes[] = { "yes", "y", "true", "on", "1" };
	static const char *no[] = { "no", "n", "false", "off", "0" };
	if (!v) {
		*out = 1;
		return 0;
	}
	for (size_t i = 0; i < 5; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int parse_u64(const char *v, uint64_t max, uint64_t *out)
{
	if (!v || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	char *end = NULL;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno || *end || n > max)
		return -1;
	*out = n;
	return 0;
}

/* A size: digits and an optional K, M or G (powers of 1024), "KB"/"MB"/"GB" too. */
static int parse_size(const char *v, uint64_t *out)
{
	if (!v || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	char *end = NULL;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno)
		return -1;
	uint64_t mult = 1;
	switch (*end) {
	case 'k': case 'K': mult = 1024ULL; end++; break;
	case 'm': case 'M': mult = 1024ULL * 1024; end++; break;
	case 'g': case 'G': mult = 1024ULL * 1024 * 1024; end++; break;
	default: break;
	}
	if (mult > 1 && (*end == 'b' || *end == 'B'))
		end++;
	if (*end || n > UINT64_MAX / mult)
		return -1;
	*out = n * mult;
	return 0;
}

/* One action per scan: a second, different one is a usage error. */
static int set_action(scan_config *cfg, scan_action_kind kind, const char *shown)
{
	if (kind != ACTION_REPORT && cfg->action != ACTION_REPORT && cfg->action != kind)
		return usage("%s: only one of --action, --remove, --move and --copy can be given "
			     "(already: %s)", shown, scan_action_name(cfg->action));
	cfg->action = kind;
	return SCAN_OPTIONS_OK;
}

static int apply(scan_config *cfg, const option_spec *o, const char *v, const char *shown)
{
	uint64_t n = 0;
	int b = 0;
	if (o->arg == ARG_BOOL && parse_bool(v, &b))
		return usage("invalid value '%s' for %s: expected yes or no", v, shown);
	switch (o->id) {
	case OPT_GROUP:
		break;
	case OPT_HELP:
		scan_options_help(stdout);
		return SCAN_OPTIONS_EXIT;
	case OPT_VERSION:
		printf("raquet %s\n", rq_version());
		return SCAN_OPTIONS_EXIT;
	case OPT_VERBOSE: cfg->verbose = b; break;
	case OPT_QUIET: cfg->quiet = b; break;
	case OPT_STDOUT: break;
	case OPT_DATABASE:
		if (strlist_add(&cfg->databases, v))
			goto nomem;
		break;
	case OPT_STRICT: cfg->strict = b; break;
	case OPT_TRUSTED_KEYS: cfg->trusted_keys = v; break;
	case OPT_ALLOW_UNSIGNED: cfg->allow_unsigned = b; break;
	case OPT_RECURSIVE: cfg->recursive = b; break;
	case OPT_FILE_LIST:
		if (strlist_add(&cfg->file_lists, v))
			goto nomem;
		break;
	case OPT_FILE_LIST0:
		if (strlist_add(&cfg->file_lists0, v))
			goto nomem;
		break;
	case OPT_EXCLUDE:
		if (strlist_add(&cfg->exclude, v))
			goto nomem;
		break;
	case OPT_INCLUDE:
		if (strlist_add(&cfg->include, v))
			goto nomem;
		break;
	case OPT_EXCLUDE_DIR:
		if (strlist_add(&cfg->exclude_dir, v))
			goto nomem;
		break;
	case OPT_CROSS_FS: cfg->cross_fs = b; break;
	case OPT_ONE_FS: cfg->cross_fs = 0; break;
	case OPT_FOLLOW_DIR:
	case OPT_FOLLOW_FILE:
		if (!v)
			n = 2;
		else if (parse_u64(v, 2, &n))
			return usage("invalid value '%s' for %s: expected 0, 1 or 2", v, shown);
		if (o->id == OPT_FOLLOW_DIR)
			cfg->follow_dir_symlinks = (int)n;
		else
			cfg->follow_file_symlinks = (int)n;
		break;
	case OPT_THREADS:
		if (parse_u64(v, 4096, &n))
			return usage("invalid value '%s' for %s: expected a number of threads", v, shown);
		cfg->threads = (unsigned)n;
		break;
	case OPT_INFECTED:
	case OPT_SUPPRESS_OK: cfg->infected_only = b; break;
	case OPT_NO_SUMMARY: cfg->no_summary = 1; break;
	case OPT_JSON: cfg->json = b; break;
	case OPT_PROGRESS: cfg->progress = b; break;
	case OPT_NO_PROGRESS: cfg->progress = 0; break;
	case OPT_ALLMATCH: cfg->all_matches = b; break;
	case OPT_SCAN_ARCHIVE: cfg->scan_archives = b; break;
	case OPT_NO_ARCHIVE: cfg->scan_archives = 0; break;
	case OPT_ALERT_EXCEEDS: cfg->alert_exceeds_max = b; break;
	case OPT_ALERT_ENCRYPTED: cfg->alert_encrypted = b; break;
	case OPT_MAX_FILESIZE:
	case OPT_MAX_SCANSIZE:
		if (parse_size(v, &n))
			return usage("invalid value '%s' for %s: expected a size such as 25M", v, shown);
		if (o->id == OPT_MAX_FILESIZE)
			cfg->limits.max_filesize = n;
		else
			cfg->limits.max_scansize = n;
		break;
	case OPT_MAX_RECURSION:
	case OPT_MAX_FILES:
	case OPT_MAX_RATIO:
		if (parse_u64(v, UINT32_MAX, &n))
			return usage("invalid value '%s' for %s: expected a number", v, shown);
		if (o->id == OPT_MAX_RECURSION)
			cfg->limits.max_recursion = (unsigned)n;
		else if (o->id == OPT_MAX_FILES)
			cfg->limits.max_files = (unsigned)n;
		else
			cfg->limits.max_ratio = (unsigned)n;
		break;
	case OPT_ACTION:
		if (!strcmp(v, "report"))
			return set_action(cfg, ACTION_REPORT, shown);
		if (!strcmp(v, "quarantine"))
			return set_action(cfg, ACTION_QUARANTINE, shown);
		if (!strcmp(v, "remove"))
			return set_action(cfg, ACTION_REMOVE, shown);
		return usage("invalid value '%s' for %s: expected report, quarantine or remove", v, shown);
	case OPT_REMOVE:
		if (b)
			return set_action(cfg, ACTION_REMOVE, shown);
		if (cfg->action == ACTION_REMOVE)
			cfg->action = ACTION_REPORT;
		break;
	case OPT_MOVE:
	case OPT_COPY:
		if (!*v)
			return usage("%s needs a folder", shown);
		cfg->action_dir = v;
		return set_action(cfg, o->id == OPT_MOVE ? ACTION_MOVE : ACTION_COPY, shown);
	case OPT_VAULT: cfg->vault_dir = v; break;
	case OPT_PROCESSES: cfg->processes = b; break;
	case OPT_CONNECTIONS: cfg->connections = b; break;
	case OPT_KILL: cfg->kill = b; break;
	case OPT_QUICK: cfg->quick = b; break;
	case OPT_PERSISTENCE: cfg->persistence = b ? (cfg->persistence ? cfg->persistence : 1) : 0; break;
	case OPT_DISABLE_PERSISTENCE: /* cfg->persistence 2: PERSIST_DISABLE (scan_persist.h) */
		cfg->persistence = b ? 2 : (cfg->persistence ? 1 : 0);
		break;
	case OPT_PERSISTENCE_ROOT:
		if (!*v)
			return usage("%s needs a folder", shown);
		cfg->persistence_root = v;
		break;
	}
	return SCAN_OPTIONS_OK;
nomem:
	fputs("raquet scan: out of memory\n", stderr);
	return SCAN_OPTIONS_USAGE;
}

static const option_spec *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (options[i].name && strlen(options[i].name) == len &&
		    !strncmp(options[i].name, name, len))
			return &options[i];
	return NULL;
}

static const option_spec *find_short(char c)
{
	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (options[i].name && options[i].letter == c)
			return &options[i];
	return NULL;
}

static void defaults(scan_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->progress = -1;
	cfg->cross_fs = 1;
	cfg->follow_dir_symlinks = 1;
	cfg->follow_file_symlinks = 1;
	cfg->scan_archives = 1;
	rq_scan_limits_default(&cfg->limits);
}

int scan_options_parse(scan_config *cfg, int argc, char **argv)
{
	int rc = SCAN_OPTIONS_OK;
	int operands_only = 0;
	defaults(cfg);
	for (int i = 1; i < argc && rc == SCAN_OPTIONS_OK; i++) {
		const char *a = argv[i];
		if (operands_only || a[0] != '-' || a[1] == '\0') {
			if (strlist_add(&cfg->paths, a))
				rc = usage("out of memory");
			continue;
		}
		if (!strcmp(a, "--")) {
			operands_only = 1;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const option_spec *o = find_long(name, len);
			char shown[128];
			snprintf(shown, sizeof(shown), "--%.*s", (int)(len < 100 ? len : 100), name);
			if (!o) {
				rc = usage("unknown option '%s'", shown);
				break;
			}
			const char *v = eq ? eq + 1 : NULL;
			if (v && o->arg == ARG_NONE) {
				rc = usage("option '%s' takes no value", shown);
				break;
			}
			if (!v && o->arg == ARG_REQUIRED) {
				if (i + 1 >= argc) {
					rc = usage("option '%s' needs a value", shown);
					break;
				}
				v = argv[++i];
			}
			rc = apply(cfg, o, v, shown);
			continue;
		}
		for (size_t j = 1; a[j] && rc == SCAN_OPTIONS_OK; j++) {
			char shown[4] = { '-', a[j], '\0', '\0' };
			const option_spec *o = find_short(a[j]);
			if (!o) {
				rc = usage("unknown option '%s'", shown);
				break;
			}
			if (o->arg == ARG_REQUIRED) {
				const char *v = a[j + 1] ? a + j + 1 : NULL;
				if (!v) {
					if (i + 1 >= argc) {
						rc = usage("option '%s' needs a value", shown);
						break;
					}
					v = argv[++i];
				}
				rc = apply(cfg, o, v, shown);
				break;
			}
			rc = apply(cfg, o, NULL, shown);
		}
	}
	if (rc == SCAN_OPTIONS_OK && cfg->quick) {
		cfg->processes = cfg->recursive = cfg->connections = 1;
		if (!cfg->persistence)
			cfg->persistence = 1;
	}
	if (rc == SCAN_OPTIONS_OK && cfg->kill && !cfg->processes && !cfg->connections)
		rc = usage("--kill needs --processes, --connections or --quick");
	if (rc == SCAN_OPTIONS_OK && cfg->quiet)
		cfg->infected_only = 1;
	return rc;
}
