/* auth.c — is the sender really the CA? Trusted Authentication-Results and,
 * with verify-dkim, dcvmail's own DKIM verification. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "judge/auth.h"
#include "config.h"
#include "judge/dkim.h"
#include "judge/rules.h"
#include "base/util.h"

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
	int hard; /* a trusted dkim=fail or dmarc=fail for the CA's domain: final */
	char *reason, *domain;
};

/* A hard fail beats everything; otherwise pass beats a soft fail (neutral,
 * temperror, ...) beats none. The first reason of the winning kind is kept. */
static void
judge(struct judgement *j, enum auth_status st, int hard, const char *domain, const char *why)
{
	if (j->hard)
		return;
	if (!hard && (j->st == AUTH_PASS || (j->st == AUTH_FAIL && st != AUTH_PASS)))
		return;
	j->st = st;
	j->hard = hard;
	free(j->reason);
	free(j->domain);
	j->reason = xstrdup(why);
	j->domain = domain ? xstrdup(domain) : NULL;
}

/* fail and permerror say the signature or policy check failed; neutral,
 * temperror, policy, ... only that it could not be told */
static int
hard_result(const char *r)
{
	return !strcmp(r, "fail") || !strcmp(r, "permerror");
}

static void
judge_method(struct judgement *j, const struct ar_method *m, const struct message *msg, const struct ca_def *ca,
	     const char *id)
{
	char why[512];

	if (!strcmp(m->method, "dkim")) {
		const char *d = dkim_domain(m);
		if (d == NULL)
			return;
		snprintf(why, sizeof(why), "dkim=%s header.d=%s (%s)", m->result, d, id);
		if (!strcmp(m->result, "pass") && domain_under_any(d, ca->dkim_domains, ca->ndkim_domains))
			judge(j, AUTH_PASS, 0, d, why);
		else if (strcmp(m->result, "pass") && strcmp(m->result, "none") &&
			 (domain_at_or_under(msg->from_domain, d) ||
			  domain_under_any(d, ca->dkim_domains, ca->ndkim_domains)))
			judge(j, AUTH_FAIL, hard_result(m->result), d, why);
	} else if (!strcmp(m->method, "dmarc")) {
		const char *f = ar_prop(m, "header.from");
		if (f == NULL)
			return;
		snprintf(why, sizeof(why), "dmarc=%s header.from=%s (%s)", m->result, f, id);
		if (!strcmp(m->result, "pass") && !strcasecmp(f, msg->from_domain) &&
		    (domain_under_any(f, ca->dkim_domains, ca->ndkim_domains) ||
		     domain_under_any(f, ca->from_domains, ca->nfrom_domains)))
			judge(j, AUTH_PASS, 0, f, why);
		else if (strcmp(m->result, "pass") && strcmp(m->result, "none") && !strcasecmp(f, msg->from_domain))
			judge(j, AUTH_FAIL, hard_result(m->result), f, why);
	}
}

/* Own DKIM verification of the signatures by the CA's dkim-domains. A
 * verified signature is a pass, a changed header or body a fail; anything
 * that cannot be told (no key, DNS down, expired, l=) only gives a reason. */
static void
own_dkim(struct judgement *j, const struct message *m, const struct config *cfg, const struct ca_def *ca, char **note)
{
	struct dkim_result *r;
	size_t n = dkim_check(m, cfg->dns_server, ca->dkim_domains, ca->ndkim_domains, &r);

	for (size_t i = 0; i < n; i++) {
		if (r[i].outcome == DKIM_OUT_PASS)
			judge(j, AUTH_PASS, 0, r[i].domain, r[i].why);
		else if (r[i].outcome == DKIM_OUT_FAIL)
			judge(j, AUTH_FAIL, 0, r[i].domain, r[i].why);
		else if (*note == NULL)
			*note = xstrdup(r[i].why);
	}
	if (n == 0 && *note == NULL)
		*note = xasprintf("no DKIM signature by %s's domains", ca->name);
	dkim_results_free(r, n);
}

const struct strv *
auth_trusted_ids(const struct config *cfg, const struct envelope *env)
{
	static const struct strv none;

	if (cfg == NULL || env == NULL || env->source == NULL)
		return &none;
	if (!strcmp(env->source, "pipe"))
		return &cfg->trust_authserv_ids;
	if (!strcmp(env->source, "file"))
		return cfg->check_trust_ar ? &cfg->trust_authserv_ids : &none;
	if (!strcmp(env->source, "imap") && env->mailbox)
		for (size_t i = 0; i < cfg->nmailboxes; i++)
			if (!strcmp(cfg->mailboxes[i].name, env->mailbox))
				return &cfg->mailboxes[i].trust_authserv_ids;
	return &none;
}

/* Why nothing is trusted for this intake. */
static char *
untrusted_reason(const struct config *cfg, const struct envelope *env)
{
	if (env && env->source && !strcmp(env->source, "imap")) {
		for (size_t i = 0; cfg && env->mailbox && i < cfg->nmailboxes; i++)
			if (!strcmp(cfg->mailboxes[i].name, env->mailbox))
				return xasprintf("no trusted Authentication-Results (mailbox '%s' has no "
						 "trust-authserv-id)",
						 env->mailbox);
		/* a fleet: another host's watcher read it (h-pg) */
		return xasprintf("no trusted Authentication-Results (mailbox '%s' is not in this host's "
				 "configuration: give every host of a shared ledger the same mailbox blocks)",
				 env->mailbox ? env->mailbox : "?");
	}
	if (env && env->source && !strcmp(env->source, "file") && cfg->trust_authserv_ids.n)
		return xstrdup("no trusted Authentication-Results (check-trust-authserv-id is off: "
			       "headers in files are not believed)");
	return xstrdup("no trusted Authentication-Results (trust-authserv-id is not set)");
}

/* Only the Authentication-Results above the first Received header count:
 * the receiving MTA (its milters) puts its own on top of the Received header
 * it writes, so anything below that was in the mail when it arrived, whoever
 * wrote it. Among those, headers of ids the intake trusts are judged; a
 * trusted fail for the CA's domain beats any trusted pass. */
void
auth_evaluate(const struct message *m, const struct config *cfg, const struct ruleset *rs, const struct envelope *env,
	      struct verdict *v)
{
	struct judgement j = { AUTH_NONE, 0, NULL, NULL };
	const struct ca_def *ca = rules_ca(rs, v->ca);
	const struct strv *ids = auth_trusted_ids(cfg, env);
	int ntrusted = 0, nbelow = 0, past_received = 0;
	char *dkim_note = NULL;

	if (cfg == NULL || (ids->n == 0 && !cfg->verify_dkim)) {
		v->auth_reason = cfg ? untrusted_reason(cfg, env)
				     : xstrdup("no trusted Authentication-Results (trust-authserv-id is not set)");
		return;
	}
	for (size_t i = 0; i < m->nheaders && ids->n; i++) {
		const struct msg_header *h = &m->headers[i];
		struct ar_header ar;
		if (!strcasecmp(h->name, "Received")) {
			past_received = 1;
			continue;
		}
		if (strcasecmp(h->name, "Authentication-Results") || ar_parse(h->raw, &ar) == -1)
			continue;
		if (!strv_contains(ids, ar.authserv_id)) {
			ar_free(&ar);
			continue;
		}
		if (past_received) {
			nbelow++; /* a trusted id below Received: forged or from an earlier hop */
			ar_free(&ar);
			continue;
		}
		ntrusted++;
		for (size_t k = 0; ca && k < ar.nmethods; k++)
			judge_method(&j, &ar.methods[k], m, ca, ar.authserv_id);
		ar_free(&ar);
	}
	if (cfg->verify_dkim && ca && j.st != AUTH_PASS && !j.hard)
		own_dkim(&j, m, cfg, ca, &dkim_note);
	v->auth = j.st;
	if (j.reason)
		v->auth_reason = j.reason;
	else if (ca == NULL)
		v->auth_reason = xstrdup(ntrusted ? "no CA to authenticate against"
						  : "no trusted Authentication-Results header");
	else if (dkim_note && ntrusted == 0)
		v->auth_reason = xasprintf("%s unauthenticated: %s", ca->name, dkim_note);
	else if (ntrusted == 0 && nbelow)
		v->auth_reason = xasprintf("no trusted Authentication-Results header above the first Received "
					   "(%d below it ignored; %s unauthenticated)",
					   nbelow, ca->name);
	else
		v->auth_reason =
			xasprintf(ntrusted ? "no DKIM or DMARC pass for %s's domains in the trusted headers%s%s"
					   : "no trusted Authentication-Results header (%s unauthenticated)%s%s",
				  ca->name, dkim_note ? "; " : "", dkim_note ? dkim_note : "");
	free(dkim_note);
	v->auth_domain = j.domain;
}
