/* outbox-alerts.c — what the outbox pass queues by itself (h-alert): the
 * alert of a request that has waited pending-alert hours, once per request
 * and person its forward reached; and, from the `digest` time of each local
 * day on, one digest per person on whom an overdue order waits. Both are
 * outbox rows like any action (action-alert.c, action-digest.c): retried
 * with backoff, sent with a stable Message-ID, claimed under a lease; the
 * ledger queues each once (store-alert.c). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "outbox/action.h"
#include "ledger/alert.h"
#include "base/log.h"
#include "base/util.h"

extern const struct action_def action_alert, action_digest;

/* The people on whom an overdue order waits (each once). */
static int
overdue_recipients(const struct action_ctx *ax, time_t now, struct strv *out, char **errp)
{
	struct order *v = NULL;
	size_t n = 0;

	if (store_orders(ax->st, now, 0, 0, &v, &n, errp) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *step;
		if (v[i].routed == NULL || order_overdue(ax->cfg, &v[i], now, &step) <= 0)
			continue;
		for (const char *p = v[i].routed; p && *p;) {
			const char *e = strstr(p, ", ");
			char *r = e ? xasprintf("%.*s", (int)(e - p), p) : xstrdup(p);
			int seen = 0;
			for (size_t j = 0; j < out->n && !seen; j++)
				seen = !strcasecmp(out->v[j], r);
			if (seen)
				free(r);
			else
				strv_add_owned(out, r);
			p = e ? e + 2 : NULL;
		}
	}
	orders_free(v, n);
	return 0;
}

static int
queue_digests(const struct action_ctx *ax, time_t now, char **errp)
{
	struct strv who = { 0 };
	struct tm tm;
	char day[16];
	int queued = 0, q;

	localtime_r(&now, &tm);
	if (ax->cfg->digest_at < 0 || tm.tm_hour * 60 + tm.tm_min < ax->cfg->digest_at)
		return 0;
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if (overdue_recipients(ax, now, &who, errp) == -1)
		return -1;
	for (size_t i = 0; i < who.n; i++) {
		if (store_digest_queue(ax->st, who.v[i], day, now, action_digest.kind.name, &q, errp) == -1) {
			strv_free(&who);
			return -1;
		}
		if (q)
			log_info("digest of %s for %s queued", day, who.v[i]);
		queued += q;
	}
	strv_free(&who);
	return queued;
}

int
outbox_alerts(const struct action_ctx *ax, time_t now, char **errp)
{
	int n = 0, d;

	if (ax->dry_run || ax->st == NULL || !ax->cfg->have_smtp)
		return 0; /* a dry run queues nothing; without smtp nobody was forwarded anything */
	if (ax->cfg->pending_alert_mail) {
		if (store_alerts_queue(ax->st, now, ax->cfg->pending_alert_hours, action_alert.kind.name, &n, errp) ==
		    -1)
			return -1;
		if (n > 0)
			log_info("%d pending alert%s queued (requests waiting more than %d hours)", n,
				 n == 1 ? "" : "s", ax->cfg->pending_alert_hours);
	}
	if ((d = queue_digests(ax, now, errp)) == -1)
		return -1;
	return n + d;
}
