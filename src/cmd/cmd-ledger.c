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
#include "cmd/orders.h"
#include "base/log.h"
#include "cmd/report.h"
#include "cmd/table.h"
#include "judge/expect.h"
#include "judge/rules.h"
#include "ledger/store.h"
#include "base/json.h"
#include "base/names.h"
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

/* report --check: a monitoring plugin, whose every answer is one line on
 * standard output and an exit status 0-3, the ledger's problems included. */
static int
report_monitor(struct globals *g, int check, const char *prom)
{
	struct config cfg;
	struct store *st = NULL;
	struct monitor_counts mc;
	char *err = NULL;
	time_t now = time(NULL);
	int r;

	if ((r = load_config_and_rules(g, &cfg, NULL, 0)) != 0) {
		if (check)
			printf("DCVMAIL UNKNOWN - the configuration cannot be loaded (see the error above)\n");
		return check ? MONITOR_UNKNOWN : r;
	}
	/* the figures, and the orders: open ones and those past their order-overdue hours */
	struct order *ov = NULL;
	size_t nov = 0;
	if (store_open_cfg(&cfg, STORE_RDONLY, &st, &err) == -1 ||
	    store_monitor(st, now, cfg.pending_alert_hours, &mc, &err) == -1 ||
	    store_orders(st, now, 0, 0, &ov, &nov, &err) == -1) {
		char *c = text_clean(err);
		if (check)
			printf("DCVMAIL UNKNOWN - %s\n", c);
		else
			fprintf(stderr, "%s: %s\n", log_prefix(), c);
		free(c);
		free(err);
		store_close(st);
		config_free(&cfg);
		return check ? MONITOR_UNKNOWN : EXIT_TEMPFAIL;
	}
	mc.orders_open = (long long)nov;
	for (size_t i = 0; i < nov; i++) {
		const char *w;
		mc.orders_overdue += order_overdue(&cfg, &ov[i], now, &w) > 0;
	}
	orders_free(ov, nov);
	r = 0;
	if (prom && report_prometheus(&mc, now, prom, &err) == -1) {
		char *c = text_clean(err);
		fprintf(stderr, "dcvmail report: %s\n", c);
		free(c);
		free(err);
		r = check ? MONITOR_UNKNOWN : EXIT_CANTCREAT;
	}
	if (check) {
		int s = report_check(&mc, cfg.pending_alert_hours, now, stdout);
		r = r ? r : s;
	}
	store_close(st);
	config_free(&cfg);
	return r;
}

int
cmd_report(struct globals *g, int argc, char **argv)
{
	static const struct option lo[] = { { "json", no_argument, NULL, 'j' },
					    { "check", no_argument, NULL, 'c' },
					    { "prometheus", required_argument, NULL, 'P' },
					    { "sunset", no_argument, NULL, 's' },
					    { "dns", no_argument, NULL, 'D' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	static const char usage[] = "usage: dcvmail report [--json] [--check] [--prometheus PATH] [--sunset [--dns]]\n";
	int json = 0, check = 0, sunset = 0, dns = 0, ch, r;
	const char *prom = NULL;
	struct config cfg;
	struct store *st;
	char *err = NULL;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else if (ch == 'c')
			check = 1;
		else if (ch == 'P')
			prom = optarg;
		else if (ch == 's')
			sunset = 1;
		else if (ch == 'D')
			dns = 1;
		else if (ch == 'h') {
			printf("%s"
			       "  --json             one JSON object per domain and CA\n"
			       "  --check            monitoring plugin: one status line with perfdata, exit 0 OK,\n"
			       "                     1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
			       "  --prometheus PATH  write the figures in the Prometheus text format to PATH\n"
			       "                     (atomically; - for standard output)\n"
			       "  --sunset           per domain validated by email: reuse deadline, and whether\n"
			       "                     the next validation can still be made by email (SC-090)\n"
			       "  --dns              with --sunset: look up each domain's _validation-persist TXT\n"
			       "                     record and TXT/CAA contacts (as dcvmail dns does)\n",
			       usage);
			return 0;
		} else {
			fputs(usage, stderr);
			return check ? MONITOR_UNKNOWN : EXIT_USAGE;
		}
	}
	if (optind != argc || (json && (check || prom)) || (sunset && (check || prom)) || (dns && !sunset)) {
		fputs(usage, stderr);
		return check ? MONITOR_UNKNOWN : EXIT_USAGE;
	}
	if (check || prom)
		return report_monitor(g, check, prom);
	if ((r = cmd_open_ledger(g, &cfg, STORE_RDONLY, &st)) != 0)
		return r;
	if (sunset)
		r = report_sunset(st, json, dns ? &cfg : NULL, time(NULL), stdout, &err) == -1 ? EXIT_TEMPFAIL : 0;
	else
		r = report_domains(st, json, cfg.pending_alert_hours, time(NULL), stdout, &err) == -1 ? EXIT_TEMPFAIL
												      : 0;
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
	char *err = NULL, buf[32], sb[300], sb2[300], who[80];

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
					"%s: --until %s: not a date dcvmail can read; use YYYY-MM-DD (the end of"
					" that day, local time), YYYY-MM-DDTHH:MM:SSZ (UTC), +Nd or +Nh; nothing "
					"added\n",
					log_prefix(), shown(optarg, sb, sizeof(sb)));
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
		fprintf(stderr, "%s: --until %s: that is in the past (%s); nothing added\n", log_prefix(),
			shown(until_arg, sb, sizeof(sb)), fmt_local(until, buf, sizeof(buf)));
		return EXIT_USAGE;
	}
	/* one name, one form (base/names.h): a U-label is stored as its
	 * A-label, an A-label is checked and lower-cased, as captured names are */
	const char *idn_why;
	char *alabel = name_canon(domain, &idn_why);
	if (alabel == NULL) {
		fprintf(stderr, "%s: --domain %s: not a valid internationalised domain name (%s); nothing added\n",
			log_prefix(), shown(domain, sb, sizeof(sb)), idn_why);
		return EXIT_USAGE;
	}
	domain = alabel;
	if ((why = expect_domain_problem(domain)) != NULL) {
		fprintf(stderr, "%s: --domain %s: %s; nothing added\n", log_prefix(), shown(domain, sb, sizeof(sb)),
			why);
		free(alabel);
		return EXIT_USAGE;
	}
	if (subdomains && !strncmp(domain, "*.", 2)) {
		fprintf(stderr,
			"%s: --domain %s with --include-subdomains: give the domain itself (%s);"
			" nothing added\n",
			log_prefix(), shown(domain, sb, sizeof(sb)), shown(domain + 2, sb2, sizeof(sb2)));
		free(alabel);
		return EXIT_USAGE;
	}
	if (order && (why = expect_order_problem(order)) != NULL) {
		fprintf(stderr, "%s: --order %s: %s; nothing added\n", log_prefix(), shown(order, sb, sizeof(sb)), why);
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
		fprintf(stderr, "%s: --ca %s: no such CA in the rules of %s (known: %s); nothing added\n", log_prefix(),
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
	if (store_expect_add(st, ca, domain, order, subdomains, until, &id, &err) == -1 ||
	    store_expect_set_creator(st, id, cmd_login_name(who, sizeof(who)), &err) == -1) {
		free(name);
		return cmd_finish(&cfg, st, EXIT_TEMPFAIL, err);
	}
	printf("expectation %lld: %s %s%s%s until %s\n", (long long)id, ca, domain, order ? " order " : "",
	       order ? order : "", fmt_local(until, buf, sizeof(buf)));
	char *disp = name_display(domain), *cdisp = text_clean(disp);
	printf("  covers %s%s; %s\n", cdisp, subdomains ? " and every name and wildcard under it" : " only",
	       order ? "every request of this order" : "one request (the first that comes), then it is used up");
	free(cdisp);
	free(disp);
	free(name);
	return cmd_finish(&cfg, st, 0, NULL);
}

static void
expect_print(struct table *tb, const struct expectation *e, time_t now)
{
	char b[32], id[24], *dom = name_display(e->domain), *d2, *used_s;
	struct buf used;
	struct strv c = { 0 };

	buf_init(&used, 0);
	for (size_t i = 0; i < e->nuses; i++)
		buf_printf(&used, "%srequest %lld%s", i ? ", " : "", (long long)e->uses[i].request_id,
			   e->uses[i].released ? " (released)" : "");
	d2 = xasprintf("%s%s", dom, e->subdomains ? " and under" : "");
	used_s = xasprintf("%s%s", used.len ? used.data : "-", e->until && e->until < now ? " (expired)" : "");
	snprintf(id, sizeof(id), "%lld", (long long)e->id);
	table_row(tb, id, text_clean_in(&c, e->ca), text_clean_in(&c, d2),
		  e->order ? text_clean_in(&c, e->order) : "any, once", fmt_local(e->until, b, sizeof(b)), used_s);
	strv_free(&c);
	free(used_s);
	free(d2);
	free(dom);
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
	json_object_set_new(o, "created_by", json_string_or_null(e->created_by));
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
	struct table tb;
	table_init(&tb, "llllll");
	table_row(&tb, "ID", "CA", "DOMAIN", "ORDER", "UNTIL", "USED-BY");
	for (size_t i = 0; i < n; i++) {
		if (json)
			expect_print_json(&v[i], now);
		else
			expect_print(&tb, &v[i], now);
		expectation_free(&v[i]);
	}
	if (json)
		strv_free(&tb.cells);
	else
		table_print(&tb, stdout);
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
