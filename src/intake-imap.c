/* intake-imap.c — one pass over an IMAP mailbox: TLS checked before LOGIN,
 * new mail fetched with BODY.PEEK[] (\Seen untouched), recorded, and only
 * then the UID high-water mark and the $Dcvmail keyword are set. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "dcvmail/intake-imap.h"
#include "dcvmail/log.h"
#include "dcvmail/tls.h"
#include "dcvmail/util.h"

#define KEYWORD "$Dcvmail"

struct imap_url {
	char host[256];
	uint16_t port;
	int tls; /* 1 imaps, 0 imap + STARTTLS */
	char folder[512];
};

static int
parse_url(const char *url, struct imap_url *u, char **errp)
{
	const char *h, *slash, *colon;

	memset(u, 0, sizeof(*u));
	if (!strncmp(url, "imaps://", 8)) {
		u->tls = 1;
		h = url + 8;
	} else if (!strncmp(url, "imap://", 7))
		h = url + 7;
	else {
		*errp = xasprintf("%s: not an imaps:// or imap:// url", url);
		return -1;
	}
	slash = strchr(h, '/');
	colon = memchr(h, ':', slash ? (size_t)(slash - h) : strlen(h));
	snprintf(u->host, sizeof(u->host), "%.*s", (int)((colon ? colon : slash ? slash : h + strlen(h)) - h), h);
	u->port = colon ? (uint16_t)atoi(colon + 1) : u->tls ? 993 : 143;
	snprintf(u->folder, sizeof(u->folder), "%s", slash && slash[1] ? slash + 1 : "INBOX");
	if (u->host[0] == '\0' || u->port == 0) {
		*errp = xasprintf("%s: no host or port", url);
		return -1;
	}
	return 0;
}

static int
is_loopback(const char *h)
{
	return !strcmp(h, "localhost") || !strncmp(h, "127.", 4) || !strcmp(h, "::1");
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
		if (mb->insecure_plaintext && is_loopback(u->host))
			return 0;
		r = mailimap_socket_starttls_with_callback(imap, tls_set_sni, (void *)u->host);
		if (r != MAILIMAP_NO_ERROR) {
			*errp = xasprintf("%s: STARTTLS failed on %s (plain IMAP is refused)", mb->name, u->host);
			return -1;
		}
	}
	if (tls_verify_stream(imap->imap_stream, u->host, mb->ca_file, errp) == -1) {
		char *e = *errp;
		*errp = xasprintf("%s: %s; not logging in", mb->name, e);
		free(e);
		return -1;
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

static void
mark_done(mailimap *imap, uint32_t uid)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *sf;

	mailimap_flag_list_add(fl, mailimap_flag_new_flag_keyword(strdup(KEYWORD)));
	sf = mailimap_store_att_flags_new_add_flags_silent(fl);
	mailimap_uid_store(imap, set, sf); /* servers without keywords refuse: harmless */
	mailimap_store_att_flags_free(sf);
	mailimap_set_free(set);
}

/* Fetch and record one message; 0, -1 on a processing failure. */
static int
one(const struct imap_pass *p, mailimap *imap, uint32_t uid, struct imap_stats *stats, char **errp)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	clist *res = NULL;
	const char *data;
	size_t len = 0;
	uint32_t got;
	int r, rc = 0;

	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	r = mailimap_uid_fetch(imap, set, ft, &res);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR) {
		*errp = xasprintf("%s: UID FETCH %u failed (%d)", p->mb->name, uid, r);
		return -1;
	}
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		if (fetched(clist_content(it), &data, &len, &got) == -1 || got != uid)
			continue;
		struct envelope env = { "imap", p->mb->name, NULL, NULL, NULL, role_name(p->mb->role) };
		struct process_result pr;
		if (process_message(p->ctx, data, len, &env, &pr, errp) == -1) {
			rc = -1;
		} else {
			stats->messages++;
			stats->recorded += pr.recorded && !pr.rec.duplicate;
			if (p->out)
				print_result_line(p->out, p->mb->name, &pr, 0);
		}
		process_result_free(&pr);
	}
	mailimap_fetch_list_free(res);
	return rc;
}

static int
new_uids(mailimap *imap, uint32_t last, uint32_t **uids, size_t *n, char **errp, const char *name)
{
	struct mailimap_set *set = mailimap_set_new_interval(last + 1, 0);
	struct mailimap_search_key *key = mailimap_search_key_new_uid(set);
	clist *res = NULL;
	int r = mailimap_uid_search(imap, NULL, key, &res);

	mailimap_search_key_free(key);
	*uids = NULL;
	*n = 0;
	if (r != MAILIMAP_NO_ERROR) {
		*errp = xasprintf("%s: UID SEARCH failed (%d)", name, r);
		return -1;
	}
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		uint32_t u = *(uint32_t *)clist_content(it);
		if (u <= last) /* servers answer n:* with the highest UID even below n */
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

int
imap_pass_run(const struct imap_pass *p, struct imap_stats *stats, char **errp)
{
	const struct mailbox_cfg *mb = p->mb;
	struct imap_url u;
	mailimap *imap;
	char *pw = NULL;
	uint32_t uv = 0, last = 0, *uids = NULL;
	size_t n = 0;
	int rc = -1, r;

	memset(stats, 0, sizeof(*stats));
	if (parse_url(mb->url, &u, errp) == -1)
		return -1;
	if ((pw = config_read_secret(mb->password_file, errp)) == NULL)
		return -1;
	imap = mailimap_new(0, NULL);
	mailimap_set_timeout(imap, mb->timeout);
	if (connect_checked(imap, mb, &u, errp) == -1)
		goto out;
	if ((r = mailimap_login(imap, mb->user, pw)) != MAILIMAP_NO_ERROR) {
		*errp = xasprintf("%s: login as %s refused", mb->name, mb->user);
		goto out;
	}
	r = p->ctx->dry_run ? mailimap_examine(imap, u.folder) : mailimap_select(imap, u.folder);
	if (r != MAILIMAP_NO_ERROR || imap->imap_selection_info == NULL) {
		*errp = xasprintf("%s: cannot open folder %s", mb->name, u.folder);
		goto out;
	}
	if (p->ctx->st && store_imap_get(p->ctx->st, mb->name, &uv, &last, errp) == -1)
		goto out;
	if (uv != imap->imap_selection_info->sel_uidvalidity) {
		if (uv)
			log_warnx("%s: UIDVALIDITY changed: reading the folder again (recorded mail is not recorded twice)", mb->name);
		uv = imap->imap_selection_info->sel_uidvalidity;
		last = 0;
	}
	if (new_uids(imap, last, &uids, &n, errp, mb->name) == -1)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (one(p, imap, uids[i], stats, errp) == -1)
			goto out; /* the mark stays before this message: it is read again next time */
		if (p->ctx->dry_run)
			continue;
		if (store_imap_set(p->ctx->st, mb->name, uv, uids[i], errp) == -1)
			goto out;
		mark_done(imap, uids[i]);
	}
	if (!p->ctx->dry_run && p->ctx->st && store_imap_set(p->ctx->st, mb->name, uv, n ? uids[n - 1] : last, errp) == -1)
		goto out;
	rc = 0;
	mailimap_logout(imap);
out:
	free(uids);
	if (pw) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	mailimap_free(imap);
	return rc;
}
