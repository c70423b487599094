/* config.h — the one config file (dcvmail.conf(5)). */
#ifndef DCVMAIL_CONFIG_H
#define DCVMAIL_CONFIG_H

#include <stddef.h>
#include <stdio.h>
#include "base/limits.h"
#include "base/util.h"

enum mbox_role { ROLE_NONE = 0, ROLE_WHOIS, ROLE_TXT, ROLE_CONSTRUCTED, ROLE_APPROVER, ROLE_EV_CONTACT };
const char *role_name(enum mbox_role);
int role_from_name(const char *, enum mbox_role *);

/* role whois ADDRESS...  (an address "admin@" matches that local part at any domain) */
struct role_map {
	enum mbox_role role;
	struct strv addrs;
};

/* order-overdue STEP HOURS [CA...]: a step of an order (dcv, intent,
 * documents, issuance) still open that long after it was asked (issuance:
 * after its last step was done) is overdue; no CA: every CA. */
struct overdue_cfg {
	char *step;
	int hours;
	struct strv cas;
};
enum mbox_auth { AUTH_PASSWORD = 0, AUTH_XOAUTH2, AUTH_OAUTHBEARER };

/* h-oauth: oauth NAME { ... }: where OAuth 2.0 access tokens come from (the
 * token source of outbox/oauth.h), named by a mailbox's (or the smtp
 * block's) "oauth NAME". The presets (provider) fill what is not given at
 * load time; the files are read when a token is needed. */
enum oauth_provider { OAUTH_PROVIDER_NONE = 0, OAUTH_MICROSOFT, OAUTH_GOOGLE };
enum oauth_grant {
	OAUTH_GRANT_NONE = 0,
	OAUTH_REFRESH_TOKEN,
	OAUTH_CLIENT_CREDENTIALS,
	OAUTH_JWT_BEARER,
	OAUTH_COMMAND
};
struct oauth_cfg {
	char *name;
	enum oauth_provider provider;
	enum oauth_grant grant;
	char *token_endpoint;  /* https:// (presets: the provider's) */
	char *device_endpoint; /* RFC 8628, for dcvmail oauth login */
	char *tenant;	       /* microsoft: the directory (tenant) id or domain */
	char *client_id;
	char *client_secret_file;   /* 0600 */
	char *client_certificate;   /* PEM: its key signs the client assertion (RFC 7523) */
	char *client_key;	    /* PEM private key, 0600 */
	char *refresh_token_file;   /* 0600; rewritten atomically when the provider rotates it */
	char *service_account_file; /* Google's JSON key, 0600 */
	char *subject;		    /* jwt-bearer sub; default: the mailbox's user */
	struct strv scope;
	struct strv token_command; /* grant command: PROGRAM ARG... */
	char *ca_file;		   /* trust anchors for the endpoints; default the system store */
	int timeout;		   /* seconds per request; default 30 */
	const char *file;
	int line;
};
const char *oauth_grant_name(enum oauth_grant);

struct mailbox_cfg {
	char *name;
	char *url; /* imaps://host[:port]/FOLDER or imap://... (STARTTLS required) */
	char *user;
	char *password_file;
	enum mbox_auth auth;		   /* h-oauth: auth password|xoauth2|oauthbearer */
	struct strv token_command;	   /* h-oauth: PROGRAM ARG... printing the access token */
	int token_command_line;		   /* where token-command was set, for -n */
	char *oauth;			   /* h-oauth: oauth NAME (the block), or NULL */
	const struct oauth_cfg *oauth_cfg; /* that block, once loaded */
	enum mbox_role role;
	char *move_to;			/* folder for processed mail, or NULL */
	char *ca_file;			/* trust anchors for this server, or NULL: system store */
	int insecure_plaintext;		/* only honoured for loopback hosts */
	int poll_interval;		/* seconds, when IDLE is missing or off; default 60 */
	int idle;			/* use IDLE when the server offers it; default yes */
	int idle_refresh;		/* seconds before IDLE is renewed; default 1500 (RFC 2177: < 29 min) */
	int reconnect_max;		/* seconds, cap of the reconnect backoff; default 300 */
	int timeout;			/* seconds for each network operation; default 60 */
	struct strv trust_authserv_ids; /* A-R ids the provider writes and strips forgeries of; empty: none */
	const char *file;
	int line;
};

struct smtp_cfg {
	char *url; /* smtp://host:port (STARTTLS if offered... see man), submission://, smtps:// */
	char *user;
	char *password_file;
	enum mbox_auth auth;		   /* h-smtpauth: auth password|xoauth2|oauthbearer, as a mailbox's */
	struct strv token_command;	   /* h-smtpauth: PROGRAM ARG... printing the access token */
	int token_command_line;		   /* where token-command was set, for -n */
	char *oauth;			   /* oauth NAME: the token source block, or NULL */
	const struct oauth_cfg *oauth_cfg; /* that block, once loaded */
	char *from;			   /* envelope and header From of forwarded mail */
	char *helo;
	char *ca_file;
	int require_tls; /* default yes unless loopback */
	int timeout;
	int line; /* where the block starts, for errors */
};

/* What a route block knows of an action kind: its keyword, how many targets
 * it takes, what else the configuration must hold for it. The kinds are the
 * outbox's (struct action_def in outbox/action.h, whose first member this
 * is); config_load is handed them (struct config_ops) and names none. */
enum {
	ACTION_IN_ROUTES = 1,		/* a route keyword (flag is not) */
	ACTION_NEEDS_SMTP = 2,		/* "route forwards mail but there is no smtp block" */
	ACTION_NEEDS_NOTIFY_SECRET = 4, /* "route notifies but notify-secret-file is not set" */
	ACTION_HTTPS_TARGETS = 8,	/* every target is an https:// URL */
};
struct action_kind {
	const char *name;
	unsigned flags;
	int min_targets, max_targets; /* -1: any number */
};
struct route_action {
	const struct action_kind *kind;
	struct strv targets; /* addresses or URLs; empty for approve */
};
struct route_cfg {
	struct strv types;   /* empty: any */
	struct strv cas;     /* empty: any */
	struct strv domains; /* suffixes; empty: any */
	struct strv roles;   /* empty: any */
	struct route_action *actions;
	size_t nactions;
	int is_default;
	const char *file;
	int line;
};

#define DIGEST_AT_DEFAULT (9 * 60) /* digest 09:00 */

struct config {
	char *path; /* file it came from, NULL for built-in defaults */
	char *state_dir;
	int state_dir_line; /* h-cli: where state-dir was set (0: not by the file) */
	char *rules_dir;
	int rules_dir_line; /* h-cli: where rules-dir was set (0: not by the file), for its errors */
	char *hostname;
	int log_syslog; /* default yes */

	struct msg_limits limits;
	long long regex_match_limit; /* default 100000 */
	long long regex_depth_limit; /* default 10000 */

	struct strv trust_authserv_ids; /* believed for the pipe intake (and check with check_trust_ar) */
	int check_trust_ar;		/* check-trust-authserv-id: check believes them in files too */
	int verify_dkim;
	char *dns_server; /* "127.0.0.1:5353" for tests; NULL: system resolver */

	struct role_map *roles;
	size_t nroles;

	struct overdue_cfg *overdue; /* later lines win */
	size_t noverdue;

	struct mailbox_cfg *mailboxes;
	size_t nmailboxes;
	struct oauth_cfg *oauths; /* h-oauth: the oauth NAME { } blocks */
	size_t noauths;

	struct smtp_cfg smtp;
	int have_smtp;

	char *notify_secret_file;
	int notify_secret_line; /* where it was set, for -n */
	int notify_timeout;	/* seconds, default 10 */
	char *https_ca_file;	/* extra trust anchors for notify/approve (tests) */

	/* h-pg: `ledger postgresql://...` (NULL: the SQLite ledger in state_dir)
	 * and the file holding its password (or libpq's PGPASSFILE) */
	char *ledger_url;
	char *ledger_password_file;
	int ledger_line;

	struct strv auto_approve_cas; /* CAs for which auto-approve is on; empty: none */
	int approve_ev;		      /* allow ev-intent auto-approval */
	int approve_timeout;	      /* seconds, default 20 */

	struct route_cfg *routes;
	size_t nroutes;

	int pending_alert_hours;    /* default 48 */
	int pending_alert_mail;	    /* h-alert: mail an alert to the forward's recipients then; default yes */
	int digest_at;		    /* h-alert: minutes after local midnight of the daily digest; -1: off */
	int action_retry_max_hours; /* give up after, default 24 */
	int pipe_action_deadline;   /* seconds for inline actions in pipe mode, default 20 */
	int pipe_server;	    /* watch answers dcvmail-pipe on STATE_DIR/pipe.sock */
	int pipe_server_timeout;    /* seconds a client may take to send its message, default 30 */

	/* internal: arena of file-name strings for diagnostics */
	struct strv files;
};

/* What config_load is handed: where errors go (the signature of
 * rules_diag_fn, col always 0; diag NULL: "file:line: message" on stderr)
 * and the action kinds a route may name (action_at(i), NULL past the end;
 * NULL: none). */
typedef void (*config_diag_fn)(void *arg, const char *file, int line, int col, const char *msg);
struct config_ops {
	config_diag_fn diag;
	void *arg;
	const struct action_kind *(*action_at)(size_t i);
	/* the smtp and mailbox URLs are not parsed (commands that only read the
	 * ledger: parsing them loads libcurl, issue 19); those that connect and
	 * `dcvmail -n` check them */
	int defer_server_urls;
};

/* Defaults only (no file). */
void config_defaults(struct config *);
/* Load path. Errors go to ops->diag (file, line, message); returns the
 * number of errors (0: cfg filled). Missing file: -1 with errno ENOENT. */
int config_load(const char *path, struct config *cfg, const struct config_ops *ops);
void config_free(struct config *);

/* Resolve paths per DESIGN.md 8: -d/-c options, DCVMAIL_STATE_DIR / DCVMAIL_CONFIG,
 * config, defaults. rules_dir: config, DCVMAIL_RULES_DIR, ./rules beside the binary,
 * SYSCONFDIR/dcvmail/rules. Returns 0, or an exit code (78) after reporting the
 * error (the file's through ops->diag, the others through log_warnx). */
int config_setup(struct config *cfg, const char *opt_config, const char *opt_state_dir, const char *argv0,
		 const struct config_ops *ops);

/* dcvmail -n -v: every keyword of dcvmail.conf, one a line (block, keyword,
 * what it takes), from the table config_load searches. */
void config_keywords(FILE *out, const struct config_ops *ops);
/* The keyword table is sorted (block, keyword) as bsearch needs: 0, or -1
 * with the first pair out of order in *a, *b (for the unit test). */
int config_keywords_sorted(const char **a, const char **b);

/* Role of an envelope recipient; ROLE_NONE if it matches nothing. */
enum mbox_role config_role_for(const struct config *, const char *address);

/* dcvmail -n: every secret file the configuration names (password files,
 * notify-secret-file) is a regular file readable by its owner only. Prints
 * each problem (file, line, path, mode, the fix) to out and returns their
 * number; a missing or unreadable file is printed as a warning only. */
int config_check_secrets(const struct config *, FILE *out);

/* h-cli: the same for the user uid that dcvmail runs as (named user in
 * messages): each file must also be there and owned by uid. */
int config_check_secrets_as(const struct config *, unsigned uid, const char *user, FILE *out);

/* h-cli: dcvmail -n -v: the effective configuration in dcvmail.conf syntax,
 * every setting with its value (defaults marked "# default"), URLs without
 * user-info. */
void config_print(FILE *out, const struct config *, const struct config_ops *ops);
/* dcvmail -n: every token-command's program can be found and run. Prints
 * each problem (file, line, program, cause) to out; returns their number. */
int config_check_programs(const struct config *, FILE *out);

/* h-oauth: the oauth block called name, or NULL. */
const struct oauth_cfg *config_oauth(const struct config *, const char *name);

/* Read a secret file; refuses group/other-readable files. Trailing newline stripped.
 * Returns NULL with *errp set ("file: readable by others; chmod 600 file"). */
char *config_read_secret(const char *path, char **errp);

/* How many hours a step of an order of ca may stay open before it is
 * overdue: the last matching order-overdue line, else the default (dcv 48,
 * intent 72, documents 72, issuance 168). */
int config_overdue_hours(const struct config *, const char *ca, const char *step);

#endif
