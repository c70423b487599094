/* links.c — http(s) links from text and HTML, parsed by libcurl's URL API
 * and kept in the one normalised form of url.c. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/lib-curl.h"

#include "mail/msgparse.h"
#include "base/url.h"
#include "base/util.h"

#define MAX_URL 8192
#define MAX_ANCHOR 500

/* libcurl is loaded with the first link (dl.h): mail without one never
 * maps it; a failure to load ends the run (pipe mode: exit 75). */
static CURLU *
new_curlu(void)
{
	lib_must(LIB_CURL);
	return curl_url();
}

void
links_init(struct linkset *ls, int max)
{
	memset(ls, 0, sizeof(*ls));
	ls->max = max < 0 ? 0 : max;
}

void
links_done(struct linkset *ls)
{
	if (ls->curl)
		curl_url_cleanup(ls->curl);
	ls->curl = NULL;
	for (size_t i = 0; i < ls->seencap; i++)
		free(ls->seen[i].cand);
	free(ls->seen);
	ls->seen = NULL;
	ls->nseen = ls->seencap = 0;
}

static size_t
seen_hash(const char *s, size_t n)
{
	size_t h = 14695981039346656037u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

/* The slot of the n bytes at cand (no NUL among them): its entry, or the
 * empty slot where it goes. */
static struct link_seen *
seen_slot_n(struct linkset *ls, const char *cand, size_t n)
{
	size_t mask = ls->seencap - 1, i = seen_hash(cand, n) & mask;

	while (ls->seen[i].cand && (strncmp(ls->seen[i].cand, cand, n) || ls->seen[i].cand[n] != '\0'))
		i = (i + 1) & mask;
	return &ls->seen[i];
}

static struct link_seen *
seen_slot(struct linkset *ls, const char *cand)
{
	return seen_slot_n(ls, cand, strlen(cand));
}

/* Remember what cand parsed to (it is kept: the caller does not free it). */
static void
seen_add(struct linkset *ls, char *cand, long idx)
{
	struct link_seen *e;

	if (2 * (ls->nseen + 1) > ls->seencap) {
		struct link_seen *old = ls->seen;
		size_t oldcap = ls->seencap;
		ls->seencap = oldcap ? 2 * oldcap : 64;
		ls->seen = xcalloc(ls->seencap, sizeof(*ls->seen));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].cand)
				*seen_slot(ls, old[i].cand) = old[i];
		free(old);
	}
	e = seen_slot(ls, cand);
	e->cand = cand;
	e->idx = idx;
	ls->nseen++;
}

static char *anchor_text(const char *);

static void
link_text(struct msg_link *l, const char *text)
{
	if (text && *text && l->text == NULL) {
		l->text = anchor_text(text);
		l->from_html = 1;
	}
}

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

static int
is_ip_literal(const char *h)
{
	if (*h == '[')
		return 1;
	for (; *h; h++)
		if (!isdigit((unsigned char)*h) && *h != '.')
			return 0;
	return 1;
}

static int
is_idn(const char *h)
{
	for (const char *p = h; *p; p++)
		if ((unsigned char)*p >= 0x80)
			return 1;
	for (const char *p = h; (p = strstr(p, "xn--")) != NULL; p += 4)
		if (p == h || p[-1] == '.')
			return 1;
	return 0;
}

/* Clean a candidate: drop tabs and line breaks inside (hrefs wrapped by
 * mailers; browsers do the same; spaces are kept and encoded by curl), and
 * make the userinfo unambiguous ("a@b@host": only the last '@' separates). */
static char *
clean_candidate(const char *url, size_t len)
{
	struct buf b;
	size_t auth, aend, last_at = 0;

	buf_init(&b, 0);
	for (size_t i = 0, run = 0; i <= len; i++)
		if (i == len || url[i] == '\t' || url[i] == '\r' || url[i] == '\n' || url[i] == '\0') {
			buf_add(&b, url + run, i - run);
			run = i + 1;
		}
	if (b.data == NULL)
		return buf_steal(&b);
	auth = strstr(b.data, "://") ? (size_t)(strstr(b.data, "://") - b.data) + 3 : 0;
	aend = auth + strcspn(b.data + auth, "/?#");
	for (size_t i = auth; i < aend; i++)
		if (b.data[i] == '@')
			last_at = i;
	if (last_at) {
		struct buf c;
		buf_init(&c, 0);
		for (size_t i = 0; i < b.len; i++) {
			if (i >= auth && i < last_at && b.data[i] == '@')
				buf_adds(&c, "%40");
			else
				buf_addc(&c, b.data[i]);
		}
		buf_free(&b);
		return buf_steal(&c);
	}
	return buf_steal(&b);
}

static int
parse_link(struct linkset *ls, const char *cand, struct msg_link *l)
{
	CURLU *u = ls->curl;
	char *s, *norm;

	/* every comparison and request uses the one normalised form (url.c) */
	if ((norm = url_normalize(cand)) == NULL)
		return -1;
	l->url = norm; /* freed by link_clear(), also on failure */
	if (curl_url_set(u, CURLUPART_URL, norm, 0) != CURLUE_OK)
		return -1;
	l->scheme = url_part(u, CURLUPART_SCHEME);
	l->host = url_part(u, CURLUPART_HOST);
	if (l->scheme == NULL || l->host == NULL || (strcmp(l->scheme, "http") && strcmp(l->scheme, "https")))
		return -1;
	lowercase(l->host);
	l->path = url_part(u, CURLUPART_PATH);
	if (l->path == NULL)
		l->path = xstrdup("/");
	if ((s = url_part(u, CURLUPART_QUERY)) != NULL) {
		char *p = xasprintf("%s?%s", l->path, s);
		free(l->path);
		free(s);
		l->path = p;
	}
	if ((s = url_part(u, CURLUPART_USER)) != NULL || (s = url_part(u, CURLUPART_PASSWORD)) != NULL) {
		l->has_userinfo = 1;
		free(s);
	}
	if ((s = url_part(u, CURLUPART_PORT)) != NULL) {
		l->has_port = 1;
		free(s);
	}
	l->ip_literal = is_ip_literal(l->host);
	l->idn = is_idn(l->host);
	return 0;
}

static char *
anchor_text(const char *t)
{
	struct buf b;
	int sp = 0;

	buf_init(&b, 0);
	for (; *t && b.len < MAX_ANCHOR; t++) {
		if (isspace((unsigned char)*t)) {
			sp = b.len > 0;
			continue;
		}
		if (sp)
			buf_addc(&b, ' ');
		sp = 0;
		buf_addc(&b, *t);
	}
	while (b.len && ((unsigned char)b.data[b.len - 1] & 0xc0) == 0x80 && t[0])
		b.data[--b.len] = '\0'; /* do not end inside a sequence */
	if (b.len && (unsigned char)b.data[b.len - 1] >= 0xc0)
		b.data[--b.len] = '\0';
	return buf_steal(&b);
}

/* Is the candidate its own clean form (clean_candidate would copy it as
 * it is): no tab, line break, NUL or '@'? */
static int
already_clean(const char *url, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (url[i] == '\t' || url[i] == '\r' || url[i] == '\n' || url[i] == '\0' || url[i] == '@')
			return 0;
	return 1;
}

/* The link at idx has been seen again, with this anchor text. */
static void
seen_again(struct linkset *ls, long idx, const char *text, size_t tlen)
{
	char *t;

	if (idx < 0 || text == NULL || tlen == 0 || ls->v[idx].text != NULL)
		return; /* link_text() would keep what it has */
	t = xstrndup(text, tlen);
	link_text(&ls->v[idx], t);
	free(t);
}

void
links_add_n(struct linkset *ls, const char *url, size_t len, const char *text, size_t tlen, int from_html)
{
	struct msg_link l;
	char *cand, *t;

	if ((int)ls->n >= ls->max || ls->attempts >= (size_t)ls->max * 20 + 100)
		return;
	while (len && isspace((unsigned char)*url))
		url++, len--;
	if (len < 8 || len > MAX_URL || (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8)))
		return;
	ls->attempts++;
	if (ls->curl == NULL && (ls->curl = new_curlu()) == NULL)
		return;
	/* a newsletter repeats its links: one already seen costs no copy */
	if (ls->seencap && already_clean(url, len)) {
		struct link_seen *e = seen_slot_n(ls, url, len);
		if (e->cand) {
			seen_again(ls, e->idx, text, tlen);
			return;
		}
	}
	memset(&l, 0, sizeof(l));
	cand = clean_candidate(url, len);
	if (ls->seencap) {
		struct link_seen *e = seen_slot(ls, cand);
		if (e->cand) { /* the same candidate again: the same link */
			seen_again(ls, e->idx, text, tlen);
			free(cand);
			return;
		}
	}
	if (parse_link(ls, cand, &l) == -1) {
		link_clear(&l);
		seen_add(ls, cand, -1);
		return;
	}
	t = text ? xstrndup(text, tlen) : NULL;
	for (size_t i = 0; i < ls->n; i++)
		if (!strcmp(ls->v[i].url, l.url)) {
			link_text(&ls->v[i], t);
			free(t);
			link_clear(&l);
			seen_add(ls, cand, (long)i);
			return;
		}
	l.from_html = from_html != 0;
	l.text = from_html && t ? anchor_text(t) : NULL;
	free(t);
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 8;
		ls->v = xreallocarray(ls->v, ls->cap, sizeof(*ls->v));
	}
	ls->v[ls->n++] = l;
	seen_add(ls, cand, (long)ls->n - 1);
}

void
links_add(struct linkset *ls, const char *url, size_t len, const char *text, int from_html)
{
	links_add_n(ls, url, len, text, text ? strlen(text) : 0, from_html);
}

/* CJK punctuation and full-width forms end a URL written in running text. */
static int
cjk_punct(const unsigned char *s, const unsigned char *e)
{
	if (e - s < 3)
		return 0;
	return (s[0] == 0xe3 && s[1] == 0x80) || (s[0] == 0xef && (s[1] == 0xbc || s[1] == 0xbd));
}

static size_t
url_end(const char *s, const char *e)
{
	const unsigned char *p = (const unsigned char *)s, *pe = (const unsigned char *)e;
	int in_host = 1;

	p += (s[4] == ':') ? 7 : 8; /* after "http://" or "https://" */
	while (p < pe) {
		if (*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == '"' || *p == '`')
			break;
		if (*p == '/' || *p == '?' || *p == '#')
			in_host = 0;
		if (*p >= 0x80 && (!in_host || cjk_punct(p, pe)))
			break;
		p++;
	}
	size_t n = (size_t)((const char *)p - s);
	/* trailing punctuation belongs to the sentence, not the URL */
	while (n > 0) {
		char c = s[n - 1];
		if (strchr(".,;:!?'*", c)) {
			n--;
			continue;
		}
		if (c == ')' || c == ']' || c == '}') {
			char o = c == ')' ? '(' : c == ']' ? '[' : '{';
			int depth = 0;
			for (size_t i = 0; i < n; i++)
				depth += s[i] == o ? 1 : s[i] == c ? -1 : 0;
			if (depth < 0) {
				n--;
				continue;
			}
		}
		break;
	}
	return n;
}

void
links_scan_text(struct linkset *ls, const char *text, size_t len)
{
	const char *p = text, *e = text + len;

	while (p < e && (int)ls->n < ls->max) {
		const char *h = p;
		while (h < e && (*h | 0x20) != 'h')
			h++;
		if (h == e)
			break;
		if (e - h >= 8 && (!strncasecmp(h, "http://", 7) || !strncasecmp(h, "https://", 8))) {
			size_t n = url_end(h, e);
			links_add(ls, h, n, NULL, 0);
			p = h + (n ? n : 1);
		} else {
			p = h + 1;
		}
	}
}

int
link_parse(const char *url, struct msg_link *l)
{
	struct linkset ls;
	size_t len = strlen(url);
	char *cand;
	int r = -1;

	memset(l, 0, sizeof(*l));
	while (len && isspace((unsigned char)*url))
		url++, len--;
	if (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8))
		return -1;
	links_init(&ls, 1);
	if ((ls.curl = new_curlu()) == NULL)
		return -1;
	cand = clean_candidate(url, len);
	if ((r = parse_link(&ls, cand, l)) == -1)
		link_clear(l);
	free(cand);
	links_done(&ls);
	return r;
}
