/* cmd-pipe.c — `dcvmail pipe`: its options; the intake is intake-pipe.c.
 * Every failure, a wrong argument too, ends in exit 75 with a first output
 * line "4.3.0 <reason>": Postfix defers, never bounces. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "base/dl.h"
#include "base/log.h"
#include "intake/pipe.h"
#include "intake/pipe-proto.h"
#include "base/util.h"

/* A library loaded on first need (base/dl.h) that cannot be: the message
 * is deferred with the reason on the line Postfix shows (exit 75). */
static const char *fail_qid;
static void
lib_failed(const char *err)
{
	exit(pipe_fail(fail_qid, err));
}

static int
usage(void)
{
	fprintf(stdout, "4.3.0 usage: dcvmail pipe [-f SENDER] [-r RECIPIENT] [-o ORIGINAL_RECIPIENT] [-q QUEUE_ID]"
			" [--dry-run]\n");
	return EXIT_TEMPFAIL; /* a wrong master.cf line must defer, not bounce */
}

int
cmd_pipe(struct globals *g, int argc, char **argv)
{
	static const struct option lo[] = { { "dry-run", no_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	struct pipe_request env = { .run_actions = 1 };
	int ch, rc;
	struct config cfg;
	struct ruleset *rs = NULL;

	pipe_guard();
	while ((ch = getopt_long(argc, argv, "f:r:o:q:", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': env.sender = optarg; break;
		case 'r': env.rcpt = optarg; break;
		case 'o': env.orig = optarg; break;
		case 'q': /* ${queue_id}: the log lines start with it; "" as if absent */
			if (*optarg && !pipe_proto_queue_id_ok(optarg))
				return usage();
			env.queue_id = *optarg ? optarg : NULL;
			break;
		case 'n': env.dry_run = 1; break;
		default: return usage();
		}
	}
	if (optind != argc)
		return usage();
	/* config errors go to the mail log (and to stderr for the admin running
	 * it by hand) before the config could say otherwise, and the first of
	 * them is the one-line deferral for Postfix (h-cli) */
	char first[1024];
	log_init("dcvmail", isatty(STDERR_FILENO) ? LOG_TO_BOTH : LOG_TO_SYSLOG, g->verbose);
	log_capture_first(first, sizeof(first));
	rc = load_config_and_rules(g, &cfg, &rs, RULES_MODE_SINGLE);
	log_capture_first(NULL, 0);
	if (rc != 0)
		return pipe_fail(env.queue_id, first[0] ? first : "dcvmail configuration or rules are broken");
	log_init("dcvmail", cfg.log_syslog ? (isatty(STDERR_FILENO) ? LOG_TO_BOTH : LOG_TO_SYSLOG) : LOG_TO_STDERR,
		 g->verbose);
	fail_qid = env.queue_id;
	lib_set_fail_hook(lib_failed);
	rc = pipe_intake(STDIN_FILENO, &env, &cfg, rs);
	rules_free(rs);
	config_free(&cfg);
	return rc;
}
