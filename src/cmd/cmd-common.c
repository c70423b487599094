/* cmd-common.c — what several commands share: config and rules loading. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "base/log.h"
#include "outbox/action.h"
#include "judge/rules.h"
#include "ledger/store.h"
#include "base/util.h"

void
print_rules_diag(void *arg, const char *file, int line, int col, const char *msg)
{
	(void)arg;
	log_diag(file, line, col, msg);
}

/* The config's errors as the rules', and the action kinds its routes name. */
const struct config_ops cmd_config_ops = { print_rules_diag, NULL, action_kind_at };

int
load_config_and_rules(struct globals *g, struct config *cfg, struct ruleset **rs, int mode)
{
	int r;

	if ((r = config_setup(cfg, g->config_path, g->state_dir, g->argv0, &cmd_config_ops)) != 0)
		return r;
	if (rs == NULL)
		return 0;
	if (rules_load(cfg->rules_dir, (enum rules_mode)mode, rs, print_rules_diag, NULL) != 0) {
		log_warnx("%s: broken rules, refusing to run", cfg->rules_dir);
		config_free(cfg);
		return EXIT_CONFIG;
	}
	return 0;
}

/* Open the ledger of the configured state directory. */
int
cmd_open_ledger(struct globals *g, struct config *cfg, int flags, struct store **st)
{
	char *err = NULL;
	int r;

	if ((r = load_config_and_rules(g, cfg, NULL, 0)) != 0)
		return r;
	if (store_open_cfg(cfg, flags, st, &err) == -1) {
		fprintf(stderr, "dcvmail: %s\n", err);
		free(err);
		config_free(cfg);
		return EXIT_CANTCREAT;
	}
	return 0;
}

int
cmd_finish(struct config *cfg, struct store *st, int rc, char *err)
{
	if (err) {
		char *c = text_clean(err);
		fprintf(stderr, "dcvmail: %s\n", c);
		free(c);
		free(err);
	}
	store_close(st);
	config_free(cfg);
	return rc;
}

int
cmd_parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end || v <= 0)
		return -1;
	*id = v;
	return 0;
}
