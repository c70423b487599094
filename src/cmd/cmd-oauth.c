/* cmd-oauth.c — h-oauth: dcvmail oauth login NAME (RFC 8628 device
 * authorization, for a refresh token) and dcvmail oauth test NAME (a token,
 * then a login to each mailbox and to the smtp server that use the block,
 * with timings; never the token itself). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "intake/intake-imap.h"
#include "outbox/oauth.h"
#include "outbox/smtp.h"
#include "base/log.h"
#include "base/token-cmd.h"
#include "base/util.h"

static void
say_token(const char *user, const struct oauth_info *in)
{
	printf("  token%s%s: %s in %.1f ms", user ? " for " : "", user ? user : "",
	       in->cached ? "from the cache" : "new", in->ms);
	if (in->expires_in >= 0)
		printf(", valid %ld s", in->expires_in);
	printf("%s\n", in->rotated ? "; the provider rotated the refresh token: stored (0600)" : "");
}

/* One login to mailbox m (read-only, the folder opened), timed. */
static int
try_login(const struct mailbox_cfg *m, const char *how)
{
	struct imap_conn *c;
	char *err = NULL;
	double t0 = now_mono();
	int r = imap_conn_open(m, 1, &c, &err);
	double ms = (now_mono() - t0) * 1000;

	if (r != 0) {
		printf("  mailbox %s: login failed after %.0f ms: %s\n", m->name, ms, err);
		free(err);
		return -1;
	}
	imap_conn_close(c, 1);
	printf("  mailbox %s: logged in as %s and opened the folder in %.0f ms (%s token)\n", m->name, m->user, ms,
	       how);
	return 0;
}

static int
oauth_test(const struct config *cfg, const struct oauth_cfg *o)
{
	struct oauth_info in;
	struct oauth_src *s = oauth_src_get(o);
	const char *user = NULL;
	char *tok, *err = NULL;
	int bad = 0, used = 0;

	for (size_t i = 0; i < cfg->nmailboxes && user == NULL; i++)
		if (cfg->mailboxes[i].oauth_cfg == o)
			user = cfg->mailboxes[i].user;
	if (user == NULL && cfg->have_smtp && cfg->smtp.oauth_cfg == o)
		user = cfg->smtp.user;
	printf("oauth %s: grant %s%s%s\n", o->name, oauth_grant_name(o->grant), o->token_endpoint ? ", " : "",
	       o->token_endpoint ? o->token_endpoint : "");
	if ((tok = oauth_token(s, user, 1, &in, &err)) == NULL) {
		printf("  no token: %s\n", err);
		free(err);
		return EXIT_TEMPFAIL;
	}
	say_token(o->grant == OAUTH_JWT_BEARER ? user : NULL, &in);
	token_free(tok);
	if ((tok = oauth_token(s, user, 0, &in, &err)) != NULL) {
		say_token(o->grant == OAUTH_JWT_BEARER ? user : NULL, &in);
		token_free(tok);
	} else {
		free(err);
	}
	for (size_t i = 0; i < cfg->nmailboxes; i++) {
		const struct mailbox_cfg *m = &cfg->mailboxes[i];
		if (m->oauth_cfg != o)
			continue;
		used++;
		oauth_src_forget(); /* the first login with a token obtained for it */
		bad |= try_login(m, o->grant == OAUTH_COMMAND ? "a command's" : "a new") == -1;
		if (o->grant != OAUTH_COMMAND)
			bad |= try_login(m, "the cached") == -1;
	}
	if (cfg->have_smtp && cfg->smtp.oauth_cfg == o) { /* the forwarder's submission server */
		struct timespec t0, t1;
		char *why = NULL;
		used++;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		enum smtp_status st = smtp_login(&cfg->smtp, &why);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (st == SMTP_SENT)
			printf("  smtp %s: logged in as %s in %.0f ms (the cached token), nothing sent\n",
			       cfg->smtp.url, cfg->smtp.user, ms);
		else
			printf("  smtp %s: login failed after %.0f ms: %s\n", cfg->smtp.url, ms, why ? why : "?");
		free(why);
		bad |= st != SMTP_SENT;
	}
	if (used == 0)
		printf("  neither a mailbox nor the smtp block names oauth %s: no login tried\n", o->name);
	return bad ? EXIT_TEMPFAIL : 0;
}

int
cmd_oauth(struct globals *g, int argc, char **argv)
{
	struct config cfg;
	const struct oauth_cfg *o;
	char *err = NULL;
	int r;

	if (argc != 3 || (strcmp(argv[1], "login") && strcmp(argv[1], "test"))) {
		fprintf(stderr, "usage: dcvmail oauth login|test NAME\n");
		return EXIT_USAGE;
	}
	if ((r = load_config_and_rules(g, &cfg, NULL, 0)) != 0)
		return r;
	if ((o = config_oauth(&cfg, argv[2])) == NULL) {
		char *c = text_clean(argv[2]);
		fprintf(stderr, "%s: %s: no oauth block is called '%s'\n", log_prefix(), cfg.path ? cfg.path : "config",
			c);
		free(c);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "test"))
		r = oauth_test(&cfg, o);
	else if ((r = oauth_device_login(o, stdout, &err)) == -1) {
		fprintf(stderr, "%s: %s\n", log_prefix(), err);
		free(err);
		r = EXIT_TEMPFAIL;
	}
	oauth_src_forget();
	config_free(&cfg);
	return r;
}
