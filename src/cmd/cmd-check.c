/* cmd-check.c — `dcvmail check [--dry-run] [--json] [-q] PATH...` */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/stats.h"
#include "intake/intake.h"
#include "base/log.h"
#include "intake/process.h"
#include "base/util.h"

struct check_state {
	struct process_ctx ctx;
	const char *path;
	int json, quiet, progress, fail_suspicious, want_stats;
	struct stats stats;
	size_t nmsg, nerr, nrecorded, nnew_requests, ndup;
	size_t by_type[VT__COUNT];
	double started;
	int store_failed;
	size_t cut; /* too large to keep whole: not recorded */
	/* h-speed: an import records its messages in batches (group commit):
	 * nothing is printed or counted as recorded before its batch commits */
	struct pending {
		char *label;
		struct envelope env;
		struct process_result r;
	} * pend;
	size_t npend;
	double batch_started;
};

/* A batch commits once it holds this many messages or bytes, or when the
 * next message comes more than this many seconds after its first one. */
#define BATCH_MESSAGES 1000
#define BATCH_BYTES (32u << 20)
#define BATCH_SECONDS 1.0

/* What the intake holds of one message. */
static size_t
check_cap(const struct config *cfg)
{
	return cfg->limits.max_size * 4 + 4096;
}

/* A message is done (recorded, or classified in a dry run): count and show it. */
static void
shown(struct check_state *cs, const char *label, struct process_result *r)
{
	cs->nmsg++;
	cs->by_type[r->v.type]++;
	if (cs->want_stats)
		stats_add(&cs->stats, &r->v);
	if (r->recorded) {
		cs->nrecorded += !r->rec.duplicate;
		cs->ndup += r->rec.duplicate;
		cs->nnew_requests += r->rec.new_request;
	}
	if (cs->json)
		print_result_json(stdout, label, r);
	else if (!cs->quiet)
		print_result_line(stdout, label, r, 1);
	if (cs->progress && cs->nmsg % 500 == 0)
		fprintf(stderr, "\r%zu messages, %.0f/s ", cs->nmsg, cs->nmsg / (now_mono() - cs->started + 1e-9));
}

/* Commit the batch: then, and only then, its messages count as recorded. */
static int
flush(struct check_state *cs)
{
	char *err = NULL;
	int rc = 0;

	if (cs->npend == 0)
		return 0;
	if (store_batch_commit(cs->ctx.batch, &err) == -1) {
		char *e = text_clean(err ? err : "internal error");
		fprintf(stderr, "dcvmail: %s: %zu message%s not recorded: %s\n", cs->path, cs->npend,
			cs->npend == 1 ? "" : "s", e);
		free(e);
		free(err);
		cs->nerr += cs->npend;
		cs->store_failed = 1;
		rc = -1;
	}
	for (size_t i = 0; i < cs->npend; i++) {
		struct pending *p = &cs->pend[i];
		if (rc == 0) {
			process_recorded(&p->r);
			shown(cs, p->label, &p->r);
		}
		process_result_free(&p->r);
		free(p->label);
	}
	cs->npend = 0;
	fflush(stdout); /* what is reported is committed, and shown as soon as it is */
	return rc;
}

static int
check_one(void *arg, const char *label, const char *data, size_t len)
{
	struct check_state *cs = arg;
	struct process_result r;
	struct envelope env = { .source = "file", .mailbox = label };
	char *err = NULL;
	struct pending *p = NULL;

	if (!cs->ctx.dry_run && len >= check_cap(cs->ctx.cfg)) {
		/* the intake holds at most the cap: never record a prefix as the message */
		fprintf(stderr,
			"%s: %s: message of %zu bytes or more (4 x limit message-size): not recorded, "
			"since only a part of it would be kept (deliver it by dcvmail pipe, which keeps it whole, "
			"or raise limit message-size)\n",
			log_prefix(), label, len);
		cs->nerr++;
		cs->cut++;
		return 0;
	}
	if (cs->ctx.batch) {
		if (cs->npend &&
		    (cs->npend >= BATCH_MESSAGES || store_batch_bytes(cs->ctx.batch) >= BATCH_BYTES ||
		     now_mono() - cs->batch_started >= BATCH_SECONDS) &&
		    flush(cs) == -1)
			return 1;
		if (cs->npend == 0)
			cs->batch_started = now_mono();
		p = &cs->pend[cs->npend];
		p->label = xstrdup(label);
		p->env = (struct envelope){ .source = "file", .mailbox = p->label };
	}
	if (process_message(&cs->ctx, data, len, p ? &p->env : &env, p ? &p->r : &r, &err) == -1) {
		if (p) {
			process_result_free(&p->r);
			free(p->label);
			flush(cs); /* what came before is fine */
		}
		char *l = text_clean(label), *e = text_clean(err ? err : "internal error");
		fprintf(stderr, "%s: %s: %s\n", log_prefix(), l, e);
		free(l);
		free(e);
		free(err);
		cs->nerr++;
		if (!p)
			process_result_free(&r);
		cs->store_failed = 1;
		return 1; /* stop: the ledger is not usable */
	}
	if (p) {
		cs->npend++;
		return 0; /* shown when its batch commits */
	}
	shown(cs, label, &r);
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
		{ "fail-on-suspicious", no_argument, NULL, 'S' },
		{ "stats", no_argument, NULL, 's' },
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
	while ((ch = getopt_long(argc, argv, "njqsh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': cs.ctx.dry_run = 1; break;
		case 'j': cs.json = 1; break;
		case 'q': cs.quiet = 1; break;
		case 'S': cs.fail_suspicious = 1; break;
		case 's': cs.want_stats = 1; break;
		case 'h':
			printf("usage: dcvmail check [--dry-run] [--json] [--stats] [-q] [--fail-on-suspicious] "
			       "PATH...\n"
			       "  PATH: .eml file, Maildir, mbox, directory, or - for stdin\n"
			       "  --dry-run  classify and show planned actions; record nothing\n"
			       "  --json     one JSON object per message\n"
			       "  --stats    at the end, per CA: mails recognised by each rule, fallbacks, totals\n"
			       "             (with --json: one last object {\"stats\": ...})\n"
			       "  -q         summary only\n"
			       "  --fail-on-suspicious\n"
			       "             exit 1 when a message was judged suspicious (and nothing worse\n"
			       "             happened), for scripts and cron jobs that alert\n");
			return 0;
		default: return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr,
			"usage: dcvmail check [--dry-run] [--json] [--stats] [-q] [--fail-on-suspicious] PATH...\n");
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
		fprintf(stderr, "%s: %s\n", log_prefix(), e);
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
	if (!cs.ctx.dry_run) {
		cs.ctx.batch = store_batch_new(st);
		cs.pend = xcalloc(BATCH_MESSAGES, sizeof(*cs.pend));
	}
	for (int i = optind; i < argc && !cs.store_failed; i++) {
		cs.path = argv[i];
		if (intake_path(argv[i], check_cap(&cfg), check_one, &cs) == -1) {
			cs.nerr++;
			rc = EXIT_NOINPUT;
		}
		flush(&cs); /* each path's messages recorded before the next is read */
	}
	if (cs.want_stats && cs.json)
		stats_print_json(&cs.stats, stdout);
	else if (cs.want_stats)
		stats_print(&cs.stats, stdout);
	stats_free(&cs.stats);
	store_batch_free(cs.ctx.batch);
	free(cs.pend);
	summary(&cs, cs.json ? stderr : stdout);
	if (cs.cut && rc == 0)
		rc = EXIT_DATAERR;
	if (cs.store_failed)
		rc = EXIT_TEMPFAIL;
	if (rc == 0 && cs.fail_suspicious && cs.by_type[VT_SUSPICIOUS])
		rc = 1;
	store_close(st);
	rules_free(rs);
	config_free(&cfg);
	return rc;
}
