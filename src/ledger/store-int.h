/* store-int.h — internals shared by the SQLite store files. */
#ifndef DCVMAIL_STORE_INT_H
#define DCVMAIL_STORE_INT_H

#include <sqlite3.h>

#include "ledger/store-db.h"

#include "ledger/store.h"

struct store {
	char *dir;
	sqlite3 *db;
	int rdonly;
	struct pgconn *pg;	   /* h-pg: the PostgreSQL ledger (db is then its stand-in), NULL for SQLite */
	struct cached_stmt *cache; /* h-import: statements prepared once (store_stmt) */
	size_t ncache;
	int wal_frames; /* frames in the WAL after this connection's last commit */
};

/* h-pg: the PostgreSQL backend (store-pg.c) */
struct message;
char *pg_errmsg(struct store *, const char *what);
int pg_exec_err(struct store *, const char *sql, char **errp);
void pg_close(struct store *);
/* in record_tx: the raw message into the archive table, same transaction */
int pg_archive_put(struct store *, const struct message *);
int pg_archive_read(struct store *, const char *sha, size_t max, char **data, size_t *len, char **errp);

/* Run fn inside BEGIN IMMEDIATE ... COMMIT, retrying the whole transaction
 * with backoff while the database is busy or locked. fn returns an SQLite
 * code (SQLITE_OK/SQLITE_DONE: commit). */
int store_tx(struct store *, int (*fn)(struct store *, void *), void *arg, char **errp);
int store_exec(struct store *, const char *sql, char **errp);
sqlite3_stmt *store_prepare(struct store *, const char *sql);
/* h-import: the hot statements of recording, prepared once per SQLite
 * connection and reused: store_stmt hands one out (sql must be a string
 * constant: the cache knows it by its address), store_put resets it and
 * clears its bindings for the next use. A statement still in use, or any
 * on a PostgreSQL store, is prepared afresh and finalized by store_put. */
sqlite3_stmt *store_stmt(struct store *, const char *sql);
void store_put(struct store *, sqlite3_stmt *);
char *store_errmsg(struct store *, const char *what);
int archive_write(const char *dir, const char *sha256, const char *data, size_t len, char **errp);
/* h-import: in the recording transaction, the raw bytes of a message into
 * the ledger's archive table (an import). An SQLite code (SQLITE_DONE). */
int archive_put_row(struct store *, const struct message *);
/* One message of a batch, recorded as store_record() would (store-batch.c). */
struct record_item {
	const struct message *m;
	const struct verdict *v;
	const struct envelope *env;
	const struct planned_action *acts;
	size_t nacts;
	struct record_result *out;
};
/* Record every item in one transaction: all or none. */
int store_record_many(struct store *, struct record_item *, size_t n, char **errp);
/* DIR/archive or a subdirectory: a real directory of ours, mode 0700 (created
 * when create is set). 0, 1 missing, -1 with *errp. */
int archive_check_dir(const char *d, int create, char **errp);
/* Remove the temp files a killed writer left in DIR/archive (at most every
 * 10 minutes: DIR/.archive-cleaned says when it last ran). */
void archive_clean_tmp(const char *dir);
const char *col_text(sqlite3_stmt *, int);
/* bind a string, or NULL for a NULL pointer */
void bind_opt(sqlite3_stmt *, int, const char *);
char *col_dup(sqlite3_stmt *, int); /* NULL stays NULL */
/* 1 when the process that began an approval attempt is surely gone (this
 * host, and no such process, a reused pid, or a reboot since); 0 when it
 * runs or cannot be told (another host: only the lease tells). */
int store_attempt_process_gone(long pid, long long start, const char *host, const char *boot);

/* A request waits for a person while it is pending or forwarded, is not a
 * suspicious or malformed copy's own row, and is not a DCV request past
 * the 30 days its random value is valid (BR 3.2.2.4); ?1 is now. Shared by
 * the monitoring counts (store-monitor.c) and the pending alerts
 * (store-alert.c), so an alert goes for what `report --check` counts. */
#define GENUINE " key NOT LIKE 'suspicious:%' AND key NOT LIKE 'malformed:%'"
#define OPEN_REQUEST                                                                                                   \
	GENUINE " AND state IN ('pending', 'forwarded') AND NOT (type = 'dcv' AND COALESCE(asked, first_seen) < ?1 - " \
		"2592000)"

#endif
