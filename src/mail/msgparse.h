/* msgparse.h — internals shared by the message parser files (message.c,
 * mime.c, charset.c, html.c, links.c). Not an interface for other subsystems:
 * use message.h. */
#ifndef DCVMAIL_MSGPARSE_H
#define DCVMAIL_MSGPARSE_H

#include <stddef.h>

#include "mail/charset.h"
#include "mail/links.h"
#include "mail/message.h"
#include "base/util.h"

/* charset.c (see charset.h for the conversions) */
/* Install the libetpan charset hook (RFC 2047 words through cs_to_utf8). */
void cs_install_hook(void);
/* Decode an RFC 2047 header value (unfolded) to clean UTF-8. */
char *hdr_decode(const char *raw, size_t len);

/* A text buffer capped at a byte limit, cut on a UTF-8 boundary. */
void tbuf_add(struct buf *, const char *, size_t, size_t max);

/* links.c */
struct linkset {
	struct msg_link *v;
	size_t n, cap;
	int max;	 /* keep at most max links */
	size_t attempts; /* candidates tried (bounded) */
	void *curl;	 /* CURLU handle, reused */
	/* h-speed: candidates parsed before (a newsletter repeats its links
	 * thousands of times): open addressing, cand -> index in v, or -1 */
	struct link_seen {
		char *cand;
		long idx;
	} * seen;
	size_t nseen, seencap;
};
void links_init(struct linkset *, int max);
void links_done(struct linkset *); /* frees the curl handle and the cache, not the links */
/* Add one URL candidate (href or text). text: anchor text or NULL. */
void links_add(struct linkset *, const char *url, size_t len, const char *text, int from_html);
/* The same with the text as tlen bytes (no NUL among them), not a string. */
void links_add_n(struct linkset *, const char *url, size_t len, const char *text, size_t tlen, int from_html);
/* Find http(s) URLs in UTF-8 text. */
void links_scan_text(struct linkset *, const char *text, size_t len);

/* html.c: render UTF-8 HTML to text appended to out (capped at max bytes);
 * every <a href> goes to ls with its anchor text. Streams (no tree). Elements
 * nested deeper than HTML_MAX_DEPTH or more than HTML_MAX_ERRORS syntax errors
 * stop the rendering there: returns HTML_TOO_DEEP or HTML_TOO_MANY_ERRORS,
 * else 0. */
#define HTML_MAX_DEPTH 1000
#define HTML_MAX_ERRORS 100000
#define HTML_TOO_DEEP (-1)
#define HTML_TOO_MANY_ERRORS (-2)
int html_render(const char *html, size_t len, struct buf *out, size_t max, struct linkset *ls);

/* mime.c */
struct hfield {
	const char *name;
	size_t nlen;
	const char *val; /* folded, as in the input */
	size_t vlen;
};
struct mparse {
	struct message *m;
	const struct msg_limits *lim;
	struct buf text, html, html_text;
	struct linkset links;
	int max_depth;
};
/* Mark the message malformed (the first reason is kept). */
void mp_malformed(struct mparse *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse a header block in [p, end). Fields go to *fields (grown, *nf set);
 * returns the start of the body. Enforces header count and line limits. */
const char *hdr_block(struct mparse *, const char *p, const char *end, struct hfield **fields, size_t *nf, size_t *cap);
/* Unfold a folded value into a new string (CR/LF removed, NUL -> space, trimmed). */
char *hdr_unfold(const char *v, size_t len);
/* Walk one entity (headers + body) at depth. */
#define MP_TOP 1     /* the message itself: keep its headers */
#define MP_DIGEST 2  /* inside multipart/digest: default type message/rfc822 */
#define MP_MESSAGE 4 /* a nested message/rfc822: show its headers in text */
void mime_entity(struct mparse *, const char *p, const char *end, int depth, int flags);
/* message.c: keep the top-level header fields. */
void msg_top_headers(struct mparse *, const struct hfield *, size_t);

#endif
