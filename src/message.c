/* message.c — parse a raw message into the normalised model (message.h):
 * headers decoded to UTF-8, text and HTML parts decoded and converted, HTML
 * rendered, links extracted. Limits turn into a status, never a failure. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "dcvmail/charset.h"
#include "dcvmail/html.h"
#include "dcvmail/links.h"
#include "dcvmail/message.h"
#include "dcvmail/mime.h"
#include "dcvmail/util.h"

#define NUL_PAD 8 /* libetpan's QP decoder reads past a truncated "=X" */

void
msg_limits_default(struct msg_limits *l)
{
	l->max_size = 10 * 1024 * 1024;
	l->max_depth = 32;
	l->max_parts = 1000;
	l->max_headers = 1000;
	l->max_line = 1000 * 1000;
	l->max_text = 4 * 1024 * 1024;
	l->max_links = 500;
}

const char *
msg_status_name(enum msg_status s)
{
	switch (s) {
	case MSG_OK: return "ok";
	case MSG_OVERSIZED: return "oversized";
	default: return "malformed";
	}
}

void
message_set_status(struct message *m, enum msg_status s, const char *fmt, ...)
{
	va_list ap;

	/* the first problem is the one reported; oversized beats malformed */
	if (m->status != MSG_OK && !(s == MSG_OVERSIZED && m->status != MSG_OVERSIZED))
		return;
	m->status = s;
	free(m->status_reason);
	va_start(ap, fmt);
	m->status_reason = xvasprintf(fmt, ap);
	va_end(ap);
}

static const char *
header_at(const struct message *m, const char *name, size_t nth, int raw)
{
	for (size_t i = 0; i < m->nheaders; i++)
		if (strcasecmp(m->headers[i].name, name) == 0 && nth-- == 0)
			return raw ? m->headers[i].raw : m->headers[i].value;
	return NULL;
}

const char *
message_header(const struct message *m, const char *name, size_t nth)
{
	return header_at(m, name, nth, 0);
}

const char *
message_header_raw(const struct message *m, const char *name, size_t nth)
{
	return header_at(m, name, nth, 1);
}

/* "Name <a@b>", "a@b (Name)", "\"Name\" <a@b>" -> address and display name. */
static void
parse_from(struct message *m, const char *raw, const char *decoded)
{
	const char *lt, *gt;
	char *addr = NULL, *disp = NULL, *at;

	if (raw == NULL) {
		m->from = xstrdup("");
		m->from_domain = xstrdup("");
		m->from_display = xstrdup("");
		return;
	}
	lt = strrchr(raw, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt) {
		addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
		const char *dlt = strrchr(decoded, '<');
		disp = xstrndup(decoded, dlt ? (size_t)(dlt - decoded) : 0);
	} else {
		const char *p = raw;
		while (*p && isspace((unsigned char)*p))
			p++;
		size_t n = strcspn(p, " \t(");
		addr = xstrndup(p, n);
		const char *c = strchr(decoded, '(');
		const char *e = c ? strrchr(c, ')') : NULL;
		disp = c && e ? xstrndup(c + 1, (size_t)(e - c - 1)) : xstrdup("");
	}
	char *a = trim(addr);
	if ((at = strrchr(a, '@')) != NULL)
		lowercase(at);
	m->from = xstrdup(a);
	m->from_domain = xstrdup(at ? at + 1 : "");
	char *d = trim(disp);
	size_t dl = strlen(d);
	if (dl >= 2 && d[0] == '"' && d[dl - 1] == '"') {
		d[dl - 1] = '\0';
		d++;
	}
	m->from_display = xstrdup(d);
	free(addr);
	free(disp);
}

static void
fill_summary(struct message *m)
{
	const char *mid = message_header(m, "Message-ID", 0);
	const char *s = message_header(m, "Subject", 0);
	const char *d = message_header(m, "Date", 0);

	parse_from(m, message_header_raw(m, "From", 0), message_header(m, "From", 0));
	m->subject = xstrdup(s ? s : "");
	m->date = xstrdup(d ? d : "");
	if (mid) {
		while (isspace((unsigned char)*mid))
			mid++;
		if (*mid == '<')
			mid++;
		m->message_id = xstrndup(mid, strcspn(mid, ">"));
	} else
		m->message_id = xstrdup("");
}

/* Message-level body as text when MIME structure cannot be used. */
static void
raw_body_as_text(struct message *m, size_t hdr_end, struct buf *text)
{
	if (hdr_end < m->raw_len)
		charset_to_utf8(text, NULL, m->raw + hdr_end, m->raw_len - hdr_end);
}

struct message *
message_parse(const char *buf, size_t len, const struct msg_limits *lim)
{
	struct message *m = xcalloc(1, sizeof(*m));
	struct msg_limits def;
	struct buf text, html, html_text;
	struct linkset ls;
	size_t hdr_end;

	if (lim == NULL) {
		msg_limits_default(&def);
		lim = &def;
	}
	m->raw = xmalloc(len + NUL_PAD);
	memcpy(m->raw, buf, len);
	memset(m->raw + len, 0, NUL_PAD);
	m->raw_len = len;
	sha256_hex(buf, len, m->sha256);

	buf_init(&text, lim->max_text);
	buf_init(&html, lim->max_text);
	buf_init(&html_text, lim->max_text);
	memset(&ls, 0, sizeof(ls));
	ls.max = (size_t)lim->max_links;

	hdr_end = headers_parse(m, lim, m->raw, len, &m->headers, &m->nheaders);
	fill_summary(m);
	if (len > lim->max_size)
		message_set_status(m, MSG_OVERSIZED, "message of %zu bytes is over the %zu-byte limit",
				   len, lim->max_size);
	else if (mime_walk(m, lim, &text, &html) == -1)
		raw_body_as_text(m, hdr_end, &text);

	m->text = buf_steal(&text);
	m->html = buf_steal(&html);
	if (*m->html)
		html_render(m->html, strlen(m->html), &html_text, &ls);
	m->html_text = buf_steal(&html_text);
	links_scan_text(&ls, m->text, strlen(m->text));
	links_scan_text(&ls, m->html_text, strlen(m->html_text));
	m->body = xasprintf("%s\n%s", m->text, m->html_text);
	m->links = ls.v;
	m->nlinks = ls.n;
	return m;
}

void
message_free(struct message *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nheaders; i++) {
		free(m->headers[i].name);
		free(m->headers[i].value);
		free(m->headers[i].raw);
	}
	free(m->headers);
	links_free(m->links, m->nlinks);
	free(m->raw);
	free(m->status_reason);
	free(m->from);
	free(m->from_domain);
	free(m->from_display);
	free(m->subject);
	free(m->message_id);
	free(m->date);
	free(m->text);
	free(m->html);
	free(m->html_text);
	free(m->body);
	free(m);
}
