/* store-pg-copy.c — dcvmail ledger copy: a SQLite ledger and its archive
 * into a PostgreSQL one, in batches that commit as they go (a copy cut
 * short resumes), refusing a database that holds another ledger. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "store-int.h"
#include "store-pg-int.h"

/* ---- ledger copy: a SQLite ledger and its archive into a PostgreSQL one ---- */

/* in the order their references need */
static const char *const copy_tables[] = { "requests",	       "messages", "request_copies",	"expectations",
					   "expectation_uses", "outbox",   "attempts",		"imap_state",
					   "validations",      "history",  "approval_attempts", "attempt_steps",
					   "alerts",	       "digests",  "order_events" };
#define COPY_BATCH 1000

/* A row that was not inserted (already there): the same id must hold the
 * same request or message, else the database holds another ledger and
 * copying on would mix the two. */
static int
same_row(struct store *from, struct store *to, const char *t, sqlite3_stmt *s, int natural, char **errp)
{
	const char *id = (const char *)sqlite3_column_text(s, 0), *want = (const char *)sqlite3_column_text(s, natural);
	const char *col = sqlite3_column_name(s, natural), *v[] = { id };
	char *q = xasprintf("SELECT %s FROM %s WHERE id = $1", col, t);
	PGresult *r = pq.execParams(to->pg->c, q, 1, NULL, v, NULL, NULL, 0);
	int ok = pq.resultStatus(r) == PGRES_TUPLES_OK,
	    same = ok && pq.ntuples(r) == 1 && want && !strcmp(pq.getvalue(r, 0, 0), want);

	free(q);
	if (!ok)
		pg_result_err(to->pg, r);
	pq.clear(r);
	if (!ok) {
		*errp = pg_errmsg(to, t);
		return -1;
	}
	if (!same) {
		*errp = xasprintf("%s: %s %s is not the one of %s/ledger.db: the database holds another ledger; "
				  "copy into an empty database",
				  to->pg->url, t, id ? id : "?", from->dir);
		return -1;
	}
	return 0;
}

static int
copy_table(struct store *from, struct store *to, const char *t, FILE *progress, char **errp)
{
	int is_copies = !strcmp(t, "request_copies");
	char *sel = xasprintf(is_copies ? "SELECT rowid, * FROM %s ORDER BY rowid" : "SELECT * FROM %s", t);
	sqlite3_stmt *s = NULL;
	struct buf ins;
	long long rows = 0, added = 0;
	int rc = -1, ncol, src;

	if (sqlite3_prepare_v2(from->db, sel, -1, &s, NULL) != SQLITE_OK) {
		*errp = xasprintf("%s/ledger.db: %s: %s", from->dir, t, sqlite3_errmsg(from->db));
		free(sel);
		return -1;
	}
	free(sel);
	ncol = sqlite3_column_count(s);
	/* the column that names a row whatever its id: a row already there must be the same one */
	int natural = -1;
	for (int i = 0; i < ncol; i++)
		if ((!strcmp(t, "requests") && !strcmp(sqlite3_column_name(s, i), "key")) ||
		    (!strcmp(t, "messages") && !strcmp(sqlite3_column_name(s, i), "sha256")))
			natural = i;
	buf_init(&ins, 0);
	buf_printf(&ins, "INSERT INTO %s (", t);
	for (int i = 0; i < ncol; i++)
		buf_printf(&ins, "%s%s", i ? ", " : "", sqlite3_column_name(s, i));
	buf_printf(&ins, ") VALUES (");
	for (int i = 0; i < ncol; i++)
		buf_printf(&ins, "%s$%d", i ? ", " : "", i + 1);
	buf_printf(&ins, ") ON CONFLICT DO NOTHING");
	buf_add(&ins, "", 1);
	const char **vals = xcalloc((size_t)ncol, sizeof(*vals));
	if (pg_simple(to->pg, "BEGIN; " WRITE_LOCK) != SQLITE_OK)
		goto fail;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < ncol; i++)
			vals[i] = (const char *)sqlite3_column_text(s, i);
		PGresult *r = pq.execParams(to->pg->c, ins.data, ncol, NULL, vals, NULL, NULL, 0);
		if (pq.resultStatus(r) != PGRES_COMMAND_OK) {
			pg_result_err(to->pg, r);
			pq.clear(r);
			pg_simple(to->pg, "ROLLBACK");
			goto fail;
		}
		long long one = atoll(pq.cmdTuples(r));
		pq.clear(r);
		if (one == 0 && natural >= 0 && same_row(from, to, t, s, natural, errp) == -1) {
			pg_simple(to->pg, "ROLLBACK");
			goto out;
		}
		added += one;
		if (++rows % COPY_BATCH == 0) { /* committed as it goes: a copy cut short resumes */
			if (pg_simple(to->pg, "COMMIT") != SQLITE_OK ||
			    pg_simple(to->pg, "BEGIN; " WRITE_LOCK) != SQLITE_OK)
				goto fail;
			fprintf(progress, "%s: %lld rows...\n", t, rows);
			fflush(progress);
		}
	}
	if (src != SQLITE_DONE) {
		pg_simple(to->pg, "ROLLBACK");
		*errp = xasprintf("%s/ledger.db: %s: %s", from->dir, t, sqlite3_errmsg(from->db));
		goto out;
	}
	/* new rows get ids after the copied ones */
	if (strcmp(t, "imap_state") && strcmp(t, "alerts") && strcmp(t, "digests")) { /* those without an id */
		char *q = xasprintf("SELECT setval(pg_get_serial_sequence('%s', '%s'), "
				    "GREATEST((SELECT max(%s) FROM %s), 1))",
				    t, is_copies ? "rowid" : "id", is_copies ? "rowid" : "id", t);
		int r = pg_simple(to->pg, q);
		free(q);
		if (r != SQLITE_OK) {
			pg_simple(to->pg, "ROLLBACK");
			goto fail;
		}
	}
	if (pg_simple(to->pg, "COMMIT") != SQLITE_OK)
		goto fail;
	fprintf(progress, "%s: %lld rows, %lld new\n", t, rows, added);
	fflush(progress);
	rc = 0;
	goto out;
fail:
	*errp = pg_errmsg(to, t);
out:
	free(vals);
	buf_free(&ins);
	sqlite3_finalize(s);
	return rc;
}

static int
copy_archive(struct store *from, struct store *to, FILE *progress, char **errp)
{
	sqlite3_stmt *s = NULL;
	long long n = 0, added = 0, bad = 0, total = 0;
	int src;

	if (sqlite3_prepare_v2(from->db, "SELECT count(*) FROM messages", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		total = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(from->db, "SELECT sha256 FROM messages ORDER BY id", -1, &s, NULL) != SQLITE_OK) {
		*errp = xasprintf("%s/ledger.db: messages: %s", from->dir, sqlite3_errmsg(from->db));
		return -1;
	}
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(s, 0), *v[] = { sha };
		PGresult *r = pq.execParams(to->pg->c, "SELECT 1 FROM archive WHERE sha256 = $1", 1, NULL, v, NULL,
					    NULL, 0);
		int have = pq.resultStatus(r) == PGRES_TUPLES_OK && pq.ntuples(r) > 0;
		char *data = NULL, *e = NULL, size[32];
		size_t len = 0;

		if (pq.resultStatus(r) != PGRES_TUPLES_OK) {
			pg_result_err(to->pg, r);
			pq.clear(r);
			sqlite3_finalize(s);
			*errp = pg_errmsg(to, "archive");
			return -1;
		}
		pq.clear(r);
		if (++n % COPY_BATCH == 0) {
			fprintf(progress, "archive: %lld of %lld messages...\n", n, total);
			fflush(progress);
		}
		if (have)
			continue;
		if (store_archive_read(from, sha, (size_t)1 << 31, &data, &len, &e) == -1) {
			fprintf(progress, "archive: %s (not copied)\n", e);
			free(e);
			bad++;
			continue;
		}
		snprintf(size, sizeof(size), "%zu", len);
		const char *vals[] = { sha, size, data };
		const int lens[] = { 0, 0, (int)len }, fmts[] = { 0, 0, 1 };
		r = pq.execParams(to->pg->c,
				  "INSERT INTO archive (sha256, size, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
				  3, NULL, vals, lens, fmts, 0);
		free(data);
		if (pq.resultStatus(r) != PGRES_COMMAND_OK) {
			pg_result_err(to->pg, r);
			pq.clear(r);
			sqlite3_finalize(s);
			*errp = pg_errmsg(to, "archive");
			return -1;
		}
		added += atoll(pq.cmdTuples(r));
		pq.clear(r);
	}
	sqlite3_finalize(s);
	fprintf(progress, "archive: %lld messages, %lld new%s\n", n, added, bad ? ", some missing or damaged" : "");
	if (bad) {
		*errp = xasprintf("%s/archive: %lld archived message%s missing or damaged: not copied", from->dir, bad,
				  bad == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

int
store_copy(struct store *from, struct store *to, FILE *progress, char **errp)
{
	*errp = NULL;
	if (from->pg || !to->pg) {
		*errp = xstrdup("ledger copy: from a SQLite ledger into a PostgreSQL one");
		return -1;
	}
	for (size_t i = 0; i < nitems(copy_tables); i++)
		if (copy_table(from, to, copy_tables[i], progress, errp) == -1)
			return -1;
	return copy_archive(from, to, progress, errp);
}
