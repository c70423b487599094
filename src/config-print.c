/* config-print.c — dcvmail -n -v: the effective configuration in
 * dcvmail.conf syntax (config_print). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config-int.h"
#include "base/log.h"
#include "base/util.h"

/* --- dcvmail -n -v: the effective configuration (config_print) --- */

/* A word as dcvmail.conf reads it back: quoted when it holds white space or
 * '#' (or is empty); a URL without its user-info. */
static void
print_word(FILE *out, const char *w)
{
	char *c = redact_userinfo(xstrdup(w ? w : ""));

	if (*c == '\0' || strpbrk(c, " \t#") != NULL)
		fprintf(out, " \"%s\"", c);
	else
		fprintf(out, " %s", c);
	free(c);
}

static void
print_words(FILE *out, const struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		print_word(out, sv->v[i]);
}

/* One table keyword of block blk: obj holds the values, def the defaults. */
static void
print_keyword(FILE *out, const char *indent, const struct keyword *k, const void *obj, const void *def)
{
	const void *f = (const char *)obj + k->off, *d = (const char *)def + k->off;

	switch (k->type) {
	case KW_STR:
		if (*(char *const *)f == NULL)
			fprintf(out, "%s# %s (not set)\n", indent, k->name);
		else {
			fprintf(out, "%s%s", indent, k->name);
			print_word(out, *(char *const *)f);
			fprintf(out, "\n");
		}
		break;
	case KW_BOOL:
		fprintf(out, "%s%s %s%s\n", indent, k->name, *(const int *)f ? "yes" : "no",
			*(const int *)f == *(const int *)d ? "  # default" : "");
		break;
	case KW_INT:
		fprintf(out, "%s%s %d%s\n", indent, k->name, *(const int *)f,
			*(const int *)f == *(const int *)d ? "  # default" : "");
		break;
	case KW_WORDS:
		if (((const struct strv *)f)->n == 0)
			fprintf(out, "%s# %s (none)\n", indent, k->name);
		else {
			fprintf(out, "%s%s", indent, k->name);
			print_words(out, f);
			fprintf(out, "\n");
		}
		break;
	case KW_FN:
	case KW_BLOCK: break;
	}
}

static void
print_limits(FILE *out, const struct config *c, const struct config *d)
{
	const struct msg_limits *l = &c->limits, *dl = &d->limits;
	const struct {
		const char *name;
		long long v, dv;
	} lim[] = {
		{ "message-size", (long long)l->max_size, (long long)dl->max_size },
		{ "mime-depth", l->max_depth, dl->max_depth },
		{ "mime-parts", l->max_parts, dl->max_parts },
		{ "header-count", l->max_headers, dl->max_headers },
		{ "line-length", (long long)l->max_line, (long long)dl->max_line },
		{ "text-size", (long long)l->max_text, (long long)dl->max_text },
		{ "links", l->max_links, dl->max_links },
		{ "regex-match", c->regex_match_limit, d->regex_match_limit },
		{ "regex-depth", c->regex_depth_limit, d->regex_depth_limit },
	};

	for (size_t i = 0; i < nitems(lim); i++)
		fprintf(out, "limit %s %lld%s\n", lim[i].name, lim[i].v, lim[i].v == lim[i].dv ? "  # default" : "");
}

/* The keywords of one block in table order; fn prints the KW_FN ones. */
static void
print_block(FILE *out, enum block blk, const char *indent, const void *obj, const void *def,
	    void (*fn)(FILE *, const char *kw, const void *obj))
{
	for (size_t i = 0; i < config_nkeywords; i++) {
		const struct keyword *k = &config_keyword_table[i];
		if (k->blk != blk)
			continue;
		if (k->type == KW_FN)
			fn(out, k->name, obj);
		else
			print_keyword(out, indent, k, obj, def);
	}
}

static void
print_top_fn(FILE *out, const char *kw, const void *obj)
{
	const struct config *c = obj;
	struct config d;

	if (!strcmp(kw, "digest")) {
		if (c->digest_at < 0)
			fprintf(out, "digest off\n");
		else
			fprintf(out, "digest %02d:%02d%s\n", c->digest_at / 60, c->digest_at % 60,
				c->digest_at == DIGEST_AT_DEFAULT ? "  # default" : "");
	} else if (!strcmp(kw, "dns-server"))
		fprintf(out, c->dns_server ? "dns-server %s\n" : "# dns-server (the system resolver)\n", c->dns_server);
	else if (!strcmp(kw, "notify-secret-file")) {
		if (c->notify_secret_file) {
			fprintf(out, "notify-secret-file");
			print_word(out, c->notify_secret_file);
			fprintf(out, "\n");
		} else
			fprintf(out, "# notify-secret-file (not set)\n");
	} else if (!strcmp(kw, "state-dir")) {
		fprintf(out, "state-dir");
		print_word(out, c->state_dir);
		fprintf(out, "%s\n", c->state_dir_line ? "" : "  # not from the file");
	} else if (!strcmp(kw, "rules-dir")) {
		fprintf(out, "rules-dir");
		print_word(out, c->rules_dir);
		fprintf(out, "%s\n", c->rules_dir_line ? "" : "  # not from the file");
	} else if (!strcmp(kw, "limit")) {
		config_defaults(&d);
		print_limits(out, c, &d);
	} else if (!strcmp(kw, "role")) {
		for (size_t i = 0; i < c->nroles; i++) {
			fprintf(out, "role %s", role_name(c->roles[i].role));
			print_words(out, &c->roles[i].addrs);
			fprintf(out, "\n");
		}
		if (c->nroles == 0)
			fprintf(out, "# role (none)\n");
	}
}

static void
print_mailbox_fn(FILE *out, const char *kw, const void *obj)
{
	const struct mailbox_cfg *m = obj;

	if (!strcmp(kw, "role"))
		fprintf(out, "    role %s\n", role_name(m->role));
}

static void
print_oauth_fn(FILE *out, const char *kw, const void *obj)
{
	const struct oauth_cfg *o = obj;

	if (!strcmp(kw, "grant"))
		fprintf(out, "    grant %s\n", oauth_grant_name(o->grant));
	else if (!strcmp(kw, "provider"))
		fprintf(out, "    provider %s\n",
			o->provider == OAUTH_MICROSOFT ? "microsoft"
			: o->provider == OAUTH_GOOGLE  ? "google"
						       : "other");
}

static void
print_smtp_fn(FILE *out, const char *kw, const void *obj)
{
	const struct smtp_cfg *sc = obj;
	static const char *const auth[] = { "password", "xoauth2", "oauthbearer" };

	if (!strcmp(kw, "auth"))
		fprintf(out, "    auth %s%s\n", auth[sc->auth], sc->auth == AUTH_PASSWORD ? "  # default" : "");
	else if (!strcmp(kw, "token-command") && sc->token_command.n) {
		fprintf(out, "    token-command");
		print_words(out, &sc->token_command);
		fprintf(out, "\n");
	}
}

static void
print_route_fn(FILE *out, const char *kw, const void *obj)
{
	const struct route_cfg *r = obj;
	const struct strv *sv = !strcmp(kw, "role") ? &r->roles : !strcmp(kw, "type") ? &r->types : NULL;

	if (sv && sv->n) {
		fprintf(out, "    %s", kw);
		print_words(out, sv);
		fprintf(out, "\n");
	}
}

void
config_print(FILE *out, const struct config *c, const struct config_ops *ops)
{
	struct config d;
	struct mailbox_cfg md;
	struct smtp_cfg sd;

	(void)ops;
	config_defaults(&d);
	fprintf(out, "# effective configuration, from %s\n", c->path ? c->path : "the built-in defaults");
	for (size_t i = 0; i < config_nkeywords; i++) { /* the top level first, blocks after */
		const struct keyword *k = &config_keyword_table[i];
		if (k->blk != B_TOP || k->type == KW_BLOCK)
			continue;
		if (k->type == KW_FN)
			print_top_fn(out, k->name, c);
		else
			print_keyword(out, "", k, c, &d);
	}
	memset(&md, 0, sizeof(md));
	md.poll_interval = 60, md.timeout = 60, md.idle = 1, md.idle_refresh = 1500, md.reconnect_max = 300;
	for (size_t i = 0; i < c->nmailboxes; i++) {
		fprintf(out, "mailbox");
		print_word(out, c->mailboxes[i].name);
		fprintf(out, " {  # line %d\n", c->mailboxes[i].line);
		print_block(out, B_MAILBOX, "    ", &c->mailboxes[i], &md, print_mailbox_fn);
		fprintf(out, "}\n");
	}
	for (size_t i = 0; i < c->noauths; i++) {
		struct oauth_cfg od;
		memset(&od, 0, sizeof(od));
		od.timeout = 30;
		fprintf(out, "oauth");
		print_word(out, c->oauths[i].name);
		fprintf(out, " {  # line %d\n", c->oauths[i].line);
		print_block(out, B_OAUTH, "    ", &c->oauths[i], &od, print_oauth_fn);
		fprintf(out, "}\n");
	}
	if (c->have_smtp) {
		sd = d.smtp;
		fprintf(out, "smtp {  # line %d\n", c->smtp.line);
		for (size_t i = 0; i < config_nkeywords; i++) {
			const struct keyword *k = &config_keyword_table[i];
			if (k->blk != B_SMTP)
				continue;
			if (!strcmp(k->name, "require-tls") && c->smtp.require_tls == -1)
				fprintf(out, "    # require-tls (not set: yes, except to a loopback address)\n");
			else if (k->type == KW_FN)
				print_smtp_fn(out, k->name, &c->smtp);
			else
				print_keyword(out, "    ", k, &c->smtp, &sd);
		}
		fprintf(out, "}\n");
	}
	for (size_t i = 0; i < c->nroutes; i++) {
		const struct route_cfg *r = &c->routes[i];
		struct route_cfg rd;
		memset(&rd, 0, sizeof(rd));
		fprintf(out, "route%s {  # line %d\n", r->is_default ? " default" : "", r->line);
		print_block(out, B_ROUTE, "    ", r, &rd, print_route_fn);
		for (size_t j = 0; j < r->nactions; j++) {
			fprintf(out, "    %s", r->actions[j].kind->name);
			print_words(out, &r->actions[j].targets);
			fprintf(out, "\n");
		}
		fprintf(out, "}\n");
	}
	config_free(&d);
}

/* "route has no action (forward, redirect, notify, approve)": the kinds a route may name */
