/* pipe.h — delivering one message from Postfix pipe(8): by `dcvmail pipe`
 * itself, or by a running `dcvmail watch` for the dcvmail-pipe client. */
#ifndef DCVMAIL_PIPE_H
#define DCVMAIL_PIPE_H

#include <stddef.h>
#include "config.h"
#include "judge/rules.h"
#include "ledger/store.h"
#include "base/util.h"

struct pipe_request {
	const char *sender, *rcpt, *orig; /* NULL or "" when absent */
	const char *data;
	size_t len;
	int dry_run;
	int run_actions; /* run due outbox items inline (pipe-action-deadline) */
	/* set when the message was larger than what is held in memory and was
	 * archived whole while it was read: data is its prefix */
	const char *spooled_sha256;
	size_t spooled_size;
};

/* Classify and record; append Postfix's answer text to out ("4.3.0 reason"
 * on failure, a verdict line for dry runs) and, on failure, the detail for
 * the log to logline (to be logged after the answer is written). Returns 0 (delivered, the record
 * is committed) or 75 (EX_TEMPFAIL: Postfix retries). st may be NULL only
 * for dry runs. */
int pipe_deliver(const struct pipe_request *, const struct config *, const struct ruleset *, struct store *st,
		 struct buf *out, struct buf *logline);

/* The server side for the dcvmail-pipe client (pipe-server.c), run by
 * `dcvmail watch` with `pipe-server yes`: STATE_DIR/pipe.sock, mode 0600.
 * open: the listening socket (non-blocking), or -1 with *errp (also when
 * another watcher serves it). */
int pipe_server_open(const char *state_dir, char **errp);
/* Split a request (data is changed: lines are cut) into pr's envelope and
 * message, which point into data. 0, or -1 when it is not a request. */
int pipe_request_parse(char *data, size_t len, struct pipe_request *pr);
void pipe_server_close(int fd, const char *state_dir);
/* Accept new clients, read what the connected ones sent, answer those that
 * finished and drop those past their deadline; never blocks on a client.
 * Returns how many deliveries were answered. */
int pipe_server_serve(int fd, const struct config *, const struct ruleset *, struct store *);
/* The listening socket and every client for poll(2): at most
 * 1 + PIPE_SERVER_MAX_CLIENTS entries; 0 when fd is -1. */
#define PIPE_SERVER_MAX_CLIENTS 64
struct pollfd;
size_t pipe_server_pollfds(int fd, struct pollfd *);
/* Milliseconds until the first client deadline, -1 without clients. */
int pipe_server_timeout_ms(double now);

#endif
