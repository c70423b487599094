/* oauth.c — h-oauth: token sources (oauth.h): the cache, the grants, and
 * the requests to the token endpoint. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "base/lib-curl.h"

#include "outbox/oauth.h"
#include "outbox/oauth-int.h"
#include "base/log.h"
#include "base/token-cmd.h"
#include "base/util.h"

struct cached {
	char *user; /* "" for a token that is the same for every user */
	char *tok;
	double until; /* now_mono() after which it is not used */
};

struct oauth_src {
	const struct oauth_cfg *cfg;
	char *name; /* to tell a reloaded block from the one this was made for */
	struct http *http;
	struct cached *c;
	size_t nc;
};

static struct oauth_src **srcs;
static size_t nsrcs;

/* jansson's strings hold tokens: wiped when freed. */
static void
wipe_free(void *p)
{
	if (p) {
		explicit_bzero(p, malloc_usable_size(p));
		free(p);
	}
}

static void
protect_process(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	json_set_alloc_funcs(malloc, wipe_free);
	/* no core file and no ptrace by the same user: the memory holds tokens
	 * and secrets (ssh-agent does the same) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

struct oauth_src *
oauth_src_get(const struct oauth_cfg *o)
{
	struct oauth_src *s;

	protect_process();
	for (size_t i = 0; i < nsrcs; i++)
		if (srcs[i]->cfg == o && !strcmp(srcs[i]->name, o->name))
			return srcs[i];
	s = xcalloc(1, sizeof(*s));
	s->cfg = o;
	s->name = xstrdup(o->name);
	srcs = xreallocarray(srcs, nsrcs + 1, sizeof(*srcs));
	srcs[nsrcs++] = s;
	return s;
}

static void
cached_drop(struct cached *c)
{
	free(c->user);
	token_free(c->tok);
	memset(c, 0, sizeof(*c));
}

void
oauth_src_forget(void)
{
	for (size_t i = 0; i < nsrcs; i++) {
		for (size_t j = 0; j < srcs[i]->nc; j++)
			cached_drop(&srcs[i]->c[j]);
		free(srcs[i]->c);
		http_free(srcs[i]->http);
		free(srcs[i]->name);
		free(srcs[i]);
	}
	free(srcs);
	srcs = NULL;
	nsrcs = 0;
}

void
oauth_form_add(struct buf *form, const char *key, const char *value)
{
	char *e = curl_easy_escape(NULL, value, 0);

	buf_printf(form, "%s%s=%s", form->len ? "&" : "", key, e ? e : "");
	if (e) {
		explicit_bzero(e, strlen(e));
		curl_free(e);
	}
}

void
oauth_form_scope(struct buf *form, const struct oauth_cfg *o)
{
	struct buf sc;

	if (o->scope.n == 0)
		return;
	buf_init(&sc, 0);
	for (size_t i = 0; i < o->scope.n; i++)
		buf_printf(&sc, "%s%s", i ? " " : "", o->scope.v[i]);
	oauth_form_add(form, "scope", sc.data);
	buf_free(&sc);
}

/* Printable ASCII only, at most 200 bytes: a provider's text in our errors. */
static char *
clean(const char *s)
{
	char *r = xstrdup(s ? s : "");
	size_t i;

	for (i = 0; r[i] && i < 200; i++)
		if ((unsigned char)r[i] < 0x20 || (unsigned char)r[i] > 0x7e)
			r[i] = ' ';
	r[i] = '\0';
	return r;
}

char *
oauth_error_text(json_t *err)
{
	char *code = clean(json_string_value(json_object_get(err, "error"))),
	     *desc = clean(json_string_value(json_object_get(err, "error_description"))), *r;

	r = *desc ? xasprintf("%s (%s)", *code ? code : "error", desc) : xstrdup(*code ? code : "no error code");
	free(code);
	free(desc);
	return r;
}

static void
wipe_buf(struct buf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->len);
	buf_free(b);
}

int
oauth_post(struct http *h, const struct oauth_cfg *o, const char *url, struct buf *form, json_t **out, char **errp)
{
	static const char *const hdr[] = { "Content-Type: application/x-www-form-urlencoded",
					   "Accept: application/json", NULL };
	struct http_resp r;
	json_t *j;
	int rc;

	*out = NULL;
	rc = http_request(h, "POST", url, form->data, form->len, hdr, &r);
	wipe_buf(form);
	if (rc == -1) {
		*errp = xasprintf("oauth '%s': %s: %s", o->name, url, r.error);
		http_resp_free(&r);
		return -1;
	}
	j = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
	wipe_buf(&r.body);
	if (r.status == 200 && json_is_object(j)) {
		*out = j;
		rc = 0;
	} else if (r.status >= 400 && r.status < 500 && json_is_object(j) && json_object_get(j, "error")) {
		*out = j;
		rc = 1;
	} else {
		*errp = xasprintf("oauth '%s': %s answered %ld%s", o->name, url, r.status,
				  j ? " without the JSON expected" : ", not JSON");
		json_decref(j);
		rc = -1;
	}
	http_resp_free(&r);
	return rc;
}

/* A token endpoint's answer: the token and its lifetime, or *errp. */
static char *
take_token(const struct oauth_cfg *o, const char *url, int rc, json_t *j, long *expires_in, char **errp)
{
	const char *t = json_string_value(json_object_get(j, "access_token"));
	json_t *e = json_object_get(j, "expires_in");

	if (rc == 1) {
		char *why = oauth_error_text(j);
		*errp = xasprintf("oauth '%s': %s refused: %s", o->name, url, why);
		free(why);
		return NULL;
	}
	if (t == NULL || *t == '\0' || strpbrk(t, " \r\n\001")) {
		*errp = xasprintf("oauth '%s': %s gave no usable access_token", o->name, url);
		return NULL;
	}
	/* expires_in is a number; some providers send it as a string */
	*expires_in = json_is_integer(e)  ? (long)json_integer_value(e)
		      : json_is_string(e) ? strtol(json_string_value(e), NULL, 10)
					  : -1;
	return xstrdup(t);
}

static struct http *
http_of(struct oauth_src *s)
{
	if (s->http == NULL)
		s->http = http_new(s->cfg->ca_file, s->cfg->timeout, 64 * 1024);
	return s->http;
}

static char *
grant_refresh(struct oauth_src *s, long *exp, int *rotated, char **errp)
{
	const struct oauth_cfg *o = s->cfg;
	char *rt, *secret = NULL, *e = NULL, *tok;
	const char *nrt;
	struct buf f;
	json_t *j;
	int rc;

	if ((rt = config_read_secret(o->refresh_token_file, &e)) == NULL) {
		*errp = xasprintf("oauth '%s': refresh-token-file %s (get one with: dcvmail oauth login %s)", o->name,
				  e, o->name);
		free(e);
		return NULL;
	}
	if (o->client_secret_file && (secret = config_read_secret(o->client_secret_file, &e)) == NULL) {
		*errp = xasprintf("oauth '%s': client-secret-file %s", o->name, e);
		free(e);
		token_free(rt);
		return NULL;
	}
	buf_init(&f, 0);
	oauth_form_add(&f, "grant_type", "refresh_token");
	oauth_form_add(&f, "refresh_token", rt);
	oauth_form_add(&f, "client_id", o->client_id);
	if (secret)
		oauth_form_add(&f, "client_secret", secret);
	oauth_form_scope(&f, o);
	token_free(secret);
	if ((rc = oauth_post(http_of(s), o, o->token_endpoint, &f, &j, errp)) == -1) {
		token_free(rt);
		return NULL;
	}
	if ((tok = take_token(o, o->token_endpoint, rc, j, exp, errp)) == NULL && rc == 1 &&
	    !strcmp(json_string_value(json_object_get(j, "error")) ?: "", "invalid_grant")) {
		char *t = *errp; /* revoked or expired: only a person can get a new one */
		*errp = xasprintf("%s; the refresh token is no longer valid: get a new one with: dcvmail oauth "
				  "login %s",
				  t, o->name);
		free(t);
	}
	nrt = json_string_value(json_object_get(j, "refresh_token"));
	if (tok && nrt && *nrt && strcmp(nrt, rt)) { /* rotated: the old one may be dead already */
		if (oauth_write_secret(o->refresh_token_file, nrt, &e) == -1) {
			log_warnx("oauth '%s': the provider rotated the refresh token but it could not be stored: %s",
				  o->name, e);
			free(e);
		} else
			*rotated = 1;
	}
	token_free(rt);
	json_decref(j);
	return tok;
}

static char *
grant_client_credentials(struct oauth_src *s, long *exp, char **errp)
{
	const struct oauth_cfg *o = s->cfg;
	char *secret = NULL, *assertion = NULL, *e = NULL, *tok;
	struct buf f;
	json_t *j;
	int rc;

	if (o->client_secret_file && (secret = config_read_secret(o->client_secret_file, &e)) == NULL) {
		*errp = xasprintf("oauth '%s': client-secret-file %s", o->name, e);
		free(e);
		return NULL;
	}
	if (o->client_certificate && (assertion = oauth_client_assertion(o, errp)) == NULL)
		return NULL;
	buf_init(&f, 0);
	oauth_form_add(&f, "grant_type", "client_credentials");
	oauth_form_add(&f, "client_id", o->client_id);
	if (secret)
		oauth_form_add(&f, "client_secret", secret);
	else {
		oauth_form_add(&f, "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
		oauth_form_add(&f, "client_assertion", assertion);
	}
	oauth_form_scope(&f, o);
	token_free(secret);
	token_free(assertion);
	if ((rc = oauth_post(http_of(s), o, o->token_endpoint, &f, &j, errp)) == -1)
		return NULL;
	tok = take_token(o, o->token_endpoint, rc, j, exp, errp);
	json_decref(j);
	return tok;
}

static char *
grant_jwt_bearer(struct oauth_src *s, const char *user, long *exp, char **errp)
{
	const struct oauth_cfg *o = s->cfg;
	char *assertion, *uri = NULL, *tok;
	const char *url;
	struct buf f;
	json_t *j;
	int rc;

	if ((assertion = oauth_sa_assertion(o, o->subject ? o->subject : user, &uri, errp)) == NULL)
		return NULL;
	url = o->token_endpoint ? o->token_endpoint : uri;
	buf_init(&f, 0);
	oauth_form_add(&f, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
	oauth_form_add(&f, "assertion", assertion);
	token_free(assertion);
	if ((rc = oauth_post(http_of(s), o, url, &f, &j, errp)) == -1) {
		free(uri);
		return NULL;
	}
	tok = take_token(o, url, rc, j, exp, errp);
	json_decref(j);
	free(uri);
	return tok;
}

static struct cached *
cache_slot(struct oauth_src *s, const char *key)
{
	for (size_t i = 0; i < s->nc; i++)
		if (!strcmp(s->c[i].user, key))
			return &s->c[i];
	s->c = xreallocarray(s->c, s->nc + 1, sizeof(*s->c));
	memset(&s->c[s->nc], 0, sizeof(s->c[0]));
	s->c[s->nc].user = xstrdup(key);
	return &s->c[s->nc++];
}

char *
oauth_token(struct oauth_src *s, const char *user, int fresh, struct oauth_info *info, char **errp)
{
	const struct oauth_cfg *o = s->cfg;
	struct oauth_info dummy;
	const char *key = o->grant == OAUTH_JWT_BEARER && o->subject == NULL && user ? user : "";
	struct cached *c = cache_slot(s, key);
	double t0 = now_mono();
	long exp = -1;
	char *tok = NULL, *e = NULL;

	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	info->expires_in = -1;
	if (!fresh && c->tok && t0 < c->until) {
		info->cached = 1;
		info->expires_in = (long)(c->until - t0);
		return xstrdup(c->tok);
	}
	token_free(c->tok);
	c->tok = NULL;
	switch (o->grant) {
	case OAUTH_REFRESH_TOKEN: tok = grant_refresh(s, &exp, &info->rotated, errp); break;
	case OAUTH_CLIENT_CREDENTIALS: tok = grant_client_credentials(s, &exp, errp); break;
	case OAUTH_JWT_BEARER: tok = grant_jwt_bearer(s, user, &exp, errp); break;
	case OAUTH_COMMAND: /* no lifetime known: run each time, not cached */
		if ((tok = token_cmd_run(o->token_command.v, o->timeout, &e)) == NULL) {
			*errp = xasprintf("oauth '%s': token-command %s", o->name, e);
			free(e);
		}
		break;
	case OAUTH_GRANT_NONE: *errp = xasprintf("oauth '%s' has no grant", o->name); break;
	}
	info->ms = (now_mono() - t0) * 1000;
	if (tok == NULL)
		return NULL;
	info->expires_in = exp;
	if (o->grant != OAUTH_COMMAND) {
		/* kept until shortly before it expires: a minute, or a fifth of a short lifetime */
		long life = exp > 0 ? exp : 300;
		c->tok = xstrdup(tok);
		c->until = t0 + (double)life - (life >= 300 ? 60.0 : (double)life / 5);
	}
	return tok;
}
