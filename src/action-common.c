/* action-common.c — what every action needs: the request's first message
 * read back from the archive and judged again with today's rules, so that
 * an action never trusts a verdict older than the rules it runs under, nor
 * an archive file whose content does not match its hash. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dcvmail/action.h"
#include "dcvmail/auth.h"
#include "dcvmail/config.h"
#include "dcvmail/util.h"

int
action_read_archive(const struct action_ctx *ax, const struct outbox_item *it, char **raw, size_t *len,
		    char **result)
{
	/* checked against its SHA-256 name: a replaced or damaged file is
	 * refused, never judged or sent */
	return store_archive_read(ax->st, it->message_sha256 ? it->message_sha256 : "", 1U << 30, raw, len, result);
}

int
action_load(const struct action_ctx *ax, const struct outbox_item *it, struct action_subject *as, char **result)
{
	memset(as, 0, sizeof(*as));
	verdict_init(&as->v);
	if (action_read_archive(ax, it, &as->raw, &as->rawlen, result) == -1)
		return -1;
	if ((as->m = message_parse(as->raw, as->rawlen, &ax->cfg->limits)) == NULL) {
		*result = xstrdup("the archived message cannot be parsed");
		return -1;
	}
	classify(ax->rules, as->m, NULL, &as->v);
	auth_evaluate(as->m, ax->cfg, ax->rules, &as->v);
	auth_check_phishing(as->m, ax->cfg, ax->rules, &as->v);
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
