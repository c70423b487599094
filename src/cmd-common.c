/* cmd-common.c — what several commands share: config and rules loading. */
#include <stdio.h>

#include "dcvmail/cmd.h"
#include "dcvmail/rules.h"
#include "dcvmail/util.h"

void
print_rules_diag(void *arg, const char *file, int line, int col, const char *msg)
{
	(void)arg;
	if (col > 0)
		fprintf(stderr, "%s:%d:%d: %s\n", file, line, col, msg);
	else if (line > 0)
		fprintf(stderr, "%s:%d: %s\n", file, line, msg);
	else
		fprintf(stderr, "%s: %s\n", file, msg);
}

int
load_config_and_rules(struct globals *g, struct config *cfg, struct ruleset **rs, int mode)
{
	int r;

	if ((r = config_setup(cfg, g->config_path, g->state_dir, g->argv0)) != 0)
		return r;
	if (rs == NULL)
		return 0;
	if (rules_load(cfg->rules_dir, (enum rules_mode)mode, rs, print_rules_diag, NULL) != 0) {
		fprintf(stderr, "dcvmail: %s: broken rules, refusing to run\n", cfg->rules_dir);
		config_free(cfg);
		return EXIT_CONFIG;
	}
	return 0;
}
