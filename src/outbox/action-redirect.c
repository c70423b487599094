/* action-redirect.c — the archived mail itself, unchanged, to an address
 * (route { redirect ADDRESS... }). */
#include <stdlib.h>

#include "outbox/action.h"
#include "config.h"
#include "outbox/smtp.h"
#include "base/util.h"

static enum action_status
redirect_run(const struct action_ctx *ax, const struct outbox_item *it, char **result)
{
	char *raw = NULL, *err = NULL;
	size_t len;
	enum action_status st;

	if (!ax->cfg->have_smtp || ax->cfg->smtp.from == NULL) {
		*result = xstrdup("no smtp block with a from address in the configuration");
		return ACTION_FAIL;
	}
	if (action_read_archive(ax, it->message_sha256, &raw, &len, result) == -1)
		return ACTION_FAIL;
	st = action_of_smtp(smtp_send(&ax->cfg->smtp, ax->cfg->smtp.from, it->target, raw, len, &err));
	*result = st == ACTION_OK ? xasprintf("redirected to %s", it->target) : err;
	if (st == ACTION_OK)
		free(err);
	free(raw);
	return st;
}

const struct action_def action_redirect = {
	{ "redirect", ACTION_IN_ROUTES | ACTION_NEEDS_SMTP, 1, -1 },
	redirect_run,
	ACTION_EFFECT_FORWARDED,
	0,
};
