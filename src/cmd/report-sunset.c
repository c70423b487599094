/* report-sunset.c — `report --sunset`: for each domain validated by email,
 * until when that validation may be reused and whether the next one can
 * still be made by email (ballots SC-080, SC-081, SC-090); with --dns, what
 * the domain's DNS is set up for (dns-contacts.h). The same judgement and
 * table serve the email-validation part of `orders ORDER`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/json.h"
#include "base/names.h"
#include "base/util.h"
#include "base/width.h"
#include "cmd/dns-contacts.h"
#include "cmd/report.h"
#include "judge/reuse.h"
#include "ledger/orders.h"

static const char NON_MAIL[] = "a DNS TXT change (BR 3.2.2.4.7), a persistent _validation-persist TXT record "
			       "(3.2.2.4.22), or a file over HTTP (3.2.2.4.18)";

/* Of the roles the request's mail reached, the method whose email route
 * lasts longest: the CA may have used any of them. */
static time_t
method_of(const char *roles, const char **method, const char **section)
{
	time_t end = 0;
	char *copy = xstrdup(roles ? roles : ""), *save = NULL;

	for (char *r = strtok_r(copy, ", ", &save); r; r = strtok_r(NULL, ", ", &save)) {
		const char *m, *s;
		time_t e = email_dcv_end(r, &m, &s);
		if (e > end)
			end = e, *method = m, *section = s;
	}
	free(copy);
	if (end == 0)
		end = email_dcv_end(NULL, method, section);
	return end;
}

void
sunset_view(const struct sunset_row *r, time_t now, struct sunset_view *sv)
{
	char b1[32], b3[32];

	sv->end = method_of(r->roles, &sv->method, &sv->section);
	sv->next_by_mail = now < sv->end && r->reuse_until < sv->end;
	if (now >= sv->end)
		snprintf(sv->next, sizeof(sv->next), "not by email: the method ended %s",
			 fmt_day(sv->end, b3, sizeof(b3)));
	else if (!sv->next_by_mail)
		snprintf(sv->next, sizeof(sv->next), "due %s: not by email (it ends %s)",
			 fmt_day(r->reuse_until, b3, sizeof(b3)), fmt_day(sv->end, b1, sizeof(b1)));
	else
		snprintf(sv->next, sizeof(sv->next), "due %s: by email still allowed%s",
			 fmt_day(r->reuse_until, b3, sizeof(b3)),
			 now >= EMAIL_DCV_DISCOURAGED ? " (SHOULD NOT since 2026-03-15)" : "");
}

json_t *
sunset_json(const struct sunset_row *r, time_t now)
{
	json_t *o = json_object();
	struct sunset_view sv;

	sunset_view(r, now, &sv);
	json_object_set_new(o, "domain", json_string(r->domain));
	json_object_set_new(o, "ca", json_string(r->ca));
	json_object_set_new(o, "method", json_string(sv.method));
	json_object_set_new(o, "br_section", json_string(sv.section));
	json_object_set_new(o, "mailbox_roles", json_string(r->roles));
	json_object_set_new(o, "validated", json_time_or_null(r->approved));
	json_object_set_new(o, "reuse_until", json_time_or_null(r->reuse_until));
	json_object_set_new(o, "email_method_ends", json_time_or_null(sv.end));
	json_object_set_new(o, "next_by_email", json_boolean(sv.next_by_mail));
	json_object_set_new(o, "next", json_string(sv.next));
	return o;
}

static void
cell(FILE *f, const char *s, size_t w)
{
	fputs(s, f);
	for (size_t x = text_width(s); x < w; x++)
		fputc(' ', f);
	fputc(' ', f);
}

/* the DNS part of a row: what the domain is set up for, in one line */
static void
dns_line(FILE *out, const char *indent, const struct dns_facts *f, const char *err, int next_by_mail)
{
	struct strv c = { 0 };
	struct buf b;

	buf_init(&b, 256);
	if (err)
		buf_printf(&b, "lookup failed: %s", text_clean_in(&c, err));
	for (size_t i = 0; f && i < f->npersist; i++)
		buf_printf(&b, "%spersistent TXT record for %s (3.2.2.4.22, not mail)", b.len ? "; " : "",
			   text_clean_in(&c, f->persist[i].issuer));
	for (size_t i = 0; f && i < f->ncontacts; i++) {
		const struct contact *k = &f->contacts[i];
		int caa = !strcmp(k->source, "CAA"), mail = !strcmp(k->kind, "email");
		buf_printf(&b, "%s%s %s contact %s%s%s", b.len ? "; " : "", mail ? "email to" : "phone to",
			   caa ? "CAA" : "TXT", text_clean_in(&c, k->value),
			   mail ? (caa ? " (3.2.2.4.13)" : " (3.2.2.4.14)") : "",
			   k->problem		 ? " INVALID"
			   : mail && !k->watched ? " NOT WATCHED"
						 : "");
	}
	if (!err && f && f->npersist == 0 && f->ncontacts == 0)
		buf_printf(&b, "no _validation-persist record, no DNS contact");
	if (!err && f && f->npersist == 0 && !next_by_mail)
		buf_printf(&b, "; next: publish _validation-persist for the CA, or use DNS or HTTP");
	fprintf(out, "%s  DNS: %s\n", indent, b.data ? b.data : "");
	buf_free(&b);
	strv_free(&c);
}

void
sunset_table(FILE *out, const char *indent, const struct sunset_row *v, size_t n, time_t now,
	     const struct dns_facts *facts, char *const *errs)
{
	static const char *const head[] = { "DOMAIN", "CA", "METHOD", "VALIDATED", "REUSE-UNTIL", "EMAIL-ENDS" };
	size_t w[6] = { 28, 11, 20, 10, 11, 10 };
	struct strv c = { 0 };
	char **shown = xreallocarray(NULL, n ? n : 1, sizeof(*shown));
	char b1[32], b2[32], b3[32];

	/* domains as a person reads them (A-label and Unicode form), columns as wide as they look */
	for (size_t i = 0; i < n; i++) {
		char *d = name_display(v[i].domain);
		shown[i] = text_clean(d ? d : v[i].domain);
		free(d);
		struct sunset_view sv;
		sunset_view(&v[i], now, &sv);
		const char *cols[3] = { shown[i], text_clean_in(&c, v[i].ca), sv.method };
		for (int k = 0; k < 3; k++)
			if (text_width(cols[k]) > w[k])
				w[k] = text_width(cols[k]);
	}
	fputs(indent, out);
	for (int k = 0; k < 6; k++)
		cell(out, head[k], w[k]);
	fputs("NEXT VALIDATION\n", out);
	for (size_t i = 0; i < n; i++) {
		struct sunset_view sv;
		sunset_view(&v[i], now, &sv);
		fputs(indent, out);
		cell(out, shown[i], w[0]);
		cell(out, text_clean_in(&c, v[i].ca), w[1]);
		cell(out, sv.method, w[2]);
		cell(out, fmt_day(v[i].approved, b1, sizeof(b1)), w[3]);
		cell(out, fmt_day(v[i].reuse_until, b2, sizeof(b2)), w[4]);
		cell(out, fmt_day(sv.end, b3, sizeof(b3)), w[5]);
		fprintf(out, "%s\n", sv.next);
		if (facts || errs)
			dns_line(out, indent, facts ? &facts[i] : NULL, errs ? errs[i] : NULL, sv.next_by_mail);
		free(shown[i]);
	}
	free(shown);
	strv_free(&c);
}

static json_t *
dns_json(const struct dns_facts *f, const char *err)
{
	json_t *o = json_object(), *a = json_array(), *p = json_array();

	for (size_t i = 0; f && i < f->ncontacts; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "name", f->contacts[i].name,
						   "source", f->contacts[i].source, "kind", f->contacts[i].kind,
						   "value", f->contacts[i].value, "problem",
						   json_string_or_null(f->contacts[i].problem), "watched",
						   json_string_or_null(f->contacts[i].watched)));
	for (size_t i = 0; f && i < f->npersist; i++)
		json_array_append_new(p, json_pack("{s:s, s:s, s:s}", "name", f->persist[i].name, "value",
						   f->persist[i].value, "issuer", f->persist[i].issuer));
	json_object_set_new(o, "persist", p);
	json_object_set_new(o, "contacts", a);
	json_object_set_new(o, "error", json_string_or_null(err));
	return o;
}

/* --dns: each row's DNS facts; errs[i] says why a lookup failed. Returns
 * the number of failed lookups. */
static size_t
lookup_all(const struct config *cfg, const struct sunset_row *v, size_t n, struct dns_facts *facts, char **errs)
{
	struct dns l;
	char *err = NULL;
	size_t failed = 0;

	if (dns_open(&l, cfg->dns_server, &err) == -1) {
		for (size_t i = 0; i < n; i++)
			errs[i] = xstrdup(err);
		free(err);
		return n;
	}
	for (size_t i = 0; i < n; i++)
		if (failed) /* a resolver that failed once costs its timeout on every name after */
			errs[i] = xstrdup("not looked up after an earlier failure"), failed++;
		else if (dns_facts_lookup(&l, cfg, v[i].domain, &facts[i], &errs[i]) == -1)
			failed++;
	dns_close(&l);
	return failed;
}

int
report_sunset(struct store *st, int json, const struct config *dns_cfg, time_t now, FILE *out, char **errp)
{
	struct sunset_row *v;
	struct dns_facts *facts = NULL;
	char **errs = NULL;
	size_t n, failed = 0;

	if (store_sunset_rows(st, &v, &n, errp) == -1)
		return -1;
	if (dns_cfg) {
		facts = xreallocarray(NULL, n ? n : 1, sizeof(*facts));
		errs = xreallocarray(NULL, n ? n : 1, sizeof(*errs));
		memset(facts, 0, (n ? n : 1) * sizeof(*facts));
		memset(errs, 0, (n ? n : 1) * sizeof(*errs));
		failed = lookup_all(dns_cfg, v, n, facts, errs);
	}
	if (json)
		for (size_t i = 0; i < n; i++) {
			json_t *o = sunset_json(&v[i], now);
			if (dns_cfg)
				json_object_set_new(o, "dns", dns_json(&facts[i], errs[i]));
			char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
			if (s)
				fprintf(out, "%s\n", s);
			free(s);
			json_decref(o);
		}
	else if (n == 0)
		fprintf(out, "(no domain validated by email recorded)\n");
	else {
		sunset_table(out, "", v, n, now, facts, errs);
		fprintf(out, "Validations that cannot be made by email again need %s.\n", NON_MAIL);
	}
	for (size_t i = 0; dns_cfg && i < n; i++) {
		dns_facts_free(&facts[i]);
		free(errs[i]);
	}
	free(facts);
	free(errs);
	sunset_rows_free(v, n);
	if (failed) {
		*errp = xasprintf("the DNS lookup failed for %zu of %zu domain%s", failed, n, n == 1 ? "" : "s");
		return -1;
	}
	return 0;
}
