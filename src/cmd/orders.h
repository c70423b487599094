/* orders.h (cmd) — when an order is overdue, by the configuration's
 * order-overdue hours; shared by `orders` and `report`. */
#ifndef DCVMAIL_CMD_ORDERS_H
#define DCVMAIL_CMD_ORDERS_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "ledger/orders.h"

/* order_overdue() lives in the ledger (ledger/alert.h): the outbox's daily
 * digest judges orders the same way. */
#include "ledger/alert.h"

#endif
