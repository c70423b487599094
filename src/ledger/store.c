/* store.c — the SQLite ledger: open, schema and migrations, transactions
 * with retry, recording a message. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/log.h"
#include "base/util.h"
#include "store-int.h"

/* the WAL pages a closing process leaves at most (see store_open) */
#define WAL_PAGES 128

/* After each commit: what the WAL holds; past SQLite's own threshold (1000
 * pages) a passive checkpoint, as its default hook does, so that a long
 * import copies back as it goes (within one process the WAL restarts). */
static int
wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store *st = arg;

	st->wal_frames = frames;
	if (frames >= 1000)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

#define TX_MAX_SECONDS 60.0

/* Each step brings the schema from version i to i+1. */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE requests ("
	"  id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, ca TEXT, type TEXT, domain TEXT,"
	"  order_id TEXT, state TEXT NOT NULL DEFAULT 'pending', approve_link TEXT,"
	"  copies INTEGER NOT NULL DEFAULT 0, expected INTEGER NOT NULL DEFAULT 0,"
	"  expectation_id INTEGER, first_seen INTEGER, last_seen INTEGER, state_changed INTEGER,"
	"  state_by TEXT, state_note TEXT);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY, sha256 TEXT UNIQUE NOT NULL, message_id TEXT, received INTEGER,"
	"  source TEXT, mailbox TEXT, role TEXT, sender TEXT, recipient TEXT, from_addr TEXT,"
	"  subject TEXT, status TEXT, type TEXT, rule_type TEXT, ca TEXT, rule TEXT, fields TEXT,"
	"  auth TEXT, auth_reason TEXT, reasons TEXT, size INTEGER,"
	"  request_id INTEGER REFERENCES requests(id));"
	"CREATE INDEX messages_request ON messages(request_id);"
	"CREATE TABLE request_copies ("
	"  request_id INTEGER REFERENCES requests(id), message_id INTEGER REFERENCES messages(id),"
	"  mailbox TEXT, role TEXT, recipient TEXT, seen INTEGER);"
	"CREATE INDEX copies_request ON request_copies(request_id);"
	"CREATE TABLE expectations ("
	"  id INTEGER PRIMARY KEY, ca TEXT NOT NULL, domain TEXT NOT NULL, order_id TEXT,"
	"  created INTEGER, until INTEGER NOT NULL DEFAULT 0, used_by INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY, request_id INTEGER REFERENCES requests(id), kind TEXT NOT NULL,"
	"  target TEXT, why TEXT, created INTEGER, next_try INTEGER, attempts INTEGER NOT NULL DEFAULT 0,"
	"  done INTEGER NOT NULL DEFAULT 0, ok INTEGER, last_error TEXT,"
	"  lease_until INTEGER NOT NULL DEFAULT 0, message_sha256 TEXT);"
	"CREATE INDEX outbox_due ON outbox(done, next_try);"
	"CREATE TABLE attempts ("
	"  id INTEGER PRIMARY KEY, outbox_id INTEGER REFERENCES outbox(id), at INTEGER, ok INTEGER, result TEXT);"
	"CREATE TABLE imap_state ("
	"  mailbox TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL, updated INTEGER);"
	"CREATE TABLE validations ("
	"  id INTEGER PRIMARY KEY, domain TEXT NOT NULL, ca TEXT NOT NULL, method TEXT,"
	"  request_id INTEGER, approved_at INTEGER NOT NULL, reuse_until INTEGER NOT NULL);"
	"CREATE TABLE history ("
	"  id INTEGER PRIMARY KEY, request_id INTEGER REFERENCES requests(id), at INTEGER,"
	"  state TEXT, who TEXT, note TEXT);",
	/* 1 -> 2: an expectation covers its very domain unless subdomains is set;
	 * every request that used one (an order-less one: at most one at a time,
	 * enforced by the unique index); uses recorded before are carried over,
	 * the first per order-less expectation holding it, the others released */
	"ALTER TABLE expectations ADD COLUMN subdomains INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE expectation_uses ("
	"  id INTEGER PRIMARY KEY, expectation_id INTEGER NOT NULL, request_id INTEGER NOT NULL,"
	"  at INTEGER NOT NULL, single INTEGER NOT NULL, released INTEGER, release_note TEXT);"
	"CREATE UNIQUE INDEX expectation_uses_single ON expectation_uses(expectation_id)"
	"  WHERE single = 1 AND released IS NULL;"
	"CREATE INDEX expectation_uses_request ON expectation_uses(request_id);"
	"INSERT INTO expectation_uses (expectation_id, request_id, at, single, released, release_note)"
	"  SELECT e.id, r.id, COALESCE(r.first_seen, 0), e.order_id IS NULL,"
	"    CASE WHEN e.order_id IS NULL AND r.id > (SELECT min(id) FROM requests WHERE expectation_id = e.id)"
	"      THEN COALESCE(r.first_seen, 0) END,"
	"    CASE WHEN e.order_id IS NULL AND r.id > (SELECT min(id) FROM requests WHERE expectation_id = e.id)"
	"      THEN 'used before an expectation without an order covered one request only' END"
	"  FROM requests r JOIN expectations e ON e.id = r.expectation_id ORDER BY r.id;"
	"UPDATE requests SET expected = 0 WHERE id IN"
	"  (SELECT request_id FROM expectation_uses WHERE released IS NOT NULL);",
	/* 2 -> 3: every approval attempt, begun and committed before the first
	 * byte goes to the CA, with the process running it and its HTTP steps */
	"CREATE TABLE approval_attempts ("
	"  id INTEGER PRIMARY KEY, request_id INTEGER REFERENCES requests(id), outbox_id INTEGER,"
	"  started INTEGER NOT NULL, ended INTEGER, outcome TEXT NOT NULL, result TEXT, who TEXT,"
	"  pid INTEGER, pid_start INTEGER, host TEXT, boot_id TEXT, lease_until INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX approval_attempts_request ON approval_attempts(request_id);"
	"CREATE INDEX approval_attempts_outcome ON approval_attempts(outcome);"
	"CREATE TABLE attempt_steps ("
	"  id INTEGER PRIMARY KEY, attempt_id INTEGER REFERENCES approval_attempts(id), at INTEGER,"
	"  method TEXT, url TEXT, status INTEGER, error TEXT);"
	"CREATE INDEX attempt_steps_attempt ON attempt_steps(attempt_id);",
	/* 3 -> 4 (h-time): when a message was sent (its Date:, checked against
	 * its Received: hops and arrival), and when a request was first asked:
	 * ages, the 30-day DCV expiry and pending-alert count from it, not from
	 * when dcvmail recorded the mail (an import of old mail). Rows recorded
	 * before keep their recording time. */
	"ALTER TABLE messages ADD COLUMN sent INTEGER;"
	"ALTER TABLE requests ADD COLUMN asked INTEGER;"
	"UPDATE messages SET sent = received;"
	"UPDATE requests SET asked = first_seen;",
	/* 4 -> 5 (h-orders): what a person did for an order outside mail
	 * (`dcvmail done`, `dcvmail cancel`): appended, never rewritten;
	 * order_ref is the order id, or @DOMAIN for mail without one */
	"CREATE TABLE order_events ("
	"  id INTEGER PRIMARY KEY, ca TEXT NOT NULL, order_ref TEXT NOT NULL, step TEXT, state TEXT NOT NULL,"
	"  at INTEGER NOT NULL, who TEXT, note TEXT);"
	"CREATE INDEX order_events_order ON order_events(ca, order_ref);",
	/* 5 -> 6 (h-show): who added an expectation (the login name; NULL before) */
	"ALTER TABLE expectations ADD COLUMN created_by TEXT;",
	/* 6 -> 7 (h-alert): the pending alert goes once per request and
	 * recipient (alerts), the daily digest once per recipient and local day
	 * (digests), each with the outbox row that sends it: a second runner or
	 * a restart queues neither again */
	"CREATE TABLE alerts ("
	"  request_id INTEGER NOT NULL, recipient TEXT NOT NULL, queued INTEGER NOT NULL, outbox_id INTEGER,"
	"  PRIMARY KEY (request_id, recipient));"
	"CREATE TABLE digests ("
	"  recipient TEXT NOT NULL, day TEXT NOT NULL, queued INTEGER NOT NULL, outbox_id INTEGER,"
	"  PRIMARY KEY (recipient, day));",
	/* 7 -> 8 (h-import): the raw
	 * messages an import records, kept in the ledger and written in the
	 * transaction of their records (a file each cost an import most of its
	 * time); pipe and watch keep writing archive/ab/<sha256>, and both are
	 * read back. PostgreSQL has had this table since its version 3. */
	"CREATE TABLE archive (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB NOT NULL);",
};

/* The operating system's reason for a failed open or I/O: SQLite reports
 * the errno of its last system call, which for a read-only state directory
 * is the missing -wal file (ENOENT), not the file system it cannot write. */
static const char *
os_cause(struct store *st, int e)
{
	int code = sqlite3_errcode(st->db) & 0xff;
	struct statvfs sv;

	if (code != SQLITE_CANTOPEN && code != SQLITE_IOERR && code != SQLITE_READONLY)
		return e ? strerror(e) : NULL;
	if (statvfs(st->dir, &sv) == 0 && (sv.f_flag & ST_RDONLY))
		return "the state directory is on a read-only file system: SQLite must create ledger.db-wal and "
		       "ledger.db-shm beside the ledger";
	if (access(st->dir, W_OK) == -1 && (errno == EACCES || errno == EROFS))
		return errno == EROFS ? "the state directory is on a read-only file system"
				      : "the state directory is not writable by this user: SQLite must create "
					"ledger.db-wal and ledger.db-shm beside the ledger";
	return e ? strerror(e) : NULL;
}

char *
store_errmsg(struct store *st, const char *what)
{
	if (st->pg)
		return pg_errmsg(st, what);
	int e = sqlite3_system_errno(st->db), code = sqlite3_errcode(st->db) & 0xff;
	const char *cause = os_cause(st, e);

	if (cause && (code == SQLITE_IOERR || code == SQLITE_CANTOPEN || code == SQLITE_READONLY))
		return xasprintf("%s/ledger.db: %s: %s (%s)", st->dir, what, sqlite3_errmsg(st->db), cause);
	return xasprintf("%s/ledger.db: %s: %s", st->dir, what, sqlite3_errmsg(st->db));
}

int
store_exec(struct store *st, const char *sql, char **errp)
{
	char *msg = NULL;

	if (st->pg)
		return pg_exec_err(st, sql, errp);
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		const char *e = os_cause(st, sqlite3_system_errno(st->db));
		*errp = xasprintf("%s/ledger.db: %s%s%s%s", st->dir, msg ? msg : "error", e ? " (" : "", e ? e : "",
				  e ? ")" : "");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
store_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	return s;
}

struct cached_stmt {
	const char *sql;
	sqlite3_stmt *s;
	int busy;
};

sqlite3_stmt *
store_stmt(struct store *st, const char *sql)
{
	struct cached_stmt *c;

	if (st->pg)
		return store_prepare(st, sql);
	for (size_t i = 0; i < st->ncache; i++) {
		c = &st->cache[i];
		if (c->sql == sql) {
			if (c->busy)
				return store_prepare(st, sql); /* nested use: a statement of its own */
			c->busy = 1;
			return c->s;
		}
	}
	sqlite3_stmt *s = store_prepare(st, sql);
	if (s == NULL)
		return NULL;
	st->cache = xreallocarray(st->cache, st->ncache + 1, sizeof(*st->cache));
	st->cache[st->ncache++] = (struct cached_stmt){ sql, s, 1 };
	return s;
}

void
store_put(struct store *st, sqlite3_stmt *s)
{
	if (s == NULL)
		return;
	if (!st->pg)
		for (size_t i = 0; i < st->ncache; i++)
			if (st->cache[i].s == s) {
				sqlite3_reset(s);
				sqlite3_clear_bindings(s);
				st->cache[i].busy = 0;
				return;
			}
	sqlite3_finalize(s);
}

const char *
col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

void
bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static int
busy(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

int
store_tx(struct store *st, int (*fn)(struct store *, void *), void *arg, char **errp)
{
	double start = now_mono();
	unsigned delay_ms = 2;
	int rc;

	for (;;) {
		rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK) {
			rc = fn(st, arg);
			if (rc == SQLITE_OK || rc == SQLITE_DONE)
				rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
			if (rc == SQLITE_OK)
				return 0;
			if (!sqlite3_get_autocommit(st->db)) {
				if (!busy(rc) && *errp == NULL)
					*errp = store_errmsg(st, "transaction");
				sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			}
		}
		if (!busy(rc) || now_mono() - start > TX_MAX_SECONDS) {
			if (*errp == NULL)
				*errp = busy(rc) ? xasprintf("%s/ledger.db: still locked after %.0f s", st->dir,
							     TX_MAX_SECONDS)
						 : store_errmsg(st, "transaction");
			return -1;
		}
		free(*errp);
		*errp = NULL;
		/* back off with jitter so concurrent writers spread out */
		usleep((delay_ms + (unsigned)(rand() % (int)delay_ms + 1)) * 1000);
		if (delay_ms < 200)
			delay_ms *= 2;
	}
}

static int
check_private(const char *path, const char *what, int isdir, char **errp)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		return errno == ENOENT ? 1 : (*errp = xasprintf("%s: %s", path, strerror(errno)), -1);
	if (isdir && !S_ISDIR(sb.st_mode)) {
		*errp = xasprintf("%s: not a directory", path);
		return -1;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		*errp = xasprintf("%s: %s is accessible by group or others; fix with: chmod %s %s", path, what,
				  isdir ? "700" : "600", path);
		return -1;
	}
	return 0;
}

/* ledger.db itself: a regular file of ours, not a symlink (which could lead
 * the ledger anywhere) and not another user's file. 0, 1 missing, -1. */
static int
check_ledger_file(const char *db, char **errp)
{
	struct stat sb;

	if (lstat(db, &sb) == -1)
		return errno == ENOENT ? 1 : (*errp = xasprintf("%s: %s", db, strerror(errno)), -1);
	if (S_ISLNK(sb.st_mode)) {
		*errp = xasprintf("%s: is a symbolic link; dcvmail does not follow it (put the ledger itself in the "
				  "state directory)",
				  db);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		*errp = xasprintf("%s: not a regular file", db);
		return -1;
	}
	if (sb.st_uid != geteuid()) {
		*errp = xasprintf("%s: owned by uid %ld, not by this user (uid %ld); run dcvmail as the owner of the "
				  "state directory",
				  db, (long)sb.st_uid, (long)geteuid());
		return -1;
	}
	return 0;
}

/* A ledger that exists but is empty (emptied, truncated) while the archive
 * beside it holds messages would silently become a new, empty ledger:
 * history, expectations and approvals gone. Refuse instead. Only lstat: a
 * descriptor of our own on ledger.db, once closed, would drop the POSIX
 * locks SQLite holds on it in this process. (A file that is not a database
 * SQLite refuses itself: ledger_hint() adds the way out.) */
static int
check_ledger_content(const char *dir, const char *db, char **errp)
{
	char *top = xasprintf("%s/archive", dir);
	struct stat sb, ab;
	int rc = 0;

	if (lstat(db, &sb) == 0 && sb.st_size == 0 && lstat(top, &ab) == 0) {
		*errp = xasprintf("%s: the file is empty, but %s holds archived messages: refusing to start a new, "
				  "empty ledger over them (requests, expectations and approvals would be lost); "
				  "restore ledger.db from a backup",
				  db, top);
		rc = -1;
	}
	free(top);
	return rc;
}

/* After a failed open: a ledger.db that is not a database gets the way out. */
static void
ledger_hint(struct store *st, char **errp)
{
	if (st->db && (sqlite3_errcode(st->db) & 0xff) == SQLITE_NOTADB && *errp) {
		char *e = xasprintf("%s; restore ledger.db from a backup", *errp);
		free(*errp);
		*errp = e;
	}
}

static int
migrate(struct store *st, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, "PRAGMA user_version");
	int v = 0;

	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (v > (int)nitems(migrations)) {
		*errp = xasprintf("%s/ledger.db: schema version %d is newer than this dcvmail (%zu)", st->dir, v,
				  nitems(migrations));
		return -1;
	}
	if (v == (int)nitems(migrations))
		return 0;
	if (st->rdonly) {
		*errp = xasprintf("%s/ledger.db: schema version %d needs an upgrade: run a command that writes",
				  st->dir, v);
		return -1;
	}
	if (store_exec(st, "BEGIN IMMEDIATE", errp) == -1)
		return -1;
	/* re-read under the lock: another process may have migrated meanwhile */
	s = store_prepare(st, "PRAGMA user_version");
	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	for (; v < (int)nitems(migrations); v++) {
		char *sql = xasprintf("%s; PRAGMA user_version = %d;", migrations[v], v + 1);
		int r = store_exec(st, sql, errp);
		free(sql);
		if (r == -1) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return store_exec(st, "COMMIT", errp);
}

int
store_open(const char *dir, int flags, struct store **out, char **errp)
{
	struct store *st;
	char *db;
	int r, oflags;

	*out = NULL;
	*errp = NULL;
	if ((r = check_private(dir, "the state directory", 1, errp)) == -1)
		return -1;
	if (r == 1) {
		if (flags & (STORE_RDONLY | STORE_NOCREATE)) {
			*errp = xasprintf("%s: no ledger here (nothing recorded yet?)", dir);
			return -1;
		}
		if (mkdir(dir, 0700) == -1) {
			*errp = xasprintf("%s: cannot create the state directory: %s", dir, strerror(errno));
			return -1;
		}
	}
	db = xasprintf("%s/ledger.db", dir);
	if ((r = check_ledger_file(db, errp)) == -1 ||
	    (r == 0 && (check_private(db, "the ledger", 0, errp) == -1 || check_ledger_content(dir, db, errp) == -1))) {
		free(db);
		return -1;
	}
	char *top = xasprintf("%s/archive", dir);
	int ar = archive_check_dir(top, 0, errp);
	free(top);
	if (ar == -1) {
		free(db);
		return -1;
	}
	if (r == 1 && (flags & STORE_RDONLY)) {
		*errp = xasprintf("%s: no ledger yet (nothing recorded)", db);
		free(db);
		return -1;
	}
	st = xcalloc(1, sizeof(*st));
	st->dir = xstrdup(dir);
	st->rdonly = (flags & STORE_RDONLY) != 0;
	oflags = st->rdonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	mode_t old = umask(077);
	r = sqlite3_open_v2(db, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	umask(old);
	free(db);
	if (r != SQLITE_OK) {
		*errp = st->db ? store_errmsg(st, "open") : xasprintf("%s/ledger.db: cannot open", dir);
		store_close(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 5000);
	/* A short-lived process (pipe, check, a command) leaves the WAL as it
	 * is when it closes: the checkpoint SQLite would run then costs four
	 * syncs per delivery. The watcher, the outbox run and backups call
	 * store_checkpoint(). But the first process to open the ledger after
	 * the last one closed rebuilds the WAL's index by reading all of it,
	 * and a checkpoint of such a process never restarts the WAL (the
	 * index it rebuilt says nothing was copied back), so without the
	 * watcher every lone delivery would read a WAL that only grows. So a
	 * process that leaves more than WAL_PAGES pages in the WAL truncates it
	 * as it closes (store_close): a few syncs about every twenty lone
	 * deliveries, and never more than WAL_PAGES pages to read. */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	sqlite3_wal_hook(st->db, wal_commit, st);
	if ((!st->rdonly && store_exec(st, "PRAGMA journal_mode=WAL", errp) == -1) ||
	    store_exec(st, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", errp) == -1 || migrate(st, errp) == -1) {
		ledger_hint(st, errp);
		store_close(st);
		return -1;
	}
	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	if (!st->rdonly)
		archive_clean_tmp(st->dir);
	*out = st;
	return 0;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->pg) {
		pg_close(st);
		return;
	}
	for (size_t i = 0; i < st->ncache; i++)
		sqlite3_finalize(st->cache[i].s);
	free(st->cache);
	if (!st->rdonly && st->wal_frames > WAL_PAGES) {
		/* never waits: with another connection open (the watcher) it is
		 * busy and leaves the WAL to that one's checkpoints */
		sqlite3_busy_timeout(st->db, 0);
		sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	}
	sqlite3_close_v2(st->db);
	free(st->dir);
	free(st);
}

int
store_checkpoint(struct store *st, int truncate, char **errp)
{
	int nlog = 0, nckpt = 0, rc;

	if (st == NULL || st->rdonly || st->pg)
		return 0; /* PostgreSQL: no write-ahead log of ours (st->db is no SQLite handle there) */
	rc = sqlite3_wal_checkpoint_v2(st->db, NULL, truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
				       &nlog, &nckpt);
	if (rc == SQLITE_OK || busy(rc))
		return 0; /* busy: a reader or writer is active, the next checkpoint catches up */
	*errp = store_errmsg(st, "checkpoint");
	return -1;
}

const char *
store_dir(const struct store *st)
{
	return st->dir;
}

int
store_has_message(struct store *st, const char *sha, char **errp)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM messages WHERE sha256 = ?");
	int rc;

	if (s == NULL) {
		*errp = store_errmsg(st, "query");
		return -1;
	}
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	store_put(st, s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*errp = store_errmsg(st, "query");
		return -1;
	}
	return rc == SQLITE_ROW;
}
