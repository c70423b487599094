/* oauth-int.h — what oauth.c shares with oauth-jwt.c (assertions, key and
 * secret files) and oauth-device.c (RFC 8628). */
#ifndef DCVMAIL_OAUTH_INT_H
#define DCVMAIL_OAUTH_INT_H

#include <jansson.h>

#include "config.h"
#include "outbox/http.h"
#include "base/util.h"

/* form += "&key=value" (value URL-encoded; the encoded copy is wiped). */
void oauth_form_add(struct buf *form, const char *key, const char *value);
/* form += "&scope=a b c" when the block has a scope. */
void oauth_form_scope(struct buf *form, const struct oauth_cfg *o);
/* POST form to url; the form is wiped after. 0 with *out the JSON object of
 * a 200 answer; 1 with *out the JSON error object of a 4xx answer (with
 * "error"); -1 with *errp (transport, status, not JSON). */
int oauth_post(struct http *h, const struct oauth_cfg *o, const char *url, struct buf *form, json_t **out, char **errp);
/* The provider's "error (error_description)", printable, bounded. */
char *oauth_error_text(json_t *err);

/* JWTs (RFC 7519), RS256 (oauth-jwt.c). */
/* Microsoft's client assertion (RFC 7523 section 2.2): iss = sub = client
 * id, aud = the token endpoint, signed by client-key, with the
 * certificate's x5t (and x5t#S256) thumbprints. */
char *oauth_client_assertion(const struct oauth_cfg *o, char **errp);
/* A Google service account's assertion for sub (section 2.1): reads the
 * JSON key; *token_uri gets its token_uri (malloc'd) when asked. */
char *oauth_sa_assertion(const struct oauth_cfg *o, const char *sub, char **token_uri, char **errp);
/* Replace path by data with mode 0600: a temporary file in its directory,
 * fsync, rename, fsync of the directory. */
int oauth_write_secret(const char *path, const char *data, char **errp);

#endif
