/* store-record.c — recording a message: archive, message row, request dedup,
 * copies, expectations, outbox. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/util.h"
#include "judge/judge.h"
#include "ledger/orders.h"
#include "store-int.h"

struct rec {
	const struct message *m;
	const struct verdict *v;
	const struct envelope *env;
	const struct planned_action *acts;
	size_t nacts;
	struct record_result *out;
	char **errp;
	time_t now;
	time_t sent;	    /* message_sent_time() */
	int exp_single;	    /* the expectation found has no order: one request */
	char *withheld_why; /* why no expectation was found for the new request */
	int first_own_copy; /* the CA's own copy joins a request only forwarded copies made */
	int raw_in_ledger;  /* h-import: the raw bytes go into the ledger with the record */
};

static char *
fields_json(const struct verdict *v)
{
	json_t *o = json_object();
	char *s;

	for (size_t i = 0; i < v->nfields; i++)
		json_object_set_new(o, v->fields[i].name, json_string(v->fields[i].value));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s ? s : xstrdup("{}");
}

static char *
reasons_json(const struct verdict *v)
{
	json_t *a = json_array();
	char *s;

	for (size_t i = 0; i < v->nreasons; i++)
		json_array_append_new(a, json_string(v->reasons[i]));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s ? s : xstrdup("[]");
}

/* Inside the recording transaction: the expectation a new request uses.
 * Only an authenticated dcv or ev-intent mail (one that could be approved)
 * uses one, so a forged mail cannot use it up. The transaction is IMMEDIATE:
 * a concurrent recorder waits, then sees this use. */
static int
find_expectation(struct store *st, struct rec *r, int64_t *id)
{
	const struct verdict *v = r->v;
	struct expectation e;
	int found = 0;
	char *err = NULL, *why = NULL;

	*id = 0;
	if ((v->type != VT_DCV && v->type != VT_EV_INTENT) || v->auth != AUTH_PASS ||
	    verdict_field(v, "forwarded-by") != NULL) /* a forwarded copy never takes the expectation */
		return SQLITE_OK;
	if (store_expect_for(st, v, r->now, &e, &found, &why, &err) == -1) {
		free(err);
		return SQLITE_ERROR;
	}
	if (found)
		*id = e.id;
	else {
		free(r->withheld_why);
		r->withheld_why = why;
		why = NULL;
	}
	r->exp_single = found && e.order == NULL;
	expectation_free(&e);
	free(why);
	return SQLITE_OK;
}

static int
record_use(struct store *st, struct rec *r, int64_t exp_id, int64_t req_id)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO expectation_uses (expectation_id, request_id, at, single)"
					 " VALUES (?, ?, ?, ?)");
	int rc;

	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, exp_id);
	sqlite3_bind_int64(s, 2, req_id);
	sqlite3_bind_int64(s, 3, r->now);
	sqlite3_bind_int(s, 4, r->exp_single);
	rc = sqlite3_step(s);
	store_put(st, s);
	return rc;
}

/* h-fwd: a request that only forwarded copies (judge/forwarded.h) made so
 * far gets the CA's own copy as if it were new: its expectation and
 * approval link, and its actions, so that a forwarded copy that came first
 * never stands in the way of the approval. */
static int
own_copy_joins(struct store *st, struct rec *r, int64_t req_id)
{
	sqlite3_stmt *s;
	int64_t exp_id;
	int rc, own;

	if (verdict_field(r->v, "forwarded-by") != NULL || r->v->type == VT_SUSPICIOUS || r->v->type == VT_MALFORMED)
		return SQLITE_DONE;
	/* whether there is one, not how many: a request an import gave
	 * thousands of copies is not scanned for each new one (h-import) */
	s = store_stmt(st, "SELECT count(*) FROM (SELECT 1 FROM messages WHERE request_id = ? AND"
			   " json_extract(fields, '$.\"forwarded-by\"') IS NULL LIMIT 1) AS own");
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, req_id);
	rc = sqlite3_step(s);
	own = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	store_put(st, s);
	if (own != 0)
		return own < 0 ? rc : SQLITE_DONE;
	if ((rc = find_expectation(st, r, &exp_id)) != SQLITE_OK)
		return rc;
	s = store_stmt(st, "UPDATE requests SET approve_link = COALESCE(?, approve_link), expected = ?,"
			   " expectation_id = ? WHERE id = ?");
	if (s == NULL)
		return SQLITE_ERROR;
	bind_opt(s, 1, r->v->approve_link);
	sqlite3_bind_int(s, 2, exp_id != 0);
	if (exp_id)
		sqlite3_bind_int64(s, 3, exp_id);
	else
		sqlite3_bind_null(s, 3);
	sqlite3_bind_int64(s, 4, req_id);
	rc = sqlite3_step(s);
	store_put(st, s);
	if (rc != SQLITE_DONE)
		return rc;
	r->first_own_copy = 1;
	r->out->expected = exp_id != 0;
	if (exp_id && (rc = record_use(st, r, exp_id, req_id)) != SQLITE_DONE)
		return rc;
	return SQLITE_DONE;
}

static int
upsert_request(struct store *st, struct rec *r, const char *key, int64_t *req_id)
{
	const struct verdict *v = r->v;
	enum vtype t = v->type == VT_SUSPICIOUS || v->type == VT_MALFORMED ? v->rule_type : v->type;
	sqlite3_stmt *s = store_stmt(st, "SELECT id FROM requests WHERE key = ?");
	int rc;
	int64_t exp_id;

	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*req_id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	store_put(st, s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rc;
	if (*req_id) {
		/* a copy, a reminder, or the issued notice of a known request */
		/* an authenticated copy sent earlier moves when it was asked back
		 * (an import in any order); an unauthenticated one cannot, or a
		 * forged old Date: would make a genuine request look expired */
		s = store_stmt(st, "UPDATE requests SET last_seen = ?, copies = copies + ?,"
				   " state = CASE WHEN ? THEN 'issued' ELSE state END,"
				   " state_changed = CASE WHEN ? THEN ? ELSE state_changed END,"
				   " approve_link = COALESCE(approve_link, ?),"
				   " asked = CASE WHEN ?8 = 1 AND ?9 < COALESCE(asked, first_seen) THEN ?9"
				   "   ELSE COALESCE(asked, first_seen) END WHERE id = ?7");
		if (s == NULL)
			return SQLITE_ERROR;
		int copy = t != VT_REMINDER && t != VT_ISSUED;
		sqlite3_bind_int64(s, 1, r->now);
		sqlite3_bind_int(s, 2, copy);
		sqlite3_bind_int(s, 3, t == VT_ISSUED);
		sqlite3_bind_int(s, 4, t == VT_ISSUED);
		sqlite3_bind_int64(s, 5, r->now);
		bind_opt(s, 6, v->approve_link);
		sqlite3_bind_int64(s, 7, *req_id);
		sqlite3_bind_int(s, 8, v->auth == AUTH_PASS && t != VT_ISSUED);
		sqlite3_bind_int64(s, 9, r->sent);
		rc = sqlite3_step(s);
		store_put(st, s);
		return rc == SQLITE_DONE ? own_copy_joins(st, r, *req_id) : rc;
	}
	if ((rc = find_expectation(st, r, &exp_id)) != SQLITE_OK)
		return rc;
	s = store_stmt(st, "INSERT INTO requests (key, ca, type, domain, order_id, state, approve_link,"
			   " copies, expected, expectation_id, first_seen, last_seen, state_changed, asked)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	bind_opt(s, 2, v->ca);
	/* a suspicious or malformed request is listed as such, never as a genuine one */
	sqlite3_bind_text(s, 3,
			  vtype_name(v->type == VT_SUSPICIOUS || v->type == VT_MALFORMED ? v->type
				     : t == VT_REMINDER					 ? VT_DCV
											 : t),
			  -1, SQLITE_STATIC);
	bind_opt(s, 4, verdict_field(v, "domain"));
	bind_opt(s, 5, verdict_field(v, "order"));
	sqlite3_bind_text(s, 6, t == VT_ISSUED ? "issued" : "pending", -1, SQLITE_STATIC);
	bind_opt(s, 7, v->approve_link);
	sqlite3_bind_int(s, 8, exp_id != 0);
	if (exp_id)
		sqlite3_bind_int64(s, 9, exp_id);
	else
		sqlite3_bind_null(s, 9);
	sqlite3_bind_int64(s, 10, r->now);
	sqlite3_bind_int64(s, 11, r->now);
	sqlite3_bind_int64(s, 12, r->now);
	sqlite3_bind_int64(s, 13, r->sent);
	rc = sqlite3_step(s);
	store_put(st, s);
	if (rc != SQLITE_DONE)
		return rc;
	*req_id = sqlite3_last_insert_rowid(st->db);
	r->out->new_request = 1;
	r->out->expected = exp_id != 0;
	if (exp_id && (rc = record_use(st, r, exp_id, *req_id)) != SQLITE_DONE)
		return rc;
	return SQLITE_DONE;
}

static int
insert_message(struct store *st, struct rec *r, int64_t req_id)
{
	const struct message *m = r->m;
	const struct verdict *v = r->v;
	const struct envelope *e = r->env;
	char *fields = fields_json(v), *reasons = reasons_json(v);
	sqlite3_stmt *s =
		store_stmt(st, "INSERT INTO messages (sha256, message_id, received, source, mailbox, role, sender,"
			       " recipient, from_addr, subject, status, type, rule_type, ca, rule, fields, auth,"
			       " auth_reason, reasons, size, request_id, sent)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
	int rc;

	if (s == NULL) {
		free(fields);
		free(reasons);
		return SQLITE_ERROR;
	}
	sqlite3_bind_text(s, 1, m->sha256, -1, SQLITE_STATIC);
	bind_opt(s, 2, m->message_id);
	sqlite3_bind_int64(s, 3, r->now);
	bind_opt(s, 4, e ? e->source : NULL);
	bind_opt(s, 5, e ? e->mailbox : NULL);
	bind_opt(s, 6, e ? e->role : NULL);
	bind_opt(s, 7, e ? e->sender : NULL);
	bind_opt(s, 8, e ? (e->orig_recipient ? e->orig_recipient : e->recipient) : NULL);
	bind_opt(s, 9, m->from);
	bind_opt(s, 10, m->subject);
	sqlite3_bind_text(s, 11, msg_status_name(m->status), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, vtype_name(v->type), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, vtype_name(v->rule_type), -1, SQLITE_STATIC);
	bind_opt(s, 14, v->ca);
	bind_opt(s, 15, v->rule);
	sqlite3_bind_text(s, 16, fields, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 17, auth_status_name(v->auth), -1, SQLITE_STATIC);
	bind_opt(s, 18, v->auth_reason);
	sqlite3_bind_text(s, 19, reasons, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 20, (sqlite3_int64)(m->spooled ? m->spooled_size : m->raw_len));
	if (req_id)
		sqlite3_bind_int64(s, 21, req_id);
	else
		sqlite3_bind_null(s, 21);
	sqlite3_bind_int64(s, 22, r->sent);
	rc = sqlite3_step(s);
	store_put(st, s);
	free(fields);
	free(reasons);
	if (rc == SQLITE_DONE)
		r->out->message_id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

static const char *
env_recipient(const struct envelope *e)
{
	return e ? (e->orig_recipient ? e->orig_recipient : e->recipient) : NULL;
}

static int
insert_copy_and_actions(struct store *st, struct rec *r, int64_t req_id)
{
	sqlite3_stmt *s;
	int rc;

	s = store_stmt(st, "INSERT INTO request_copies (request_id, message_id, mailbox, role, recipient, seen)"
			   " VALUES (?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, req_id);
	sqlite3_bind_int64(s, 2, r->out->message_id);
	bind_opt(s, 3, r->env ? r->env->mailbox : NULL);
	bind_opt(s, 4, r->env ? r->env->role : NULL);
	bind_opt(s, 5, env_recipient(r->env));
	sqlite3_bind_int64(s, 6, r->now);
	rc = sqlite3_step(s);
	store_put(st, s);
	if (rc != SQLITE_DONE)
		return rc;
	if (!r->out->new_request && !r->first_own_copy)
		return SQLITE_DONE; /* one set of actions per request, however many copies */
	for (size_t i = 0; i < r->nacts; i++) {
		/* planned before this transaction, but the expectation went to another
		 * request meanwhile (a concurrent delivery): a person decides instead */
		int withheld = r->acts[i].withheld_kind && !r->out->expected;
		char *why = NULL;
		s = store_stmt(st, "INSERT INTO outbox (request_id, kind, target, why, created, next_try, "
				   "message_sha256)"
				   " VALUES (?, ?, ?, ?, ?, ?, ?)");
		if (s == NULL)
			return SQLITE_ERROR;
		if (withheld) {
			why = xasprintf("not an expected order: %s (while this mail was being recorded)",
					r->withheld_why ? r->withheld_why : "no expectation left");
			r->out->approve_withheld = 1;
		}
		sqlite3_bind_int64(s, 1, req_id);
		sqlite3_bind_text(s, 2, withheld ? r->acts[i].withheld_kind : r->acts[i].kind, -1, SQLITE_STATIC);
		bind_opt(s, 3, withheld ? NULL : r->acts[i].target);
		bind_opt(s, 4, withheld ? why : r->acts[i].why);
		free(why);
		sqlite3_bind_int64(s, 5, r->now);
		sqlite3_bind_int64(s, 6, r->now);
		sqlite3_bind_text(s, 7, r->m->sha256, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		store_put(st, s);
		if (rc != SQLITE_DONE)
			return rc;
		r->out->actions_queued++;
	}
	return SQLITE_DONE;
}

static int
lookup_existing(struct store *st, struct rec *r)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT m.id, m.request_id, COALESCE(q.copies, 0), COALESCE(q.expected, 0)"
					 " FROM messages m LEFT JOIN requests q ON q.id = m.request_id"
					 " WHERE m.sha256 = ?");
	int rc;

	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_text(s, 1, r->m->sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		r->out->duplicate = 1;
		r->out->message_id = sqlite3_column_int64(s, 0);
		r->out->request_id = sqlite3_column_int64(s, 1);
		r->out->copies = sqlite3_column_int(s, 2);
		r->out->expected = sqlite3_column_int(s, 3);
	}
	store_put(st, s);
	return rc;
}

/* The same bytes delivered again (Postfix delivers one copy per recipient):
 * when they came to another recipient, mailbox or role, that delivery is a
 * copy of the request of its own. Never a new message, never new actions. */
static int
add_delivery(struct store *st, struct rec *r)
{
	const struct envelope *e = r->env;
	enum vtype t = r->v->type == VT_SUSPICIOUS || r->v->type == VT_MALFORMED ? r->v->rule_type : r->v->type;
	sqlite3_stmt *s;
	int rc;

	if (r->out->request_id == 0 || e == NULL)
		return SQLITE_DONE;
	s = store_stmt(st, "SELECT 1 FROM request_copies WHERE message_id = ? AND mailbox IS ? AND role IS ?"
			   " AND recipient IS ?");
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, r->out->message_id);
	bind_opt(s, 2, e->mailbox);
	bind_opt(s, 3, e->role);
	bind_opt(s, 4, env_recipient(e));
	rc = sqlite3_step(s);
	store_put(st, s);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? SQLITE_DONE : rc; /* this delivery is known */
	s = store_stmt(st, "INSERT INTO request_copies (request_id, message_id, mailbox, role, recipient, seen)"
			   " VALUES (?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, r->out->request_id);
	sqlite3_bind_int64(s, 2, r->out->message_id);
	bind_opt(s, 3, e->mailbox);
	bind_opt(s, 4, e->role);
	bind_opt(s, 5, env_recipient(e));
	sqlite3_bind_int64(s, 6, r->now);
	rc = sqlite3_step(s);
	store_put(st, s);
	if (rc != SQLITE_DONE)
		return rc;
	s = store_stmt(st, "UPDATE requests SET copies = copies + ?, last_seen = ? WHERE id = ?");
	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int(s, 1, t != VT_REMINDER && t != VT_ISSUED);
	sqlite3_bind_int64(s, 2, r->now);
	sqlite3_bind_int64(s, 3, r->out->request_id);
	rc = sqlite3_step(s);
	store_put(st, s);
	if (rc != SQLITE_DONE)
		return rc;
	r->out->copies += t != VT_REMINDER && t != VT_ISSUED;
	return SQLITE_DONE;
}

static int
lookup_existing_tx(struct store *st, void *arg)
{
	struct rec *r = arg;
	int rc;

	memset(r->out, 0, sizeof(*r->out));
	rc = lookup_existing(st, r);
	return rc == SQLITE_ROW ? add_delivery(st, r) : rc;
}

static int
record_tx(struct store *st, void *arg)
{
	struct rec *r = arg;
	int64_t req_id = 0;
	char *key;
	int rc;

	memset(r->out, 0, sizeof(*r->out));
	free(r->withheld_why);
	r->withheld_why = NULL;
	r->first_own_copy = 0;
	if ((rc = lookup_existing(st, r)) == SQLITE_ROW)
		return add_delivery(st, r); /* recorded before (or by a concurrent process) */
	if (rc != SQLITE_DONE)
		return rc;
	if ((key = judge_request_key(r->v)) != NULL) {
		rc = upsert_request(st, r, key, &req_id);
		free(key);
		if (rc != SQLITE_DONE && rc != SQLITE_OK)
			return rc;
		/* h-orders: the issued notice ends every DCV request of its order */
		if (r->v->type == VT_ISSUED && verdict_field(r->v, "order") &&
		    (rc = store_order_issued(st, r->v->ca, verdict_field(r->v, "order"), req_id, r->now)) !=
			    SQLITE_DONE)
			return rc;
	}
	if ((rc = insert_message(st, r, req_id)) != SQLITE_DONE)
		return rc;
	if (st->pg && (rc = pg_archive_put(st, r->m)) != SQLITE_DONE)
		return rc; /* h-pg: the raw message in the same transaction */
	if (!st->pg && r->raw_in_ledger && (rc = archive_put_row(st, r->m)) != SQLITE_DONE)
		return rc; /* h-import: so does an import's */
	r->out->request_id = req_id;
	if (req_id) {
		if ((rc = insert_copy_and_actions(st, r, req_id)) != SQLITE_DONE)
			return rc;
		sqlite3_stmt *s = store_stmt(st, "SELECT copies, expected FROM requests WHERE id = ?");
		if (s == NULL)
			return SQLITE_ERROR;
		sqlite3_bind_int64(s, 1, req_id);
		if (sqlite3_step(s) == SQLITE_ROW) {
			r->out->copies = sqlite3_column_int(s, 0);
			r->out->expected = sqlite3_column_int(s, 1);
		}
		store_put(st, s);
	}
	return SQLITE_DONE;
}

int
store_record(struct store *st, const struct message *m, const struct verdict *v, const struct envelope *env,
	     const struct planned_action *acts, size_t nacts, struct record_result *out, char **errp)
{
	time_t now = time(NULL);
	struct rec r = { .m = m,
			 .v = v,
			 .env = env,
			 .acts = acts,
			 .nacts = nacts,
			 .out = out,
			 .errp = errp,
			 .now = now,
			 .sent = message_sent_time(m, now) };
	int has, rc;

	*errp = NULL;
	memset(out, 0, sizeof(*out));
	if ((has = store_has_message(st, m->sha256, errp)) == -1)
		return -1;
	if (has)
		return store_tx(st, lookup_existing_tx, &r, errp);
	/* the raw message is durable before any row refers to it (a spooled
	 * one was archived whole while it was read) */
	if (!m->spooled && !st->pg && archive_write(st->dir, m->sha256, m->raw, m->raw_len, errp) == -1)
		return -1;
	rc = store_tx(st, record_tx, &r, errp);
	free(r.withheld_why);
	return rc;
}

/* h-speed: the records of a batch (store-batch.c), in one transaction,
 * each with its raw bytes (h-import; a spooled message is a file already). */
struct many {
	struct record_item *items;
	size_t n;
	char **errp;
	time_t now;
};

static int
record_many_tx(struct store *st, void *arg)
{
	struct many *mn = arg;
	int rc = SQLITE_DONE;

	for (size_t i = 0; i < mn->n; i++) {
		struct record_item *it = &mn->items[i];
		struct rec r = { .m = it->m,
				 .v = it->v,
				 .env = it->env,
				 .acts = it->acts,
				 .nacts = it->nacts,
				 .out = it->out,
				 .errp = mn->errp,
				 .now = mn->now,
				 .sent = message_sent_time(it->m, mn->now),
				 .raw_in_ledger = !it->m->spooled };
		rc = record_tx(st, &r);
		free(r.withheld_why);
		if (rc != SQLITE_DONE && rc != SQLITE_OK)
			return rc;
	}
	return rc;
}

int
store_record_many(struct store *st, struct record_item *items, size_t n, char **errp)
{
	struct many mn = { items, n, errp, time(NULL) };

	return store_tx(st, record_many_tx, &mn, errp);
}
