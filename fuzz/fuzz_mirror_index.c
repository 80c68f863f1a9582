/*
 * libFuzzer harness for mirror indexes (index.json, lib/db/mirror.c): parse
 * arbitrary bytes; whatever parses must dump and parse again to the same
 * entries. The signature is checked before parsing in `raquet update`, but
 * the parser must hold against a hostile or damaged mirror all the same.
 */
#include <stdlib.h>
#include <string.h>

#include "db/mirror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rq_mirror_index idx, again;
	char *text = NULL;
	size_t len = 0;
	if (rq_mirror_index_parse(&idx, data, size) != 0)
		return 0;
	if (rq_mirror_index_dump(&idx, &text, &len) == 0) {
		if (rq_mirror_index_parse(&again, (const uint8_t *)text, len) != 0 ||
		    again.count != idx.count ||
		    (idx.count && memcmp(again.dbs, idx.dbs, idx.count * sizeof *idx.dbs)))
			abort();
		rq_mirror_index_clear(&again);
	}
	free(text);
	rq_mirror_index_clear(&idx);
	return 0;
}
