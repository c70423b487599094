/* mail-url.c — server URLs of the configuration through curl_url (mail-url.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/lib-curl.h"

#include "base/mail-url.h"
#include "base/util.h"

static char *
part(CURLU *u, CURLUPart what, unsigned flags)
{
	char *p = NULL, *r;

	if (curl_url_get(u, what, &p, flags) != CURLUE_OK || p == NULL)
		return NULL;
	r = xstrdup(p);
	curl_free(p);
	return r;
}

static int
fail(char **errp, const char *what, const char *url, const char *why)
{
	*errp = redact_userinfo(xasprintf("%s '%s': %s", what, url, why));
	return -1;
}

/* "scheme://" at the start of url, as one of schemes (case-insensitive). */
static const struct mail_url_scheme *
scheme_of(const char *url, const struct mail_url_scheme *schemes, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		size_t l = strlen(schemes[i].name);
		if (!strncasecmp(url, schemes[i].name, l) && !strncmp(url + l, "://", 3))
			return &schemes[i];
	}
	return NULL;
}

int
mail_url_parse(const char *url, const char *what, const struct mail_url_scheme *schemes, unsigned n,
	       struct mail_url *mu, char **errp)
{
	const struct mail_url_scheme *sc;
	char *host = NULL, *port = NULL, *path = NULL, *s = NULL, names[128] = "";
	CURLU *u;
	CURLUcode rc;
	int r = -1;

	memset(mu, 0, sizeof(*mu));
	if (lib_need(LIB_CURL, errp) == -1)
		return -1;
	if (url == NULL || *url == '\0')
		return fail(errp, what, "", "empty");
	if ((sc = scheme_of(url, schemes, n)) == NULL) {
		for (unsigned i = 0; i < n; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s://", i ? ", " : "",
				 schemes[i].name);
		*errp = redact_userinfo(xasprintf("%s '%s' must start with %s", what, url, names));
		return -1;
	}
	if (url[strlen(sc->name) + 3] == '/' ||
	    url[strlen(sc->name) + 3] == '\0') /* curl would take "INBOX" of ":///INBOX" */
		return fail(errp, what, url, "no host");
	if ((u = curl_url()) == NULL)
		return fail(errp, what, url, "out of memory");
	/* NON_SUPPORT_SCHEME: submission:// is ours, and a libcurl built
	 * without IMAP still parses imap:// URLs */
	rc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME | CURLU_ALLOW_SPACE);
	if (rc != CURLUE_OK) {
		fail(errp, what, url,
		     rc == CURLUE_BAD_PORT_NUMBER ? "the port must be a number from 1 to 65535"
		     : rc == CURLUE_BAD_IPV6	  ? "not a valid IPv6 address in brackets"
		     : rc == CURLUE_NO_HOST	  ? "no host"
						  : curl_url_strerror(rc));
		goto out;
	}
	if ((s = part(u, CURLUPART_USER, 0)) != NULL || (s = part(u, CURLUPART_PASSWORD, 0)) != NULL ||
	    (s = part(u, CURLUPART_OPTIONS, 0)) != NULL) {
		fail(errp, what, url, "holds user-info: give the login as user and password-file");
		goto out;
	}
	if ((s = part(u, CURLUPART_QUERY, 0)) != NULL || (s = part(u, CURLUPART_FRAGMENT, 0)) != NULL) {
		fail(errp, what, url, "a query ('?') or fragment ('#') has no meaning here");
		goto out;
	}
	host = part(u, CURLUPART_HOST, 0);
	if (host == NULL || *host == '\0' || !strcmp(host, "[]")) {
		fail(errp, what, url, "no host");
		goto out;
	}
	if (host[0] == '[') { /* an IPv6 literal: the address alone (a zone id is not ours to pass on) */
		size_t l = strlen(host);
		if (l < 3 || host[l - 1] != ']') {
			fail(errp, what, url, "not a valid IPv6 address in brackets");
			goto out;
		}
		memmove(host, host + 1, l - 2);
		host[l - 2] = '\0';
	}
	if (strlen(host) >= sizeof(mu->host)) {
		fail(errp, what, url, "host name too long");
		goto out;
	}
	mu->port = sc->port;
	if ((port = part(u, CURLUPART_PORT, 0)) != NULL) {
		char *end;
		long p = strtol(port, &end, 10);
		if (*end || p < 1 || p > 65535) {
			fail(errp, what, url, "the port must be a number from 1 to 65535");
			goto out;
		}
		mu->port = (uint16_t)p;
	}
	path = part(u, CURLUPART_PATH, CURLU_URLDECODE);
	if (path && strlen(path + (*path == '/')) >= sizeof(mu->path)) {
		fail(errp, what, url, "path too long");
		goto out;
	}
	snprintf(mu->host, sizeof(mu->host), "%s", host);
	snprintf(mu->path, sizeof(mu->path), "%s", path ? path + (*path == '/') : "");
	mu->scheme = sc;
	r = 0;
out:
	free(s);
	free(host);
	free(port);
	free(path);
	curl_url_cleanup(u);
	return r;
}

int
imap_parse_url(const char *url, struct imap_url *iu, char **errp)
{
	static const struct mail_url_scheme schemes[] = { { "imaps", 993, 1 }, { "imap", 143, 0 } };
	struct mail_url mu;

	memset(iu, 0, sizeof(*iu));
	if (mail_url_parse(url, "url", schemes, nitems(schemes), &mu, errp) == -1)
		return -1;
	snprintf(iu->host, sizeof(iu->host), "%s", mu.host);
	iu->port = mu.port;
	iu->tls = mu.scheme->implicit_tls;
	snprintf(iu->folder, sizeof(iu->folder), "%s", mu.path[0] ? mu.path : "INBOX");
	return 0;
}
