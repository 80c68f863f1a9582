/*
 * Error codes and the thread-local last-error message of libraquet.
 * Every API function returns 0 on success or one of the negative RQ_E* codes;
 * rq_error_last() then says what went wrong and where, in one line.
 */
#ifndef RAQUET_ERRORS_H
#define RAQUET_ERRORS_H

#ifdef __cplusplus
extern "C" {
#endif

enum {
	RQ_OK = 0,
	RQ_ERROR = -1,     /* generic failure; see rq_error_last() */
	RQ_ENOMEM = -2,    /* allocation failed */
	RQ_EIO = -3,       /* a read, open or stat failed */
	RQ_EPARSE = -4,    /* malformed input (signature line, rule, header) */
	RQ_ENOTFOUND = -5, /* the thing asked for does not exist */
	RQ_ELIMIT = -6,    /* a configured or hard limit was hit */
	RQ_EUNSUPPORTED = -7, /* valid input that this engine cannot use */
	RQ_EINVAL = -8,    /* bad argument from the caller */
	RQ_ESTOPPED = -9,  /* the caller's callback asked to stop */
	RQ_EVERIFY = -10,  /* a signature, digest or version check refused the input */
};

/*
 * The message of the last error raised on this thread, never NULL ("" when
 * none). The string is owned by the library and valid until the next call
 * into libraquet on the same thread.
 */
const char *rq_error_last(void);

/* A short fixed description of an RQ_E* code ("out of memory", ...). */
const char *rq_error_name(int code);

#ifdef __cplusplus
}
#endif

#endif
