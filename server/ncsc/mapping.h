/*
 * How the store's facts become the values of an AVReport (docs/ncsc.md,
 * "Field mapping"): the one place to adjust when the centre's reading of a
 * field (several are inferred) turns out different. report.c builds the
 * tree from these; nothing else decides a value.
 */
#ifndef RQ_SERVER_NCSC_MAPPING_H
#define RQ_SERVER_NCSC_MAPPING_H

#include <stddef.h>
#include <stdint.h>

#include "store/ncsc.h"

/* The edXML namespace of QCVN 102:2016/BTTTT and the prefix used. */
#define RQ_NCSC_NS "http://www.mic.gov.vn/TBT/QCVN_102_2016"
#define RQ_NCSC_NS_PREFIX "edXML"

/* NumberMachineNotUpdateOn15Day: machines whose newest signature database
 * was built more than this many days before the report, or never reported. */
#define RQ_NCSC_OUTDATED_DAYS 15

/* Times written as text (Subject, LastUpdate): dd-mm-yyyy hh:mm:ss in
 * Vietnam's time (UTC+7, no daylight saving), whatever the server's zone. */
#define RQ_NCSC_TZ_OFFSET (7 * 3600)

/* Longest text value written (bytes): longer ones are cut at a character. */
#define RQ_NCSC_MAX_VALUE 1024

/* `t` as dd-mm-yyyy hh:mm:ss (UTC+7); "" for 0. */
void rq_ncsc_time_text(int64_t t, char out[32]);

/* The machine's @ip: its first reported address ("" when none). */
void rq_ncsc_machine_ip(const char *ips_json, char *out, size_t cap);

/* OSName: "name version" as the agent reported them. */
void rq_ncsc_os_name(const char *name, const char *version, char *out, size_t cap);

/* LastUpdate: when its newest signature database was built ("" unknown). */
void rq_ncsc_last_update(const rq_ncsc_machine *m, char out[32]);

/* AutoProtect / EnableFirewall: "1" on, "0" off. */
const char *rq_ncsc_flag(int on);

/* TypeOfDevice: the endpoint's kind (server, workstation, other). */
const char *rq_ncsc_device_type(const char *kind);

/* MalwareBehavior (inferred): what became of the files -- "active" when
 * any is still in place, else "quarantined", else "removed". */
const char *rq_ncsc_behavior(const rq_ncsc_malware *m);

/* MalwareType: the detection's type as the engine named it, "malware" if none. */
const char *rq_ncsc_malware_type(const char *type);

/* md5 / Sha2: the digest when it is lowercase hex of the right length, else "". */
const char *rq_ncsc_digest(const char *hex, size_t hex_len);

/*
 * `in` made fit for an XML text value: valid UTF-8 kept, invalid bytes and
 * control characters (but tab, CR, LF) become U+FFFD, cut at
 * RQ_NCSC_MAX_VALUE bytes. `out` needs RQ_NCSC_MAX_VALUE + 4 bytes.
 */
void rq_ncsc_clean_text(const char *in, char *out);

#endif
