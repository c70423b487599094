/* forwarded.c — a forwarded copy of CA mail (forwarded.h): the inner
 * message names type, CA, fields and links; the outer sender, who is not
 * the CA, decides trust, so the copy is shown "forwarded by X" and never
 * approved, but joins the request of the CA's own copy (same key). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "judge/forwarded.h"
#include "config.h"
#include "judge/auth.h"
#include "judge/rules.h"
#include "mail/forward.h"
#include "base/util.h"

static int
from_a_ca(const struct ruleset *rs, const char *domain)
{
	for (size_t i = 0; domain && *domain && i < rules_ca_count(rs); i++) {
		const struct ca_def *ca = rules_ca_at(rs, i);
		if (domain_under_any(domain, ca->from_domains, ca->nfrom_domains))
			return 1;
	}
	return 0;
}

/* A candidate counts when its classification names a CA; a re-sent copy
 * only when the original sender it names is the CA's. */
static int
usable(const struct ruleset *rs, const struct fwd_inner *c, const struct verdict *iv)
{
	return iv->ca != NULL && (c->kind != FWD_SERVICE || from_a_ca(rs, c->m->from_domain));
}

static void
describe(struct verdict *v, const struct message *outer, const struct fwd_inner *c)
{
	const struct message *in = c->m;
	char *by = text_clean_max(*outer->from ? outer->from : "(no From)", 200);
	char *who = text_clean_max(*in->from ? in->from : "", 200);
	char *subj = text_clean_max(in->subject, 160), *date = text_clean_max(in->date, 80);

	verdict_set_field(v, FORWARDED_BY, by);
	if (*who)
		verdict_set_field(v, FORWARDED_FROM, who);
	verdict_add_reason(v,
			   "forwarded by %s (%s): inner message%s%s%s%s%s%s%s; the outer sender decides trust: never "
			   "approved from this copy",
			   by, c->how, *who ? " from " : " (original sender not shown)", who, *subj ? ", \"" : "", subj,
			   *subj ? "\"" : "", *date ? ", sent " : "", date);
	free(by);
	free(who);
	free(subj);
	free(date);
}

int
judge_forwarded(const struct config *cfg, const struct ruleset *rs, const struct message *m, const struct envelope *env,
		struct verdict *v)
{
	struct fwd_inner c[FWD_MAX];
	struct verdict iv;
	size_t n, pick = SIZE_MAX;
	int rc = 0;

	/* the CA's own mail is never a forward, whatever it quotes */
	if (rs == NULL || m->status == MSG_OVERSIZED || from_a_ca(rs, m->from_domain))
		return 0;
	n = forward_unwrap(m, cfg ? &cfg->limits : NULL, c, FWD_MAX);
	/* the first candidate from a CA's sender, else the first that names a
	 * CA: a forward of a forward has the CA's block after the forwarder's */
	for (size_t i = 0; i < n; i++) {
		struct verdict t;
		int r;
		verdict_init(&t);
		r = classify(rs, c[i].m, env, &t);
		if (!usable(rs, &c[i], &t) || (pick != SIZE_MAX && !from_a_ca(rs, c[i].m->from_domain))) {
			verdict_free(&t);
			continue;
		}
		if (pick != SIZE_MAX)
			verdict_free(&iv);
		iv = t;
		rc = r;
		pick = i;
		if (from_a_ca(rs, c[i].m->from_domain))
			break;
	}
	if (pick == SIZE_MAX) {
		forward_free(c, n);
		return 0;
	}
	describe(&iv, m, &c[pick]);
	/* trust: the outer message, against the inner message's CA. Its
	 * unauthenticated CA wording is no sign of phishing here (env NULL:
	 * that check is left out), the copy is never approved anyway; failed
	 * authentication, look-alike names and links still are. */
	auth_evaluate(m, cfg, rs, env, &iv);
	struct message shown = *m;
	if (c[pick].service)
		shown.from_display = c[pick].service; /* "DigiCert via Relay": the relay's name is checked */
	auth_check_phishing(&shown, cfg, rs, NULL, &iv);
	if (c[pick].m->status != MSG_OK) {
		if (iv.type != VT_SUSPICIOUS && iv.type != VT_MALFORMED) {
			iv.rule_type = iv.type;
			iv.type = VT_MALFORMED;
		}
		verdict_add_reason(&iv, "the forwarded message is %s: %s", msg_status_name(c[pick].m->status),
				   c[pick].m->status_reason ? c[pick].m->status_reason : "limit exceeded");
	}
	forward_free(c, n);
	verdict_free(v);
	*v = iv;
	return rc == -1 ? -1 : 1;
}
