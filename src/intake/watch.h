/* watch.h — the long-running IMAP watcher (watch.c). */
#ifndef DCVMAIL_WATCH_H
#define DCVMAIL_WATCH_H

#include "config.h"
#include "judge/rules.h"
#include "ledger/store.h"

/* Check what retrying cannot fix before starting (password files). 0, or -1
 * after logging each problem. */
int watch_preflight(const struct config *);
/* How SIGHUP reads the configuration and rules again (the command's own
 * loader, with its -c and -d): 0 with *cfg and *rs set, or non-zero after
 * reporting the errors; the running ones are then kept. */
typedef int (*watch_reload_fn)(void *arg, struct config *cfg, struct ruleset **rs);
/* Watch every mailbox of cfg until SIGTERM/SIGINT; takes over cfg, rs and st
 * (freed on return). Returns the exit code. */
int watch_run(watch_reload_fn, void *arg, struct config *cfg, struct ruleset *rs, struct store *st, int dry);

#endif
