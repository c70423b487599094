/* config-validate.c — what a loaded configuration must hold together:
 * the smtp block (url, TLS, password or OAuth), oauth blocks, mailboxes
 * (url, user, how they log in, role) and routes (an action, and what each
 * action needs). Run by config_load once the file is read. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config-int.h"
#include "base/mail-url.h"
#include "base/smtp-url.h"
#include "base/util.h"

#define perr config_perr

static void
route_no_action(struct parser *p)
{
	const struct action_kind *k;
	struct buf b;

	buf_init(&b, 0);
	for (size_t i = 0; (k = p->ops && p->ops->action_at ? p->ops->action_at(i) : NULL) != NULL; i++)
		if (k->flags & ACTION_IN_ROUTES)
			buf_printf(&b, "%s%s", b.len ? ", " : "", k->name);
	perr(p, "route has no action (%s)", b.len ? b.data : "none known");
	buf_free(&b);
}

/* h-smtpauth: auth password: user and password-file, or neither (a relay
 * that takes mail unauthenticated); OAuth: user and token-command. */
static void
check_smtp_auth(struct parser *p, const struct smtp_cfg *sc)
{
	const char *mech = sc->auth == AUTH_XOAUTH2 ? "xoauth2" : "oauthbearer";

	if (sc->auth == AUTH_PASSWORD) {
		if ((sc->user == NULL) != (sc->password_file == NULL))
			perr(p, "smtp block: user and password-file go together");
		if (sc->token_command.n > 0)
			perr(p, "smtp block: token-command is used with auth xoauth2 or oauthbearer only");
		return;
	}
	if (sc->user == NULL)
		perr(p, "smtp block: auth %s needs a user (the account the token is for)", mech);
	if (sc->oauth && sc->token_command.n > 0)
		perr(p, "smtp block: oauth and token-command exclude each other (an oauth block can have grant "
			"command)");
	else if (sc->token_command.n == 0 && sc->oauth == NULL)
		perr(p, "smtp block: auth %s needs an oauth block or a token-command", mech);
	if (sc->password_file != NULL)
		perr(p, "smtp block: OAuth (auth %s) takes no password-file", mech);
}

void
config_check_loaded(struct parser *p)
{
	struct config *c = p->cfg;
	int urls = !(p->ops && p->ops->defer_server_urls);

	if (c->have_smtp) {
		struct smtp_url u;
		char *err = NULL;
		p->line = c->smtp.line;
		if (c->smtp.url == NULL)
			perr(p, "smtp block has no url");
		else if (urls && smtp_parse_url(c->smtp.url, &u, &err) == -1) {
			perr(p, "%s", err);
			free(err);
		} else if (urls && c->smtp.user && !u.loopback && c->smtp.require_tls == 0)
			perr(p, "require-tls no would send the %s in clear to %s",
			     c->smtp.auth == AUTH_PASSWORD ? "password" : "token", u.host);
		if (c->smtp.from == NULL)
			perr(p, "smtp block has no from address");
		if (c->smtp.oauth && (c->smtp.oauth_cfg = config_oauth(c, c->smtp.oauth)) == NULL)
			perr(p, "smtp block: no oauth block is called '%s'", c->smtp.oauth);
		if (c->smtp.oauth && c->smtp.auth == AUTH_PASSWORD && c->smtp.password_file == NULL)
			c->smtp.auth = AUTH_XOAUTH2; /* oauth NAME alone, as in a mailbox */
		check_smtp_auth(p, &c->smtp);
		if (c->smtp.helo)
			perr(p, "smtp helo is not supported: dcvmail greets with its address literal, which "
				"every server accepts from a client that logs in");
	}
	for (size_t i = 0; i < c->noauths; i++) {
		p->line = c->oauths[i].line;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->oauths[j].name, c->oauths[i].name))
				perr(p, "oauth '%s' defined twice", c->oauths[i].name);
		config_oauth_check(p, &c->oauths[i]);
	}
	p->line = 0;
	for (size_t i = 0; i < c->nmailboxes; i++) {
		struct mailbox_cfg *m = &c->mailboxes[i];
		struct imap_url iu;
		char *err = NULL;
		p->line = m->line;
		if (m->url == NULL)
			perr(p, "mailbox '%s' has no url", m->name);
		else if (urls && imap_parse_url(m->url, &iu, &err) == -1) { /* curl_url, as when connecting */
			perr(p, "mailbox '%s': %s", m->name, err);
			free(err);
			err = NULL;
		}
		if (m->user == NULL)
			perr(p, "mailbox '%s' has no user", m->name);
		if (m->oauth && (m->oauth_cfg = config_oauth(c, m->oauth)) == NULL)
			perr(p, "mailbox '%s': no oauth block is called '%s'", m->name, m->oauth);
		if (m->oauth && m->auth == AUTH_PASSWORD && m->password_file == NULL)
			m->auth = AUTH_XOAUTH2; /* oauth NAME alone: XOAUTH2, or OAUTHBEARER if only it is offered */
		if (m->auth == AUTH_PASSWORD && m->password_file == NULL)
			perr(p, "mailbox '%s' has no password-file", m->name);
		if (m->oauth && m->token_command.n > 0)
			perr(p,
			     "mailbox '%s': oauth and token-command exclude each other (an oauth block can have "
			     "grant command)",
			     m->name);
		else if (m->auth != AUTH_PASSWORD && m->token_command.n == 0 && m->oauth == NULL)
			perr(p, "mailbox '%s': auth %s needs an oauth block or a token-command", m->name,
			     m->auth == AUTH_XOAUTH2 ? "xoauth2" : "oauthbearer");
		if (m->auth == AUTH_PASSWORD && m->token_command.n > 0)
			perr(p, "mailbox '%s': token-command is used with auth xoauth2 or oauthbearer only", m->name);
		if (m->auth != AUTH_PASSWORD && m->password_file != NULL)
			perr(p, "mailbox '%s': OAuth (auth %s) takes no password-file", m->name,
			     m->auth == AUTH_XOAUTH2 ? "xoauth2" : "oauthbearer");
		if (m->role == ROLE_NONE)
			perr(p, "mailbox '%s' has no role", m->name);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->mailboxes[j].name, m->name))
				perr(p, "mailbox '%s' defined twice", m->name);
	}
	for (size_t i = 0; i < c->nroutes; i++) {
		p->line = c->routes[i].line;
		if (c->routes[i].nactions == 0)
			route_no_action(p);
		for (size_t j = 0; j < c->routes[i].nactions; j++) {
			unsigned needs = c->routes[i].actions[j].kind->flags;
			if ((needs & ACTION_NEEDS_SMTP) && c->have_smtp == 0)
				perr(p, "route forwards mail but there is no smtp block");
			if ((needs & ACTION_NEEDS_NOTIFY_SECRET) && c->notify_secret_file == NULL)
				perr(p, "route notifies but notify-secret-file is not set");
		}
	}
}
