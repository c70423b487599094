/* intake.h — reading messages from files, Maildirs, mboxes and stdin. */
#ifndef DCVMAIL_INTAKE_H
#define DCVMAIL_INTAKE_H

#include <stddef.h>

/* Called once per message. label names it ("mbox:42", "cur/123.eml"). data is
 * valid only during the call. Return 0 to go on, non-zero to stop. */
typedef int (*intake_fn)(void *arg, const char *label, const char *data, size_t len);

/* path: a file (.eml, or an mbox when it starts with "From "), a Maildir
 * (cur/ then new/, each sorted; tmp/ ignored), a directory of files
 * (recursively, sorted; dotfiles, sockets, fifos and symlinked directories
 * skipped, so are files named *.expect, *.dump, *.md, *.out, *.txt (notes
 * kept beside test mail); an mbox inside is read as one), or "-" for stdin (an mbox too
 * when it starts with "From "). Labels: the file path, "PATH:N" (1-based)
 * for the Nth message of an mbox, "-" for stdin. mbox: "From " at the start
 * of a line separates messages (the From_ line itself is not passed on),
 * one level of ">From " quoting is removed (mboxrd).
 * max_size is a hard cap on what is read of one message (use a few
 * times the parser's size limit): larger messages are passed truncated to
 * max_size bytes, and the parser reports them oversized.
 * Returns 0, or -1 when anything failed: every failure is printed as
 * "dcvmail check: PATH: cause" and the other files are still processed (one
 * unreadable file in a directory does not stop the rest). A callback
 * returning non-zero stops everything at once (the return value then only
 * reflects the errors before). Memory stays flat in mailbox size (mboxes are
 * read message by message). */
int intake_path(const char *path, size_t max_size, intake_fn fn, void *arg);

#endif
