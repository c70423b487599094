/* pipe-server.c — `dcvmail watch` answering dcvmail-pipe clients (concurrently) on
 * STATE_DIR/pipe.sock, so that a Postfix delivery does not pay for loading
 * dcvmail's libraries in a new process each time.
 *
 * The wire format is pipe-proto.h, shared with the client. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"
#include "intake/pipe.h"
#include "intake/pipe-proto.h"
#include "base/util.h"

/* Clients are served concurrently: each has its own buffer and deadline
 * (pipe-server-timeout from its connect), and the watcher's poll loop waits
 * on all of them, so idle or slow clients cannot delay another delivery. */
struct pclient {
	int fd;
	double deadline;
	struct buf in;
};
static struct pclient clients[PIPE_SERVER_MAX_CLIENTS];
static size_t nclients;
/* Bytes all clients may hold at once: 8 x message-size (set by serve).
 * While the budget is spent only the client that holds the most is read (an
 * idle one cannot hold the others up; that one finishes and frees its part),
 * so 64 clients cannot make the watcher hold 64 big messages. */
static size_t budget = (size_t)80 << 20;

static size_t
buffered(void)
{
	size_t n = 0;

	for (size_t i = 0; i < nclients; i++)
		n += clients[i].in.len;
	return n;
}

/* May client i be read now? */
static int
may_read(size_t i, size_t held)
{
	if (held < budget)
		return 1;
	for (size_t j = 0; j < nclients; j++)
		if (clients[j].in.len > clients[i].in.len || (clients[j].in.len == clients[i].in.len && j < i))
			return 0; /* another one is further along */
	return 1;
}

static void
client_drop(size_t i)
{
	close(clients[i].fd);
	buf_free(&clients[i].in);
	clients[i] = clients[--nclients];
}

static int
sock_path(const char *state_dir, struct sockaddr_un *sun, char **errp)
{
	if (pipe_proto_sock_path(sun, state_dir) == -1) {
		*errp = xasprintf("%s/" PIPE_PROTO_SOCK ": path too long for a socket", state_dir);
		return -1;
	}
	return 0;
}

int
pipe_server_open(const char *state_dir, char **errp)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, probe;

	if (sock_path(state_dir, &sun, errp) == -1)
		return -1;
	/* a socket left by a dead watcher is removed; a live one is not stolen */
	if ((probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1) {
		int alive = connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0;
		close(probe);
		if (alive) {
			*errp = xasprintf("%s: another dcvmail watch already serves it", sun.sun_path);
			return -1;
		}
	}
	unlink(sun.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1) {
		*errp = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177); /* 0600: only dcvmail's own user may deliver */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 || listen(fd, 64) == -1) {
		umask(old);
		*errp = xasprintf("%s: %s", sun.sun_path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}

void
pipe_server_close(int fd, const char *state_dir)
{
	struct sockaddr_un sun;
	char *err = NULL;

	if (fd == -1)
		return;
	while (nclients > 0) /* no answer: the client exits 75 and Postfix retries */
		client_drop(nclients - 1);
	close(fd);
	if (sock_path(state_dir, &sun, &err) == 0)
		unlink(sun.sun_path);
	free(err);
}

/* Read what is there (the bytes over max are read and dropped: the message
 * is then oversized, as in `dcvmail pipe`). 1 at EOF, 0 for more to come,
 * -1 on error. */
static int
read_some(int fd, struct buf *b, size_t max)
{
	char tmp[65536];

	for (int rounds = 0; rounds < 256; rounds++) { /* up to 16 MB, then let others in */
		ssize_t n = read(fd, tmp, sizeof(tmp));
		if (n == 0)
			return 1;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		if (b->len < max)
			buf_add(b, tmp, b->len + (size_t)n > max ? max - b->len : (size_t)n);
	}
	return 0;
}

size_t
pipe_server_pollfds(int lfd, struct pollfd *pfd)
{
	size_t n = 0;

	if (lfd == -1)
		return 0;
	pfd[n].fd = nclients < PIPE_SERVER_MAX_CLIENTS ? lfd : -1; /* full: the rest wait in the backlog */
	pfd[n++].events = POLLIN;
	size_t held = buffered();
	for (size_t i = 0; i < nclients; i++) {
		pfd[n].fd = may_read(i, held) ? clients[i].fd : -1; /* -1: poll skips it */
		pfd[n++].events = POLLIN;
	}
	return n;
}

int
pipe_server_timeout_ms(double now)
{
	double next = 0;

	for (size_t i = 0; i < nclients; i++)
		if (next == 0 || clients[i].deadline < next)
			next = clients[i].deadline;
	if (next == 0)
		return -1;
	return next <= now ? 0 : (int)((next - now) * 1000) + 1;
}

static int
write_all(int fd, const char *p, size_t n, int timeout)
{
	double end = now_mono() + timeout;

	while (n > 0) {
		struct pollfd pf = { fd, POLLOUT, 0 };
		ssize_t w;
		if (poll(&pf, 1, (int)((end - now_mono()) * 1000) + 1) <= 0 || now_mono() > end)
			return -1;
		if ((w = send(fd, p, n, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
pipe_request_parse(char *data, size_t len, struct pipe_request *pr)
{
	struct pipe_proto_head h;

	memset(pr, 0, sizeof(*pr));
	if (pipe_proto_read_head(data, len, &h, &pr->data, &pr->len) == -1)
		return -1;
	pr->sender = h.sender;
	pr->rcpt = h.rcpt;
	pr->orig = h.orig;
	pr->queue_id = pipe_proto_queue_id_ok(h.queue_id) ? h.queue_id : NULL; /* the client checked it */
	pr->dry_run = h.dry_run;
	return 0;
}

static void
answer(int fd, struct buf *in, const struct config *cfg, const struct ruleset *rs, struct store *st)
{
	struct pipe_request pr;
	struct buf out, logline;
	char head[16];
	int rc;

	if (in->len == 0 || pipe_request_parse(in->data, in->len, &pr) == -1) {
		log_warnx("pipe.sock: a client sent something that is not a dcvmail-pipe request");
		return;
	}
	buf_init(&out, 1 << 16);
	buf_init(&logline, 1 << 16);
	pr.run_actions = 0; /* the watcher's own outbox runs them next */
	rc = pipe_deliver(&pr, cfg, rs, st, &out, &logline);
	if (write_all(fd, head, pipe_proto_write_status(head, sizeof(head), rc), cfg->pipe_server_timeout) == -1 ||
	    write_all(fd, out.data ? out.data : "", out.len, cfg->pipe_server_timeout) == -1)
		log_warnx("pipe.sock: the client left before the answer (%s); Postfix will "
			  "retry and the copy is recognised",
			  rc == 0 ? "recorded" : "deferred");
	if (logline.len)
		log_warnx("%s", logline.data);
	buf_free(&out);
	buf_free(&logline);
}

int
pipe_server_serve(int lfd, const struct config *cfg, const struct ruleset *rs, struct store *st)
{
	size_t max = cfg->limits.max_size * 4 + 4096 + PIPE_PROTO_HEAD_MAX;
	int fd, served = 0;

	budget = cfg->limits.max_size * 8;
	while (nclients < PIPE_SERVER_MAX_CLIENTS &&
	       (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) != -1) {
		struct pclient *c = &clients[nclients++];
		c->fd = fd;
		c->deadline = now_mono() + cfg->pipe_server_timeout;
		buf_init(&c->in, max);
	}
	for (size_t i = 0; i < nclients;) {
		struct pclient *c = &clients[i];
		int r = may_read(i, buffered()) ? read_some(c->fd, &c->in, max) : 0;

		if (r == 1) {
			answer(c->fd, &c->in, cfg, rs, st);
			served++;
		} else if (r == -1 || now_mono() >= c->deadline) {
			log_warnx("pipe.sock: a client sent no complete message within %d s", cfg->pipe_server_timeout);
		} else {
			i++;
			continue;
		}
		client_drop(i);
	}
	return served;
}
