/* store-db.h — the seam between the store's SQL and its two backends (h-pg).
 *
 * The store files speak SQLite's C API. Included by store-int.h after
 * <sqlite3.h>, this header sends the calls they make to dispatchers in
 * store-pg.c: a statement or connection that belongs to the PostgreSQL
 * backend runs there (its SQL translated once, at prepare), anything else
 * goes straight to SQLite. So store-record.c, store-query.c, ... keep one
 * text of their SQL for both backends, and the SQLite code paths are the
 * ones they always were. store-pg.c itself sees the real functions. */
#ifndef DCVMAIL_STORE_DB_H
#define DCVMAIL_STORE_DB_H

#include <sqlite3.h>

int dbx_prepare_v2(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
int dbx_step(sqlite3_stmt *);
int dbx_finalize(sqlite3_stmt *);
int dbx_bind_int64(sqlite3_stmt *, int, sqlite3_int64);
int dbx_bind_int(sqlite3_stmt *, int, int);
int dbx_bind_text(sqlite3_stmt *, int, const char *, int, void (*)(void *));
int dbx_bind_null(sqlite3_stmt *, int);
int dbx_bind_parameter_count(sqlite3_stmt *);
sqlite3_int64 dbx_column_int64(sqlite3_stmt *, int);
int dbx_column_int(sqlite3_stmt *, int);
const unsigned char *dbx_column_text(sqlite3_stmt *, int);
int dbx_column_type(sqlite3_stmt *, int);
sqlite3_int64 dbx_last_insert_rowid(sqlite3 *);
int dbx_changes(sqlite3 *);
int dbx_exec(sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *, char **);
int dbx_errcode(sqlite3 *);
const char *dbx_errmsg(sqlite3 *);
int dbx_system_errno(sqlite3 *);
int dbx_get_autocommit(sqlite3 *);
int dbx_wal_checkpoint_v2(sqlite3 *, const char *, int, int *, int *);
int dbx_bind_parameter_index(sqlite3_stmt *, const char *);

#ifndef STORE_DB_IMPL
#define sqlite3_prepare_v2 dbx_prepare_v2
#define sqlite3_step dbx_step
#define sqlite3_finalize dbx_finalize
#define sqlite3_bind_int64 dbx_bind_int64
#define sqlite3_bind_int dbx_bind_int
#define sqlite3_bind_text dbx_bind_text
#define sqlite3_bind_null dbx_bind_null
#define sqlite3_bind_parameter_count dbx_bind_parameter_count
#define sqlite3_column_int64 dbx_column_int64
#define sqlite3_column_int dbx_column_int
#define sqlite3_column_text dbx_column_text
#define sqlite3_column_type dbx_column_type
#define sqlite3_last_insert_rowid dbx_last_insert_rowid
#define sqlite3_changes dbx_changes
#define sqlite3_exec dbx_exec
#define sqlite3_errcode dbx_errcode
#define sqlite3_errmsg dbx_errmsg
#define sqlite3_system_errno dbx_system_errno
#define sqlite3_get_autocommit dbx_get_autocommit
#define sqlite3_wal_checkpoint_v2 dbx_wal_checkpoint_v2
#define sqlite3_bind_parameter_index dbx_bind_parameter_index
#endif

#endif
