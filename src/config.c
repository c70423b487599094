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
#include "base/dns.h"
#include "outbox/smtp.h"
#include "base/log.h"
#include "base/util.h"

#define MAX_ARGS 64

static const char *const role_names[] = {
	[ROLE_NONE] = "none", [ROLE_WHOIS] = "whois", [ROLE_TXT] = "txt",
	[ROLE_CONSTRUCTED] = "constructed", [ROLE_APPROVER] = "approver",
	[ROLE_EV_CONTACT] = "ev-contact",
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
	c->action_retry_max_hours = 24;
	c->pipe_action_deadline = 20;
	c->pipe_server_timeout = 30;
	c->smtp.timeout = 30;
	c->smtp.require_tls = -1; /* decided by host: loopback may be plain */
}

struct parser {
	const char *file;
	int line;
	int errors;
	struct config *cfg;
	char *argv[MAX_ARGS];
	int argc;
};

static void
perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* a URL's user:password never reaches the terminal or a log */
	fprintf(stderr, "%s:%d: %s\n", p->file, p->line, redact_userinfo(msg));
	free(msg);
	p->errors++;
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

static int
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

enum block { B_TOP, B_MAILBOX, B_SMTP, B_ROUTE };

static void add_words(struct parser *, struct strv *);

static void
kw_mailbox(struct parser *p, struct mailbox_cfg *m)
{
	const char *k = p->argv[0];

	if (!strcmp(k, "url") && !want_args(p, 1, 1))
		set_str(&m->url, p->argv[1]);
	else if (!strcmp(k, "user") && !want_args(p, 1, 1))
		set_str(&m->user, p->argv[1]);
	else if (!strcmp(k, "password-file") && !want_args(p, 1, 1))
		set_str(&m->password_file, p->argv[1]);
	else if (!strcmp(k, "role") && !want_args(p, 1, 1)) {
		if (role_from_name(p->argv[1], &m->role) == -1)
			perr(p, "unknown role '%s' (whois, txt, constructed, approver, ev-contact)", p->argv[1]);
	} else if (!strcmp(k, "move-to") && !want_args(p, 1, 1))
		set_str(&m->move_to, p->argv[1]);
	else if (!strcmp(k, "ca-file") && !want_args(p, 1, 1))
		set_str(&m->ca_file, p->argv[1]);
	else if (!strcmp(k, "insecure-plaintext") && !want_args(p, 1, 1))
		parse_bool(p, p->argv[1], &m->insecure_plaintext);
	else if (!strcmp(k, "poll-interval") && !want_args(p, 1, 1))
		parse_int(p, p->argv[1], 1, 86400, &m->poll_interval);
	else if (!strcmp(k, "timeout") && !want_args(p, 1, 1))
		parse_int(p, p->argv[1], 1, 3600, &m->timeout);
	else if (!strcmp(k, "idle") && !want_args(p, 1, 1))
		parse_bool(p, p->argv[1], &m->idle);
	else if (!strcmp(k, "idle-refresh") && !want_args(p, 1, 1))
		parse_int(p, p->argv[1], 1, 1740, &m->idle_refresh);
	else if (!strcmp(k, "reconnect-max") && !want_args(p, 1, 1))
		parse_int(p, p->argv[1], 1, 86400, &m->reconnect_max);
	else if (!strcmp(k, "trust-authserv-id") && !want_args(p, 1, -1))
		add_words(p, &m->trust_authserv_ids);
	else if (strcmp(k, "url") && strcmp(k, "user") && strcmp(k, "password-file") &&
		 strcmp(k, "role") && strcmp(k, "move-to") && strcmp(k, "ca-file") &&
		 strcmp(k, "insecure-plaintext") && strcmp(k, "poll-interval") && strcmp(k, "timeout") &&
		 strcmp(k, "idle") && strcmp(k, "idle-refresh") && strcmp(k, "reconnect-max") &&
		 strcmp(k, "trust-authserv-id"))
		perr(p, "unknown keyword '%s' in mailbox block", k);
}

static void
kw_smtp(struct parser *p, struct smtp_cfg *s)
{
	const char *k = p->argv[0];
	static const char *const kws[] = { "url", "user", "password-file", "from", "helo",
					   "ca-file", "require-tls", "timeout" };
	size_t i;

	for (i = 0; i < nitems(kws); i++)
		if (!strcmp(k, kws[i]))
			break;
	if (i == nitems(kws)) {
		perr(p, "unknown keyword '%s' in smtp block", k);
		return;
	}
	if (want_args(p, 1, 1) == -1)
		return;
	switch (i) {
	case 0: set_str(&s->url, p->argv[1]); break;
	case 1: set_str(&s->user, p->argv[1]); break;
	case 2: set_str(&s->password_file, p->argv[1]); break;
	case 3: set_str(&s->from, p->argv[1]); break;
	case 4: set_str(&s->helo, p->argv[1]); break;
	case 5: set_str(&s->ca_file, p->argv[1]); break;
	case 6: parse_bool(p, p->argv[1], &s->require_tls); break;
	case 7: parse_int(p, p->argv[1], 1, 3600, &s->timeout); break;
	}
}

static void
add_words(struct parser *p, struct strv *sv)
{
	for (int i = 1; i < p->argc; i++)
		strv_add(sv, p->argv[i]);
}

static void
kw_route(struct parser *p, struct route_cfg *r)
{
	const char *k = p->argv[0];
	struct route_action *a;
	enum route_action_kind kind;

	if (!strcmp(k, "type") || !strcmp(k, "ca") || !strcmp(k, "domain") || !strcmp(k, "role")) {
		if (want_args(p, 1, -1) == -1)
			return;
		if (!strcmp(k, "type")) {
			static const char *const ok[] = { "dcv", "ev-intent", "documents", "issued",
							  "reminder", "notice", "unknown", "suspicious",
							  "malformed", "oversized" };
			for (int i = 1; i < p->argc; i++) {
				size_t j;
				for (j = 0; j < nitems(ok); j++)
					if (!strcmp(p->argv[i], ok[j]))
						break;
				if (j == nitems(ok))
					perr(p, "unknown type '%s'", p->argv[i]);
			}
			add_words(p, &r->types);
		} else if (!strcmp(k, "ca"))
			add_words(p, &r->cas);
		else if (!strcmp(k, "domain"))
			add_words(p, &r->domains);
		else {
			enum mbox_role role;
			for (int i = 1; i < p->argc; i++)
				if (role_from_name(p->argv[i], &role) == -1)
					perr(p, "unknown role '%s'", p->argv[i]);
			add_words(p, &r->roles);
		}
		return;
	}
	if (!strcmp(k, "forward"))
		kind = RA_FORWARD;
	else if (!strcmp(k, "redirect"))
		kind = RA_REDIRECT;
	else if (!strcmp(k, "notify"))
		kind = RA_NOTIFY;
	else if (!strcmp(k, "approve"))
		kind = RA_APPROVE;
	else {
		perr(p, "unknown keyword '%s' in route block", k);
		return;
	}
	if (kind == RA_APPROVE ? want_args(p, 0, 0) : want_args(p, 1, -1))
		return;
	if (kind == RA_NOTIFY)
		for (int i = 1; i < p->argc; i++)
			if (strncasecmp(p->argv[i], "https://", 8) != 0)
				perr(p, "notify URL must be https://, not '%s'", p->argv[i]);
	r->actions = xreallocarray(r->actions, r->nactions + 1, sizeof(*r->actions));
	a = &r->actions[r->nactions++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	add_words(p, &a->targets);
}

static void
kw_role(struct parser *p)
{
	enum mbox_role role;
	struct role_map *rm;

	if (want_args(p, 2, -1) == -1)
		return;
	if (role_from_name(p->argv[1], &role) == -1) {
		perr(p, "unknown role '%s' (whois, txt, constructed, approver, ev-contact)", p->argv[1]);
		return;
	}
	for (int i = 2; i < p->argc; i++)
		if (strchr(p->argv[i], '@') == NULL)
			perr(p, "role address '%s' has no '@' (write 'admin@' for a local part)",
			     p->argv[i]);
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
kw_limit(struct parser *p)
{
	struct msg_limits *l = &p->cfg->limits;
	const char *k;
	long long v;

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
		perr(p, "unknown limit '%s' (message-size, mime-depth, mime-parts, header-count, "
			"line-length, text-size, links, regex-match, regex-depth)", k);
}

static void
kw_top(struct parser *p)
{
	struct config *c = p->cfg;
	const char *k = p->argv[0];

	if (!strcmp(k, "state-dir") && !want_args(p, 1, 1))
		set_str(&c->state_dir, p->argv[1]);
	else if (!strcmp(k, "rules-dir") && !want_args(p, 1, 1))
		set_str(&c->rules_dir, p->argv[1]);
	else if (!strcmp(k, "hostname") && !want_args(p, 1, 1))
		set_str(&c->hostname, p->argv[1]);
	else if (!strcmp(k, "syslog") && !want_args(p, 1, 1))
		parse_bool(p, p->argv[1], &c->log_syslog);
	else if (!strcmp(k, "trust-authserv-id") && !want_args(p, 1, -1))
		add_words(p, &c->trust_authserv_ids);
	else if (!strcmp(k, "check-trust-authserv-id") && !want_args(p, 1, 1))
		parse_bool(p, p->argv[1], &c->check_trust_ar);
	else if (!strcmp(k, "verify-dkim") && !want_args(p, 1, 1))
		parse_bool(p, p->argv[1], &c->verify_dkim);
	else if (!strcmp(k, "dns-server") && !want_args(p, 1, 1)) {
		struct sockaddr_in sin;
		if (dns_parse_server(p->argv[1], &sin) == -1)
			perr(p, "dns-server: '%s' is not an IPv4 address[:port]", p->argv[1]);
		set_str(&c->dns_server, p->argv[1]);
	}
	else if (!strcmp(k, "role"))
		kw_role(p);
	else if (!strcmp(k, "limit"))
		kw_limit(p);
	else if (!strcmp(k, "notify-secret-file") && !want_args(p, 1, 1)) {
		set_str(&c->notify_secret_file, p->argv[1]);
		c->notify_secret_line = p->line;
	}
	else if (!strcmp(k, "notify-timeout") && !want_args(p, 1, 1))
		parse_int(p, p->argv[1], 1, 600, &c->notify_timeout);
	else if (!strcmp(k, "https-ca-file") && !want_args(p, 1, 1))
		set_str(&c->https_ca_file, p->argv[1]);
	else if (!strcmp(k, "auto-approve") && !want_args(p, 1, -1))
		add_words(p, &c->auto_approve_cas);
	else if (!strcmp(k, "approve-ev") && !want_args(p, 1, 1))
		parse_bool(p, p->argv[1], &c->approve_ev);
	else if (!strcmp(k, "approve-timeout") && !want_args(p, 1, 1))
		parse_int(p, p->argv[1], 1, 600, &c->approve_timeout);
	else if (!strcmp(k, "pending-alert") && !want_args(p, 1, 1))
		parse_int(p, p->argv[1], 1, 24 * 365, &c->pending_alert_hours);
	else if (!strcmp(k, "action-retry-max") && !want_args(p, 1, 1))
		parse_int(p, p->argv[1], 1, 24 * 30, &c->action_retry_max_hours);
	else if (!strcmp(k, "pipe-action-deadline") && !want_args(p, 1, 1))
		parse_int(p, p->argv[1], 0, 600, &c->pipe_action_deadline);
	else if (!strcmp(k, "pipe-server") && !want_args(p, 1, 1))
		parse_bool(p, p->argv[1], &c->pipe_server);
	else if (!strcmp(k, "pipe-server-timeout") && !want_args(p, 1, 1))
		parse_int(p, p->argv[1], 1, 600, &c->pipe_server_timeout);
	else {
		static const char *const known[] = {
			"state-dir", "rules-dir", "hostname", "syslog", "trust-authserv-id", "check-trust-authserv-id",
			"verify-dkim", "dns-server", "notify-secret-file", "notify-timeout",
			"https-ca-file", "auto-approve", "approve-ev", "approve-timeout",
			"pending-alert", "action-retry-max", "pipe-action-deadline",
			"pipe-server", "pipe-server-timeout" };
		for (size_t i = 0; i < nitems(known); i++)
			if (!strcmp(k, known[i]))
				return; /* argument error already reported */
		perr(p, "unknown keyword '%s'", k);
	}
}

static void
check_config(struct parser *p)
{
	struct config *c = p->cfg;

	if (c->have_smtp) {
		struct smtp_url u;
		char *err = NULL;
		p->line = c->smtp.line;
		if (c->smtp.url == NULL)
			perr(p, "smtp block has no url");
		else if (smtp_parse_url(c->smtp.url, &u, &err) == -1) {
			perr(p, "%s", err);
			free(err);
		} else if (c->smtp.user && !u.loopback && c->smtp.require_tls == 0)
			perr(p, "require-tls no would send the password in clear to %s", u.host);
		if (c->smtp.from == NULL)
			perr(p, "smtp block has no from address");
		if ((c->smtp.user == NULL) != (c->smtp.password_file == NULL))
			perr(p, "smtp block: user and password-file go together");
		if (c->smtp.helo)
			perr(p, "smtp helo is not supported: dcvmail greets with its address literal, which "
				"every server accepts from a client that logs in");
	}
	p->line = 0;
	for (size_t i = 0; i < c->nmailboxes; i++) {
		struct mailbox_cfg *m = &c->mailboxes[i];
		p->line = m->line;
		if (m->url == NULL)
			perr(p, "mailbox '%s' has no url", m->name);
		else if (strncmp(m->url, "imaps://", 8) && strncmp(m->url, "imap://", 7))
			perr(p, "mailbox '%s': url must start with imaps:// or imap://", m->name);
		if (m->user == NULL)
			perr(p, "mailbox '%s' has no user", m->name);
		if (m->password_file == NULL)
			perr(p, "mailbox '%s' has no password-file", m->name);
		if (m->role == ROLE_NONE)
			perr(p, "mailbox '%s' has no role", m->name);
		if (m->url && strstr(m->url, "://") &&
		    memchr(strstr(m->url, "://") + 3, '@', strcspn(strstr(m->url, "://") + 3, "/")))
			perr(p, "mailbox '%s': url %s holds user-info: give the login as user and password-file",
			     m->name, m->url);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->mailboxes[j].name, m->name))
				perr(p, "mailbox '%s' defined twice", m->name);
	}
	for (size_t i = 0; i < c->nroutes; i++) {
		p->line = c->routes[i].line;
		if (c->routes[i].nactions == 0)
			perr(p, "route has no action (forward, redirect, notify, approve)");
		for (size_t j = 0; j < c->routes[i].nactions; j++) {
			enum route_action_kind k = c->routes[i].actions[j].kind;
			if ((k == RA_FORWARD || k == RA_REDIRECT) && c->have_smtp == 0)
				perr(p, "route forwards mail but there is no smtp block");
			if (k == RA_NOTIFY && c->notify_secret_file == NULL)
				perr(p, "route notifies but notify-secret-file is not set");
		}
	}
}

int
config_load(const char *path, struct config *cfg)
{
	struct parser p;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	enum block blk = B_TOP;
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
		if (blk == B_MAILBOX) {
			kw_mailbox(&p, mb);
			continue;
		}
		if (blk == B_SMTP) {
			kw_smtp(&p, &cfg->smtp);
			continue;
		}
		if (blk == B_ROUTE) {
			kw_route(&p, rt);
			continue;
		}
		if (!strcmp(p.argv[0], "mailbox") || !strcmp(p.argv[0], "smtp") ||
		    !strcmp(p.argv[0], "route")) {
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
			} else if (!strcmp(p.argv[0], "smtp")) {
				if (want_args(&p, 0, 0) == -1)
					continue;
				cfg->have_smtp = 1;
				cfg->smtp.line = p.line;
				blk = B_SMTP;
			} else {
				if (want_args(&p, 0, 1) == -1)
					continue;
				if (p.argc == 2 && strcmp(p.argv[1], "default")) {
					perr(&p, "route takes no name except 'default'");
					continue;
				}
				cfg->routes = xreallocarray(cfg->routes, cfg->nroutes + 1,
							    sizeof(*cfg->routes));
				rt = &cfg->routes[cfg->nroutes++];
				memset(rt, 0, sizeof(*rt));
				rt->is_default = p.argc == 2;
				rt->file = p.file;
				rt->line = p.line;
				blk = B_ROUTE;
			}
			continue;
		}
		kw_top(&p);
	}
	free(line);
	if (ferror(f))
		perr(&p, "read error: %s", strerror(errno));
	fclose(f);
	if (blk != B_TOP)
		perr(&p, "unterminated block at end of file (missing '}')");
	if (p.errors == 0)
		check_config(&p);
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
	for (size_t i = 0; i < c->nmailboxes; i++) {
		struct mailbox_cfg *m = &c->mailboxes[i];
		free(m->name); free(m->url); free(m->user); free(m->password_file);
		free(m->move_to); free(m->ca_file);
		strv_free(&m->trust_authserv_ids);
	}
	free(c->mailboxes);
	free(c->smtp.url); free(c->smtp.user); free(c->smtp.password_file);
	free(c->smtp.from); free(c->smtp.helo); free(c->smtp.ca_file);
	free(c->notify_secret_file);
	free(c->https_ca_file);
	strv_free(&c->auto_approve_cas);
	for (size_t i = 0; i < c->nroutes; i++) {
		struct route_cfg *r = &c->routes[i];
		strv_free(&r->types); strv_free(&r->cas); strv_free(&r->domains); strv_free(&r->roles);
		for (size_t j = 0; j < r->nactions; j++)
			strv_free(&r->actions[j].targets);
		free(r->actions);
	}
	free(c->routes);
	strv_free(&c->files);
	memset(c, 0, sizeof(*c));
}

static int
dir_exists(const char *d)
{
	struct stat st;

	return stat(d, &st) == 0 && S_ISDIR(st.st_mode);
}

/* rules beside the binary: dirname(argv0)/rules, dirname(argv0)/../rules */
static char *
rules_beside_binary(const char *argv0)
{
	char exe[PATH_MAX], *slash, *d;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	static const char *const rel[] = { "rules", "../rules", "../share/dcvmail/rules" };

	if (n <= 0) {
		if (argv0 == NULL || strchr(argv0, '/') == NULL)
			return NULL;
		snprintf(exe, sizeof(exe), "%s", argv0);
	} else
		exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < nitems(rel); i++) {
		d = xasprintf("%s/%s", exe, rel[i]);
		if (dir_exists(d))
			return d;
		free(d);
	}
	return NULL;
}

/* h-deploy: the shipped rules (beside the binary, else DATADIR/rules), then
 * the local ones (SYSCONFDIR/dcvmail/rules) when that directory exists: a
 * local file replaces the shipped file of the same name (rules_load). NULL
 * when there is neither. */
static char *
default_rules_dir(const char *argv0)
{
	const char *local = DCVMAIL_SYSCONFDIR "/dcvmail/rules";
	char *shipped = rules_beside_binary(argv0), *r;

	if (shipped == NULL && dir_exists(DCVMAIL_DATADIR "/rules"))
		shipped = xstrdup(DCVMAIL_DATADIR "/rules");
	if (!dir_exists(local) || (shipped && !strcmp(shipped, local)))
		return shipped;
	if (shipped == NULL)
		return xstrdup(local);
	r = xasprintf("%s:%s", shipped, local);
	free(shipped);
	return r;
}

int
config_setup(struct config *cfg, const char *opt_config, const char *opt_state_dir,
	     const char *argv0)
{
	const char *path = opt_config ? opt_config : getenv("DCVMAIL_CONFIG");
	const char *def = DCVMAIL_SYSCONFDIR "/dcvmail/dcvmail.conf";
	const char *env;
	int r;

	if (path && *path == '\0')
		path = NULL;
	r = config_load(path ? path : def, cfg);
	if (r == -1) {
		if (path != NULL || errno != ENOENT) {
			fprintf(stderr, "dcvmail: %s: %s\n", path ? path : def, strerror(errno));
			config_free(cfg);
			return EXIT_CONFIG;
		}
		config_free(cfg);
		config_defaults(cfg); /* no default config: built-in defaults */
	} else if (r > 0) {
		fprintf(stderr, "dcvmail: %s: %d error%s in configuration\n", path ? path : def, r,
			r == 1 ? "" : "s");
		config_free(cfg);
		return EXIT_CONFIG;
	}
	if (opt_state_dir)
		set_str(&cfg->state_dir, opt_state_dir);
	else if ((env = getenv("DCVMAIL_STATE_DIR")) && *env)
		set_str(&cfg->state_dir, env);
	else if (cfg->state_dir == NULL)
		cfg->state_dir = xstrdup("/var/lib/dcvmail");
	if ((env = getenv("DCVMAIL_RULES_DIR")) && *env)
		set_str(&cfg->rules_dir, env);
	if (cfg->rules_dir == NULL && (cfg->rules_dir = default_rules_dir(argv0)) == NULL) {
		fprintf(stderr, "dcvmail: no rules directory: set rules-dir in %s, or "
				"DCVMAIL_RULES_DIR, or install rules under %s\n",
			path ? path : def, DCVMAIL_DATADIR "/rules");
		config_free(cfg);
		return EXIT_CONFIG;
	}
	if (cfg->hostname == NULL) {
		char hn[256];
		if (gethostname(hn, sizeof(hn)) == 0) {
			hn[sizeof(hn) - 1] = '\0';
			cfg->hostname = xstrdup(hn);
		} else
			cfg->hostname = xstrdup("localhost");
	}
	return 0;
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

char *
config_read_secret(const char *path, char **errp)
{
	struct stat st;
	char *data;
	size_t len;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*errp = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		*errp = xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		*errp = xasprintf("%s: readable by group or others; fix with: chmod 600 %s", path, path);
		close(fd);
		return NULL;
	}
	if (read_fd(fd, 64 * 1024, &data, &len) == -1) {
		*errp = xasprintf("%s: %s", path, errno == EFBIG ? "too large for a secret" : strerror(errno));
		close(fd);
		return NULL;
	}
	close(fd);
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		data[--len] = '\0';
	return data;
}

/* One secret file named by the configuration: a regular file readable by its
 * owner only (config_read_secret refuses it otherwise, at the moment it is
 * needed). A file that is missing or cannot be seen is only a warning. */
static int
check_secret(const struct config *c, const char *what, int line, const char *path, FILE *out)
{
	struct stat st;
	const char *conf = c->path ? c->path : "(defaults)";

	if (path == NULL)
		return 0;
	if (stat(path, &st) == -1) {
		/* not here yet, or not visible to this user: said, but no error */
		fprintf(out, "%s:%d: warning: %s %s: %s (not checked)\n", conf, line, what, path, strerror(errno));
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(out, "%s:%d: %s %s: not a regular file\n", conf, line, what, path);
		return 1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		fprintf(out, "%s:%d: %s %s has mode %04o: group or others can read it, and dcvmail refuses it; "
			     "fix with: chmod 600 %s\n", conf, line, what, path, (unsigned)(st.st_mode & 07777), path);
		return 1;
	}
	return 0;
}

int
config_check_secrets(const struct config *c, FILE *out)
{
	int n = 0;

	for (size_t i = 0; i < c->nmailboxes; i++) {
		char what[300];
		snprintf(what, sizeof(what), "password-file of mailbox '%s'", c->mailboxes[i].name);
		n += check_secret(c, what, c->mailboxes[i].line, c->mailboxes[i].password_file, out);
	}
	if (c->have_smtp)
		n += check_secret(c, "smtp password-file", c->smtp.line, c->smtp.password_file, out);
	n += check_secret(c, "notify-secret-file", c->notify_secret_line, c->notify_secret_file, out);
	return n;
}
