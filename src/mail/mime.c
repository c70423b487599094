/* mime.c — header blocks and the MIME tree walk, bounded by struct msg_limits.
 *
 * The structure is walked here (not by mailmime_parse) so that every limit
 * (depth, parts, header count, line length) is enforced before any work is
 * done on the part, and nothing recurses deeper than the depth limit.
 * libetpan decodes the transfer encodings (mailmime_part_parse) and RFC 2047
 * words (charset.c). */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/lib-etpan.h"

#include "mail/msgparse.h"
#include "base/util.h"

void
mp_malformed(struct mparse *mp, const char *fmt, ...)
{
	va_list ap;

	if (mp->m->status == MSG_OVERSIZED || mp->m->status_reason != NULL) {
		if (mp->m->status == MSG_OK)
			mp->m->status = MSG_MALFORMED;
		return;
	}
	mp->m->status = MSG_MALFORMED;
	va_start(ap, fmt);
	mp->m->status_reason = xvasprintf(fmt, ap);
	va_end(ap);
}

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* Length of a field name at p (up to ':'), or 0 if the line is no field. */
static size_t
field_name(const char *p, const char *le, size_t *colon)
{
	const char *q = p;

	while (q < le && *q != ':' && (unsigned char)*q > 32 && (unsigned char)*q < 127)
		q++;
	size_t n = (size_t)(q - p);
	while (q < le && is_wsp(*q))
		q++;
	if (n == 0 || q >= le || *q != ':')
		return 0;
	*colon = (size_t)(q - p);
	return n;
}

const char *
hdr_block(struct mparse *mp, const char *p, const char *end, struct hfield **fields, size_t *nf, size_t *cap)
{
	const struct msg_limits *lim = mp->lim;
	struct hfield *cur = NULL;
	int first = 1, over = 0;

	*nf = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *next = nl ? nl + 1 : end;
		const char *lc = le > p && le[-1] == '\r' ? le - 1 : le;
		size_t colon;

		if (lc == p)
			return next; /* empty line: body follows */
		if ((size_t)(le - p) > lim->max_line)
			mp_malformed(mp, "header line longer than %zu bytes", lim->max_line);
		if (is_wsp(*p)) {
			if (cur) {
				cur->vlen = (size_t)(lc - cur->val);
				if (cur->vlen > lim->max_line) {
					mp_malformed(mp, "header line longer than %zu bytes", lim->max_line);
					cur->vlen = lim->max_line;
					cur = NULL;
				}
			}
		} else if (first && end - p >= 5 && !memcmp(p, "From ", 5)) {
			cur = NULL; /* mbox separator */
		} else if (field_name(p, lc, &colon)) {
			cur = NULL;
			if (over)
				;
			else if ((int)*nf >= lim->max_headers) {
				mp_malformed(mp, "more than %d header fields", lim->max_headers);
				over = 1;
			} else {
				if (*nf == *cap) {
					*cap = *cap ? *cap * 2 : 32;
					*fields = xreallocarray(*fields, *cap, sizeof(**fields));
				}
				cur = &(*fields)[(*nf)++];
				cur->name = p;
				cur->nlen = field_name(p, lc, &colon);
				cur->val = p + colon + 1;
				cur->vlen = (size_t)(lc - cur->val);
				if (cur->vlen > lim->max_line)
					cur->vlen = lim->max_line;
			}
		} else {
			return p; /* not a header line: the body starts here */
		}
		first = 0;
		p = next;
	}
	return end;
}

char *
hdr_unfold(const char *v, size_t len)
{
	char *s = xmalloc(len + 1), *d = s;

	for (size_t i = 0; i < len; i++) {
		if (v[i] == '\r' || v[i] == '\n')
			continue;
		*d++ = v[i] ? v[i] : ' ';
	}
	*d = '\0';
	return trim(s) == s ? s : memmove(s, trim(s), strlen(trim(s)) + 1);
}

static const struct hfield *
find_field(const struct hfield *f, size_t nf, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < nf; i++)
		if (f[i].nlen == n && !strncasecmp(f[i].name, name, n))
			return &f[i];
	return NULL;
}

/* Parameter name from an unfolded structured value ("text/plain; charset=x"). */
static char *
param(const char *v, const char *name)
{
	size_t n = strlen(name);
	const char *p = strchr(v, ';');

	while (p) {
		p++;
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		if (!strncasecmp(p, name, n)) {
			const char *q = p + n;
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q == '=') {
				q++;
				while (*q == ' ' || *q == '\t')
					q++;
				struct buf b;
				buf_init(&b, 0);
				if (*q == '"') {
					for (q++; *q && *q != '"'; q++) {
						if (*q == '\\' && q[1])
							q++;
						buf_addc(&b, *q);
					}
				} else {
					for (; *q && *q != ';' && *q != ' ' && *q != '\t'; q++)
						buf_addc(&b, *q);
				}
				return buf_steal(&b);
			}
		}
		/* skip to the next ';' outside quotes */
		int inq = 0;
		for (; *p && (inq || *p != ';'); p++) {
			if (*p == '\\' && inq && p[1])
				p++;
			else if (*p == '"')
				inq = !inq;
		}
		p = *p ? p : NULL;
	}
	return NULL;
}

struct part {
	char type[64]; /* "text/plain", lower-case */
	char *charset, *boundary;
	int attachment;
	int cte; /* MAILMIME_MECHANISM_* */
};

static void
part_info(struct part *pt, const struct hfield *f, size_t nf, int digest)
{
	const struct hfield *h;
	char *v;

	memset(pt, 0, sizeof(*pt));
	strcpy(pt->type, digest ? "message/rfc822" : "text/plain");
	pt->cte = MAILMIME_MECHANISM_8BIT;
	if ((h = find_field(f, nf, "Content-Type")) != NULL) {
		v = hdr_unfold(h->val, h->vlen);
		size_t n = strcspn(v, "; \t");
		if (n > 0 && n < sizeof(pt->type) && memchr(v, '/', n)) {
			memcpy(pt->type, v, n);
			pt->type[n] = '\0';
			lowercase(pt->type);
		}
		pt->charset = param(v, "charset");
		pt->boundary = param(v, "boundary");
		free(v);
	}
	if ((h = find_field(f, nf, "Content-Transfer-Encoding")) != NULL) {
		v = hdr_unfold(h->val, h->vlen);
		if (!strncasecmp(v, "base64", 6))
			pt->cte = MAILMIME_MECHANISM_BASE64;
		else if (!strncasecmp(v, "quoted-printable", 16))
			pt->cte = MAILMIME_MECHANISM_QUOTED_PRINTABLE;
		free(v);
	}
	if ((h = find_field(f, nf, "Content-Disposition")) != NULL) {
		v = hdr_unfold(h->val, h->vlen);
		pt->attachment = !strncasecmp(v, "attachment", 10);
		free(v);
	}
}

/* Decode a body per its transfer encoding into out. libetpan's QP decoder
 * reads past a truncated "=X" at the end: decode from a copy padded with NUL
 * bytes, and drop such a dangling escape first. */
static void
decode_body(struct buf *out, int cte, const char *p, size_t len)
{
	char *copy, *res = NULL;
	size_t idx = 0, rlen = 0;

	if (cte != MAILMIME_MECHANISM_BASE64 && cte != MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
		buf_add(out, p, len);
		return;
	}
	if (cte == MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
		size_t n = len;
		while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' || is_wsp(p[n - 1])))
			n--;
		if (n >= 2 && p[n - 2] == '=' && isxdigit((unsigned char)p[n - 1]))
			len = n - 2;
		else if (n >= 1 && p[n - 1] == '=')
			len = n - 1;
	}
	copy = xmalloc(len + 8);
	memcpy(copy, p, len);
	memset(copy + len, 0, 8);
	if (mailmime_part_parse(copy, len, &idx, cte, &res, &rlen) == MAILIMF_NO_ERROR && res) {
		buf_add(out, res, rlen);
		mmap_string_unref(res);
	} else {
		buf_add(out, p, len);
	}
	free(copy);
}

/* CRLF and lone CR become LF (the QP decoder also writes CRLF). */
static void
crlf_to_lf(struct buf *b)
{
	size_t i, j;

	for (i = j = 0; i < b->len; i++) {
		if (b->data[i] == '\r') {
			if (i + 1 < b->len && b->data[i + 1] == '\n')
				continue;
			b->data[j++] = '\n';
		} else
			b->data[j++] = b->data[i];
	}
	b->len = j;
	if (b->data)
		b->data[j] = '\0';
}

static void
sep_add(struct buf *b, const char *s, size_t n, size_t max)
{
	if (n == 0)
		return;
	if (b->len > 0)
		tbuf_add(b, "\n", 1, max);
	tbuf_add(b, s, n, max);
}

/* An HTML part without a MIME charset: take <meta charset=...> or
 * <meta http-equiv content="...; charset=..."> from its first 2 KB. */
static void
html_meta_charset(struct part *pt, const char *s, size_t len)
{
	const char *p, *e = s + (len < 2048 ? len : 2048);
	size_t n;

	if (s == NULL)
		return;
	for (p = s; p + 8 < e; p++) {
		if (strncasecmp(p, "charset=", 8))
			continue;
		p += 8;
		while (p < e && (*p == '"' || *p == '\'' || *p == ' '))
			p++;
		for (n = 0; p + n < e &&
			    (isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_' || p[n] == ':' || p[n] == '.');
		     n++)
			;
		if (n > 0 && n < 40)
			pt->charset = xstrndup(p, n);
		return;
	}
}

static void
text_part(struct mparse *mp, struct part *pt, const char *p, const char *end)
{
	struct buf raw, u;
	size_t max = mp->lim->max_text;

	buf_init(&raw, 0);
	buf_init(&u, 0);
	decode_body(&raw, pt->cte, p, (size_t)(end - p));
	if (pt->charset == NULL && !strcmp(pt->type, "text/html"))
		html_meta_charset(pt, raw.data, raw.len); /* freed by the caller */
	charset_to_utf8(&u, pt->charset, raw.data ? raw.data : "", raw.len);
	buf_free(&raw);
	crlf_to_lf(&u);
	if (!strcmp(pt->type, "text/html")) {
		struct buf t;
		size_t hmax = max > (size_t)1 << 29 ? (size_t)1 << 30 : max * 2;
		buf_init(&t, 0);
		sep_add(&mp->html, u.data, u.len, max);
		int hr = html_render(u.data ? u.data : "", u.len < hmax ? u.len : hmax, &t, max, &mp->links);
		if (hr == HTML_TOO_DEEP)
			mp_malformed(mp, "HTML nesting deeper than %d elements", HTML_MAX_DEPTH);
		else if (hr == HTML_TOO_MANY_ERRORS)
			mp_malformed(mp, "more than %d HTML syntax errors", HTML_MAX_ERRORS);
		links_scan_text(&mp->links, t.data ? t.data : "", t.len);
		sep_add(&mp->html_text, t.data, t.len, max);
		buf_free(&t);
	} else {
		links_scan_text(&mp->links, u.data ? u.data : "", u.len);
		sep_add(&mp->text, u.data, u.len, max);
	}
	buf_free(&u);
}

/* Is [p, le) the delimiter line "--boundary" (close: "--boundary--")? */
static int
is_delim(const char *p, const char *le, const char *b, size_t blen, int *close)
{
	if (le - p < (ptrdiff_t)blen + 2 || p[0] != '-' || p[1] != '-' || memcmp(p + 2, b, blen))
		return 0;
	p += blen + 2;
	*close = le - p >= 2 && p[0] == '-' && p[1] == '-';
	if (*close)
		p += 2;
	while (p < le && (is_wsp(*p) || *p == '\r'))
		p++;
	return p == le;
}

static void
multipart(struct mparse *mp, const struct part *pt, const char *p, const char *end, int depth)
{
	const char *b = pt->boundary, *start = NULL, *body = p;
	size_t blen = b ? strlen(b) : 0;
	int close = 0, closed = 0, digest = !strcmp(pt->type, "multipart/digest");

	if (blen == 0 || blen > 998) {
		mp_malformed(mp, "%s without a usable boundary", pt->type);
		struct part tp = *pt;
		strcpy(tp.type, "text/plain");
		text_part(mp, &tp, p, end);
		return;
	}
	while (p < end && !closed) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *next = nl ? nl + 1 : end;

		if (*p == '-' && is_delim(p, le, b, blen, &close)) {
			if (start) {
				const char *pe = p;
				if (pe > start && pe[-1] == '\n')
					pe--;
				if (pe > start && pe[-1] == '\r')
					pe--;
				mime_entity(mp, start, pe, depth + 1, digest ? MP_DIGEST : 0);
				if (mp->m->nparts > mp->lim->max_parts)
					return;
			}
			closed = close;
			start = next;
		}
		p = next;
	}
	if (start == NULL) {
		mp_malformed(mp, "%s: boundary never found", pt->type);
		struct part tp = *pt;
		strcpy(tp.type, "text/plain");
		text_part(mp, &tp, body, end);
	} else if (!closed) {
		mp_malformed(mp, "%s: no closing boundary (truncated)", pt->type);
		if (start < end)
			mime_entity(mp, start, end, depth + 1, digest ? MP_DIGEST : 0);
	}
}

/* The first attached message is kept whole for the forward check. */
static void
keep_attached(struct mparse *mp, const char *p, size_t len)
{
	if (mp->m->attached != NULL)
		return;
	mp->m->attached = xmalloc(len + 1);
	if (len)
		memcpy(mp->m->attached, p, len);
	mp->m->attached[len] = '\0';
	mp->m->attached_len = len;
}

static void
nested_message(struct mparse *mp, const struct part *pt, const char *p, const char *end, int depth)
{
	struct buf dec;

	if (pt->cte == MAILMIME_MECHANISM_BASE64 || pt->cte == MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
		buf_init(&dec, 0);
		decode_body(&dec, pt->cte, p, (size_t)(end - p));
		if (dec.data) {
			keep_attached(mp, dec.data, dec.len);
			mime_entity(mp, dec.data, dec.data + dec.len, depth + 1, MP_MESSAGE);
		}
		buf_free(&dec);
		return;
	}
	keep_attached(mp, p, (size_t)(end - p));
	mime_entity(mp, p, end, depth + 1, MP_MESSAGE);
}

/* The headers of a forwarded message go into text, as a mail reader shows them. */
static void
nested_headers(struct mparse *mp, const struct hfield *f, size_t nf)
{
	static const char *const show[] = { "From", "Date", "Subject", "To" };
	struct buf b;

	buf_init(&b, 0);
	for (size_t i = 0; i < nitems(show); i++) {
		const struct hfield *h = find_field(f, nf, show[i]);
		if (h == NULL)
			continue;
		char *raw = hdr_unfold(h->val, h->vlen);
		char *dec = hdr_decode(raw, strlen(raw));
		buf_printf(&b, "%s: %s\n", show[i], dec);
		free(raw);
		free(dec);
	}
	if (b.len)
		sep_add(&mp->text, b.data, b.len - 1, mp->lim->max_text);
	buf_free(&b);
}

void
mime_entity(struct mparse *mp, const char *p, const char *end, int depth, int flags)
{
	struct hfield *f = NULL;
	size_t nf = 0, cap = 0;
	struct part pt;
	const char *body;

	if (++mp->m->nparts > mp->lim->max_parts) {
		mp_malformed(mp, "more than %d MIME parts", mp->lim->max_parts);
		return;
	}
	if (depth > mp->m->depth)
		mp->m->depth = depth;
	body = hdr_block(mp, p, end, &f, &nf, &cap);
	part_info(&pt, f, nf, flags & MP_DIGEST);
	if (flags & MP_TOP)
		msg_top_headers(mp, f, nf);
	if (flags & MP_MESSAGE)
		nested_headers(mp, f, nf);
	if (!strncmp(pt.type, "multipart/", 10) || !strcmp(pt.type, "message/rfc822") ||
	    !strcmp(pt.type, "message/global")) {
		if (depth >= mp->max_depth)
			mp_malformed(mp, "MIME nesting deeper than %d", mp->lim->max_depth);
		else if (pt.type[0] == 'm' && pt.type[1] == 'u')
			multipart(mp, &pt, body, end, depth);
		else
			nested_message(mp, &pt, body, end, depth);
	} else if (pt.attachment || strncmp(pt.type, "text/", 5) ||
		   (strcmp(pt.type, "text/plain") && strcmp(pt.type, "text/html"))) {
		mp->m->nattachments++;
	} else {
		text_part(mp, &pt, body, end);
	}
	free(pt.charset);
	free(pt.boundary);
	free(f);
}
