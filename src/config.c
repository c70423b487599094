/* config.c — dcvmail.conf(5): line-oriented "keyword args...", blocks in braces. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config-int.h"
#include "base/dns.h"
#include "base/mail-url.h"
#include "base/smtp-url.h"
#include "base/token-cmd.h"
#include "base/log.h"
#include "base/util.h"

static const char *const role_names[] = {
	[ROLE_NONE] = "none",	      [ROLE_WHOIS] = "whois",
	[ROLE_TXT] = "txt",	      [ROLE_CONSTRUCTED] = "constructed",
	[ROLE_APPROVER] = "approver", [ROLE_EV_CONTACT] = "ev-contact",
};

const char *
role_name(enum mbox_role r)
{
	return (unsigned)r < nitems(role_names) ? role_names[r] : "none";
}

int
role_from_name(const char *s, enum mbox_role *out)
{
	for (size_t i = 1; i < nitems(role_names); i++)
		if (strcasecmp(s, role_names[i]) == 0) {
			*out = (enum mbox_role)i;
			return 0;
		}
	return -1;
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	msg_limits_default(&c->limits);
	c->log_syslog = 1;
	c->regex_match_limit = 100000;
	c->regex_depth_limit = 10000;
	c->notify_timeout = 10;
	c->approve_timeout = 20;
	c->pending_alert_hours = 48;
	c->pending_alert_mail = 1;
	c->digest_at = DIGEST_AT_DEFAULT;
	c->action_retry_max_hours = 24;
	c->pipe_action_deadline = 20;
	c->pipe_server_timeout = 30;
	c->smtp.timeout = 30;
	c->smtp.require_tls = -1; /* decided by host: loopback may be plain */
}

#define perr config_perr
#define want_args config_want_args

void
config_perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* a URL's user:password never reaches the terminal or a log */
	if (p->ops && p->ops->diag)
		p->ops->diag(p->ops->arg, p->file, p->line, 0, redact_userinfo(msg));
	else
		fprintf(stderr, "%s:%d: %s\n", p->file, p->line, redact_userinfo(msg));
	free(msg);
	p->errors++;
}

/* The i-th action kind config_load was handed; NULL past the end. */
static const struct action_kind *
action_kind(const struct config_ops *ops, size_t i)
{
	return ops && ops->action_at ? ops->action_at(i) : NULL;
}

/* Split line into words; "double quotes" group, # starts a comment. */
static int
tokenize(struct parser *p, char *s)
{
	char *w;

	p->argc = 0;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0' || *s == '#')
			return 0;
		if (p->argc == MAX_ARGS) {
			perr(p, "too many words on one line (at most %d)", MAX_ARGS);
			return -1;
		}
		if (*s == '"') {
			w = ++s;
			while (*s && *s != '"')
				s++;
			if (*s != '"') {
				perr(p, "unterminated quoted string");
				return -1;
			}
			*s++ = '\0';
		} else {
			w = s;
			while (*s && !isspace((unsigned char)*s))
				s++;
			if (*s)
				*s++ = '\0';
		}
		p->argv[p->argc++] = w;
	}
}

int
want_args(struct parser *p, int min, int max)
{
	int n = p->argc - 1;

	if (n < min || (max >= 0 && n > max)) {
		if (min == max)
			perr(p, "'%s' takes %d argument%s", p->argv[0], min, min == 1 ? "" : "s");
		else if (max < 0)
			perr(p, "'%s' takes at least %d argument%s", p->argv[0], min, min == 1 ? "" : "s");
		else
			perr(p, "'%s' takes %d to %d arguments", p->argv[0], min, max);
		return -1;
	}
	return 0;
}

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

static int
parse_bool(struct parser *p, const char *s, int *out)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "on") || !strcmp(s, "1") || !strcasecmp(s, "true"))
		*out = 1;
	else if (!strcasecmp(s, "no") || !strcasecmp(s, "off") || !strcmp(s, "0") || !strcasecmp(s, "false"))
		*out = 0;
	else {
		perr(p, "'%s' wants yes or no, not '%s'", p->argv[0], s);
		return -1;
	}
	return 0;
}

static int
parse_int(struct parser *p, const char *s, long min, long max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		perr(p, "'%s' wants a number from %ld to %ld, not '%s'", p->argv[0], min, max, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int
is_block_open(struct parser *p)
{
	if (p->argc > 1 && strcmp(p->argv[p->argc - 1], "{") == 0) {
		p->argc--;
		return 1;
	}
	return 0;
}

/* --- blocks --- */

const char *const config_block_names[] = { "top", "mailbox", "smtp", "route", "oauth" };

static void
add_words(struct parser *p, struct strv *sv)
{
	for (int i = 1; i < p->argc; i++)
		strv_add(sv, p->argv[i]);
}

/* mailbox { role ROLE } */
static void
kw_mailbox_role(struct parser *p, void *obj)
{
	struct mailbox_cfg *m = obj;

	if (want_args(p, 1, 1) == -1)
		return;
	if (role_from_name(p->argv[1], &m->role) == -1)
		perr(p, "unknown role '%s' (whois, txt, constructed, approver, ev-contact)", p->argv[1]);
}

/* h-oauth: mailbox { auth password|xoauth2|oauthbearer } */
static void
kw_mailbox_auth(struct parser *p, void *obj)
{
	struct mailbox_cfg *m = obj;

	if (want_args(p, 1, 1) == -1)
		return;
	if (!strcasecmp(p->argv[1], "password"))
		m->auth = AUTH_PASSWORD;
	else if (!strcasecmp(p->argv[1], "xoauth2"))
		m->auth = AUTH_XOAUTH2;
	else if (!strcasecmp(p->argv[1], "oauthbearer"))
		m->auth = AUTH_OAUTHBEARER;
	else
		perr(p, "unknown auth '%s' (password, xoauth2, oauthbearer)", p->argv[1]);
}

/* h-oauth: mailbox { token-command PROGRAM ARG... } */
static void
kw_mailbox_token_command(struct parser *p, void *obj)
{
	struct mailbox_cfg *m = obj;

	if (want_args(p, 1, -1) == -1)
		return;
	strv_free(&m->token_command);
	for (int i = 1; i < p->argc; i++)
		strv_add(&m->token_command, p->argv[i]);
	m->token_command_line = p->line;
}

/* h-smtpauth: smtp { auth password|xoauth2|oauthbearer }, spelt as a mailbox's */
static void
kw_smtp_auth(struct parser *p, void *obj)
{
	struct smtp_cfg *sc = obj;
	struct mailbox_cfg m = { .auth = sc->auth };

	kw_mailbox_auth(p, &m);
	sc->auth = m.auth;
}

/* h-smtpauth: smtp { token-command PROGRAM ARG... } */
static void
kw_smtp_token_command(struct parser *p, void *obj)
{
	struct smtp_cfg *sc = obj;

	if (want_args(p, 1, -1) == -1)
		return;
	strv_free(&sc->token_command);
	for (int i = 1; i < p->argc; i++)
		strv_add(&sc->token_command, p->argv[i]);
	sc->token_command_line = p->line;
}

/* route { type TYPE... } */
static void
kw_route_type(struct parser *p, void *obj)
{
	static const char *const ok[] = { "dcv",    "ev-intent", "documents",  "issued",    "reminder",
					  "notice", "unknown",	 "suspicious", "malformed", "oversized" };
	struct route_cfg *r = obj;

	if (want_args(p, 1, -1) == -1)
		return;
	for (int i = 1; i < p->argc; i++) {
		size_t j;
		for (j = 0; j < nitems(ok); j++)
			if (!strcmp(p->argv[i], ok[j]))
				break;
		if (j == nitems(ok))
			perr(p, "unknown type '%s'", p->argv[i]);
	}
	add_words(p, &r->types);
}

/* route { role ROLE... } */
static void
kw_route_role(struct parser *p, void *obj)
{
	struct route_cfg *r = obj;
	enum mbox_role role;

	if (want_args(p, 1, -1) == -1)
		return;
	for (int i = 1; i < p->argc; i++)
		if (role_from_name(p->argv[i], &role) == -1)
			perr(p, "unknown role '%s'", p->argv[i]);
	add_words(p, &r->roles);
}

/* route { ACTION TARGET... }: an action kind of the outbox (action.h) */
static int
kw_route_action(struct parser *p, struct route_cfg *r)
{
	const struct action_kind *k = NULL;
	struct route_action *a;

	for (size_t i = 0; (k = action_kind(p->ops, i)) != NULL; i++)
		if ((k->flags & ACTION_IN_ROUTES) && !strcmp(k->name, p->argv[0]))
			break;
	if (k == NULL)
		return -1;
	if (want_args(p, k->min_targets, k->max_targets))
		return 0;
	if (k->flags & ACTION_HTTPS_TARGETS)
		for (int i = 1; i < p->argc; i++)
			if (strncasecmp(p->argv[i], "https://", 8) != 0)
				perr(p, "%s URL must be https://, not '%s'", k->name, p->argv[i]);
	r->actions = xreallocarray(r->actions, r->nactions + 1, sizeof(*r->actions));
	a = &r->actions[r->nactions++];
	memset(a, 0, sizeof(*a));
	a->kind = k;
	add_words(p, &a->targets);
	return 0;
}

/* order-overdue STEP HOURS [CA...] */
static void
kw_order_overdue(struct parser *p, void *obj)
{
	static const char *const steps[] = { "dcv", "intent", "documents", "issuance" };
	struct overdue_cfg *o;
	char *end;
	long h;
	size_t i;

	(void)obj;
	if (want_args(p, 2, -1) == -1)
		return;
	for (i = 0; i < nitems(steps); i++)
		if (!strcmp(p->argv[1], steps[i]))
			break;
	if (i == nitems(steps)) {
		perr(p, "unknown order step '%s' (dcv, intent, documents, issuance)", p->argv[1]);
		return;
	}
	h = strtol(p->argv[2], &end, 10);
	if (end == p->argv[2] || *end || h < 1 || h > 24 * 365) {
		perr(p, "order-overdue %s: '%s' is not a number of hours from 1 to 8760", p->argv[1], p->argv[2]);
		return;
	}
	p->cfg->overdue = xreallocarray(p->cfg->overdue, p->cfg->noverdue + 1, sizeof(*p->cfg->overdue));
	o = &p->cfg->overdue[p->cfg->noverdue++];
	memset(o, 0, sizeof(*o));
	o->step = xstrdup(p->argv[1]);
	o->hours = (int)h;
	for (int a = 3; a < p->argc; a++)
		strv_add(&o->cas, p->argv[a]);
}

static void
kw_role(struct parser *p, void *obj)
{
	enum mbox_role role;
	struct role_map *rm;

	(void)obj;
	if (want_args(p, 2, -1) == -1)
		return;
	if (role_from_name(p->argv[1], &role) == -1) {
		perr(p, "unknown role '%s' (whois, txt, constructed, approver, ev-contact)", p->argv[1]);
		return;
	}
	for (int i = 2; i < p->argc; i++)
		if (strchr(p->argv[i], '@') == NULL)
			perr(p, "role address '%s' has no '@' (write 'admin@' for a local part)", p->argv[i]);
	p->cfg->roles = xreallocarray(p->cfg->roles, p->cfg->nroles + 1, sizeof(*p->cfg->roles));
	rm = &p->cfg->roles[p->cfg->nroles++];
	memset(rm, 0, sizeof(*rm));
	rm->role = role;
	for (int i = 2; i < p->argc; i++) {
		strv_add(&rm->addrs, p->argv[i]);
		lowercase(rm->addrs.v[rm->addrs.n - 1]);
	}
}

static void
kw_limit(struct parser *p, void *obj)
{
	struct msg_limits *l = &p->cfg->limits;
	const char *k;
	long long v;

	(void)obj;
	if (want_args(p, 2, 2) == -1)
		return;
	k = p->argv[1];
	v = parse_size(p->argv[2]);
	if (v <= 0 || v > (1LL << 31)) {
		perr(p, "limit %s: bad value '%s'", k, p->argv[2]);
		return;
	}
	if (!strcmp(k, "message-size"))
		l->max_size = (size_t)v;
	else if (!strcmp(k, "mime-depth"))
		l->max_depth = (int)v;
	else if (!strcmp(k, "mime-parts"))
		l->max_parts = (int)v;
	else if (!strcmp(k, "header-count"))
		l->max_headers = (int)v;
	else if (!strcmp(k, "line-length"))
		l->max_line = (size_t)v;
	else if (!strcmp(k, "text-size"))
		l->max_text = (size_t)v;
	else if (!strcmp(k, "links"))
		l->max_links = (int)v;
	else if (!strcmp(k, "regex-match"))
		p->cfg->regex_match_limit = v;
	else if (!strcmp(k, "regex-depth"))
		p->cfg->regex_depth_limit = v;
	else
		perr(p,
		     "unknown limit '%s' (message-size, mime-depth, mime-parts, header-count, "
		     "line-length, text-size, links, regex-match, regex-depth)",
		     k);
}

/* digest HH:MM | off: the local time from which each day's digest of
 * overdue orders goes out (h-alert) */
static void
kw_digest(struct parser *p, void *obj)
{
	const char *v;
	int h, m;

	(void)obj;
	if (want_args(p, 1, 1) == -1)
		return;
	v = p->argv[1];
	if (!strcmp(v, "off") || !strcmp(v, "no")) {
		p->cfg->digest_at = -1;
		return;
	}
	if (strlen(v) == 5 && isdigit((unsigned char)v[0]) && isdigit((unsigned char)v[1]) && v[2] == ':' &&
	    isdigit((unsigned char)v[3]) && isdigit((unsigned char)v[4])) {
		h = (v[0] - '0') * 10 + (v[1] - '0');
		m = (v[3] - '0') * 10 + (v[4] - '0');
	} else
		h = m = -1;
	if (h < 0 || h > 23 || m < 0 || m > 59) {
		perr(p, "digest: '%s' is not a local time HH:MM (00:00 to 23:59) or off", v);
		return;
	}
	p->cfg->digest_at = h * 60 + m;
}

static void
kw_dns_server(struct parser *p, void *obj)
{
	struct sockaddr_in sin;

	(void)obj;
	if (want_args(p, 1, 1) == -1)
		return;
	if (dns_parse_server(p->argv[1], &sin) == -1)
		perr(p, "dns-server: '%s' is not an IPv4 address[:port]", p->argv[1]);
	set_str(&p->cfg->dns_server, p->argv[1]);
}

static void
kw_state_dir(struct parser *p, void *obj)
{
	(void)obj;
	if (want_args(p, 1, 1) == -1)
		return;
	set_str(&p->cfg->state_dir, p->argv[1]);
	p->cfg->state_dir_line = p->line;
}

static void
kw_rules_dir(struct parser *p, void *obj)
{
	(void)obj;
	if (want_args(p, 1, 1) == -1)
		return;
	set_str(&p->cfg->rules_dir, p->argv[1]);
	p->cfg->rules_dir_line = p->line;
}

static void
kw_notify_secret_file(struct parser *p, void *obj)
{
	(void)obj;
	if (want_args(p, 1, 1) == -1)
		return;
	set_str(&p->cfg->notify_secret_file, p->argv[1]);
	p->cfg->notify_secret_line = p->line;
}

/* ledger URL: a PostgreSQL connection URI; the password never in it (nor in
 * a password= parameter): it belongs in ledger-password-file or PGPASSFILE. */
static void
kw_ledger(struct parser *p, void *obj)
{
	const char *u;

	(void)obj;
	if (want_args(p, 1, 1) == -1)
		return;
	u = p->argv[1];
	if (strncmp(u, "postgresql://", 13) && strncmp(u, "postgres://", 11)) {
		perr(p, "ledger: '%s' is not a postgresql:// URL (the SQLite ledger in state-dir is the default)", u);
		return;
	}
	const char *auth = strchr(u, ':') + 3, *end = auth + strcspn(auth, "/?"), *at = memchr(auth, '@', end - auth);
	if ((at && memchr(auth, ':', at - auth)) || strstr(u, "password=")) {
		perr(p, "ledger: the URL holds a password; put it in ledger-password-file or PGPASSFILE instead");
		return;
	}
	set_str(&p->cfg->ledger_url, u);
	p->cfg->ledger_line = p->line;
}

/* The keyword table (config-int.h says what a keyword is). */
#define C_(f) offsetof(struct config, f)
#define M_(f) offsetof(struct mailbox_cfg, f)
#define S_(f) offsetof(struct smtp_cfg, f)
#define R_(f) offsetof(struct route_cfg, f)
#define O_(f) offsetof(struct oauth_cfg, f)
const struct keyword config_keyword_table[] = {
	{ B_TOP, "action-retry-max", KW_INT, C_(action_retry_max_hours), 1, 24 * 30, NULL, NULL },
	{ B_TOP, "approve-ev", KW_BOOL, C_(approve_ev), 0, 0, NULL, NULL },
	{ B_TOP, "approve-timeout", KW_INT, C_(approve_timeout), 1, 600, NULL, NULL },
	{ B_TOP, "auto-approve", KW_WORDS, C_(auto_approve_cas), 0, 0, NULL, NULL },
	{ B_TOP, "check-trust-authserv-id", KW_BOOL, C_(check_trust_ar), 0, 0, NULL, NULL },
	{ B_TOP, "digest", KW_FN, 0, 0, 0, kw_digest, "HH:MM|off" },
	{ B_TOP, "dns-server", KW_FN, 0, 0, 0, kw_dns_server, "IPV4[:PORT]" },
	{ B_TOP, "hostname", KW_STR, C_(hostname), 0, 0, NULL, NULL },
	{ B_TOP, "https-ca-file", KW_STR, C_(https_ca_file), 0, 0, NULL, NULL },
	{ B_TOP, "ledger", KW_FN, 0, 0, 0, kw_ledger, "postgresql://USER@HOST[:PORT]/DB[?sslmode=...]" },
	{ B_TOP, "ledger-password-file", KW_STR, C_(ledger_password_file), 0, 0, NULL, NULL },
	{ B_TOP, "limit", KW_FN, 0, 0, 0, kw_limit, "NAME SIZE" },
	{ B_TOP, "mailbox", KW_BLOCK, 0, 0, 0, NULL, "NAME {" },
	{ B_TOP, "notify-secret-file", KW_FN, 0, 0, 0, kw_notify_secret_file, "PATH" },
	{ B_TOP, "notify-timeout", KW_INT, C_(notify_timeout), 1, 600, NULL, NULL },
	{ B_TOP, "oauth", KW_BLOCK, 0, 0, 0, NULL, "NAME {" },
	{ B_TOP, "order-overdue", KW_FN, 0, 0, 0, kw_order_overdue, "STEP HOURS [CA...]" },
	{ B_TOP, "pending-alert", KW_INT, C_(pending_alert_hours), 1, 24 * 365, NULL, NULL },
	{ B_TOP, "pending-alert-mail", KW_BOOL, C_(pending_alert_mail), 0, 0, NULL, NULL },
	{ B_TOP, "pipe-action-deadline", KW_INT, C_(pipe_action_deadline), 0, 600, NULL, NULL },
	{ B_TOP, "pipe-server", KW_BOOL, C_(pipe_server), 0, 0, NULL, NULL },
	{ B_TOP, "pipe-server-timeout", KW_INT, C_(pipe_server_timeout), 1, 600, NULL, NULL },
	{ B_TOP, "role", KW_FN, 0, 0, 0, kw_role, "ROLE ADDRESS..." },
	{ B_TOP, "route", KW_BLOCK, 0, 0, 0, NULL, "[default] {" },
	{ B_TOP, "rules-dir", KW_FN, 0, 0, 0, kw_rules_dir, "DIR[:DIR...]" },
	{ B_TOP, "smtp", KW_BLOCK, 0, 0, 0, NULL, "{" },
	{ B_TOP, "state-dir", KW_FN, 0, 0, 0, kw_state_dir, "DIR" },
	{ B_TOP, "syslog", KW_BOOL, C_(log_syslog), 0, 0, NULL, NULL },
	{ B_TOP, "trust-authserv-id", KW_WORDS, C_(trust_authserv_ids), 0, 0, NULL, NULL },
	{ B_TOP, "verify-dkim", KW_BOOL, C_(verify_dkim), 0, 0, NULL, NULL },
	{ B_MAILBOX, "auth", KW_FN, 0, 0, 0, kw_mailbox_auth, "password|xoauth2|oauthbearer" },
	{ B_MAILBOX, "ca-file", KW_STR, M_(ca_file), 0, 0, NULL, NULL },
	{ B_MAILBOX, "idle", KW_BOOL, M_(idle), 0, 0, NULL, NULL },
	{ B_MAILBOX, "idle-refresh", KW_INT, M_(idle_refresh), 1, 1740, NULL, NULL },
	{ B_MAILBOX, "insecure-plaintext", KW_BOOL, M_(insecure_plaintext), 0, 0, NULL, NULL },
	{ B_MAILBOX, "move-to", KW_STR, M_(move_to), 0, 0, NULL, NULL },
	{ B_MAILBOX, "oauth", KW_STR, M_(oauth), 0, 0, NULL, NULL },
	{ B_MAILBOX, "password-file", KW_STR, M_(password_file), 0, 0, NULL, NULL },
	{ B_MAILBOX, "poll-interval", KW_INT, M_(poll_interval), 1, 86400, NULL, NULL },
	{ B_MAILBOX, "reconnect-max", KW_INT, M_(reconnect_max), 1, 86400, NULL, NULL },
	{ B_MAILBOX, "role", KW_FN, 0, 0, 0, kw_mailbox_role, "ROLE" },
	{ B_MAILBOX, "timeout", KW_INT, M_(timeout), 1, 3600, NULL, NULL },
	{ B_MAILBOX, "token-command", KW_FN, 0, 0, 0, kw_mailbox_token_command, "PROGRAM ARG..." },
	{ B_MAILBOX, "trust-authserv-id", KW_WORDS, M_(trust_authserv_ids), 0, 0, NULL, NULL },
	{ B_MAILBOX, "url", KW_STR, M_(url), 0, 0, NULL, NULL },
	{ B_MAILBOX, "user", KW_STR, M_(user), 0, 0, NULL, NULL },
	{ B_SMTP, "auth", KW_FN, 0, 0, 0, kw_smtp_auth, "password|xoauth2|oauthbearer" },
	{ B_SMTP, "ca-file", KW_STR, S_(ca_file), 0, 0, NULL, NULL },
	{ B_SMTP, "from", KW_STR, S_(from), 0, 0, NULL, NULL },
	{ B_SMTP, "helo", KW_STR, S_(helo), 0, 0, NULL, NULL },
	{ B_SMTP, "oauth", KW_STR, S_(oauth), 0, 0, NULL, NULL },
	{ B_SMTP, "password-file", KW_STR, S_(password_file), 0, 0, NULL, NULL },
	{ B_SMTP, "require-tls", KW_BOOL, S_(require_tls), 0, 0, NULL, NULL },
	{ B_SMTP, "timeout", KW_INT, S_(timeout), 1, 3600, NULL, NULL },
	{ B_SMTP, "token-command", KW_FN, 0, 0, 0, kw_smtp_token_command, "PROGRAM ARG..." },
	{ B_SMTP, "url", KW_STR, S_(url), 0, 0, NULL, NULL },
	{ B_SMTP, "user", KW_STR, S_(user), 0, 0, NULL, NULL },
	{ B_ROUTE, "ca", KW_WORDS, R_(cas), 0, 0, NULL, NULL },
	{ B_ROUTE, "domain", KW_WORDS, R_(domains), 0, 0, NULL, NULL },
	{ B_ROUTE, "role", KW_FN, 0, 0, 0, kw_route_role, "ROLE..." },
	{ B_ROUTE, "type", KW_FN, 0, 0, 0, kw_route_type, "TYPE..." },
	{ B_OAUTH, "ca-file", KW_STR, O_(ca_file), 0, 0, NULL, NULL },
	{ B_OAUTH, "client-certificate", KW_STR, O_(client_certificate), 0, 0, NULL, NULL },
	{ B_OAUTH, "client-id", KW_STR, O_(client_id), 0, 0, NULL, NULL },
	{ B_OAUTH, "client-key", KW_STR, O_(client_key), 0, 0, NULL, NULL },
	{ B_OAUTH, "client-secret-file", KW_STR, O_(client_secret_file), 0, 0, NULL, NULL },
	{ B_OAUTH, "device-endpoint", KW_STR, O_(device_endpoint), 0, 0, NULL, NULL },
	{ B_OAUTH, "grant", KW_FN, 0, 0, 0, config_oauth_kw_grant,
	  "refresh-token|client-credentials|jwt-bearer|command" },
	{ B_OAUTH, "provider", KW_FN, 0, 0, 0, config_oauth_kw_provider, "microsoft|google|other" },
	{ B_OAUTH, "refresh-token-file", KW_STR, O_(refresh_token_file), 0, 0, NULL, NULL },
	{ B_OAUTH, "scope", KW_WORDS, O_(scope), 0, 0, NULL, NULL },
	{ B_OAUTH, "service-account-file", KW_STR, O_(service_account_file), 0, 0, NULL, NULL },
	{ B_OAUTH, "subject", KW_STR, O_(subject), 0, 0, NULL, NULL },
	{ B_OAUTH, "tenant", KW_STR, O_(tenant), 0, 0, NULL, NULL },
	{ B_OAUTH, "timeout", KW_INT, O_(timeout), 1, 600, NULL, NULL },
	{ B_OAUTH, "token-command", KW_WORDS, O_(token_command), 0, 0, NULL, NULL },
	{ B_OAUTH, "token-endpoint", KW_STR, O_(token_endpoint), 0, 0, NULL, NULL },
};
#undef C_
#undef M_
#undef S_
#undef R_
#undef O_
const size_t config_nkeywords = nitems(config_keyword_table);
#define keywords config_keyword_table

static int
keyword_cmp(const void *a, const void *b)
{
	const struct keyword *x = a, *y = b;

	if (x->blk != y->blk)
		return x->blk < y->blk ? -1 : 1;
	return strcmp(x->name, y->name);
}

static const struct keyword *
keyword_find(enum block blk, const char *name)
{
	struct keyword key = { .blk = blk, .name = name };

	return bsearch(&key, keywords, config_nkeywords, sizeof(keywords[0]), keyword_cmp);
}

int
config_keywords_sorted(const char **a, const char **b)
{
	for (size_t i = 1; i < config_nkeywords; i++)
		if (keyword_cmp(&keywords[i - 1], &keywords[i]) >= 0) {
			*a = keywords[i - 1].name;
			*b = keywords[i].name;
			return -1;
		}
	return 0;
}

/* One line of a block: its keyword from the table, or (route) an action. */
static void
keyword(struct parser *p, enum block blk, void *obj)
{
	const struct keyword *k = keyword_find(blk, p->argv[0]);
	void *field;

	if (k == NULL || k->type == KW_BLOCK) { /* a block keyword here is inside a block */
		if (blk == B_ROUTE && kw_route_action(p, obj) == 0)
			return;
		if (blk == B_TOP)
			perr(p, "unknown keyword '%s'", p->argv[0]);
		else
			perr(p, "unknown keyword '%s' in %s block", p->argv[0], config_block_names[blk]);
		return;
	}
	field = (char *)obj + k->off;
	switch (k->type) {
	case KW_STR:
		if (want_args(p, 1, 1) == 0)
			set_str(field, p->argv[1]);
		break;
	case KW_BOOL:
		if (want_args(p, 1, 1) == 0)
			parse_bool(p, p->argv[1], field);
		break;
	case KW_INT:
		if (want_args(p, 1, 1) == 0)
			parse_int(p, p->argv[1], k->min, k->max, field);
		break;
	case KW_WORDS:
		if (want_args(p, 1, -1) == 0)
			add_words(p, field);
		break;
	case KW_FN: k->fn(p, obj); break;
	case KW_BLOCK: break;
	}
}

void
config_keywords(FILE *out, const struct config_ops *ops)
{
	const struct action_kind *a;

	for (size_t i = 0; i < config_nkeywords; i++) {
		const struct keyword *k = &keywords[i];
		fprintf(out, "%-8s %-24s ", config_block_names[k->blk], k->name);
		switch (k->type) {
		case KW_STR: fprintf(out, "WORD\n"); break;
		case KW_BOOL: fprintf(out, "yes|no\n"); break;
		case KW_INT: fprintf(out, "NUMBER (%d to %d)\n", k->min, k->max); break;
		case KW_WORDS: fprintf(out, "WORD...\n"); break;
		case KW_FN:
		case KW_BLOCK: fprintf(out, "%s\n", k->takes); break;
		}
	}
	for (size_t i = 0; (a = action_kind(ops, i)) != NULL; i++)
		if (a->flags & ACTION_IN_ROUTES)
			fprintf(out, "%-8s %-24s %s\n", config_block_names[B_ROUTE], a->name,
				a->max_targets == 0		  ? "(no arguments)"
				: a->flags & ACTION_HTTPS_TARGETS ? "URL..."
								  : "ADDRESS...");
}

int
config_load(const char *path, struct config *cfg, const struct config_ops *ops)
{
	struct parser p;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	enum block blk = B_TOP;
	int blk_line = 0; /* where the open block began */
	struct mailbox_cfg *mb = NULL;
	struct route_cfg *rt = NULL;

	config_defaults(cfg);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	strv_add(&cfg->files, path);
	cfg->path = xstrdup(path);
	memset(&p, 0, sizeof(p));
	p.file = cfg->files.v[0];
	p.cfg = cfg;
	p.ops = ops;
	while ((n = getline(&line, &cap, f)) != -1) {
		p.line++;
		if (memchr(line, '\0', (size_t)n) != NULL) {
			perr(&p, "NUL byte in line");
			continue;
		}
		if (tokenize(&p, line) == -1 || p.argc == 0)
			continue;
		if (strcmp(p.argv[0], "}") == 0) {
			if (p.argc != 1 || blk == B_TOP)
				perr(&p, "unexpected '}'");
			blk = B_TOP;
			continue;
		}
		if (blk != B_TOP &&
		    (!strcmp(p.argv[0], "mailbox") || !strcmp(p.argv[0], "smtp") || !strcmp(p.argv[0], "route") ||
		     !strcmp(p.argv[0], "oauth")) &&
		    strcmp(p.argv[p.argc - 1], "{") == 0) {
			/* a block inside a block: the '}' of the open one is missing */
			perr(&p, "'%s' block inside the %s block opened at line %d: is its '}' missing?", p.argv[0],
			     config_block_names[blk], blk_line);
			blk = B_TOP; /* read on as if it were there */
		}
		if (blk != B_TOP) {
			keyword(&p, blk,
				blk == B_MAILBOX ? (void *)mb
				: blk == B_SMTP	 ? (void *)&cfg->smtp
				: blk == B_OAUTH ? (void *)&cfg->oauths[cfg->noauths - 1]
						 : (void *)rt);
			continue;
		}
		if (!strcmp(p.argv[0], "mailbox") || !strcmp(p.argv[0], "smtp") || !strcmp(p.argv[0], "route") ||
		    !strcmp(p.argv[0], "oauth")) {
			if (!is_block_open(&p)) {
				perr(&p, "'%s' starts a block: end the line with '{'", p.argv[0]);
				continue;
			}
			if (!strcmp(p.argv[0], "mailbox")) {
				if (want_args(&p, 1, 1) == -1)
					continue;
				cfg->mailboxes = xreallocarray(cfg->mailboxes, cfg->nmailboxes + 1,
							       sizeof(*cfg->mailboxes));
				mb = &cfg->mailboxes[cfg->nmailboxes++];
				memset(mb, 0, sizeof(*mb));
				mb->name = xstrdup(p.argv[1]);
				mb->poll_interval = 60;
				mb->timeout = 60;
				mb->idle = 1;
				mb->idle_refresh = 1500;
				mb->reconnect_max = 300;
				mb->file = p.file;
				mb->line = p.line;
				blk = B_MAILBOX;
				blk_line = p.line;
			} else if (!strcmp(p.argv[0], "oauth")) { /* h-oauth */
				struct oauth_cfg *o;
				if (want_args(&p, 1, 1) == -1)
					continue;
				cfg->oauths = xreallocarray(cfg->oauths, cfg->noauths + 1, sizeof(*cfg->oauths));
				o = &cfg->oauths[cfg->noauths++];
				memset(o, 0, sizeof(*o));
				o->name = xstrdup(p.argv[1]);
				o->timeout = 30;
				o->file = p.file;
				o->line = p.line;
				blk = B_OAUTH;
				blk_line = p.line;
			} else if (!strcmp(p.argv[0], "smtp")) {
				if (want_args(&p, 0, 0) == -1)
					continue;
				cfg->have_smtp = 1;
				cfg->smtp.line = p.line;
				blk = B_SMTP;
				blk_line = p.line;
			} else {
				if (want_args(&p, 0, 1) == -1)
					continue;
				if (p.argc == 2 && strcmp(p.argv[1], "default")) {
					perr(&p, "route takes no name except 'default'");
					continue;
				}
				cfg->routes = xreallocarray(cfg->routes, cfg->nroutes + 1, sizeof(*cfg->routes));
				rt = &cfg->routes[cfg->nroutes++];
				memset(rt, 0, sizeof(*rt));
				rt->is_default = p.argc == 2;
				rt->file = p.file;
				rt->line = p.line;
				blk = B_ROUTE;
				blk_line = p.line;
			}
			continue;
		}
		keyword(&p, B_TOP, cfg);
	}
	free(line);
	if (ferror(f))
		perr(&p, "read error: %s", strerror(errno));
	fclose(f);
	if (blk != B_TOP) { /* said where the block began: that is where the '}' is missing */
		p.line = blk_line;
		perr(&p, "unterminated %s block: no '}' before the end of the file", config_block_names[blk]);
	}
	if (p.errors == 0)
		config_check_loaded(&p);
	return p.errors;
}

void
config_free(struct config *c)
{
	free(c->path);
	free(c->state_dir);
	free(c->rules_dir);
	free(c->hostname);
	strv_free(&c->trust_authserv_ids);
	free(c->dns_server);
	for (size_t i = 0; i < c->nroles; i++)
		strv_free(&c->roles[i].addrs);
	free(c->roles);
	for (size_t i = 0; i < c->noverdue; i++) {
		free(c->overdue[i].step);
		strv_free(&c->overdue[i].cas);
	}
	free(c->overdue);
	for (size_t i = 0; i < c->nmailboxes; i++) {
		struct mailbox_cfg *m = &c->mailboxes[i];
		free(m->name);
		free(m->url);
		free(m->user);
		free(m->password_file);
		strv_free(&m->token_command);
		free(m->oauth);
		free(m->move_to);
		free(m->ca_file);
		strv_free(&m->trust_authserv_ids);
	}
	free(c->mailboxes);
	for (size_t i = 0; i < c->noauths; i++)
		config_oauth_free(&c->oauths[i]);
	free(c->oauths);
	free(c->smtp.url);
	free(c->smtp.user);
	free(c->smtp.password_file);
	strv_free(&c->smtp.token_command);
	free(c->smtp.from);
	free(c->smtp.helo);
	free(c->smtp.oauth);
	free(c->smtp.ca_file);
	free(c->notify_secret_file);
	free(c->ledger_url);
	free(c->ledger_password_file);
	free(c->https_ca_file);
	strv_free(&c->auto_approve_cas);
	for (size_t i = 0; i < c->nroutes; i++) {
		struct route_cfg *r = &c->routes[i];
		strv_free(&r->types);
		strv_free(&r->cas);
		strv_free(&r->domains);
		strv_free(&r->roles);
		for (size_t j = 0; j < r->nactions; j++)
			strv_free(&r->actions[j].targets);
		free(r->actions);
	}
	free(c->routes);
	strv_free(&c->files);
	memset(c, 0, sizeof(*c));
}

enum mbox_role
config_role_for(const struct config *c, const char *address)
{
	char *a, *at;
	enum mbox_role r = ROLE_NONE;

	if (address == NULL || *address == '\0')
		return ROLE_NONE;
	a = xstrdup(address);
	lowercase(a);
	at = strrchr(a, '@');
	/* exact addresses first, then local parts ("admin@") */
	for (size_t i = 0; i < c->nroles && r == ROLE_NONE; i++)
		for (size_t j = 0; j < c->roles[i].addrs.n; j++)
			if (!strcmp(c->roles[i].addrs.v[j], a)) {
				r = c->roles[i].role;
				break;
			}
	for (size_t i = 0; i < c->nroles && r == ROLE_NONE && at; i++)
		for (size_t j = 0; j < c->roles[i].addrs.n; j++) {
			const char *x = c->roles[i].addrs.v[j];
			size_t lx = strlen(x);
			if (x[lx - 1] == '@' && (size_t)(at - a) + 1 == lx && !strncmp(a, x, lx)) {
				r = c->roles[i].role;
				break;
			}
		}
	free(a);
	return r;
}
