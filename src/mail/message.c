/* message.c — message_parse(): raw bytes -> struct message (message.h).
 *
 * Malformed input never fails the parse: the message gets status
 * MSG_MALFORMED with the first problem in status_reason, and keeps whatever
 * could be read (headers, text of the parts before and after the problem).
 * Over max_size: MSG_OVERSIZED, only the header block is parsed. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/lib-etpan.h"

#include "mail/msgparse.h"
#include "base/util.h"

const char *
msg_status_name(enum msg_status s)
{
	switch (s) {
	case MSG_OK: return "ok";
	case MSG_OVERSIZED: return "oversized";
	default: return "malformed";
	}
}

/* Printable ASCII without an encoded word ("=?"): hdr_decode() would
 * return it as it is. */
static int
plain_value(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || (s[0] == '=' && s[1] == '?'))
			return 0;
	return 1;
}

void
msg_top_headers(struct mparse *mp, const struct hfield *f, size_t nf)
{
	struct message *m = mp->m;

	if (m->headers != NULL)
		return;
	m->headers = xcalloc(nf ? nf : 1, sizeof(*m->headers));
	for (size_t i = 0; i < nf; i++) {
		struct msg_header *h = &m->headers[i];
		h->name = xstrndup(f[i].name, f[i].nlen);
		for (char *c = h->name; *c; c++)
			if (*c == '\0')
				*c = ' ';
		h->raw = hdr_unfold(f[i].val, f[i].vlen);
		h->value = plain_value(h->raw) ? xstrdup(h->raw) : hdr_decode(h->raw, strlen(h->raw));
	}
	m->nheaders = nf;
}

static const struct msg_header *
find_header(const struct message *m, const char *name, size_t nth)
{
	int c0 = name[0] | 0x20; /* the first letter, any case: most names differ there */

	for (size_t i = 0; m && i < m->nheaders; i++)
		if ((m->headers[i].name[0] | 0x20) == c0 && !strcasecmp(m->headers[i].name, name) && nth-- == 0)
			return &m->headers[i];
	return NULL;
}

const char *
message_header(const struct message *m, const char *name, size_t nth)
{
	const struct msg_header *h = find_header(m, name, nth);

	return h ? h->value : NULL;
}

const char *
message_header_raw(const struct message *m, const char *name, size_t nth)
{
	const struct msg_header *h = find_header(m, name, nth);

	return h ? h->raw : NULL;
}

static void
set_addr(struct message *m, const char *addr)
{
	char *a = xstrdup(addr), *at;

	trim(a);
	for (char *c = a; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	if ((at = strrchr(a, '@')) != NULL) {
		lowercase(at + 1);
		free(m->from_domain);
		m->from_domain = xstrdup(at + 1);
	}
	free(m->from);
	m->from = a;
}

/* Fallback when libetpan cannot parse From: the text in <...> or a word with '@'. */
static void
from_by_hand(struct message *m, const char *raw)
{
	const char *lt = strrchr(raw, '<'), *gt;
	char *tok;

	if (lt && (gt = strchr(lt, '>')) != NULL && memchr(lt, '@', (size_t)(gt - lt))) {
		tok = xstrndup(lt + 1, (size_t)(gt - lt - 1));
		set_addr(m, tok);
		free(tok);
		tok = xstrndup(raw, (size_t)(lt - raw));
		trim(tok);
		size_t n = strlen(tok);
		if (n >= 2 && tok[0] == '"' && tok[n - 1] == '"') {
			tok[n - 1] = '\0';
			memmove(tok, tok + 1, n - 1);
		}
		free(m->from_display);
		m->from_display = hdr_decode(tok, strlen(tok));
		free(tok);
		return;
	}
	for (const char *p = raw; *p;) {
		size_t n = strcspn(p, " \t,;<>\"()");
		if (n && memchr(p, '@', n)) {
			tok = xstrndup(p, n);
			set_addr(m, tok);
			free(tok);
			return;
		}
		p += n ? n : 1;
	}
}

/* An addr-spec as libetpan returned it is usable when it has one '@' with
 * text on both sides and nothing a display or route could hide in. */
static int
addr_ok(const char *a)
{
	const char *at = strrchr(a, '@');

	return at && at != a && at[1] && strcspn(a, "<>()[],;:\" \t\\") == strlen(a);
}

/* Skip white space and (comments) after the address; a comment becomes the
 * display name when there is none ("a@b (Name)"). */
static size_t
skip_cfws(struct message *m, const char *s, size_t i, size_t len)
{
	while (i < len) {
		if (s[i] == ' ' || s[i] == '\t') {
			i++;
			continue;
		}
		if (s[i] != '(')
			break;
		size_t start = ++i;
		int depth = 1;
		for (; i < len && depth > 0; i++) {
			if (s[i] == '\\' && i + 1 < len)
				i++;
			else if (s[i] == '(')
				depth++;
			else if (s[i] == ')')
				depth--;
		}
		if (depth > 0)
			return start - 1; /* unbalanced: leave it as trailing text */
		if (*m->from_display == '\0') {
			char *c = xstrndup(s + start, i - 1 - start);
			free(m->from_display);
			m->from_display = hdr_decode(c, strlen(c));
			trim(m->from_display);
			free(c);
		}
	}
	return i;
}

/* From decides who a message claims to be from: anything ambiguous (two
 * From fields, two addresses, text after the address, an address that does
 * not parse) makes the message malformed, so it can never count as a CA's. */
static void
parse_from(struct mparse *mp)
{
	struct message *m = mp->m;
	const char *raw = message_header_raw(m, "From", 0);
	struct mailimf_mailbox_list *ml = NULL;
	struct mailimf_mailbox *mb;
	size_t idx = 0, len;

	if (raw == NULL)
		return;
	if (message_header_raw(m, "From", 1) != NULL)
		mp_malformed(mp, "more than one From header");
	len = strlen(raw);
	if (mailimf_mailbox_list_parse(raw, len, &idx, &ml) != MAILIMF_NO_ERROR) {
		from_by_hand(m, raw);
		if (*raw)
			mp_malformed(mp, "From header is not a valid address");
		return;
	}
	mb = clist_isempty(ml->mb_list) ? NULL : clist_content(clist_begin(ml->mb_list));
	if (mb && mb->mb_addr_spec && addr_ok(mb->mb_addr_spec)) {
		set_addr(m, mb->mb_addr_spec);
		if (mb->mb_display_name) {
			free(m->from_display);
			m->from_display = hdr_decode(mb->mb_display_name, strlen(mb->mb_display_name));
			trim(m->from_display);
		}
		if (clist_count(ml->mb_list) > 1)
			mp_malformed(mp, "From header has %d addresses", clist_count(ml->mb_list));
		idx = skip_cfws(m, raw, idx, len);
		if (idx < len)
			mp_malformed(mp, "From header has text after the address");
	} else {
		from_by_hand(m, raw);
		mp_malformed(mp, "From header is not a valid address");
	}
	mailimf_mailbox_list_free(ml);
}

static char *
hdr_or_empty(const struct message *m, const char *name, int decoded)
{
	const char *v = decoded ? message_header(m, name, 0) : message_header_raw(m, name, 0);

	return xstrdup(v ? v : "");
}

static void
fill_fields(struct mparse *mp)
{
	struct message *m = mp->m;
	char *id;
	size_t n;

	m->from = xstrdup("");
	m->from_domain = xstrdup("");
	m->from_display = xstrdup("");
	parse_from(mp);
	m->subject = hdr_or_empty(m, "Subject", 1);
	m->date = hdr_or_empty(m, "Date", 0);
	message_find_dates(m);
	id = hdr_or_empty(m, "Message-ID", 0);
	trim(id);
	n = strlen(id);
	if (n >= 2 && id[0] == '<' && id[n - 1] == '>') {
		id[n - 1] = '\0';
		memmove(id, id + 1, n - 1);
	}
	m->message_id = id;
}

static char *
join_body(const struct buf *text, const struct buf *html_text)
{
	struct buf b;

	buf_init(&b, 0);
	buf_add(&b, text->data ? text->data : "", text->len);
	if (text->len && html_text->len)
		buf_addc(&b, '\n');
	buf_add(&b, html_text->data ? html_text->data : "", html_text->len);
	return buf_steal(&b);
}

static void
parse_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	/* libetpan decodes words, dates and addresses: loaded now (dl.h), or
	 * the run ends here (pipe mode: exit 75, the mail stays queued) */
	lib_must(LIB_ETPAN);
	cs_install_hook(); /* libxml2 is set up when the first HTML part needs it (html.c) */
	/* A message of a few hundred kB (an HTML newsletter) needs buffers
	 * over malloc's default mmap threshold, and glibc's moving threshold
	 * then trims the heap after each message: every such message faulted
	 * its pages in anew (h-batch: a tenth of a batch check's CPU, in the
	 * kernel). Buffers up to 4 MB come from the heap, and up to 16 MB of
	 * free heap is kept for the next message. */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
}

struct message *
message_parse(const char *buf, size_t len, const struct msg_limits *lim)
{
	struct msg_limits deflim;
	struct message *m = xcalloc(1, sizeof(*m));
	struct mparse mp;

	parse_init();
	if (lim == NULL) {
		msg_limits_default(&deflim);
		lim = &deflim;
	}
	m->raw = xmalloc(len + 4);
	if (len)
		memcpy(m->raw, buf, len);
	memset(m->raw + len, 0, 4);
	m->raw_len = len;
	sha256_hex(m->raw, len, m->sha256);

	memset(&mp, 0, sizeof(mp));
	mp.m = m;
	mp.lim = lim;
	mp.max_depth = lim->max_depth < 0 ? 0 : lim->max_depth > 256 ? 256 : lim->max_depth;
	buf_init(&mp.text, 0);
	buf_init(&mp.html, 0);
	buf_init(&mp.html_text, 0);
	links_init(&mp.links, lim->max_links);

	if (len > lim->max_size) {
		struct hfield *f = NULL;
		size_t nf = 0, cap = 0;
		m->status = MSG_OVERSIZED;
		m->status_reason = xasprintf("message of %zu bytes is over the %zu-byte limit", len, lim->max_size);
		hdr_block(&mp, m->raw, m->raw + len, &f, &nf, &cap);
		msg_top_headers(&mp, f, nf);
		free(f);
	} else {
		mime_entity(&mp, m->raw, m->raw + len, 0, MP_TOP);
	}
	if (m->headers == NULL)
		m->headers = xcalloc(1, sizeof(*m->headers));
	if (m->nheaders == 0)
		mp_malformed(&mp, len ? "no header fields" : "empty message");
	fill_fields(&mp);
	m->text = buf_steal(&mp.text);
	m->html = buf_steal(&mp.html);
	m->html_text = buf_steal(&mp.html_text);
	m->body = join_body(&(struct buf){ .data = m->text, .len = strlen(m->text) },
			    &(struct buf){ .data = m->html_text, .len = strlen(m->html_text) });
	m->links = mp.links.v;
	m->nlinks = mp.links.n;
	links_done(&mp.links);
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
	free(m->attached);
	free(m);
}
