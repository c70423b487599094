/* url.c — the one normalised form of a URL (RFC 3986 section 6): libcurl's
 * URL API parses, resolves and lower-cases the scheme and drops dot-segments
 * as written; what it leaves (host case, IDN, percent-escapes, dot-segments
 * spelled with escapes, the default port) is completed here. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/lib-curl.h"
#include <idn2.h>

#include "base/url.h"
#include "base/util.h"

static int
unreserved(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
	       c == '_' || c == '~';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char *
url_normalize_pct(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;

	buf_init(&b, 0);
	for (const char *p = s; *p; p++) {
		int h, l;
		if (*p == '%' && (h = hexval((unsigned char)p[1])) >= 0 && (l = hexval((unsigned char)p[2])) >= 0) {
			int c = h * 16 + l;
			if (unreserved(c))
				buf_addc(&b, (char)c);
			else {
				buf_addc(&b, '%');
				buf_addc(&b, hex[h]);
				buf_addc(&b, hex[l]);
			}
			p += 2;
		} else if (*p == '%')	     /* a stray '%' is a literal one: decoding an */
			buf_adds(&b, "%25"); /* escape after it must not make a new one */
		else
			buf_addc(&b, *p);
	}
	return buf_steal(&b);
}

/* RFC 3986 section 5.2.4. */
char *
url_remove_dot_segments(const char *path)
{
	size_t n = strlen(path), olen = 0;
	char *in = xstrdup(path), *out = xmalloc(n + 2), *p = in;

	while (*p) {
		if (!strncmp(p, "../", 3))
			p += 3;
		else if (!strncmp(p, "./", 2))
			p += 2;
		else if (!strncmp(p, "/./", 3))
			p += 2;
		else if (!strcmp(p, "/."))
			p[1] = '\0';
		else if (!strncmp(p, "/../", 4) || !strcmp(p, "/..")) {
			if (p[3] == '/')
				p += 3;
			else {
				p += 2;
				*p = '/';
			}
			while (olen > 0 && out[olen - 1] != '/')
				olen--;
			if (olen > 0)
				olen--; /* the '/' before the last segment */
		} else if (!strcmp(p, ".") || !strcmp(p, ".."))
			p += strlen(p);
		else {
			size_t seg = 1 + strcspn(p + 1, "/");
			if (*p != '/')
				seg = strcspn(p, "/");
			memcpy(out + olen, p, seg);
			olen += seg;
			p += seg;
		}
	}
	out[olen] = '\0';
	free(in);
	return out;
}

char *
url_part(CURLU *u, CURLUPart what)
{
	char *s = NULL, *r;

	if (curl_url_get(u, what, &s, 0) != CURLUE_OK || s == NULL)
		return NULL;
	r = xstrdup(s);
	curl_free(s);
	return r;
}

/* Lower-case, and an IDN in its A-label form. A host that is not a valid IDN
 * stays as written (lower-cased): it matches no allowlisted host. */
static char *
norm_host(const char *host)
{
	char *h = xstrdup(host), *a = NULL;
	int ascii = 1;

	for (char *p = h; *p; p++) {
		if ((unsigned char)*p >= 0x80)
			ascii = 0;
		else
			*p = (char)tolower((unsigned char)*p);
	}
	if (ascii || *h == '[')
		return h;
	if (idn2_lookup_u8((const uint8_t *)h, (uint8_t **)&a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK &&
	    idn2_lookup_u8((const uint8_t *)h, (uint8_t **)&a, IDN2_NFC_INPUT | IDN2_TRANSITIONAL) != IDN2_OK)
		return h;
	free(h);
	h = xstrdup(a);
	idn2_free(a);
	for (char *p = h; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return h;
}

char *
host_alabel(const char *host)
{
	char *h = norm_host(host);

	for (const char *p = h; *p; p++)
		if ((unsigned char)*p >= 0x80) {
			free(h);
			return NULL;
		}
	return h;
}

static char *
normalize_once(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL, *port = NULL, *path = NULL, *query = NULL,
	     *frag = NULL, *r = NULL;
	struct buf b;

	if (u == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_URLENCODE) != CURLUE_OK)
		goto out;
	scheme = url_part(u, CURLUPART_SCHEME);
	host = url_part(u, CURLUPART_HOST);
	if (scheme == NULL || host == NULL)
		goto out;
	lowercase(scheme);
	user = url_part(u, CURLUPART_USER);
	pass = url_part(u, CURLUPART_PASSWORD);
	port = url_part(u, CURLUPART_PORT);
	path = url_part(u, CURLUPART_PATH);
	query = url_part(u, CURLUPART_QUERY);
	frag = url_part(u, CURLUPART_FRAGMENT);

	buf_init(&b, 0);
	buf_printf(&b, "%s://", scheme);
	if (user || pass) {
		if (user) {
			char *x = url_normalize_pct(user);
			buf_adds(&b, x);
			free(x);
		}
		if (pass) {
			char *x = url_normalize_pct(pass);
			buf_printf(&b, ":%s", x);
			free(x);
		}
		buf_addc(&b, '@');
	}
	{
		char *h = norm_host(host);
		/* the IDN mapping may make URL delimiters of look-alikes: a
		 * full-width "＃" or "＠" is "#" or "@", which would move the
		 * host's end; such a name is no host name, nor is one that
		 * maps to nothing (a lone variation selector) */
		int bad = *h == '\0' || (*h != '[' && h[strcspn(h, "#@/?:\\[]%")] != '\0');
		buf_adds(&b, h);
		free(h);
		if (bad) {
			buf_free(&b);
			goto out;
		}
	}
	if (port &&
	    !((!strcmp(scheme, "https") && !strcmp(port, "443")) || (!strcmp(scheme, "http") && !strcmp(port, "80"))))
		buf_printf(&b, ":%s", port);
	{
		char *x = url_normalize_pct(path && *path ? path : "/"), *y = url_remove_dot_segments(x);
		buf_adds(&b, *y ? y : "/");
		free(x);
		free(y);
	}
	if (query) {
		char *x = url_normalize_pct(query);
		buf_printf(&b, "?%s", x);
		free(x);
	}
	if (frag) {
		char *x = url_normalize_pct(frag);
		buf_printf(&b, "#%s", x);
		free(x);
	}
	r = buf_steal(&b);
	/* libcurl decodes a host's escapes: "a%7Fb" gives a control character,
	 * which no request can carry, so there is no link */
	for (const char *p = r; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
			free(r);
			r = NULL;
			break;
		}
out:
	free(scheme);
	free(host);
	free(user);
	free(pass);
	free(port);
	free(path);
	free(query);
	free(frag);
	curl_url_cleanup(u);
	return r;
}

/* The normal form is a fixed point: once more changes nothing. A URL
 * already in it comes back as it is; another takes a second pass to show
 * that it settled, as one pass may not get there: a host libcurl decodes
 * from escapes may only then read as a number ("8%3008" is 8008, which is
 * 0.0.31.72), and the IDN mapping may give characters libcurl refuses in a
 * host ("ｅ﹢" is "e+"). A URL that does not settle has no normal form. */
char *
url_normalize(const char *url)
{
	char *r = normalize_once(url), *again;

	if (r != NULL && !strcmp(r, url))
		return r; /* the URL was in its normal form: nothing moved */
	for (int i = 0; r != NULL && i < 3; i++) {
		if ((again = normalize_once(r)) != NULL && !strcmp(again, r)) {
			free(again);
			return r;
		}
		free(r);
		r = again;
	}
	free(r);
	return NULL;
}
