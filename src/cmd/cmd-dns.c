/* cmd-dns.c — `dcvmail dns DOMAIN...`: the DNS contacts a CA may write to
 * for a domain (BR 3.2.2.4.13/.14): TXT _validation-contactemail and
 * _validation-contactphone at the name and each parent, and the CAA
 * contactemail/contactphone properties of the relevant CAA set (RFC 8659:
 * the first set found climbing the tree). Each address is compared with
 * what dcvmail watches (mailbox users and `role` addresses), so that a
 * contact nobody reads shows before a CA writes to it. */
#include <arpa/nameser.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "base/log.h"
#include "base/dns.h"
#include "base/json.h"
#include "base/names.h"
#include "base/util.h"

#define T_CAA_ 257

struct contact {
	char *name;   /* where it was found */
	char *source; /* "TXT" or "CAA" */
	char *kind;   /* "email" or "phone" */
	char *value;
	const char *problem; /* NULL when well-formed */
	char *watched;	     /* "mailbox NAME" or "role ROLE" that receives it, or NULL */
};

static const char *
email_problem(const char *v)
{
	const char *at = strchr(v, '@');

	if (at == NULL || at == v || strchr(at + 1, '@') || !strchr(at + 1, '.') || strpbrk(v, " \t,;<>\""))
		return "not exactly one email address (the whole value must be the address)";
	return NULL;
}

static const char *
phone_problem(const char *v)
{
	if (v[0] != '+' || strspn(v + 1, "0123456789") != strlen(v + 1) || strlen(v) < 8)
		return "not a +international phone number";
	return NULL;
}

/* "mailbox NAME" or "role ROLE", or NULL when nothing of dcvmail receives addr. */
static char *
watched_by(const struct config *cfg, const char *addr)
{
	for (size_t i = 0; i < cfg->nmailboxes; i++)
		if (cfg->mailboxes[i].user && !strcasecmp(cfg->mailboxes[i].user, addr))
			return xasprintf("mailbox %s", cfg->mailboxes[i].name);
	enum mbox_role r = config_role_for(cfg, addr);
	return r == ROLE_NONE ? NULL : xasprintf("role %s", role_name(r));
}

static void
add_contact(struct contact **cs, size_t *n, const struct config *cfg, const char *name, const char *source,
	    const char *kind, const char *value)
{
	struct contact *c;

	*cs = xreallocarray(*cs, *n + 1, sizeof(**cs));
	c = &(*cs)[(*n)++];
	c->name = xstrdup(name);
	c->source = xstrdup(source);
	c->kind = xstrdup(kind);
	c->value = xstrdup(value);
	c->problem = !strcmp(kind, "email") ? email_problem(value) : phone_problem(value);
	c->watched = !strcmp(kind, "email") && !c->problem ? watched_by(cfg, value) : NULL;
}

static int
lookup_domain(struct dns *l, const struct config *cfg, const char *domain, struct contact **cs, size_t *n, char **errp)
{
	int caa_found = 0;
	/* up to the registrable domain (the Public Suffix List): no CA asks a
	 * public suffix such as co.jp or ne.jp for a customer's contacts */
	const char *reg = name_registrable(domain);

	for (const char *name = domain; name;
	     name = name == reg || reg == NULL || !strchr(name, '.') ? NULL : strchr(name, '.') + 1) {
		static const char *const kinds[] = { "email", "phone" };
		for (int k = 0; k < 2; k++) {
			struct strv rd = { 0 };
			size_t *lens = NULL;
			char *q = xasprintf("_validation-contact%s.%s", kinds[k], name);
			int r = dns_query(l, q, ns_t_txt, &rd, &lens, errp);
			for (size_t i = 0; r == 0 && i < rd.n; i++) {
				char *v = dns_txt_join(rd.v[i], lens[i]);
				add_contact(cs, n, cfg, q, "TXT", kinds[k], v);
				free(v);
			}
			free(q);
			free(lens);
			strv_free(&rd);
			if (r == -1)
				return -1;
		}
		if (!caa_found) { /* RFC 8659: the relevant set is the first one up the tree */
			struct strv rd = { 0 };
			size_t *lens = NULL;
			if (dns_query(l, name, T_CAA_, &rd, &lens, errp) == -1) {
				strv_free(&rd);
				free(lens);
				return -1;
			}
			caa_found = rd.n > 0;
			for (size_t i = 0; i < rd.n; i++) {
				const unsigned char *p = (const unsigned char *)rd.v[i];
				size_t tl = lens[i] >= 2 ? p[1] : 0;
				if (lens[i] < 2 + tl)
					continue;
				char *tag = xstrndup((const char *)p + 2, tl);
				char *val = xstrndup((const char *)p + 2 + tl, lens[i] - 2 - tl);
				if (!strcasecmp(tag, "contactemail") || !strcasecmp(tag, "contactphone"))
					add_contact(cs, n, cfg, name, "CAA",
						    !strcasecmp(tag, "contactemail") ? "email" : "phone", val);
				free(tag);
				free(val);
			}
			free(lens);
			strv_free(&rd);
		}
	}
	return 0;
}

int
cmd_dns(struct globals *g, int argc, char **argv)
{
	static const struct option lo[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	int json = 0, ch, r, rc = 0;
	struct config cfg;
	struct dns l;
	char *err = NULL;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch != 'j')
			goto usage;
		json = 1;
	}
	if (optind >= argc)
		goto usage;
	if ((r = load_config_and_rules(g, &cfg, NULL, 0)) != 0)
		return r;
	if (dns_open(&l, cfg.dns_server, &err) == -1) {
		fprintf(stderr, "%s: %s\n", log_prefix(), err);
		free(err);
		config_free(&cfg);
		return EXIT_CONFIG;
	}
	for (int a = optind; a < argc; a++) {
		struct contact *cs = NULL;
		size_t n = 0;
		const char *why;
		char *dom = name_canon(argv[a], &why); /* an IDN is asked for as its A-label */
		if (dom == NULL) {
			char *cd = text_clean(argv[a]);
			fprintf(stderr, "dcvmail: %s: not a valid internationalised domain name (%s)\n", cd, why);
			free(cd);
			rc = EXIT_USAGE;
			continue;
		}
		if (lookup_domain(&l, &cfg, dom, &cs, &n, &err) == -1) {
			char *ce = text_clean(err), *cd = text_clean(dom);
			fprintf(stderr, "%s: %s: %s\n", log_prefix(), cd, ce);
			free(ce);
			free(cd);
			free(err);
			err = NULL;
			rc = EXIT_TEMPFAIL;
		} else if (json) {
			json_t *o = json_object(), *arr = json_array();
			for (size_t i = 0; i < n; i++) {
				json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "name", cs[i].name, "source",
						      cs[i].source, "kind", cs[i].kind, "value", cs[i].value, "problem",
						      json_string_or_null(cs[i].problem), "watched",
						      json_string_or_null(cs[i].watched));
				json_array_append_new(arr, c);
			}
			json_object_set_new(o, "domain", json_string(dom));
			json_object_set_new(o, "contacts", arr);
			json_object_set_new(o, "dnssec", json_boolean(l.answers && l.ad_all));
			char *s = json_dumps(o, JSON_COMPACT);
			puts(s);
			free(s);
			json_decref(o);
		} else {
			struct strv c = { 0 }; /* DNS answers are strangers' text */
			char *disp = name_display(dom);
			printf("%s: %zu DNS contact%s\n", text_clean_in(&c, disp), n, n == 1 ? "" : "s");
			free(disp);
			for (size_t i = 0; i < n; i++)
				printf("  %-4s %-45s %-5s %s  %s%s%s\n", cs[i].source, text_clean_in(&c, cs[i].name),
				       cs[i].kind, text_clean_in(&c, cs[i].value), cs[i].problem ? "INVALID: " : "",
				       cs[i].problem		      ? text_clean_in(&c, cs[i].problem)
				       : !strcmp(cs[i].kind, "phone") ? "(a phone number: not mail)"
				       : cs[i].watched		      ? "watched: "
						       : "NOT WATCHED: no mailbox or role of dcvmail receives it",
				       cs[i].watched ? cs[i].watched : "");
			if (n)
				printf("  DNSSEC: %s\n  Note: CAs SHOULD NOT use these email methods since 2026-03-15 "
				       "and MUST NOT "
				       "from 2028-03-15 (ballot SC-090).\n",
				       l.answers && l.ad_all ? "validated by the resolver (AD)"
							     : "not validated by the resolver");
			strv_free(&c);
		}
		for (size_t i = 0; i < n; i++) {
			if (cs[i].problem || (!strcmp(cs[i].kind, "email") && !cs[i].watched))
				rc = rc ? rc : 1;
			free(cs[i].name);
			free(cs[i].source);
			free(cs[i].kind);
			free(cs[i].value);
			free(cs[i].watched);
		}
		free(cs);
		free(dom);
	}
	dns_close(&l);
	config_free(&cfg);
	return rc;
usage:
	fprintf(stderr, "usage: dcvmail dns [--json] DOMAIN...\n");
	return EXIT_USAGE;
}
