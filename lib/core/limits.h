/*
 * Every limit of libraquet in one place, with the reason for its value.
 * Defaults of the configurable scan limits follow clamscan's so that a
 * drop-in user sees the same behaviour; hard limits protect the engine
 * from hostile signature files and inputs.
 */
#ifndef RQ_CORE_LIMITS_H
#define RQ_CORE_LIMITS_H

#define RQ_MIB (1024ULL * 1024ULL)

/* --- configurable scan limits: defaults (0 in rq_scan_limits = unlimited) --- */

/* clamscan's --max-filesize default: larger files are not scanned. */
#define RQ_DEFAULT_MAX_FILESIZE (100ULL * RQ_MIB)
/* clamscan's --max-scansize default: bytes scanned per file, members included. */
#define RQ_DEFAULT_MAX_SCANSIZE (400ULL * RQ_MIB)
/* clamscan's --max-recursion default: archive nesting depth. */
#define RQ_DEFAULT_MAX_RECURSION 17
/* clamscan's --max-files default: members scanned per file. */
#define RQ_DEFAULT_MAX_FILES 10000
/*
 * Expansion ratio (member size / compressed size) above which a member is a
 * decompression bomb. Ordinary data rarely passes 20:1 and text 100:1; the
 * classic zip bombs (42.zip, overlapping zips) run at 1000:1 and beyond.
 * Only applied to members larger than RQ_RATIO_MIN_SIZE.
 */
#define RQ_DEFAULT_MAX_RATIO 250
#define RQ_RATIO_MIN_SIZE (1ULL * RQ_MIB)

/* --- hard limits --- */

/* Longest line accepted in a text signature file (ClamAV lines stay far below). */
#define RQ_MAX_SIG_LINE (1024 * 1024)
/* Longest signature name kept. */
#define RQ_MAX_SIG_NAME 512
/* Body signature program: elements and alternatives per group, bounded so a
 * hostile .ndb cannot make verification explode. */
#define RQ_MAX_SIG_ELEMENTS 4096
#define RQ_MAX_ALTERNATIVES 256
/* Fixed-width segment of a body signature (bytes between variable gaps). */
#define RQ_MAX_SEGMENT_LEN 4096
/* Work budget (steps) for verifying one candidate match of a body signature. */
#define RQ_MAX_VERIFY_STEPS 100000
/* Largest number in a hex pattern's `{..}`: far beyond any real signature,
 * and sums of a few still fit the 32-bit gap bounds. */
#define RQ_MAX_HEX_NUMBER (1u << 30)
/* `{n}` below this stays inside its part as n skipped bytes, as ClamAV turns
 * {n<128} into n `??`; a larger one splits the signature in two parts. */
#define RQ_HEX_SPLIT_SKIP 128
/* Fixed-width forms of one part made by alternatives of different lengths
 * (one per combination of lengths), each with its own anchor. */
#define RQ_MAX_SEG_VARIANTS 64
/* Widest anchor handed to vectorscan: longer literals do not make the
 * prefilter more selective, they only make its database larger. */
#define RQ_MAX_ANCHOR_LEN 32
/* An anchor with this many bits of specificity (4 literal bytes) is good
 * enough as a plain literal; weaker ones may take `??` inside to grow. */
#define RQ_ANCHOR_GOOD_BITS 32
/* ClamAV's own rule: every part of a body signature holds at least two fully
 * fixed bytes in a row; weaker anchors would flood the verifier. */
#define RQ_MIN_ANCHOR_FIXED 2
/* A bounded gap {n-m} keeps a bitmap of the ends of the part before it over
 * n + (width of the part after it) bytes; beyond this the signature is refused
 * rather than given a large per-scanner bitmap. */
#define RQ_MAX_GAP_WINDOW 65536
/* Text of one anchor's vectorscan expression: a wide group of alternatives
 * with many byte classes could otherwise make a huge pattern. */
#define RQ_MAX_ANCHOR_EXPR 65536
/* clamscan's --max-scriptsize default: text files up to this size are also
 * matched after normalisation (target type 7, and type 0 again). */
#define RQ_MAX_SCRIPT_NORMALIZE (5ULL * RQ_MIB)
/* Candidate matches (anchor hits) waiting for verification in one stream;
 * only reachable with anchors that hit on almost every byte. */
#define RQ_MAX_BODY_CANDIDATES (1 << 20)
/* Bytes handed to one vectorscan call, bounding the candidates one call can queue. */
#define RQ_BODY_SCAN_BLOCK (64 * 1024)

/* ClamAV .cvd/.cld containers: largest member and sum of members read into
 * memory. main.cvd's largest member (main.hsb) is about 300 MB and all its
 * members together about 450 MB; a container announcing more is refused
 * rather than left to exhaust memory. */
#define RQ_MAX_CVD_MEMBER (1024ULL * RQ_MIB)
#define RQ_MAX_CVD_TOTAL (4096ULL * RQ_MIB)

/* Size of one read/match chunk: large enough to amortise system calls and
 * matcher calls, small enough to stay in the L2 cache while hashed and matched. */
#define RQ_READ_CHUNK (256 * 1024)

/* Bytes at the start of a file used to recognise its type (ISO 9660's
 * descriptor sits at 32769). */
#define RQ_SNIFF_LEN (36 * 1024)

/* Archive member path shown in results: longer names are cut. */
#define RQ_MAX_MEMBER_PATH 4096

/* Results: findings kept per file (more are counted, not listed). */
#define RQ_MAX_FINDINGS 256

/* YARA: seconds one libyara scan of one file may take (per compiled rule
 * set). A pathological regex or loop on hostile data must not stall a worker
 * for ever; a minute is far beyond any sane rule on a 100 MiB file. */
#define RQ_YARA_SCAN_TIMEOUT 60

/*
 * YARA rules evaluated natively (lib/sigs/yara_native.c). libyara cuts a hex
 * string into separately matched pieces at every jump with a bound above
 * its YR_STRING_CHAINING_THRESHOLD (200); the native reader must know where.
 */
#define RQ_YARA_CHAIN_THRESHOLD 200
/* Widest piece (between such cuts) of a natively evaluated hex string:
 * libyara's regex engine looks at most YR_RE_SCAN_LIMIT (4096) bytes around
 * a candidate, so wider pieces could match natively but not in libyara. */
#define RQ_YARA_NATIVE_MAX_PIECE 4000
/* libyara refuses identifiers longer than this ("identifier too long"). */
#define RQ_YARA_MAX_IDENTIFIER 128
/* Strings named one by one in a native condition (`$a or $b ...`); rules
 * with more stay with libyara (`any of them` has no such bound). */
#define RQ_YARA_NATIVE_MAX_STRINGS 256

/* Walker: files queued ahead of the workers (each holds an open descriptor). */
#define RQ_WALK_QUEUE_PER_THREAD 64
/* Walker: folder descriptors kept open along the current branch. Deeper
 * ancestors are closed (their remaining entries kept in memory) and reopened
 * through ".." on the way back, so depth costs memory, not descriptors. */
#define RQ_WALK_MAX_OPEN_DIRS 64
/* Walker: descriptors left free for the scanners, libyara, libarchive and
 * the caller when sizing the queue against RLIMIT_NOFILE. */
#define RQ_WALK_FD_RESERVE 64
/* Walker: worker threads at most, whatever is asked (more only thrash). */
#define RQ_WALK_MAX_THREADS 256

/* Quarantine vault: plaintext bytes encrypted or decrypted per read, so a
 * multi-GiB file streams through a fixed buffer. */
#define RQ_VAULT_CHUNK (1024 * 1024)
/* Quarantine vault: largest metadata file read back (a path, names and a
 * few numbers; far beyond any real item, bounded against a hostile file). */
#define RQ_VAULT_MAX_META (1024 * 1024)
/* Quarantine vault: a restored file gets a hole (not written) for every
 * all-zero block of this size, the common file-system block. */
#define RQ_SPARSE_BLOCK 4096
/* Quarantine vault: detection names kept per item. */
#define RQ_VAULT_MAX_DETECTIONS 256
/* Quarantine vault: symlinks recorded per item (a systemd unit's enablement
 * links: one per target that wants it, a handful in practice). */
#define RQ_VAULT_MAX_LINKS 256

/* Running processes: distinct images (executables and libraries) remembered
 * for de-duplication in one scan; a real system has a few thousand. */
#define RQ_PROCS_MAX_IMAGES 65536
/* Running processes: executable mappings read per process (a process maps
 * a few hundred libraries at most; bounds a hostile or huge maps file). */
#define RQ_PROCS_MAX_MAPS 16384
/* Running processes: longest line of /proc/PID/maps and of /proc/PID/stat
 * read (a path is at most PATH_MAX plus the fixed columns). */
#define RQ_PROCS_MAX_LINE 8192

/* Persistence entries: largest start-up file (crontab, unit, rc file) read;
 * real ones are a few KiB, this bounds a hostile or runaway file. */
#define RQ_PERSIST_MAX_FILE (4u << 20)
/* Persistence entries: files listed per folder (cron.d, profile.d, units). */
#define RQ_PERSIST_MAX_DIR_ENTRIES 65536

/* Signing keys: largest PEM key file read (an Ed25519 PEM is ~120 bytes;
 * bounds a wrong or hostile path). */
#define RQ_MAX_KEY_FILE (64 * 1024)
/* Trusted public keys in one keyring (a province keeps a handful, rotating). */
#define RQ_MAX_TRUSTED_KEYS 256
/* Mirror index.json: largest accepted (about 200 bytes per database listed). */
#define RQ_MAX_MIRROR_INDEX (4ULL * RQ_MIB)
/* Databases listed in one mirror index. */
#define RQ_MAX_MIRROR_DATABASES 1024
/* Largest database file downloaded by `raquet update`: main databases with
 * millions of hashes stay far below; bounds what a hostile index can announce. */
#define RQ_MAX_DB_DOWNLOAD (4096ULL * RQ_MIB)
/* Versions of each database kept in a mirror folder (the listed one and the
 * one before, so an agent that fetched the previous index still finds its file). */
#define RQ_MIRROR_KEEP_VERSIONS 2
/* Updates: default seconds to connect, total seconds per transfer, default
 * retries after a failed transfer and the first back-off delay (doubled per
 * retry, capped). */
#define RQ_UPDATE_CONNECT_TIMEOUT 30
#define RQ_UPDATE_DEFAULT_TIMEOUT 600
#define RQ_UPDATE_DEFAULT_RETRIES 3
#define RQ_UPDATE_BACKOFF_MS 1000
#define RQ_UPDATE_BACKOFF_MAX_MS 30000
/* Updates: a transfer slower than this many bytes/s for RQ_UPDATE_LOW_SPEED_TIME
 * seconds is a stalled server and is retried. */
#define RQ_UPDATE_LOW_SPEED 1
#define RQ_UPDATE_LOW_SPEED_TIME 60

/* --- compiled databases (.rqdb) --- */

/* Largest .rqdb opened: far above 10M hash signatures, below address-space trouble. */
#define RQ_RQDB_MAX_SIZE (4096ULL * RQ_MIB)
/* Integrity chunks: each 1 MiB of a .rqdb has its SHA-256 in the signed chunk table,
 * so verification runs on several cores and a flipped byte names its chunk. */
#define RQ_RQDB_CHUNK (1ULL * RQ_MIB)
/* Threads hashing chunks at load: more buys nothing once memory bandwidth is used. */
#define RQ_RQDB_VERIFY_THREADS 4
/* Sections in one file and bytes of its JSON header. */
#define RQ_RQDB_MAX_SECTIONS 32
#define RQ_RQDB_MAX_HEADER (16ULL * RQ_MIB)

#endif
