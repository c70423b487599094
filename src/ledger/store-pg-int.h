/* store-pg-int.h — what store-pg.c shares with store-pg-sql.c. */
#ifndef DCVMAIL_STORE_PG_INT_H
#define DCVMAIL_STORE_PG_INT_H

#include <stddef.h>
#include <libpq-fe.h>
#include <sqlite3.h>

/* the one advisory lock every writer takes (any constant: "dcvm") */
#define WRITE_LOCK "SELECT pg_advisory_xact_lock(1685288557)"

/* libpq's functions, loaded on first use (store-pg.c) */
struct pq_api {
	int loaded;
	PGconn *(*connectdbParams)(const char *const *, const char *const *, int);
	ConnStatusType (*status)(const PGconn *);
	char *(*errorMessage)(const PGconn *);
	void (*finish)(PGconn *);
	void (*reset)(PGconn *);
	PGresult *(*execParams)(PGconn *, const char *, int, const Oid *, const char *const *, const int *, const int *,
				int);
	PGresult *(*exec)(PGconn *, const char *);
	ExecStatusType (*resultStatus)(const PGresult *);
	char *(*resultErrorField)(const PGresult *, int);
	int (*ntuples)(const PGresult *);
	char *(*getvalue)(const PGresult *, int, int);
	int (*getisnull)(const PGresult *, int, int);
	int (*getlength)(const PGresult *, int, int);
	char *(*cmdTuples)(PGresult *);
	void (*clear)(PGresult *);
	PGTransactionStatusType (*transactionStatus)(const PGconn *);
	int (*sslInUse)(PGconn *);
	int (*serverVersion)(const PGconn *);
	const char *(*sslAttribute)(PGconn *, const char *);
	PQconninfoOption *(*conninfo)(PGconn *);
	void (*conninfoFree)(PQconninfoOption *);
};
extern struct pq_api pq;

/* One connection of a PostgreSQL store (store-pg.c). */
struct pgconn {
	PGconn *c;
	char *url; /* as configured: it holds no password */
	int errcode;
	char *errmsg;
	sqlite3_int64 last_id;
	int changes;
	struct pgconn *next;
};

/* A failed result: errcode and errmsg of pc set, the SQLite code returned
 * (store-pg.c). */
int pg_result_err(struct pgconn *pc, PGresult *r);
/* Run sql with no parameters: SQLITE_OK, or pg_result_err's code. */
int pg_simple(struct pgconn *pc, const char *sql);

/* SQLite's SQL as the store writes it, for PostgreSQL: placeholders become
 * $N (used[n] set for each), and *nparams, *auto_ret (RETURNING id added),
 * *is_write say what it is. Allocated. */
char *pg_translate(const char *sql, int *nparams, int *auto_ret, int *is_write, unsigned char used[100]);

/* Does s start with the word w (after blanks; case ignored)? */
int pg_starts_word(const char *s, const char *w);
/* With DCVMAIL_PG_DEBUG naming a file: append a statement and what went wrong. */
void pg_debug_sql(const char *sql, const char *why);

/* The schema: entry 0 brings an empty database to PG_BASE_VERSION, entry i
 * version PG_BASE_VERSION + i - 1 to the next. */
extern const char *const pg_migrations[];
extern const size_t pg_nmigrations;
#define PG_BASE_VERSION 3
#define PG_SCHEMA_VERSION ((int)(PG_BASE_VERSION + pg_nmigrations - 1))

#endif
