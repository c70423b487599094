/* store-orders.c — orders made from the ledger's requests: an order is a CA
 * and its order id; mail without an order id joins the one open order of
 * that CA for the same registrable domain, and where there are several the
 * order says so rather than guess. Steps a person did outside mail are
 * appended to order_events and never rewritten. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/names.h"
#include "base/util.h"
#include "ledger/orders.h"
#include "store-int.h"

#define GROW(arr, n) ((arr) = xreallocarray((arr), (n) + 1, sizeof(*(arr))), &(arr)[(n)++])
#define DCV_VALID (30 * 86400) /* BR 3.2.2.4: a random value is valid 30 days at most */

const char *
step_state_name(enum step_state s)
{
	static const char *const names[] = { "not asked", "asked", "done", "expired", "refused", "not needed" };

	return (size_t)s < nitems(names) ? names[s] : "?";
}

struct req {
	int64_t id;
	char *ca, *type, *domain, *order_id, *state, *state_by, *state_note;
	time_t asked, changed;
	char *approved_by; /* the last approval in its history (an issued request was approved first) */
	time_t approved_at;
	long order; /* index into the orders, -1 before it is placed */
};

struct mark {
	char *ca, *ref, *step, *state, *who, *note;
	time_t at;
};

static void
req_free(struct req *r)
{
	free(r->ca);
	free(r->type);
	free(r->domain);
	free(r->order_id);
	free(r->state);
	free(r->state_by);
	free(r->state_note);
	free(r->approved_by);
}

static int
load_requests(struct store *st, struct req **out, size_t *n, char **errp)
{
	sqlite3_stmt *s =
		store_prepare(st,
			      "SELECT id, ca, type, domain, order_id, state, COALESCE(asked, first_seen),"
			      " state_changed, state_by, state_note,"
			      " (SELECT who FROM history h WHERE h.request_id = requests.id AND h.state = 'approved'"
			      "   ORDER BY h.id DESC LIMIT 1),"
			      " (SELECT at FROM history h WHERE h.request_id = requests.id AND h.state = 'approved'"
			      "   ORDER BY h.id DESC LIMIT 1) FROM requests"
			      " WHERE ca IS NOT NULL AND key NOT LIKE 'suspicious:%'"
			      " AND key NOT LIKE 'malformed:%' ORDER BY 7, id");

	if (s == NULL) {
		*errp = store_errmsg(st, "orders");
		return -1;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct req *r = GROW(*out, *n);
		r->id = sqlite3_column_int64(s, 0);
		r->ca = col_dup(s, 1);
		r->type = xstrdup(col_text(s, 2));
		r->domain = col_dup(s, 3);
		r->order_id = col_dup(s, 4);
		r->state = xstrdup(col_text(s, 5));
		r->asked = sqlite3_column_int64(s, 6);
		r->changed = sqlite3_column_int64(s, 7);
		r->state_by = col_dup(s, 8);
		r->state_note = col_dup(s, 9);
		r->approved_by = col_dup(s, 10);
		r->approved_at = sqlite3_column_int64(s, 11);
		r->order = -1;
	}
	sqlite3_finalize(s);
	return 0;
}

static int
load_marks(struct store *st, struct mark **out, size_t *n, char **errp)
{
	sqlite3_stmt *s =
		store_prepare(st, "SELECT ca, order_ref, step, state, at, who, note FROM order_events ORDER BY id");

	if (s == NULL) {
		*errp = store_errmsg(st, "orders");
		return -1;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct mark *m = GROW(*out, *n);
		m->ca = xstrdup(col_text(s, 0));
		m->ref = xstrdup(col_text(s, 1));
		m->step = col_dup(s, 2);
		m->state = xstrdup(col_text(s, 3));
		m->at = sqlite3_column_int64(s, 4);
		m->who = col_dup(s, 5);
		m->note = col_dup(s, 6);
	}
	sqlite3_finalize(s);
	return 0;
}

/* the order of ca with this order id (or, for NULL, this order-less domain) */
static long
find_or_add(struct order **v, size_t *n, const char *ca, const char *order_id, const char *domain)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].ca, ca) &&
		    (order_id ? (*v)[i].order_id && !strcmp((*v)[i].order_id, order_id)
			      : !(*v)[i].order_id && !strcmp((*v)[i].ref + strlen(ca) + 2, domain ? domain : "")))
			return (long)i;
	struct order *o = GROW(*v, *n);
	memset(o, 0, sizeof(*o));
	o->ca = xstrdup(ca);
	o->order_id = order_id ? xstrdup(order_id) : NULL;
	o->ref = order_id ? xasprintf("%s:%s", ca, order_id) : xasprintf("%s:@%s", ca, domain ? domain : "");
	return (long)(*n - 1);
}

static struct order_step *
step_get(struct order *o, const char *name)
{
	for (size_t i = 0; i < o->nsteps; i++)
		if (!strcmp(o->steps[i].name, name))
			return &o->steps[i];
	struct order_step *s = GROW(o->steps, o->nsteps);
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	return s;
}

/* how far a step has come: a later copy never takes a step back */
static int
rank(enum step_state s)
{
	static const int r[] = { [STEP_NOT_ASKED] = 0, [STEP_ASKED] = 1, [STEP_EXPIRED] = 2,
				 [STEP_REFUSED] = 3,   [STEP_DONE] = 4,	 [STEP_NOT_NEEDED] = 4 };
	return r[s];
}

static void
step_set(struct order_step *s, enum step_state st, time_t asked, time_t decided, const char *by, const char *note,
	 int64_t req)
{
	if (asked && (s->asked == 0 || asked < s->asked))
		s->asked = asked;
	if (rank(st) < rank(s->state))
		return;
	s->state = st;
	if (decided) {
		s->decided = decided;
		free(s->by);
		free(s->note);
		s->by = by ? xstrdup(by) : NULL;
		s->note = note ? xstrdup(note) : NULL;
	}
	if (req)
		s->request_id = req;
}

/* one request's part of its order */
static void
apply_request(struct order *o, const struct req *r, time_t now)
{
	enum step_state st;
	time_t decided = 0;
	const char *by = r->state_by;

	if (!o->asked || r->asked < o->asked)
		o->asked = r->asked;
	*GROW(o->request_ids, o->nrequests) = r->id;
	if (!strcmp(r->state, "issued") || !strcmp(r->type, "issued")) {
		o->issued = 1;
		step_set(step_get(o, "issued"), STEP_DONE, 0, r->changed, "the CA (issued notice)", NULL, r->id);
	}
	if (!strcmp(r->state, "approved"))
		st = STEP_DONE, decided = r->changed;
	else if (!strcmp(r->state, "rejected"))
		st = STEP_REFUSED, decided = r->changed;
	else if (!strcmp(r->state, "issued") && r->approved_at)
		st = STEP_DONE, decided = r->approved_at, by = r->approved_by; /* approved, then issued */
	else if (!strcmp(r->state, "issued"))
		st = STEP_DONE, decided = r->changed, by = "the CA (issued notice)";
	else if (!strcmp(r->state, "expired") || (!strcmp(r->type, "dcv") && now - r->asked > DCV_VALID))
		st = STEP_EXPIRED;
	else
		st = STEP_ASKED;
	if (!strcmp(r->type, "dcv")) {
		char *name = xasprintf("dcv %s", r->domain ? r->domain : "?");
		step_set(step_get(o, name), st, r->asked, decided, by, r->state_note, r->id);
		free(name);
	} else if (!strcmp(r->type, "ev-intent"))
		step_set(step_get(o, "intent"), st, r->asked, decided, by, r->state_note, r->id);
	else if (!strcmp(r->type, "documents"))
		step_set(step_get(o, "documents"), st, r->asked, decided, by, r->state_note, r->id);
}

static void
apply_mark(struct order *o, const struct mark *m)
{
	if (!strcmp(m->state, "cancel")) {
		o->cancelled = 1;
		return;
	}
	struct order_step *s = step_get(o, m->step);
	enum step_state st = !strcmp(m->state, "done") ? STEP_DONE : STEP_NOT_NEEDED;
	/* a person's word is the latest evidence: it holds even over an expired or refused request */
	s->state = st;
	s->decided = m->at;
	free(s->by);
	free(s->note);
	s->by = m->who ? xstrdup(m->who) : NULL;
	s->note = m->note ? xstrdup(m->note) : NULL;
	if (!strcmp(m->step, "issued"))
		o->issued = 1;
}

/* do two host names share their registrable domain? */
static int
same_registrable(const char *a, const char *b)
{
	const char *ra = name_registrable(a), *rb = name_registrable(b);

	return ra && rb && !strcmp(ra, rb);
}

/* The open orders of r's CA with a domain of r's registrable domain. */
static size_t
candidates(const struct order *v, size_t n, const struct req *r, struct buf *refs, long *first)
{
	size_t k = 0;

	*first = -1;
	for (size_t i = 0; i < n; i++) {
		const struct order *o = &v[i];
		if (!o->order_id || strcmp(o->ca, r->ca) || o->issued || o->cancelled)
			continue;
		for (size_t j = 0; j < o->nsteps; j++)
			if (!strncmp(o->steps[j].name, "dcv ", 4) &&
			    same_registrable(o->steps[j].name + 4, r->domain)) {
				buf_printf(refs, "%s%s", k ? ", " : "", o->ref);
				if (k++ == 0)
					*first = (long)i;
				break;
			}
	}
	return k;
}

static void
add_event(struct order *o, time_t at, const char *kind, char *text, const char *who)
{
	struct order_event *e = GROW(o->events, o->nevents);
	e->at = at;
	e->kind = xstrdup(kind);
	e->text = text;
	e->who = who ? xstrdup(who) : NULL;
}

static int
event_cmp(const void *a, const void *b)
{
	const struct order_event *x = a, *y = b;

	return (x->at > y->at) - (x->at < y->at);
}

static int
load_history(struct store *st, struct order *o, const struct mark *marks, size_t nmarks, char **errp)
{
	sqlite3_stmt *s;

	for (size_t i = 0; i < o->nrequests; i++) {
		s = store_prepare(st, "SELECT COALESCE(sent, received), type, mailbox, role, from_addr, subject"
				      " FROM messages WHERE request_id = ? ORDER BY id");
		if (s == NULL)
			goto fail;
		sqlite3_bind_int64(s, 1, o->request_ids[i]);
		while (sqlite3_step(s) == SQLITE_ROW)
			add_event(o, sqlite3_column_int64(s, 0), "mail",
				  xasprintf("request %lld: %s mail from %s to %s%s%s: %s", (long long)o->request_ids[i],
					    col_text(s, 1), col_text(s, 4), col_text(s, 2),
					    *col_text(s, 3) ? " role=" : "", col_text(s, 3), col_text(s, 5)),
				  NULL);
		sqlite3_finalize(s);
		s = store_prepare(st, "SELECT at, state, who, note FROM history WHERE request_id = ? ORDER BY id");
		if (s == NULL)
			goto fail;
		sqlite3_bind_int64(s, 1, o->request_ids[i]);
		while (sqlite3_step(s) == SQLITE_ROW)
			add_event(o, sqlite3_column_int64(s, 0), "state",
				  xasprintf("request %lld %s%s%s", (long long)o->request_ids[i], col_text(s, 1),
					    *col_text(s, 3) ? ": " : "", col_text(s, 3)),
				  col_text(s, 2));
		sqlite3_finalize(s);
	}
	for (size_t i = 0; i < nmarks; i++) {
		const struct mark *m = &marks[i];
		if (strcmp(m->ca, o->ca) || strcmp(m->ref, o->ref + strlen(o->ca) + 1))
			continue;
		add_event(o, m->at, m->state,
			  !strcmp(m->state, "cancel")
				  ? xasprintf("order cancelled%s%s", m->note ? ": " : "", m->note ? m->note : "")
				  : xasprintf("%s marked %s%s%s", m->step, m->state, m->note ? ": " : "",
					      m->note ? m->note : ""),
			  m->who);
	}
	if (o->nevents)
		qsort(o->events, o->nevents, sizeof(*o->events), event_cmp);
	return 0;
fail:
	*errp = store_errmsg(st, "orders");
	return -1;
}

static int
load_routes(struct store *st, struct order *o, char **errp)
{
	struct buf b;

	buf_init(&b, 0);
	for (size_t i = 0; i < o->nrequests; i++) {
		sqlite3_stmt *s = store_prepare(st, "SELECT DISTINCT target FROM outbox WHERE request_id = ?"
						    " AND kind IN ('forward', 'redirect') ORDER BY id");
		if (s == NULL) {
			buf_free(&b);
			*errp = store_errmsg(st, "orders");
			return -1;
		}
		sqlite3_bind_int64(s, 1, o->request_ids[i]);
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *t = col_text(s, 0);
			if (b.len && strstr(b.data, t)) /* each recipient once */
				continue;
			buf_printf(&b, "%s%s", b.len ? ", " : "", t);
		}
		sqlite3_finalize(s);
	}
	o->routed = b.len ? buf_steal(&b) : NULL;
	buf_free(&b);
	return 0;
}

int
store_order_issued(struct store *st, const char *ca, const char *order_id, int64_t notice, time_t now)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE requests SET state = 'issued', state_changed = ?"
					    " WHERE ca = ? AND order_id = ? AND type = 'dcv' AND id != ?"
					    " AND state IN ('pending', 'forwarded', 'approved', 'expired')");
	int rc;

	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, ca, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, order_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, notice);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc;
}

static void order_clear(struct order *);

/* steps in the order a CA asks: domain control, intent, documents, issuance */
static int
step_rank(const char *name)
{
	return !strncmp(name, "dcv ", 4) ? 0 : !strcmp(name, "intent") ? 1 : !strcmp(name, "documents") ? 2 : 3;
}

static int
step_cmp(const void *a, const void *b)
{
	const struct order_step *x = a, *y = b;
	int d = step_rank(x->name) - step_rank(y->name);

	return d ? d : strcmp(x->name, y->name);
}

static int
order_cmp(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	return (x->asked > y->asked) - (x->asked < y->asked);
}

int
store_orders(struct store *st, time_t now, int all, int history, struct order **out, size_t *n, char **errp)
{
	struct req *rq = NULL;
	struct mark *mk = NULL;
	size_t nrq = 0, nmk = 0;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (load_requests(st, &rq, &nrq, errp) == -1 || load_marks(st, &mk, &nmk, errp) == -1)
		goto done;
	/* orders with an id first; then mail without one, joined where one order fits */
	for (size_t i = 0; i < nrq; i++)
		if (rq[i].order_id)
			rq[i].order = find_or_add(out, n, rq[i].ca, rq[i].order_id, NULL);
	for (size_t i = 0; i < nrq; i++)
		if (rq[i].order >= 0)
			apply_request(&(*out)[rq[i].order], &rq[i], now);
	for (size_t i = 0; i < nmk; i++)
		for (size_t j = 0; j < *n; j++)
			if (!strcmp(mk[i].ca, (*out)[j].ca) && !strcmp(mk[i].ref, (*out)[j].ref + strlen(mk[i].ca) + 1))
				apply_mark(&(*out)[j], &mk[i]);
	for (size_t i = 0; i < nrq; i++) {
		struct req *r = &rq[i];
		struct buf refs;
		long first;
		if (r->order >= 0)
			continue;
		buf_init(&refs, 0);
		size_t k = r->domain ? candidates(*out, *n, r, &refs, &first) : 0;
		if (k == 1)
			r->order = first;
		else {
			r->order = find_or_add(out, n, r->ca, NULL, r->domain);
			struct order *o = &(*out)[r->order];
			if (k > 1 && o->ambiguous == NULL)
				o->ambiguous = buf_steal(&refs);
			/* a person's marks on the order-less order */
			if (o->nrequests == 0)
				for (size_t m = 0; m < nmk; m++)
					if (!strcmp(mk[m].ca, o->ca) && !strcmp(mk[m].ref, o->ref + strlen(o->ca) + 1))
						apply_mark(o, &mk[m]);
		}
		buf_free(&refs);
		apply_request(&(*out)[r->order], r, now);
	}
	/* every order has its intent, documents and issued steps, asked or not */
	for (size_t i = 0; i < *n; i++) {
		struct order *o = &(*out)[i];
		step_get(o, "intent");
		step_get(o, "documents");
		step_get(o, "issued");
		qsort(o->steps, o->nsteps, sizeof(*o->steps), step_cmp);
	}
	/* open orders only, unless all */
	size_t keep = 0;
	for (size_t i = 0; i < *n; i++) {
		struct order *o = &(*out)[i];
		if (!all && (o->issued || o->cancelled)) {
			order_clear(o);
			continue;
		}
		(*out)[keep++] = *o;
	}
	*n = keep;
	if (*n)
		qsort(*out, *n, sizeof(**out), order_cmp);
	for (size_t i = 0; i < *n; i++)
		if (load_routes(st, &(*out)[i], errp) == -1 ||
		    (history && load_history(st, &(*out)[i], mk, nmk, errp) == -1))
			goto done;
	rc = 0;
done:
	for (size_t i = 0; i < nrq; i++)
		req_free(&rq[i]);
	free(rq);
	for (size_t i = 0; i < nmk; i++) {
		free(mk[i].ca);
		free(mk[i].ref);
		free(mk[i].step);
		free(mk[i].state);
		free(mk[i].who);
		free(mk[i].note);
	}
	free(mk);
	if (rc == -1) {
		orders_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static void
order_clear(struct order *o)
{
	for (size_t j = 0; j < o->nsteps; j++) {
		free(o->steps[j].name);
		free(o->steps[j].by);
		free(o->steps[j].note);
	}
	for (size_t j = 0; j < o->nevents; j++) {
		free(o->events[j].kind);
		free(o->events[j].text);
		free(o->events[j].who);
	}
	free(o->steps);
	free(o->events);
	free(o->ca);
	free(o->order_id);
	free(o->ref);
	free(o->ambiguous);
	free(o->routed);
	free(o->request_ids);
}

void
orders_free(struct order *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		order_clear(&v[i]);
	free(v);
}

long
orders_find(const struct order *v, size_t n, const char *ref, char **errp)
{
	long found = -1;
	size_t hits = 0;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].ref, ref))
			return (long)i;
	/* a bare order id that one CA uses */
	for (size_t i = 0; i < n; i++)
		if (v[i].order_id && !strcmp(v[i].order_id, ref)) {
			hits++;
			found = (long)i;
		}
	if (hits == 1)
		return found;
	*errp = hits ? xasprintf("order %s: %zu CAs have an order of that number; name it as CA:%s", ref, hits, ref)
		     : xasprintf("no order %s (see dcvmail orders --all)", ref);
	return -1;
}

struct mark_arg {
	const struct order *o;
	const char *step, *state, *who, *note;
	time_t now;
};

static int
mark_tx(struct store *st, void *arg)
{
	struct mark_arg *a = arg;
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO order_events (ca, order_ref, step, state, at, who, note)"
					    " VALUES (?, ?, ?, ?, ?, ?, ?)");
	int rc;

	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_text(s, 1, a->o->ca, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, a->o->ref + strlen(a->o->ca) + 1, -1, SQLITE_STATIC);
	bind_opt(s, 3, a->step);
	sqlite3_bind_text(s, 4, a->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, a->now);
	bind_opt(s, 6, a->who);
	bind_opt(s, 7, a->note);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc;
}

int
store_order_mark(struct store *st, const struct order *o, const char *step, const char *state, const char *who,
		 const char *note, char **errp)
{
	struct mark_arg a = { o, step, state, who, note, time(NULL) };

	*errp = NULL;
	if (strcmp(state, "cancel") && strcmp(state, "done") && strcmp(state, "not-needed")) {
		*errp = xasprintf("unknown order state '%s'", state);
		return -1;
	}
	if (strcmp(state, "cancel")) {
		size_t i;
		for (i = 0; i < o->nsteps; i++)
			if (!strcmp(o->steps[i].name, step))
				break;
		if (i == o->nsteps) {
			struct buf b;
			buf_init(&b, 0);
			for (i = 0; i < o->nsteps; i++)
				buf_printf(&b, "%s'%s'", i ? ", " : "", o->steps[i].name);
			*errp = xasprintf("order %s has no step '%s'; its steps: %s", o->ref, step,
					  b.data ? b.data : "");
			buf_free(&b);
			return -1;
		}
	}
	return store_tx(st, mark_tx, &a, errp);
}
