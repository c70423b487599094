/* cmd-watch.c — `dcvmail watch [--once] [--dry-run]`: watch every configured
 * IMAP mailbox (watch.c), or with --once read what is new, run the outbox, exit. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbox/action.h"
#include "cmd/cmd.h"
#include "intake/intake-imap.h"
#include "base/log.h"
#include "base/util.h"
#include "intake/watch.h"
#include "ledger/store.h"

/* A watcher started while its PostgreSQL ledger cannot be reached (the
 * database host still booting, a failover) waits for it rather than exit:
 * tries 1, 2, 4 ... 60 s apart, logging each failure. SIGTERM or SIGINT
 * meanwhile stop it (1); SIGHUP tries at once. Any other failure (a local
 * ledger, no libpq, a schema this dcvmail cannot use) is returned (-1). */
#define LEDGER_WAIT_MAX 60
static int
open_ledger_waiting(struct config *cfg, struct store **st, char **errp)
{
	struct timespec zero = { 0, 0 };
	sigset_t set, old;
	int delay = 1, unreachable, r, sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (;;) {
		if ((r = store_open_cfg_ex(cfg, 0, st, &unreachable, errp)) == 0 || !unreachable)
			break;
		log_warnx("%s; next try in %d s", *errp, delay);
		free(*errp);
		*errp = NULL;
		struct timespec ts = { delay, 0 };
		if ((sig = sigtimedwait(&set, NULL, &ts)) == SIGTERM || sig == SIGINT) {
			log_info("stopped (signal %d) while waiting for the ledger", sig);
			r = 1;
			break;
		}
		if (sig != SIGHUP)
			delay = delay * 2 > LEDGER_WAIT_MAX ? LEDGER_WAIT_MAX : delay * 2;
	}
	/* a stop that came while the last try ran is honoured, not lost */
	if (r == 0 && ((sig = sigtimedwait(&set, NULL, &zero)) == SIGTERM || sig == SIGINT)) {
		log_info("stopped (signal %d) as the ledger opened", sig);
		store_close(*st);
		*st = NULL;
		r = 1;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* watch's SIGHUP reload: the same loader as at the start */
static int
reload(void *arg, struct config *cfg, struct ruleset **rs)
{
	return load_config_and_rules(arg, cfg, rs, RULES_MODE_BATCH);
}

int
cmd_watch(struct globals *g, int argc, char **argv)
{
	static const struct option lo[] = { { "once", no_argument, NULL, 'o' },
					    { "dry-run", no_argument, NULL, 'n' },
					    { NULL, 0, NULL, 0 } };
	int once = 0, dry = 0, ch, r, failed = 0;
	struct config cfg;
	struct ruleset *rs;
	struct store *st = NULL;
	char *err = NULL;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'o')
			once = 1;
		else if (ch == 'n')
			dry = 1;
		else
			return EXIT_USAGE;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: dcvmail watch [--once] [--dry-run]\n");
		return EXIT_USAGE;
	}
	if ((r = load_config_and_rules(g, &cfg, &rs, RULES_MODE_BATCH)) != 0)
		return r;
	if ((cfg.nmailboxes == 0 && (once || !cfg.pipe_server)) || watch_preflight(&cfg) == -1) {
		if (cfg.nmailboxes == 0)
			fprintf(stderr, "%s: no mailbox blocks%s in the configuration\n", log_prefix(),
				once ? "" : " and no pipe-server");
		rules_free(rs);
		config_free(&cfg);
		return EXIT_CONFIG;
	}
	if (!once)
		log_init("dcvmail",
			 cfg.log_syslog ? (isatty(STDERR_FILENO) ? LOG_TO_BOTH : LOG_TO_SYSLOG) : LOG_TO_STDERR,
			 g->verbose);
	if (!once && !dry && cfg.ledger_url != NULL)
		r = open_ledger_waiting(&cfg, &st, &err);
	else
		r = store_open_cfg(&cfg, dry ? STORE_RDONLY : 0, &st, &err);
	if (r == 1) {
		rules_free(rs);
		config_free(&cfg);
		return 0;
	}
	if (r == -1) {
		if (!dry) {
			fprintf(stderr, "%s: %s\n", log_prefix(), err);
			free(err);
			rules_free(rs);
			config_free(&cfg);
			return EXIT_CANTCREAT;
		}
		free(err);
		err = NULL;
		st = NULL;
	}
	if (!once)
		return watch_run(reload, g, &cfg, rs, st, dry);
	struct process_ctx ctx = { &cfg, rs, st, dry, NULL };
	for (size_t i = 0; i < cfg.nmailboxes; i++) {
		struct imap_stats s;
		if (imap_pass_run(&cfg.mailboxes[i], &ctx, stdout, &s, &err) == -1) {
			fprintf(stderr, "%s: %s\n", log_prefix(), err);
			free(err);
			err = NULL;
			failed++;
		}
		printf("%s: %zu new message%s%s\n", cfg.mailboxes[i].name, s.messages, s.messages == 1 ? "" : "s",
		       dry ? " (dry run, nothing recorded)" : "");
	}
	if (!dry && st) {
		struct action_ctx ax = { &cfg, rs, st, 0, 0 };
		if (outbox_alerts(&ax, time(NULL), &err) == -1 || outbox_run(&ax, &err) == -1) {
			fprintf(stderr, "%s: outbox: %s\n", log_prefix(), err);
			free(err);
		}
	}
	store_close(st);
	rules_free(rs);
	config_free(&cfg);
	return failed ? EXIT_TEMPFAIL : 0;
}
