/* auth.h — sender authentication (RFC 8601 Authentication-Results, DKIM) and
 * phishing checks. */
#ifndef DCVMAIL_AUTH_H
#define DCVMAIL_AUTH_H

#include <stddef.h>
#include "mail/message.h"
#include "judge/verdict.h"

struct config;
struct ruleset;
struct ca_def;

/* One resinfo of an Authentication-Results header. */
struct ar_method {
	char *method; /* "dkim", "spf", "dmarc", lower-case */
	char *result; /* "pass", "fail", ... lower-case */
	char *reason;
	char **pnames; /* "header.d", "header.from", "smtp.mailfrom", ... lower-case */
	char **pvalues;
	size_t nprops;
};
struct ar_header {
	char *authserv_id; /* lower-case */
	int version;
	struct ar_method *methods;
	size_t nmethods;
	int none; /* "; none" */
};
/* Parse one header value. Returns 0, or -1 when it is not a valid header (*out untouched). */
int ar_parse(const char *value, struct ar_header *out);
void ar_free(struct ar_header *);
const char *ar_prop(const struct ar_method *, const char *name);

struct envelope;
struct strv;

/* The authserv-ids whose Authentication-Results the intake of env believes:
 * pipe: trust-authserv-id; imap: the mailbox block's own trust-authserv-id;
 * file (check): trust-authserv-id only with check-trust-authserv-id yes;
 * anything else (NULL env): none. Never NULL. */
const struct strv *auth_trusted_ids(const struct config *, const struct envelope *env);

/* Decide v->auth / auth_reason / auth_domain for the CA in v->ca (if any),
 * using only the Authentication-Results above the first Received header by
 * an id the intake trusts (auth_trusted_ids) and, if enabled, own DKIM
 * verification. A trusted fail for the CA's domain beats any pass. */
void auth_evaluate(const struct message *, const struct config *, const struct ruleset *, const struct envelope *env,
		   struct verdict *v);

/* Phishing checks after classification and authentication: CA wording from an
 * unauthenticated sender, display names imitating a CA, lookalike link hosts,
 * user-info and IP-literal links, http links, URL-rewriter wrappers. May turn
 * the verdict into VT_SUSPICIOUS with reasons. */
void auth_check_phishing(const struct message *, const struct config *, const struct ruleset *,
			 const struct envelope *env, struct verdict *v);

#endif
