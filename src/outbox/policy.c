/* policy.c — verdict + expectations + config -> planned actions.
 * Approval is planned only when every guardrail of DESIGN.md section 5 holds;
 * otherwise the failed conditions travel, in plain words, with the forward. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mail/links.h"
#include "outbox/action.h"
#include "outbox/policy.h"
#include "judge/rules.h"
#include "base/url.h"
#include "base/util.h"

void
plan_add(struct plan *p, const char *kind, const char *target, const char *why)
{
	p->actions = xreallocarray(p->actions, p->n + 1, sizeof(*p->actions));
	p->actions[p->n].kind = xstrdup(kind);
	p->actions[p->n].target = target ? xstrdup(target) : NULL;
	p->actions[p->n].why = why ? xstrdup(why) : NULL;
	p->actions[p->n].withheld_kind = NULL;
	p->n++;
}

void
plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->actions[i].kind);
		free(p->actions[i].target);
		free(p->actions[i].why);
	}
	free(p->actions);
	p->actions = NULL;
	p->n = 0;
}

/* Is url (normalised) the reject link r (any spelling of it)? */
static int
same_url(const char *url, const char *r)
{
	char *n = r ? url_normalize(r) : NULL;
	int same = n && !strcmp(url, n);

	free(n);
	return same;
}

const char *
policy_url_problem(const struct ruleset *rs, const struct verdict *v, const struct strv *reject_links, const char *url)
{
	const struct ca_def *ca = rules_ca(rs, v->ca);
	struct msg_link l;
	const char *why = NULL;
	char *n;
	int allowed = 0;

	if (url == NULL)
		return "the mail has no approval link";
	if ((n = url_normalize(url)) == NULL)
		return "the approval link cannot be parsed";
	if (same_url(n, v->reject_link))
		why = "the link is the reject link";
	for (size_t i = 0; why == NULL && reject_links && i < reject_links->n; i++)
		if (same_url(n, reject_links->v[i]))
			why = "the link is the reject link of a message of this request";
	if (why == NULL && ca == NULL)
		why = "no CA rule knows this mail";
	if (why == NULL && rules_ca_rejects(rs, ca->id, n))
		why = "the link matches a reject pattern of this CA";
	if (why == NULL && link_parse(n, &l) == -1)
		why = "the approval link cannot be parsed";
	else if (why == NULL) {
		for (size_t i = 0; i < ca->nlink_hosts; i++)
			allowed |= domain_at_or_under(l.host, ca->link_hosts[i]);
		if (strcmp(l.scheme, "https"))
			why = "the approval link is not https";
		else if (l.has_userinfo)
			why = "the approval link hides its host behind user-info";
		else if (l.ip_literal)
			why = "the approval link points at an IP address";
		else if (!allowed)
			why = "the approval link's host is not allowed for this CA";
		link_clear(&l);
	}
	free(n);
	return why;
}

const char *
policy_link_problem(const struct ruleset *rs, const struct verdict *v, const char *url)
{
	return policy_url_problem(rs, v, NULL, url);
}

static int
route_matches(const struct route_cfg *r, const struct verdict *v, const struct envelope *env)
{
	const char *dom = verdict_field(v, "domain");
	int ok;

	if (r->types.n && !strv_contains(&r->types, vtype_name(v->type)))
		return 0;
	if (r->cas.n && (v->ca == NULL || !strv_contains(&r->cas, v->ca)))
		return 0;
	if (r->roles.n && (env == NULL || env->role == NULL || !strv_contains(&r->roles, env->role)))
		return 0;
	if (r->domains.n) {
		ok = 0;
		for (size_t i = 0; dom && i < r->domains.n; i++)
			ok |= domain_at_or_under(dom, r->domains.v[i]);
		if (!ok)
			return 0;
	}
	return 1;
}

int
policy_approval_problem_list(const struct config *cfg, const struct ruleset *rs, struct store *st,
			     const struct verdict *v, time_t now, int person, struct strv *out, char **errp)
{
	const char *dom = verdict_field(v, "domain"), *p;
	int n = 0;

#define WHY(...)                                                                                                       \
	do {                                                                                                           \
		strv_add_owned(out, xasprintf(__VA_ARGS__));                                                           \
		n++;                                                                                                   \
	} while (0)
	/* a request recognised by the shape of its link only, not by a rule:
	 * nothing dcvmail does may follow from a guess, not even for a person */
	if (verdict_fallback(v) != NULL && (v->rule_type == VT_DCV || v->type == VT_DCV))
		WHY("no rule recognises this mail's wording (template not recognised): dcvmail never follows its "
		    "link; read the mail and open the link yourself");
	if (v->type == VT_SUSPICIOUS)
		WHY("the mail is suspicious (%s)", v->nreasons ? v->reasons[0] : "see the reasons");
	else if (v->type != VT_DCV && !(v->type == VT_EV_INTENT && (cfg->approve_ev || person)))
		WHY("a %s mail is never approved %s", vtype_name(v->type),
		    person ? "by following its link" : "automatically");
	if ((p = verdict_field(v, "forwarded-by")) != NULL) /* judge/forwarded.h */
		WHY("forwarded by %s: a forwarded copy is never approved, only the CA's own mail is", p);
	if (v->auth != AUTH_PASS)
		WHY("sender not authenticated (%s)", v->auth_reason ? v->auth_reason : "no trusted header");
	if ((p = policy_link_problem(rs, v, v->approve_link)) != NULL)
		WHY("%s", p);
	if (!person && v->ca && !strv_contains(&cfg->auto_approve_cas, v->ca))
		WHY("auto-approve is off for %s", v->ca);
	if (dom == NULL)
		WHY("no domain found in the mail");
	else if (person)
		; /* a person's decision stands in for the expectation */
	else if (st == NULL)
		WHY("not checked against expectations (no ledger)");
	else {
		struct expectation e;
		int found = 0;
		char *near = NULL;
		if (store_expect_for(st, v, now, &e, &found, &near, errp) == -1)
			return -1;
		if (!found && near)
			WHY("not an expected order: %s", near);
		else if (!found)
			WHY("not an expected order: no `dcvmail expect` for %s %s%s%s%s", v->ca ? v->ca : "?",
			    verdict_field(v, "wildcard") ? "*." : "", dom, verdict_field(v, "order") ? " order " : "",
			    verdict_field(v, "order") ? verdict_field(v, "order") : "");
		free(near);
		expectation_free(&e);
	}
#undef WHY
	return n;
}

int
policy_approval_problems(const struct config *cfg, const struct ruleset *rs, struct store *st, const struct verdict *v,
			 time_t now, int person, struct buf *why, char **errp)
{
	struct strv l = { 0 };
	int n = policy_approval_problem_list(cfg, rs, st, v, now, person, &l, errp);

	for (size_t i = 0; n > 0 && i < l.n; i++)
		buf_printf(why, "%s%s", i ? "; " : "", l.v[i]);
	strv_free(&l);
	return n;
}

/* Two reasons say the same when they differ only in what is imitated ("link
 * host 'x' imitates digicert.com" and "... imitates DigiCert"). */
static int
same_reason(const char *a, const char *b)
{
	const char *ia = strstr(a, " imitates "), *ib = strstr(b, " imitates ");

	if (!strcmp(a, b))
		return 1;
	return ia && ib && ia - a == ib - b && !strncmp(a, b, (size_t)(ia - a));
}

/* Is guardrail problem p said already by one of reasons (the authentication,
 * the approval link)? */
static int
covered(const char *p, const struct strv *reasons)
{
	static const char *const topics[] = { "authenticat", "approval link" };

	if (!strncmp(p, "the mail is suspicious", 22))
		return reasons->n > 0; /* its reasons come one by one */
	for (size_t t = 0; t < nitems(topics); t++)
		if (strstr(p, topics[t]))
			for (size_t i = 0; i < reasons->n; i++)
				if (strstr(reasons->v[i], topics[t]))
					return 1;
	for (size_t i = 0; i < reasons->n; i++)
		if (same_reason(p, reasons->v[i]))
			return 1;
	return 0;
}

void
policy_reasons_once(const struct verdict *v, const struct strv *problems, struct strv *out)
{
	size_t first = out->n;

	for (size_t i = 0; i < v->nreasons; i++) {
		int dup = 0;
		for (size_t j = first; j < out->n && !dup; j++)
			dup = same_reason(out->v[j], v->reasons[i]);
		if (!dup)
			strv_add(out, v->reasons[i]);
	}
	struct strv said = { out->v + first, out->n - first, 0 };
	for (size_t i = 0; problems && i < problems->n; i++)
		if (!covered(problems->v[i], &said)) {
			strv_add(out, problems->v[i]);
			said.v = out->v + first; /* strv_add may move the array */
			said.n = out->n - first;
		}
}

/* What a route's action does to the request, from the outbox's table. */
static enum action_effect
route_effect(const struct route_action *a)
{
	const struct action_def *d = action_find(a->kind ? a->kind->name : NULL);

	return d ? d->effect : ACTION_EFFECT_NONE;
}

int
policy_plan(const struct config *cfg, const struct ruleset *rs, struct store *st, const struct message *m,
	    const struct verdict *v, const struct envelope *env, time_t now, struct plan *out, char **errp)
{
	const struct route_cfg *hit[64];
	size_t nhit = 0;
	struct buf why;
	int approve_wanted = 0, forwards = 0, problems = 0;

	(void)m;
	memset(out, 0, sizeof(*out));
	for (size_t pass = 0; pass < 2 && nhit == 0; pass++)
		for (size_t i = 0; i < cfg->nroutes && nhit < nitems(hit); i++)
			if (cfg->routes[i].is_default == (int)pass && (pass || route_matches(&cfg->routes[i], v, env)))
				hit[nhit++] = &cfg->routes[i];
	if (nhit == 0)
		return 0;
	for (size_t i = 0; i < nhit; i++)
		for (size_t j = 0; j < hit[i]->nactions; j++)
			approve_wanted |= route_effect(&hit[i]->actions[j]) == ACTION_EFFECT_APPROVED;
	buf_init(&why, 8192);
	if (approve_wanted || v->type == VT_DCV || v->type == VT_EV_INTENT || v->type == VT_SUSPICIOUS) {
		if ((problems = policy_approval_problems(cfg, rs, st, v, now, 0, &why, errp)) == -1) {
			buf_free(&why);
			return -1;
		}
	}
	if (approve_wanted && problems == 0) {
		plan_add(out, action_approve.kind.name, v->approve_link, "every guardrail holds");
		/* the ledger queues a flag instead if its expectation is gone */
		out->actions[out->n - 1].withheld_kind = action_flag.kind.name;
	}
	for (size_t k = 0; k < v->nreasons; k++)
		if (!strstr(why.data ? why.data : "", v->reasons[k]))
			buf_printf(&why, "%s%s", why.len ? "; " : "", v->reasons[k]);
	for (size_t i = 0; i < nhit; i++)
		for (size_t j = 0; j < hit[i]->nactions; j++) {
			const struct route_action *a = &hit[i]->actions[j];
			enum action_effect e = route_effect(a);
			if (e == ACTION_EFFECT_APPROVED)
				continue;
			for (size_t t = 0; t < a->targets.n; t++) {
				plan_add(out, a->kind->name, a->targets.v[t], why.len ? why.data : NULL);
				forwards += e == ACTION_EFFECT_FORWARDED;
			}
		}
	/* an approval that cannot happen must reach a person */
	if (approve_wanted && problems > 0 && forwards == 0)
		plan_add(out, action_flag.kind.name, NULL, why.data);
	buf_free(&why);
	return 0;
}
