/* intake-imap.h — reading new mail from IMAP mailboxes: one connection per
 * mailbox (imap_conn), a catch-up pass, IDLE; the watch loop drives them. */
#ifndef DCVMAIL_INTAKE_IMAP_H
#define DCVMAIL_INTAKE_IMAP_H

#include <signal.h>
#include <stdio.h>
#include "config.h"
#include "intake/process.h"

struct imap_stats {
	size_t messages, recorded, moved;
};

struct imap_conn;

enum imap_open_err { IMAP_ERR_NET = -1, IMAP_ERR_REFUSED = -2, IMAP_ERR_CONFIG = -3 };

/* Connect (TLS verified before LOGIN), log in, open the folder (EXAMINE when
 * readonly). Returns 0 with *out, or an imap_open_err with *errp: REFUSED
 * when the password or the server's certificate was refused, CONFIG for what
 * the configuration must fix (URL, password file, folder), NET otherwise. */
int imap_conn_open(const struct mailbox_cfg *, int readonly, struct imap_conn **out, char **errp);
/* Read what is new since the stored UID mark: fetch (BODY.PEEK[], never more
 * than the size limit), record, then advance the mark, set $Dcvmail and move
 * to move-to. Stops between messages when *stop becomes non-zero. 0, or -1
 * with *errp (the connection is then unusable; the mark stays before any
 * message not yet recorded). */
int imap_conn_catch_up(struct imap_conn *, const struct process_ctx *, FILE *out, const volatile sig_atomic_t *stop,
		       struct imap_stats *, char **errp);
/* IDLE: start it; the socket to poll(); whether a response may already be
 * buffered; end it (reads what the server said meanwhile). 0, or -1. */
int imap_conn_can_idle(const struct imap_conn *);
int imap_conn_idle_start(struct imap_conn *, char **errp);
int imap_conn_fd(const struct imap_conn *);
int imap_conn_buffered(const struct imap_conn *);
int imap_conn_idle_done(struct imap_conn *, char **errp);
/* Free the connection, with IDLE DONE and LOGOUT first when polite (a
 * connection that failed is just closed: a hung server cannot hold us). */
void imap_conn_close(struct imap_conn *, int polite);

/* One pass (watch --once): open, catch up, close. 0, or -1 with *errp. */
int imap_pass_run(const struct mailbox_cfg *, const struct process_ctx *, FILE *out, struct imap_stats *, char **errp);

#endif
