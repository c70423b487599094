/* store-alert.c — queueing the pending alerts and the daily digests
 * (alert.h), once each: the outbox row is inserted in the write
 * transaction (BEGIN IMMEDIATE, the fleet's advisory lock on PostgreSQL)
 * that records its key in alerts (request and recipient) or digests
 * (recipient and day), both primary keys, so two runners, a restart or a
 * crash between queueing and sending never queue one twice.
 * And when an order is overdue, which the digest and `orders` share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/util.h"
#include "ledger/alert.h"
#include "store-int.h"

struct alert_arg {
	time_t now;
	int hours;
	const char *kind;
	int n;
};

/* "since 2026-12-01 10:00 +0900 (49 hours)": why the alert was queued */
static char *
alert_why(time_t asked, time_t now, int hours)
{
	char when[64];
	struct tm tm;

	localtime_r(&asked, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M %z", &tm);
	return xasprintf("waiting since %s (%ld hours; pending-alert is %d)", when, (long)((now - asked) / 3600),
			 hours);
}

/* Record the pair in table (alerts, digests: keys k1, k2) with its outbox
 * row, unless the pair is there: *queued 1 when this call queued it. */
static int
queue_once(struct store *st, const char *ins, const char *upd, int64_t request_id, const char *kind, const char *target,
	   const char *why, time_t now, int *queued)
{
	sqlite3_stmt *s = store_prepare(st, ins);
	int rc;

	*queued = 0;
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_text(s, 1, target, -1, SQLITE_STATIC);
	if (request_id)
		sqlite3_bind_int64(s, 2, request_id);
	else
		sqlite3_bind_text(s, 2, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE || sqlite3_changes(st->db) == 0)
		return rc; /* queued before, by this host or another */
	s = store_prepare(st, "INSERT INTO outbox (request_id, kind, target, why, created, next_try)"
			      " VALUES (?1, ?2, ?3, ?4, ?5, ?5)");
	if (s == NULL)
		return SQLITE_ERROR;
	if (request_id)
		sqlite3_bind_int64(s, 1, request_id);
	else
		sqlite3_bind_null(s, 1);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc;
	int64_t id = sqlite3_last_insert_rowid(st->db);
	if ((s = store_prepare(st, upd)) == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, target, -1, SQLITE_STATIC);
	if (request_id)
		sqlite3_bind_int64(s, 3, request_id);
	else
		sqlite3_bind_text(s, 3, why, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	*queued = rc == SQLITE_DONE;
	return rc;
}

static int
alerts_tx(struct store *st, void *arg)
{
	struct alert_arg *a = arg;
	/* the people a request's forward or redirect reached, of the open
	 * requests past the hours that have no alert for them yet */
	sqlite3_stmt *s = store_prepare(
		st, "SELECT r.id, o.target, min(COALESCE(r.asked, r.first_seen)) FROM requests r"
		    " JOIN outbox o ON o.request_id = r.id AND o.kind IN ('forward', 'redirect')"
		    " WHERE" OPEN_REQUEST " AND COALESCE(asked, first_seen) < ?1 - ?2 AND o.target IS NOT NULL"
		    " AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.request_id = r.id AND a.recipient = o.target)"
		    " GROUP BY r.id, o.target ORDER BY r.id, o.target");
	struct {
		int64_t id;
		char *target;
		time_t asked;
	} *c = NULL;
	size_t n = 0, cap = 0;
	int rc, q;

	a->n = 0;
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, a->now);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)a->hours * 3600);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap)
			c = xreallocarray(c, cap = cap ? cap * 2 : 16, sizeof(*c));
		c[n].id = sqlite3_column_int64(s, 0);
		c[n].target = xstrdup(col_text(s, 1));
		c[n].asked = (time_t)sqlite3_column_int64(s, 2);
		n++;
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
		char *why = alert_why(c[i].asked, a->now, a->hours);
		rc = queue_once(st, "INSERT OR IGNORE INTO alerts (recipient, request_id, queued) VALUES (?, ?, ?)",
				"UPDATE alerts SET outbox_id = ? WHERE recipient = ? AND request_id = ?", c[i].id,
				a->kind, c[i].target, why, a->now, &q);
		a->n += q;
		free(why);
	}
	for (size_t i = 0; i < n; i++)
		free(c[i].target);
	free(c);
	return rc;
}

int
store_alerts_queue(struct store *st, time_t now, int hours, const char *kind, int *n, char **errp)
{
	struct alert_arg a = { now, hours, kind, 0 };

	*errp = NULL;
	*n = 0;
	if (store_tx(st, alerts_tx, &a, errp) == -1)
		return -1;
	*n = a.n;
	return 0;
}

struct digest_arg {
	const char *recipient, *day, *kind;
	time_t now;
	int queued;
};

static int
digest_tx(struct store *st, void *arg)
{
	struct digest_arg *a = arg;

	return queue_once(st, "INSERT OR IGNORE INTO digests (recipient, day, queued) VALUES (?, ?, ?)",
			  "UPDATE digests SET outbox_id = ? WHERE recipient = ? AND day = ?", 0, a->kind, a->recipient,
			  a->day, a->now, &a->queued);
}

int
store_digest_queue(struct store *st, const char *recipient, const char *day, time_t now, const char *kind, int *queued,
		   char **errp)
{
	struct digest_arg a = { recipient, day, kind, now, 0 };

	*errp = NULL;
	*queued = 0;
	if (store_tx(st, digest_tx, &a, errp) == -1)
		return -1;
	*queued = a.queued;
	return 0;
}

long
order_overdue(const struct config *cfg, const struct order *o, time_t now, const char **what)
{
	long worst = 0;
	time_t last_done = 0;
	int asked = 0;

	*what = NULL;
	if (o->issued || o->cancelled)
		return 0;
	for (size_t i = 0; i < o->nsteps; i++) {
		const struct order_step *s = &o->steps[i];
		if (s->state == STEP_DONE || s->state == STEP_NOT_NEEDED) {
			if (s->decided > last_done)
				last_done = s->decided;
			continue;
		}
		if (s->state != STEP_ASKED)
			continue;
		asked = 1;
		const char *kind = !strncmp(s->name, "dcv ", 4) ? "dcv" : s->name;
		long past = (long)(now - s->asked) - 3600L * config_overdue_hours(cfg, o->ca, kind);
		if (past > worst) {
			worst = past;
			*what = s->name;
		}
	}
	if (!asked && last_done) {
		long past = (long)(now - last_done) - 3600L * config_overdue_hours(cfg, o->ca, "issuance");
		if (past > worst) {
			worst = past;
			*what = "issuance";
		}
	}
	return worst;
}

int
order_routed_to(const struct order *o, const char *recipient)
{
	size_t len = strlen(recipient);

	/* routed is ", "-joined: a whole entry, not a part of a longer one */
	for (const char *p = o->routed; p && *p;) {
		const char *e = strstr(p, ", ");
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == len && !strncasecmp(p, recipient, len))
			return 1;
		p = e ? e + 2 : NULL;
	}
	return 0;
}
