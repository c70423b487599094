/* cmd-trust.c — h-deploy: `dcvmail -n` warns when trust-authserv-id is set
 * but no CA mail that came by the pipe ever carried a trusted
 * Authentication-Results header: most likely no milter writes that id, and
 * then every genuine CA mail is suspicious. */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "ledger/store.h"

static void
warn_if_unseen(const struct config *cfg)
{
	struct store *st;
	char *err = NULL;
	long n = 0, judged = 0;

	if (store_open(cfg->state_dir, STORE_RDONLY | STORE_NOCREATE, &st, &err) == -1) {
		free(err); /* no ledger yet: nothing to tell */
		return;
	}
	if (store_pipe_auth_counts(st, &n, &judged, &err) == 0 && n > 0 && judged == 0)
		fprintf(stderr,
			"dcvmail: warning: trust-authserv-id %s: none of the %ld CA messages that came by the pipe "
			"had a trusted Authentication-Results header; set it only when a milter on this host "
			"(OpenDKIM, OpenDMARC, rspamd) writes headers with that id, or genuine CA mail is suspicious\n",
			cfg->trust_authserv_ids.v[0], n);
	free(err);
	store_close(st);
}

void
cmd_hint_trust(const struct config *cfg)
{
	struct stat sb;
	pid_t pid;

	if (cfg->trust_authserv_ids.n == 0 || cfg->verify_dkim || stat(cfg->state_dir, &sb) == -1)
		return;
	if (sb.st_uid == geteuid()) {
		warn_if_unseen(cfg);
		return;
	}
	if (geteuid() != 0)
		return; /* the ledger is not ours to open */
	/* root: read it as its owner, in a child, so no file there becomes root's */
	fflush(stderr);
	if ((pid = fork()) == 0) {
		if (setgroups(0, NULL) == 0 && setgid(sb.st_gid) == 0 && setuid(sb.st_uid) == 0)
			warn_if_unseen(cfg);
		fflush(stderr);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}
