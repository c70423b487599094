/* cmd-outbox.c — `dcvmail outbox [--dry-run]`: queue the pending alerts and
 * daily digests that are due, then run the queued actions that are due. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outbox/action.h"
#include "cmd/cmd.h"
#include "base/log.h"
#include "judge/rules.h"
#include "base/util.h"

int
cmd_outbox(struct globals *g, int argc, char **argv)
{
	struct config cfg;
	struct ruleset *rs;
	struct store *st;
	char *err = NULL;
	int dry = argc == 2 && !strcmp(argv[1], "--dry-run"), r;
	size_t pending = 0;

	signal(SIGPIPE, SIG_IGN); /* a relay or site that resets: EPIPE for the action, not death */

	if (argc > 2 || (argc == 2 && !dry)) {
		fprintf(stderr, "usage: dcvmail outbox [--dry-run]\n");
		return EXIT_USAGE;
	}
	if ((r = load_config_and_rules(g, &cfg, &rs, RULES_MODE_BATCH)) != 0)
		return r;
	if (store_open_cfg(&cfg, 0, &st, &err) == -1) {
		fprintf(stderr, "%s: %s\n", log_prefix(), err);
		free(err);
		rules_free(rs);
		config_free(&cfg);
		return EXIT_CANTCREAT;
	}
	struct action_ctx ax = { &cfg, rs, st, dry, 0 };
	r = outbox_alerts(&ax, time(NULL), &err) == -1 ? -1 : outbox_run(&ax, &err);
	if (r == -1)
		fprintf(stderr, "%s: %s\n", log_prefix(), err);
	else if (store_outbox_pending(st, &pending, &err) == 0)
		printf("%d action%s run%s; %zu queued\n", r, r == 1 ? "" : "s", dry ? " (dry run: none)" : "", pending);
	free(err);
	err = NULL;
	/* the pipe processes leave the WAL to the timed outbox run (and the watcher) */
	if (!dry && store_checkpoint(st, 1, &err) == -1) {
		fprintf(stderr, "dcvmail: %s\n", err);
		free(err);
	}
	store_close(st);
	rules_free(rs);
	config_free(&cfg);
	return r == -1 ? EXIT_TEMPFAIL : 0;
}
