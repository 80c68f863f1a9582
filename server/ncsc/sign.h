/*
 * The enveloped XML-DSig of an AVReport (libxmlsec1, OpenSSL backend):
 * exclusive c14n, RSA-SHA256, a SHA-256 digest of the whole document
 * (URI "", enveloped-signature then exc-c14n), KeyInfo/X509Data with the
 * agency's certificate and its subject name. The Signature element goes
 * at the end of edXMLHeader. xmlsec is initialised once per process on
 * first use; signing is serialised (one report at a time).
 */
#ifndef RQ_SERVER_NCSC_SIGN_H
#define RQ_SERVER_NCSC_SIGN_H

/*
 * Sign `doc` (an xmlDocPtr holding an edXMLEnvelope) with the PEM key at
 * `key_path` and the PEM certificate at `cert_path`. Errors name the file
 * (never the key's contents).
 */
int rq_ncsc_sign(void *doc, const char *cert_path, const char *key_path);

/*
 * Initialise libxml2 and xmlsec now (done on first use otherwise): the
 * server calls it before its threads start, as libxml2 asks.
 */
int rq_ncsc_sign_init(void);

/* Release xmlsec at the end of the process (no-op if never used). */
void rq_ncsc_sign_shutdown(void);

#endif
