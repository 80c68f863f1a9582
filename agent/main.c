/*
 * raquetd, the endpoint agent: options, signal handlers that only set
 * flags, then the loop of daemon.c. Runs in the foreground (systemd's
 * Type=simple); guide: docs/agent.md, manual: raquetd(8).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "agent_limits.h"
#include "raquet/raquet.h"

static void usage(FILE *f)
{
	fputs("Usage: raquetd [OPTIONS]\n"
	      "\n"
	      "The raquet endpoint agent: heartbeats to raquet-server, runs its tasks and\n"
	      "the unit's scheduled scans, keeps the signature databases up to date,\n"
	      "protects in real time (fanotify), watches connections to malicious\n"
	      "addresses, and delivers every report exactly once (outbox).\n"
	      "Enroll first with 'raquet agent enroll'. Guide: docs/agent.md.\n"
	      "\n"
	      "Options:\n"
	      "  --config FILE      configuration (default " RQ_AGENT_DEFAULT_CONFIG ")\n"
	      "  --state-dir DIR    state folder (default: the configuration's, " RQ_AGENT_DEFAULT_STATE_DIR ")\n"
	      "  --foreground       stay in the foreground (always the case; for systemd and scripts)\n"
	      "  --once             one heartbeat and one full outbox upload, then exit\n"
	      "                     (status 0 when both succeeded, 1 otherwise)\n"
	      "  --version          print the version\n"
	      "  -h, --help         print this help\n"
	      "\n"
	      "Signals: SIGTERM/SIGINT stop, SIGHUP reloads the configuration,\n"
	      "SIGUSR1 contacts the server now (new tasks, policy).\n",
	      f);
}

static void on_signal(int sig)
{
	rq_daemon_signal(sig);
}

int main(int argc, char **argv)
{
	rq_daemon_options o = { 0 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((!strcmp(a, "--config") || !strcmp(a, "--state-dir")) && i + 1 < argc) {
			if (!strcmp(a, "--config"))
				o.config_path = argv[++i];
			else
				o.state_dir = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			o.config_path = a + 9;
		} else if (!strncmp(a, "--state-dir=", 12)) {
			o.state_dir = a + 12;
		} else if (!strcmp(a, "--foreground")) {
			/* nothing to do: raquetd never forks */
		} else if (!strcmp(a, "--once")) {
			o.once = 1;
		} else if (!strcmp(a, "--version")) {
			printf("raquetd %s\n", rq_version());
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "raquetd: %s: unknown option or missing value\n", a);
			usage(stderr);
			return 2;
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: sleeps are cut short */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	int rc = rq_daemon_run(&o);
	if (rc) {
		fprintf(stderr, "raquetd: %s\n", rq_error_last());
		return 1;
	}
	return 0;
}
