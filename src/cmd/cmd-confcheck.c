/* cmd-confcheck.c — `dcvmail -n`: everything start-up would refuse, found
 * before a message is deferred: the config (its URLs through curl_url, as
 * when connecting), whether the user dcvmail runs as can read it, the secret
 * files (there, 0600, that user's), the state directory (owner, mode, and
 * every archive subdirectory that user's), the rules. With -v the effective
 * configuration; with -v -v every keyword too. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "base/log.h"
#include "judge/rules.h"
#include "base/util.h"

struct check {
	const struct config *cfg;
	uid_t uid;     /* the user dcvmail runs as */
	char user[64]; /* its name */
	int errors, warnings;
};

/* "FILE:LINE: " of a top-level setting, or the config file alone. */
static void
where(const struct check *ck, int line)
{
	if (ck->cfg->path && line > 0)
		fprintf(stderr, "%s:%d: ", ck->cfg->path, line);
	else if (ck->cfg->path)
		fprintf(stderr, "%s: ", ck->cfg->path);
	else
		fprintf(stderr, "dcvmail: ");
}

/* Who dcvmail runs as: this user, or, for root, the owner of an existing
 * state directory (the service user the deliveries run as). */
static void
run_user(struct check *ck)
{
	struct stat st;

	ck->uid = geteuid();
	if (ck->uid == 0 && stat(ck->cfg->state_dir, &st) == 0 && st.st_uid != 0)
		ck->uid = st.st_uid;
	snprintf(ck->user, sizeof(ck->user), "%s", user_name(ck->uid));
}

/* Can uid read path (parent directories, groups and ACLs included)? Only
 * root can ask for another user: a child takes that user's identity and
 * tries. 0 yes, else the errno. */
static int
readable_as(const char *path, uid_t uid)
{
	struct passwd *pw;
	pid_t pid;
	int status;

	if (uid == geteuid())
		return access(path, R_OK) == 0 ? 0 : errno;
	if ((pw = getpwuid(uid)) == NULL)
		return 0; /* no such user to try as: not ours to say */
	if ((pid = fork()) == -1)
		return 0;
	if (pid == 0) {
		if (initgroups(pw->pw_name, pw->pw_gid) == -1 || setgid(pw->pw_gid) == -1 || setuid(uid) == -1)
			_exit(0);
		_exit(access(path, R_OK) == 0 ? 0 : errno & 0xff);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 0;
}

static void
check_config_readable(struct check *ck)
{
	int e;

	if (ck->cfg->path == NULL || ck->uid == geteuid())
		return; /* read already, as this very user */
	if ((e = readable_as(ck->cfg->path, ck->uid)) != 0) {
		struct stat st;
		where(ck, 0);
		fprintf(stderr, "%s (as user %s, the owner of the state directory, who runs dcvmail)", strerror(e),
			ck->user);
		if (stat(ck->cfg->path, &st) == 0)
			fprintf(stderr, ": mode %04o, owner %s, group %s; fix with: chgrp %s %s && chmod 640 %s",
				(unsigned)(st.st_mode & 07777), user_name(st.st_uid),
				getgrgid(st.st_gid) ? getgrgid(st.st_gid)->gr_name : "?", ck->user, ck->cfg->path,
				ck->cfg->path);
		fprintf(stderr, "\n");
		ck->errors++;
	}
}

/* One path of the state directory: ours (the run user's), and private. */
static int
check_owned(struct check *ck, const char *path, const struct stat *st, const char *what, const char *fix)
{
	if (st->st_uid != ck->uid) {
		where(ck, ck->cfg->state_dir_line);
		fprintf(stderr,
			"%s %s is owned by %s, not by %s (the user dcvmail runs as): %s; fix with: chown -R %s: %s\n",
			what, path, user_name(st->st_uid), ck->user, fix, ck->user, ck->cfg->state_dir);
		ck->errors++;
		return -1;
	}
	return 0;
}

static void
check_state_dir(struct check *ck)
{
	const char *d = ck->cfg->state_dir;
	struct stat st;
	char *p;
	DIR *dir;
	struct dirent *de;
	int bad = 0;

	if (stat(d, &st) == -1) {
		where(ck, ck->cfg->state_dir_line);
		if (errno == ENOENT) {
			fprintf(stderr,
				"warning: state-dir %s does not exist yet: the first command that records "
				"creates it (mode 0700), as the user it runs as\n",
				d);
			ck->warnings++;
		} else {
			fprintf(stderr, "state-dir %s: %s\n", d, strerror(errno));
			ck->errors++;
		}
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		where(ck, ck->cfg->state_dir_line);
		fprintf(stderr, "state-dir %s: not a directory\n", d);
		ck->errors++;
		return;
	}
	if (check_owned(ck, d, &st, "state-dir", "it cannot record mail there") == -1)
		return;
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		where(ck, ck->cfg->state_dir_line);
		fprintf(stderr,
			"state-dir %s has mode %04o: group or others can enter it, and dcvmail refuses it; fix with: "
			"chmod 700 %s\n",
			d, (unsigned)(st.st_mode & 07777), d);
		ck->errors++;
	}
	static const char *const files[] = { "ledger.db", "ledger.db-wal", "ledger.db-shm", "archive" };
	for (size_t i = 0; i < nitems(files); i++) {
		p = xasprintf("%s/%s", d, files[i]);
		if (lstat(p, &st) == 0)
			bad |= check_owned(ck, p, &st, i == 3 ? "directory" : "file",
					   "the ledger cannot be written by the deliveries") == -1;
		free(p);
	}
	/* archive/xx/: a subdirectory made by another user (root importing
	 * old mail) defers every message whose hash falls into it */
	p = xasprintf("%s/archive", d);
	if (!bad && (dir = opendir(p)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			char *sub;
			if (de->d_name[0] == '.')
				continue;
			sub = xasprintf("%s/%s", p, de->d_name);
			if (lstat(sub, &st) == 0 &&
			    check_owned(ck, sub, &st, S_ISDIR(st.st_mode) ? "archive directory" : "archive file",
					"mail whose hash falls into it is deferred with 'Permission denied'") == -1) {
				free(sub);
				break; /* one is enough: the fix is for all */
			}
			free(sub);
		}
		closedir(dir);
	}
	free(p);
}

int
cmd_config_check(struct globals *g)
{
	struct config cfg;
	struct ruleset *rs = NULL;
	struct check ck;
	int r, n;

	if ((r = config_setup(&cfg, g->config_path, g->state_dir, g->argv0, &cmd_config_ops)) != 0)
		return r;
	memset(&ck, 0, sizeof(ck));
	ck.cfg = &cfg;
	run_user(&ck);
	if (cfg.path == NULL)
		printf("no config file (%s), defaults in use\n", DCVMAIL_SYSCONFDIR "/dcvmail/dcvmail.conf");
	else
		printf("%s: syntax ok\n", cfg.path);
	if (ck.uid != geteuid())
		printf("checking as %s, the owner of %s\n", ck.user, cfg.state_dir);
	check_config_readable(&ck);
	if ((n = config_check_secrets_as(&cfg, ck.uid, ck.user, stderr)) > 0) {
		fprintf(stderr, "dcvmail: %s: %d secret file%s not safe\n", cfg.path ? cfg.path : "configuration", n,
			n == 1 ? "" : "s");
		ck.errors += n;
	}
	if ((n = config_check_programs(&cfg, stderr)) > 0) {
		fprintf(stderr, "dcvmail: %s: %d token-command%s cannot run\n", cfg.path ? cfg.path : "configuration",
			n, n == 1 ? "" : "s");
		ck.errors += n;
	}
	check_state_dir(&ck);
	n = rules_load(cfg.rules_dir, RULES_MODE_BATCH, &rs, config_rules_diag, &cfg);
	if (n > 0) {
		fprintf(stderr, "%s: %d error%s\n", cfg.rules_dir, n, n == 1 ? "" : "s");
		ck.errors += n;
	} else {
		cmd_hint_trust(&cfg); /* h-deploy: trust-authserv-id set, but no pipe mail carried it */
		printf("%s: %zu rules for %zu CAs in %zu files: ok\n", cfg.rules_dir, rules_count(rs),
		       rules_ca_count(rs), rules_file_count(rs));
		rules_free(rs);
	}
	if (g->verbose) {
		fflush(stderr);
		config_print(stdout, &cfg, &cmd_config_ops);
	}
	if (g->verbose > 1) {
		printf("dcvmail.conf keywords (block, keyword, arguments):\n");
		config_keywords(stdout, &cmd_config_ops);
	}
	int lr = cfg.ledger_url ? cmd_check_ledger(&cfg) : 0;
	fflush(stdout);
	if (lr && !ck.errors) { /* the database cannot be reached: mail would be deferred */
		config_free(&cfg);
		return lr;
	}
	if (ck.errors)
		fprintf(stderr, "dcvmail: %d problem%s: dcvmail would refuse to run or defer mail\n", ck.errors,
			ck.errors == 1 ? "" : "s");
	config_free(&cfg);
	return ck.errors ? EXIT_CONFIG : 0;
}
