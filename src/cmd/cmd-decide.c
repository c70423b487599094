/* cmd-decide.c — a person's decision on a request: `approve ID` follows the
 * approval link behind the guardrails (action-approve.c), `approve ID
 * --record-only` and `reject ID` record what the person did at the CA. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "outbox/action.h"
#include "cmd/cmd.h"
#include "base/log.h"
#include "outbox/policy.h"
#include "judge/rules.h"
#include "ledger/store.h"
#include "base/util.h"

/* approve --record-only / reject: record a person's decision. dcvmail
 * requests neither link here: the person used the CA's page themselves. */
/* The CA's own way to cancel, from the archived mail judged again. */
static void
reject_instructions(const struct config *cfg, struct store *st, int64_t id)
{
	struct ruleset *rs = NULL;
	struct action_subject as;
	char *sha = NULL, *err = NULL;

	memset(&as, 0, sizeof(as));
	verdict_init(&as.v);
	if (rules_load(cfg->rules_dir, RULES_MODE_SINGLE, &rs, print_rules_diag, NULL) == 0 &&
	    store_request_first_message(st, id, &sha, &err) == 0 && sha) {
		struct action_ctx ax = { cfg, rs, st, 1, 0 };
		struct request_ref req = { id, sha };
		if (action_load(&ax, &req, &as, &err) == 0 && as.v.reject_link && as.v.type != VT_SUSPICIOUS) {
			char *l = text_clean(as.v.reject_link);
			printf("To cancel the order at %s, the CA's mail gives this reject link; dcvmail never opens "
			       "it:\n"
			       "  %s\n",
			       as.ca ? as.ca->name : "the CA", l);
			free(l);
		}
	}
	printf("dcvmail never opens a reject link: to cancel the order, follow the CA's own reject link\n"
	       "or instructions yourself (`dcvmail show %lld` names the archived message).\n",
	       (long long)id);
	action_subject_free(&as);
	free(sha);
	free(err);
	rules_free(rs);
}

static int
decide(struct globals *g, int64_t id, const char *note, const char *state)
{
	struct config cfg;
	struct store *st;
	struct request_info ri;
	char *err = NULL, who[64];
	int r, found = 0;

	if ((r = cmd_open_ledger(g, &cfg, 0, &st)) != 0)
		return r;
	if (store_request_get(st, id, &ri, &found, &err) == -1 || !found)
		return cmd_finish(&cfg, st, EXIT_DATAERR,
				  err ? err : xasprintf("no request %lld (see dcvmail list)", (long long)id));
	if (store_request_set_state(st, id, state, cmd_login_name(who, sizeof(who)), note, &err) == -1) {
		request_info_free(&ri);
		return cmd_finish(&cfg, st, EXIT_TEMPFAIL, err);
	}
	struct strv c = { 0 };
	printf("request %lld (%s %s %s) recorded as %s by %s\n", (long long)id, ri.ca ? text_clean_in(&c, ri.ca) : "-",
	       ri.domain ? text_clean_in(&c, ri.domain) : "-", ri.order ? text_clean_in(&c, ri.order) : "-", state,
	       text_clean_in(&c, cmd_login_name(who, sizeof(who))));
	strv_free(&c);
	if (!strcmp(state, "approved"))
		printf("The validation is recorded; `dcvmail report` shows until when it can be reused.\n");
	else
		reject_instructions(&cfg, st, id);
	request_info_free(&ri);
	return cmd_finish(&cfg, st, 0, NULL);
}

/* approve ID [--note TEXT] [--dry-run]: a person's decision carried out by
 * dcvmail: the same guarded link-follow as the automatic approval, without
 * the expectation and auto-approve conditions. */
static int
approve_now(struct globals *g, int64_t id, const char *note, int dry)
{
	struct config cfg;
	struct ruleset *rs;
	struct store *st;
	struct request_ref req;
	struct action_subject as;
	struct buf why;
	char *err = NULL, *result = NULL, *sha = NULL, who[64], w[256];
	struct strv c = { 0 }; /* printed text through the sanitiser */
	int r, n;

	signal(SIGPIPE, SIG_IGN); /* a CA site that resets: an error for the approval, not death */
	if ((r = load_config_and_rules(g, &cfg, &rs, RULES_MODE_SINGLE)) != 0)
		return r;
	if (store_open_cfg(&cfg, dry ? STORE_RDONLY : 0, &st, &err) == -1) {
		rules_free(rs);
		return cmd_finish(&cfg, NULL, EXIT_CANTCREAT, err);
	}
	if (store_request_first_message(st, id, &sha, &err) == -1 || sha == NULL) {
		rules_free(rs);
		return cmd_finish(&cfg, st, EXIT_DATAERR,
				  err ? err : xasprintf("no request %lld (see dcvmail list)", (long long)id));
	}
	req.request_id = id;
	req.message_sha256 = sha;
	struct action_ctx ax = { &cfg, rs, st, dry, 0 };
	snprintf(who, sizeof(who), "%s", cmd_login_name(w, sizeof(w)));
	if (note) { /* the note travels with who approved */
		size_t l = strlen(who);
		snprintf(who + l, sizeof(who) - l, " (%s)", note);
	}
	if (dry) {
		buf_init(&why, 8192);
		if (action_load(&ax, &req, &as, &result) == -1) {
			/* as `approve ID` does: the archived message cannot be judged */
			printf("request %lld: %s\n", (long long)id,
			       result ? result : "the archived message cannot be read");
			r = EXIT_DATAERR;
		} else if ((n = policy_approval_problems(&cfg, rs, st, &as.v, time(NULL), 1, &why, &err)) >= 0) {
			if (n)
				printf("request %lld would not be approved: %s\n", (long long)id,
				       text_clean_in(&c, why.data));
			else
				printf("request %lld: would open %s on the CA's page (dry run: nothing sent)\n",
				       (long long)id, log_redact_url(as.v.approve_link, w, sizeof(w)));
			r = n ? EXIT_DATAERR : 0;
		} else
			r = EXIT_TEMPFAIL;
		buf_free(&why);
		action_subject_free(&as);
	} else {
		enum action_status s = approve_follow(&ax, &req, NULL, who, &result);	/* a person's: not queued */
		printf("request %lld: %s\n", (long long)id, text_clean_in(&c, result)); /* a CA site's words */
		if (s == ACTION_OK)
			printf("The validation is recorded; `dcvmail report` shows until when it can be reused.\n");
		else
			printf("If you have checked the request yourself, approve it on the CA's page and record that\n"
			       "with `dcvmail approve %lld --record-only`.\n",
			       (long long)id);
		r = s == ACTION_OK ? 0 : s == ACTION_RETRY ? EXIT_TEMPFAIL : EXIT_DATAERR;
	}
	strv_free(&c);
	free(result);
	free(sha);
	rules_free(rs);
	return cmd_finish(&cfg, st, r, err);
}

int
cmd_approve(struct globals *g, int argc, char **argv)
{
	static const struct option lo[] = { { "note", required_argument, NULL, 'N' },
					    { "record-only", no_argument, NULL, 'r' },
					    { "dry-run", no_argument, NULL, 'n' },
					    { NULL, 0, NULL, 0 } };
	const char *note = NULL;
	int ch, record = 0, dry = 0;
	int64_t id;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'N')
			note = optarg;
		else if (ch == 'r')
			record = 1;
		else if (ch == 'n')
			dry = 1;
		else
			goto usage;
	}
	if (optind + 1 != argc || cmd_parse_id(argv[optind], &id) == -1 || (record && dry))
		goto usage;
	if (record)
		return decide(g, id, note, "approved");
	return approve_now(g, id, note, dry);
usage:
	fprintf(stderr, "usage: dcvmail approve ID [--note TEXT] [--dry-run | --record-only]\n");
	return EXIT_USAGE;
}

int
cmd_reject(struct globals *g, int argc, char **argv)
{
	static const struct option lo[] = { { "note", required_argument, NULL, 'N' }, { NULL, 0, NULL, 0 } };
	const char *note = NULL;
	int ch;
	int64_t id;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch != 'N')
			goto usage;
		note = optarg;
	}
	if (optind + 1 != argc || cmd_parse_id(argv[optind], &id) == -1)
		goto usage;
	return decide(g, id, note, "rejected");
usage:
	fprintf(stderr, "usage: dcvmail reject ID [--note TEXT]\n");
	return EXIT_USAGE;
}
