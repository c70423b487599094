/* classify.c — run the rules over a message: first matching rule wins. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules-int.h"
#include "base/names.h"

struct eval {
	const struct ruleset *rs;
	const struct message *m;
	const struct envelope *env;
	const char *subject; /* m->subject without reply/forward prefixes and gateway tags */
	pcre2_match_data *md;
	struct verdict *cand;
	FILE *trace;
	int limit_hit;
};

/* In pipe mode (rules loaded for one message) a pattern is JIT-compiled
 * only when it meets a subject of this many bytes. */
#define SINGLE_JIT_MIN 32768

/* 1 match, 0 no match (or a limit hit: e->limit_hit set). */
static int
re_match(struct eval *e, pcre2_code *re, const char *s)
{
	int rc;

	size_t len;

	if (s == NULL)
		s = "";
	len = strlen(s);
	if (len >= SINGLE_JIT_MIN && e->rs->mode == RULES_MODE_SINGLE) {
		size_t jit = 0;
		if (pcre2_pattern_info(re, PCRE2_INFO_JITSIZE, &jit) == 0 && jit == 0)
			pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* else the interpreter runs it */
	}
	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, e->md, e->rs->mctx);
	if (rc >= 0)
		return 1;
	if (rc != PCRE2_ERROR_NOMATCH)
		e->limit_hit = 1; /* match/depth/heap/JIT-stack limit */
	return 0;
}

/* Full-width ASCII (U+FF01 to U+FF5E: ４８２１, ｅｘａｍｐｌｅ．ｊｐ) as ASCII, in
 * place: Japanese mail writes order numbers and names so, and a field is
 * compared and shown in one form. The UTF-8 of those is 3 bytes, ASCII 1. */
static void
fold_fullwidth(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;

	while (*r) {
		if (r[0] == 0xef && (r[1] == 0xbc || r[1] == 0xbd) && r[2] >= 0x80 && r[2] <= 0xbf) {
			unsigned cp = 0xf000 | ((unsigned)(r[1] & 0x3f) << 6) | (r[2] & 0x3f);
			if (cp >= 0xff01 && cp <= 0xff5e) {
				*w++ = (unsigned char)(cp - 0xfee0);
				r += 3;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* The subject as the CA wrote it: the prefixes a reply, a forward or a mail
 * gateway put in front ("Re:", "Fwd:", "AW:", "転送:", "[EXTERNAL]", a
 * ticket tag "[#12345]", "【重要】") are skipped, repeatedly, so that rules
 * anchored at the start still see the CA's words. The raw subject is kept
 * for display. Compiled once per process. */
static const char *
subject_core(const char *subject, int batch)
{
	static pcre2_code *re;
	static pcre2_match_data *md; /* both made once, kept for the process */
	static int failed;
	const char *core = subject;

	if (subject == NULL || failed)
		return subject;
	if (re == NULL) {
		int err;
		PCRE2_SIZE off;
		re = pcre2_compile((PCRE2_SPTR) "^(?:\\s*(?:(?:re|fwd?|aw|wg|tr|sv|vs|antw|転送|返信|ｒｅ|ｆｗｄ?)\\s*("
						"?:\\[\\d+\\])?\\s*[:：]"
						"|\\[(?:external(?: sender)?|ext|spam|suspected "
						"spam|外部|外部メール)\\]"
						"|\\[#\\d{1,12}\\]|【(?:重要|緊急|至急|再送|転送|要確認|外部)】))+\\s*",
				   PCRE2_ZERO_TERMINATED, PCRE2_CASELESS | PCRE2_UTF | PCRE2_UCP, &err, &off, NULL);
		if (re == NULL || (md = pcre2_match_data_create_from_pattern(re, NULL)) == NULL) {
			failed = 1;
			return subject;
		}
		if (batch)
			pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* it meets every subject */
	}
	if (pcre2_match(re, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) > 0)
		core = subject + pcre2_get_ovector_pointer(md)[1];
	return core;
}

static char *
clean_field(const char *name, const char *v, size_t n)
{
	char *s = xstrndup(v, n), *t, *r;

	if (!strcmp(name, "domain") || !strcmp(name, "order"))
		fold_fullwidth(s);
	t = trim(s);

	if (!strcmp(name, "domain")) {
		lowercase(t);
		if (!strncmp(t, "*.", 2))
			t += 2;
		size_t l = strlen(t);
		while (l > 0 && t[l - 1] == '.')
			t[--l] = '\0';
		/* one form: a U-label becomes its A-label (bad_domain refuses
		 * a name libidn2 does not take) */
		const char *why;
		char *c = name_canon(t, &why);
		if (c) {
			free(s);
			return c;
		}
	} else if (!strcmp(name, "order") && *t == '#')
		t++;
	r = xstrdup(t);
	free(s);
	return r;
}

/* A captured domain is a host name, perhaps a wildcard one, and nothing
 * else: in its canonical form (base/names.h: an IDN as its A-label), labels
 * of letters, digits and inner hyphens, at least two of them. NULL when it
 * is one, else why not. */
static const char *
bad_domain(const char *d)
{
	size_t label = 0, labels = 1;

	if (!strncmp(d, "*.", 2))
		d += 2;
	if (strlen(d) > 253)
		return "longer than 253 bytes";
	if (!text_is_clean(d))
		return "control or bidi characters";
	const char *why;
	char *canon = name_canon(d, &why);
	int idn_ok = canon && strcmp(canon, d) == 0;
	free(canon);
	if (!idn_ok)
		return "not a valid internationalised domain name (IDNA2008)";
	for (const char *p = d;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63)
				return "an empty or over-long label";
			if (p[-1] == '-' || p[-(ptrdiff_t)label] == '-')
				return "a label starting or ending with '-'";
			if (c == '\0')
				break;
			labels++;
			label = 0;
			continue;
		}
		if (c < 0x80 && !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-')
			return "characters a host name does not have";
		label++;
	}
	return labels < 2 ? "not a fully qualified host name" : NULL;
}

/* An order id is a bounded token: 1 to 64 letters, digits and - _ . : / */
static const char *
bad_order(const char *o)
{
	size_t n = strlen(o);

	if (n > 64)
		return "longer than 64 characters";
	for (; *o; o++)
		if (!((*o >= 'a' && *o <= 'z') || (*o >= 'A' && *o <= 'Z') || (*o >= '0' && *o <= '9') ||
		      strchr("-_.:/", *o)))
			return "characters an order number does not have";
	return NULL;
}

/* Captures are checked where they are taken: an invalid one is dropped,
 * with the reason, so that no stored or shown field carries junk. */
static const char *
bad_capture(const char *name, const char *v)
{
	if (!strcmp(name, "domain"))
		return bad_domain(v);
	if (!strcmp(name, "order"))
		return bad_order(v);
	if (!text_is_clean(v))
		return "control or bidi characters";
	return strlen(v) > 1000 ? "longer than 1000 bytes" : NULL;
}

/* Named captures of the last match become fields (first value wins). */
static void
take_captures(struct eval *e, pcre2_code *re, const char *s)
{
	uint32_t count = 0, size = 0;
	PCRE2_SPTR table;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(e->md);

	pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &count);
	if (count == 0)
		return;
	pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &table);
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *ent = table + i * size;
		int n = (ent[0] << 8) | ent[1];
		const char *name = (const char *)ent + 2;
		if (ov[2 * n] == PCRE2_UNSET || ov[2 * n + 1] <= ov[2 * n])
			continue;
		if (verdict_field(e->cand, name) != NULL)
			continue;
		char *v = clean_field(name, s + ov[2 * n], ov[2 * n + 1] - ov[2 * n]);
		const char *why = *v ? bad_capture(name, v) : NULL;
		if (why) {
			char *shown = text_clean_max(v, 80);
			verdict_add_reason(e->cand, "captured %s '%s' dropped: %s", name, shown, why);
			free(shown);
		} else if (*v)
			verdict_set_field(e->cand, name, v);
		/* the domain field is the base domain; that the mail asks for a
		 * wildcard is kept apart, for the expectation's scope */
		if (*v && !strcmp(name, "domain")) {
			const char *w = s + ov[2 * n];
			while (w < s + ov[2 * n + 1] && (*w == ' ' || *w == '\t'))
				w++;
			if (s + ov[2 * n + 1] - w > 2 && w[0] == '*' && w[1] == '.')
				verdict_set_field(e->cand, "wildcard", "yes");
		}
		free(v);
	}
}

static int
matches_reject(struct eval *e, const struct rule *r, const char *url)
{
	for (size_t i = 0; i < r->nconds; i++)
		if (r->conds[i].kind == C_LINK && r->conds[i].link == L_REJECT && re_match(e, r->conds[i].re, url))
			return 1;
	return 0;
}

int
rules_ca_rejects(const struct ruleset *rs, const char *ca_id, const char *url)
{
	pcre2_match_data *md = NULL;
	int hit = 0;

	if (ca_id == NULL || url == NULL)
		return 0;
	for (size_t i = 0; i < rs->nrules && !hit; i++) {
		const struct rule *r = rs->rules[i];
		if (r->ca == NULL || strcmp(r->ca->id, ca_id))
			continue;
		for (size_t j = 0; j < r->nconds && !hit; j++) {
			const struct cond *c = &r->conds[j];
			if (c->kind != C_LINK || c->link != L_REJECT || c->negate)
				continue;
			if (md == NULL)
				md = pcre2_match_data_create(32, NULL);
			/* a match that cannot be completed counts as a match: refuse */
			hit = pcre2_match(c->re, (PCRE2_SPTR)url, strlen(url), 0, 0, md, rs->mctx) !=
			      PCRE2_ERROR_NOMATCH;
		}
	}
	pcre2_match_data_free(md);
	return hit;
}

static int
eval_link(struct eval *e, const struct rule *r, const struct cond *c)
{
	int held = 0;

	for (size_t i = 0; i < e->m->nlinks; i++) {
		const char *url = e->m->links[i].url;
		/* a link that matches a reject pattern (of this rule, or of any rule of
		 * its CA, as the policy checks it) is never an approve link */
		if (c->link == L_APPROVE &&
		    (matches_reject(e, r, url) || (r->ca && rules_ca_rejects(e->rs, r->ca->id, url))))
			continue;
		if (!re_match(e, c->re, url))
			continue;
		held = 1;
		if (c->negate)
			return 1;
		take_captures(e, c->re, url);
		if (c->link == L_APPROVE && e->cand->approve_link == NULL)
			e->cand->approve_link = xstrdup(url);
		else if (c->link == L_REJECT && e->cand->reject_link == NULL)
			e->cand->reject_link = xstrdup(url);
		else if (c->link == L_INFO)
			verdict_add_info_link(e->cand, url);
		if (c->link != L_INFO)
			return 1;
	}
	return held;
}

static int
eval_subject(struct eval *e, const struct cond *c, const char *s)
{
	if (!re_match(e, c->re, s))
		return 0;
	if (!c->negate)
		take_captures(e, c->re, s);
	return 1;
}

static int
eval_cond(struct eval *e, const struct rule *r, const struct cond *c)
{
	switch (c->kind) {
	case C_ROLE: return e->env && e->env->role && strv_contains(&c->roles, e->env->role);
	case C_FROM: return eval_subject(e, c, e->m->from);
	case C_SUBJECT: return eval_subject(e, c, e->subject);
	case C_HEADER: {
		const char *v;
		for (size_t i = 0; (v = message_header(e->m, c->header, i)) != NULL; i++)
			if (eval_subject(e, c, v))
				return 1;
		return 0;
	}
	case C_LINK: return eval_link(e, r, c);
	case C_BODY: return eval_subject(e, c, e->m->body);
	case C_HTML: return eval_subject(e, c, e->m->html);
	}
	return 0;
}

static void
trace_cond(FILE *f, const struct cond *c, int held, int ok)
{
	fprintf(f, "    %s %s%s%s%s%s  ->  %s\n", ok ? "ok  " : "FAIL", c->negate ? "not " : "",
		cond_kind_name(c->kind), c->kind == C_LINK && c->link ? " " : "",
		c->kind == C_LINK && c->link ? link_kind_name(c->link) : "", c->kind == C_HEADER ? "" : "",
		held ? "held" : "did not hold");
	if (c->src)
		fprintf(f, "         /%s/\n", c->src);
}

/* All conditions, cheapest kinds first; stops at the first failure unless tracing. */
static int
eval_rule(struct eval *e, const struct rule *r)
{
	int all = 1;

	for (int k = C_ROLE; k <= C_HTML; k++)
		for (size_t i = 0; i < r->nconds; i++) {
			const struct cond *c = &r->conds[i];
			if ((int)c->kind != k)
				continue;
			int held = eval_cond(e, r, c);
			/* "link reject" and "link info" name links; they never fail a rule */
			int naming = c->kind == C_LINK && !c->negate && (c->link == L_REJECT || c->link == L_INFO);
			int ok = naming || held != c->negate;
			if (e->trace)
				trace_cond(e->trace, c, held, ok);
			if (!ok) {
				all = 0;
				if (!e->trace)
					return 0;
			}
		}
	return all;
}

/* A dedup key's "{name}": ca, type, approve, or a captured field. */
static const char *
key_value(const char *name, void *arg)
{
	const struct verdict *v = arg;

	return !strcmp(name, "ca")	  ? v->ca
	       : !strcmp(name, "type")	  ? vtype_name(v->rule_type)
	       : !strcmp(name, "approve") ? v->approve_link
					  : verdict_field(v, name);
}

static char *
expand_template(const char *t, const struct verdict *v)
{
	struct buf b;

	buf_init(&b, 4096);
	template_expand(t, key_value, (void *)v, &b, NULL);
	return buf_steal(&b);
}

/* The key that makes copies of one CA request one request (and reminders
 * join it). */
static char *
default_key(const struct verdict *v)
{
	const char *order = verdict_field(v, "order"), *dom = verdict_field(v, "domain");
	enum vtype t = v->rule_type;

	if (t == VT_NOTICE)
		return NULL;
	if (order && (t == VT_EV_INTENT || t == VT_DOCUMENTS))
		return xasprintf("%s:%s:order:%s", v->ca, vtype_name(t), order);
	/* domain control is asked per name: an order for two names makes two
	 * requests, and the copies of one name's mail (admin@, hostmaster@...)
	 * one; a reminder or issued notice naming a name joins its request
	 * (store_order_issued then ends the order's other DCV requests). A
	 * request recorded before keeps its key CA:order:ID (dcvmail-orders(8)
	 * COMPATIBILITY). */
	if (order)
		return dom ? xasprintf("%s:order:%s:%s", v->ca, order, dom) : xasprintf("%s:order:%s", v->ca, order);
	if (dom)
		return xasprintf("%s:%s:domain:%s:%s", v->ca,
				 t == VT_REMINDER || t == VT_ISSUED ? "dcv" : vtype_name(t), dom,
				 v->approve_link ? v->approve_link : "");
	return NULL;
}

static int
host_allowed(const struct ca_def *ca, const char *host)
{
	for (size_t i = 0; i < ca->nlink_hosts; i++)
		if (domain_at_or_under(host, ca->link_hosts[i]))
			return 1;
	return 0;
}

static const struct msg_link *
find_link(const struct message *m, const char *url)
{
	for (size_t i = 0; url && i < m->nlinks; i++)
		if (!strcmp(m->links[i].url, url))
			return &m->links[i];
	return NULL;
}

static void
check_trust(const struct message *m, const struct ca_def *ca, struct verdict *v)
{
	int from_ok = 0;
	const struct msg_link *l;

	for (size_t i = 0; i < ca->nfrom_domains; i++)
		from_ok |= domain_at_or_under(m->from_domain, ca->from_domains[i]);
	if (!from_ok)
		verdict_suspect(v, "From domain '%s' is not one of %s's sender domains",
				*m->from_domain ? m->from_domain : "(none)", ca->name);
	if ((l = find_link(m, v->approve_link)) != NULL) {
		if (strcmp(l->scheme, "https"))
			verdict_suspect(v, "approval link is not https");
		if (l->has_userinfo)
			verdict_suspect(v, "approval link hides its host behind user-info ('@')");
		if (l->ip_literal)
			verdict_suspect(v, "approval link points at an IP address");
		if (!host_allowed(ca, l->host))
			verdict_suspect(v, "approval link host '%s' is not allowed for %s", l->host, ca->name);
	}
	for (size_t i = 0; i < m->nlinks; i++) {
		l = &m->links[i];
		if (host_allowed(ca, l->host))
			continue;
		for (size_t j = 0; j < ca->nlink_hosts; j++) {
			char *dot = xasprintf("%s.", ca->link_hosts[j]);
			int imitates = strstr(l->host, dot) != NULL;
			free(dot);
			if (imitates) {
				verdict_suspect(v, "link host '%s' imitates %s", l->host, ca->link_hosts[j]);
				break;
			}
		}
	}
}

static int
from_ca(const struct message *m, const struct ca_def *ca)
{
	for (size_t i = 0; i < ca->nfrom_domains; i++)
		if (domain_at_or_under(m->from_domain, ca->from_domains[i]))
			return 1;
	return 0;
}

/* Two passes: first the rules of CAs the From domain belongs to, so a CA's
 * own wording wins over a similar rule of another CA; then every rule, so
 * CA wording from a foreign sender is still recognised (and suspected). A
 * trace shows every rule once, in file order. */
static void
run_rules(const struct ruleset *rs, const struct message *m, const struct envelope *env, struct verdict *v, FILE *trace)
{
	struct eval e = {
		rs, m, env, subject_core(m->subject, rs && rs->mode == RULES_MODE_BATCH), NULL, NULL, trace, 0
	};
	struct verdict cand;
	size_t n = rs ? rs->nrules : 0, ncas = rs ? rs->ncas : 0;
	unsigned char own_v[64], *own = ncas > sizeof(own_v) ? xmalloc(ncas) : own_v;

	for (size_t i = 0; i < ncas; i++) /* once per CA, not per rule and pass */
		own[i] = (unsigned char)from_ca(m, rs->cas[i]);
	e.md = pcre2_match_data_create(64, NULL);
	for (size_t j = 0; j < 2 * n && (trace == NULL || j < n); j++) {
		size_t i = j % n;
		const struct rule *r = rs->rules[i];
		int lim_before = e.limit_hit;
		if (trace == NULL && (j < n) != own[r->ca_index])
			continue; /* pass 1: own CA's rules; pass 2: the others */
		verdict_init(&cand);
		e.cand = &cand;
		e.limit_hit = 0;
		if (trace)
			fprintf(trace, "rule %s (%s, %s:%d)\n", r->id, vtype_name(r->type), r->file, r->line);
		int ok = eval_rule(&e, r);
		if (e.limit_hit)
			verdict_add_reason(v, "regex limit hit in rule %s: treated as not matching", r->id);
		if (ok && !e.limit_hit) {
			for (size_t k = 0; trace && k < cand.nfields; k++)
				fprintf(trace, "    captured %s = %s\n", cand.fields[k].name,
					cand.fields[k].value); /* validated */
			if (trace && v->rule) {
				fprintf(trace, "    => matches too (the first match, %s, wins)\n", v->rule);
				verdict_free(&cand);
				continue;
			}
			cand.type = cand.rule_type = r->type;
			cand.ca = xstrdup(r->ca->id);
			cand.ca_name = xstrdup(r->ca->name);
			cand.rule = xstrdup(r->id);
			for (size_t k = 0; k < v->nreasons; k++)
				verdict_add_reason(&cand, "%s", v->reasons[k]);
			verdict_free(v);
			*v = cand;
			v->dedup_key = r->dedup ? expand_template(r->dedup, v) : default_key(v);
			check_trust(m, r->ca, v);
			if (trace)
				fprintf(trace, "    => MATCH: %s\n", vtype_name(v->type));
			else
				break;
		} else
			verdict_free(&cand);
		e.limit_hit |= lim_before;
	}
	pcre2_match_data_free(e.md);
	if (own != own_v)
		free(own);
	if (e.limit_hit && v->rule == NULL)
		v->type = VT_UNKNOWN;
}

/* The d= domain of a DKIM-Signature header value (allocated), or NULL. */
static char *
dkim_signer(const char *raw)
{
	for (const char *p = raw; p && *p; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (p[0] != 'd' || (p[1] != '=' && p[1] != ' ' && p[1] != '\t'))
			continue;
		const char *q = p + 1;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q++ != '=')
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		size_t n = strcspn(q, "; \t\r\n");
		if (n == 0)
			return NULL;
		char *d = xstrndup(q, n);
		lowercase(d);
		return d;
	}
	return NULL;
}

enum named_by { BY_FROM, BY_DKIM, BY_LINK };

/* The CA a message comes from, or seems to, when no rule recognised it: the
 * CA of its From domain, else of a DKIM signature's d= under a dkim-domain,
 * else of a link host under a link-host. *what (allocated) names the DKIM
 * domain or link host. Nothing here is trusted: authentication and the
 * phishing checks judge the sender afterwards. */
static const struct ca_def *
ca_of_message(const struct ruleset *rs, const struct message *m, enum named_by *by, char **what)
{
	const char *raw;

	*what = NULL;
	for (size_t i = 0; i < rs->ncas; i++)
		if (from_ca(m, rs->cas[i])) {
			*by = BY_FROM;
			return rs->cas[i];
		}
	for (size_t k = 0; (raw = message_header_raw(m, "DKIM-Signature", k)) != NULL; k++) {
		char *d = dkim_signer(raw);
		for (size_t i = 0; d && i < rs->ncas; i++)
			if (domain_under_any(d, rs->cas[i]->dkim_domains, rs->cas[i]->ndkim_domains)) {
				*by = BY_DKIM;
				*what = d;
				return rs->cas[i];
			}
		free(d);
	}
	for (size_t k = 0; k < m->nlinks; k++)
		for (size_t i = 0; i < rs->ncas; i++)
			if (host_allowed(rs->cas[i], m->links[k].host)) {
				*by = BY_LINK;
				*what = xstrdup(m->links[k].host);
				return rs->cas[i];
			}
	return NULL;
}

/* Words of links that refuse, stop or undo: never an approval link. */
static int
refusing_path(const char *path)
{
	static const char *const words[] = { "reject",	    "decline", "deny",	  "cancel",
					     "unsubscribe", "revoke",  "opt-out", "optout" };

	for (size_t i = 0; i < nitems(words); i++)
		if (strcasestr(path, words[i]))
			return 1;
	return 0;
}

/* The first link of m to one of ca's link hosts whose path and query have
 * the shape of its approval pages (fallback-link), taking its captures into
 * v; never a link that matches a reject pattern of the CA or says reject. */
static const struct msg_link *
shaped_link(const struct ruleset *rs, const struct ca_def *ca, const struct message *m, struct verdict *v)
{
	struct eval e = { rs, m, NULL, NULL, NULL, v, NULL, 0 };
	const struct msg_link *hit = NULL;

	if (ca->fallback_re == NULL)
		return NULL;
	e.md = pcre2_match_data_create(32, NULL);
	for (size_t i = 0; i < m->nlinks && hit == NULL; i++) {
		const struct msg_link *l = &m->links[i];
		const char *path = l->path ? l->path : "";
		if (!host_allowed(ca, l->host) || refusing_path(path) || rules_ca_rejects(rs, ca->id, l->url))
			continue;
		if (re_match(&e, ca->fallback_re, path)) {
			take_captures(&e, ca->fallback_re, path);
			hit = l;
		}
	}
	pcre2_match_data_free(e.md);
	return hit;
}

/* Mail from a CA that no rule recognises is never a silent "unknown": it
 * names the CA (from its From domain, DKIM signature or link hosts). When
 * the sender is the CA's (From or DKIM) and a link has the shape of the
 * CA's approval pages (fallback-link), it is a dcv request in new wording,
 * "template not recognised": the link is kept for a person, and the policy
 * never approves such a verdict. Otherwise it is a notice for a person,
 * with the reason (new wording, a new template), and carries no approval
 * link, so nothing automatic follows from it. */
static void
name_the_ca(const struct ruleset *rs, const struct message *m, struct verdict *v)
{
	const struct ca_def *ca;
	const struct msg_link *l;
	enum named_by by;
	char *what, *known;

	if (rs == NULL || v->type != VT_UNKNOWN || v->ca != NULL || m->status == MSG_OVERSIZED)
		return;
	if ((ca = ca_of_message(rs, m, &by, &what)) == NULL)
		return;
	v->ca = xstrdup(ca->id);
	v->ca_name = xstrdup(ca->name);
	known = by == BY_FROM ? xstrdup("")
		: by == BY_DKIM
			? xasprintf(" (the CA is known from the DKIM signature d=%s)", what)
			: xasprintf(" (the CA is known only from the link host %s; the sender %s is not the CA's)",
				    what, *m->from ? m->from : "(none)");
	if (by != BY_LINK && (l = shaped_link(rs, ca, m, v)) != NULL) {
		v->type = v->rule_type = VT_DCV;
		v->approve_link = xstrdup(l->url);
		verdict_add_reason(v,
				   "template not recognised: no rule of CA %s knows this wording, but a link has the "
				   "shape of its approval pages%s; never approved by dcvmail, a person should read it",
				   ca->id, known);
		v->dedup_key = default_key(v);
		check_trust(m, ca, v);
	} else {
		v->type = v->rule_type = VT_NOTICE;
		verdict_add_reason(v, "no rule of CA %s matched: new wording, a person should read it%s", ca->id,
				   known);
	}
	free(known);
	free(what);
}

int
classify(const struct ruleset *rs, const struct message *m, const struct envelope *env, struct verdict *v)
{
	size_t before = v->nreasons;

	run_rules(rs, m, env, v, NULL);
	name_the_ca(rs, m, v);
	for (size_t i = before; i < v->nreasons; i++)
		if (!strncmp(v->reasons[i], "regex limit hit", 15))
			return -1;
	return 0;
}

void
classify_trace(const struct ruleset *rs, const struct message *m, const struct envelope *env, FILE *out)
{
	struct verdict v;

	verdict_init(&v);
	run_rules(rs, m, env, &v, out);
	verdict_free(&v);
}
