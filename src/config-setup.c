/* config-setup.c — where the configuration, the state directory and the
 * rules come from: options, environment, the config file, defaults beside
 * the binary or installed (config_setup). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "base/log.h"
#include "base/util.h"

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

static int
dir_exists(const char *d)
{
	struct stat st;

	return stat(d, &st) == 0 && S_ISDIR(st.st_mode);
}

/* rules beside the binary: dirname(argv0)/rules, dirname(argv0)/../rules */
static char *
rules_beside_binary(const char *argv0)
{
	char exe[PATH_MAX], *slash, *d;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	static const char *const rel[] = { "rules", "../rules", "../share/dcvmail/rules" };

	if (n <= 0) {
		if (argv0 == NULL || strchr(argv0, '/') == NULL)
			return NULL;
		snprintf(exe, sizeof(exe), "%s", argv0);
	} else
		exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < nitems(rel); i++) {
		d = xasprintf("%s/%s", exe, rel[i]);
		if (dir_exists(d))
			return d;
		free(d);
	}
	return NULL;
}

/* h-deploy: the shipped rules (beside the binary, else DATADIR/rules), then
 * the local ones (SYSCONFDIR/dcvmail/rules) when that directory exists: a
 * local file replaces the shipped file of the same name (rules_load). NULL
 * when there is neither. */
static char *
default_rules_dir(const char *argv0)
{
	const char *local = DCVMAIL_SYSCONFDIR "/dcvmail/rules";
	char *shipped = rules_beside_binary(argv0), *r;

	if (shipped == NULL && dir_exists(DCVMAIL_DATADIR "/rules"))
		shipped = xstrdup(DCVMAIL_DATADIR "/rules");
	if (!dir_exists(local) || (shipped && !strcmp(shipped, local)))
		return shipped;
	if (shipped == NULL)
		return xstrdup(local);
	r = xasprintf("%s:%s", shipped, local);
	free(shipped);
	return r;
}

int
config_setup(struct config *cfg, const char *opt_config, const char *opt_state_dir, const char *argv0,
	     const struct config_ops *ops)
{
	const char *path = opt_config ? opt_config : getenv("DCVMAIL_CONFIG");
	const char *def = DCVMAIL_SYSCONFDIR "/dcvmail/dcvmail.conf";
	const char *env;
	int r;

	if (path && *path == '\0')
		path = NULL;
	r = config_load(path ? path : def, cfg, ops);
	if (r == -1) {
		if (path != NULL || errno != ENOENT) {
			int e = errno;
			char who[300] = "";
			if (e == EACCES) /* which user could not read it: the fix is for that user */
				snprintf(who, sizeof(who), " (as user %s)", user_name(geteuid()));
			log_warnx("%s: %s%s", path ? path : def, strerror(e), who);
			config_free(cfg);
			return EXIT_CONFIG;
		}
		config_free(cfg);
		config_defaults(cfg); /* no default config: built-in defaults */
	} else if (r > 0) {
		log_warnx("%s: %d error%s in configuration", path ? path : def, r, r == 1 ? "" : "s");
		config_free(cfg);
		return EXIT_CONFIG;
	}
	if (opt_state_dir) {
		set_str(&cfg->state_dir, opt_state_dir);
		cfg->state_dir_line = 0;
	} else if ((env = getenv("DCVMAIL_STATE_DIR")) && *env) {
		set_str(&cfg->state_dir, env);
		cfg->state_dir_line = 0;
	} else if (cfg->state_dir == NULL)
		cfg->state_dir = xstrdup("/var/lib/dcvmail");
	if ((env = getenv("DCVMAIL_RULES_DIR")) && *env) {
		set_str(&cfg->rules_dir, env);
		cfg->rules_dir_line = 0;
	}
	if (cfg->rules_dir == NULL && (cfg->rules_dir = default_rules_dir(argv0)) == NULL) {
		log_warnx("no rules directory: set rules-dir in %s, or DCVMAIL_RULES_DIR, or install rules under %s",
			  path ? path : def, DCVMAIL_DATADIR "/rules");
		config_free(cfg);
		return EXIT_CONFIG;
	}
	if (cfg->hostname == NULL) {
		char hn[256];
		if (gethostname(hn, sizeof(hn)) == 0) {
			hn[sizeof(hn) - 1] = '\0';
			cfg->hostname = xstrdup(hn);
		} else
			cfg->hostname = xstrdup("localhost");
	}
	return 0;
}
