/* action-flag.c — the request needs a person; the attempt log says why.
 * Never a route keyword: policy plans it when an approval cannot happen
 * and nothing else reaches a person, the ledger queues it when an
 * approval's expectation went to another request. */
#include "outbox/action.h"
#include "base/util.h"

static enum action_status
flag_run(const struct action_ctx *ax, const struct outbox_item *it, char **result)
{
	(void)ax;
	*result = xasprintf("needs a person: %s", it->why ? it->why : "see the request");
	return ACTION_OK;
}

const struct action_def action_flag = {
	{ "flag", 0, 0, 0 },
	flag_run,
	ACTION_EFFECT_PERSON,
	0,
};
