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
	const char *queue_id;		  /* the MTA's queue id (pipe -q): begins the log lines; NULL: none */
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

/* `dcvmail pipe` (intake-pipe.c). pipe_guard: a signal or the 300-second
 * watchdog answers "4.3.0 ..." and exits 75, and so does a fatal error.
 * pipe_intake: read one message on fd (whole, spooled to the archive past
 * what is held in memory), deliver it with envelope's sender, recipients and
 * dry-run, write the answer to stdout and the detail to the log; returns the
 * exit code (0 or 75). pipe_fail: answer a deferral for why; returns 75.
 * pipe_defer: append a deferral to out and logline (logline.h: the queue
 * id first); returns 75.
 * pipe_answer: write out to stdout and logline to the log, free both;
 * returns rc. */
void pipe_guard(void);
int pipe_intake(int fd, const struct pipe_request *envelope, const struct config *, const struct ruleset *);
int pipe_fail(const char *queue_id, const char *why);
int pipe_defer(struct buf *out, struct buf *logline, const char *queue_id, const char *why, const char *detail);
int pipe_answer(struct buf *out, struct buf *logline, int rc);

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
