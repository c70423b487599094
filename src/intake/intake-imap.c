/* intake-imap.c — one IMAP connection per mailbox: TLS checked before LOGIN,
 * new mail fetched with BODY.PEEK[] (\Seen untouched) one message at a time,
 * recorded, and only then the UID high-water mark, the $Dcvmail keyword and
 * the move to move-to. IDLE support for the watch loop (watch.c). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/lib-etpan.h"
#include "base/lib-crypto.h"

#include "intake/logline.h"
#include "intake/intake-imap.h"
#include "base/log.h"
#include "base/mutf7.h"
#include "base/mail-url.h"
#include "base/token-cmd.h"
#include "outbox/oauth.h"
#include "base/tls.h"
#include "base/util.h"

#define KEYWORD "$Dcvmail"
#define MARK_EVERY 64 /* messages recorded between two UID marks (and keyword stores) */

struct imap_conn {
	const struct mailbox_cfg *mb;
	mailimap *imap;
	int readonly, idling;
	int can_idle, can_move, can_uidplus;
	uint32_t uidvalidity;
	uint32_t seen;	    /* readonly: the last UID shown, since no mark is stored */
	char folder[512];   /* as configured (UTF-8), for logs */
	char *folder_wire;  /* the folder's and move-to's names on the server: */
	char *move_to_wire; /* modified UTF-7 (RFC 3501 5.1.3) */
};

/* The server's name of a folder the config names in UTF-8 ("処理済み" ->
 * "&UeZ0Bm4IMH8-"). A name already in modified UTF-7, with non-ASCII in
 * it, is kept as written. NULL when the name is not UTF-8. */
static char *
wire_name(const char *name)
{
	char *d = strchr(name, '&') ? mutf7_decode(name) : NULL;

	if (d) {
		int wide = 0;
		for (const char *p = d; *p; p++)
			wide |= (unsigned char)*p >= 0x80;
		free(d);
		if (wide)
			return xstrdup(name);
	}
	return mutf7_encode(name);
}

static int
connect_checked(mailimap *imap, const struct mailbox_cfg *mb, const struct imap_url *u, char **errp)
{
	int r;

	if (u->tls)
		r = mailimap_ssl_connect_with_callback(imap, u->host, u->port, tls_set_sni, (void *)u->host);
	else
		r = mailimap_socket_connect(imap, u->host, u->port);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED && r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		*errp = xasprintf("%s: cannot connect to %s:%u (%d)", mb->name, u->host, u->port, r);
		return -1;
	}
	if (!u->tls) {
		if (mb->insecure_plaintext && host_is_loopback(u->host))
			return 0;
		r = mailimap_socket_starttls_with_callback(imap, tls_set_sni, (void *)u->host);
		if (r != MAILIMAP_NO_ERROR) {
			*errp = xasprintf("%s: STARTTLS failed on %s (plain IMAP is refused)", mb->name, u->host);
			return -2;
		}
	}
	if (tls_verify_stream(imap->imap_stream, u->host, mb->ca_file, errp) == -1) {
		char *e = *errp;
		*errp = xasprintf("%s: %s; not logging in", mb->name, e);
		free(e);
		return -2;
	}
	return 0;
}

/* The raw message of one FETCH response item, and its UID. */
static int
fetched(struct mailimap_msg_att *ma, const char **data, size_t *len, uint32_t *uid)
{
	clistiter *it;

	*data = NULL;
	*uid = 0;
	for (it = clist_begin(ma->att_list); it; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		struct mailimap_msg_att_static *st = item->att_data.att_static;
		if (st->att_type == MAILIMAP_MSG_ATT_UID)
			*uid = st->att_data.att_uid;
		else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION && st->att_data.att_body_section) {
			*data = st->att_data.att_body_section->sec_body_part;
			*len = st->att_data.att_body_section->sec_length;
		}
	}
	return *data && *uid ? 0 : -1;
}

/* A UID set with runs of consecutive UIDs as ranges (uids ascending). */
static struct mailimap_set *
uid_set(const uint32_t *uids, size_t n)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	size_t i = 0, j;

	while (i < n) {
		for (j = i; j + 1 < n && uids[j + 1] == uids[j] + 1; j++)
			;
		if (j == i)
			mailimap_set_add_single(set, uids[i]);
		else
			mailimap_set_add_interval(set, uids[i], uids[j]);
		i = j + 1;
	}
	return set;
}

static int
store_flag(struct imap_conn *c, struct mailimap_set *set, struct mailimap_flag *flag)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *sf;
	int r;

	mailimap_flag_list_add(fl, flag);
	sf = mailimap_store_att_flags_new_add_flags_silent(fl);
	r = mailimap_uid_store(c->imap, set, sf);
	mailimap_store_att_flags_free(sf);
	return r;
}

static int
stream_broken(int r)
{
	return r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_PARSE || r == MAILIMAP_ERROR_SSL;
}

/* Move recorded mail to move-to: UID MOVE, else COPY + \Deleted + UID
 * EXPUNGE (UIDPLUS; without it the copies stay flagged \Deleted, since a
 * plain EXPUNGE would also remove what people deleted). -1: connection lost. */
static int
move_done(struct imap_conn *c, struct mailimap_set *set, size_t n, struct imap_stats *stats, char **errp)
{
	int r;

	if (c->can_move)
		r = mailimap_uid_move(c->imap, set, c->move_to_wire);
	else if ((r = mailimap_uid_copy(c->imap, set, c->move_to_wire)) == MAILIMAP_NO_ERROR &&
		 (r = store_flag(c, set, mailimap_flag_new_deleted())) == MAILIMAP_NO_ERROR) {
		if (c->can_uidplus)
			r = mailimap_uid_expunge(c->imap, set);
		else
			log_warnx("%s: the server has neither MOVE nor UIDPLUS: processed mail is copied to %s "
				  "and flagged \\Deleted, not expunged",
				  c->mb->name, c->mb->move_to);
	}
	if (r == MAILIMAP_NO_ERROR) {
		stats->moved += n;
		return 0;
	}
	if (stream_broken(r)) {
		*errp = xasprintf("%s: connection lost while moving mail to %s", c->mb->name, c->mb->move_to);
		return -1;
	}
	log_warnx("%s: cannot move processed mail to folder %s (%s on the server; does it exist?); it stays in %s "
		  "and is tried again on the next pass",
		  c->mb->name, c->mb->move_to, c->move_to_wire, c->folder);
	return 0;
}

/* After uids[0..n) are recorded: the mark in the ledger first (durable), then
 * the keyword and the move, which only help people and are retried. */
static int
mark_done(struct imap_conn *c, const struct process_ctx *ctx, uint32_t uv, const uint32_t *uids, size_t n,
	  struct imap_stats *stats, char **errp)
{
	struct mailimap_set *set;
	int r, rc = 0;

	if (n == 0 || c->readonly || ctx->st == NULL)
		return 0;
	if (store_imap_set(ctx->st, c->mb->name, uv, uids[n - 1], errp) == -1)
		return -1;
	set = uid_set(uids, n);
	r = store_flag(c, set, mailimap_flag_new_flag_keyword(xstrdup(KEYWORD)));
	if (stream_broken(r)) { /* servers without keywords refuse: harmless */
		*errp = xasprintf("%s: connection lost after recording (the mark is kept)", c->mb->name);
		rc = -1;
	} else if (c->mb->move_to)
		rc = move_done(c, set, n, stats, errp);
	mailimap_set_free(set);
	return rc;
}

#define SPOOL_CHUNK (1U << 20) /* bytes per partial FETCH of an oversized message */

/* One partial BODY.PEEK[]<off.n> of uid into the spool; *got: bytes it had. */
static int
fetch_part(struct imap_conn *c, uint32_t uid, uint32_t off, struct spool *sp, size_t *got, char **errp)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	clist *res = NULL;
	const char *data;
	size_t len = 0;
	uint32_t u;
	int r, rc = -1;

	*got = 0;
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(
		ft, mailimap_fetch_att_new_body_peek_section_partial(mailimap_section_new(NULL), off, SPOOL_CHUNK));
	r = mailimap_uid_fetch(c->imap, set, ft, &res);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR) {
		*errp = xasprintf("%s: UID FETCH %u (from byte %u) failed (%d)", c->mb->name, uid, off, r);
		return -1;
	}
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		int have = fetched(clist_content(it), &data, &len, &u) == 0;
		if (u != uid)
			continue;
		/* past the end: an empty string, which may come as no data at all */
		rc = have ? store_spool_add(sp, data, len, errp) : 0;
		*got = have ? len : 0;
		break;
	}
	if (rc == -1 && *errp == NULL)
		*errp = xasprintf("%s: UID %u vanished while it was fetched", c->mb->name, uid);
	mailimap_fetch_list_free(res);
	return rc;
}

/* A message longer than the max_size + 1 bytes fetched first: the whole of
 * it goes to the archive in partial fetches (a dry run only hashes it), so
 * that it is recorded by all of its bytes, never as a prefix. */
static int
spool_rest(struct imap_conn *c, const struct process_ctx *ctx, uint32_t uid, const char *head, size_t len, char sha[65],
	   size_t *total, char **errp)
{
	struct spool *sp = store_spool_begin(ctx->dry_run ? NULL : ctx->st, errp);
	size_t got = len;

	if (sp == NULL || store_spool_add(sp, head, len, errp) == -1) {
		store_spool_abort(sp);
		return -1;
	}
	for (size_t off = len; got > 0; off += got) {
		if (off >= UINT32_MAX - SPOOL_CHUNK) {
			*errp = xasprintf("%s: UID %u is too large to fetch", c->mb->name, uid);
			store_spool_abort(sp);
			return -1;
		}
		if (fetch_part(c, uid, (uint32_t)off, sp, &got, errp) == -1) {
			store_spool_abort(sp);
			return -1;
		}
	}
	return store_spool_finish(sp, sha, total, errp);
}

/* Fetch and record one message (max_size + 1 bytes of it first: a longer one
 * is oversized, and archived whole by spool_rest). 0, -1 on a processing or
 * connection failure. */
static int
one(struct imap_conn *c, const struct process_ctx *ctx, FILE *out, uint32_t uid, struct imap_stats *stats, char **errp)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	size_t max = ctx->cfg->limits.max_size;
	uint32_t cap = max >= UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)max + 1;
	clist *res = NULL;
	const char *data;
	size_t len = 0;
	uint32_t got;
	int r, rc = 0;

	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(
		ft, mailimap_fetch_att_new_body_peek_section_partial(mailimap_section_new(NULL), 0, cap));
	r = mailimap_uid_fetch(c->imap, set, ft, &res);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR) {
		*errp = xasprintf("%s: UID FETCH %u failed (%d)", c->mb->name, uid, r);
		return -1;
	}
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		if (fetched(clist_content(it), &data, &len, &got) == -1 || got != uid)
			continue; /* expunged meanwhile, or an unsolicited FETCH */
		struct envelope env = { "imap", c->mb->name, NULL, NULL, NULL, role_name(c->mb->role) };
		struct process_result pr;
		char sha[65];
		size_t total = 0;
		int spooled = len >= cap;
		if (spooled && spool_rest(c, ctx, uid, data, len, sha, &total, errp) == -1) {
			rc = -1;
			break;
		}
		if (process_message_spooled(ctx, data, len, spooled ? sha : NULL, total, &env, &pr, errp) == -1) {
			rc = -1;
		} else {
			stats->messages++;
			stats->recorded += pr.recorded && !pr.rec.duplicate;
			char id[300]; /* the log line starts with MAILBOX:UID */
			snprintf(id, sizeof(id), "%s:%u", c->mb->name, uid);
			logline_log(id, &pr, &env, ctx->dry_run);
			if (out)
				print_result_line(out, c->mb->name, &pr, 0);
		}
		process_result_free(&pr);
		break;
	}
	mailimap_fetch_list_free(res);
	return rc;
}

/* UIDs in lo:hi (hi 0: *), ascending. */
static int
search_uids(struct imap_conn *c, uint32_t lo, uint32_t hi, uint32_t **uids, size_t *n, char **errp)
{
	struct mailimap_set *set = mailimap_set_new_interval(lo, hi);
	struct mailimap_search_key *key = mailimap_search_key_new_uid(set);
	clist *res = NULL;
	int r = mailimap_uid_search(c->imap, NULL, key, &res);

	mailimap_search_key_free(key);
	*uids = NULL;
	*n = 0;
	if (r != MAILIMAP_NO_ERROR) {
		*errp = xasprintf("%s: UID SEARCH failed (%d)", c->mb->name, r);
		return -1;
	}
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		uint32_t u = *(uint32_t *)clist_content(it);
		if (u < lo || (hi && u > hi)) /* servers answer n:* with the highest UID even below n */
			continue;
		*uids = xreallocarray(*uids, *n + 1, sizeof(**uids));
		(*uids)[(*n)++] = u;
	}
	mailimap_search_result_free(res);
	for (size_t i = 1; i < *n; i++) /* ascending, so the high-water mark only grows */
		for (size_t j = i; j > 0 && (*uids)[j - 1] > (*uids)[j]; j--) {
			uint32_t t = (*uids)[j];
			(*uids)[j] = (*uids)[j - 1];
			(*uids)[j - 1] = t;
		}
	return 0;
}

/* h-oauth: the server's capabilities, asked for when the greeting (or
 * STARTTLS, which forgets them) left none. */
static void
have_capabilities(mailimap *imap)
{
	struct mailimap_capability_data *cd = NULL;

	if (imap->imap_connection_info != NULL && imap->imap_connection_info->imap_capability != NULL)
		return;
	if (mailimap_capability(imap, &cd) == MAILIMAP_NO_ERROR && cd)
		mailimap_capability_data_free(cd);
}

/* h-oauth: the text of the server's last tagged answer, never holding tok. */
static char *
server_reason(mailimap *imap, const char *tok)
{
	const char *r = imap->imap_response;

	if (r == NULL || *r == '\0')
		return xstrdup("no reason given");
	if (tok && *tok && strstr(r, tok))
		return xstrdup("(its answer quoted the token, so it is not shown)");
	return xstrdup(r);
}

/* h-oauth: SASL OAUTHBEARER (RFC 7628), which libetpan does not have:
 * AUTHENTICATE with the initial response, on our own tag, read up to its
 * tagged answer. A refusal comes as a challenge (JSON) that the client
 * answers with %x01 before the NO. MAILIMAP_NO_ERROR, MAILIMAP_ERROR_LOGIN
 * with *reason, or MAILIMAP_ERROR_STREAM. */
static int
oauthbearer_authenticate(struct imap_conn *c, const char *tok, char **reason)
{
	static unsigned serial;
	struct buf gs2;
	MMAPString *line = mmap_string_new("");
	char tag[32], *b64, *cmd, *l;
	size_t tl;
	int rc = MAILIMAP_ERROR_STREAM;

	*reason = NULL;
	buf_init(&gs2, 0);
	buf_printf(&gs2, "n,a=");
	for (const char *u = c->mb->user; *u; u++) /* saslname: ',' and '=' escaped */
		buf_printf(&gs2, "%s", *u == ',' ? "=2C" : *u == '=' ? "=3D" : (char[]){ *u, 0 });
	buf_printf(&gs2, ",\001auth=Bearer %s\001\001", tok);
	b64 = xmalloc(4 * ((gs2.len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)gs2.data, (int)gs2.len);
	explicit_bzero(gs2.data, gs2.len);
	buf_free(&gs2);
	snprintf(tag, sizeof(tag), "dcvmail%u", ++serial);
	tl = strlen(tag);
	cmd = xasprintf("%s AUTHENTICATE OAUTHBEARER %s\r\n", tag, b64);
	mailstream_set_privacy(c->imap->imap_stream, 0);
	if (mailstream_write(c->imap->imap_stream, cmd, strlen(cmd)) == (ssize_t)strlen(cmd) &&
	    mailstream_flush(c->imap->imap_stream) == 0)
		rc = MAILIMAP_NO_ERROR;
	mailstream_set_privacy(c->imap->imap_stream, 1);
	explicit_bzero(cmd, strlen(cmd));
	explicit_bzero(b64, strlen(b64));
	free(cmd);
	free(b64);
	while (rc == MAILIMAP_NO_ERROR && line && (l = mailstream_read_line(c->imap->imap_stream, line)) != NULL) {
		l[strcspn(l, "\r\n")] = '\0';
		if (l[0] == '+') { /* the error challenge: answered with %x01 */
			if (mailstream_write(c->imap->imap_stream, "AQ==\r\n", 6) != 6 ||
			    mailstream_flush(c->imap->imap_stream) != 0)
				break;
			continue;
		}
		if (strncmp(l, tag, tl) || l[tl] != ' ')
			continue; /* untagged */
		l += tl + 1;
		if (!strncasecmp(l, "OK", 2)) {
			struct mailimap_connection_info *ci = c->imap->imap_connection_info;
			c->imap->imap_state = MAILIMAP_STATE_AUTHENTICATED;
			if (ci && ci->imap_capability) { /* the ones before login: asked again */
				mailimap_capability_data_free(ci->imap_capability);
				ci->imap_capability = NULL;
			}
			mmap_string_free(line);
			return MAILIMAP_NO_ERROR;
		}
		l += strcspn(l, " ");
		l += strspn(l, " ");
		if (*l == '[' && strchr(l, ']')) /* the response code, as libetpan leaves it out */
			l = strchr(l, ']') + 1 + (strchr(l, ']')[1] == ' ');
		*reason = xstrdup(*l ? l : "no reason given");
		mmap_string_free(line);
		return MAILIMAP_ERROR_LOGIN;
	}
	if (line)
		mmap_string_free(line);
	return MAILIMAP_ERROR_STREAM;
}

/* h-oauth: a token for mailbox mb from its oauth block (cached unless fresh)
 * or its token-command; NULL with *errp. */
static char *
get_token(const struct mailbox_cfg *mb, int fresh, char **errp)
{
	struct oauth_info in;
	char *tok, *e = NULL;

	if (mb->oauth_cfg == NULL) {
		if ((tok = token_cmd_run(mb->token_command.v, mb->timeout, &e)) == NULL) {
			*errp = xasprintf("%s: token-command %s", mb->name, e);
			free(e);
		}
		return tok;
	}
	if ((tok = oauth_token(oauth_src_get(mb->oauth_cfg), mb->user, fresh, &in, &e)) == NULL) {
		*errp = xasprintf("%s: %s", mb->name, e);
		free(e);
		return NULL;
	}
	if (!in.cached)
		log_debug("%s: new token from oauth '%s' in %.0f ms (valid %ld s)%s", mb->name, mb->oauth_cfg->name,
			  in.ms, in.expires_in, in.rotated ? "; the rotated refresh token is stored" : "");
	return tok;
}

/* h-oauth: SASL XOAUTH2 or OAUTHBEARER with a token from the mailbox's oauth block or token-command:
 * the mechanism of auth if the server offers it, else the other one. A
 * refused token is tried once more with a fresh one (an expired token is the
 * usual cause), then the login fails with the server's reason. 0, or an
 * imap_open_err with *errp. */
static int
login_oauth(struct imap_conn *c, const char *host, char **errp)
{
	const struct mailbox_cfg *mb = c->mb;
	char *tok, *e = NULL, *reason = NULL;
	int r;

	have_capabilities(c->imap);
	int x = mailimap_has_xoauth2(c->imap), ob = mailimap_has_authentication(c->imap, "OAUTHBEARER");
	int bearer = mb->auth == AUTH_OAUTHBEARER ? ob || !x : !x && ob;
	const char *mech = bearer ? "OAUTHBEARER" : "XOAUTH2";
	if (!x && !ob) {
		*errp = xasprintf("%s: %s offers neither AUTH=XOAUTH2 nor AUTH=OAUTHBEARER: it takes no OAuth login",
				  mb->name, host);
		return IMAP_ERR_REFUSED;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		if ((tok = get_token(mb, attempt > 0, &e)) == NULL) {
			*errp = e;
			free(reason);
			return IMAP_ERR_NET; /* retried with the usual backoff */
		}
		free(reason);
		reason = NULL;
		r = bearer ? oauthbearer_authenticate(c, tok, &reason)
			   : mailimap_oauth2_authenticate(c->imap, mb->user, tok);
		if (r == MAILIMAP_NO_ERROR) {
			token_free(tok);
			free(reason);
			if (attempt > 0)
				log_info("%s: logged in with a fresh token", mb->name);
			return 0;
		}
		if (stream_broken(r)) {
			token_free(tok);
			free(reason);
			*errp = xasprintf("%s: connection lost during login to %s", mb->name, host);
			return IMAP_ERR_NET;
		}
		if (reason == NULL)
			reason = server_reason(c->imap, tok);
		else if (strstr(reason, tok)) {
			free(reason);
			reason = xstrdup("(its answer quoted the token, so it is not shown)");
		}
		token_free(tok);
		if (attempt == 0)
			log_info("%s: %s refused the token (%s); trying a fresh one", mb->name, host, reason);
	}
	*errp = xasprintf("%s: %s login as %s refused by %s: %s", mb->name, mech, mb->user, host, reason);
	free(reason);
	return IMAP_ERR_REFUSED;
}

int
imap_conn_open(const struct mailbox_cfg *mb, int readonly, struct imap_conn **out, char **errp)
{
	struct imap_url u;
	struct imap_conn *c;
	char *pw = NULL;
	int r, rc = IMAP_ERR_NET;

	*out = NULL;
	if (lib_need(LIB_ETPAN, errp) == -1 || lib_need(LIB_CRYPTO, errp) == -1)
		return IMAP_ERR_NET; /* an installation problem: tried again later */
	if (imap_parse_url(mb->url, &u, errp) == -1)
		return IMAP_ERR_CONFIG;
	if (mb->auth == AUTH_PASSWORD && (pw = config_read_secret(mb->password_file, errp)) == NULL)
		return IMAP_ERR_CONFIG;
	c = xcalloc(1, sizeof(*c));
	c->mb = mb;
	c->readonly = readonly;
	snprintf(c->folder, sizeof(c->folder), "%s", u.folder);
	c->folder_wire = wire_name(u.folder);
	c->move_to_wire = mb->move_to ? wire_name(mb->move_to) : NULL;
	if (c->folder_wire == NULL || (mb->move_to && c->move_to_wire == NULL)) {
		*errp = xasprintf("%s: the folder name %s is not UTF-8", mb->name,
				  c->folder_wire == NULL ? "in the url" : "of move-to");
		free(c->folder_wire);
		free(c->move_to_wire);
		free(c);
		explicit_bzero(pw, strlen(pw));
		free(pw);
		return IMAP_ERR_CONFIG;
	}
	c->imap = mailimap_new(0, NULL);
	mailimap_set_timeout(c->imap, mb->timeout);
	if ((r = connect_checked(c->imap, mb, &u, errp)) != 0) {
		rc = r == -2 ? IMAP_ERR_REFUSED : IMAP_ERR_NET;
		goto fail;
	}
	if (mb->auth != AUTH_PASSWORD) {
		if ((r = login_oauth(c, u.host, errp)) != 0) {
			rc = r;
			goto fail;
		}
	} else if ((r = mailimap_login(c->imap, mb->user, pw)) != MAILIMAP_NO_ERROR) {
		if (stream_broken(r))
			*errp = xasprintf("%s: connection lost during login to %s", mb->name, u.host);
		else {
			*errp = xasprintf("%s: login as %s refused by %s", mb->name, mb->user, u.host);
			rc = IMAP_ERR_REFUSED;
		}
		goto fail;
	}
	if (c->imap->imap_connection_info == NULL || c->imap->imap_connection_info->imap_capability == NULL) {
		struct mailimap_capability_data *cd = NULL;
		if (mailimap_capability(c->imap, &cd) == MAILIMAP_NO_ERROR && cd)
			mailimap_capability_data_free(cd);
	}
	c->can_idle = mailimap_has_idle(c->imap);
	c->can_move = mailimap_has_extension(c->imap, "MOVE");
	c->can_uidplus = mailimap_has_extension(c->imap, "UIDPLUS");
	r = readonly ? mailimap_examine(c->imap, c->folder_wire) : mailimap_select(c->imap, c->folder_wire);
	if (r != MAILIMAP_NO_ERROR || c->imap->imap_selection_info == NULL) {
		*errp = xasprintf("%s: cannot open folder %s on %s", mb->name, u.folder, u.host);
		rc = stream_broken(r) ? IMAP_ERR_NET : IMAP_ERR_CONFIG;
		goto fail;
	}
	c->uidvalidity = c->imap->imap_selection_info->sel_uidvalidity;
	token_free(pw);
	log_debug("%s: connected to %s:%u%s%s%s, folder %s (%s)%s%s%s%s", mb->name, u.host, u.port,
		  c->can_idle ? " IDLE" : "", c->can_move ? " MOVE" : "", c->can_uidplus ? " UIDPLUS" : "", c->folder,
		  c->folder_wire, mb->move_to ? ", move-to " : "", mb->move_to ? mb->move_to : "",
		  mb->move_to ? " " : "", mb->move_to ? c->move_to_wire : "");
	*out = c;
	return 0;
fail:
	token_free(pw);
	mailimap_free(c->imap);
	free(c->folder_wire);
	free(c->move_to_wire);
	free(c);
	return rc;
}

int
imap_conn_catch_up(struct imap_conn *c, const struct process_ctx *ctx, FILE *out, const volatile sig_atomic_t *stop,
		   struct imap_stats *stats, char **errp)
{
	const struct mailbox_cfg *mb = c->mb;
	uint32_t uv = 0, last = 0, *uids = NULL;
	size_t n = 0, i, done = 0;
	int rc = 0, changed = 0;

	memset(stats, 0, sizeof(*stats));
	if (ctx->st && store_imap_get(ctx->st, mb->name, &uv, &last, errp) == -1)
		return -1;
	if (uv != c->uidvalidity) {
		if (uv)
			log_warnx("%s: UIDVALIDITY changed: reading the folder again (recorded mail is not "
				  "recorded twice)",
				  mb->name);
		uv = c->uidvalidity;
		last = 0;
		changed = 1;
	}
	if (c->readonly && c->seen > last)
		last = c->seen;
	if (mb->move_to && !c->readonly && last > 0) { /* recorded before, not yet moved */
		if (search_uids(c, 1, last, &uids, &n, errp) == -1)
			return -1;
		if (n) {
			struct mailimap_set *set = uid_set(uids, n);
			rc = move_done(c, set, n, stats, errp);
			mailimap_set_free(set);
		}
		free(uids);
		if (rc == -1)
			return -1;
	}
	if (search_uids(c, last + 1, 0, &uids, &n, errp) == -1)
		return -1;
	for (i = 0; i < n && !(stop && *stop); i++) {
		if (one(c, ctx, out, uids[i], stats, errp) == -1) {
			rc = -1; /* the mark stays before this message: it is read again */
			break;
		}
		if (i + 1 - done >= MARK_EVERY) {
			if (mark_done(c, ctx, uv, uids + done, i + 1 - done, stats, errp) == -1) {
				rc = -1;
				break;
			}
			done = i + 1;
		}
	}
	if (c->readonly && i > 0)
		c->seen = uids[i - 1];
	if (rc == 0) {
		if (i > done)
			rc = mark_done(c, ctx, uv, uids + done, i - done, stats, errp);
		else if (changed && !c->readonly && ctx->st)
			rc = store_imap_set(ctx->st, mb->name, uv, last, errp);
	} else if (i > done) { /* keep what was recorded before the failure */
		char *e2 = NULL;
		if (mark_done(c, ctx, uv, uids + done, i - done, stats, &e2) == -1)
			free(e2);
	}
	free(uids);
	return rc;
}

int
imap_conn_can_idle(const struct imap_conn *c)
{
	return c->can_idle && c->mb->idle;
}

int
imap_conn_idle_start(struct imap_conn *c, char **errp)
{
	if (mailimap_idle(c->imap) != MAILIMAP_NO_ERROR) {
		*errp = xasprintf("%s: IDLE failed", c->mb->name);
		return -1;
	}
	c->idling = 1;
	return 0;
}

int
imap_conn_fd(const struct imap_conn *c)
{
	return mailimap_idle_get_fd(c->imap);
}

int
imap_conn_buffered(const struct imap_conn *c)
{
	return c->imap->imap_stream != NULL && c->imap->imap_stream->read_buffer_len > 0;
}

int
imap_conn_idle_done(struct imap_conn *c, char **errp)
{
	c->idling = 0;
	if (mailimap_idle_done(c->imap) != MAILIMAP_NO_ERROR) {
		*errp = xasprintf("%s: connection lost while idling", c->mb->name);
		return -1;
	}
	return 0;
}

void
imap_conn_close(struct imap_conn *c, int polite)
{
	if (c == NULL)
		return;
	if (polite && c->idling)
		mailimap_idle_done(c->imap);
	if (polite && c->imap->imap_stream)
		mailimap_logout(c->imap);
	mailimap_free(c->imap);
	free(c->folder_wire);
	free(c->move_to_wire);
	free(c);
}

int
imap_pass_run(const struct mailbox_cfg *mb, const struct process_ctx *ctx, FILE *out, struct imap_stats *stats,
	      char **errp)
{
	struct imap_conn *c;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if (imap_conn_open(mb, ctx->dry_run, &c, errp) != 0)
		return -1;
	rc = imap_conn_catch_up(c, ctx, out, NULL, stats, errp);
	imap_conn_close(c, rc == 0);
	return rc;
}
