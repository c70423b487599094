/* intake-imap.h — reading new mail from an IMAP mailbox. */
#ifndef DCVMAIL_INTAKE_IMAP_H
#define DCVMAIL_INTAKE_IMAP_H

#include <stdio.h>
#include "config.h"
#include "process.h"

struct imap_pass {
	const struct mailbox_cfg *mb;
	const struct process_ctx *ctx; /* dry_run: EXAMINE, nothing recorded or flagged */
	FILE *out;                     /* a line per message, or NULL */
};
struct imap_stats {
	size_t messages, recorded;
};

/* Connect (TLS verified before LOGIN), read what is new since the stored UID
 * mark, record it, then advance the mark and set $Dcvmail. 0, or -1 with *errp. */
int imap_pass_run(const struct imap_pass *, struct imap_stats *, char **errp);

#endif
