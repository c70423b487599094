/* store-pg-int.h — what store-pg.c shares with store-pg-sql.c. */
#ifndef DCVMAIL_STORE_PG_INT_H
#define DCVMAIL_STORE_PG_INT_H

#include <stddef.h>

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
