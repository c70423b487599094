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
	  "check [--dry-run] [--json] [--stats] [-q] PATH...   classify (and record) files, Maildirs, mboxes, - for "
	  "stdin; --stats: per-CA recognition figures" },
	{ "pipe", cmd_pipe,
	  "pipe [-f SENDER] [-r RCPT] [-o ORIG_RCPT] [-q QUEUE_ID] [--dry-run]   one message on stdin (Postfix "
	  "pipe(8))" },
	{ "watch", cmd_watch,
	  "watch [--once] [--dry-run]   watch the configured IMAP mailboxes (IDLE); --once: one pass" },
	{ "rules", cmd_rules,
	  "rules lint [DIR] | test [-r ROLE] FILE.eml... | list   the rule files; test: the rule trace and the "
	  "whole judgement" },
	{ "list", cmd_list, "list [--pending] [--json]   recorded requests" },
	{ "show", cmd_show, "show [--json] ID   one request, its copies, messages and actions" },
	{ "expect", cmd_expect,
	  "expect add --ca CA --domain D [--include-subdomains] [--order N] [--until DATE] | list | rm ID" },
	{ "approve", cmd_approve,
	  "approve ID [--note TEXT] [--dry-run | --record-only]   a person approves: follow the link (guarded)" },
	{ "reject", cmd_reject, "reject ID [--note TEXT]   record that a person rejected a request" },
	{ "orders", cmd_orders,
	  "orders [--all] [--json] [ORDER]   what each certificate order still waits for, and its history" },
	{ "done", cmd_done,
	  "done ORDER STEP [--note TEXT] [--not-needed]   a step done outside mail (intent by phone...)" },
	{ "cancel", cmd_cancel, "cancel ORDER [--note TEXT]   record that an order was cancelled" },
	{ "outbox", cmd_outbox,
	  "outbox [--dry-run]   queue the due pending alerts and daily digests, run the queued actions that are "
	  "due (forward, redirect, notify, approve, alert, digest)" },
	{ "dns", cmd_dns,
	  "dns [--json] DOMAIN...   the DNS contacts a CA may write to, and whether dcvmail watches them" },
	{ "report", cmd_report,
	  "report [--json | --check] [--prometheus PATH] [--sunset [--dns]]   per domain: reuse deadline, pending; "
	  "monitoring" },
	{ "prune", cmd_prune,
	  "prune --older-than DAYS [--dry-run]   remove closed requests and archived mail past that age" },
	{ "backup", cmd_backup, "backup FILE   a consistent copy of the ledger (SQLite online backup), mode 0600" },
	{ "oauth", cmd_oauth,
	  "oauth login|test NAME   an oauth block: sign in on another device for a refresh token (login), "
	  "or get a token and log in to its mailboxes (test)" },
	{ "ledger", cmd_ledger,
	  "ledger copy STATE_DIR postgresql://...   a SQLite ledger and archive into PostgreSQL" },
};

/* The man page of a command (dcvmail(8) for those without their own). */
static const char *
command_page(const char *name)
{
	static const char *const own[][2] = {
		{ "list", "dcvmail-list" },   { "show", "dcvmail-list" },   { "report", "dcvmail-list" },
		{ "expect", "dcvmail-list" }, { "rules", "dcvmail-rules" }, { "watch", "dcvmail-watch" },
		{ "pipe", "dcvmail-pipe" },
	};

	for (size_t i = 0; i < nitems(own); i++)
		if (!strcmp(own[i][0], name))
			return own[i][1];
	return "dcvmail";
}

/* dcvmail COMMAND --help: the command's line of the table, on stdout. */
static int
command_help(const struct command *c)
{
	const char *sep = strstr(c->usage, "   ");

	if (sep == NULL)
		printf("usage: dcvmail %s\n", c->usage);
	else
		printf("usage: dcvmail %.*s\n  %s\n", (int)(sep - c->usage), c->usage, sep + strspn(sep, " "));
	printf("See %s(8).\n", command_page(c->name));
	return 0;
}

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
		"  -n            check the config, its URLs, secret files, the state directory and\n"
		"                the rules as start-up would, then exit (with -v: print the effective\n"
		"                configuration; -v -v: every config keyword too)\n"
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
	g.argc = argc;
	g.argv = argv;
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
		return cmd_config_check(&g);
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < nitems(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0) {
			optind = 0; /* commands parse their own options (anywhere: getopt starts afresh) */
			log_set_prefix(commands[i].name);
			if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) &&
			    commands[i].fn != cmd_check) /* check has a longer --help of its own */
				return command_help(&commands[i]);
			/* getopt's errors say "dcvmail COMMAND: ...": a copy of the
			 * command's arguments with that as argv[0] (g.argv, the whole
			 * command line, stays as typed for the runuser hint) */
			char **cargv = xreallocarray(NULL, (size_t)argc + 1, sizeof(*cargv));
			memcpy(cargv, argv, ((size_t)argc + 1) * sizeof(*cargv));
			cargv[0] = (char *)log_prefix();
			int rc = commands[i].fn(&g, argc, cargv);
			free(cargv);
			return rc;
		}
	fprintf(stderr, "dcvmail: unknown command '%s' (try dcvmail --help)\n", argv[0]);
	return EXIT_USAGE;
}
