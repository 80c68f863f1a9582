/*
 * Test helper for the agent's shell tests: queue events in an outbox the
 * way the scanner will, through the outbox API. Usage:
 *   outbox_put OUTBOX_FILE COUNT [KIND]
 * prints the UUID of each queued event, one per line (fsync'd before the
 * line is printed, so a kill never shows an event that is not on disk).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outbox.h"
#include "raquet/errors.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OUTBOX_FILE COUNT [KIND]\n", argv[0]);
		return 2;
	}
	const char *kind = argc > 3 ? argv[3] : "detection";
	long count = strtol(argv[2], NULL, 10);
	rq_outbox *ob = NULL;
	if (rq_outbox_open(&ob, argv[1], NULL)) {
		fprintf(stderr, "%s\n", rq_error_last());
		return 1;
	}
	int rc = 0;
	for (long i = 0; i < count && !rc; i++) {
		char payload[256], uuid[37];
		if (!strcmp(kind, "scan"))
			snprintf(payload, sizeof(payload), "{\"scan_kind\":\"quick\",\"files\":%ld,\"infected\":0}", i);
		else
			snprintf(payload, sizeof(payload), "{\"path\":\"/home/u/file-%ld.exe\",\"name\":\"Test.Event\","
				 "\"state\":\"active\",\"seq\":%ld}", i, i);
		rc = rq_outbox_put(ob, kind, strcmp(kind, "scan") ? RQ_EVENT_DETAIL : RQ_EVENT_SUMMARY, payload,
				   (int64_t)time(NULL), uuid);
		if (!rc)
			printf("%s\n", uuid);
	}
	if (rc)
		fprintf(stderr, "%s\n", rq_error_last());
	rq_outbox_close(ob);
	return rc ? 1 : 0;
}
