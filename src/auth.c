/* auth.c — is the sender really the CA? Trusted Authentication-Results and,
 * with verify-dkim, dcvmail's own DKIM verification. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dcvmail/auth.h"
#include "dcvmail/config.h"
#include "dcvmail/dkim.h"
#include "dcvmail/rules.h"
#include "dcvmail/util.h"

/* The domain a DKIM result speaks for: header.d, else the domain of header.i. */
static const char *
dkim_domain(const struct ar_method *m)
{
	const char *d = ar_prop(m, "header.d"), *i;

	if (d)
		return d;
	if ((i = ar_prop(m, "header.i")) != NULL && (i = strrchr(i, '@')) != NULL)
		return i + 1;
	return NULL;
}

struct judgement {
	enum auth_status st;
	char *reason, *domain;
};

static void
judge(struct judgement *j, enum auth_status st, const char *domain, const char *why)
{
	/* pass beats fail beats none; the first reason of the winning kind is kept */
	if (j->st == AUTH_PASS || (j->st == AUTH_FAIL && st != AUTH_PASS))
		return;
	j->st = st;
	free(j->reason);
	free(j->domain);
	j->reason = xstrdup(why);
	j->domain = domain ? xstrdup(domain) : NULL;
}

static void
judge_method(struct judgement *j, const struct ar_method *m, const struct message *msg,
	     const struct ca_def *ca, const char *id)
{
	char why[512];

	if (!strcmp(m->method, "dkim")) {
		const char *d = dkim_domain(m);
		if (d == NULL)
			return;
		snprintf(why, sizeof(why), "dkim=%s header.d=%s (%s)", m->result, d, id);
		if (!strcmp(m->result, "pass") && domain_under_any(d, ca->dkim_domains, ca->ndkim_domains))
			judge(j, AUTH_PASS, d, why);
		else if (strcmp(m->result, "pass") && strcmp(m->result, "none") &&
			 (domain_at_or_under(msg->from_domain, d) || domain_under_any(d, ca->dkim_domains, ca->ndkim_domains)))
			judge(j, AUTH_FAIL, d, why);
	} else if (!strcmp(m->method, "dmarc")) {
		const char *f = ar_prop(m, "header.from");
		if (f == NULL)
			return;
		snprintf(why, sizeof(why), "dmarc=%s header.from=%s (%s)", m->result, f, id);
		if (!strcmp(m->result, "pass") && !strcasecmp(f, msg->from_domain) &&
		    (domain_under_any(f, ca->dkim_domains, ca->ndkim_domains) || domain_under_any(f, ca->from_domains, ca->nfrom_domains)))
			judge(j, AUTH_PASS, f, why);
		else if (strcmp(m->result, "pass") && strcmp(m->result, "none") && !strcasecmp(f, msg->from_domain))
			judge(j, AUTH_FAIL, f, why);
	}
}

/* Own DKIM verification of the signatures by the CA's dkim-domains. A
 * verified signature is a pass, a changed header or body a fail; anything
 * that cannot be told (no key, DNS down, expired, l=) only gives a reason. */
static void
own_dkim(struct judgement *j, const struct message *m, const struct config *cfg, const struct ca_def *ca,
	 char **note)
{
	struct dkim_result *r;
	size_t n = dkim_check(m, cfg->dns_server, ca->dkim_domains, ca->ndkim_domains, &r);

	for (size_t i = 0; i < n; i++) {
		if (r[i].outcome == DKIM_OUT_PASS)
			judge(j, AUTH_PASS, r[i].domain, r[i].why);
		else if (r[i].outcome == DKIM_OUT_FAIL)
			judge(j, AUTH_FAIL, r[i].domain, r[i].why);
		else if (*note == NULL)
			*note = xstrdup(r[i].why);
	}
	if (n == 0 && *note == NULL)
		*note = xasprintf("no DKIM signature by %s's domains", ca->name);
	dkim_results_free(r, n);
}

/* The topmost contiguous block of trusted Authentication-Results: our own
 * hops may come first, but once a trusted header was seen, a Received
 * header (an earlier hop) or a header from another authserv-id ends it.
 * Whatever lies below was written by someone else and is ignored. */
void
auth_evaluate(const struct message *m, const struct config *cfg, const struct ruleset *rs,
	      struct verdict *v)
{
	struct judgement j = { AUTH_NONE, NULL, NULL };
	const struct ca_def *ca = rules_ca(rs, v->ca);
	int seen_trusted = 0, ntrusted = 0;
	char *dkim_note = NULL;

	if (cfg == NULL || (cfg->trust_authserv_ids.n == 0 && !cfg->verify_dkim)) {
		v->auth_reason = xstrdup("no trusted Authentication-Results (trust-authserv-id is not set)");
		return;
	}
	for (size_t i = 0; i < m->nheaders && cfg->trust_authserv_ids.n; i++) {
		const struct msg_header *h = &m->headers[i];
		struct ar_header ar;
		if (!strcasecmp(h->name, "Received")) {
			if (seen_trusted)
				break;
			continue;
		}
		if (strcasecmp(h->name, "Authentication-Results"))
			continue;
		if (ar_parse(h->raw, &ar) == -1) {
			if (seen_trusted)
				break;
			continue;
		}
		if (!strv_contains(&cfg->trust_authserv_ids, ar.authserv_id)) {
			ar_free(&ar);
			if (seen_trusted)
				break;
			continue;
		}
		seen_trusted = 1;
		ntrusted++;
		for (size_t k = 0; ca && k < ar.nmethods; k++)
			judge_method(&j, &ar.methods[k], m, ca, ar.authserv_id);
		ar_free(&ar);
	}
	if (cfg->verify_dkim && ca && j.st != AUTH_PASS)
		own_dkim(&j, m, cfg, ca, &dkim_note);
	v->auth = j.st;
	if (j.reason)
		v->auth_reason = j.reason;
	else if (ca == NULL)
		v->auth_reason = xstrdup(ntrusted ? "no CA to authenticate against" :
				 "no trusted Authentication-Results header");
	else if (dkim_note && ntrusted == 0)
		v->auth_reason = xasprintf("%s unauthenticated: %s", ca->name, dkim_note);
	else
		v->auth_reason = xasprintf(ntrusted ? "no DKIM or DMARC pass for %s's domains in the trusted headers%s%s" :
					   "no trusted Authentication-Results header (%s unauthenticated)%s%s", ca->name,
					   dkim_note ? "; " : "", dkim_note ? dkim_note : "");
	free(dkim_note);
	v->auth_domain = j.domain;
}
