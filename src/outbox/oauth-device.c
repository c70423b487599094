/* oauth-device.c — h-oauth: dcvmail oauth login, the device authorization
 * grant (RFC 8628): a person signs in on another device with the code we
 * print; we poll the token endpoint and keep the refresh token. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbox/oauth.h"
#include "outbox/oauth-int.h"
#include "base/token-cmd.h"
#include "base/util.h"

/* The client id and (if any) secret, as both requests send them. */
static int
client_form(const struct oauth_cfg *o, struct buf *f, char **errp)
{
	char *secret = NULL, *e = NULL;

	if (o->client_secret_file && (secret = config_read_secret(o->client_secret_file, &e)) == NULL) {
		*errp = xasprintf("oauth '%s': client-secret-file %s", o->name, e);
		free(e);
		return -1;
	}
	oauth_form_add(f, "client_id", o->client_id);
	if (secret)
		oauth_form_add(f, "client_secret", secret);
	token_free(secret);
	return 0;
}

/* Poll until the person has signed in (RFC 8628 section 3.4, 3.5). The
 * refresh token, or NULL with *errp. */
static char *
poll_token(struct http *h, const struct oauth_cfg *o, const char *device_code, long interval, long expires_in,
	   FILE *out, char **errp)
{
	double end = now_mono() + (double)expires_in;
	struct buf f;
	json_t *j;
	int rc;

	for (;;) {
		sleep((unsigned)interval);
		if (now_mono() > end) {
			*errp = xasprintf("oauth '%s': the code expired before the sign-in; run dcvmail oauth login %s "
					  "again",
					  o->name, o->name);
			return NULL;
		}
		buf_init(&f, 0);
		oauth_form_add(&f, "grant_type", "urn:ietf:params:oauth:grant-type:device_code");
		oauth_form_add(&f, "device_code", device_code);
		if (client_form(o, &f, errp) == -1) {
			buf_free(&f);
			return NULL;
		}
		if ((rc = oauth_post(h, o, o->token_endpoint, &f, &j, errp)) == -1)
			return NULL;
		const char *err = json_string_value(json_object_get(j, "error"));
		if (rc == 0) {
			const char *rt = json_string_value(json_object_get(j, "refresh_token"));
			char *r = rt && *rt ? xstrdup(rt) : NULL;
			if (r == NULL)
				*errp = xasprintf("oauth '%s': signed in, but %s gave no refresh token (does the scope "
						  "ask for offline access?)",
						  o->name, o->token_endpoint);
			json_decref(j);
			return r;
		}
		if (err && !strcmp(err, "authorization_pending")) {
			fprintf(out, "waiting for the sign-in...\n");
		} else if (err && !strcmp(err, "slow_down")) {
			interval += 5; /* section 3.5: and for every later request */
			fprintf(out, "the provider asks to poll less often: every %ld s now\n", interval);
		} else {
			char *why = oauth_error_text(j);
			*errp = xasprintf("oauth '%s': %s: %s%s", o->name, o->token_endpoint, why,
					  err && !strcmp(err, "expired_token")	 ? "; run dcvmail oauth login again"
					  : err && !strcmp(err, "access_denied") ? "; the sign-in was declined"
										 : "");
			free(why);
			json_decref(j);
			return NULL;
		}
		fflush(out);
		json_decref(j);
	}
}

int
oauth_device_login(const struct oauth_cfg *o, FILE *out, char **errp)
{
	struct http *h;
	struct buf f;
	json_t *j = NULL;
	const char *code, *user_code, *uri, *uri_full;
	char *rt;
	long interval, expires_in;
	int rc;

	if (o->grant != OAUTH_REFRESH_TOKEN || o->device_endpoint == NULL) {
		*errp = xasprintf("oauth '%s': login needs grant refresh-token and a device-endpoint (or a provider "
				  "preset); grant %s gets its tokens without a person",
				  o->name, oauth_grant_name(o->grant));
		return -1;
	}
	oauth_src_get(o); /* the same protection of memory as any token source */
	if ((h = http_new(o->ca_file, o->timeout, 64 * 1024)) == NULL) {
		*errp = xasprintf("oauth '%s': cannot start an HTTPS client", o->name);
		return -1;
	}
	buf_init(&f, 0);
	if (client_form(o, &f, errp) == -1) {
		http_free(h);
		return -1;
	}
	oauth_form_scope(&f, o);
	if ((rc = oauth_post(h, o, o->device_endpoint, &f, &j, errp)) != 0) {
		if (rc == 1) {
			char *why = oauth_error_text(j);
			*errp = xasprintf("oauth '%s': %s refused: %s", o->name, o->device_endpoint, why);
			free(why);
		}
		json_decref(j);
		http_free(h);
		return -1;
	}
	code = json_string_value(json_object_get(j, "device_code"));
	user_code = json_string_value(json_object_get(j, "user_code"));
	uri = json_string_value(json_object_get(j, "verification_uri"));
	if (uri == NULL) /* Google's name for it */
		uri = json_string_value(json_object_get(j, "verification_url"));
	uri_full = json_string_value(json_object_get(j, "verification_uri_complete"));
	interval = json_is_integer(json_object_get(j, "interval"))
			   ? (long)json_integer_value(json_object_get(j, "interval"))
			   : 5;
	expires_in = json_is_integer(json_object_get(j, "expires_in"))
			     ? (long)json_integer_value(json_object_get(j, "expires_in"))
			     : 900;
	if (code == NULL || user_code == NULL || uri == NULL) {
		*errp = xasprintf("oauth '%s': %s gave no device_code, user_code and verification_uri", o->name,
				  o->device_endpoint);
		json_decref(j);
		http_free(h);
		return -1;
	}
	if (interval < 1)
		interval = 1;
	fprintf(out, "oauth %s: sign in as the mailbox's user within %ld minutes:\n  open  %s\n  enter %s\n", o->name,
		(expires_in + 59) / 60, uri, user_code);
	if (uri_full)
		fprintf(out, "  (or open %s)\n", uri_full);
	fflush(out);
	rt = poll_token(h, o, code, interval, expires_in, out, errp);
	json_decref(j);
	http_free(h);
	if (rt == NULL)
		return -1;
	rc = oauth_write_secret(o->refresh_token_file, rt, errp);
	token_free(rt);
	if (rc == -1)
		return -1;
	fprintf(out, "oauth %s: signed in; the refresh token is in %s (mode 0600)\n", o->name, o->refresh_token_file);
	return 0;
}
