/* message.h — the parsed, normalised message every intake produces. */
#ifndef DCVMAIL_MESSAGE_H
#define DCVMAIL_MESSAGE_H

#include <stddef.h>
#include <time.h>
#include "base/limits.h"

enum msg_status {
	MSG_OK = 0,
	MSG_MALFORMED, /* broken MIME, over depth/parts/header/line limits */
	MSG_OVERSIZED, /* over the size limit: headers parsed, body not */
};

struct msg_header {
	char *name;  /* as written */
	char *value; /* unfolded, RFC 2047 decoded to UTF-8 */
	char *raw;   /* unfolded, not decoded */
};

struct msg_link {
	char *url;    /* url_normalize()d (url.h): the form every check and request uses */
	char *scheme; /* "https", "http" */
	char *host;   /* lower-case; an IDN in A-label (punycode) form */
	char *path;   /* path plus "?query" if any */
	char *text;   /* anchor text for HTML links (UTF-8), NULL for text links */
	unsigned from_html : 1;
	unsigned has_userinfo : 1;
	unsigned ip_literal : 1;
	unsigned idn : 1; /* host has an "xn--" label or non-ASCII */
	unsigned has_port : 1;
};

/* Where a message came from (the intake sets it; the judge and the ledger
 * read it). */
struct envelope {
	const char *source;	    /* "pipe", "imap", "file" */
	const char *mailbox;	    /* file path, imap mailbox name, or recipient */
	const char *sender;	    /* envelope sender (pipe -f), may be NULL */
	const char *recipient;	    /* envelope recipient (pipe -r), may be NULL */
	const char *orig_recipient; /* (pipe -o), may be NULL */
	const char *role;	    /* "whois", "txt", "constructed", "approver", "ev-contact", or NULL */
};

struct message {
	char *raw; /* owned copy of the input, followed by >= 4 NUL bytes */
	size_t raw_len;
	char sha256[65];

	enum msg_status status;
	char *status_reason; /* NULL when MSG_OK */

	struct msg_header *headers; /* top-level headers, in order */
	size_t nheaders;

	char *from;			      /* addr-spec, lower-cased domain; "" if none */
	char *from_domain;		      /* lower-case; "" if none */
	char *from_display;		      /* decoded display name, "" if none */
	char *subject;			      /* decoded UTF-8, "" if none */
	char *message_id;		      /* without <>, "" if none */
	char *date;			      /* as written, "" if none */
	time_t date_t;			      /* Date: parsed, 0 when missing or not a date */
	time_t received_top, received_bottom; /* the dates of the newest and oldest Received: that parse, 0: none */

	char *text;	 /* text/plain parts, UTF-8, joined by "\n" */
	char *html;	 /* text/html parts, decoded to UTF-8 (markup kept) */
	char *html_text; /* text/html parts rendered to plain text */
	char *body;	 /* text + "\n" + html_text: what `body` rules match */

	struct msg_link *links; /* http(s) links from text and HTML, deduplicated */
	size_t nlinks;

	/* The first message/rfc822 (or message/global) part, transfer-decoded
	 * but not parsed: a mail forwarded as an attachment (mail/forward.h).
	 * NULL when there is none. */
	char *attached;
	size_t attached_len;

	int nparts; /* MIME parts seen */
	int depth;  /* deepest nesting seen */
	int nattachments;

	/* Set when the intake archived the whole message itself (store_spool_*)
	 * because it is larger than what it holds: raw is only a prefix, and
	 * sha256 and spooled_size are of all bytes. */
	int spooled;
	size_t spooled_size;
};

/* Parse buf (len bytes; copied). Never fails on bad input: problems are
 * reported in status/status_reason. Returns NULL only when lim rejects nothing
 * and memory runs out (which dies instead), so callers may treat NULL as fatal. */
struct message *message_parse(const char *buf, size_t len, const struct msg_limits *lim);
void message_free(struct message *);

/* nth (0-based) top-level header named name (case-insensitive), decoded; NULL if absent. */
const char *message_header(const struct message *, const char *name, size_t nth);
const char *message_header_raw(const struct message *, const char *name, size_t nth);

const char *msg_status_name(enum msg_status);

/* An RFC 5322 date-time (libetpan's parser) as seconds since the epoch; 0
 * when it does not parse or is no real date. */
time_t message_parse_date(const char *, size_t len);
/* Fill date_t, received_top and received_bottom (message_parse does). */
void message_find_dates(struct message *);
/* When the message was sent, for ages and deadlines: its Date:, but never
 * later than it reached the newest Received: hop or arrived here (a
 * sender's fast clock or a forged future date), and never more than 7 days before its oldest
 * hop; without a usable Date:, the oldest hop's date; without either, arrival. */
time_t message_sent_time(const struct message *, time_t arrival);

#endif
