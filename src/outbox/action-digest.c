/* action-digest.c — once a day, per person: the overdue orders that wait on
 * that person (their mail was forwarded to them), each with what waits,
 * since when and what to do. Queued once per recipient and local day by
 * the outbox pass (outbox-alerts.c); made from the ledger when it is sent,
 * so a retry tells what is overdue then. Never a route keyword. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outbox/action.h"
#include "outbox/smtp.h"
#include "ledger/alert.h"
#include "base/util.h"

struct overdue_item {
	const struct order *o;
	long past; /* seconds past the step's hours */
	const char *step;
};

static int
item_cmp(const void *a, const void *b)
{
	const struct overdue_item *x = a, *y = b;

	return x->past < y->past ? 1 : x->past > y->past ? -1 : 0; /* the most overdue first */
}

static void
local_time(time_t t, char *out, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M %z", &tm);
}

static const struct order_step *
step_named(const struct order *o, const char *name)
{
	for (size_t i = 0; i < o->nsteps; i++)
		if (!strcmp(o->steps[i].name, name))
			return &o->steps[i];
	return NULL;
}

/* What the person does about the order's waiting step. */
static void
what_to_do(struct buf *b, const struct order *o, const char *step, const struct order_step *s)
{
	long long id = s ? (long long)s->request_id : 0;

	if (!strncmp(step, "dcv ", 4) && id)
		buf_printf(b,
			   "     What to do: answer the CA's domain control request (forwarded to you):\r\n"
			   "       approve it in that mail or with `dcvmail approve %lld`, or, if the order\r\n"
			   "       is not yours, `dcvmail reject %lld`.\r\n",
			   id, id);
	else if (!strcmp(step, "intent"))
		buf_printf(b,
			   "     What to do: confirm the applicant's intent as the CA asks (reply, phone or\r\n"
			   "       portal), then `dcvmail done %s intent --note TEXT`.\r\n",
			   o->ref);
	else if (!strcmp(step, "documents"))
		buf_printf(b,
			   "     What to do: send the CA the documents it asks for, then\r\n"
			   "       `dcvmail done %s documents --note TEXT` (or --not-needed).\r\n",
			   o->ref);
	else if (!strcmp(step, "issuance"))
		buf_printf(b,
			   "     What to do: every step is answered but no issued notice came: check the\r\n"
			   "       order on the CA's portal; `dcvmail done %s issued` or\r\n"
			   "       `dcvmail cancel %s` closes it.\r\n",
			   o->ref, o->ref);
	else
		buf_printf(b, "     What to do: see `dcvmail orders %s`.\r\n", o->ref);
}

static void
item_text(struct buf *b, const struct action_ctx *ax, size_t n, const struct overdue_item *it)
{
	const struct order *o = it->o;
	const struct order_step *s = step_named(o, it->step);
	const char *kind = !strncmp(it->step, "dcv ", 4) ? "dcv" : it->step;
	char when[64];

	int first = 1;

	buf_printf(b, "%zu. %s", n, o->ref);
	for (size_t i = 0; i < o->nsteps; i++)
		if (!strncmp(o->steps[i].name, "dcv ", 4)) {
			buf_printf(b, "%s%s", first ? "  (" : ", ", o->steps[i].name + 4);
			first = 0;
		}
	buf_adds(b, first ? "\r\n" : ")\r\n");
	if (s && s->asked) {
		local_time(s->asked, when, sizeof(when));
		buf_printf(b, "     Waiting for: %s, asked %s\r\n", it->step, when);
	} else
		buf_printf(b, "     Waiting for: %s\r\n", it->step);
	buf_printf(b, "     Overdue by %ld h (order-overdue %s is %d h)\r\n", (it->past + 3599) / 3600, kind,
		   config_overdue_hours(ax->cfg, o->ca, kind));
	what_to_do(b, o, it->step, s);
	buf_printf(b, "     History: `dcvmail orders %s`\r\n\r\n", o->ref);
}

static char *
compose(const struct action_ctx *ax, const struct outbox_item *it, const struct overdue_item *v, size_t n)
{
	char *subject, *key, *head;
	struct buf b;

	subject = xasprintf("[dcvmail] %zu overdue order%s waiting on you (%s)", n, n == 1 ? "" : "s", it->why);
	key = xasprintf("digest %s %s", it->target, it->why);
	head = action_mail_head(ax, it, key, subject);
	buf_init(&b, 0);
	buf_adds(&b, head);
	buf_printf(&b,
		   "The daily digest of %s for %s: %zu certificate order%s whose mail\r\n"
		   "dcvmail forwarded to you %s overdue.\r\n\r\n",
		   it->why, it->target, n, n == 1 ? "" : "s", n == 1 ? "is" : "are");
	for (size_t i = 0; i < n; i++)
		item_text(&b, ax, i + 1, &v[i]);
	buf_adds(&b, "dcvmail sends this digest once a day (`digest` in dcvmail.conf) while an\r\n"
		     "order routed to you is overdue, and none on a day when nothing is.\r\n");
	free(head);
	free(key);
	free(subject);
	return buf_steal(&b);
}

static void
today(time_t now, char day[16])
{
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(day, 16, "%Y-%m-%d", &tm);
}

static enum action_status
digest_run(const struct action_ctx *ax, const struct outbox_item *it, char **result)
{
	struct order *v = NULL;
	struct overdue_item *items;
	size_t n = 0, k = 0;
	time_t now = time(NULL);
	char day[16], *err = NULL, *msg;
	enum action_status st;

	if (!ax->cfg->have_smtp || ax->cfg->smtp.from == NULL) {
		*result = xstrdup("no smtp block with a from address in the configuration");
		return ACTION_FAIL;
	}
	today(now, day);
	if (it->why == NULL || strcmp(it->why, day)) { /* never two digests on one day */
		*result = xasprintf("the digest of %s for %s was not sent that day: today's replaces it",
				    it->why ? it->why : "?", it->target);
		return ACTION_OK;
	}
	if (store_orders(ax->st, now, 0, 0, &v, &n, &err) == -1) {
		*result = err;
		return ACTION_RETRY;
	}
	items = xcalloc(n + 1, sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		const char *step = NULL;
		long past = order_overdue(ax->cfg, &v[i], now, &step);
		if (past > 0 && step && order_routed_to(&v[i], it->target))
			items[k++] = (struct overdue_item){ &v[i], past, step };
	}
	if (k == 0) {
		*result = xasprintf("nothing overdue waits on %s any more: no digest sent", it->target);
		st = ACTION_OK;
	} else {
		qsort(items, k, sizeof(*items), item_cmp);
		msg = compose(ax, it, items, k);
		st = action_of_smtp(
			smtp_send(&ax->cfg->smtp, ax->cfg->smtp.from, it->target, msg, strlen(msg), result));
		if (st == ACTION_OK)
			*result = xasprintf("digest of %s to %s: %zu overdue order%s", day, it->target, k,
					    k == 1 ? "" : "s");
		free(msg);
	}
	free(items);
	orders_free(v, n);
	return st;
}

/* queued by the outbox pass (outbox_alerts), never by a route */
const struct action_def action_digest = {
	{ "digest", 0, 0, 0 },
	digest_run,
	ACTION_EFFECT_NONE,
	0,
};
