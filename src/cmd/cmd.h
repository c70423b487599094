/* cmd.h — subcommands; each lives in src/cmd-NAME.c. */
#ifndef DCVMAIL_CMD_H
#define DCVMAIL_CMD_H

#include <stdint.h>
#include "config.h"

/* Global options parsed by main before the subcommand. */
struct globals {
	const char *config_path; /* -c */
	const char *state_dir;	 /* -d */
	const char *argv0;
	int argc; /* h-deploy: the whole command line, for messages */
	char **argv;
	int verbose;
	int check_only; /* -n */
};

typedef int (*cmd_fn)(struct globals *, int argc, char **argv);

int cmd_check(struct globals *, int, char **);
int cmd_pipe(struct globals *, int, char **);
int cmd_rules(struct globals *, int, char **);
int cmd_list(struct globals *, int, char **);
int cmd_show(struct globals *, int, char **);
int cmd_expect(struct globals *, int, char **);
int cmd_report(struct globals *, int, char **);
int cmd_outbox(struct globals *, int, char **);
int cmd_watch(struct globals *, int, char **);
int cmd_approve(struct globals *, int, char **);
int cmd_reject(struct globals *, int, char **);
int cmd_dns(struct globals *, int, char **);
int cmd_orders(struct globals *, int, char **);
int cmd_done(struct globals *, int, char **);
int cmd_cancel(struct globals *, int, char **);
int cmd_prune(struct globals *, int, char **);	/* h-cli: cmd-housekeeping.c */
int cmd_backup(struct globals *, int, char **); /* h-cli: cmd-housekeeping.c */
int cmd_ledger(struct globals *, int, char **); /* h-pg: ledger copy */
int cmd_oauth(struct globals *, int, char **);	/* h-oauth: oauth login|test NAME */

/* Shared by commands: load config and rules, exit code on failure (78). */
struct ruleset;
int load_config_and_rules(struct globals *, struct config *, struct ruleset **, int mode);
/* Ledger commands: open the configured ledger (exit code on failure);
 * print err (freed), close, return rc; a request id from text (-1: not one). */
struct store;
int cmd_open_ledger(struct globals *, struct config *, int flags, struct store **);
int cmd_finish(struct config *, struct store *, int rc, char *err);
int cmd_parse_id(const char *, int64_t *);
/* Who is deciding, for the ledger: the login name behind sudo (SUDO_USER,
 * when it names a user), else the session's login name (getlogin), else the
 * passwd name of the real uid; "uid N" only for a uid without a name. */
const char *cmd_login_name(char *buf, size_t len);
/* rules_diag_fn that prints "file:line:col: message" to stderr (and syslog
 * when the log goes there: log_diag) */
void print_rules_diag(void *arg, const char *file, int line, int col, const char *msg);
/* h-deploy: -n's warning about a trust-authserv-id no pipe mail carried */
void cmd_hint_trust(const struct config *);
/* h-cli: print_rules_diag, but an error about a directory of rules-dir
 * names the config line that set it (arg: the struct config) */
void config_rules_diag(void *arg, const char *file, int line, int col, const char *msg);
/* h-cli: dcvmail -n (cmd-confcheck.c) */
int cmd_config_check(struct globals *);
/* h-pg: -n with a PostgreSQL ledger: connect, say the server, TLS and schema
 * version; 0, or 75 when it cannot be reached */
int cmd_check_ledger(const struct config *);
/* config_setup's: errors through print_rules_diag, the outbox's action kinds */
extern const struct config_ops cmd_config_ops;

#endif
