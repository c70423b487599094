/* tls.c — verify the server certificate of a libetpan stream with OpenSSL,
 * before any password is sent. No option turns this off. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "base/lib-crypto.h"

#include "base/tls.h"
#include "base/util.h"

/* An IPv4 or IPv6 address literal (an IPv6 one holds hex letters too). */
static int
is_ip_literal(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

void
tls_set_sni(struct mailstream_ssl_context *ctx, void *data)
{
	const char *host = data;

	/* SNI carries names only, never IP addresses */
	if (host && !is_ip_literal(host))
		mailstream_ssl_set_server_name(ctx, (char *)host);
}

static X509 *
der_to_x509(MMAPString *s)
{
	const unsigned char *p = (const unsigned char *)s->str;

	return d2i_X509(NULL, &p, (long)s->len);
}

int
tls_verify_stream(mailstream *s, const char *host, const char *ca_file, char **errp)
{
	carray *chain = mailstream_get_certificate_chain(s);
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL;
	X509 *leaf = NULL;
	int rc = -1;

	if (lib_need(LIB_CRYPTO, errp) == -1)
		return -1;
	if (chain == NULL || carray_count(chain) == 0) {
		*errp = xasprintf("%s: the server sent no certificate", host);
		goto out;
	}
	if ((leaf = der_to_x509(carray_get(chain, 0))) == NULL) {
		*errp = xasprintf("%s: the server's certificate cannot be read", host);
		goto out;
	}
	untrusted = sk_X509_new_null();
	for (unsigned i = 1; i < carray_count(chain); i++) {
		X509 *c = der_to_x509(carray_get(chain, i));
		if (c)
			sk_X509_push(untrusted, c);
	}
	store = X509_STORE_new();
	if (ca_file ? X509_STORE_load_file(store, ca_file) != 1 : X509_STORE_set_default_paths(store) != 1) {
		*errp = xasprintf("%s: cannot load trust anchors%s%s", host, ca_file ? " from " : "",
				  ca_file ? ca_file : "");
		goto out;
	}
	ctx = X509_STORE_CTX_new();
	X509_STORE_CTX_init(ctx, store, leaf, untrusted);
	X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_purpose(vp, X509_PURPOSE_SSL_SERVER);
	if (is_ip_literal(host) ? X509_VERIFY_PARAM_set1_ip_asc(vp, host) != 1
				: X509_VERIFY_PARAM_set1_host(vp, host, 0) != 1) {
		*errp = xasprintf("%s: cannot set the expected host name", host);
		goto out;
	}
	if (X509_verify_cert(ctx) != 1) {
		*errp = xasprintf("%s: server certificate refused: %s", host,
				  X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
	rc = 0;
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(untrusted, X509_free);
	X509_free(leaf);
	if (chain)
		mailstream_certificate_chain_free(chain);
	return rc;
}
