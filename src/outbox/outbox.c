/* outbox.c — run queued actions with retries and backoff; each attempt is
 * recorded. Actions are a table: one file per action, one line here. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outbox/action.h"
#include "config.h"
#include "base/log.h"
#include "base/util.h"

#define LEASE 300
#define BACKOFF_FIRST 60
#define BACKOFF_MAX 3600

/* Every action kind: action-NAME.c defines `const struct action_def
 * action_NAME`, and its NAME on this line is all that adding one takes. A
 * route lists them in this order in its errors and `dcvmail -n -v`. */
#define ACTIONS(X) X(forward) X(redirect) X(notify) X(approve) X(flag) X(alert) X(digest)

#define ACTION_DECLARE(n) extern const struct action_def action_##n;
ACTIONS(ACTION_DECLARE)
#define ACTION_ENTRY(n) &action_##n,
static const struct action_def *const actions[] = { ACTIONS(ACTION_ENTRY) };

const struct action_def *
action_at(size_t i)
{
	return i < nitems(actions) ? actions[i] : NULL;
}

const struct action_kind *
action_kind_at(size_t i)
{
	return i < nitems(actions) ? &actions[i]->kind : NULL;
}

_Static_assert(nitems(actions) <= ACTIONS_MAX, "ACTIONS_MAX (action.h) is too small");

void
action_reap_kinds(struct action_reap *r)
{
	size_t nt = 0, nr = 0;

	/* the kinds that carry the reason, and those that reach someone */
	for (size_t i = 0; i < nitems(actions); i++) {
		if (actions[i]->tells_why)
			r->tell[nt++] = actions[i]->kind.name;
		if (actions[i]->tells_why || actions[i]->effect == ACTION_EFFECT_FORWARDED)
			r->reach[nr++] = actions[i]->kind.name;
	}
	r->tell[nt] = r->reach[nr] = NULL;
	r->k.tell = r->tell;
	r->k.reach = r->reach;
	r->k.flag = action_flag.kind.name;
}

const struct action_def *
action_find(const char *name)
{
	for (size_t i = 0; name && i < nitems(actions); i++)
		if (!strcmp(actions[i]->kind.name, name))
			return actions[i];
	return NULL;
}

/* A forward moves a pending request to forwarded; an action given up on
 * leaves a note on an open request, which `list` and `show` display. */
static void
after_action(struct store *st, const struct outbox_item *it, int ok, const char *result)
{
	struct request_info ri;
	int f = 0;
	char *e2 = NULL, *note;

	if (store_request_get(st, it->request_id, &ri, &f, &e2) == 0 && f) {
		if (ok && !strcmp(ri.state, "pending")) /* a note for a person stays */
			store_request_set_state(st, it->request_id, "forwarded", "dcvmail",
						ri.state_note && !strncmp(ri.state_note, "needs a person", 14)
							? ri.state_note
							: result,
						&e2);
		else if (!ok && (!strcmp(ri.state, "pending") || !strcmp(ri.state, "forwarded"))) {
			note = xasprintf("needs a person: %s gave up: %s", it->kind, result ? result : "");
			store_request_set_state(st, it->request_id, ri.state, "dcvmail", note, &e2);
			free(note);
		}
	}
	request_info_free(&ri);
	free(e2);
}

static time_t
backoff(int attempts)
{
	time_t d = BACKOFF_FIRST;

	for (int i = 0; i < attempts && d < BACKOFF_MAX; i++)
		d *= 2;
	if (d > BACKOFF_MAX)
		d = BACKOFF_MAX;
	return d + rand() % (d / 4 + 1); /* jitter spreads retries */
}

/* An approval that some runner began and never finished is not tried
 * again: it needs a person (store_attempts_reap). */
static int
reap_interrupted(const struct action_ctx *ax, char **errp)
{
	struct action_reap r;
	int n = 0;

	action_reap_kinds(&r);
	if (store_attempts_reap(ax->st, time(NULL), &r.k, &n, errp) == -1)
		return -1;
	if (n > 0)
		log_warnx("%d approval%s interrupted before %s outcome was recorded: not tried again, the request%s"
			  " need%s a person (check the CA's portal)",
			  n, n == 1 ? " was" : "s were", n == 1 ? "its" : "their", n == 1 ? "" : "s",
			  n == 1 ? "s" : "");
	return 0;
}

/* An action that ran but whose result could not be recorded: the ledger
 * went away in between (a PostgreSQL server stopping, a full disk). Its
 * claim's lease keeps other runners off it, so this process (the watcher)
 * records the result at its next run, before it claims anything, rather
 * than leave the row until the lease ends and run the action again. One at
 * most: a failed record ends the run. */
static struct {
	int set;
	const struct store *st; /* the ledger it belongs to (a reload opens another) */
	char *ledger;
	struct outbox_item it;
	int ok, gave_up, forwarded;
	char *result;
	time_t next, lease_end;
} unrecorded;

static void
unrecorded_drop(void)
{
	outbox_item_free(&unrecorded.it);
	free(unrecorded.result);
	free(unrecorded.ledger);
	memset(&unrecorded, 0, sizeof(unrecorded));
}

static int
same_ledger(const struct store *st)
{
	const char *a = unrecorded.ledger, *b = store_ledger_name(st);

	return unrecorded.st == st && (a == NULL ? b == NULL : b != NULL && !strcmp(a, b));
}

static int
record_unrecorded(const struct action_ctx *ax, char **errp)
{
	long long id = (long long)unrecorded.it.id;

	if (!same_ledger(ax->st) || time(NULL) >= unrecorded.lease_end) {
		log_warnx("outbox %lld: the result of this %s was never recorded (the ledger was unavailable); once "
			  "its lease ends it is tried again",
			  id, unrecorded.it.kind);
		unrecorded_drop();
		return 0;
	}
	if (store_outbox_result(ax->st, unrecorded.it.id, unrecorded.ok, unrecorded.result, unrecorded.next,
				unrecorded.gave_up, errp) == -1)
		return -1;
	log_info("outbox %lld: %s result recorded, the ledger back", id, unrecorded.it.kind);
	if ((unrecorded.ok && unrecorded.forwarded) || unrecorded.gave_up)
		after_action(ax->st, &unrecorded.it, unrecorded.ok, unrecorded.result);
	unrecorded_drop();
	return 0;
}

int
outbox_run(const struct action_ctx *ax, char **errp)
{
	int ran = 0;

	if (ax->dry_run || ax->st == NULL)
		return 0; /* a dry run performs no action at all */
	if (unrecorded.set && record_unrecorded(ax, errp) == -1)
		return -1;
	if (reap_interrupted(ax, errp) == -1)
		return -1;
	for (;;) {
		struct outbox_item it;
		int found = 0, gave_up = 0, ok;
		char *result = NULL;
		time_t now = time(NULL), next;
		enum action_status s;

		if (ax->deadline > 0 && now_mono() > ax->deadline)
			break;
		if (store_outbox_claim(ax->st, now, LEASE, &it, &found, errp) == -1)
			return -1;
		if (!found)
			break;
		const struct action_def *def = action_find(it.kind);
		if (def == NULL) {
			s = ACTION_FAIL;
			result = xasprintf("this dcvmail cannot run '%s' actions", it.kind);
		} else
			s = def->run(ax, &it, &result);
		ok = s == ACTION_OK;
		next = now + backoff(it.attempts);
		if (s == ACTION_FAIL ||
		    (s == ACTION_RETRY && now - it.created > (time_t)ax->cfg->action_retry_max_hours * 3600))
			gave_up = 1;
		log_info("outbox %lld: %s %s: %s%s", (long long)it.id, it.kind,
			 ok	   ? "done"
			 : gave_up ? "gave up"
				   : "will retry",
			 result ? result : "", gave_up && it.request_id ? " (the request needs a person)" : "");
		if (store_outbox_result(ax->st, it.id, ok, result, next, gave_up, errp) == -1) {
			const char *name = store_ledger_name(ax->st);
			unrecorded.set = 1;
			unrecorded.st = ax->st;
			unrecorded.ledger = name ? xstrdup(name) : NULL;
			unrecorded.it = it;
			unrecorded.ok = ok;
			unrecorded.gave_up = gave_up;
			unrecorded.forwarded = def && def->effect == ACTION_EFFECT_FORWARDED;
			unrecorded.result = result;
			unrecorded.next = next;
			unrecorded.lease_end = now + LEASE;
			return -1;
		}
		if ((ok && def->effect == ACTION_EFFECT_FORWARDED) || gave_up)
			after_action(ax->st, &it, ok, result);
		free(result);
		outbox_item_free(&it);
		ran++;
	}
	return ran;
}
