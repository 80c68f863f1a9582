/*
 * XML-DSig signing of reports (sign.h) with libxmlsec1. xmlsec's own error
 * reports go to a callback that keeps the first one for rq_fail instead of
 * stderr.
 */
#include "ncsc/sign.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include "core/error.h"
#include "core/util.h"
#include "ncsc/mapping.h"

/* Largest PEM key or certificate file read (a chain of a few certificates). */
#define PEM_MAX (256 * 1024)

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t sign_lock = PTHREAD_MUTEX_INITIALIZER;
static int init_rc = RQ_ERROR; /* set by init_xmlsec */
static char init_why[256];
/* the first error xmlsec reported during the current signing (under sign_lock) */
static char xmlsec_why[256];

static void on_xmlsec_error(const char *file, int line, const char *func, const char *errorObject,
			    const char *errorSubject, int reason, const char *msg)
{
	(void)file;
	(void)line;
	(void)errorObject;
	(void)reason;
	if (xmlsec_why[0] == '\0')
		snprintf(xmlsec_why, sizeof(xmlsec_why), "%s%s%s: %s", func ? func : "xmlsec",
			 errorSubject ? " " : "", errorSubject ? errorSubject : "", msg ? msg : "");
}

static void init_xmlsec(void)
{
	xmlInitParser();
	if (xmlSecInit() < 0) {
		snprintf(init_why, sizeof(init_why), "xmlSecInit failed");
		return;
	}
	if (xmlSecCheckVersion() != 1) {
		snprintf(init_why, sizeof(init_why), "libxmlsec1 is not the version this program was built with");
		return;
	}
	if (xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0) {
		snprintf(init_why, sizeof(init_why), "xmlsec's OpenSSL backend failed to start");
		return;
	}
	xmlSecErrorsSetCallback(on_xmlsec_error); /* after the backend's start, which sets its own */
	init_rc = 0;
}

int rq_ncsc_sign_init(void)
{
	pthread_once(&init_once, init_xmlsec);
	return init_rc < 0 ? rq_fail(RQ_ERROR, "ncsc: %s", init_why) : 0;
}

void rq_ncsc_sign_shutdown(void)
{
	pthread_mutex_lock(&sign_lock);
	if (init_rc == 0) {
		xmlSecCryptoShutdown();
		xmlSecCryptoAppShutdown();
		xmlSecShutdown();
		init_rc = RQ_ERROR;
		snprintf(init_why, sizeof(init_why), "xmlsec was shut down");
	}
	pthread_mutex_unlock(&sign_lock);
}

/*
 * Fill X509SubjectName with the certificate's subject (RFC 2253, UTF-8 as
 * is): xmlsec writes the certificate but leaves the name empty.
 */
static int fill_subject_name(xmlNodePtr node, const char *cert_path)
{
	int rc = 0;
	FILE *f = fopen(cert_path, "r");
	X509 *cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	BIO *mem = BIO_new(BIO_s_mem());
	char *text = NULL;
	long len;
	if (!cert) {
		rc = rq_fail(RQ_EINVAL, "ncsc: signing: '%s' is not a readable PEM certificate", cert_path);
		goto done;
	}
	if (!mem || X509_NAME_print_ex(mem, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0 ||
	    (len = BIO_get_mem_data(mem, &text)) <= 0) {
		rc = rq_fail(RQ_ENOMEM, "ncsc: signing: cannot write the certificate's subject");
		goto done;
	}
	xmlChar *name = xmlStrndup(BAD_CAST text, (int)len);
	if (!name) {
		rc = rq_fail(RQ_ENOMEM, "ncsc: signing: out of memory");
		goto done;
	}
	xmlNodeAddContent(node, name); /* raw text: escaped when written */
	xmlFree(name);
done:
	BIO_free(mem);
	X509_free(cert);
	if (f)
		fclose(f);
	return rc;
}

/* The edXMLHeader element of the envelope, or NULL. */
static xmlNodePtr find_header(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	for (xmlNodePtr n = root ? root->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST "edXMLHeader") && n->ns &&
		    !xmlStrcmp(n->ns->href, BAD_CAST RQ_NCSC_NS))
			return n;
	return NULL;
}

int rq_ncsc_sign(void *doc_ptr, const char *cert_path, const char *key_path)
{
	xmlDocPtr doc = doc_ptr;
	xmlNodePtr header, sig = NULL, ref, key_info, x509, subject = NULL;
	xmlSecDSigCtxPtr ctx = NULL;
	uint8_t *key_pem = NULL, *cert_pem = NULL;
	size_t key_len = 0, cert_len = 0;
	int rc = 0;

	pthread_once(&init_once, init_xmlsec);
	pthread_mutex_lock(&sign_lock);
	xmlsec_why[0] = '\0';
	if (init_rc < 0) {
		rc = rq_fail(RQ_ERROR, "ncsc: signing: %s", init_why);
		goto done;
	}
	header = find_header(doc);
	if (!header) {
		rc = rq_fail(RQ_EINVAL, "ncsc: signing: the document has no edXMLHeader");
		goto done;
	}
	sig = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId, xmlSecTransformRsaSha256Id, NULL);
	if (!sig || !xmlAddChild(header, sig)) {
		xmlFreeNode(sig);
		sig = NULL;
		rc = rq_fail(RQ_ENOMEM, "ncsc: signing: cannot make the Signature template");
		goto done;
	}
	ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL, BAD_CAST "", NULL);
	key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
	x509 = key_info ? xmlSecTmplKeyInfoAddX509Data(key_info) : NULL;
	if (!ref || !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) ||
	    !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) || !x509 ||
	    !(subject = xmlSecTmplX509DataAddSubjectName(x509)) || !xmlSecTmplX509DataAddCertificate(x509)) {
		rc = rq_fail(RQ_ENOMEM, "ncsc: signing: cannot make the Signature template");
		goto done;
	}
	if ((rc = fill_subject_name(subject, cert_path)) < 0)
		goto done;
	ctx = xmlSecDSigCtxCreate(NULL);
	if (!ctx) {
		rc = rq_fail(RQ_ENOMEM, "ncsc: signing: out of memory");
		goto done;
	}
	/* read here rather than by xmlsec's file loader, which leaks its BIO
	 * when the file cannot be opened (1.2.37) and says less about why */
	if (rq_read_file(key_path, PEM_MAX, &key_pem, &key_len) < 0) {
		rc = rq_fail(RQ_EINVAL, "ncsc: signing: the private key: %s", rq_error_last());
		goto done;
	}
	if (rq_read_file(cert_path, PEM_MAX, &cert_pem, &cert_len) < 0) {
		rc = rq_fail(RQ_EINVAL, "ncsc: signing: the certificate: %s", rq_error_last());
		goto done;
	}
	ctx->signKey = xmlSecCryptoAppKeyLoadMemory(key_pem, (xmlSecSize)key_len, xmlSecKeyDataFormatPem, NULL, NULL,
						    NULL);
	if (!ctx->signKey) {
		rc = rq_fail(RQ_EINVAL, "ncsc: signing: cannot load the private key '%s' (PEM, without a "
			     "passphrase): %s", key_path, xmlsec_why);
		goto done;
	}
	if (xmlSecCryptoAppKeyCertLoadMemory(ctx->signKey, cert_pem, (xmlSecSize)cert_len, xmlSecKeyDataFormatPem) < 0) {
		rc = rq_fail(RQ_EINVAL, "ncsc: signing: cannot load the certificate '%s': %s", cert_path, xmlsec_why);
		goto done;
	}
	if (xmlSecDSigCtxSign(ctx, sig) < 0) {
		rc = rq_fail(RQ_ERROR, "ncsc: signing failed (key '%s', certificate '%s'): %s", key_path, cert_path,
			     xmlsec_why);
		goto done;
	}
done:
	if (rc < 0 && sig) {
		xmlUnlinkNode(sig);
		xmlFreeNode(sig);
	}
	if (ctx)
		xmlSecDSigCtxDestroy(ctx);
	if (key_pem)
		OPENSSL_cleanse(key_pem, key_len);
	free(key_pem);
	free(cert_pem);
	pthread_mutex_unlock(&sign_lock);
	return rc;
}
