/* store-monitor.c — the few numbers a monitoring system asks of the ledger
 * (`report --check`, `report --prometheus`). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "store-int.h"

static int
count(struct store *st, const char *sql, time_t now, long long arg, long long *out, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	int rc;

	if (s == NULL) {
		*errp = store_errmsg(st, "report");
		return -1;
	}
	sqlite3_bind_int64(s, 1, now);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, arg);
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		*errp = store_errmsg(st, "report");
		return -1;
	}
	return 0;
}

int
store_monitor(struct store *st, time_t now, int alert_hours, struct monitor_counts *mc, char **errp)
{
	static const char *const states[MONITOR_NSTATES] = { "pending",	 "forwarded", "approved",
							     "rejected", "expired",   "issued" };
	long long v;

	memset(mc, 0, sizeof(*mc));
	if (count(st, "SELECT count(*) FROM requests WHERE" OPEN_REQUEST, now, 0, &v, errp) == -1)
		return -1;
	mc->pending = v;
	if (count(st, "SELECT count(*) FROM requests WHERE" OPEN_REQUEST " AND COALESCE(asked, first_seen) < ?1 - ?2",
		  now, (long long)alert_hours * 3600, &v, errp) == -1)
		return -1;
	mc->overdue = v;
	if (count(st, "SELECT COALESCE(min(COALESCE(asked, first_seen)), 0) FROM requests WHERE" OPEN_REQUEST, now, 0,
		  &v, errp) == -1)
		return -1;
	mc->oldest_pending = (time_t)v;
	if (count(st, "SELECT count(*) FROM messages WHERE type = 'suspicious' AND received >= ?1 - ?2", now, 86400, &v,
		  errp) == -1)
		return -1;
	mc->suspicious_24h = v;
	/* an action given up on counts while its request still waits: deciding
	 * the request (approve, reject) clears it */
	if (count(st,
		  "SELECT count(*) FROM outbox o JOIN requests r ON r.id = o.request_id"
		  " WHERE o.done = 1 AND o.ok = 0 AND r.state IN ('pending', 'forwarded')",
		  now, 0, &v, errp) == -1)
		return -1;
	mc->outbox_failed = v;
	if (count(st, "SELECT count(*) FROM outbox WHERE done = 0", now, 0, &v, errp) == -1)
		return -1;
	mc->outbox_queued = v;
	/* the genuine requests per state (suspicious and malformed copies have
	 * rows of their own, counted above by message); an expired DCV request
	 * is still stored as pending */
	for (int i = 0; i < MONITOR_NSTATES; i++) {
		mc->state_name[i] = states[i];
		const char *sql = !strcmp(states[i], "expired")
					  ? "SELECT count(*) FROM requests WHERE" GENUINE " AND (state = 'expired' OR"
					    " (type = 'dcv' AND state IN ('pending', 'forwarded') AND COALESCE(asked, "
					    "first_seen) < ?1 - 2592000))"
				  : !strcmp(states[i], "pending") || !strcmp(states[i], "forwarded")
					  ? "SELECT count(*) FROM requests WHERE" GENUINE
					    " AND state = ?2 AND NOT (type = 'dcv'"
					    " AND COALESCE(asked, first_seen) < ?1 - 2592000)"
					  : "SELECT count(*) FROM requests WHERE" GENUINE " AND state = ?2";
		sqlite3_stmt *s = store_prepare(st, sql);
		if (s == NULL) {
			*errp = store_errmsg(st, "report");
			return -1;
		}
		sqlite3_bind_int64(s, 1, now);
		if (sqlite3_bind_parameter_count(s) >= 2)
			sqlite3_bind_text(s, 2, states[i], -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		mc->by_state[i] = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
		sqlite3_finalize(s);
		if (rc != SQLITE_ROW) {
			*errp = store_errmsg(st, "report");
			return -1;
		}
	}
	return 0;
}
