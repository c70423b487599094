/* store-attempt.c — approval attempts: an approval is sent at most once.
 *
 * Before the first byte of an approval goes to the CA, the attempt is a
 * committed row (`approving`) naming the process that runs it (pid, its
 * start time, host name and boot id) and a lease. Every HTTP step is a row
 * under it. A runner that finds an `approving` attempt whose process is gone
 * or whose lease ran out never repeats it: the attempt becomes
 * `interrupted`, its outbox entry is done, the request needs a person, and
 * the request's forwards and notifications go (again) saying so. Only a
 * person (`dcvmail approve ID`) starts another attempt after that. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "store-int.h"

struct proc_id {
	long pid;
	long long start; /* clock ticks after boot, from /proc/PID/stat; -1 unknown */
	char host[256];
	char boot[64];
};

/* Start time of a process, or -1 when it does not exist (or is a zombie). */
static long long
proc_start(long pid, int *known)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;
	long long start = -1;

	*known = 1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL) {
		if (access("/proc/self/stat", R_OK) == -1) { /* no /proc: ask the kernel */
			*known = kill((pid_t)pid, 0) == -1 && errno == ESRCH;
			return *known ? -1 : 0;
		}
		return -1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return -1;
	p += 2;
	if (*p == 'Z' || *p == 'X') /* killed, not yet reaped by its parent */
		return -1;
	for (int field = 0; field < 19 && p; field++) /* state is field 3, starttime 22 */
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	if (p)
		start = strtoll(p, NULL, 10);
	return start;
}

static void
proc_self(struct proc_id *p)
{
	FILE *f;
	int known;

	memset(p, 0, sizeof(*p));
	p->pid = (long)getpid();
	p->start = proc_start(p->pid, &known);
	if (gethostname(p->host, sizeof(p->host) - 1) == -1)
		snprintf(p->host, sizeof(p->host), "localhost");
	if ((f = fopen("/proc/sys/kernel/random/boot_id", "r")) != NULL) {
		if (fgets(p->boot, sizeof(p->boot), f) == NULL)
			p->boot[0] = '\0';
		p->boot[strcspn(p->boot, "\n")] = '\0';
		fclose(f);
	}
}

int
store_attempt_process_gone(long pid, long long start, const char *host, const char *boot)
{
	struct proc_id me;
	long long now_start;
	int known;

	proc_self(&me);
	if (host == NULL || strcmp(host, me.host))
		return 0; /* another host: only the lease tells */
	if (boot && *boot && *me.boot && strcmp(boot, me.boot))
		return 1; /* this host rebooted since */
	now_start = proc_start(pid, &known);
	if (!known)
		return 0;
	return now_start == -1 || (start > 0 && now_start > 0 && now_start != start);
}

static sqlite3_stmt *
prep(struct store *st, const char *sql, int64_t a, const char *b, time_t c)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	int n;

	if (s == NULL)
		return NULL;
	n = sqlite3_bind_parameter_count(s);
	if (n >= 1)
		sqlite3_bind_int64(s, 1, a);
	if (n >= 2)
		bind_opt(s, 2, b);
	if (n >= 3)
		sqlite3_bind_int64(s, 3, c);
	return s;
}

/* run one statement with ?1 = a, ?2 = b, ?3 = c */
static int
run3(struct store *st, const char *sql, int64_t a, const char *b, time_t c)
{
	sqlite3_stmt *s = prep(st, sql, a, b, c);
	int rc;

	if (s == NULL)
		return SQLITE_ERROR;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

/* The request needs a person; its forwards and notifications say so: the
 * queued ones carry the reason, those already sent are queued again, and a
 * request with neither gets a flag (as policy_plan does). */
/* ["a","b"]: a kind list for json_each() in SQL */
static char *
kinds_json(const char *const *k)
{
	struct buf b;

	buf_init(&b, 0);
	buf_addc(&b, '[');
	for (size_t i = 0; k && k[i]; i++)
		buf_printf(&b, "%s\"%s\"", i ? "," : "", k[i]);
	buf_addc(&b, ']');
	return buf_steal(&b);
}

static int
route_to_person(struct store *st, int64_t rid, time_t now, const struct reap_kinds *k)
{
	static const char *const sql[] = {
		"UPDATE requests SET state_note = 'needs a person: ' || ?2, state_by = 'dcvmail', state_changed = ?3"
		" WHERE id = ?1 AND state IN ('pending', 'forwarded')",
		"INSERT INTO history (request_id, at, state, who, note) SELECT id, ?3, state, 'dcvmail',"
		" 'needs a person: ' || ?2 FROM requests WHERE id = ?1 AND state IN ('pending', 'forwarded')",
		"UPDATE outbox SET why = CASE WHEN why IS NULL OR why = '' THEN ?2 ELSE why || '; ' || ?2 END"
		" WHERE request_id = ?1 AND done = 0 AND kind IN (SELECT value FROM json_each(?4))"
		" AND EXISTS (SELECT 1 FROM requests WHERE id = ?1 AND state IN ('pending', 'forwarded'))",
		"INSERT INTO outbox (request_id, kind, target, why, created, next_try, message_sha256)"
		" SELECT o.request_id, o.kind, o.target, ?2, ?3, ?3, max(o.message_sha256) FROM outbox o"
		" WHERE o.request_id = ?1 AND o.kind IN (SELECT value FROM json_each(?4)) AND o.done = 1"
		" AND EXISTS (SELECT 1 FROM requests WHERE id = ?1 AND state IN ('pending', 'forwarded'))"
		" AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.request_id = ?1 AND p.kind = o.kind"
		"   AND p.target IS o.target AND p.done = 0) GROUP BY o.request_id, o.kind, o.target",
		"INSERT INTO outbox (request_id, kind, target, why, created, next_try, message_sha256)"
		" SELECT ?1, ?6, NULL, ?2, ?3, ?3, NULL"
		" WHERE EXISTS (SELECT 1 FROM requests WHERE id = ?1 AND state IN ('pending', 'forwarded'))"
		" AND NOT EXISTS (SELECT 1 FROM outbox WHERE request_id = ?1 AND kind IN (SELECT value FROM "
		"json_each(?5)))",
	};
	char *tell = kinds_json(k->tell), *reach = kinds_json(k->reach);
	int rc = SQLITE_DONE;

	for (size_t i = 0; i < nitems(sql) && rc == SQLITE_DONE; i++) {
		sqlite3_stmt *s = prep(st, sql[i], rid, ATTEMPT_INTERRUPTED_WHY, now);
		if (s == NULL) {
			rc = SQLITE_ERROR;
			break;
		}
		if (sqlite3_bind_parameter_count(s) >= 4)
			sqlite3_bind_text(s, 4, tell, -1, SQLITE_STATIC);
		if (sqlite3_bind_parameter_count(s) >= 5)
			sqlite3_bind_text(s, 5, reach, -1, SQLITE_STATIC);
		if (sqlite3_bind_parameter_count(s) >= 6)
			sqlite3_bind_text(s, 6, k->flag, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc == SQLITE_ROW)
			rc = SQLITE_DONE;
	}
	free(tell);
	free(reach);
	return rc;
}

struct stale {
	int64_t id, rid, oid;
	long pid;
	char *host, *why;
};

/* Mark one attempt interrupted, end its outbox entry, route the request. */
static int
interrupt(struct store *st, const struct stale *a, time_t now, const struct reap_kinds *k)
{
	char *note, *why;
	sqlite3_stmt *s;
	int rc, approved = 0;

	/* killed after the approval was recorded, before the attempt was closed */
	if ((s = prep(st, "SELECT 1 FROM requests WHERE id = ?1 AND state = 'approved'", a->rid, NULL, 0)) == NULL)
		return SQLITE_ERROR;
	approved = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	note = approved ? xstrdup("the approval was recorded, its attempt was not closed")
			: xasprintf("needs a person: %s", ATTEMPT_INTERRUPTED_WHY);
	why = xasprintf("interrupted: %s; %s", a->why,
			approved ? "the request is recorded as approved"
				 : "the CA may have the approval: check the CA's portal");
	s = store_prepare(st, "UPDATE approval_attempts SET outcome = 'interrupted', ended = ?2, result = ?3"
			      " WHERE id = ?1 AND outcome = 'approving'");
	if (s == NULL) {
		free(note);
		free(why);
		return SQLITE_ERROR;
	}
	sqlite3_bind_int64(s, 1, a->id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, why, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE && a->oid > 0)
		rc = run3(st,
			  approved ? "INSERT INTO attempts (outbox_id, at, ok, result) SELECT id, ?3, 1, ?2 FROM outbox"
				     " WHERE id = ?1 AND done = 0"
				   : "INSERT INTO attempts (outbox_id, at, ok, result) SELECT id, ?3, 0, ?2 FROM outbox"
				     " WHERE id = ?1 AND done = 0",
			  a->oid, note, now);
	if (rc == SQLITE_DONE && a->oid > 0)
		rc = run3(st,
			  approved ? "UPDATE outbox SET done = 1, ok = 1, attempts = attempts + 1, lease_until = 0,"
				     " last_error = NULL, next_try = ?3 WHERE id = ?1 AND done = 0 AND ?2 IS NOT NULL"
				   : "UPDATE outbox SET done = 1, ok = 0, attempts = attempts + 1, lease_until = 0,"
				     " last_error = ?2, next_try = ?3 WHERE id = ?1 AND done = 0",
			  a->oid, note, now);
	if (rc == SQLITE_DONE && !approved)
		rc = route_to_person(st, a->rid, now, k);
	free(why);
	free(note);
	return rc;
}

static int
reap_tx_inner(struct store *st, time_t now, const struct reap_kinds *k, int *n)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, request_id, outbox_id, pid, pid_start, host, boot_id,"
					    " lease_until, started FROM approval_attempts WHERE outcome = 'approving'");
	struct stale *v = NULL;
	size_t nv = 0;
	int rc = SQLITE_DONE;
	char t[32];

	if (s == NULL)
		return SQLITE_ERROR;
	while (sqlite3_step(s) == SQLITE_ROW) {
		long pid = (long)sqlite3_column_int64(s, 3);
		const char *host = col_text(s, 5);
		time_t lease = sqlite3_column_int64(s, 7);
		int gone = store_attempt_process_gone(pid, sqlite3_column_int64(s, 4), host, col_text(s, 6));
		if (!gone && lease > now)
			continue;
		v = xreallocarray(v, nv + 1, sizeof(*v));
		v[nv].id = sqlite3_column_int64(s, 0);
		v[nv].rid = sqlite3_column_int64(s, 1);
		v[nv].oid = sqlite3_column_int64(s, 2);
		v[nv].pid = pid;
		v[nv].host = xstrdup(host);
		v[nv].why = gone ? xasprintf("process %ld on %s stopped before the outcome was recorded", pid, host)
				 : xasprintf("no outcome from process %ld on %s by the end of its lease (%s)", pid,
					     host, fmt_time(lease, t, sizeof(t)));
		nv++;
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < nv; i++) {
		if (rc == SQLITE_DONE && (rc = interrupt(st, &v[i], now, k)) == SQLITE_DONE)
			(*n)++;
		free(v[i].host);
		free(v[i].why);
	}
	free(v);
	return rc;
}

struct reap_arg {
	time_t now;
	const struct reap_kinds *k;
	int n;
};

static int
reap_tx(struct store *st, void *arg)
{
	struct reap_arg *a = arg;

	a->n = 0;
	return reap_tx_inner(st, a->now, a->k, &a->n);
}

int
store_attempts_reap(struct store *st, time_t now, const struct reap_kinds *k, int *n, char **errp)
{
	struct reap_arg a = { now, k, 0 };
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM approval_attempts WHERE outcome = 'approving' LIMIT 1");
	int any;

	*n = 0;
	*errp = NULL;
	if (s == NULL) {
		*errp = store_errmsg(st, "approval attempts");
		return -1;
	}
	any = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	if (!any) /* the usual case: no write transaction at all */
		return 0;
	if (store_tx(st, reap_tx, &a, errp) == -1)
		return -1;
	*n = a.n;
	return 0;
}

struct begin_arg {
	int64_t rid, oid;
	const char *who;
	int person, lease;
	time_t now;
	const struct reap_kinds *k;
	int64_t id;
	char *why;
	int busy;
};

static int
begin_tx(struct store *st, void *arg)
{
	struct begin_arg *a = arg;
	struct proc_id me;
	sqlite3_stmt *s;
	int rc, n = 0;
	char t[32];

	a->id = 0;
	a->busy = 0;
	free(a->why);
	a->why = NULL;
	if ((rc = reap_tx_inner(st, a->now, a->k, &n)) != SQLITE_DONE)
		return rc;
	if ((s = prep(st, "SELECT state FROM requests WHERE id = ?1", a->rid, NULL, 0)) == NULL)
		return SQLITE_ERROR;
	if (sqlite3_step(s) != SQLITE_ROW)
		a->why = xasprintf("no request %lld", (long long)a->rid);
	else if (strcmp(col_text(s, 0), "pending") && strcmp(col_text(s, 0), "forwarded"))
		a->why = xasprintf("the request is %s: nothing requested", col_text(s, 0));
	sqlite3_finalize(s);
	if (a->why)
		return SQLITE_DONE;
	if ((s = prep(st,
		      "SELECT id, outcome, pid, host, started FROM approval_attempts WHERE request_id = ?1"
		      " AND outcome IN ('approving', 'interrupted') ORDER BY outcome = 'approving' DESC, id DESC",
		      a->rid, NULL, 0)) == NULL)
		return SQLITE_ERROR;
	if (sqlite3_step(s) == SQLITE_ROW) {
		if (!strcmp(col_text(s, 1), "approving")) {
			a->busy = 1;
			a->why = xasprintf("another approval of this request is running (attempt #%lld by process %lld"
					   " on %s since %s): nothing requested",
					   (long long)sqlite3_column_int64(s, 0), (long long)sqlite3_column_int64(s, 2),
					   col_text(s, 3), fmt_time(sqlite3_column_int64(s, 4), t, sizeof(t)));
		} else if (!a->person)
			a->why = xasprintf("an approval of this request was interrupted (attempt #%lld): nothing "
					   "requested;"
					   " check the CA's portal, only `dcvmail approve %lld` tries again",
					   (long long)sqlite3_column_int64(s, 0), (long long)a->rid);
	}
	sqlite3_finalize(s);
	if (a->why)
		return SQLITE_DONE;
	proc_self(&me);
	s = store_prepare(st,
			  "INSERT INTO approval_attempts (request_id, outbox_id, started, outcome, who, pid,"
			  " pid_start, host, boot_id, lease_until) VALUES (?, ?, ?, 'approving', ?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, a->rid);
	if (a->oid > 0)
		sqlite3_bind_int64(s, 2, a->oid);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int64(s, 3, a->now);
	bind_opt(s, 4, a->who);
	sqlite3_bind_int64(s, 5, me.pid);
	sqlite3_bind_int64(s, 6, me.start);
	sqlite3_bind_text(s, 7, me.host, -1, SQLITE_STATIC);
	bind_opt(s, 8, *me.boot ? me.boot : NULL);
	sqlite3_bind_int64(s, 9, a->now + a->lease);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		a->id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int
store_attempt_begin(struct store *st, int64_t request_id, int64_t outbox_id, const char *who, int person, int lease,
		    const struct reap_kinds *k, int64_t *attempt_id, char **refused, char **errp)
{
	struct begin_arg a = { request_id, outbox_id, who, person, lease, time(NULL), k, 0, NULL, 0 };

	*attempt_id = 0;
	*refused = NULL;
	*errp = NULL;
	if (store_tx(st, begin_tx, &a, errp) == -1) {
		free(a.why);
		return -1;
	}
	*attempt_id = a.id;
	*refused = a.why;
	return a.busy;
}

int
store_attempt_step(struct store *st, int64_t attempt_id, const char *method, const char *url, int64_t *step_id,
		   char **errp)
{
	sqlite3_stmt *s = store_prepare(st,
					"INSERT INTO attempt_steps (attempt_id, at, method, url) VALUES (?, ?, ?, ?)");
	int rc;

	*step_id = 0;
	if (s == NULL) {
		*errp = store_errmsg(st, "approval step");
		return -1;
	}
	sqlite3_bind_int64(s, 1, attempt_id);
	sqlite3_bind_int64(s, 2, time(NULL));
	sqlite3_bind_text(s, 3, method, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, url, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*errp = store_errmsg(st, "approval step");
		return -1;
	}
	*step_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_attempt_step_done(struct store *st, int64_t step_id, long status, const char *error, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE attempt_steps SET status = ?, error = ? WHERE id = ?");
	int rc;

	if (s == NULL) {
		*errp = store_errmsg(st, "approval step");
		return -1;
	}
	sqlite3_bind_int64(s, 1, status);
	bind_opt(s, 2, error);
	sqlite3_bind_int64(s, 3, step_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*errp = store_errmsg(st, "approval step");
		return -1;
	}
	return 0;
}

int
store_attempt_end(struct store *st, int64_t attempt_id, const char *outcome, const char *result, char **errp)
{
	sqlite3_stmt *s = store_prepare(st,
					"UPDATE approval_attempts SET ended = ?, outcome = ?, result = ? WHERE id = ?");
	int rc;

	if (s == NULL) {
		*errp = store_errmsg(st, "approval attempt");
		return -1;
	}
	sqlite3_bind_int64(s, 1, time(NULL));
	sqlite3_bind_text(s, 2, outcome, -1, SQLITE_STATIC);
	bind_opt(s, 3, result);
	sqlite3_bind_int64(s, 4, attempt_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*errp = store_errmsg(st, "approval attempt");
		return -1;
	}
	return 0;
}
