/* store-prune.c — housekeeping of the ledger (h-cli): removing what is past
 * the retention the admin chose (store_prune), and a consistent copy of the
 * ledger by SQLite's online backup API (store_backup). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "judge/reuse.h"
#include "store-int.h"

/* What may go: a closed request (not pending, not forwarded) whose last
 * activity is before the cutoff, with nothing left to do for it (no outbox
 * action not done, no approval attempt not ended) and no approval that a CA
 * may still reuse (a validation whose reuse period has not ended); then the
 * messages of those requests, and the messages without a request received
 * before the cutoff that no open action needs; and the daily digests queued
 * before the cutoff whose mail went (with their outbox rows).
 *
 * One statement each, ?1 the cutoff and ?2 now, in SQL both backends speak
 * (store-db.h): the temporary tables are named without a schema (SQLite and
 * PostgreSQL both look in the session's temporary tables first), made and
 * dropped inside the transaction (a rolled back one takes them with it). */
static const char *const select_sql[] = {
	"CREATE TEMP TABLE prune_req (id INTEGER PRIMARY KEY, approved_at INTEGER)",
	"CREATE TEMP TABLE prune_msg (id INTEGER PRIMARY KEY, sha256 TEXT, size INTEGER)",
	"CREATE TEMP TABLE prune_dig (recipient TEXT, day TEXT, outbox_id INTEGER)",
	"INSERT INTO prune_req"
	" SELECT r.id, CASE WHEN r.state = 'approved' THEN COALESCE(r.state_changed, r.last_seen, r.first_seen, 0) END"
	" FROM requests r"
	" WHERE r.state NOT IN ('pending', 'forwarded')"
	"  AND COALESCE(r.first_seen, 0) < ?1 AND COALESCE(r.last_seen, 0) < ?1 AND COALESCE(r.state_changed, 0) < ?1"
	"  AND NOT EXISTS (SELECT 1 FROM validations v WHERE v.request_id = r.id AND v.reuse_until > ?2)"
	"  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.request_id = r.id AND o.done = 0)"
	"  AND NOT EXISTS (SELECT 1 FROM approval_attempts a WHERE a.request_id = r.id AND a.ended IS NULL)",
	"INSERT INTO prune_dig"
	" SELECT g.recipient, g.day, g.outbox_id FROM digests g WHERE g.queued < ?1"
	"  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = g.outbox_id AND o.done = 0)",
	NULL
};

static const char *const select_msg_sql[] = {
	"INSERT INTO prune_msg"
	" SELECT m.id, m.sha256, m.size FROM messages m"
	" WHERE (m.request_id IN (SELECT id FROM prune_req)"
	"        OR (m.request_id IS NULL AND COALESCE(m.received, 0) < ?1))"
	"  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_sha256 = m.sha256 AND o.done = 0"
	"                  AND (o.request_id IS NULL OR o.request_id NOT IN (SELECT id FROM prune_req)))"
	"  AND NOT EXISTS (SELECT 1 FROM request_copies c WHERE c.message_id = m.id"
	"                  AND c.request_id NOT IN (SELECT id FROM prune_req))",
	NULL
};

/* Children first: the foreign keys are on. */
static const char *const delete_sql[] = {
	"DELETE FROM attempt_steps WHERE attempt_id IN"
	" (SELECT id FROM approval_attempts WHERE request_id IN (SELECT id FROM prune_req))",
	"DELETE FROM approval_attempts WHERE request_id IN (SELECT id FROM prune_req)",
	"DELETE FROM attempts WHERE outbox_id IN (SELECT id FROM outbox WHERE request_id IN (SELECT id FROM "
	"prune_req) OR (request_id IS NULL AND message_sha256 IN (SELECT sha256 FROM prune_msg)))"
	" OR outbox_id IN (SELECT outbox_id FROM prune_dig)",
	"DELETE FROM outbox WHERE request_id IN (SELECT id FROM prune_req)"
	" OR (request_id IS NULL AND message_sha256 IN (SELECT sha256 FROM prune_msg))"
	" OR id IN (SELECT outbox_id FROM prune_dig)",
	"DELETE FROM digests WHERE EXISTS (SELECT 1 FROM prune_dig p WHERE p.recipient = digests.recipient"
	" AND p.day = digests.day)",
	"DELETE FROM history WHERE request_id IN (SELECT id FROM prune_req)",
	"DELETE FROM alerts WHERE request_id IN (SELECT id FROM prune_req)",
	"DELETE FROM request_copies WHERE request_id IN (SELECT id FROM prune_req)"
	" OR message_id IN (SELECT id FROM prune_msg)",
	"DELETE FROM expectation_uses WHERE request_id IN (SELECT id FROM prune_req)",
	"DELETE FROM validations WHERE request_id IN (SELECT id FROM prune_req)",
	"DELETE FROM archive WHERE sha256 IN (SELECT sha256 FROM prune_msg)",
	"DELETE FROM messages WHERE id IN (SELECT id FROM prune_msg)",
	"DELETE FROM requests WHERE id IN (SELECT id FROM prune_req)",
	NULL
};

static const char *const drop_sql[] = { "DROP TABLE prune_req", "DROP TABLE prune_msg", "DROP TABLE prune_dig", NULL };

struct prune_ctx {
	time_t cutoff, now;
	int dry_run;
	struct prune_result *res;
	struct strv sha256s; /* archive files to remove after the commit */
};

static void
result_reset(struct prune_ctx *c)
{
	struct prune_result *r = c->res;

	for (size_t i = 0; i < r->nrequests; i++)
		request_info_free(&r->requests[i]);
	free(r->requests);
	memset(r, 0, sizeof(*r));
	strv_free(&c->sha256s);
}

static int
exec_bound(struct store *st, const char *const *sql, const struct prune_ctx *c)
{
	for (; *sql; sql++) {
		sqlite3_stmt *s;
		int rc, n;

		if ((rc = sqlite3_prepare_v2(st->db, *sql, -1, &s, NULL)) != SQLITE_OK)
			return rc;
		n = sqlite3_bind_parameter_count(s);
		if (n >= 1)
			sqlite3_bind_int64(s, 1, (sqlite3_int64)c->cutoff);
		if (n >= 2)
			sqlite3_bind_int64(s, 2, (sqlite3_int64)c->now);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return rc;
	}
	return SQLITE_OK;
}

/* An approval without a validation row is evidence for as long as SC-081
 * allows reuse of a validation made then (the longer period: no email cap). */
static int
keep_reusable_approvals(struct store *st, const struct prune_ctx *c)
{
	sqlite3_stmt *s =
		store_prepare(st, "SELECT id, approved_at FROM prune_req WHERE approved_at IS NOT NULL"
				  " AND id NOT IN (SELECT request_id FROM validations WHERE request_id IS NOT NULL)");
	struct strv keep = { 0 };
	int rc;

	if (s == NULL)
		return SQLITE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (validation_reuse_until((time_t)sqlite3_column_int64(s, 1), 0) > c->now)
			strv_add_owned(&keep, xasprintf("%lld", (long long)sqlite3_column_int64(s, 0)));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		strv_free(&keep);
		return rc;
	}
	for (size_t i = 0; i < keep.n && rc == SQLITE_DONE; i++) {
		char *sql = xasprintf("DELETE FROM prune_req WHERE id = %s", keep.v[i]);
		rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? SQLITE_DONE : SQLITE_ERROR;
		free(sql);
	}
	strv_free(&keep);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* What will go, for the report: the requests one by one, the messages and
 * archive files as counts (and their names, to remove them). */
static int
collect(struct store *st, struct prune_ctx *c)
{
	struct prune_result *r = c->res;
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st, "SELECT r.id, r.ca, r.type, r.domain, r.order_id, r.state, r.first_seen, r.last_seen,"
			      " r.state_changed, (SELECT count(*) FROM prune_msg pm JOIN messages m ON m.id = pm.id"
			      "  WHERE m.request_id = r.id)"
			      " FROM requests r WHERE r.id IN (SELECT id FROM prune_req) ORDER BY r.id");
	if (s == NULL)
		return SQLITE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->requests = xreallocarray(r->requests, r->nrequests + 1, sizeof(*r->requests));
		struct request_info *q = &r->requests[r->nrequests++];
		memset(q, 0, sizeof(*q));
		q->id = sqlite3_column_int64(s, 0);
		q->ca = col_dup(s, 1);
		q->type = col_dup(s, 2);
		q->domain = col_dup(s, 3);
		q->order = col_dup(s, 4);
		q->state = col_dup(s, 5);
		q->first_seen = (time_t)sqlite3_column_int64(s, 6);
		q->last_seen = (time_t)sqlite3_column_int64(s, 7);
		q->state_changed = (time_t)sqlite3_column_int64(s, 8);
		q->copies = sqlite3_column_int(s, 9); /* here: its messages that go */
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc;
	/* h-import: an imported message's raw bytes are in the ledger (table
	 * archive) and go in this transaction; the others are files, removed
	 * after the commit (a file beside a ledger copy is a leftover: removed
	 * too, not counted) */
	s = store_prepare(st,
			  "SELECT pm.sha256, COALESCE(pm.size, 0), CASE WHEN m.request_id IS NULL THEN 1 ELSE 0 END,"
			  " (SELECT count(*) FROM archive a WHERE a.sha256 = pm.sha256) FROM prune_msg pm"
			  " JOIN messages m ON m.id = pm.id ORDER BY pm.id");
	if (s == NULL)
		return SQLITE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int in_ledger = sqlite3_column_int(s, 3) > 0;
		strv_add_owned(&c->sha256s, xasprintf("%c%s", in_ledger ? 'L' : 'F', col_text(s, 0)));
		r->messages++;
		r->bytes += (unsigned long long)sqlite3_column_int64(s, 1);
		if (sqlite3_column_int(s, 2))
			r->loose_messages++;
		r->in_ledger += in_ledger;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc;
	/* what stays although it is old: approvals a CA may still reuse */
	s = store_prepare(st,
			  "SELECT count(*), max(v.reuse_until) FROM requests r JOIN validations v ON v.request_id = "
			  "r.id"
			  " WHERE r.state NOT IN ('pending', 'forwarded') AND v.reuse_until > ?2 AND "
			  "COALESCE(r.first_seen, 0)"
			  " < ?1 AND COALESCE(r.last_seen, 0) < ?1 AND COALESCE(r.state_changed, 0) < ?1");
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)c->cutoff);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)c->now);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->kept_reusable = (size_t)sqlite3_column_int64(s, 0);
		r->kept_reusable_until = (time_t)sqlite3_column_int64(s, 1);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc;
	if ((s = store_prepare(st, "SELECT count(*) FROM prune_dig")) == NULL)
		return SQLITE_ERROR;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->digests = (size_t)sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc;
	s = store_prepare(st, "SELECT count(*) FROM requests WHERE state IN ('pending', 'forwarded')"
			      " AND COALESCE(first_seen, 0) < ?1 AND COALESCE(last_seen, 0) < ?1");
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)c->cutoff);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->kept_open = (size_t)sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
prune_tx(struct store *st, void *arg)
{
	struct prune_ctx *c = arg;
	int rc;

	result_reset(c); /* a retried transaction starts again */
	if ((rc = exec_bound(st, select_sql, c)) != SQLITE_OK || (rc = keep_reusable_approvals(st, c)) != SQLITE_OK ||
	    (rc = exec_bound(st, select_msg_sql, c)) != SQLITE_OK || (rc = collect(st, c)) != SQLITE_OK)
		return rc;
	if (c->dry_run)
		return SQLITE_OK; /* rolled back, the temporary tables with it */
	if ((rc = exec_bound(st, delete_sql, c)) != SQLITE_OK)
		return rc;
	return exec_bound(st, drop_sql, c);
}

int
store_prune(struct store *st, time_t cutoff, time_t now, int dry_run, struct prune_result *res, char **errp)
{
	struct prune_ctx c = { .cutoff = cutoff, .now = now, .dry_run = dry_run, .res = res };
	int r;

	memset(res, 0, sizeof(*res));
	*errp = NULL;
	if (dry_run) { /* the same statements, rolled back */
		if (store_exec(st, "BEGIN", errp) == -1)
			return -1;
		r = prune_tx(st, &c);
		if (r != SQLITE_OK)
			*errp = store_errmsg(st, "prune");
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		strv_free(&c.sha256s);
		return r == SQLITE_OK ? 0 : -1;
	}
	if (store_tx(st, prune_tx, &c, errp) == -1) {
		strv_free(&c.sha256s);
		return -1;
	}
	/* the records are gone: now their archived files (a file that cannot
	 * be removed is only left over, never a record without its mail) */
	for (size_t i = 0; i < c.sha256s.n; i++) {
		int in_ledger = c.sha256s.v[i][0] == 'L';
		char *path = store_archive_path(st, c.sha256s.v[i] + 1);
		if (unlink(path) == 0)
			res->files += !in_ledger;
		else if (errno != ENOENT && !in_ledger) {
			res->files_failed++;
			if (res->first_failure == NULL)
				res->first_failure = xasprintf("%s: %s", path, strerror(errno));
		}
		free(path);
	}
	strv_free(&c.sha256s);
	return 0;
}

void
prune_result_free(struct prune_result *r)
{
	for (size_t i = 0; i < r->nrequests; i++)
		request_info_free(&r->requests[i]);
	free(r->requests);
	free(r->first_failure);
	memset(r, 0, sizeof(*r));
}

/* --- backup --- */

static int
fsync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC), r;

	if (fd == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int
store_backup(struct store *st, const char *dest, unsigned long long *size, char **errp)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", dest), *dcopy = xstrdup(dest), *ddir;
	sqlite3 *bdb = NULL;
	sqlite3_backup *b;
	struct stat sb;
	int fd, rc, ret = -1;
	mode_t old;

	*errp = NULL;
	if (st->pg) { /* h-pg: the database's own tools make its backups */
		*errp = xasprintf("%s: the ledger is in PostgreSQL: back it up with pg_dump (or the database's "
				  "backups)",
				  store_ledger_name(st));
		free(tmp);
		free(dcopy);
		return -1;
	}
	ddir = dirname(dcopy);
	if (stat(dest, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		*errp = xasprintf("%s: is a directory; name the backup file", dest);
		goto out;
	}
	old = umask(077);
	fd = mkstemp(tmp); /* 0600, in the directory of dest: the rename stays on one file system */
	umask(old);
	if (fd == -1) {
		*errp = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	close(fd);
	if (sqlite3_open_v2(tmp, &bdb, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		*errp = xasprintf("%s: %s", tmp, bdb ? sqlite3_errmsg(bdb) : "cannot open");
		goto out;
	}
	/* one step copies every page under one read transaction of the
	 * source: a consistent snapshot, the WAL's committed frames included */
	if ((b = sqlite3_backup_init(bdb, "main", st->db, "main")) == NULL) {
		*errp = xasprintf("%s: backup: %s", dest, sqlite3_errmsg(bdb));
		goto out;
	}
	for (int tries = 0;; tries++) {
		rc = sqlite3_backup_step(b, -1);
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && tries < 600) {
			sqlite3_sleep(100);
			continue;
		}
		break;
	}
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		*errp = xasprintf("%s/ledger.db: backup to %s: %s", st->dir, dest, sqlite3_errstr(rc));
		goto out;
	}
	/* one self-contained file (no -wal beside it), checked before it
	 * replaces an older backup */
	sqlite3_stmt *s = NULL;
	if (sqlite3_exec(bdb, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(bdb, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0) {
		*errp = xasprintf("%s: the copy fails its integrity check: %s", dest,
				  s && sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0)
								 : sqlite3_errmsg(bdb));
		sqlite3_finalize(s);
		goto out;
	}
	sqlite3_finalize(s);
	if (sqlite3_close(bdb) != SQLITE_OK) {
		*errp = xasprintf("%s: %s", tmp, sqlite3_errmsg(bdb));
		goto out;
	}
	bdb = NULL;
	if (fsync_path(tmp, 0) == -1 || chmod(tmp, 0600) == -1 || stat(tmp, &sb) == -1 || rename(tmp, dest) == -1) {
		*errp = xasprintf("%s: %s", dest, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	fsync_path(ddir, 1);
	if (size)
		*size = (unsigned long long)sb.st_size;
	ret = 0;
out:
	if (bdb)
		sqlite3_close(bdb);
	if (tmp) {
		unlink(tmp);
		char *j = xasprintf("%s-journal", tmp);
		unlink(j);
		free(j);
		free(tmp);
	}
	free(dcopy);
	return ret;
}
