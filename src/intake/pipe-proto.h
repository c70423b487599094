/* pipe-proto.h — the wire format of STATE_DIR/pipe.sock, between the
 * dcvmail-pipe client (client/dcvmail-pipe.c) and the server in `dcvmail
 * watch` (pipe-server.c). Defined here once, for both sides; C library only
 * (static inline), so the client links nothing else.
 *
 * Request:  "dcvmail-pipe 1\n", then "sender S\n", "rcpt R\n", "orig O\n",
 *           "queue-id Q\n", "dry-run\n" (each optional, values without CR or
 *           LF), an empty line, then the message until the client shuts down
 *           its side. "queue-id" came later: a client sends it only when
 *           given -q, so a request without it is what every client sent
 *           before, and a server from before it defers (75, Postfix retries)
 *           the requests that carry it until the watcher is restarted.
 *           The lines before the message take less than PIPE_PROTO_HEAD_MAX
 *           bytes.
 * Answer:   "0\n" (recorded) or "75\n" (deferred), then the text Postfix
 *           shows. The answer is sent only after the record is committed: a
 *           server that dies before answering makes the client exit 75, and
 *           Postfix retries. */
#ifndef DCVMAIL_PIPE_PROTO_H
#define DCVMAIL_PIPE_PROTO_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#define PIPE_PROTO_SOCK "pipe.sock"
#define PIPE_PROTO_HELLO "dcvmail-pipe 1"
#define PIPE_PROTO_HEAD_MAX 8192
#define PIPE_PROTO_TEMPFAIL 75

/* The envelope lines of a request. */
struct pipe_proto_head {
	const char *sender, *rcpt, *orig; /* NULL when absent */
	int dry_run;
	const char *queue_id; /* NULL when absent */
};

/* STATE_DIR/pipe.sock into sun. 0, or -1 when the path is too long. */
static inline int
pipe_proto_sock_path(struct sockaddr_un *sun, const char *state_dir)
{
	int n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/" PIPE_PROTO_SOCK, state_dir);
	return n >= 0 && (size_t)n < sizeof(sun->sun_path) ? 0 : -1;
}

/* May s be sent as an envelope value? */
static inline int
pipe_proto_value_ok(const char *s)
{
	return s == NULL || strpbrk(s, "\r\n") == NULL;
}

/* Is s a queue id (pipe -q ${queue_id}): 1 to 64 of [A-Za-z0-9._-]? The
 * same test as dcvmail pipe's, so both refuse the same master.cf lines. */
static inline int
pipe_proto_queue_id_ok(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++, n++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      strchr("._-", *s)))
			return 0;
	return n > 0 && n <= 64;
}

/* The request's lines before the message into buf (size bytes). Returns their
 * length; >= size when they do not fit. */
static inline size_t
pipe_proto_write_head(char *buf, size_t size, const struct pipe_proto_head *h)
{
	int n = snprintf(buf, size, PIPE_PROTO_HELLO "\n%s%s%s%s%s%s%s%s%s%s%s%s%s\n", h->sender ? "sender " : "",
			 h->sender ? h->sender : "", h->sender ? "\n" : "", h->rcpt ? "rcpt " : "",
			 h->rcpt ? h->rcpt : "", h->rcpt ? "\n" : "", h->orig ? "orig " : "", h->orig ? h->orig : "",
			 h->orig ? "\n" : "", h->queue_id ? "queue-id " : "", h->queue_id ? h->queue_id : "",
			 h->queue_id ? "\n" : "", h->dry_run ? "dry-run\n" : "");
	return n < 0 ? size : (size_t)n;
}

/* Split a request (data is changed: lines are cut) into h, whose values
 * point into data, and the message (*msg, *msglen). 0, or -1 when it is not
 * a request. */
static inline int
pipe_proto_read_head(char *data, size_t len, struct pipe_proto_head *h, const char **msg, size_t *msglen)
{
	char *p = data, *end = data + len, *nl;
	int first = 1;

	memset(h, 0, sizeof(*h));
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL && nl - data < PIPE_PROTO_HEAD_MAX) {
		*nl = '\0';
		if (first) {
			if (strcmp(p, PIPE_PROTO_HELLO))
				return -1;
			first = 0;
		} else if (*p == '\0') {
			*msg = nl + 1;
			*msglen = (size_t)(end - (nl + 1));
			return 0;
		} else if (!strncmp(p, "sender ", 7))
			h->sender = p + 7;
		else if (!strncmp(p, "rcpt ", 5))
			h->rcpt = p + 5;
		else if (!strncmp(p, "orig ", 5))
			h->orig = p + 5;
		else if (!strncmp(p, "queue-id ", 9))
			h->queue_id = p + 9;
		else if (!strcmp(p, "dry-run"))
			h->dry_run = 1;
		else
			return -1;
		p = nl + 1;
	}
	return -1;
}

/* The answer's first line for exit code rc into buf (size bytes). */
static inline size_t
pipe_proto_write_status(char *buf, size_t size, int rc)
{
	int n = snprintf(buf, size, "%d\n", rc);
	return n < 0 ? 0 : (size_t)n;
}

/* Read an answer (buf is NUL-terminated and changed): the exit code, 0 only
 * for a first line "0", and *text the text after it; -1 when the answer has
 * no complete first line. */
static inline int
pipe_proto_read_answer(char *buf, const char **text)
{
	char *nl = strchr(buf, '\n');

	if (nl == NULL)
		return -1;
	*nl = '\0';
	*text = nl + 1;
	return strcmp(buf, "0") == 0 ? 0 : PIPE_PROTO_TEMPFAIL;
}

#endif
