/* action.h — actions run by the outbox worker. One file per action, one table entry. */
#ifndef DCVMAIL_ACTION_H
#define DCVMAIL_ACTION_H

#include <time.h>
#include "store.h"

struct config;
struct ruleset;

struct action_ctx {
	const struct config *cfg;
	const struct ruleset *rules;
	struct store *st;
	int dry_run;
	double deadline; /* now_mono() value after which no new network work starts; 0: none */
};

enum action_status { ACTION_OK = 0, ACTION_RETRY, ACTION_FAIL };

struct action_def {
	const char *kind; /* "forward", "redirect", "notify", "approve" */
	enum action_status (*run)(const struct action_ctx *, const struct outbox_item *, char **result);
};
const struct action_def *action_find(const char *kind);

/* Run due outbox items until none is due or the deadline passes. Returns the
 * number of items run, -1 on store error. */
int outbox_run(const struct action_ctx *, char **errp);

#endif
