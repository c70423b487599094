/* token-cmd.c — the access token from a token-command (token-cmd.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/token-cmd.h"
#include "base/util.h"

#define OUT_MAX (64 * 1024) /* bytes kept of each stream; tokens are a few KB */

void
token_free(char *t)
{
	if (t == NULL)
		return;
	explicit_bzero(t, strlen(t));
	free(t);
}

static int
executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int
token_cmd_findable(const char *prog, char **errp)
{
	const char *path = getenv("PATH"), *p, *e;

	if (strchr(prog, '/')) {
		if (executable(prog))
			return 0;
		*errp = xasprintf("%s: %s", prog, access(prog, F_OK) == 0 ? "not an executable file" : strerror(errno));
		return -1;
	}
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, ':');
		char *f = xasprintf("%.*s/%s", (int)(e - p), e == p ? "." : p, prog);
		int ok = executable(f);
		free(f);
		if (ok)
			return 0;
	}
	*errp = xasprintf("%s: not found in PATH (%s)", prog, path);
	return -1;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The first line of buf (without \r\n), or "" */
static char *
first_line(const char *buf, size_t len)
{
	size_t n = 0;

	while (n < len && buf[n] != '\n' && buf[n] != '\0')
		n++;
	while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	return xstrndup(buf, n);
}

static void
child(char *const argv[], int out, int err)
{
	int null = open("/dev/null", O_RDONLY);

	setpgid(0, 0); /* so that a timeout kills what it started too */
	if (null != -1 && null != 0) {
		dup2(null, 0);
		close(null);
	}
	dup2(out, 1);
	dup2(err, 2);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

char *
token_cmd_run(char *const argv[], int timeout, char **errp)
{
	int po[2], pe[2], status = 0, timed_out = 0, exited = 0;
	struct pollfd pf[2];
	char *buf[2] = { xmalloc(OUT_MAX), xmalloc(OUT_MAX) };
	size_t len[2] = { 0, 0 };
	double deadline = mono() + timeout;
	char *tok = NULL, *why;
	pid_t pid;

	*errp = NULL;
	if (pipe2(po, O_CLOEXEC) == -1) {
		*errp = xasprintf("%s: pipe: %s", argv[0], strerror(errno));
		goto out;
	}
	if (pipe2(pe, O_CLOEXEC) == -1) {
		*errp = xasprintf("%s: pipe: %s", argv[0], strerror(errno));
		close(po[0]);
		close(po[1]);
		goto out;
	}
	if ((pid = fork()) == -1) {
		*errp = xasprintf("%s: fork: %s", argv[0], strerror(errno));
		close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
		goto out;
	}
	if (pid == 0)
		child(argv, po[1], pe[1]);
	setpgid(pid, pid); /* also here: no race with the kill below */
	close(po[1]);
	close(pe[1]);
	pf[0] = (struct pollfd){ .fd = po[0], .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = pe[0], .events = POLLIN };
	while (pf[0].fd != -1 || pf[1].fd != -1) {
		double left = deadline - mono();
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		int r = poll(pf, 2, (int)(left * 1000) + 1);
		if (r == -1 && errno != EINTR)
			break;
		for (int i = 0; i < 2 && r > 0; i++) {
			if (pf[i].fd == -1 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char tmp[4096];
			ssize_t n = read(pf[i].fd, tmp, sizeof(tmp));
			if (n <= 0) {
				if (n == -1 && errno == EINTR)
					continue;
				close(pf[i].fd);
				pf[i].fd = -1;
				continue;
			}
			size_t k = (size_t)n < OUT_MAX - len[i] ? (size_t)n : OUT_MAX - len[i];
			memcpy(buf[i] + len[i], tmp, k);
			len[i] += k;
			explicit_bzero(tmp, sizeof(tmp));
		}
	}
	for (int i = 0; i < 2; i++)
		if (pf[i].fd != -1)
			close(pf[i].fd);
	/* both streams closed: it should be exiting; wait for it up to the deadline */
	while (!timed_out) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			exited = 1;
			break;
		}
		if (w == -1 && errno != EINTR)
			break;
		if (mono() >= deadline)
			timed_out = 1;
		else
			usleep(10000);
	}
	if (!exited) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	why = first_line(buf[1], len[1]);
	if (timed_out)
		*errp = xasprintf("%s: no token within %d s: killed", argv[0], timeout);
	else if (!exited)
		*errp = xasprintf("%s: lost track of it", argv[0]);
	else if (WIFSIGNALED(status))
		*errp = xasprintf("%s: killed by signal %d%s%s", argv[0], WTERMSIG(status), *why ? ": " : "", why);
	else if (WEXITSTATUS(status) != 0)
		*errp = xasprintf("%s: exit %d%s%s", argv[0], WEXITSTATUS(status), *why ? ": " : "",
				  *why ? why : " (nothing on stderr)");
	else {
		tok = first_line(buf[0], len[0]);
		size_t i;
		for (i = 0; tok[i] && tok[i] > ' ' && tok[i] < 0x7f; i++)
			;
		if (tok[0] == '\0' || tok[i] != '\0') {
			*errp = xasprintf("%s: %s", argv[0],
					  tok[0] == '\0' ? "printed no token"
							 : "the token's line holds spaces or control characters");
			token_free(tok);
			tok = NULL;
		}
	}
	free(why);
out:
	for (int i = 0; i < 2; i++) {
		explicit_bzero(buf[i], OUT_MAX);
		free(buf[i]);
	}
	return tok;
}
