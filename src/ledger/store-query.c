/* store-query.c — expectations, request states, IMAP state, outbox. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "judge/expect.h"
#include "judge/judge.h"
#include "base/util.h"
#include "store-int.h"
#include "judge/reuse.h"

#define PREP(st, sql, errp)                                                                                            \
	sqlite3_stmt *s = store_prepare(st, sql);                                                                      \
	if (s == NULL) {                                                                                               \
		*errp = store_errmsg(st, "query");                                                                     \
		return -1;                                                                                             \
	}

static int
step_done(struct store *st, sqlite3_stmt *s, char **errp)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		*errp = store_errmsg(st, "write");
		return -1;
	}
	return 0;
}

/* --- expectations --- */

int
store_expect_add(struct store *st, const char *ca, const char *domain, const char *order, int subdomains, time_t until,
		 int64_t *id, char **errp)
{
	char *d = xstrdup(domain);
	size_t l = strlen(d);
	PREP(st,
	     "INSERT INTO expectations (ca, domain, order_id, subdomains, created, until) VALUES (?, ?, ?, ?, ?, ?)",
	     errp);

	lowercase(d);
	if (l > 1 && d[l - 1] == '.')
		d[l - 1] = '\0';
	sqlite3_bind_text(s, 1, ca, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, d, -1, SQLITE_TRANSIENT);
	bind_opt(s, 3, order);
	sqlite3_bind_int(s, 4, subdomains != 0);
	sqlite3_bind_int64(s, 5, time(NULL));
	sqlite3_bind_int64(s, 6, until);
	free(d);
	if (step_done(st, s, errp) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_expect_set_creator(struct store *st, int64_t id, const char *who, char **errp)
{
	PREP(st, "UPDATE expectations SET created_by = ? WHERE id = ?", errp);

	sqlite3_bind_text(s, 1, who, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, id);
	return step_done(st, s, errp);
}

int
store_expect_rm(struct store *st, int64_t id, char **errp)
{
	PREP(st, "DELETE FROM expectations WHERE id = ?", errp);
	sqlite3_bind_int64(s, 1, id);
	if (step_done(st, s, errp) == -1)
		return -1;
	if (sqlite3_changes(st->db) == 0) {
		*errp = xasprintf("no expectation %lld (see dcvmail expect list)", (long long)id);
		return -1;
	}
	sqlite3_stmt *u = store_prepare(st, "DELETE FROM expectation_uses WHERE expectation_id = ?");
	if (u == NULL) {
		*errp = store_errmsg(st, "query");
		return -1;
	}
	sqlite3_bind_int64(u, 1, id);
	return step_done(st, u, errp);
}

#define EXP_COLS "id, ca, domain, order_id, created, until, subdomains, created_by"

static void
read_expectation(sqlite3_stmt *s, struct expectation *e)
{
	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(s, 0);
	e->ca = col_dup(s, 1);
	e->domain = col_dup(s, 2);
	e->order = col_dup(s, 3);
	e->created = sqlite3_column_int64(s, 4);
	e->until = sqlite3_column_int64(s, 5);
	e->subdomains = sqlite3_column_int(s, 6);
	e->created_by = col_dup(s, 7);
}

static int
read_uses(struct store *st, struct expectation *e, char **errp)
{
	PREP(st,
	     "SELECT request_id, at, COALESCE(released, 0), release_note FROM expectation_uses"
	     " WHERE expectation_id = ? ORDER BY id",
	     errp);
	sqlite3_bind_int64(s, 1, e->id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct expectation_use *u;
		e->uses = xreallocarray(e->uses, e->nuses + 1, sizeof(*e->uses));
		u = &e->uses[e->nuses++];
		u->request_id = sqlite3_column_int64(s, 0);
		u->at = sqlite3_column_int64(s, 1);
		u->released = sqlite3_column_int64(s, 2);
		u->note = col_dup(s, 3);
	}
	sqlite3_finalize(s);
	return 0;
}

int
store_expect_list(struct store *st, struct expectation **out, size_t *n, char **errp)
{
	PREP(st, "SELECT " EXP_COLS " FROM expectations ORDER BY id", errp);
	*out = NULL;
	*n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		read_expectation(s, &(*out)[(*n)++]);
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < *n; i++)
		if (read_uses(st, &(*out)[i], errp) == -1)
			return -1;
	return 0;
}

/* the request that holds e now (0: none) */
static int64_t
live_use(const struct expectation *e)
{
	for (size_t i = 0; i < e->nuses; i++)
		if (!e->uses[i].released)
			return e->uses[i].request_id;
	return 0;
}

static int
unexpired(const struct expectation *e, time_t now)
{
	return e->until == 0 || e->until >= now;
}

static void
describe(struct buf *b, const struct expectation *e)
{
	buf_printf(b, "expectation %lld (%s %s%s%s%s)", (long long)e->id, e->ca, e->domain,
		   e->subdomains ? " and names under it" : "", e->order ? " order " : "", e->order ? e->order : "");
}

/* h-fwd: a request that only forwarded copies made (judge/forwarded.h)
 * is not yet the CA's: for the CA's own copy it counts as not recorded (*id
 * 0), so that its expectation is looked for as for a new request (the
 * ledger binds it when the copy joins, store-record.c). */
static int
only_forwarded(struct store *st, int64_t *id, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM messages WHERE request_id = ? AND"
					    " json_extract(fields, '$.\"forwarded-by\"') IS NULL");

	if (s == NULL) {
		*errp = store_errmsg(st, "query");
		return -1;
	}
	sqlite3_bind_int64(s, 1, *id);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 0)
		*id = 0;
	sqlite3_finalize(s);
	return 0;
}

/* The request recorded for v, or 0. */
static int
request_of(struct store *st, const struct verdict *v, int64_t *id, char **errp)
{
	char *key = judge_request_key(v);

	*id = 0;
	if (key == NULL)
		return 0;
	sqlite3_stmt *s = store_prepare(st, "SELECT id FROM requests WHERE key = ?");
	if (s == NULL) {
		free(key);
		*errp = store_errmsg(st, "query");
		return -1;
	}
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	free(key);
	return *id && verdict_field(v, "forwarded-by") == NULL ? only_forwarded(st, id, errp) : 0;
}

/* The name the request is for: its domain, with "*." when the mail asks
 * for a wildcard (allocated, or NULL). */
static char *
request_name(const struct verdict *v)
{
	const char *dom = verdict_field(v, "domain");

	if (dom == NULL)
		return NULL;
	return verdict_field(v, "wildcard") ? xasprintf("*.%s", dom) : xstrdup(dom);
}

int
store_expect_held(struct store *st, int64_t request_id, const struct verdict *v, time_t now, char **why, char **errp)
{
	const char *ord = verdict_field(v, "order");
	char *dom = request_name(v);
	struct buf b;
	int held = 0, any = 0;
	PREP(st,
	     "SELECT " EXP_COLS " FROM expectations WHERE id IN"
	     " (SELECT expectation_id FROM expectation_uses WHERE request_id = ? AND released IS NULL)"
	     " ORDER BY id",
	     errp);

	*why = NULL;
	buf_init(&b, 1024);
	sqlite3_bind_int64(s, 1, request_id);
	while (!held && sqlite3_step(s) == SQLITE_ROW) {
		struct expectation e;
		read_expectation(s, &e);
		any = 1;
		if (!unexpired(&e, now)) {
			describe(&b, &e);
			buf_printf(&b, " has expired");
		} else if (!v->ca || strcmp(e.ca, v->ca) || !expect_covers(e.domain, e.subdomains, e.order, dom, ord)) {
			describe(&b, &e);
			buf_printf(&b, " does not cover %s %s", v->ca ? v->ca : "?", dom ? dom : "?");
		} else
			held = 1;
		expectation_free(&e);
	}
	sqlite3_finalize(s);
	if (!held && !any)
		buf_printf(&b, "request %lld holds no expectation", (long long)request_id);
	if (!held)
		*why = xstrdup(b.data ? b.data : "no expectation");
	buf_free(&b);
	free(dom);
	return held;
}

int
store_expect_for(struct store *st, const struct verdict *v, time_t now, struct expectation *out, int *found, char **why,
		 char **errp)
{
	const char *ord = verdict_field(v, "order");
	char *dom = NULL;
	int64_t req;
	struct buf b;

	memset(out, 0, sizeof(*out));
	*found = 0;
	*why = NULL;
	if (v->ca == NULL || verdict_field(v, "domain") == NULL)
		return 0;
	if (request_of(st, v, &req, errp) == -1)
		return -1;
	if (req) {
		/* recorded: only what it holds counts */
		int h = store_expect_held(st, req, v, now, why, errp);
		if (h == -1)
			return -1;
		*found = h;
		return 0;
	}
	PREP(st, "SELECT " EXP_COLS " FROM expectations WHERE ca = ? ORDER BY id", errp);
	dom = request_name(v);
	buf_init(&b, 1024);
	sqlite3_bind_text(s, 1, v->ca, -1, SQLITE_STATIC);
	while (!*found && sqlite3_step(s) == SQLITE_ROW) {
		struct expectation e;
		int64_t by;
		read_expectation(s, &e);
		if (!expect_covers(e.domain, e.subdomains, e.order, dom, ord)) {
			expectation_free(&e);
			continue;
		}
		if (read_uses(st, &e, errp) == -1) {
			expectation_free(&e);
			sqlite3_finalize(s);
			buf_free(&b);
			free(dom);
			return -1;
		}
		if (!unexpired(&e, now)) {
			buf_printf(&b, "%s", b.len ? "; " : "");
			describe(&b, &e);
			buf_printf(&b, " has expired");
		} else if (e.order == NULL && (by = live_use(&e)) != 0) {
			buf_printf(&b, "%s", b.len ? "; " : "");
			describe(&b, &e);
			buf_printf(&b, " was used by request %lld", (long long)by);
		} else {
			*out = e;
			*found = 1;
			continue;
		}
		expectation_free(&e);
	}
	sqlite3_finalize(s);
	if (!*found && b.len)
		*why = xstrdup(b.data);
	buf_free(&b);
	free(dom);
	return 0;
}

/* inside a transaction: the uses of request_id released with note */
static int
release_uses(struct store *st, int64_t request_id, const char *note, time_t now)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE expectation_uses SET released = ?, release_note = ?"
					    " WHERE request_id = ? AND released IS NULL");
	int rc;

	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, now);
	bind_opt(s, 2, note);
	sqlite3_bind_int64(s, 3, request_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE || sqlite3_changes(st->db) == 0)
		return rc;
	s = store_prepare(st, "UPDATE requests SET expected = 0, expectation_id = NULL WHERE id = ?");
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, request_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc;
}

struct release_arg {
	int64_t request_id;
	const char *note;
};

static int
release_tx(struct store *st, void *arg)
{
	struct release_arg *a = arg;

	return release_uses(st, a->request_id, a->note, time(NULL));
}

int
store_expect_release(struct store *st, int64_t request_id, const char *note, char **errp)
{
	struct release_arg a = { request_id, note };

	*errp = NULL;
	return store_tx(st, release_tx, &a, errp);
}

void
expectation_free(struct expectation *e)
{
	free(e->ca);
	free(e->domain);
	free(e->order);
	free(e->created_by);
	for (size_t i = 0; i < e->nuses; i++)
		free(e->uses[i].note);
	free(e->uses);
	memset(e, 0, sizeof(*e));
}

/* --- requests --- */

#define REQ_COLS                                                                                                       \
	"id, key, ca, type, domain, order_id, state, approve_link, copies, expected,"                                  \
	" first_seen, last_seen, state_changed, state_by, state_note, COALESCE(asked, first_seen)"

static void
read_request(sqlite3_stmt *s, struct request_info *r)
{
	r->id = sqlite3_column_int64(s, 0);
	r->key = col_dup(s, 1);
	r->ca = col_dup(s, 2);
	r->type = col_dup(s, 3);
	r->domain = col_dup(s, 4);
	r->order = col_dup(s, 5);
	r->state = col_dup(s, 6);
	r->approve_link = col_dup(s, 7);
	r->copies = sqlite3_column_int(s, 8);
	r->expected = sqlite3_column_int(s, 9);
	r->first_seen = sqlite3_column_int64(s, 10);
	r->last_seen = sqlite3_column_int64(s, 11);
	r->state_changed = sqlite3_column_int64(s, 12);
	r->state_by = col_dup(s, 13);
	r->state_note = col_dup(s, 14);
	r->asked = sqlite3_column_int64(s, 15);
	/* BR 3.2.2.4: a random value is valid 30 days at most, from when the CA sent it */
	if (r->state && (!strcmp(r->state, "pending") || !strcmp(r->state, "forwarded")) && r->type &&
	    !strcmp(r->type, "dcv") && time(NULL) - r->asked > 30 * 86400) {
		free(r->state);
		r->state = xstrdup("expired");
	}
}

int
store_request_first_message(struct store *st, int64_t id, char **sha256, char **errp)
{
	/* the CA's own copy before a suspicious one and a forwarded one (whose
	 * fields name who forwarded it, judge/forwarded.h) */
	PREP(st,
	     "SELECT sha256 FROM messages WHERE request_id = ? ORDER BY type = 'suspicious',"
	     " json_extract(fields, '$.\"forwarded-by\"') IS NOT NULL, id LIMIT 1",
	     errp);
	sqlite3_bind_int64(s, 1, id);
	*sha256 = sqlite3_step(s) == SQLITE_ROW ? col_dup(s, 0) : NULL;
	sqlite3_finalize(s);
	return 0;
}

void
request_info_free(struct request_info *r)
{
	free(r->key);
	free(r->ca);
	free(r->type);
	free(r->domain);
	free(r->order);
	free(r->state);
	free(r->approve_link);
	free(r->state_by);
	free(r->state_note);
	memset(r, 0, sizeof(*r));
}

int
store_request_get(struct store *st, int64_t id, struct request_info *out, int *found, char **errp)
{
	PREP(st, "SELECT " REQ_COLS " FROM requests WHERE id = ?", errp);
	memset(out, 0, sizeof(*out));
	sqlite3_bind_int64(s, 1, id);
	*found = sqlite3_step(s) == SQLITE_ROW;
	if (*found)
		read_request(s, out);
	sqlite3_finalize(s);
	return 0;
}

int
store_request_list(struct store *st, int pending_only, struct request_info **out, size_t *n, char **errp)
{
	PREP(st, "SELECT " REQ_COLS " FROM requests ORDER BY first_seen, id", errp);
	*out = NULL;
	*n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct request_info r;
		read_request(s, &r);
		if (pending_only && strcmp(r.state, "pending") && strcmp(r.state, "forwarded")) {
			request_info_free(&r);
			continue;
		}
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = r;
	}
	sqlite3_finalize(s);
	return 0;
}

struct state_arg {
	int64_t id;
	const char *state, *who, *note;
	time_t now;
};

static int
set_state_tx(struct store *st, void *arg)
{
	struct state_arg *a = arg;
	sqlite3_stmt *s = store_prepare(st, "UPDATE requests SET state = ?, state_changed = ?, state_by = ?,"
					    " state_note = ? WHERE id = ?");
	int rc;

	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_text(s, 1, a->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, a->now);
	bind_opt(s, 3, a->who);
	bind_opt(s, 4, a->note);
	sqlite3_bind_int64(s, 5, a->id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return SQLITE_NOTFOUND;
	s = store_prepare(st, "INSERT INTO history (request_id, at, state, who, note) VALUES (?, ?, ?, ?, ?)");
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, a->id);
	sqlite3_bind_int64(s, 2, a->now);
	sqlite3_bind_text(s, 3, a->state, -1, SQLITE_STATIC);
	bind_opt(s, 4, a->who);
	bind_opt(s, 5, a->note);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE && !strcmp(a->state, "rejected")) {
		/* a rejected request gives its expectation back for the order that was expected */
		char *n = xasprintf("request rejected by %s", a->who ? a->who : "a person");
		rc = release_uses(st, a->id, n, a->now);
		free(n);
		return rc;
	}
	if (rc != SQLITE_DONE || strcmp(a->state, "approved"))
		return rc;
	/* an approval is a domain validation the CA may reuse */
	s = store_prepare(st,
			  "INSERT INTO validations (domain, ca, method, request_id, approved_at, reuse_until)"
			  " SELECT domain, ca, 'email', id, ?, ? FROM requests WHERE id = ? AND domain IS NOT NULL");
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, a->now);
	sqlite3_bind_int64(s, 2, validation_reuse_until(a->now, 1));
	sqlite3_bind_int64(s, 3, a->id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc;
}

int
store_request_set_state(struct store *st, int64_t id, const char *state, const char *who, const char *note, char **errp)
{
	static const char *const states[] = { "pending", "forwarded", "approved", "rejected", "expired", "issued" };
	struct state_arg a = { id, state, who, note, time(NULL) };
	size_t i;

	*errp = NULL;
	for (i = 0; i < nitems(states); i++)
		if (!strcmp(state, states[i]))
			break;
	if (i == nitems(states)) {
		*errp = xasprintf("unknown request state '%s'", state);
		return -1;
	}
	if (store_tx(st, set_state_tx, &a, errp) == -1) {
		if (sqlite3_errcode(st->db) == SQLITE_NOTFOUND || (*errp && strstr(*errp, "not found"))) {
			free(*errp);
			*errp = xasprintf("no request %lld (see dcvmail list)", (long long)id);
		}
		return -1;
	}
	return 0;
}

/* --- IMAP state --- */

int
store_imap_get(struct store *st, const char *mailbox, uint32_t *uidvalidity, uint32_t *last_uid, char **errp)
{
	PREP(st, "SELECT uidvalidity, last_uid FROM imap_state WHERE mailbox = ?", errp);
	*uidvalidity = *last_uid = 0;
	sqlite3_bind_text(s, 1, mailbox, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*uidvalidity = (uint32_t)sqlite3_column_int64(s, 0);
		*last_uid = (uint32_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return 0;
}

int
store_imap_set(struct store *st, const char *mailbox, uint32_t uidvalidity, uint32_t last_uid, char **errp)
{
	PREP(st,
	     "INSERT INTO imap_state (mailbox, uidvalidity, last_uid, updated) VALUES (?, ?, ?, ?)"
	     " ON CONFLICT(mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
	     " last_uid = excluded.last_uid, updated = excluded.updated",
	     errp);
	sqlite3_bind_text(s, 1, mailbox, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int64(s, 3, last_uid);
	sqlite3_bind_int64(s, 4, time(NULL));
	return step_done(st, s, errp);
}

/* --- outbox --- */

void
outbox_item_free(struct outbox_item *o)
{
	free(o->kind);
	free(o->target);
	free(o->why);
	free(o->last_error);
	free(o->message_sha256);
	memset(o, 0, sizeof(*o));
}

int
store_outbox_claim(struct store *st, time_t now, int lease, struct outbox_item *out, int *found, char **errp)
{
	PREP(st,
	     "UPDATE outbox SET lease_until = ?1 + ?2 WHERE id = (SELECT id FROM outbox"
	     " WHERE done = 0 AND next_try <= ?1 AND lease_until <= ?1 ORDER BY next_try, id LIMIT 1)"
	     " RETURNING id, request_id, kind, target, why, attempts, created, next_try, last_error,"
	     " message_sha256",
	     errp);
	memset(out, 0, sizeof(*out));
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, lease);
	int rc = sqlite3_step(s);
	*found = rc == SQLITE_ROW;
	if (*found) {
		out->id = sqlite3_column_int64(s, 0);
		out->request_id = sqlite3_column_int64(s, 1);
		out->kind = col_dup(s, 2);
		out->target = col_dup(s, 3);
		out->why = col_dup(s, 4);
		out->attempts = sqlite3_column_int(s, 5);
		out->created = sqlite3_column_int64(s, 6);
		out->next_try = sqlite3_column_int64(s, 7);
		out->last_error = col_dup(s, 8);
		out->message_sha256 = col_dup(s, 9);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*errp = store_errmsg(st, "outbox");
		return -1;
	}
	return 0;
}

int
store_outbox_result(struct store *st, int64_t id, int ok, const char *result, time_t next_try, int gave_up, char **errp)
{
	time_t now = time(NULL);
	char *sql = sqlite3_mprintf("INSERT INTO attempts (outbox_id, at, ok, result) VALUES (%lld, %lld, %d, %Q);"
				    "UPDATE outbox SET attempts = attempts + 1, lease_until = 0, last_error = %Q,"
				    " done = %d, ok = %d, next_try = %lld WHERE id = %lld;",
				    (long long)id, (long long)now, ok, result, ok ? NULL : result, ok || gave_up, ok,
				    (long long)next_try, (long long)id);
	int r = store_exec(st, sql, errp);

	sqlite3_free(sql);
	return r;
}

int
store_outbox_pending(struct store *st, size_t *n, char **errp)
{
	PREP(st, "SELECT count(*) FROM outbox WHERE done = 0", errp);
	*n = sqlite3_step(s) == SQLITE_ROW ? (size_t)sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return 0;
}

int
store_outbox_add(struct store *st, int64_t request_id, const struct planned_action *a, char **errp)
{
	PREP(st,
	     "INSERT INTO outbox (request_id, kind, target, why, created, next_try, message_sha256)"
	     " SELECT ?1, ?2, ?3, ?4, ?5, ?5, (SELECT sha256 FROM messages WHERE request_id = ?1"
	     " ORDER BY id LIMIT 1)",
	     errp);
	sqlite3_bind_int64(s, 1, request_id);
	sqlite3_bind_text(s, 2, a->kind, -1, SQLITE_STATIC);
	bind_opt(s, 3, a->target);
	bind_opt(s, 4, a->why);
	sqlite3_bind_int64(s, 5, time(NULL));
	return step_done(st, s, errp);
}

/* h-url: the sha256 of every message of the request, oldest first. */
int
store_request_messages(struct store *st, int64_t id, struct strv *sha256s, char **errp)
{
	PREP(st, "SELECT sha256 FROM messages WHERE request_id = ? ORDER BY id", errp);
	sqlite3_bind_int64(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW)
		strv_add(sha256s, col_text(s, 0));
	sqlite3_finalize(s);
	return 0;
}
