/* cmd-check.c — `dcvmail check [--dry-run] [--json] [-q] PATH...` */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "intake/intake.h"
#include "base/log.h"
#include "intake/process.h"
#include "base/util.h"

struct check_state {
	struct process_ctx ctx;
	const char *path;
	int json, quiet, progress;
	size_t nmsg, nerr, nrecorded, nnew_requests, ndup;
	size_t by_type[VT__COUNT];
	double started;
	int store_failed;
	size_t cut; /* too large to keep whole: not recorded */
};

/* What the intake holds of one message. */
static size_t
check_cap(const struct config *cfg)
{
	return cfg->limits.max_size * 4 + 4096;
}

static int
check_one(void *arg, const char *label, const char *data, size_t len)
{
	struct check_state *cs = arg;
	struct process_result r;
	struct envelope env = { .source = "file", .mailbox = label };
	char *err = NULL;

	if (!cs->ctx.dry_run && len >= check_cap(cs->ctx.cfg)) {
		/* the intake holds at most the cap: never record a prefix as the message */
		fprintf(stderr,
			"dcvmail: %s: message of %zu bytes or more (4 x limit message-size): not recorded, "
			"since only a part of it would be kept (deliver it by dcvmail pipe, which keeps it whole, "
			"or raise limit message-size)\n",
			label, len);
		cs->nerr++;
		cs->cut++;
		return 0;
	}
	if (process_message(&cs->ctx, data, len, &env, &r, &err) == -1) {
		char *l = text_clean(label), *e = text_clean(err ? err : "internal error");
		fprintf(stderr, "dcvmail: %s: %s\n", l, e);
		free(l);
		free(e);
		free(err);
		cs->nerr++;
		process_result_free(&r);
		cs->store_failed = 1;
		return 1; /* stop: the ledger is not usable */
	}
	cs->nmsg++;
	cs->by_type[r.v.type]++;
	if (r.recorded) {
		cs->nrecorded += !r.rec.duplicate;
		cs->ndup += r.rec.duplicate;
		cs->nnew_requests += r.rec.new_request;
	}
	if (cs->json)
		print_result_json(stdout, label, &r);
	else if (!cs->quiet)
		print_result_line(stdout, label, &r, 1);
	if (cs->progress && cs->nmsg % 500 == 0)
		fprintf(stderr, "\r%zu messages, %.0f/s ", cs->nmsg, cs->nmsg / (now_mono() - cs->started + 1e-9));
	process_result_free(&r);
	return 0;
}

static void
summary(struct check_state *cs, FILE *f)
{
	int first = 1;

	if (cs->progress && cs->nmsg >= 500)
		fputc('\n', stderr);
	fprintf(f, "%zu message%s", cs->nmsg, cs->nmsg == 1 ? "" : "s");
	for (int t = 0; t < VT__COUNT; t++)
		if (cs->by_type[t]) {
			fprintf(f, "%s %s %zu", first ? ":" : ",", vtype_name((enum vtype)t), cs->by_type[t]);
			first = 0;
		}
	if (!cs->ctx.dry_run)
		fprintf(f, "; recorded %zu new, %zu seen before, %zu new request%s", cs->nrecorded, cs->ndup,
			cs->nnew_requests, cs->nnew_requests == 1 ? "" : "s");
	else
		fputs("; dry run, nothing recorded", f);
	fprintf(f, "; %zu error%s\n", cs->nerr, cs->nerr == 1 ? "" : "s");
}

int
cmd_check(struct globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct check_state cs;
	struct config cfg;
	struct ruleset *rs = NULL;
	struct store *st = NULL;
	char *err = NULL;
	int ch, rc = 0;

	memset(&cs, 0, sizeof(cs));
	while ((ch = getopt_long(argc, argv, "njqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': cs.ctx.dry_run = 1; break;
		case 'j': cs.json = 1; break;
		case 'q': cs.quiet = 1; break;
		case 'h':
			printf("usage: dcvmail check [--dry-run] [--json] [-q] PATH...\n"
			       "  PATH: .eml file, Maildir, mbox, directory, or - for stdin\n"
			       "  --dry-run  classify and show planned actions; record nothing\n"
			       "  --json     one JSON object per message\n"
			       "  -q         summary only\n");
			return 0;
		default: return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: dcvmail check [--dry-run] [--json] [-q] PATH...\n");
		return EXIT_USAGE;
	}
	if ((rc = load_config_and_rules(g, &cfg, &rs, RULES_MODE_BATCH)) != 0)
		return rc;
	/* a dry run reads the ledger, if there is one, for expectations */
	if (cs.ctx.dry_run && store_open_cfg(&cfg, STORE_RDONLY, &st, &err) == -1) {
		free(err);
		err = NULL;
		st = NULL;
	}
	if (!cs.ctx.dry_run && store_open_cfg(&cfg, 0, &st, &err) == -1) {
		char *e = text_clean(err);
		fprintf(stderr, "dcvmail: %s\n", e);
		free(e);
		free(err);
		rules_free(rs);
		config_free(&cfg);
		return EXIT_CANTCREAT;
	}
	cs.ctx.cfg = &cfg;
	cs.ctx.rules = rs;
	cs.ctx.st = st;
	cs.progress = isatty(STDERR_FILENO) && !cs.json;
	cs.started = now_mono();
	for (int i = optind; i < argc && !cs.store_failed; i++) {
		cs.path = argv[i];
		if (intake_path(argv[i], check_cap(&cfg), check_one, &cs) == -1) {
			cs.nerr++;
			rc = EXIT_NOINPUT;
		}
	}
	summary(&cs, cs.json ? stderr : stdout);
	if (cs.cut && rc == 0)
		rc = EXIT_DATAERR;
	if (cs.store_failed)
		rc = EXIT_TEMPFAIL;
	store_close(st);
	rules_free(rs);
	config_free(&cfg);
	return rc;
}
