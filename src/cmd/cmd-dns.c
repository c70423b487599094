/* cmd-dns.c — `dcvmail dns DOMAIN...`: the DNS contacts a CA may write to
 * for a domain (BR 3.2.2.4.13/.14): TXT _validation-contactemail and
 * _validation-contactphone at the name and each parent, and the CAA
 * contactemail/contactphone properties of the relevant CAA set (RFC 8659:
 * the first set found climbing the tree). Each address is compared with
 * what dcvmail watches (mailbox users and `role` addresses), so that a
 * contact nobody reads shows before a CA writes to it. */
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
#include "cmd/dns-contacts.h"

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
		struct dns_facts f;
		const char *why;
		char *dom = name_canon(argv[a], &why); /* an IDN is asked for as its A-label */
		if (dom == NULL) {
			char *cd = text_clean(argv[a]);
			fprintf(stderr, "dcvmail: %s: not a valid internationalised domain name (%s)\n", cd, why);
			free(cd);
			rc = EXIT_USAGE;
			continue;
		}
		if (dns_facts_lookup(&l, &cfg, dom, &f, &err) == -1) {
			char *ce = text_clean(err), *cd = text_clean(dom);
			fprintf(stderr, "%s: %s: %s\n", log_prefix(), cd, ce);
			free(ce);
			free(cd);
			free(err);
			err = NULL;
			rc = EXIT_TEMPFAIL;
			free(dom);
			continue;
		}
		const struct contact *cs = f.contacts;
		size_t n = f.ncontacts;
		if (json) {
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
			arr = json_array();
			for (size_t i = 0; i < f.npersist; i++)
				json_array_append_new(arr,
						      json_pack("{s:s, s:s, s:s}", "name", f.persist[i].name, "value",
								f.persist[i].value, "issuer", f.persist[i].issuer));
			json_object_set_new(o, "persist", arr);
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
			for (size_t i = 0; i < f.npersist; i++)
				printf("  TXT  %-45s persistent validation (BR 3.2.2.4.22) for %s: not mail\n",
				       text_clean_in(&c, f.persist[i].name), text_clean_in(&c, f.persist[i].issuer));
			if (n)
				printf("  DNSSEC: %s\n  Note: CAs SHOULD NOT use these email methods since 2026-03-15 "
				       "and MUST NOT "
				       "from 2028-03-15 (ballot SC-090).\n",
				       l.answers && l.ad_all ? "validated by the resolver (AD)"
							     : "not validated by the resolver");
			strv_free(&c);
		}
		for (size_t i = 0; i < n; i++)
			if (cs[i].problem || (!strcmp(cs[i].kind, "email") && !cs[i].watched))
				rc = rc ? rc : 1;
		dns_facts_free(&f);
		free(dom);
	}
	dns_close(&l);
	config_free(&cfg);
	return rc;
usage:
	fprintf(stderr, "usage: dcvmail dns [--json] DOMAIN...\n");
	return EXIT_USAGE;
}
