/* oauth-jwt.c — h-oauth: the signed JWTs of the client assertion (RFC 7523
 * section 2.2, Microsoft's certificate credential) and of a Google service
 * account (section 2.1), RS256 with OpenSSL; and the atomic rewrite of a
 * secret file. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/lib-crypto.h"

#include "outbox/oauth-int.h"
#include "base/token-cmd.h"
#include "base/util.h"

static char *
b64url(const unsigned char *p, size_t n)
{
	char *s = xmalloc(4 * ((n + 2) / 3) + 1);
	size_t len = (size_t)EVP_EncodeBlock((unsigned char *)s, p, (int)n);

	while (len > 0 && s[len - 1] == '=')
		len--;
	s[len] = '\0';
	for (char *c = s; *c; c++)
		*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
	return s;
}

/* header.claims.signature; takes the JSON values. */
static char *
jwt_rs256(json_t *hdr, json_t *claims, EVP_PKEY *key, char **errp)
{
	char *h = json_dumps(hdr, JSON_COMPACT | JSON_SORT_KEYS),
	     *c = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
	char *hb = b64url((unsigned char *)h, strlen(h)), *cb = b64url((unsigned char *)c, strlen(c));
	char *input = xasprintf("%s.%s", hb, cb), *sb, *jwt = NULL;
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (EVP_PKEY_base_id(key) != EVP_PKEY_RSA)
		*errp = xstrdup("the key is not an RSA key (RS256 needs one)");
	else if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
		 EVP_DigestSign(md, sig, &siglen, (unsigned char *)input, strlen(input)) != 1)
		*errp = xstrdup("signing failed (is the key at most 8192 bits?)");
	else {
		sb = b64url(sig, siglen);
		jwt = xasprintf("%s.%s", input, sb);
		free(sb);
	}
	EVP_MD_CTX_free(md);
	free(h);
	free(c);
	free(hb);
	free(cb);
	free(input);
	json_decref(hdr);
	json_decref(claims);
	return jwt;
}

static EVP_PKEY *
pem_key(const char *pem, char **errp)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	if (k == NULL)
		*errp = xstrdup("not a PEM private key (without a passphrase)");
	return k;
}

/* The certificate's SHA-1 and SHA-256 thumbprints of its DER form, base64url. */
static int
thumbprints(const char *path, char **x5t, char **x5t256, char **errp)
{
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	unsigned char *der = NULL, h1[EVP_MAX_MD_SIZE], h2[EVP_MAX_MD_SIZE];
	unsigned n1 = 0, n2 = 0;
	int len;

	if (f == NULL) {
		*errp = xasprintf("client-certificate %s: %s", path, strerror(errno));
		return -1;
	}
	fclose(f);
	if (x == NULL || (len = i2d_X509(x, &der)) <= 0) {
		*errp = xasprintf("client-certificate %s: not a PEM certificate", path);
		X509_free(x);
		return -1;
	}
	EVP_Digest(der, (size_t)len, h1, &n1, EVP_sha1(), NULL);
	EVP_Digest(der, (size_t)len, h2, &n2, EVP_sha256(), NULL);
	*x5t = b64url(h1, n1);
	*x5t256 = b64url(h2, n2);
	OPENSSL_free(der);
	X509_free(x);
	return 0;
}

char *
oauth_client_assertion(const struct oauth_cfg *o, char **errp)
{
	char *pem, *e = NULL, *x5t, *x5t256, *jwt;
	unsigned char rnd[16];
	char jti[33];
	EVP_PKEY *k;
	time_t now = time(NULL);

	if (thumbprints(o->client_certificate, &x5t, &x5t256, &e) == -1) {
		*errp = xasprintf("oauth '%s': %s", o->name, e);
		free(e);
		return NULL;
	}
	if ((pem = config_read_secret(o->client_key, &e)) == NULL || (k = pem_key(pem, &e)) == NULL) {
		*errp = xasprintf("oauth '%s': client-key %s%s", o->name, pem ? o->client_key : "", pem ? ": " : "");
		char *t = *errp;
		*errp = xasprintf("%s%s", t, e);
		free(t);
		free(e);
		token_free(pem);
		free(x5t);
		free(x5t256);
		return NULL;
	}
	token_free(pem);
	RAND_bytes(rnd, sizeof(rnd));
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(jti + 2 * i, 3, "%02x", rnd[i]);
	jwt = jwt_rs256(json_pack("{s:s, s:s, s:s, s:s}", "alg", "RS256", "typ", "JWT", "x5t", x5t, "x5t#S256", x5t256),
			json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "aud", o->token_endpoint, "iss", o->client_id,
				  "sub", o->client_id, "jti", jti, "iat", (json_int_t)now, "nbf", (json_int_t)now,
				  "exp", (json_int_t)now + 600),
			k, &e);
	EVP_PKEY_free(k);
	free(x5t);
	free(x5t256);
	if (jwt == NULL) {
		*errp = xasprintf("oauth '%s': client-key %s: %s", o->name, o->client_key, e);
		free(e);
	}
	return jwt;
}

char *
oauth_sa_assertion(const struct oauth_cfg *o, const char *sub, char **token_uri, char **errp)
{
	char *data, *e = NULL, *jwt = NULL;
	const char *email, *pk, *kid, *uri;
	json_t *j;
	EVP_PKEY *k = NULL;
	time_t now = time(NULL);

	if ((data = config_read_secret(o->service_account_file, &e)) == NULL) {
		*errp = xasprintf("oauth '%s': service-account-file %s", o->name, e);
		free(e);
		return NULL;
	}
	j = json_loads(data, 0, NULL);
	token_free(data);
	email = json_string_value(json_object_get(j, "client_email"));
	pk = json_string_value(json_object_get(j, "private_key"));
	kid = json_string_value(json_object_get(j, "private_key_id"));
	uri = json_string_value(json_object_get(j, "token_uri"));
	if (email == NULL || pk == NULL || (uri == NULL && o->token_endpoint == NULL))
		e = xstrdup("not a service account key (JSON with client_email, private_key, token_uri)");
	else if (sub == NULL || *sub == '\0')
		e = xstrdup("no subject: set subject, or use the block from a mailbox with a user");
	else if ((k = pem_key(pk, &e)) != NULL) {
		const char *aud = o->token_endpoint ? o->token_endpoint : uri;
		struct buf sc;
		buf_init(&sc, 0);
		for (size_t i = 0; i < o->scope.n; i++)
			buf_printf(&sc, "%s%s", i ? " " : "", o->scope.v[i]);
		json_t *hdr = kid ? json_pack("{s:s, s:s, s:s}", "alg", "RS256", "typ", "JWT", "kid", kid)
				  : json_pack("{s:s, s:s}", "alg", "RS256", "typ", "JWT");
		jwt = jwt_rs256(hdr,
				json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "iss", email, "sub", sub, "scope",
					  sc.data ? sc.data : "", "aud", aud, "iat", (json_int_t)now, "exp",
					  (json_int_t)now + 3600),
				k, &e);
		buf_free(&sc);
		if (jwt && token_uri)
			*token_uri = uri ? xstrdup(uri) : NULL;
	}
	if (jwt == NULL) {
		*errp = xasprintf("oauth '%s': service-account-file %s: %s", o->name, o->service_account_file, e);
		free(e);
	}
	EVP_PKEY_free(k);
	json_decref(j);
	return jwt;
}

int
oauth_write_secret(const char *path, const char *data, char **errp)
{
	char *dup = xstrdup(path), *dir = dirname(dup);
	char *tmp = xasprintf("%s.new-XXXXXX", path);
	size_t len = strlen(data);
	int fd, dfd, ok;

	if ((fd = mkstemp(tmp)) == -1) { /* mkstemp: mode 0600 */
		*errp = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		free(dup);
		return -1;
	}
	ok = fchmod(fd, 0600) == 0 && write(fd, data, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) == -1) {
		*errp = xasprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		free(dup);
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	free(tmp);
	free(dup);
	return 0;
}
