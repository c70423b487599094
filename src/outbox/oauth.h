/* oauth.h — h-oauth: OAuth 2.0 access tokens from an oauth NAME { } block of
 * dcvmail.conf(5), for any caller that logs in with SASL XOAUTH2 or
 * OAUTHBEARER (IMAP in intake, SMTP in the outbox). The grants: refresh-token
 * (RFC 6749 section 6; a rotated refresh token is written back atomically,
 * 0600), client-credentials with a client secret or a certificate's client
 * assertion (RFC 7523, RS256), jwt-bearer (a Google service account, sub =
 * the mailbox), command (a token-command). Requests go through the outbox's
 * HTTPS client (http.h: certificate checked, ca-file of the block).
 *
 * A token is held in memory only, until shortly before its expires_in, and
 * never appears in a log, an error text, argv or a core file (the process is
 * made non-dumpable when a source is first used); callers wipe the copies
 * they get with token_free (base/token-cmd.h). */
#ifndef DCVMAIL_OAUTH_H
#define DCVMAIL_OAUTH_H

#include <stdio.h>

#include "config.h"

struct oauth_src;

/* What oauth_token did, for dcvmail oauth test and the logs. */
struct oauth_info {
	int cached;	 /* 1: from the memory cache, no request */
	double ms;	 /* time it took */
	long expires_in; /* seconds the token is valid from now (-1: not known) */
	int rotated;	 /* 1: the provider sent a new refresh token, written back */
};

/* The one token source of block o in this process (made on first use, kept
 * with its cache until oauth_src_forget); never NULL. */
struct oauth_src *oauth_src_get(const struct oauth_cfg *o);
/* Drop every source and wipe their cached tokens (after a reload). */
void oauth_src_forget(void);

/* An access token for user (the mailbox's login; jwt-bearer signs it in as
 * sub unless the block sets subject; the other grants have one token for
 * all users). fresh: ignore the cache (the server refused the cached one).
 * Returns the token (malloc'd; free with token_free) and fills *info (may be
 * NULL), or NULL with *errp naming the block, the endpoint and the
 * provider's error code and description, never a secret. */
char *oauth_token(struct oauth_src *, const char *user, int fresh, struct oauth_info *info, char **errp);

/* dcvmail oauth login: the device authorization grant (RFC 8628) of block o
 * (grant refresh-token): prints the verification URL and user code to out,
 * polls the token endpoint (authorization_pending, slow_down, expired_token,
 * access_denied) and stores the refresh token in refresh-token-file (0600,
 * atomically). 0, or -1 with *errp. */
int oauth_device_login(const struct oauth_cfg *o, FILE *out, char **errp);

#endif
