/*
 * Uploaded evidence (a signed PDF, a photo of the training, the issued
 * regulation as DOCX...): which types are accepted, decided from the
 * bytes and never from the name or the client's Content-Type, and the
 * file name cleaned before it is kept or sent back in a header. Pure
 * functions (fuzzable); the bytes live in the store (store/campaigns.c).
 * Implemented in evidence.c.
 */
#ifndef RQ_SERVER_CAMPAIGN_EVIDENCE_H
#define RQ_SERVER_CAMPAIGN_EVIDENCE_H

#include <stddef.h>

/* Largest evidence file: a scanned, signed decision of a few dozen pages.
 * The server's body_limit ([server] body_limit, 4M by default) applies
 * first; both answer 413. */
#define RQ_EVIDENCE_MAX_BYTES (10u * 1024 * 1024)
/* Longest kept file name, bytes of UTF-8 (cut at a character). */
#define RQ_EVIDENCE_NAME_MAX 120
/* ZIP central directory entries looked at to tell DOCX from XLSX. */
#define RQ_EVIDENCE_ZIP_ENTRIES 4096

typedef enum rq_evidence_type {
	RQ_EVIDENCE_PDF = 0,
	RQ_EVIDENCE_PNG,
	RQ_EVIDENCE_JPEG,
	RQ_EVIDENCE_DOCX,
	RQ_EVIDENCE_XLSX,
	RQ_EVIDENCE_ODT,
	RQ_EVIDENCE_TYPE_COUNT
} rq_evidence_type;

/* The type of `len` bytes, or -1 when they are none of the accepted ones. */
int rq_evidence_sniff(const unsigned char *data, size_t len);
/* Media type and file extension (".pdf") of a type. */
const char *rq_evidence_media_type(rq_evidence_type t);
const char *rq_evidence_extension(rq_evidence_type t);

/*
 * A safe file name from what the client sent into `out` (at least
 * RQ_EVIDENCE_NAME_MAX + 1 bytes): only the last path component (after /
 * or \), invalid UTF-8, control characters (C0, DEL, C1) and the Unicode
 * direction and zero-width controls (RLO U+202E and friends) dropped,
 * characters Windows refuses (<>:"|?*) replaced by '_', leading dots and
 * spaces and trailing dots and spaces removed, cut to RQ_EVIDENCE_NAME_MAX
 * bytes at a character; then the type's extension appended unless the
 * name already ends with it (so "a.pdf.exe" of a PDF becomes
 * "a.pdf.exe.pdf"). Never empty: "evidence" + extension.
 */
void rq_evidence_clean_name(const char *name, rq_evidence_type t, char *out);

#endif
