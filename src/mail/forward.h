/* forward.h — the inner message of a forwarded mail (dcvmail.rules(5),
 * FORWARDED MAIL): a message attached as message/rfc822, the forwarded
 * block a mail client writes inline (Gmail, Outlook, Thunderbird, Apple
 * Mail, in English, Japanese and a few more languages), a re-sending
 * service's copy with the original sender in X-Original-From or Reply-To,
 * or only a forward prefix in the subject. The mail stage only finds and
 * parses the inner message; who is trusted is the judge's (judge/forward.h). */
#ifndef DCVMAIL_FORWARD_H
#define DCVMAIL_FORWARD_H

#include <stddef.h>

#include "base/limits.h"
#include "mail/message.h"

enum fwd_kind {
	FWD_ATTACHED = 1, /* a message/rfc822 part */
	FWD_INLINE,	  /* a client's forwarded-message block */
	FWD_SERVICE,	  /* re-sent under the service's own From */
	FWD_SUBJECT,	  /* only a forward prefix in the subject: the original sender is unknown */
};

struct fwd_inner {
	enum fwd_kind kind;
	const char *how;   /* static: "Gmail", "Outlook", "Thunderbird", "Apple Mail", ... */
	struct message *m; /* the inner message, parsed like any other (owned) */
	char *service;	   /* FWD_SERVICE: the name after " via " in the display name, else NULL */
};

/* At most this many candidates are looked at per message. */
#define FWD_MAX 6

/* The candidate inner messages of outer, most telling first (attachment,
 * inline blocks in text order, re-sending service, subject prefix), at most
 * max; each is parsed under lim (NULL: the defaults). Returns how many. An
 * oversized or spooled message has none. */
size_t forward_unwrap(const struct message *outer, const struct msg_limits *lim, struct fwd_inner *out, size_t max);
void forward_free(struct fwd_inner *, size_t n);

/* Does the subject start with a forward prefix (Fwd:, FW:, WG:, TR:, 転送:),
 * perhaps after reply prefixes and gateway tags? */
int forward_subject_prefix(const char *subject);

#endif
