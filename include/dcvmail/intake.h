/* intake.h — reading messages from files, Maildirs, mboxes and stdin. */
#ifndef DCVMAIL_INTAKE_H
#define DCVMAIL_INTAKE_H

#include <stddef.h>

/* Called once per message. label names it ("mbox:42", "cur/123.eml"). data is
 * valid only during the call. Return 0 to go on, non-zero to stop. */
typedef int (*intake_fn)(void *arg, const char *label, const char *data, size_t len);

/* path: a file (.eml, or an mbox when it starts with "From "), a Maildir
 * (cur/ and new/), a directory of files (recursively, sorted), or "-" for
 * stdin. max_size is a hard cap on what is read of one message (use a few
 * times the parser's size limit): larger messages are passed truncated to
 * max_size bytes, and the parser reports them oversized. Returns 0, or
 * -1 after printing an error naming the path and cause. Memory stays flat in
 * mailbox size (mboxes are read message by message). Inside a directory,
 * files named *.expect, *.dump, *.md, *.out, *.txt are skipped (test notes),
 * and an unreadable file is reported and counted while the rest are read:
 * -1 then means "at least one error". fn returning non-zero stops the walk. */
int intake_path(const char *path, size_t max_size, intake_fn fn, void *arg);

#endif
