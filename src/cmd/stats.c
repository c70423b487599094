/* stats.c — `check --stats`: per-CA recognition figures of a corpus. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/json.h"
#include "base/util.h"
#include "cmd/stats.h"

static struct stats_ca *
ca_slot(struct stats *s, const char *ca)
{
	for (size_t i = 0; i < s->ncas; i++)
		if ((ca == NULL && s->cas[i].ca == NULL) || (ca && s->cas[i].ca && !strcmp(ca, s->cas[i].ca)))
			return &s->cas[i];
	s->cas = xreallocarray(s->cas, s->ncas + 1, sizeof(*s->cas));
	memset(&s->cas[s->ncas], 0, sizeof(s->cas[s->ncas]));
	s->cas[s->ncas].ca = ca ? xstrdup(ca) : NULL;
	return &s->cas[s->ncas++];
}

void
stats_add(struct stats *s, const struct verdict *v)
{
	struct stats_ca *c = ca_slot(s, v->ca);
	const char *fb = verdict_fallback(v);

	s->n++;
	c->n++;
	c->by_type[(unsigned)v->type < VT__COUNT ? v->type : VT_UNKNOWN]++;
	c->suspicious += v->type == VT_SUSPICIOUS;
	c->malformed += v->type == VT_MALFORMED;
	if (fb && !strcmp(fb, "template-not-recognised"))
		c->templ++;
	else if (fb)
		c->no_rule++;
	if (v->rule == NULL)
		return;
	c->by_rule++;
	for (size_t i = 0; i < c->nrules; i++)
		if (!strcmp(c->rules[i].rule, v->rule)) {
			c->rules[i].n++;
			return;
		}
	c->rules = xreallocarray(c->rules, c->nrules + 1, sizeof(*c->rules));
	c->rules[c->nrules].rule = xstrdup(v->rule);
	c->rules[c->nrules++].n = 1;
}

/* CAs by id, the mail of no CA last; a CA's rules by count, then name. */
static int
cmp_ca(const void *a, const void *b)
{
	const struct stats_ca *x = a, *y = b;

	if (x->ca == NULL || y->ca == NULL)
		return (x->ca == NULL) - (y->ca == NULL);
	return strcmp(x->ca, y->ca);
}

static int
cmp_rule(const void *a, const void *b)
{
	const struct stats_rule *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->rule, y->rule);
}

static void
sort(const struct stats *s)
{
	if (s->ncas > 1)
		qsort(s->cas, s->ncas, sizeof(*s->cas), cmp_ca);
	for (size_t i = 0; i < s->ncas; i++)
		if (s->cas[i].nrules > 1)
			qsort(s->cas[i].rules, s->cas[i].nrules, sizeof(*s->cas[i].rules), cmp_rule);
}

static double
pct(size_t a, size_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

void
stats_print(const struct stats *s, FILE *f)
{
	size_t named = 0, by_rule = 0, templ = 0, no_rule = 0;
	struct strv c = { 0 }; /* CA and rule ids come from rule files: through the sanitiser */

	sort(s);
	fprintf(f, "recognition per CA (%zu message%s):\n", s->n, s->n == 1 ? "" : "s");
	for (size_t i = 0; i < s->ncas; i++) {
		const struct stats_ca *a = &s->cas[i];
		if (a->ca == NULL) {
			int first = 1;
			fprintf(f, "  (no CA): %zu mail%s:", a->n, a->n == 1 ? "" : "s");
			for (int t = 0; t < VT__COUNT; t++)
				if (a->by_type[t]) {
					fprintf(f, "%s %s %zu", first ? "" : ",", vtype_name((enum vtype)t),
						a->by_type[t]);
					first = 0;
				}
			fputc('\n', f);
			continue;
		}
		named += a->n;
		by_rule += a->by_rule;
		templ += a->templ;
		no_rule += a->no_rule;
		fprintf(f, "  %s: %zu mail%s: %zu by a rule (%.1f%%), %zu template not recognised, %zu no rule matched",
			text_clean_in(&c, a->ca), a->n, a->n == 1 ? "" : "s", a->by_rule, pct(a->by_rule, a->n),
			a->templ, a->no_rule);
		if (a->suspicious || a->malformed)
			fprintf(f, "; %zu suspicious, %zu malformed", a->suspicious, a->malformed);
		fputc('\n', f);
		for (size_t j = 0; j < a->nrules; j++)
			fprintf(f, "      %-40s %zu\n", text_clean_in(&c, a->rules[j].rule), a->rules[j].n);
	}
	fprintf(f,
		"total: %zu mail%s, %zu naming a CA: %zu by a rule (%.1f%%), %zu template not recognised, %zu no "
		"rule matched; %zu naming no CA\n",
		s->n, s->n == 1 ? "" : "s", named, by_rule, pct(by_rule, named), templ, no_rule, s->n - named);
	strv_free(&c);
}

void
stats_print_json(const struct stats *s, FILE *f)
{
	json_t *o = json_object(), *cas = json_object(), *tot = json_object();
	size_t named = 0, by_rule = 0, templ = 0, no_rule = 0;
	char *out;

	sort(s);
	for (size_t i = 0; i < s->ncas; i++) {
		const struct stats_ca *a = &s->cas[i];
		json_t *c = json_object(), *rules = json_object(), *types = json_object();
		for (size_t j = 0; j < a->nrules; j++)
			json_object_set_new(rules, a->rules[j].rule, json_integer((json_int_t)a->rules[j].n));
		for (int t = 0; t < VT__COUNT; t++)
			if (a->by_type[t])
				json_object_set_new(types, vtype_name((enum vtype)t),
						    json_integer((json_int_t)a->by_type[t]));
		json_object_set_new(c, "mails", json_integer((json_int_t)a->n));
		json_object_set_new(c, "by_rule", json_integer((json_int_t)a->by_rule));
		json_object_set_new(c, "template_not_recognised", json_integer((json_int_t)a->templ));
		json_object_set_new(c, "no_rule_matched", json_integer((json_int_t)a->no_rule));
		json_object_set_new(c, "rules", rules);
		json_object_set_new(c, "types", types);
		json_object_set_new(cas, a->ca ? a->ca : "", c);
		if (a->ca) {
			named += a->n;
			by_rule += a->by_rule;
			templ += a->templ;
			no_rule += a->no_rule;
		}
	}
	json_object_set_new(tot, "mails", json_integer((json_int_t)s->n));
	json_object_set_new(tot, "naming_a_ca", json_integer((json_int_t)named));
	json_object_set_new(tot, "by_rule", json_integer((json_int_t)by_rule));
	json_object_set_new(tot, "template_not_recognised", json_integer((json_int_t)templ));
	json_object_set_new(tot, "no_rule_matched", json_integer((json_int_t)no_rule));
	json_object_set_new(tot, "naming_no_ca", json_integer((json_int_t)(s->n - named)));
	json_object_set_new(o, "cas", cas);
	json_object_set_new(o, "total", tot);
	json_t *wrap = json_object();
	json_object_set_new(wrap, "stats", o);
	if ((out = json_dumps(wrap, JSON_COMPACT | JSON_PRESERVE_ORDER)) != NULL) {
		fprintf(f, "%s\n", out);
		free(out);
	}
	json_decref(wrap);
}

void
stats_free(struct stats *s)
{
	for (size_t i = 0; i < s->ncas; i++) {
		for (size_t j = 0; j < s->cas[i].nrules; j++)
			free(s->cas[i].rules[j].rule);
		free(s->cas[i].rules);
		free(s->cas[i].ca);
	}
	free(s->cas);
	memset(s, 0, sizeof(*s));
}
