/* cmd-common.c — what several commands share: config and rules loading. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* h-cli: the rules' errors; those about a directory of rules-dir (line 0)
 * with the config line that named it. */
void
config_rules_diag(void *arg, const char *file, int line, int col, const char *msg)
{
	const struct config *c = arg;

	if (line == 0 && c && c->path && c->rules_dir_line > 0) {
		char *m = xasprintf("rules-dir %s: %s", file, msg);
		log_diag(c->path, c->rules_dir_line, 0, m);
		free(m);
		return;
	}
	print_rules_diag(NULL, file, line, col, msg);
}

/* The config's errors as the rules', and the action kinds its routes name. */
const struct config_ops cmd_config_ops = { print_rules_diag, NULL, action_kind_at, 0 };
/* commands that only read the ledger: no libcurl for the server URLs */
static const struct config_ops read_only_ops = { print_rules_diag, NULL, action_kind_at, 1 };

/* h-deploy: the command line quoted for sh, after "runuser -u USER -- " */
static void
print_runuser(const char *user, const struct globals *g)
{
	fprintf(stderr, "dcvmail: run it as that user: runuser -u %s --", user);
	for (int i = 0; i < g->argc; i++) {
		const char *a = g->argv[i];
		if (*a && strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@%+=:,./_-") ==
				  strlen(a)) {
			fprintf(stderr, " %s", a);
			continue;
		}
		fputs(" '", stderr);
		for (; *a; a++)
			if (*a == '\'')
				fputs("'\\''", stderr);
			else
				fputc(*a, stderr);
		fputc('\'', stderr);
	}
	fputc('\n', stderr);
}

/* h-deploy: run by root on a state directory that another user owns, become
 * that user (its groups too: initgroups), as doveadm does for mail users,
 * before the ledger, the archive or the rules are opened: a file root made
 * there would lock the service user out. 1: switched, 0: nothing to do, else
 * the exit code (could not switch: the runuser command to use instead). */
static int
become_state_owner(const struct globals *g, const struct config *cfg)
{
	struct stat sb;
	struct passwd *pw;
	gid_t gid;
	char uidbuf[32];
	const char *name;

	if (geteuid() != 0 || stat(cfg->state_dir, &sb) == -1 || sb.st_uid == 0)
		return 0;
	pw = getpwuid(sb.st_uid);
	gid = pw ? pw->pw_gid : sb.st_gid;
	snprintf(uidbuf, sizeof(uidbuf), "%ld", (long)sb.st_uid);
	name = pw ? pw->pw_name : uidbuf;
	if ((pw ? initgroups(pw->pw_name, gid) : setgroups(0, NULL)) == -1 || setgid(gid) == -1 ||
	    setuid(sb.st_uid) == -1) {
		log_warnx("%s: owned by user %s; root could not become that user: %s", cfg->state_dir, name,
			  strerror(errno));
		print_runuser(name, g);
		return EXIT_NOPERM;
	}
	if (setuid(0) == 0) { /* never carry on as root with the owner's files */
		log_warnx("%s: still able to become root after switching to user %s", cfg->state_dir, name);
		return EXIT_NOPERM;
	}
	/* told at a terminal (files it reads now must be readable by that user),
	 * not in cron mail */
	if (isatty(STDERR_FILENO) || g->verbose)
		fprintf(stderr, "dcvmail: running as user %s, the owner of %s\n", name, cfg->state_dir);
	return 1;
}

static int
load_config_ops(struct globals *g, struct config *cfg, struct ruleset **rs, int mode, const struct config_ops *ops)
{
	int r;

	if ((r = config_setup(cfg, g->config_path, g->state_dir, g->argv0, ops)) != 0)
		return r;
	if ((r = become_state_owner(g, cfg)) == 1) {
		/* read the config again as that user: what it cannot read fails now */
		char *sd = xstrdup(cfg->state_dir);
		config_free(cfg);
		if ((r = config_setup(cfg, g->config_path, g->state_dir, g->argv0, ops)) != 0)
			log_warnx("(run as the owner of %s, who must be able to read the config)", sd);
		free(sd);
		if (r != 0)
			return r;
	} else if (r != 0) {
		config_free(cfg);
		return r;
	}
	if (rs == NULL)
		return 0;
	if (rules_load(cfg->rules_dir, (enum rules_mode)mode, rs, config_rules_diag, cfg) != 0) {
		log_warnx("%s: broken rules, refusing to run", cfg->rules_dir);
		config_free(cfg);
		return EXIT_CONFIG;
	}
	return 0;
}

int
load_config_and_rules(struct globals *g, struct config *cfg, struct ruleset **rs, int mode)
{
	return load_config_ops(g, cfg, rs, mode, &cmd_config_ops);
}

/* Open the ledger of the configured state directory. */
int
cmd_open_ledger(struct globals *g, struct config *cfg, int flags, struct store **st)
{
	char *err = NULL;
	int r;

	if ((r = load_config_ops(g, cfg, NULL, 0, (flags & STORE_RDONLY) ? &read_only_ops : &cmd_config_ops)) != 0)
		return r;
	if (store_open_cfg(cfg, flags, st, &err) == -1) {
		fprintf(stderr, "%s: %s\n", log_prefix(), err);
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
		fprintf(stderr, "%s: %s\n", log_prefix(), c);
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

/* A plausible user name: printable ASCII without blanks, not too long. */
static int
user_name_ok(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++, n++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return 0;
	return n > 0 && n <= 64;
}

const char *
cmd_login_name(char *buf, size_t len)
{
	const char *s = getenv("SUDO_USER");
	struct passwd *pw;

	if (user_name_ok(s) && getpwnam(s) != NULL) {
		snprintf(buf, len, "%s", s);
		return buf;
	}
	s = getlogin();
	if (user_name_ok(s)) {
		snprintf(buf, len, "%s", s);
		return buf;
	}
	if ((pw = getpwuid(getuid())) != NULL && user_name_ok(pw->pw_name)) {
		snprintf(buf, len, "%s", pw->pw_name);
		return buf;
	}
	snprintf(buf, len, "uid %ld", (long)getuid());
	return buf;
}
