/* logline.h — the one log line per message, in Postfix's manner: the
 * message's id first, so that `grep ID` finds Postfix's and dcvmail's lines
 * of one mail together (dcvmail(8), LOGGING):
 *
 *   ID: request=N domain=D TYPE CA/RULE OUTCOME role=R actions=A sha256=H[ reason="..."]
 *   ID: deferred: WHY[: DETAIL]
 *
 * ID is the Postfix queue id (`dcvmail pipe -q`), NOQUEUE without one, or
 * MAILBOX:UID for IMAP. A line never holds a link or a code: links in the
 * reasons become "[link to HOST]", a captured code "[code]". */
#ifndef DCVMAIL_LOGLINE_H
#define DCVMAIL_LOGLINE_H

#include "base/util.h"
#include "intake/process.h"

/* The line for a processed message into b (appended, no newline). */
void logline_message(struct buf *b, const char *id, const struct process_result *r, const struct envelope *env,
		     int dry_run);
/* The line for a deferred message into b. */
void logline_deferral(struct buf *b, const char *id, const char *why, const char *detail);
/* s into b without links or v's codes (v may be NULL), '"' as '\''. */
void logline_scrub(struct buf *b, const char *s, const struct verdict *v);
/* logline_message, logged (log_info). */
void logline_log(const char *id, const struct process_result *r, const struct envelope *env, int dry_run);

#endif
