/* orders.h (cmd) — when an order is overdue, by the configuration's
 * order-overdue hours; shared by `orders` and `report`. */
#ifndef DCVMAIL_CMD_ORDERS_H
#define DCVMAIL_CMD_ORDERS_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "ledger/orders.h"

/* Seconds the order is past its most overdue step (0: not overdue); what
 * names that step ("dcv www.example.jp", "intent", "issuance"). An asked
 * step is overdue order-overdue hours after it was asked; issuance that
 * long after the last step was done, while no step is asked. Finished
 * orders are never overdue. */
long order_overdue(const struct config *, const struct order *, time_t now, const char **what);

#endif
