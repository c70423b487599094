/* dcvmail-pipe — the Postfix pipe(8) entry point that costs almost nothing
 * to start: it links only the C library, hands the message to a running
 * `dcvmail watch` (with `pipe-server yes`) over STATE_DIR/pipe.sock and
 * exits with its answer. With no watcher listening it becomes
 * `dcvmail pipe` (exec, stdin untouched), so mail is handled either way.
 *
 * Exit status as for `dcvmail pipe`: 0 only after the watcher committed the
 * record, 75 (EX_TEMPFAIL, Postfix retries) for anything else, with a first
 * output line "4.3.0 reason". */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "intake/pipe-proto.h"

#ifndef DCVMAIL_SYSCONFDIR
#define DCVMAIL_SYSCONFDIR "/etc"
#endif
#ifndef DCVMAIL_BINDIR
#define DCVMAIL_BINDIR "/usr/local/bin"
#endif
#define EX_TEMPFAIL PIPE_PROTO_TEMPFAIL
#define WATCHDOG 300

static void
on_alarm(int sig)
{
	static const char msg[] = "4.3.0 dcvmail-pipe timed out; try again later\n";

	(void)sig;
	(void)!write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(EX_TEMPFAIL);
}

static int
tempfail(const char *why)
{
	printf("4.3.0 %s\n", why);
	fflush(stdout);
	return EX_TEMPFAIL;
}

/* The one thing read from the config file: state-dir, to find the socket.
 * This is not the configuration parser (config.c links more than the C
 * library); it reads the file by the same rules, as dcvmail-pipe(8) says:
 * words split at white space, a word in "double quotes" (which may hold
 * white space), a word starting with # ends the line; a line whose first
 * word is mailbox, smtp or route and whose last word is { opens a block, a
 * line holding only } closes it; outside blocks, the last line "state-dir
 * DIR" wins. Anything else is left to dcvmail, which refuses a broken file.
 * NULL when the file has no state-dir. */
static int
conf_words(char *s, char **w, int max)
{
	int n = 0;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0' || *s == '#' || n == max)
			return n;
		if (*s == '"') {
			w[n] = ++s;
			if ((s = strchr(s, '"')) == NULL)
				return -1; /* unterminated: dcvmail refuses the file */
		} else {
			w[n] = s;
			while (*s && !isspace((unsigned char)*s))
				s++;
		}
		n++;
		if (*s)
			*s++ = '\0';
	}
}

static char *
conf_state_dir(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *res = NULL, *w[64];
	size_t cap = 0;
	int n, block = 0;

	if (f == NULL)
		return NULL;
	while (getline(&line, &cap, f) != -1) {
		if ((n = conf_words(line, w, 64)) <= 0)
			continue;
		if (!strcmp(w[0], "}") && n == 1)
			block = 0;
		else if (!block && n > 1 && !strcmp(w[n - 1], "{") &&
			 (!strcmp(w[0], "mailbox") || !strcmp(w[0], "smtp") || !strcmp(w[0], "route")))
			block = 1;
		else if (!block && n == 2 && !strcmp(w[0], "state-dir")) {
			free(res);
			res = strdup(w[1]);
		}
	}
	free(line);
	fclose(f);
	return res;
}

/* The full program: beside this one, else in BINDIR. */
static void
exec_full(char **argv)
{
	char self[PATH_MAX], full[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(full, sizeof(full), "%s/dcvmail", self);
			if (access(full, X_OK) == 0) {
				argv[0] = full;
				execv(full, argv);
			}
		}
	}
	argv[0] = DCVMAIL_BINDIR "/dcvmail";
	execv(argv[0], argv);
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = { { "dry-run", no_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	const char *conf = getenv("DCVMAIL_CONFIG"), *dir = getenv("DCVMAIL_STATE_DIR");
	const char *sender = NULL, *rcpt = NULL, *orig = NULL, *qid = NULL, *optc = NULL, *optd = NULL, *text;
	char *full[20], *confdir = NULL, buf[65536], head[PIPE_PROTO_HEAD_MAX];
	struct sockaddr_un sun;
	int ch, dry = 0, fd, nf = 0, rc;
	size_t hl;
	ssize_t n;

	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(WATCHDOG);
	while ((ch = getopt_long(argc, argv, "c:d:f:r:o:q:", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': optc = optarg; break;
		case 'd': optd = optarg; break;
		case 'f': sender = optarg; break;
		case 'r': rcpt = optarg; break;
		case 'o': orig = optarg; break;
		case 'q': qid = *optarg ? optarg : NULL; break;
		case 'n': dry = 1; break;
		default:
			return tempfail("usage: dcvmail-pipe [-c CONFIG] [-d STATE_DIR] [-f SENDER] [-r RECIPIENT] "
					"[-o ORIGINAL_RECIPIENT] [-q QUEUE_ID] [--dry-run]");
		}
	}
	if (optind != argc || !pipe_proto_value_ok(sender) || !pipe_proto_value_ok(rcpt) ||
	    !pipe_proto_value_ok(orig) || (qid && !pipe_proto_queue_id_ok(qid)))
		return tempfail("usage: dcvmail-pipe [-c CONFIG] [-d STATE_DIR] [-f SENDER] [-r RECIPIENT] "
				"[-o ORIGINAL_RECIPIENT] [-q QUEUE_ID] [--dry-run]");

	/* the same order as dcvmail: -d, $DCVMAIL_STATE_DIR, the config's state-dir, default */
	if (optc)
		conf = optc;
	if (conf == NULL || *conf == '\0')
		conf = DCVMAIL_SYSCONFDIR "/dcvmail/dcvmail.conf";
	if (optd)
		dir = optd;
	else if (dir == NULL || *dir == '\0')
		dir = (confdir = conf_state_dir(conf)) ? confdir : "/var/lib/dcvmail";

	fd = -1;
	if (pipe_proto_sock_path(&sun, dir) == 0 && (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1 &&
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		fd = -1;
	}
	if (fd == -1) { /* no watcher: do the work here */
		full[nf++] = "dcvmail";
		if (optc) {
			full[nf++] = "-c";
			full[nf++] = (char *)optc;
		}
		if (optd) {
			full[nf++] = "-d";
			full[nf++] = (char *)optd;
		}
		full[nf++] = "pipe";
		if (sender) {
			full[nf++] = "-f";
			full[nf++] = (char *)sender;
		}
		if (rcpt) {
			full[nf++] = "-r";
			full[nf++] = (char *)rcpt;
		}
		if (orig) {
			full[nf++] = "-o";
			full[nf++] = (char *)orig;
		}
		if (qid) {
			full[nf++] = "-q";
			full[nf++] = (char *)qid;
		}
		if (dry)
			full[nf++] = "--dry-run";
		full[nf] = NULL;
		exec_full(full);
		return tempfail("no dcvmail watch is listening and dcvmail cannot be run");
	}
	free(confdir);

	hl = pipe_proto_write_head(head, sizeof(head), &(struct pipe_proto_head){ sender, rcpt, orig, dry, qid });
	if (hl >= sizeof(head))
		return tempfail("dcvmail-pipe: envelope too long");
	if (write_all(fd, head, hl) == -1)
		return tempfail("the dcvmail watcher closed the connection; try again later");
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return tempfail("cannot read the message");
		}
		if (write_all(fd, buf, (size_t)n) == -1)
			return tempfail("the dcvmail watcher closed the connection; try again later");
	}
	shutdown(fd, SHUT_WR);

	/* the answer: the exit code, then the text for Postfix */
	size_t got = 0;
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	if ((rc = pipe_proto_read_answer(buf, &text)) == -1)
		return tempfail("the dcvmail watcher stopped before answering; try again later");
	fputs(text, stdout);
	fflush(stdout);
	return rc;
}
