/* mime.c — header fields and the MIME tree (libetpan), with limits. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "dcvmail/charset.h"
#include "dcvmail/mime.h"
#include "dcvmail/util.h"

/* Shift_JIS encoded-words decode right only as CP932. */
static char *
fix_charset_labels(const char *raw)
{
	static const char *const from[] = { "=?shift_jis?", "=?shift-jis?", "=?sjis?", "=?x-sjis?" };
	struct buf b;
	const char *p = raw;

	if (strstr(raw, "=?") == NULL)
		return NULL;
	buf_init(&b, 0);
	while (*p) {
		size_t i;
		for (i = 0; i < nitems(from); i++)
			if (!strncasecmp(p, from[i], strlen(from[i])))
				break;
		if (i < nitems(from)) {
			buf_adds(&b, "=?cp932?");
			p += strlen(from[i]);
		} else
			buf_addc(&b, *p++);
	}
	return buf_steal(&b);
}

char *
header_decode(const char *raw)
{
	struct buf b;
	char *fixed = NULL, *res = NULL;
	const char *in = raw;
	size_t idx = 0;
	int has_8bit = 0;

	for (const char *p = raw; *p; p++)
		if ((unsigned char)*p >= 0x80) {
			has_8bit = 1;
			break;
		}
	buf_init(&b, 0);
	if (has_8bit || strstr(raw, "=?") == NULL) {
		/* raw 8-bit header: UTF-8 if valid, else guessed */
		charset_to_utf8(&b, NULL, raw, strlen(raw));
		return buf_steal(&b);
	}
	if ((fixed = fix_charset_labels(raw)) != NULL)
		in = fixed;
	if (mailmime_encoded_phrase_parse("us-ascii", in, strlen(in), &idx, "utf-8", &res) ==
	    MAILIMF_NO_ERROR && res != NULL) {
		charset_to_utf8(&b, "UTF-8", res, strlen(res));
		free(res);
	} else
		charset_to_utf8(&b, NULL, raw, strlen(raw));
	free(fixed);
	return buf_steal(&b);
}

/* Unfold: CRLF/LF followed by WSP becomes nothing (RFC 5322 2.2.3). */
static char *
unfold(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if (s[i] == '\n')
			continue;
		*o++ = s[i] == '\0' ? ' ' : s[i];
	}
	*o = '\0';
	return out;
}

size_t
headers_parse(struct message *m, const struct msg_limits *lim, const char *buf, size_t len,
	      struct msg_header **out, size_t *nout)
{
	size_t pos = 0, n = 0, cap = 0;
	struct msg_header *h = NULL;

	*out = NULL;
	*nout = 0;
	while (pos < len) {
		const char *line = buf + pos;
		size_t end = pos, colon;

		*out = h;
		*nout = n;
		if (line[0] == '\n')
			return pos + 1;
		if (line[0] == '\r' && pos + 1 < len && line[1] == '\n')
			return pos + 2;
		/* a field runs to the first line end not followed by WSP */
		for (;;) {
			const char *nl = memchr(buf + end, '\n', len - end);
			end = nl ? (size_t)(nl - buf) + 1 : len;
			if (end >= len || (buf[end] != ' ' && buf[end] != '\t'))
				break;
		}
		if (pos == 0 && len >= 5 && !memcmp(buf, "From ", 5)) {
			pos = end; /* mbox separator line */
			continue;
		}
		if (end - pos > lim->max_line) {
			message_set_status(m, MSG_MALFORMED, "header line longer than %zu bytes", lim->max_line);
			pos = end;
			continue;
		}
		colon = 0;
		for (size_t i = pos; i < end; i++) {
			if (buf[i] == ':') {
				colon = i;
				break;
			}
			if (buf[i] == ' ' || buf[i] == '\t' || (unsigned char)buf[i] < 0x21)
				break;
		}
		if (colon == 0 || colon == pos) {
			/* not a header field: the header block ended without a blank line */
			if (n == 0)
				message_set_status(m, MSG_MALFORMED, "no header fields");
			return pos;
		}
		if ((int)n >= lim->max_headers) {
			message_set_status(m, MSG_MALFORMED, "more than %d header fields", lim->max_headers);
			pos = end;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			h = xreallocarray(h, cap, sizeof(*h));
		}
		h[n].name = xstrndup(buf + pos, colon - pos);
		char *raw = unfold(buf + colon + 1, end - colon - 1);
		char *t = trim(raw);
		h[n].raw = xstrdup(t);
		free(raw);
		h[n].value = header_decode(h[n].raw);
		n++;
		pos = end;
	}
	*out = h;
	*nout = n;
	return len;
}

/* --- the MIME tree --- */

struct walk {
	struct message *m;
	const struct msg_limits *lim;
	struct buf *text, *html;
	int parts;
};

static int
is_attachment(struct mailmime *mm)
{
	clistiter *it;

	if (mm->mm_mime_fields == NULL)
		return 0;
	for (it = clist_begin(mm->mm_mime_fields->fld_list); it; it = clist_next(it)) {
		struct mailmime_field *f = clist_content(it);
		if (f->fld_type == MAILMIME_FIELD_DISPOSITION && f->fld_data.fld_disposition &&
		    f->fld_data.fld_disposition->dsp_type &&
		    f->fld_data.fld_disposition->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT)
			return 1;
	}
	return 0;
}

/* 0 text/plain, 1 text/html, -1 anything else */
static int
text_kind(struct mailmime_content *ct)
{
	if (ct == NULL)
		return 0; /* default Content-Type is text/plain */
	if (ct->ct_type == NULL || ct->ct_type->tp_type != MAILMIME_TYPE_DISCRETE_TYPE ||
	    ct->ct_type->tp_data.tp_discrete_type == NULL ||
	    ct->ct_type->tp_data.tp_discrete_type->dt_type != MAILMIME_DISCRETE_TYPE_TEXT)
		return -1;
	if (ct->ct_subtype && !strcasecmp(ct->ct_subtype, "html"))
		return 1;
	if (ct->ct_subtype && (!strcasecmp(ct->ct_subtype, "plain") || !strcasecmp(ct->ct_subtype, "enriched")))
		return 0;
	return -1;
}

static void
single_part(struct walk *w, struct mailmime *mm)
{
	struct mailmime_data *d = mm->mm_data.mm_single;
	int kind = text_kind(mm->mm_content_type);
	int enc;
	char *res = NULL;
	size_t idx = 0, rlen = 0;
	struct buf *dst;
	const char *cs;

	if (kind < 0 || is_attachment(mm)) {
		w->m->nattachments++;
		return;
	}
	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return;
	enc = mm->mm_mime_fields ? mailmime_transfer_encoding_get(mm->mm_mime_fields) : MAILMIME_MECHANISM_8BIT;
	if (mailmime_part_parse(d->dt_data.dt_text.dt_data, d->dt_data.dt_text.dt_length, &idx, enc,
				&res, &rlen) != MAILIMF_NO_ERROR || res == NULL)
		return;
	cs = mm->mm_content_type ? mailmime_content_param_get(mm->mm_content_type, "charset") : NULL;
	while (rlen > 0 && res[rlen - 1] == '\0')
		rlen--; /* libetpan's QP decoder may copy our NUL padding */
	dst = kind == 1 ? w->html : w->text;
	if (dst->len)
		buf_addc(dst, '\n');
	charset_to_utf8(dst, cs, res, rlen);
	mmap_string_unref(res);
}

static int
closing_boundary_present(struct mailmime *mm)
{
	const char *b = mm->mm_content_type ? mailmime_content_param_get(mm->mm_content_type, "boundary") : NULL;
	char *needle;
	int found;

	if (b == NULL || mm->mm_mime_start == NULL)
		return 0;
	needle = xasprintf("--%s--", b);
	found = memmem(mm->mm_mime_start, mm->mm_length, needle, strlen(needle)) != NULL;
	free(needle);
	return found;
}

static void
walk_part(struct walk *w, struct mailmime *mm, int depth)
{
	clistiter *it;

	if (depth > w->m->depth)
		w->m->depth = depth;
	if (depth > w->lim->max_depth) {
		message_set_status(w->m, MSG_MALFORMED, "MIME nesting deeper than %d", w->lim->max_depth);
		return;
	}
	if (++w->parts > w->lim->max_parts) {
		message_set_status(w->m, MSG_MALFORMED, "more than %d MIME parts", w->lim->max_parts);
		return;
	}
	w->m->nparts = w->parts;
	switch (mm->mm_type) {
	case MAILMIME_SINGLE:
		single_part(w, mm);
		break;
	case MAILMIME_MULTIPLE:
		if (!closing_boundary_present(mm))
			message_set_status(w->m, MSG_MALFORMED, "multipart without its closing boundary");
		for (it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list); it; it = clist_next(it))
			walk_part(w, clist_content(it), depth + 1);
		break;
	case MAILMIME_MESSAGE:
		if (mm->mm_data.mm_message.mm_msg_mime)
			walk_part(w, mm->mm_data.mm_message.mm_msg_mime, depth + 1);
		break;
	}
}

/* libetpan recurses once per nesting level: count the boundaries first so a
 * hostile message cannot make it recurse without bound. */
static size_t
count_boundaries(const char *s, size_t len)
{
	size_t n = 0;
	const char *p = s, *e = s + len;

	while (p < e && (p = memchr(p, '=', (size_t)(e - p))) != NULL) {
		if (p - s >= 8 && !strncasecmp(p - 8, "boundary", 8))
			n++;
		p++;
	}
	return n;
}

int
mime_walk(struct message *m, const struct msg_limits *lim, struct buf *text, struct buf *html)
{
	struct mailmime *mime = NULL;
	size_t idx = 0;
	struct walk w = { m, lim, text, html, 0 };

	if (count_boundaries(m->raw, m->raw_len) > (size_t)lim->max_parts + (size_t)lim->max_depth) {
		message_set_status(m, MSG_MALFORMED, "more than %d MIME parts", lim->max_parts);
		return -1;
	}
	if (mailmime_parse(m->raw, m->raw_len, &idx, &mime) != MAILIMF_NO_ERROR || mime == NULL) {
		message_set_status(m, MSG_MALFORMED, "MIME structure could not be parsed");
		return -1;
	}
	walk_part(&w, mime, 0);
	mailmime_free(mime);
	return 0;
}
