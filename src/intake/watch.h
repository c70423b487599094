/* watch.h — the long-running IMAP watcher (watch.c). */
#ifndef DCVMAIL_WATCH_H
#define DCVMAIL_WATCH_H

#include "cmd/cmd.h"
#include "config.h"
#include "judge/rules.h"
#include "ledger/store.h"

/* Check what retrying cannot fix before starting (password files). 0, or -1
 * after logging each problem. */
int watch_preflight(const struct config *);
/* Watch every mailbox of cfg until SIGTERM/SIGINT; takes over cfg, rs and st
 * (freed on return). Returns the exit code. */
int watch_run(struct globals *, struct config *cfg, struct ruleset *rs, struct store *st, int dry);

#endif
