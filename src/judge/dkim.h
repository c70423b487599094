/* dkim.h — dcvmail's own DKIM verification (`verify-dkim yes`), for
 * mailboxes whose provider writes no Authentication-Results that dcvmail can
 * trust. libopendkim does the canonicalisation and cryptography; keys come
 * from DNS through dns.c (`dns-server` honoured). */
#ifndef DCVMAIL_DKIM_H
#define DCVMAIL_DKIM_H

#include <stddef.h>

#include "mail/message.h"

#define DKIM_MAX_SIGS 4	    /* signatures of the CA's domains checked per message */
#define DKIM_KEY_TTL 3600   /* seconds a key is remembered */
#define DKIM_NOKEY_TTL 300  /* and its absence */
#define DKIM_DNSFAIL_TTL 60 /* and a failed lookup */

enum dkim_outcome {
	DKIM_OUT_PASS,	/* the signature verifies over the whole body */
	DKIM_OUT_FAIL,	/* it does not: a signed header or the body was changed */
	DKIM_OUT_ERROR, /* cannot tell: no key, DNS failure, expired, partial body (l=) */
};

struct dkim_result {
	enum dkim_outcome outcome;
	char *domain; /* d= */
	char *why;    /* "dkim=pass header.d=digicert.com s=sel1 (verified by dcvmail)" */
};

/* Verify the DKIM-Signature headers of m whose d= is at or under one of
 * domains (at most DKIM_MAX_SIGS of them). Other signatures are ignored and
 * cost no DNS query. Returns the number of results (*out, free with
 * dkim_results_free); 0 when there was nothing to check. */
size_t dkim_check(const struct message *m, const char *dns_server, char *const *domains, size_t ndomains,
		  struct dkim_result **out);
void dkim_results_free(struct dkim_result *, size_t);

#endif
