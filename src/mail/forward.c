/* forward.c — find the inner message of a forwarded mail (forward.h).
 *
 * Each candidate becomes a message of its own, parsed by message_parse():
 * an attached message as it is; an inline block as a text/plain message
 * made of the block's From, Subject, Date and To lines and the text below
 * them (plus the outer HTML links, whose targets the text does not show);
 * a re-sent copy as the outer message with the original sender as From. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/forward.h"
#include "mail/links.h"
#include "base/util.h"

/* ---- subject prefixes ---- */

/* Skip white space, "[...]" and "【...】" tags; returns the new position. */
static const char *
skip_tags(const char *s)
{
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '[' && strchr(s, ']') && strchr(s, ']') - s < 40)
			s = strchr(s, ']') + 1;
		else if (!strncmp(s, "【", 3) && strstr(s, "】") && strstr(s, "】") - s < 40)
			s = strstr(s, "】") + 3;
		else
			return s;
	}
}

/* The length of prefix word w at s followed by ':' or '：' (spaces
 * allowed), or 0. */
static size_t
prefix_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	const char *p = s + n;

	if (strncasecmp(s, w, n))
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == ':')
		return (size_t)(p + 1 - s);
	if (!strncmp(p, "：", 3))
		return (size_t)(p + 3 - s);
	return 0;
}

int
forward_subject_prefix(const char *subject)
{
	static const char *const fwd[] = { "fwd", "fw", "wg", "tr", "転送", "ｆｗｄ", "ｆｗ", "rv", "enc", "doorst" };
	static const char *const re[] = { "re", "aw", "sv", "antw", "返信", "ｒｅ" };
	const char *s = subject ? subject : "";

	for (int rounds = 0; rounds < 8; rounds++) {
		size_t n = 0;
		s = skip_tags(s);
		for (size_t i = 0; i < nitems(fwd); i++)
			if (prefix_word(s, fwd[i]))
				return 1;
		for (size_t i = 0; i < nitems(re) && n == 0; i++)
			n = prefix_word(s, re[i]);
		if (n == 0)
			return 0;
		s += n;
	}
	return 0;
}

/* ---- inline blocks ---- */

enum hkey { HK_NONE, HK_FROM, HK_DATE, HK_SENT, HK_SUBJECT, HK_TO, HK_CC, HK_REPLY_TO };

/* The forwarded block's header names, as clients write them. */
static const struct {
	const char *name;
	enum hkey key;
} hnames[] = {
	{ "From", HK_FROM },	   { "差出人", HK_FROM },
	{ "送信者", HK_FROM },	   { "Von", HK_FROM },
	{ "De", HK_FROM },	   { "Date", HK_DATE },
	{ "日付", HK_DATE },	   { "日時", HK_DATE },
	{ "Datum", HK_DATE },	   { "Sent", HK_SENT },
	{ "送信日時", HK_SENT },   { "Gesendet", HK_SENT },
	{ "Envoyé", HK_SENT },	   { "Subject", HK_SUBJECT },
	{ "件名", HK_SUBJECT },	   { "Betreff", HK_SUBJECT },
	{ "Objet", HK_SUBJECT },   { "Asunto", HK_SUBJECT },
	{ "To", HK_TO },	   { "宛先", HK_TO },
	{ "An", HK_TO },	   { "À", HK_TO },
	{ "Para", HK_TO },	   { "Cc", HK_CC },
	{ "Kopie", HK_CC },	   { "Reply-To", HK_REPLY_TO },
	{ "返信先", HK_REPLY_TO },
};

/* A line of the text, without its quote markers ("> ") and outer blanks. */
struct line {
	const char *start, *end; /* the whole line, without '\n' */
	const char *s, *e;	 /* the content */
	int quote;		 /* '>' markers in front */
};

static int
next_line(const char **p, const char *end, struct line *l)
{
	const char *nl;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	l->start = *p;
	l->end = nl ? nl : end;
	*p = nl ? nl + 1 : end;
	l->s = l->start;
	l->quote = 0;
	for (;;) {
		while (l->s < l->end && (*l->s == ' ' || *l->s == '\t' || *l->s == '\r'))
			l->s++;
		if (l->s < l->end && *l->s == '>') {
			l->quote++;
			l->s++;
			continue;
		}
		break;
	}
	l->e = l->end;
	while (l->e > l->s && (l->e[-1] == ' ' || l->e[-1] == '\t' || l->e[-1] == '\r'))
		l->e--;
	/* a non-breaking space (U+00A0) at either end, as HTML renders it */
	while (l->e - l->s >= 2 && (unsigned char)l->e[-2] == 0xc2 && (unsigned char)l->e[-1] == 0xa0)
		l->e -= 2;
	return 1;
}

/* Is the line "Key: value" with a known key? Sets the value's bounds. */
static enum hkey
header_line(const struct line *l, const char **vs, const char **ve)
{
	size_t len = (size_t)(l->e - l->s);

	/* most lines have no colon (':' or '：') at all: no name to look for */
	if (memchr(l->s, ':', len) == NULL && memmem(l->s, len, "：", 3) == NULL)
		return HK_NONE;
	for (size_t i = 0; i < nitems(hnames); i++) {
		size_t n = strlen(hnames[i].name);
		const char *p = l->s + n;
		if ((size_t)(l->e - l->s) <= n || strncasecmp(l->s, hnames[i].name, n))
			continue;
		while (p < l->e && (*p == ' ' || *p == '\t'))
			p++;
		if (p < l->e && *p == ':')
			p++;
		else if (l->e - p >= 3 && !memcmp(p, "：", 3))
			p += 3;
		else
			continue;
		while (p < l->e && (*p == ' ' || *p == '\t'))
			p++;
		*vs = p;
		*ve = l->e;
		return hnames[i].key;
	}
	return HK_NONE;
}

static int
line_is(const struct line *l, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(l->e - l->s) == n && !strncasecmp(l->s, s, n);
}

/* A separator line of dashes around words ("---------- Forwarded message
 * ---------"): the client that writes it, or NULL. */
static const char *
dashed_separator(const struct line *l)
{
	static const struct {
		const char *words, *client;
		int exact; /* the case tells the client */
	} seps[] = {
		{ "Forwarded message", "Gmail", 1 },	     { "Forwarded Message", "Thunderbird", 1 },
		{ "Original Message", "Outlook", 0 },	     { "転送されたメッセージ", "Gmail", 0 },
		{ "転送メッセージ", "Thunderbird", 0 },	     { "元のメッセージ", "Outlook", 0 },
		{ "Weitergeleitete Nachricht", "Gmail", 0 }, { "Ursprüngliche Nachricht", "Outlook", 0 },
		{ "Message transféré", "Gmail", 0 },	     { "Message d'origine", "Outlook", 0 },
		{ "Mensaje reenviado", "Gmail", 0 },	     { "Forwarded message", "Gmail", 0 },
	};
	const char *s = l->s, *e = l->e;
	int lead = 0, trail = 0;

	while (s < e && (*s == '-' || *s == ' '))
		lead += *s++ == '-';
	while (e > s && (e[-1] == '-' || e[-1] == ' '))
		trail += *--e == '-';
	if (lead < 2 || trail < 2)
		return NULL;
	for (size_t i = 0; i < nitems(seps); i++) {
		size_t n = strlen(seps[i].words);
		if ((size_t)(e - s) == n &&
		    (seps[i].exact ? !strncmp(s, seps[i].words, n) : !strncasecmp(s, seps[i].words, n)))
			return seps[i].client;
	}
	return NULL;
}

/* Apple Mail's "Begin forwarded message:" line: the client, or NULL. */
static const char *
apple_separator(const struct line *l)
{
	static const char *const words[] = { "Begin forwarded message:", "転送されたメッセージ:",
					     "転送されたメッセージ：",
					     "Anfang der weitergeleiteten Nachricht:", "Début du message réexpédié :" };

	for (size_t i = 0; i < nitems(words); i++)
		if (line_is(l, words[i]))
			return "Apple Mail";
	return NULL;
}

/* Outlook's block without a separator: a From line with a Sent line in the
 * next few lines. */
static const char *
outlook_block(const struct line *l, const char *rest, const char *end)
{
	const char *vs, *ve;
	struct line n;

	if (header_line(l, &vs, &ve) != HK_FROM)
		return NULL;
	for (int i = 0; i < 6 && next_line(&rest, end, &n); i++)
		if (header_line(&n, &vs, &ve) == HK_SENT)
			return "Outlook";
	return NULL;
}

/* A header value in one line, without control characters, at most 998 bytes. */
static char *
one_line(const char *s, const char *e)
{
	size_t n = (size_t)(e - s) > 998 ? 998 : (size_t)(e - s);
	char *v = xstrndup(s, n);

	for (char *c = v; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	return v;
}

/* "Name <a@b>", "Name [mailto:a@b]", "a@b", "**Name** <a@b>" as a From
 * field message_parse() reads as one mailbox: "\"Name\" <a@b>"; NULL when
 * there is no address (the block shows a name only). */
static char *
from_field(const char *v)
{
	const char *lt = NULL, *gt = NULL, *q;
	char *addr, *name, *out;
	struct buf b;

	if ((q = strstr(v, "[mailto:")) != NULL && strchr(q, ']')) {
		lt = q + 7;
		gt = strchr(q, ']');
	} else if ((q = strrchr(v, '<')) != NULL && strchr(q, '>') && memchr(q, '@', (size_t)(strchr(q, '>') - q))) {
		lt = q;
		gt = strchr(q, '>');
	}
	if (lt == NULL) {
		/* a bare address, or a name with no address at all */
		for (const char *p = v; *p;) {
			size_t n = strcspn(p, " \t<>\"()[],;");
			if (n && memchr(p, '@', n)) {
				addr = xstrndup(p, n);
				out = xasprintf("<%s>", addr);
				free(addr);
				return out;
			}
			p += n ? n : 1;
		}
		return NULL; /* a name only: the sender stays unknown */
	}
	addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	name = xstrndup(v, (size_t)(lt - v));
	if ((q = strstr(name, "[mailto")) != NULL)
		name[q - name] = '\0';
	buf_init(&b, 0);
	for (char *p = trim(name); *p; p++)
		if (*p != '"' && *p != '\\' && *p != '*')
			buf_addc(&b, *p);
	char *disp = buf_steal(&b);
	out = *trim(disp) ? xasprintf("\"%s\" <%s>", trim(disp), trim(addr)) : xasprintf("<%s>", trim(addr));
	free(disp);
	free(name);
	free(addr);
	return out;
}

static void
add_header(struct buf *raw, const char *name, const char *v)
{
	if (v && *v)
		buf_printf(raw, "%s: %s\r\n", name, v);
}

/* Links of the outer HTML that the inner text lacks (an anchor's target is
 * not in the rendered text). */
static void
add_html_links(struct message *in, const struct message *outer)
{
	for (size_t i = 0; i < outer->nlinks; i++) {
		const struct msg_link *o = &outer->links[i];
		struct msg_link l;
		int have = 0;
		if (!o->from_html)
			continue;
		for (size_t j = 0; j < in->nlinks && !have; j++)
			have = !strcmp(in->links[j].url, o->url);
		if (have || link_parse(o->url, &l) == -1)
			continue;
		l.text = o->text ? xstrdup(o->text) : NULL;
		l.from_html = 1;
		in->links = xreallocarray(in->links, in->nlinks + 1, sizeof(*in->links));
		in->links[in->nlinks++] = l;
	}
}

/* The block whose header lines start at p (after a separator, or the
 * Outlook From line itself): a parsed text/plain message, or NULL when it
 * has no From line. */
static struct message *
inline_message(const struct message *outer, const char *p, const char *end, const struct msg_limits *lim)
{
	char *val[HK_REPLY_TO + 1] = { 0 };
	const char *body = NULL, *vs, *ve;
	struct line l;
	struct buf raw;
	struct message *in = NULL;
	int blanks = 0, nh = 0, quote = -1;
	enum hkey k;

	while (next_line(&p, end, &l)) {
		if (l.s == l.e) {
			if (nh > 0) {
				body = p;
				break;
			}
			if (++blanks > 3)
				break;
			continue;
		}
		if ((k = header_line(&l, &vs, &ve)) == HK_NONE) {
			body = l.start;
			break;
		}
		if (quote < 0)
			quote = l.quote;
		if (val[k] == NULL)
			val[k] = one_line(vs, ve);
		nh++;
	}
	if (val[HK_FROM] == NULL)
		goto out;
	buf_init(&raw, 0);
	char *from = from_field(val[HK_FROM]);
	add_header(&raw, "From", from);
	free(from);
	add_header(&raw, "Subject", val[HK_SUBJECT]);
	add_header(&raw, "Date", val[HK_DATE] ? val[HK_DATE] : val[HK_SENT]);
	add_header(&raw, "To", val[HK_TO]);
	add_header(&raw, "Cc", val[HK_CC]);
	add_header(&raw, "Reply-To", val[HK_REPLY_TO]);
	buf_adds(&raw, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		       "Content-Transfer-Encoding: 8bit\r\n\r\n");
	/* the text below, with the block's own quote markers taken off */
	for (const char *q = body ? body : end; next_line(&q, end, &l);) {
		const char *s = l.start;
		for (int d = 0; d < (quote > 0 ? quote : 0) && s < l.end;) {
			while (s < l.end && (*s == ' ' || *s == '\t'))
				s++;
			if (s < l.end && *s == '>') {
				s++;
				d++;
				if (s < l.end && *s == ' ')
					s++;
			} else
				break;
		}
		buf_add(&raw, s, (size_t)(l.end - s));
		buf_adds(&raw, "\r\n");
	}
	in = message_parse(raw.data ? raw.data : "", raw.len, lim);
	buf_free(&raw);
	if (in)
		add_html_links(in, outer);
out:
	for (size_t i = 0; i < nitems(val); i++)
		free(val[i]);
	return in;
}

/* Inline blocks of one text, in order. */
static size_t
scan_inline(const struct message *outer, const char *text, const struct msg_limits *lim, struct fwd_inner *out,
	    size_t max)
{
	const char *p = text, *end = text + strlen(text), *here;
	struct line l;
	size_t n = 0;

	while (n < max && (here = p, next_line(&p, end, &l))) {
		const char *client, *from = p;
		struct message *in;
		if ((client = dashed_separator(&l)) == NULL && (client = apple_separator(&l)) == NULL) {
			if ((client = outlook_block(&l, p, end)) == NULL)
				continue;
			from = here;
		}
		if ((in = inline_message(outer, from, end, lim)) == NULL)
			continue;
		out[n].kind = FWD_INLINE;
		out[n].how = client;
		out[n].m = in;
		out[n].service = NULL;
		n++;
	}
	return n;
}

/* ---- re-sending services ---- */

/* The original sender a re-sending service names, or NULL: X-Original-From
 * or X-Original-Sender, else Reply-To when the display name says "X via
 * Service" or the mail carries X-Forwarded-For / X-Forwarded-To. */
static const char *
service_original(const struct message *m, char **service)
{
	const char *v, *via = m->from_display ? strstr(m->from_display, " via ") : NULL;

	*service = via ? xstrdup(via + 5) : NULL;
	if ((v = message_header_raw(m, "X-Original-From", 0)) != NULL && strchr(v, '@'))
		return v;
	if ((v = message_header_raw(m, "X-Original-Sender", 0)) != NULL && strchr(v, '@'))
		return v;
	if ((via || message_header_raw(m, "X-Forwarded-For", 0) || message_header_raw(m, "X-Forwarded-To", 0)) &&
	    (v = message_header_raw(m, "Reply-To", 0)) != NULL && strchr(v, '@'))
		return v;
	free(*service);
	*service = NULL;
	return NULL;
}

/* Where the header block of raw ends (the body's first byte). */
static size_t
body_offset(const char *raw, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (raw[i] == '\n' && (raw[i + 1] == '\n' || (raw[i + 1] == '\r' && i + 2 < len && raw[i + 2] == '\n')))
			return i + (raw[i + 1] == '\n' ? 2 : 3);
	return len;
}

/* The outer message again, with From replaced: the header fields as they
 * came (unfolded), From set to the original sender, the body unchanged. */
static struct message *
resent_message(const struct message *m, const char *orig, const char *drop, const struct msg_limits *lim)
{
	size_t off = body_offset(m->raw, m->raw_len);
	struct message *in;
	struct buf raw;

	buf_init(&raw, 0);
	for (size_t i = 0; i < m->nheaders; i++) {
		const char *name = m->headers[i].name;
		if (!strcasecmp(name, "From") || !strcasecmp(name, "Sender") || (drop && !strcasecmp(name, drop)))
			continue;
		buf_printf(&raw, "%s: %s\r\n", name, m->headers[i].raw);
	}
	char *f = one_line(orig, orig + strlen(orig));
	buf_printf(&raw, "From: %s\r\n\r\n", f);
	free(f);
	buf_add(&raw, m->raw + off, m->raw_len - off);
	in = message_parse(raw.data ? raw.data : "", raw.len, lim);
	buf_free(&raw);
	return in;
}

/* The message without its From: a forward that shows no original sender. */
static struct message *
fromless_message(const struct message *m, const struct msg_limits *lim)
{
	size_t off = body_offset(m->raw, m->raw_len);
	struct message *in;
	struct buf raw;

	buf_init(&raw, 0);
	for (size_t i = 0; i < m->nheaders; i++) {
		const char *name = m->headers[i].name;
		if (!strcasecmp(name, "From") || !strcasecmp(name, "Sender") || !strcasecmp(name, "Reply-To"))
			continue;
		buf_printf(&raw, "%s: %s\r\n", name, m->headers[i].raw);
	}
	buf_adds(&raw, "\r\n");
	buf_add(&raw, m->raw + off, m->raw_len - off);
	in = message_parse(raw.data ? raw.data : "", raw.len, lim);
	buf_free(&raw);
	return in;
}

size_t
forward_unwrap(const struct message *outer, const struct msg_limits *lim, struct fwd_inner *out, size_t max)
{
	size_t n = 0, k;
	const char *orig;
	char *service = NULL;

	if (outer == NULL || outer->status == MSG_OVERSIZED || outer->spooled || max == 0)
		return 0;
	memset(out, 0, max * sizeof(*out));
	if (outer->attached != NULL) {
		out[n].kind = FWD_ATTACHED;
		out[n].how = "attached message (message/rfc822)";
		out[n].m = message_parse(outer->attached, outer->attached_len, lim);
		n += out[n].m != NULL;
	}
	/* the plain text, else the rendered HTML: one of them, not both */
	k = n < max ? scan_inline(outer, outer->text ? outer->text : "", lim, out + n, max - n) : 0;
	if (k == 0 && n < max)
		k = scan_inline(outer, outer->html_text ? outer->html_text : "", lim, out + n, max - n);
	n += k;
	if (n < max && (orig = service_original(outer, &service)) != NULL) {
		const char *drop = message_header_raw(outer, "X-Original-From", 0) == orig ? NULL : "Reply-To";
		out[n].kind = FWD_SERVICE;
		out[n].how = "re-sending service";
		out[n].service = service;
		if ((out[n].m = resent_message(outer, orig, drop, lim)) != NULL)
			n++;
		else
			free(service);
	}
	if (n == 0 && forward_subject_prefix(outer->subject)) {
		out[n].kind = FWD_SUBJECT;
		out[n].how = "forward without the original sender";
		out[n].m = fromless_message(outer, lim);
		n += out[n].m != NULL;
	}
	return n;
}

void
forward_free(struct fwd_inner *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		message_free(v[i].m);
		free(v[i].service);
		memset(&v[i], 0, sizeof(v[i]));
	}
}
