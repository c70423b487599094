/* verdict.h — what the classifier, authentication and policy decided. */
#ifndef DCVMAIL_VERDICT_H
#define DCVMAIL_VERDICT_H

#include <stddef.h>

/* Closed set of types. Order is stable (stored in the ledger by name). */
enum vtype {
	VT_UNKNOWN = 0, /* no rule matched */
	VT_DCV,
	VT_EV_INTENT,
	VT_DOCUMENTS,
	VT_ISSUED,
	VT_REMINDER,
	VT_NOTICE,
	VT_SUSPICIOUS, /* a rule matched but the sender or a link is not trusted */
	VT_MALFORMED,  /* could not be parsed within limits: kept, never acted on */
	VT_OVERSIZED,
	VT__COUNT
};
const char *vtype_name(enum vtype);
int vtype_from_name(const char *, enum vtype *); /* 0 ok, -1 unknown */

enum auth_status { AUTH_NONE = 0, AUTH_PASS, AUTH_FAIL };
const char *auth_status_name(enum auth_status);

struct field {
	char *name;
	char *value;
};

struct verdict {
	enum vtype type;
	enum vtype rule_type; /* the matched rule's own type (== type unless suspicious) */
	char *ca;	      /* CA id ("digicert"), NULL if none */
	char *ca_name;	      /* "DigiCert" */
	char *rule;	      /* rule id, NULL if none */

	struct field *fields; /* named captures: domain, order, code, requester, ... */
	size_t nfields;

	char *approve_link; /* never a reject link */
	char *reject_link;
	char **info_links;
	size_t ninfo;

	char *dedup_key;

	enum auth_status auth;
	char *auth_reason; /* "dkim=pass header.d=digicert.com (mx.example)" */
	char *auth_domain;

	char **reasons; /* plain-word warnings: why suspicious, limits hit, ... */
	size_t nreasons;
};

void verdict_init(struct verdict *);
void verdict_free(struct verdict *); /* frees members, re-inits */
const char *verdict_field(const struct verdict *, const char *name);
void verdict_set_field(struct verdict *, const char *name, const char *value); /* replaces */
void verdict_add_reason(struct verdict *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void verdict_add_info_link(struct verdict *, const char *url);
/* Which fallback of the classifier decided (dcvmail.rules(5) FALLBACKS):
 * "template-not-recognised" (a dcv request of a CA in wording no rule
 * knows: never approved), "no-rule-matched" (a CA's mail as a notice), or
 * NULL when a rule matched or no CA is named. */
const char *verdict_fallback(const struct verdict *);
/* Mark suspicious with a reason; keeps rule_type. */
void verdict_suspect(struct verdict *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
