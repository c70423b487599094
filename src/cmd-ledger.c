/* cmd-ledger.c — list, show, report and expect: reading and steering the ledger. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dcvmail/cmd.h"
#include "dcvmail/store.h"
#include "dcvmail/util.h"

int
cmd_list(struct globals *g, int argc, char **argv)
{
	static const struct option lo[] = { { "pending", no_argument, NULL, 'p' },
					    { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
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
	r = store_list(st, pending, json, stdout, &err) == -1 ? EXIT_TEMPFAIL : 0;
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
	r = store_request_show(st, id, json, stdout, &err) == -1 ? EXIT_DATAERR : 0;
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
	r = store_report(st, json, cfg.pending_alert_hours, time(NULL), stdout, &err) == -1 ? EXIT_TEMPFAIL : 0;
	return cmd_finish(&cfg, st, r, err);
}

static int
expect_add(struct globals *g, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ca", required_argument, NULL, 'c' }, { "domain", required_argument, NULL, 'd' },
		{ "order", required_argument, NULL, 'o' }, { "until", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 } };
	const char *ca = NULL, *domain = NULL, *order = NULL;
	time_t until = 0;
	int ch, r;
	int64_t id;
	struct config cfg;
	struct store *st;
	char *err = NULL, buf[32];

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': ca = optarg; break;
		case 'd': domain = optarg; break;
		case 'o': order = optarg; break;
		case 'u':
			if ((until = parse_date(optarg)) == -1) {
				fprintf(stderr, "dcvmail: --until %s: use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or +Nd\n", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (ca == NULL || domain == NULL || optind != argc) {
		fprintf(stderr, "usage: dcvmail expect add --ca CA --domain DOMAIN [--order N] [--until DATE]\n");
		return EXIT_USAGE;
	}
	if (until == 0)
		until = time(NULL) + 30 * 86400; /* a request older than 30 days is void anyway */
	if ((r = cmd_open_ledger(g, &cfg, 0, &st)) != 0)
		return r;
	if (store_expect_add(st, ca, domain, order, until, &id, &err) == -1)
		return cmd_finish(&cfg, st, EXIT_TEMPFAIL, err);
	printf("expectation %lld: %s %s%s%s until %s\n", (long long)id, ca, domain, order ? " order " : "",
	       order ? order : "", fmt_time(until, buf, sizeof(buf)));
	return cmd_finish(&cfg, st, 0, NULL);
}

static int
expect_list(struct globals *g, int json)
{
	struct config cfg;
	struct store *st;
	struct expectation *v;
	size_t n;
	char *err = NULL, b[32];
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
			printf("{\"id\":%lld,\"ca\":\"%s\",\"domain\":\"%s\",\"order\":%s%s%s,\"until\":\"%s\","
			       "\"expired\":%s,\"used_by\":%lld}\n",
			       (long long)v[i].id, v[i].ca, v[i].domain, v[i].order ? "\"" : "",
			       v[i].order ? v[i].order : "null", v[i].order ? "\"" : "",
			       fmt_time(v[i].until, b, sizeof(b)), v[i].until && v[i].until < now ? "true" : "false",
			       (long long)v[i].used_by);
		else {
			char used[32] = "-";
			if (v[i].used_by)
				snprintf(used, sizeof(used), "request %lld", (long long)v[i].used_by);
			printf("%-5lld %-11s %-28s %-12s %-21s %s%s\n", (long long)v[i].id, v[i].ca, v[i].domain,
			       v[i].order ? v[i].order : "any", fmt_time(v[i].until, b, sizeof(b)), used,
			       v[i].until && v[i].until < now ? " (expired)" : "");
		}
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
		return expect_list(g, argc == 3 && !strcmp(argv[2], "--json"));
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
	fprintf(stderr, "usage: dcvmail expect add --ca CA --domain DOMAIN [--order N] [--until DATE]\n"
			"       dcvmail expect list [--json]\n"
			"       dcvmail expect rm ID\n");
	return EXIT_USAGE;
}

