/* cmd-rules.c — `dcvmail rules lint [DIR] | test FILE... | list` (`dcvmail -n` is cmd-confcheck.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "base/log.h"
#include "intake/process.h"
#include "judge/judge.h"
#include "judge/rules.h"
#include "ledger/store.h"
#include "base/util.h"

static int
usage(void)
{
	fprintf(stderr, "usage: dcvmail rules lint [DIR]\n"
			"       dcvmail rules test [-r ROLE] FILE...\n"
			"       dcvmail rules list\n");
	return EXIT_USAGE;
}

/* -n with a PostgreSQL ledger: it answers, over TLS or not, with the schema
 * this dcvmail knows (h-pg). */
int
cmd_check_ledger(const struct config *cfg)
{
	struct store *st;
	char *err = NULL;
	int version, server;
	char *tls = NULL;

	if (store_open_cfg(cfg, STORE_RDONLY, &st, &err) == -1) {
		fprintf(stderr, "dcvmail: %s\n", err);
		free(err);
		return EXIT_TEMPFAIL;
	}
	if (store_pg_info(st, &version, &tls, &server, &err) == -1) {
		fprintf(stderr, "dcvmail: %s\n", err);
		free(err);
		store_close(st);
		return EXIT_TEMPFAIL;
	}
	printf("%s: connected (PostgreSQL %d.%d, %s), schema version %d: ok\n", store_ledger_name(st), server / 10000,
	       server % 10000, tls, version);
	free(tls);
	store_close(st);
	return 0;
}

static int
lint(struct globals *g, const char *dir, int secrets)
{
	struct config cfg;
	struct ruleset *rs;
	int n, r;

	if ((r = config_setup(&cfg, g->config_path, g->state_dir, g->argv0, &cmd_config_ops)) != 0)
		return r;
	if (secrets && (n = config_check_secrets(&cfg, stderr)) > 0) {
		fprintf(stderr, "%s: %s: %d secret file%s not safe\n", log_prefix(),
			cfg.path ? cfg.path : "configuration", n, n == 1 ? "" : "s");
		config_free(&cfg);
		return EXIT_CONFIG;
	}
	if (secrets && (n = config_check_programs(&cfg, stderr)) > 0) {
		fprintf(stderr, "dcvmail: %s: %d token-command%s cannot run\n", cfg.path ? cfg.path : "configuration",
			n, n == 1 ? "" : "s");
		config_free(&cfg);
		return EXIT_CONFIG;
	}
	if (secrets && cfg.ledger_url && (r = cmd_check_ledger(&cfg)) != 0) {
		config_free(&cfg);
		return r;
	}
	if (dir == NULL)
		dir = cfg.rules_dir;
	n = rules_load(dir, RULES_MODE_BATCH, &rs, print_rules_diag, NULL);
	if (n > 0) {
		fprintf(stderr, "%s: %d error%s\n", dir, n, n == 1 ? "" : "s");
		config_free(&cfg);
		return EXIT_CONFIG;
	}
	if (secrets)
		cmd_hint_trust(&cfg);
	printf("%s: %zu rules for %zu CAs in %zu files: ok\n", dir, rules_count(rs), rules_ca_count(rs),
	       rules_file_count(rs));
	rules_free(rs);
	config_free(&cfg);
	return 0;
}

/* The whole judgement, as check makes it: classification with its
 * fallbacks, authentication, the phishing checks and the malformed mark. */
static void
print_judgement(const struct config *cfg, const struct ruleset *rs, const struct message *m, const struct envelope *env,
		FILE *out)
{
	struct verdict v;
	struct strv c = { 0 }; /* a person reads this: through the sanitiser */
	const char *fb;

	verdict_init(&v);
	judge(cfg, rs, m, env, &v);
	fprintf(out, "verdict: %s", vtype_name(v.type));
	if (v.rule)
		fprintf(out, " (rule %s, ca %s)", text_clean_in(&c, v.rule), text_clean_in(&c, v.ca));
	else if (v.ca)
		fprintf(out, " (no rule, ca %s)", text_clean_in(&c, v.ca));
	fputc('\n', out);
	if (v.rule_type != v.type && v.rule_type != VT_UNKNOWN)
		fprintf(out, "  the rule's type: %s\n", vtype_name(v.rule_type));
	if (m->status != MSG_OK)
		fprintf(out, "  status: %s: %s\n", msg_status_name(m->status),
			text_clean_in(&c, m->status_reason ? m->status_reason : "limit exceeded"));
	if ((fb = verdict_fallback(&v)) != NULL)
		fprintf(out, "  fallback: %s\n", fb);
	for (size_t i = 0; i < v.nfields; i++)
		fprintf(out, "  %s: %s\n", text_clean_in(&c, v.fields[i].name), text_clean_in(&c, v.fields[i].value));
	fprintf(out, "  auth: %s", auth_status_name(v.auth));
	if (v.auth_reason)
		fprintf(out, " (%s)", text_clean_in(&c, v.auth_reason));
	fputc('\n', out);
	for (size_t i = 0; i < v.nreasons; i++)
		fprintf(out, "  ! %s\n", text_clean_in(&c, v.reasons[i]));
	if (v.approve_link)
		fprintf(out, "  approve link: %s\n", text_clean_in(&c, v.approve_link));
	if (v.reject_link)
		fprintf(out, "  reject link (never followed): %s\n", text_clean_in(&c, v.reject_link));
	if (v.dedup_key)
		fprintf(out, "  dedup key: %s\n", text_clean_in(&c, v.dedup_key));
	strv_free(&c);
	verdict_free(&v);
}

static int
test(struct globals *g, int argc, char **argv)
{
	struct config cfg;
	struct ruleset *rs;
	const char *role = NULL;
	int r, i = 1;

	if (i + 1 < argc && !strcmp(argv[i], "-r")) {
		role = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		return usage();
	if ((r = load_config_and_rules(g, &cfg, &rs, RULES_MODE_BATCH)) != 0)
		return r;
	for (; i < argc; i++) {
		char *data;
		size_t len;
		struct envelope env = { .source = "file", .mailbox = argv[i], .role = role };
		if (read_file(argv[i], cfg.limits.max_size * 4, &data, &len) == -1 && errno != EFBIG) {
			fprintf(stderr, "%s: %s: %s\n", log_prefix(), argv[i], strerror(errno));
			r = EXIT_NOINPUT;
			continue;
		}
		struct message *m = message_parse(data, len, &cfg.limits);
		struct strv c = { 0 };
		printf("== %s\nfrom: %s\nsubject: %s\nstatus: %s\n", text_clean_in(&c, argv[i]),
		       text_clean_in(&c, m->from ? m->from : ""), text_clean_in(&c, m->subject ? m->subject : ""),
		       msg_status_name(m->status));
		strv_free(&c);
		classify_trace(rs, m, &env, stdout);
		print_judgement(&cfg, rs, m, &env, stdout);
		message_free(m);
		free(data);
	}
	rules_free(rs);
	config_free(&cfg);
	return r;
}

static int
list(struct globals *g)
{
	struct config cfg;
	struct ruleset *rs;
	int r;

	if ((r = load_config_and_rules(g, &cfg, &rs, RULES_MODE_SINGLE)) != 0)
		return r;
	printf("%-12s %-32s %-10s %s\n", "CA", "RULE", "TYPE", "WHERE");
	struct rule_info ri;
	for (size_t i = 0; rules_rule_at(rs, i, &ri) == 0; i++)
		printf("%-12s %-32s %-10s %s:%d\n", ri.ca, ri.id, vtype_name(ri.type), ri.file, ri.line);
	rules_free(rs);
	config_free(&cfg);
	return 0;
}

int
cmd_rules(struct globals *g, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return argc < 2 ? usage() : (usage(), 0);
	if (!strcmp(argv[1], "lint"))
		return argc > 3 ? usage() : lint(g, argc == 3 ? argv[2] : NULL, 0);
	if (!strcmp(argv[1], "test"))
		return test(g, argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return list(g);
	return usage();
}
