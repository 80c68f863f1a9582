/*
 * `raquet quarantine list|show|restore|delete|purge|add`: the officer's view
 * of the quarantine vault (include/raquet/vault.h), in text with Vietnamese
 * date order (dd/mm/yyyy) or in JSON. Guide: docs/quarantine.md.
 */
#include "quarantine_cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "raquet/vault.h"
#include "vault_path.h"

#define MAX_NAMES 256

typedef struct qopts {
	const char *vault_dir, *to, *older_than;
	int json, force;
	const char *names[MAX_NAMES];
	size_t n_names;
	char **args; /* positionals: subcommand first */
	int n_args;
} qopts;

void quarantine_help(FILE *f)
{
	fputs("Usage: raquet quarantine COMMAND [OPTIONS]\n"
	      "\n"
	      "Commands:\n"
	      "  list                       list quarantined items\n"
	      "  show ID                    show one item's details\n"
	      "  restore ID [--to PATH] [--force]\n"
	      "                             put an item back (original path by default)\n"
	      "  delete ID                  delete an item for good\n"
	      "  purge --older-than DAYS    delete items quarantined more than DAYS days ago\n"
	      "  add PATH... [--name NAME]  quarantine files by hand (NAME: detection name)\n"
	      "\n"
	      "Options:\n"
	      "  --vault DIR    vault folder (default $RAQUET_VAULT, else " RQ_VAULT_DEFAULT_DIR ")\n"
	      "  --json         machine-readable output\n"
	      "  --to PATH      restore to PATH (a file, or a folder to restore into)\n"
	      "  --force        let restore replace an existing file (a backup item replaces\n"
	      "                 the file raquet rewrote without it, see docs/quarantine.md)\n"
	      "\n"
	      "Exit status: 0 done, 1 not found or refused, 2 error. See docs/quarantine.md.\n",
	      f);
}

static int status_of(int rc)
{
	if (rc == 0)
		return 0;
	if (rc == RQ_ENOTFOUND || rc == RQ_EINVAL || rc == RQ_EPARSE)
		return 1;
	return 2;
}

static int report(int rc)
{
	if (rc != 0)
		fprintf(stderr, "raquet quarantine: %s\n", rq_error_last());
	return status_of(rc);
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "raquet quarantine: %s%s%s (see 'raquet help quarantine')\n", msg,
		arg ? ": " : "", arg ? arg : "");
	return 2;
}

static int parse(qopts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **val = NULL;
		if (!strcmp(a, "--json")) {
			o->json = 1;
			continue;
		}
		if (!strcmp(a, "--force")) {
			o->force = 1;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			quarantine_help(stdout);
			return -1;
		}
		const char *opts[] = { "--vault", "--to", "--older-than", "--name" };
		const char **dests[] = { &o->vault_dir, &o->to, &o->older_than, NULL };
		const char *value = NULL;
		int which = -1;
		for (int k = 0; k < 4 && which < 0; k++) {
			size_t n = strlen(opts[k]);
			if (!strncmp(a, opts[k], n) && a[n] == '=') {
				which = k;
				value = a + n + 1;
			} else if (!strcmp(a, opts[k])) {
				if (i + 1 >= argc)
					return usage_error("option needs a value", a);
				which = k;
				value = argv[++i];
			}
		}
		if (which == 3) {
			if (o->n_names >= MAX_NAMES)
				return usage_error("too many --name options", NULL);
			o->names[o->n_names++] = value;
			continue;
		}
		if (which >= 0) {
			val = dests[which];
			*val = value;
			continue;
		}
		if (a[0] == '-' && a[1])
			return usage_error("unknown option", a);
		o->args[o->n_args++] = argv[i];
	}
	o->vault_dir = vault_path_choose(o->vault_dir);
	return 0;
}

/* dd/mm/yyyy HH:MM:SS in local time. */
static void fmt_time(char *out, size_t cap, int64_t sec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(out, cap, "%d/%m/%Y %H:%M:%S", &tm))
		snprintf(out, cap, "%lld", (long long)sec);
}

static void fmt_time_ns(char *out, size_t cap, int64_t ns)
{
	fmt_time(out, cap, ns / 1000000000LL);
}

static json_t *item_json(const rq_vault_item *it)
{
	json_t *o = json_object(), *names = json_array();
	json_object_set_new(o, "id", json_string(it->id));
	if (it->damaged) {
		json_object_set_new(o, "damaged", json_true());
		json_decref(names);
		return o;
	}
	for (size_t i = 0; i < it->n_detections; i++)
		json_array_append_new(names, json_string(it->detections[i]));
	json_t *path = json_string(it->original_path);
	if (path) {
		json_object_set_new(o, "original_path", path);
	} else { /* not UTF-8: the bytes in hex, as `raquet scan --json` does */
		size_t n = strlen(it->original_path);
		char *hex = malloc(2 * n + 1);
		for (size_t i = 0; hex && i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", (unsigned char)it->original_path[i]);
		if (hex)
			hex[2 * n] = '\0';
		json_object_set_new(o, "original_path_hex", json_string(hex ? hex : ""));
		free(hex);
	}
	json_object_set_new(o, "size", json_integer((json_int_t)it->size));
	json_object_set_new(o, "uid", json_integer(it->uid));
	json_object_set_new(o, "gid", json_integer(it->gid));
	json_object_set_new(o, "owner", json_string(it->owner));
	json_object_set_new(o, "group", json_string(it->group));
	char mode[16];
	snprintf(mode, sizeof mode, "%04o", (unsigned)(it->mode & 07777));
	json_object_set_new(o, "mode", json_string(mode));
	json_object_set_new(o, "atime_ns", json_integer(it->atime_ns));
	json_object_set_new(o, "mtime_ns", json_integer(it->mtime_ns));
	json_object_set_new(o, "sha256", json_string(it->sha256));
	json_object_set_new(o, "detections", names);
	json_object_set_new(o, "quarantined", json_integer(it->quarantined));
	json_object_set_new(o, "host", json_string(it->host));
	json_object_set_new(o, "kind", json_string(it->backup ? "backup" : "file"));
	if (it->replaced_sha256[0])
		json_object_set_new(o, "replaced_sha256", json_string(it->replaced_sha256));
	if (it->note && it->note[0])
		json_object_set_new(o, "note", json_string(it->note));
	if (it->n_links) {
		json_t *links = json_array();
		for (size_t i = 0; i < it->n_links; i++) {
			json_t *l = json_object();
			json_object_set_new(l, "path", json_string(it->link_paths[i]));
			json_object_set_new(l, "target", json_string(it->link_targets[i]));
			json_array_append_new(links, l);
		}
		json_object_set_new(o, "links", links);
	}
	return o;
}

static void print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (s)
		puts(s);
	free(s);
	json_decref(o);
}

static void print_names(const rq_vault_item *it)
{
	for (size_t i = 0; i < it->n_detections; i++)
		printf("%s%s", i ? "," : "", it->detections[i]);
	if (!it->n_detections)
		fputs("-", stdout);
}

static int cmd_list(rq_vault *v, const qopts *o)
{
	rq_vault_item **items = NULL;
	size_t n = 0;
	int rc = rq_vault_list(v, &items, &n);
	if (rc != 0)
		return report(rc);
	if (o->json) {
		json_t *arr = json_array(), *top = json_object();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, item_json(items[i]));
		json_object_set_new(top, "vault", json_string(rq_vault_dir(v)));
		json_object_set_new(top, "items", arr);
		print_json(top);
	} else if (n == 0) {
		printf("The vault %s is empty.\n", rq_vault_dir(v));
	} else {
		printf("%-24s  %-19s  %12s  %s\n", "ID", "QUARANTINED", "SIZE", "DETECTION  PATH");
		for (size_t i = 0; i < n; i++) {
			char when[64];
			if (items[i]->damaged) {
				printf("%-24s  (damaged: metadata fails verification)\n", items[i]->id);
				continue;
			}
			fmt_time(when, sizeof when, items[i]->quarantined);
			printf("%-24s  %-19s  %12llu  ", items[i]->id, when,
			       (unsigned long long)items[i]->size);
			print_names(items[i]);
			printf("  %s%s\n", items[i]->backup ? "[backup] " : "", items[i]->original_path);
		}
	}
	rq_vault_items_free(items, n);
	return 0;
}

static int cmd_show(rq_vault *v, const qopts *o, const char *id)
{
	rq_vault_item *it = NULL;
	int rc = rq_vault_get(v, id, &it);
	if (rc != 0)
		return report(rc);
	if (o->json) {
		print_json(item_json(it));
	} else {
		char q[64], a[64], m[64];
		fmt_time(q, sizeof q, it->quarantined);
		fmt_time_ns(a, sizeof a, it->atime_ns);
		fmt_time_ns(m, sizeof m, it->mtime_ns);
		printf("ID:            %s\n", it->id);
		printf("Original path: %s\n", it->original_path);
		printf("Detections:    ");
		print_names(it);
		printf("\nQuarantined:   %s on host %s\n", q, it->host);
		printf("Size:          %llu bytes\n", (unsigned long long)it->size);
		printf("SHA-256:       %s\n", it->sha256);
		printf("Owner:         %s (uid %u), group %s (gid %u)\n", it->owner, it->uid,
		       it->group, it->gid);
		printf("Mode:          %04o\n", (unsigned)(it->mode & 07777));
		printf("Modified:      %s\n", m);
		printf("Accessed:      %s\n", a);
		if (it->backup)
			printf("Kind:          backup (the file stayed in place and was rewritten by "
			       "raquet; restore puts this content back)\n");
		if (it->note && it->note[0])
			printf("Note:          %s\n", it->note);
		for (size_t i = 0; i < it->n_links; i++)
			printf("Link removed:  %s -> %s\n", it->link_paths[i], it->link_targets[i]);
	}
	rq_vault_item_free(it);
	return 0;
}

static int cmd_restore(rq_vault *v, const qopts *o, const char *id)
{
	char *path = NULL;
	int rc = rq_vault_restore(v, id, o->to, o->force ? RQ_VAULT_FORCE : 0, &path);
	if (rc != 0)
		return report(rc);
	if (o->json) {
		json_t *top = json_object();
		json_object_set_new(top, "id", json_string(id));
		json_t *p = json_string(path);
		json_object_set_new(top, "restored_to", p ? p : json_string("(not UTF-8)"));
		print_json(top);
	} else {
		printf("%s: restored to %s\n", id, path);
	}
	free(path);
	return 0;
}

static int cmd_delete(rq_vault *v, const qopts *o, const char *id)
{
	int rc = rq_vault_delete(v, id);
	if (rc != 0)
		return report(rc);
	if (o->json) {
		json_t *top = json_object();
		json_object_set_new(top, "id", json_string(id));
		json_object_set_new(top, "deleted", json_true());
		print_json(top);
	} else {
		printf("%s: deleted\n", id);
	}
	return 0;
}

static int cmd_purge(rq_vault *v, const qopts *o)
{
	char *end = NULL;
	size_t removed = 0;
	if (!o->older_than)
		return usage_error("purge needs --older-than DAYS", NULL);
	errno = 0;
	unsigned long days = strtoul(o->older_than, &end, 10);
	if (errno || end == o->older_than || *end || o->older_than[0] == '-' || days > 100000)
		return usage_error("--older-than wants a number of days", o->older_than);
	int rc = rq_vault_purge(v, (unsigned)days, &removed);
	if (rc != 0)
		return report(rc);
	if (o->json) {
		json_t *top = json_object();
		json_object_set_new(top, "purged", json_integer((json_int_t)removed));
		print_json(top);
	} else {
		printf("%zu item(s) older than %lu day(s) purged\n", removed, days);
	}
	return 0;
}

static int cmd_add(rq_vault *v, const qopts *o)
{
	int worst = 0;
	json_t *arr = json_array();
	for (int i = 1; i < o->n_args; i++) {
		char id[RQ_VAULT_ID_LEN + 1];
		int rc = rq_vault_quarantine_path(v, o->args[i], o->names, o->n_names, id);
		int st = report(rc);
		worst = st > worst ? st : worst;
		if (rc != 0)
			continue;
		if (o->json) {
			json_t *e = json_object(), *p = json_string(o->args[i]);
			json_object_set_new(e, "path", p ? p : json_string("(not UTF-8)"));
			json_object_set_new(e, "id", json_string(id));
			json_array_append_new(arr, e);
		} else {
			printf("%s: quarantined as %s\n", o->args[i], id);
		}
	}
	if (o->json) {
		json_t *top = json_object();
		json_object_set_new(top, "quarantined", arr);
		print_json(top);
	} else {
		json_decref(arr);
	}
	return worst;
}

int quarantine_main(int argc, char **argv)
{
	qopts o = { 0 };
	rq_vault *v = NULL;
	int status = 2;
	if (!(o.args = calloc((size_t)argc + 1, sizeof *o.args))) {
		fputs("raquet quarantine: out of memory\n", stderr);
		return 2;
	}
	int prc = parse(&o, argc, argv);
	if (prc != 0) {
		status = prc < 0 ? 0 : prc;
		goto done;
	}
	if (o.n_args == 0) {
		quarantine_help(stderr);
		goto done;
	}
	const char *cmd = o.args[0];
	int want = !strcmp(cmd, "list") || !strcmp(cmd, "purge") ? 1
		   : !strcmp(cmd, "show") || !strcmp(cmd, "restore") || !strcmp(cmd, "delete") ? 2
		   : !strcmp(cmd, "add") ? -1 : 0;
	if (want == 0) {
		status = usage_error("unknown command", cmd);
		goto done;
	}
	if ((want > 0 && o.n_args != want) || (want < 0 && o.n_args < 2)) {
		status = usage_error(want == 2 ? "expected one item ID" : want < 0
				     ? "add needs at least one PATH" : "unexpected argument", cmd);
		goto done;
	}
	if ((o.to || o.force) && strcmp(cmd, "restore") != 0) {
		status = usage_error("--to and --force go with restore", NULL);
		goto done;
	}
	int rc = rq_vault_open(&v, o.vault_dir);
	if (rc != 0) {
		report(rc);
		status = 2;
		goto done;
	}
	if (!strcmp(cmd, "list"))
		status = cmd_list(v, &o);
	else if (!strcmp(cmd, "show"))
		status = cmd_show(v, &o, o.args[1]);
	else if (!strcmp(cmd, "restore"))
		status = cmd_restore(v, &o, o.args[1]);
	else if (!strcmp(cmd, "delete"))
		status = cmd_delete(v, &o, o.args[1]);
	else if (!strcmp(cmd, "purge"))
		status = cmd_purge(v, &o);
	else
		status = cmd_add(v, &o);
done:
	rq_vault_close(v);
	free(o.args);
	return status;
}
