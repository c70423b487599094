/* main.c — global options and command dispatch only. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "base/log.h"
#include "base/util.h"

static const struct command {
	const char *name;
	cmd_fn fn;
	const char *usage;
} commands[] = {
	{ "check", cmd_check,
	  "check [--dry-run] [--json] [-q] PATH...   classify (and record) files, Maildirs, mboxes, - for stdin" },
	{ "pipe", cmd_pipe,
	  "pipe [-f SENDER] [-r RCPT] [-o ORIG_RCPT] [--dry-run]   one message on stdin (Postfix pipe(8))" },
	{ "watch", cmd_watch,
	  "watch [--once] [--dry-run]   watch the configured IMAP mailboxes (IDLE); --once: one pass" },
	{ "rules", cmd_rules, "rules lint [DIR] | test FILE.eml | list   the rule files" },
	{ "list", cmd_list, "list [--pending] [--json]   recorded requests" },
	{ "show", cmd_show, "show [--json] ID   one request, its copies, messages and actions" },
	{ "expect", cmd_expect,
	  "expect add --ca CA --domain D [--include-subdomains] [--order N] [--until DATE] | list | rm ID" },
	{ "approve", cmd_approve,
	  "approve ID [--note TEXT] [--dry-run | --record-only]   a person approves: follow the link (guarded)" },
	{ "reject", cmd_reject, "reject ID [--note TEXT]   record that a person rejected a request" },
	{ "outbox", cmd_outbox,
	  "outbox [--dry-run]   run the queued actions that are due (forward, redirect, notify, approve)" },
	{ "dns", cmd_dns,
	  "dns [--json] DOMAIN...   the DNS contacts a CA may write to, and whether dcvmail watches them" },
	{ "report", cmd_report, "report [--json]   per domain: last approval, reuse deadline, pending" },
	{ "ledger", cmd_ledger,
	  "ledger copy STATE_DIR postgresql://...   a SQLite ledger and archive into PostgreSQL" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: dcvmail [-v] [-n] [-c CONFIG] [-d STATE_DIR] COMMAND [ARGS]\n\n"
		   "Records and forwards the mail Certificate Authorities send to validate a\n"
		   "certificate order, and checks every approval guardrail.\n\ncommands:\n");
	for (size_t i = 0; i < nitems(commands); i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f,
		"\noptions:\n"
		"  -c CONFIG     config file (default $DCVMAIL_CONFIG, else %s/dcvmail/dcvmail.conf)\n"
		"  -d STATE_DIR  ledger and archive (default $DCVMAIL_STATE_DIR, else the config's\n"
		"                state-dir, else /var/lib/dcvmail)\n"
		"  -n            check the config (and its secret files' modes) and rules, then exit\n"
		"                (with -v: list every config keyword first)\n"
		"  -v            more output (debug)\n"
		"  -h, --help    this text;  -V, --version  the version\n\n"
		"See dcvmail(8), dcvmail.conf(5), dcvmail.rules(5).\n",
		DCVMAIL_SYSCONFDIR);
}

int
main(int argc, char **argv)
{
	struct globals g;
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(&g, 0, sizeof(g));
	g.argv0 = argv[0];
	log_init("dcvmail", LOG_TO_STDERR, 0);
	while ((ch = getopt_long(argc, argv, "+c:d:nvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': g.config_path = optarg; break;
		case 'd': g.state_dir = optarg; break;
		case 'n': g.check_only = 1; break;
		case 'v': g.verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("dcvmail %s\n", DCVMAIL_VERSION); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	log_init("dcvmail", LOG_TO_STDERR, g.verbose);
	if (g.check_only && argc == 0)
		return cmd_rules(&g, 0, argv);
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < nitems(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0) {
			optind = 0; /* commands parse their own options (anywhere: getopt starts afresh) */
			return commands[i].fn(&g, argc, argv);
		}
	fprintf(stderr, "dcvmail: unknown command '%s' (try dcvmail --help)\n", argv[0]);
	return EXIT_USAGE;
}
