/* Default scan options and limits (values and reasons in lib/core/limits.h). */
#include <string.h>

#include "core/limits.h"
#include "raquet/scanner.h"

void rq_scan_limits_default(rq_scan_limits *out)
{
	out->max_filesize = RQ_DEFAULT_MAX_FILESIZE;
	out->max_scansize = RQ_DEFAULT_MAX_SCANSIZE;
	out->max_recursion = RQ_DEFAULT_MAX_RECURSION;
	out->max_files = RQ_DEFAULT_MAX_FILES;
	out->max_ratio = RQ_DEFAULT_MAX_RATIO;
}

void rq_scan_options_default(rq_scan_options *out)
{
	memset(out, 0, sizeof(*out));
	rq_scan_limits_default(&out->limits);
	out->scan_archives = 1;
}
