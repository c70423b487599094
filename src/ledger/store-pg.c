/* store-pg.c — the PostgreSQL ledger (h-pg): one database shared by a fleet
 * of mail hosts, behind the same store.h as the SQLite ledger.
 *
 * The store files keep their SQL and their calls to SQLite's C API;
 * store-db.h sends those calls here. A statement of a PostgreSQL store is
 * translated once when it is prepared (?N placeholders to $N, json_extract
 * of one key to ->>, group_concat to string_agg, INSERT OR
 * IGNORE to ON CONFLICT DO NOTHING, RETURNING id for last_insert_rowid, a
 * claim's LIMIT 1 subquery gets FOR UPDATE SKIP LOCKED) and run with libpq
 * when first stepped; its rows are then read from the result.
 *
 * Writers are serialised across the fleet as SQLite serialises them on one
 * host: every write transaction (BEGIN IMMEDIATE, or a lone writing
 * statement) first takes one transaction-level advisory lock. So the store's
 * read-then-write logic (request dedup, expectation use, approval begin)
 * holds across hosts exactly as it holds across processes on one host;
 * the unique keys (message sha256, request key) and ON CONFLICT are the
 * second guard. Transactions are short, so the lock costs little.
 *
 * libpq is loaded with dlopen when a postgresql ledger is opened: a process
 * with the default SQLite ledger never maps it (issue 19). */
#define STORE_DB_IMPL
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "base/log.h"
#include "base/util.h"
#include "config.h"
#include "mail/message.h"
#include "store-int.h"
#include "store-pg-int.h"

#define PG_CONNECT_TIMEOUT "10"

/* ---- libpq, loaded on first use ---- */
struct pq_api pq;

static int
load_libpq(char **errp)
{
	static const char *const names[] = {
		"PQconnectdbParams",   "PQstatus",    "PQerrorMessage",	 "PQfinish",	       "PQreset",
		"PQexecParams",	       "PQexec",      "PQresultStatus",	 "PQresultErrorField", "PQntuples",
		"PQgetvalue",	       "PQgetisnull", "PQgetlength",	 "PQcmdTuples",	       "PQclear",
		"PQtransactionStatus", "PQsslInUse",  "PQserverVersion", "PQsslAttribute",     "PQconninfo",
		"PQconninfoFree"
	};
	void **slots[] = { (void **)&pq.connectdbParams,
			   (void **)&pq.status,
			   (void **)&pq.errorMessage,
			   (void **)&pq.finish,
			   (void **)&pq.reset,
			   (void **)&pq.execParams,
			   (void **)&pq.exec,
			   (void **)&pq.resultStatus,
			   (void **)&pq.resultErrorField,
			   (void **)&pq.ntuples,
			   (void **)&pq.getvalue,
			   (void **)&pq.getisnull,
			   (void **)&pq.getlength,
			   (void **)&pq.cmdTuples,
			   (void **)&pq.clear,
			   (void **)&pq.transactionStatus,
			   (void **)&pq.sslInUse,
			   (void **)&pq.serverVersion,
			   (void **)&pq.sslAttribute,
			   (void **)&pq.conninfo,
			   (void **)&pq.conninfoFree };
	void *h;

	if (pq.loaded)
		return 0;
	if ((h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		*errp = xasprintf("a postgresql ledger needs libpq (Debian: apt install libpq5): %s", dlerror());
		return -1;
	}
	for (size_t i = 0; i < nitems(names); i++)
		if ((*slots[i] = dlsym(h, names[i])) == NULL) {
			*errp = xasprintf("libpq.so.5: no %s", names[i]);
			dlclose(h);
			return -1;
		}
	pq.loaded = 1;
	return 0;
}

/* ---- connections and statements of the PostgreSQL stores ---- */

struct pgstmt {
	struct pgconn *pc;
	char *sql;
	int nparams, auto_ret, is_write, ran;
	unsigned char used[100]; /* the placeholders the SQL uses (SQLite may skip one, ?5 but no ?4) */
	char **vals;
	Oid *types;
	PGresult *res;
	int row, nrows;
	struct pgstmt *next;
};

static struct pgconn *conns;
static struct pgstmt *stmts;

static struct pgconn *
conn_of(sqlite3 *db)
{
	for (struct pgconn *p = conns; p; p = p->next)
		if ((void *)p == (void *)db)
			return p;
	return NULL;
}

static struct pgstmt *
stmt_of(sqlite3_stmt *s)
{
	for (struct pgstmt *p = stmts; p; p = p->next)
		if ((void *)p == (void *)s)
			return p;
	return NULL;
}

static void
set_err(struct pgconn *pc, int code, const char *msg)
{
	size_t n;

	free(pc->errmsg);
	pc->errmsg = xstrdup(msg && *msg ? msg : "error");
	n = strlen(pc->errmsg);
	while (n > 0 && (pc->errmsg[n - 1] == '\n' || pc->errmsg[n - 1] == ' '))
		pc->errmsg[--n] = '\0';
	/* libpq's lines (a cause, then a tab-indented hint) as one log line */
	char *w = pc->errmsg;
	for (const char *r = pc->errmsg; *r; r++)
		if (*r != '\n' && *r != '\t')
			*w++ = *r;
		else if (w > pc->errmsg && w[-1] != ' ')
			*w++ = ' ';
	*w = '\0';
	pc->errcode = code;
}

/* An SQLite code for a failed result: a lost connection is SQLITE_IOERR
 * (the caller fails: pipe defers, watch tries again later; nothing is
 * retried whose outcome is unknown); serialisation failures and deadlocks
 * are SQLITE_BUSY (store_tx begins again). */
int
pg_result_err(struct pgconn *pc, PGresult *r)
{
	const char *state = r ? pq.resultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? pq.resultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	int code = SQLITE_ERROR;

	if (msg == NULL)
		msg = pq.errorMessage(pc->c);
	if (pq.status(pc->c) == CONNECTION_BAD)
		code = SQLITE_IOERR;
	else if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")))
		code = SQLITE_BUSY;
	else if (state && !strncmp(state, "23", 2))
		code = SQLITE_CONSTRAINT;
	else if (state && !strcmp(state, "25006"))
		code = SQLITE_READONLY;
	else if (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3)))
		code = SQLITE_IOERR;
	set_err(pc, code, msg);
	return code;
}

static int
in_tx(struct pgconn *pc)
{
	PGTransactionStatusType t = pq.transactionStatus(pc->c);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* Outside a transaction a lost connection is tried once more (a restarted
 * or replaced primary). */
static int
ensure_conn(struct pgconn *pc)
{
	if (pq.status(pc->c) == CONNECTION_OK)
		return 0;
	pq.reset(pc->c);
	if (pq.status(pc->c) == CONNECTION_OK) {
		PGresult *r = pq.exec(pc->c, "SET client_min_messages = warning");
		pq.clear(r);
		return 0;
	}
	set_err(pc, SQLITE_IOERR, pq.errorMessage(pc->c));
	return -1;
}

/* A transaction's start, or a read outside one, on a connection that was
 * lost meanwhile (a restarted or replaced primary) is tried once more on a
 * new one: nothing had happened yet. */
static int
lost(struct pgconn *pc, int rc)
{
	return rc == SQLITE_IOERR && pq.status(pc->c) == CONNECTION_BAD && ensure_conn(pc) == 0;
}

static int
begin_write(struct pgconn *pc)
{
	int rc = pg_simple(pc, "BEGIN; " WRITE_LOCK);

	return lost(pc, rc) ? pg_simple(pc, "BEGIN; " WRITE_LOCK) : rc;
}

int
pg_simple(struct pgconn *pc, const char *sql)
{
	PGresult *r = pq.exec(pc->c, sql);
	ExecStatusType t = pq.resultStatus(r);
	int rc = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK ? SQLITE_OK : pg_result_err(pc, r);

	pq.clear(r);
	return rc;
}

int
dbx_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **out, const char **tail)
{
	struct pgconn *pc = conn_of(db);
	struct pgstmt *ps;

	if (pc == NULL)
		return sqlite3_prepare_v2(db, sql, n, out, tail);
	ps = xcalloc(1, sizeof(*ps));
	ps->pc = pc;
	ps->sql = pg_translate(sql, &ps->nparams, &ps->auto_ret, &ps->is_write, ps->used);
	ps->vals = xcalloc((size_t)ps->nparams + 1, sizeof(*ps->vals));
	ps->types = xcalloc((size_t)ps->nparams + 1, sizeof(*ps->types));
	ps->next = stmts;
	stmts = ps;
	*out = (sqlite3_stmt *)(void *)ps;
	if (tail)
		*tail = NULL;
	return SQLITE_OK;
}

static int
run(struct pgstmt *ps)
{
	struct pgconn *pc = ps->pc;
	int wrap, rc;
	PGresult *r;
	ExecStatusType t;

	ps->ran = 1;
	if (!in_tx(pc) && ensure_conn(pc) == -1)
		return SQLITE_IOERR;
	for (int i = 1; i <= ps->nparams; i++)
		if (i >= 100 || !ps->used[i])
			ps->types[i - 1] = 25; /* text: an unused one must have a type */
	wrap = ps->is_write && !in_tx(pc);
	if (wrap && (rc = begin_write(pc)) != SQLITE_OK)
		return rc;
	r = pq.execParams(pc->c, ps->sql, ps->nparams, ps->types, (const char *const *)ps->vals, NULL, NULL, 0);
	t = pq.resultStatus(r);
	if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK && !wrap && !ps->is_write && !in_tx(pc) &&
	    lost(pc, pg_result_err(pc, r))) {
		pq.clear(r);
		r = pq.execParams(pc->c, ps->sql, ps->nparams, ps->types, (const char *const *)ps->vals, NULL, NULL, 0);
		t = pq.resultStatus(r);
	}
	if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK) {
		rc = pg_result_err(pc, r);
		pg_debug_sql(ps->sql, pc->errmsg);
		pq.clear(r);
		if (wrap && pq.status(pc->c) == CONNECTION_OK)
			pg_simple(pc, "ROLLBACK");
		return rc;
	}
	pc->changes = atoi(pq.cmdTuples(r));
	if (ps->auto_ret) {
		if (pq.ntuples(r) > 0)
			pc->last_id = strtoll(pq.getvalue(r, 0, 0), NULL, 10);
		pq.clear(r);
		r = NULL;
	}
	if (wrap && (rc = pg_simple(pc, "COMMIT")) != SQLITE_OK) {
		pq.clear(r);
		return rc;
	}
	ps->res = r;
	ps->nrows = r ? pq.ntuples(r) : 0;
	ps->row = 0;
	return ps->nrows > 0 ? SQLITE_ROW : SQLITE_DONE;
}

int
dbx_step(sqlite3_stmt *s)
{
	struct pgstmt *ps = stmt_of(s);

	if (ps == NULL)
		return sqlite3_step(s);
	if (!ps->ran)
		return run(ps);
	if (ps->row < ps->nrows)
		ps->row++;
	return ps->row < ps->nrows ? SQLITE_ROW : SQLITE_DONE;
}

int
dbx_finalize(sqlite3_stmt *s)
{
	struct pgstmt *ps = stmt_of(s), **pp;

	if (ps == NULL)
		return sqlite3_finalize(s);
	for (pp = &stmts; *pp != ps; pp = &(*pp)->next)
		;
	*pp = ps->next;
	for (int i = 0; i <= ps->nparams; i++)
		free(ps->vals[i]);
	free(ps->vals);
	free(ps->types);
	if (ps->res)
		pq.clear(ps->res);
	free(ps->sql);
	free(ps);
	return SQLITE_OK;
}

static int
bind_val(struct pgstmt *ps, int i, char *v, Oid type)
{
	if (i < 1 || i > ps->nparams) {
		free(v);
		return SQLITE_RANGE;
	}
	free(ps->vals[i - 1]);
	ps->vals[i - 1] = v;
	ps->types[i - 1] = type;
	return SQLITE_OK;
}

int
dbx_bind_int64(sqlite3_stmt *s, int i, sqlite3_int64 v)
{
	struct pgstmt *ps = stmt_of(s);

	if (ps == NULL)
		return sqlite3_bind_int64(s, i, v);
	return bind_val(ps, i, xasprintf("%lld", (long long)v), 20 /* int8 */);
}

int
dbx_bind_int(sqlite3_stmt *s, int i, int v)
{
	struct pgstmt *ps = stmt_of(s);

	if (ps == NULL)
		return sqlite3_bind_int(s, i, v);
	return bind_val(ps, i, xasprintf("%d", v), 20);
}

int
dbx_bind_text(sqlite3_stmt *s, int i, const char *v, int n, void (*d)(void *))
{
	struct pgstmt *ps = stmt_of(s);

	if (ps == NULL)
		return sqlite3_bind_text(s, i, v, n, d);
	return bind_val(ps, i, v == NULL ? NULL : n < 0 ? xstrdup(v) : xstrndup(v, (size_t)n), 0);
}

int
dbx_bind_null(sqlite3_stmt *s, int i)
{
	struct pgstmt *ps = stmt_of(s);

	if (ps == NULL)
		return sqlite3_bind_null(s, i);
	return bind_val(ps, i, NULL, 0);
}

int
dbx_bind_parameter_count(sqlite3_stmt *s)
{
	struct pgstmt *ps = stmt_of(s);

	return ps ? ps->nparams : sqlite3_bind_parameter_count(s);
}

static const char *
cell(struct pgstmt *ps, int col)
{
	if (ps->res == NULL || ps->row >= ps->nrows || pq.getisnull(ps->res, ps->row, col))
		return NULL;
	return pq.getvalue(ps->res, ps->row, col);
}

sqlite3_int64
dbx_column_int64(sqlite3_stmt *s, int col)
{
	struct pgstmt *ps = stmt_of(s);
	const char *v;

	if (ps == NULL)
		return sqlite3_column_int64(s, col);
	if ((v = cell(ps, col)) == NULL)
		return 0;
	if (!strcmp(v, "t") || !strcmp(v, "f")) /* a boolean expression */
		return *v == 't';
	return strtoll(v, NULL, 10);
}

int
dbx_column_int(sqlite3_stmt *s, int col)
{
	struct pgstmt *ps = stmt_of(s);

	return ps ? (int)dbx_column_int64(s, col) : sqlite3_column_int(s, col);
}

const unsigned char *
dbx_column_text(sqlite3_stmt *s, int col)
{
	struct pgstmt *ps = stmt_of(s);

	return ps ? (const unsigned char *)cell(ps, col) : sqlite3_column_text(s, col);
}

int
dbx_column_type(sqlite3_stmt *s, int col)
{
	struct pgstmt *ps = stmt_of(s);

	if (ps == NULL)
		return sqlite3_column_type(s, col);
	return cell(ps, col) ? SQLITE_TEXT : SQLITE_NULL;
}

sqlite3_int64
dbx_last_insert_rowid(sqlite3 *db)
{
	struct pgconn *pc = conn_of(db);

	return pc ? pc->last_id : sqlite3_last_insert_rowid(db);
}

int
dbx_changes(sqlite3 *db)
{
	struct pgconn *pc = conn_of(db);

	return pc ? pc->changes : sqlite3_changes(db);
}

/* BEGIN IMMEDIATE takes the fleet's write lock (reconnecting first when the
 * connection was lost); other SQL runs as it is, a writing one outside a
 * transaction under the lock, in one implicit transaction. */
int
dbx_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg, char **msg)
{
	struct pgconn *pc = conn_of(db);
	int rc;

	if (pc == NULL)
		return sqlite3_exec(db, sql, cb, arg, msg);
	if (!in_tx(pc) && ensure_conn(pc) == -1)
		rc = SQLITE_IOERR;
	else if (!strcmp(sql, "BEGIN IMMEDIATE"))
		rc = begin_write(pc);
	else if (!in_tx(pc) &&
		 (pg_starts_word(sql, "INSERT") || pg_starts_word(sql, "UPDATE") || pg_starts_word(sql, "DELETE"))) {
		char *s = xasprintf(WRITE_LOCK "; %s", sql);
		rc = pg_simple(pc, s);
		free(s);
	} else
		rc = pg_simple(pc, sql);
	if (rc != SQLITE_OK)
		pg_debug_sql(sql, pc->errmsg);
	if (rc != SQLITE_OK && msg)
		*msg = sqlite3_mprintf("%s", pc->errmsg);
	return rc;
}

int
dbx_errcode(sqlite3 *db)
{
	struct pgconn *pc = conn_of(db);

	return pc ? pc->errcode : sqlite3_errcode(db);
}

const char *
dbx_errmsg(sqlite3 *db)
{
	struct pgconn *pc = conn_of(db);

	return pc ? (pc->errmsg ? pc->errmsg : "not an error") : sqlite3_errmsg(db);
}

int
dbx_system_errno(sqlite3 *db)
{
	return conn_of(db) ? 0 : sqlite3_system_errno(db);
}

int
dbx_get_autocommit(sqlite3 *db)
{
	struct pgconn *pc = conn_of(db);

	return pc ? !in_tx(pc) : sqlite3_get_autocommit(db);
}

/* PostgreSQL has no WAL file of ours to copy: nothing to do (the watcher
 * checkpoints whatever ledger it has). */
int
dbx_wal_checkpoint_v2(sqlite3 *db, const char *name, int mode, int *nlog, int *nckpt)
{
	if (conn_of(db) == NULL)
		return sqlite3_wal_checkpoint_v2(db, name, mode, nlog, nckpt);
	if (nlog)
		*nlog = 0;
	if (nckpt)
		*nckpt = 0;
	return SQLITE_OK;
}

/* Named parameters are not translated: a PostgreSQL statement has none. */
int
dbx_bind_parameter_index(sqlite3_stmt *s, const char *name)
{
	return stmt_of(s) ? 0 : sqlite3_bind_parameter_index(s, name);
}

/* ---- the store on PostgreSQL ---- */
char *
pg_errmsg(struct store *st, const char *what)
{
	return xasprintf("%s: %s: %s", st->pg->url, what, st->pg->errmsg ? st->pg->errmsg : "error");
}

int
pg_exec_err(struct store *st, const char *sql, char **errp)
{
	if (dbx_exec((sqlite3 *)(void *)st->pg, sql, NULL, NULL, NULL) != SQLITE_OK) {
		*errp = pg_errmsg(st, "query");
		return -1;
	}
	return 0;
}

static int
schema_version(struct store *st, int *v, char **errp)
{
	PGresult *r = pq.exec(st->pg->c, "SELECT version FROM schema_version");
	int ok = pq.resultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		pg_result_err(st->pg, r);
	*v = ok && pq.ntuples(r) > 0 ? atoi(pq.getvalue(r, 0, 0)) : -1;
	pq.clear(r);
	if (!ok)
		*errp = pg_errmsg(st, "schema version");
	return ok ? 0 : -1;
}

static int
pg_migrate(struct store *st, char **errp)
{
	int v;

	if (schema_version(st, &v, errp) == -1) {
		/* no schema_version yet: a new database */
		free(*errp);
		*errp = NULL;
		v = 0;
	}
	if (v > PG_SCHEMA_VERSION) {
		*errp = xasprintf("%s: schema version %d is newer than this dcvmail (%d)", st->pg->url, v,
				  PG_SCHEMA_VERSION);
		return -1;
	}
	if (v == PG_SCHEMA_VERSION)
		return 0;
	if (st->rdonly) {
		*errp = xasprintf("%s: schema version %d needs an upgrade: run a command that writes", st->pg->url, v);
		return -1;
	}
	if (pg_exec_err(st, "BEGIN; " WRITE_LOCK, errp) == -1 ||
	    pg_exec_err(st,
			"CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
			"INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version)",
			errp) == -1 ||
	    schema_version(st, &v, errp) == -1)
		goto fail;
	/* entry 0 brings 0 to PG_BASE_VERSION; later ones are numbered from there */
	for (size_t i = v == 0 ? 0 : (size_t)(v - PG_BASE_VERSION + 1); i < pg_nmigrations; i++)
		if (pg_exec_err(st, pg_migrations[i], errp) == -1)
			goto fail;
	return pg_exec_err(st, "COMMIT", errp);
fail:
	pg_simple(st->pg, "ROLLBACK");
	return -1;
}

void
pg_close(struct store *st)
{
	struct pgconn *pc = st->pg, **pp;

	for (pp = &conns; *pp && *pp != pc; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = pc->next;
	pq.finish(pc->c);
	free(pc->url);
	free(pc->errmsg);
	free(pc);
	free(st->dir);
	free(st);
}

/* A state directory for what stays local (the spool of messages too large
 * for memory): created 0700 when missing, refused when others can enter. */
static int
local_dir(const char *dir, int flags, char **errp)
{
	struct stat sb;

	if (stat(dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode) || (sb.st_mode & (S_IRWXG | S_IRWXO))) {
			*errp = xasprintf("%s: the state directory must be a directory of mode 0700; fix with: chmod "
					  "700 %s",
					  dir, dir);
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT || (flags & STORE_RDONLY))
		return 0; /* read-only use needs nothing local */
	if (mkdir(dir, 0700) == -1) {
		*errp = xasprintf("%s: cannot create the state directory: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int
open_pg(const char *dir, const char *url, const char *password_file, int flags, struct store **out, int *unreachable,
	char **errp)
{
	const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL, NULL };
	const char *vals[] = { PG_CONNECT_TIMEOUT, "dcvmail", url, NULL, NULL };
	char *pw = NULL;
	struct pgconn *pc;
	struct store *st;

	*out = NULL;
	*errp = NULL;
	if (local_dir(dir, flags, errp) == -1 || load_libpq(errp) == -1)
		return -1;
	if (password_file) {
		char *e = NULL;
		if ((pw = config_read_secret(password_file, &e)) == NULL) {
			*errp = xasprintf("ledger-password-file %s", e);
			free(e);
			return -1;
		}
		keys[3] = "password";
		vals[3] = pw;
	}
	pc = xcalloc(1, sizeof(*pc));
	pc->url = xstrdup(url);
	pc->c = pq.connectdbParams(keys, vals, 1);
	if (pw) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	if (pc->c == NULL || pq.status(pc->c) != CONNECTION_OK) {
		char *m = xstrdup(pc->c ? pq.errorMessage(pc->c) : "out of memory");
		size_t n = strlen(m);
		while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
			m[--n] = '\0';
		for (char *q = m; (q = strchr(q, '\n')) != NULL;)
			*q = ' ';
		*errp = xasprintf("%s: cannot connect to the ledger database: %s", url, m);
		*unreachable = 1;
		free(m);
		if (pc->c)
			pq.finish(pc->c);
		free(pc->url);
		free(pc);
		return -1;
	}
	pc->next = conns;
	conns = pc;
	st = xcalloc(1, sizeof(*st));
	st->dir = xstrdup(dir);
	st->rdonly = (flags & STORE_RDONLY) != 0;
	st->pg = pc;
	st->db = (sqlite3 *)(void *)pc;
	if (pg_exec_err(st, "SET client_min_messages = warning", errp) == -1 || pg_migrate(st, errp) == -1 ||
	    (st->rdonly && pg_exec_err(st, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", errp) == -1)) {
		pg_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

int
store_open_pg(const char *dir, const char *url, const char *password_file, int flags, struct store **out, char **errp)
{
	int unreachable = 0;

	return open_pg(dir, url, password_file, flags, out, &unreachable, errp);
}

int
store_open_cfg_ex(const struct config *cfg, int flags, struct store **out, int *unreachable, char **errp)
{
	*unreachable = 0;
	if (cfg->ledger_url == NULL)
		return store_open(cfg->state_dir, flags, out, errp);
	return open_pg(cfg->state_dir, cfg->ledger_url, cfg->ledger_password_file, flags, out, unreachable, errp);
}

int
store_open_cfg(const struct config *cfg, int flags, struct store **out, char **errp)
{
	int unreachable;

	return store_open_cfg_ex(cfg, flags, out, &unreachable, errp);
}

const char *
store_ledger_name(const struct store *st)
{
	return st->pg ? st->pg->url : NULL;
}

/* What the connection's TLS is worth: the protocol, and what sslmode made
 * libpq check (verify-full: the chain and the host name). */
static char *
tls_phrase(PGconn *c)
{
	PQconninfoOption *opts = pq.conninfo(c);
	const char *mode = NULL, *proto = pq.sslAttribute(c, "protocol");
	char *r;

	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "sslmode"))
			mode = o->val;
	if (!pq.sslInUse(c))
		r = xasprintf("no TLS (sslmode=%s)", mode ? mode : "prefer");
	else
		r = xasprintf("%s, %s (sslmode=%s)", proto ? proto : "TLS",
			      mode && !strcmp(mode, "verify-full") ? "server certificate and host name verified"
			      : mode && !strcmp(mode, "verify-ca")
				      ? "server certificate verified, host name not checked"
				      : "server certificate NOT verified",
			      mode ? mode : "prefer");
	pq.conninfoFree(opts);
	return r;
}

int
store_pg_info(struct store *st, int *version, char **tls, int *server_version, char **errp)
{
	*tls = NULL;
	if (!st->pg) {
		*errp = xstrdup("not a postgresql ledger");
		return -1;
	}
	*server_version = pq.serverVersion(st->pg->c);
	if (schema_version(st, version, errp) == -1)
		return -1;
	*tls = tls_phrase(st->pg->c);
	return 0;
}

/* ---- the archive as a table ---- */
int
pg_archive_put(struct store *st, const struct message *m)
{
	const char *data = m->raw;
	size_t len = m->raw_len;
	char *spooled = NULL, *e = NULL, size[32];
	int rc;

	if (m->spooled) { /* archived locally while it was read: its bytes go to the table too */
		char *path = store_archive_path(st, m->sha256);
		FILE *f = fopen(path, "rb");
		struct buf b;
		buf_init(&b, 0);
		if (f == NULL) {
			set_err(st->pg, SQLITE_IOERR, strerror(errno));
			free(path);
			buf_free(&b);
			return SQLITE_IOERR;
		}
		char tmp[65536];
		size_t n;
		while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
			buf_add(&b, tmp, n);
		fclose(f);
		free(path);
		len = b.len;
		data = spooled = buf_steal(&b);
	}
	snprintf(size, sizeof(size), "%zu", len);
	const char *vals[] = { m->sha256, size, data };
	const int lens[] = { 0, 0, (int)len }, fmts[] = { 0, 0, 1 };
	PGresult *r =
		pq.execParams(st->pg->c,
			      "INSERT INTO archive (sha256, size, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3,
			      NULL, vals, lens, fmts, 0);
	rc = pq.resultStatus(r) == PGRES_COMMAND_OK ? SQLITE_DONE : pg_result_err(st->pg, r);
	pq.clear(r);
	free(spooled);
	free(e);
	return rc;
}

int
pg_archive_read(struct store *st, const char *sha, size_t max, char **data, size_t *len, char **errp)
{
	const char *vals[] = { sha };
	char got[65];
	PGresult *r;

	*data = NULL;
	*len = 0;
	if (!in_tx(st->pg) && ensure_conn(st->pg) == -1) {
		*errp = pg_errmsg(st, "archive");
		return -1;
	}
	r = pq.execParams(st->pg->c, "SELECT data FROM archive WHERE sha256 = $1", 1, NULL, vals, NULL, NULL, 1);
	if (pq.resultStatus(r) != PGRES_TUPLES_OK) {
		pg_result_err(st->pg, r);
		pq.clear(r);
		*errp = pg_errmsg(st, "archive");
		return -1;
	}
	if (pq.ntuples(r) == 0) {
		pq.clear(r);
		*errp = xasprintf("%s: archive %s: the archived message is missing", st->pg->url, sha);
		return -1;
	}
	size_t n = (size_t)pq.getlength(r, 0, 0);
	const char *v = pq.getvalue(r, 0, 0);
	if (max && n > max) {
		pq.clear(r);
		*errp = xasprintf("%s: archive %s: too large to read back", st->pg->url, sha);
		return -1;
	}
	sha256_hex(v, n, got);
	if (strcmp(got, sha) != 0) {
		pq.clear(r);
		*errp = xasprintf("%s: archive %s: archive tampered or damaged: its content does not match its SHA-256 "
				  "name; restore it from a backup",
				  st->pg->url, sha);
		return -1;
	}
	*data = xmalloc(n + 1);
	memcpy(*data, v, n);
	(*data)[n] = '\0';
	*len = n;
	pq.clear(r);
	return 0;
}
