/* cmd-ledger.c — list, show, report and expect: reading and steering the ledger. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "cmd/report.h"
#include "judge/expect.h"
#include "judge/rules.h"
#include "ledger/store.h"
#include "base/json.h"
#include "base/url.h"
#include "base/util.h"

int
cmd_list(struct globals *g, int argc, char **argv)
{
	static const struct option lo[] = { { "pending", no_argument, NULL, 'p' },
					    { "json", no_argument, NULL, 'j' },
					    { NULL, 0, NULL, 0 } };
	int pending = 0, json = 0, ch, r;
	struct config cfg;
	struct store *st;
	char *err = NULL;

	while ((ch = getopt_long(argc, argv, "pj", lo, NULL)) != -1) {
		if (ch == 'p')
			pending = 1;
		else if (ch == 'j')
			json = 1;
		else
			return EXIT_USAGE;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: dcvmail list [--pending] [--json]\n");
		return EXIT_USAGE;
	}
	if ((r = cmd_open_ledger(g, &cfg, STORE_RDONLY, &st)) != 0)
		return r;
	r = report_list(st, pending, json, stdout, &err) == -1 ? EXIT_TEMPFAIL : 0;
	return cmd_finish(&cfg, st, r, err);
}

/* Commands whose only option is --json: parse it, leaving optind on the operands. */
static int
json_option(int argc, char **argv, int *json)
{
	static const struct option lo[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	int ch;

	*json = 0;
	while ((ch = getopt_long(argc, argv, "j", lo, NULL)) != -1) {
		if (ch != 'j')
			return -1;
		*json = 1;
	}
	return 0;
}

int
cmd_show(struct globals *g, int argc, char **argv)
{
	int json, r;
	int64_t id;
	struct config cfg;
	struct store *st;
	char *err = NULL;

	if (json_option(argc, argv, &json) == -1 || optind + 1 != argc || cmd_parse_id(argv[optind], &id) == -1) {
		fprintf(stderr, "usage: dcvmail show [--json] ID\n");
		return EXIT_USAGE;
	}
	if ((r = cmd_open_ledger(g, &cfg, STORE_RDONLY, &st)) != 0)
		return r;
	r = report_show(st, id, json, stdout, &err) == -1 ? EXIT_DATAERR : 0;
	return cmd_finish(&cfg, st, r, err);
}

int
cmd_report(struct globals *g, int argc, char **argv)
{
	int json, r;
	struct config cfg;
	struct store *st;
	char *err = NULL;

	if (json_option(argc, argv, &json) == -1 || optind != argc) {
		fprintf(stderr, "usage: dcvmail report [--json]\n");
		return EXIT_USAGE;
	}
	if ((r = cmd_open_ledger(g, &cfg, STORE_RDONLY, &st)) != 0)
		return r;
	r = report_domains(st, json, cfg.pending_alert_hours, time(NULL), stdout, &err) == -1 ? EXIT_TEMPFAIL : 0;
	return cmd_finish(&cfg, st, r, err);
}

/* s for an error message: controls and non-ASCII bytes as \xNN, cut at len */
static const char *
shown(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f || c == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	if (*s && len > 4)
		memcpy(buf + (o < len - 4 ? o : len - 4), "...", 4);
	return buf;
}

/* The CA ids the rules know, comma separated (allocated). */
static char *
known_cas(const struct ruleset *rs)
{
	struct buf b;

	buf_init(&b, 0);
	for (size_t i = 0; i < rules_ca_count(rs); i++)
		buf_printf(&b, "%s%s", i ? ", " : "", rules_ca_at(rs, i)->id);
	return b.len ? buf_steal(&b) : (buf_free(&b), xstrdup("none"));
}

static int
expect_add(struct globals *g, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ca", required_argument, NULL, 'c' },		  { "domain", required_argument, NULL, 'd' },
		{ "order", required_argument, NULL, 'o' },	  { "until", required_argument, NULL, 'u' },
		{ "include-subdomains", no_argument, NULL, 's' }, { NULL, 0, NULL, 0 }
	};
	const char *ca = NULL, *domain = NULL, *order = NULL, *until_arg = NULL, *why;
	time_t until = 0, now = time(NULL);
	int ch, r, subdomains = 0;
	int64_t id;
	struct config cfg;
	struct ruleset *rs;
	struct store *st;
	char *err = NULL, buf[32], sb[300], sb2[300];

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': ca = optarg; break;
		case 'd': domain = optarg; break;
		case 'o': order = optarg; break;
		case 's': subdomains = 1; break;
		case 'u':
			until_arg = optarg;
			if ((until = parse_date(optarg)) == -1) {
				fprintf(stderr,
					"dcvmail: --until %s: not a date dcvmail can read; use YYYY-MM-DD,"
					" YYYY-MM-DDTHH:MM:SSZ, +Nd or +Nh; nothing added\n",
					shown(optarg, sb, sizeof(sb)));
				return EXIT_USAGE;
			}
			break;
		default: return EXIT_USAGE;
		}
	}
	if (ca == NULL || domain == NULL || optind != argc) {
		fprintf(stderr, "usage: dcvmail expect add --ca CA --domain DOMAIN [--include-subdomains] [--order N]"
				" [--until DATE]\n");
		return EXIT_USAGE;
	}
	if (until_arg && until <= now) {
		fprintf(stderr, "dcvmail: --until %s: that is in the past (%s); nothing added\n",
			shown(until_arg, sb, sizeof(sb)), fmt_time(until, buf, sizeof(buf)));
		return EXIT_USAGE;
	}
	/* one name, one form: a U-label is stored as its A-label (as links are) */
	char *alabel = NULL;
	for (const char *p = domain; *p; p++)
		if ((unsigned char)*p >= 0x80) {
			int wild = !strncmp(domain, "*.", 2);
			char *a = host_alabel(domain + (wild ? 2 : 0));
			if (a == NULL) {
				fprintf(stderr,
					"dcvmail: --domain %s: not a valid internationalised domain name;"
					" nothing added\n",
					shown(domain, sb, sizeof(sb)));
				return EXIT_USAGE;
			}
			alabel = xasprintf("%s%s", wild ? "*." : "", a);
			free(a);
			domain = alabel;
			break;
		}
	if ((why = expect_domain_problem(domain)) != NULL) {
		fprintf(stderr, "dcvmail: --domain %s: %s; nothing added\n", shown(domain, sb, sizeof(sb)), why);
		free(alabel);
		return EXIT_USAGE;
	}
	if (subdomains && !strncmp(domain, "*.", 2)) {
		fprintf(stderr,
			"dcvmail: --domain %s with --include-subdomains: give the domain itself (%s);"
			" nothing added\n",
			shown(domain, sb, sizeof(sb)), shown(domain + 2, sb2, sizeof(sb2)));
		free(alabel);
		return EXIT_USAGE;
	}
	if (order && (why = expect_order_problem(order)) != NULL) {
		fprintf(stderr, "dcvmail: --order %s: %s; nothing added\n", shown(order, sb, sizeof(sb)), why);
		free(alabel);
		return EXIT_USAGE;
	}
	if (until == 0)
		until = now + EXPECT_DEFAULT_DAYS * 86400;
	/* shown as stored: lower case, without a trailing dot */
	char *name = xstrdup(domain);
	free(alabel);
	alabel = NULL;
	size_t nl = strlen(name);
	lowercase(name);
	if (nl > 1 && name[nl - 1] == '.')
		name[nl - 1] = '\0';
	domain = name;
	if ((r = load_config_and_rules(g, &cfg, &rs, RULES_MODE_SINGLE)) != 0)
		return r;
	if (rules_ca(rs, ca) == NULL) {
		char *k = known_cas(rs);
		fprintf(stderr, "dcvmail: --ca %s: no such CA in the rules of %s (known: %s); nothing added\n",
			shown(ca, sb, sizeof(sb)), cfg.rules_dir, k);
		free(k);
		free(name);
		rules_free(rs);
		return cmd_finish(&cfg, NULL, EXIT_USAGE, NULL);
	}
	rules_free(rs);
	if (store_open_cfg(&cfg, 0, &st, &err) == -1) {
		free(name);
		return cmd_finish(&cfg, NULL, EXIT_CANTCREAT, err);
	}
	if (store_expect_add(st, ca, domain, order, subdomains, until, &id, &err) == -1) {
		free(name);
		return cmd_finish(&cfg, st, EXIT_TEMPFAIL, err);
	}
	printf("expectation %lld: %s %s%s%s until %s\n", (long long)id, ca, domain, order ? " order " : "",
	       order ? order : "", fmt_time(until, buf, sizeof(buf)));
	printf("  covers %s%s; %s\n", domain, subdomains ? " and every name and wildcard under it" : " only",
	       order ? "every request of this order" : "one request (the first that comes), then it is used up");
	free(name);
	return cmd_finish(&cfg, st, 0, NULL);
}

static void
expect_print(const struct expectation *e, time_t now)
{
	char b[32], dom[300];
	struct buf used;

	buf_init(&used, 0);
	for (size_t i = 0; i < e->nuses; i++)
		buf_printf(&used, "%srequest %lld%s", i ? ", " : "", (long long)e->uses[i].request_id,
			   e->uses[i].released ? " (released)" : "");
	snprintf(dom, sizeof(dom), "%s%s", e->domain, e->subdomains ? " and under" : "");
	printf("%-5lld %-11s %-28s %-12s %-21s %s%s\n", (long long)e->id, e->ca, dom, e->order ? e->order : "any, once",
	       fmt_time(e->until, b, sizeof(b)), used.len ? used.data : "-",
	       e->until && e->until < now ? " (expired)" : "");
	buf_free(&used);
}

static void
expect_print_json(const struct expectation *e, time_t now)
{
	json_t *o = json_object(), *uses = json_array();
	int held = 0;
	char *s;

	for (size_t i = 0; i < e->nuses; i++) {
		json_t *u = json_object();
		json_object_set_new(u, "request", json_integer(e->uses[i].request_id));
		json_object_set_new(u, "at", json_time_or_null(e->uses[i].at));
		json_object_set_new(u, "released", json_time_or_null(e->uses[i].released));
		json_object_set_new(u, "note", e->uses[i].note ? json_string(e->uses[i].note) : json_null());
		json_array_append_new(uses, u);
		held |= !e->uses[i].released;
	}
	json_object_set_new(o, "id", json_integer(e->id));
	json_object_set_new(o, "ca", json_string(e->ca));
	json_object_set_new(o, "domain", json_string(e->domain));
	json_object_set_new(o, "include_subdomains", json_boolean(e->subdomains));
	json_object_set_new(o, "order", e->order ? json_string(e->order) : json_null());
	json_object_set_new(o, "single_use", json_boolean(e->order == NULL));
	json_object_set_new(o, "created", json_time_or_null(e->created));
	json_object_set_new(o, "until", json_time_or_null(e->until));
	json_object_set_new(o, "expired", json_boolean(e->until && e->until < now));
	json_object_set_new(o, "used_up", json_boolean(e->order == NULL && held));
	json_object_set_new(o, "uses", uses);
	/* a string that is not UTF-8 (an old ledger) is dropped by jansson: never invalid JSON */
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	printf("%s\n", s ? s : "{}");
	free(s);
}

static int
expect_list(struct globals *g, int json)
{
	struct config cfg;
	struct store *st;
	struct expectation *v;
	size_t n;
	char *err = NULL;
	int r;
	time_t now = time(NULL);

	if ((r = cmd_open_ledger(g, &cfg, STORE_RDONLY, &st)) != 0)
		return r;
	if (store_expect_list(st, &v, &n, &err) == -1)
		return cmd_finish(&cfg, st, EXIT_TEMPFAIL, err);
	if (!json)
		printf("%-5s %-11s %-28s %-12s %-21s %s\n", "ID", "CA", "DOMAIN", "ORDER", "UNTIL", "USED-BY");
	for (size_t i = 0; i < n; i++) {
		if (json)
			expect_print_json(&v[i], now);
		else
			expect_print(&v[i], now);
		expectation_free(&v[i]);
	}
	free(v);
	return cmd_finish(&cfg, st, 0, NULL);
}

int
cmd_expect(struct globals *g, int argc, char **argv)
{
	int64_t id;

	if (argc >= 2 && !strcmp(argv[1], "add"))
		return expect_add(g, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "list"))
		if (argc == 2 || (argc == 3 && !strcmp(argv[2], "--json")))
			return expect_list(g, argc == 3);
	if (argc == 3 && !strcmp(argv[1], "rm") && cmd_parse_id(argv[2], &id) == 0) {
		struct config cfg;
		struct store *st;
		char *err = NULL;
		int r = cmd_open_ledger(g, &cfg, 0, &st);
		if (r != 0)
			return r;
		if (store_expect_rm(st, id, &err) == -1)
			return cmd_finish(&cfg, st, EXIT_DATAERR, err);
		printf("expectation %lld removed\n", (long long)id);
		return cmd_finish(&cfg, st, 0, NULL);
	}
	fprintf(stderr, "usage: dcvmail expect add --ca CA --domain DOMAIN [--include-subdomains] [--order N]"
			" [--until DATE]\n"
			"       dcvmail expect list [--json]\n"
			"       dcvmail expect rm ID\n");
	return EXIT_USAGE;
}
