/* alert.h — what the outbox tells a person unasked (h-alert): one alert per
 * request and recipient once the request has waited pending-alert hours,
 * and one digest per recipient and local day of the overdue orders that
 * wait on that person. Both are outbox rows (retries, a stable Message-ID,
 * the claim and lease) queued once: a unique index and the digests table
 * make a second runner, a restart or a retry queue nothing more. */
#ifndef DCVMAIL_ALERT_H
#define DCVMAIL_ALERT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "ledger/orders.h"
#include "ledger/store.h"

/* Queue an outbox row of kind for each open request asked before now -
 * hours and for each person its forward or redirect reached, unless one is
 * queued already (kept once per request and recipient, sent or not). why
 * says since when. *n: how many were queued. */
int store_alerts_queue(struct store *, time_t now, int hours, const char *kind, int *n, char **errp);
/* Queue an outbox row of kind for recipient and day (YYYY-MM-DD, local),
 * unless that pair was queued before: *queued 1 when this call queued it. */
int store_digest_queue(struct store *, const char *recipient, const char *day, time_t now, const char *kind,
		       int *queued, char **errp);

/* Seconds the order is past its most overdue step (0: not overdue); what
 * names that step ("dcv www.example.jp", "intent", "issuance"). An asked
 * step is overdue order-overdue hours after it was asked; issuance that
 * long after the last step was done, while no step is asked. Finished
 * orders are never overdue. */
long order_overdue(const struct config *, const struct order *, time_t now, const char **what);
/* Does the order's mail reach recipient (one of its routed addresses)? */
int order_routed_to(const struct order *, const char *recipient);

#endif
