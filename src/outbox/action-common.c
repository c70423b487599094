/* action-common.c — what every action needs: the request's first message
 * read back from the archive and judged again with today's rules, so that
 * an action never trusts a verdict older than the rules it runs under, nor
 * an archive file whose content does not match its hash. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "outbox/action.h"
#include "judge/judge.h"
#include "config.h"
#include "base/util.h"

struct request_ref
action_ref(const struct outbox_item *it)
{
	struct request_ref r = { it->request_id, it->message_sha256 };

	return r;
}

int
action_read_archive(const struct action_ctx *ax, const char *sha256, char **raw, size_t *len, char **result)
{
	/* checked against its SHA-256 name: a replaced or damaged file is
	 * refused, never judged or sent */
	return store_archive_read(ax->st, sha256 ? sha256 : "", 1U << 30, raw, len, result);
}

/* The message is judged as it was when it came in: with the envelope the
 * ledger kept (its intake's trust: a forged header in an IMAP mailbox stays
 * unbelieved on approve; its mailbox's role for `role` conditions). */
int
action_load(const struct action_ctx *ax, const struct request_ref *it, struct action_subject *as, char **result)
{
	struct envelope env = { 0 }; /* unknown: nothing is trusted */
	char *err = NULL;

	memset(as, 0, sizeof(*as));
	verdict_init(&as->v);
	if (action_read_archive(ax, it->message_sha256, &as->raw, &as->rawlen, result) == -1)
		return -1;
	if ((as->m = message_parse(as->raw, as->rawlen, &ax->cfg->limits)) == NULL) {
		*result = xstrdup("the archived message cannot be parsed");
		return -1;
	}
	if (it->message_sha256 && store_message_envelope(ax->st, it->message_sha256, &env, &err) == -1) {
		*result = xasprintf("the message's intake is unknown: %s", err ? err : "store error");
		free(err);
		return -1;
	}
	judge(ax->cfg, ax->rules, as->m, &env, &as->v);
	store_envelope_free(&env);
	as->ca = rules_ca(ax->rules, as->v.ca);
	return 0;
}

void
action_subject_free(struct action_subject *as)
{
	verdict_free(&as->v);
	message_free(as->m);
	free(as->raw);
	memset(as, 0, sizeof(*as));
}

void
action_identity(const struct outbox_item *it, const char *request_key, char out[ACTION_ID_LEN + 1])
{
	char hex[65];
	struct buf in;

	buf_init(&in, 0);
	buf_adds(&in, "dcvmail-action");
	buf_addc(&in, '\0');
	buf_adds(&in, request_key ? request_key : "");
	buf_addc(&in, '\0');
	buf_printf(&in, "%lld", (long long)it->id);
	sha256_hex(in.data, in.len, hex); /* nettle: no libcrypto for an action */
	memcpy(out, hex, ACTION_ID_LEN);
	out[ACTION_ID_LEN] = '\0';
	buf_free(&in);
}

char *
action_mail_head(const struct action_ctx *ax, const struct outbox_item *it, const char *key, const char *subject)
{
	const char *at = strrchr(ax->cfg->smtp.from, '@');
	char date[64], ident[ACTION_ID_LEN + 1];
	time_t now = time(NULL);
	struct tm tm;
	struct buf b;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	action_identity(it, key, ident);
	buf_init(&b, 0);
	buf_printf(&b, "From: dcvmail <%s>\r\nTo: <%s>\r\nDate: %s\r\nMessage-ID: <dcvmail.%s@%s>\r\n",
		   ax->cfg->smtp.from, it->target, date, ident, at && at[1] ? at + 1 : ax->cfg->hostname);
	header_unstructured(&b, "Subject", subject);
	buf_adds(&b, "\r\nAuto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n"
		     "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
	return buf_steal(&b);
}
