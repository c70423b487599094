/* links.c — extract http(s) URLs and parse them with curl_url (never by hand). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "dcvmail/links.h"
#include "dcvmail/util.h"

#define MAX_URL 8192

void
link_clear(struct msg_link *l)
{
	free(l->url);
	free(l->scheme);
	free(l->host);
	free(l->path);
	free(l->text);
	memset(l, 0, sizeof(*l));
}

void
links_free(struct msg_link *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		link_clear(&v[i]);
	free(v);
}

static char *
part(CURLU *u, CURLUPart what)
{
	char *s = NULL, *r;

	if (curl_url_get(u, what, &s, 0) != CURLUE_OK || s == NULL)
		return NULL;
	r = xstrdup(s);
	curl_free(s);
	return r;
}

static int
is_ip_literal(const char *host)
{
	size_t i;

	if (host[0] == '[')
		return 1;
	/* curl normalises numeric IPv4 forms (decimal, hex, octal) to dotted quads */
	for (i = 0; host[i]; i++)
		if (!isdigit((unsigned char)host[i]) && host[i] != '.')
			return 0;
	return i > 0;
}

static int
is_idn(const char *host)
{
	const char *p;

	for (p = host; *p; p++)
		if ((unsigned char)*p >= 0x80)
			return 1;
	return strncasecmp(host, "xn--", 4) == 0 || strstr(host, ".xn--") != NULL;
}

int
link_parse(const char *url, struct msg_link *l)
{
	CURLU *u = curl_url();
	char *user = NULL, *pw = NULL, *port = NULL, *query = NULL;
	int rc = -1;

	memset(l, 0, sizeof(*l));
	if (u == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE) != CURLUE_OK)
		goto out;
	l->scheme = part(u, CURLUPART_SCHEME);
	l->host = part(u, CURLUPART_HOST);
	if (l->scheme == NULL || l->host == NULL || *l->host == '\0')
		goto out;
	lowercase(l->scheme);
	if (strcmp(l->scheme, "http") && strcmp(l->scheme, "https"))
		goto out;
	lowercase(l->host);
	l->url = part(u, CURLUPART_URL);
	l->path = part(u, CURLUPART_PATH);
	if (l->url == NULL || l->path == NULL)
		goto out;
	if ((query = part(u, CURLUPART_QUERY)) != NULL) {
		char *pq = xasprintf("%s?%s", l->path, query);
		free(l->path);
		l->path = pq;
	}
	user = part(u, CURLUPART_USER);
	pw = part(u, CURLUPART_PASSWORD);
	port = part(u, CURLUPART_PORT);
	l->has_userinfo = user != NULL || pw != NULL;
	l->has_port = port != NULL;
	l->ip_literal = is_ip_literal(l->host);
	l->idn = is_idn(l->host);
	rc = 0;
out:
	free(user);
	free(pw);
	free(port);
	free(query);
	curl_url_cleanup(u);
	if (rc == -1)
		link_clear(l);
	return rc;
}

int
links_add(struct linkset *ls, const char *url, size_t len, const char *text, int from_html)
{
	struct msg_link l;
	char *s;

	if (len == 0 || len > MAX_URL)
		return 0;
	s = xstrndup(url, len);
	if (link_parse(s, &l) == -1) {
		free(s);
		return 0;
	}
	free(s);
	for (size_t i = 0; i < ls->n; i++)
		if (strcmp(ls->v[i].url, l.url) == 0) {
			/* keep the first; an HTML copy adds its anchor text */
			if (from_html && ls->v[i].text == NULL && text && *text)
				ls->v[i].text = xstrdup(text);
			ls->v[i].from_html |= from_html;
			link_clear(&l);
			return 0;
		}
	if (ls->max && ls->n >= ls->max) {
		ls->overflow = 1;
		link_clear(&l);
		return 0;
	}
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 16;
		ls->v = xreallocarray(ls->v, ls->cap, sizeof(*ls->v));
	}
	l.from_html = from_html ? 1 : 0;
	l.text = text && *text ? xstrdup(text) : NULL;
	ls->v[ls->n++] = l;
	return 1;
}

static int
url_char(unsigned char c)
{
	/* stops at white space, controls, quotes and angle brackets; keeps UTF-8 */
	return c > 0x20 && c != 0x7f && c != '"' && c != '<' && c != '>' && c != '\'' &&
	       c != '`' && c != '{' && c != '}' && c != '|' && c != '\\' && c != '^';
}

void
links_scan_text(struct linkset *ls, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *h = memchr(p, 'h', (size_t)(end - p));
		const char *q;
		size_t n;

		if (h == NULL)
			break;
		if ((size_t)(end - h) >= 8 && !strncasecmp(h, "https://", 8))
			q = h + 8;
		else if ((size_t)(end - h) >= 7 && !strncasecmp(h, "http://", 7))
			q = h + 7;
		else {
			p = h + 1;
			continue;
		}
		/* "xhttp://" is not a URL start */
		if (h > text && isalnum((unsigned char)h[-1])) {
			p = q;
			continue;
		}
		while (q < end && url_char((unsigned char)*q))
			q++;
		n = (size_t)(q - h);
		/* trailing punctuation belongs to the sentence; ")" only when unbalanced */
		while (n > 0) {
			char c = h[n - 1];
			if (strchr(".,;:!?*", c)) {
				n--;
				continue;
			}
			if (c == ')' || c == ']') {
				char open = c == ')' ? '(' : '[';
				int bal = 0;
				for (size_t i = 0; i < n; i++)
					bal += h[i] == open ? 1 : h[i] == c ? -1 : 0;
				if (bal < 0) {
					n--;
					continue;
				}
			}
			break;
		}
		links_add(ls, h, n, NULL, 0);
		p = q;
	}
}
