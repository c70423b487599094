/* action-alert.c — a request has waited pending-alert hours: tell the
 * person its forward reached, once (outbox-alerts.c queues it), what waits,
 * since when and what to do. Never a route keyword. The mail names the
 * request, never its approval link. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outbox/action.h"
#include "outbox/smtp.h"
#include "base/util.h"

/* How commands name the request's order: "CA:ORDER", or "CA:@DOMAIN" for
 * mail without an order id (dcvmail-orders(8)). */
static char *
order_ref(const struct request_info *ri)
{
	if (ri->order && *ri->order)
		return xasprintf("%s:%s", ri->ca ? ri->ca : "-", ri->order);
	return xasprintf("%s:@%s", ri->ca ? ri->ca : "-", ri->domain ? ri->domain : "-");
}

/* What the person does about a request of this type. */
static void
what_to_do(struct buf *b, const struct request_info *ri)
{
	long long id = (long long)ri->id;
	const char *t = ri->type ? ri->type : "";
	char *ref = order_ref(ri);

	if (!strcmp(t, "dcv"))
		buf_printf(b,
			   "Answer the CA's domain control request; dcvmail forwarded its mail to you.\r\n"
			   "If the order is yours, approve it in that mail or with `dcvmail approve %lld`;\r\n"
			   "if it is not, `dcvmail reject %lld`. The CA issues nothing until then,\r\n"
			   "and its request expires 30 days after it was sent.\r\n",
			   id, id);
	else if (!strcmp(t, "ev-intent"))
		buf_printf(b,
			   "The CA asks the applicant to confirm the order (EV intent). Confirm it as\r\n"
			   "the CA's mail says (reply, phone or portal), then record it:\r\n"
			   "`dcvmail done %s intent --note TEXT`.\r\n",
			   ref);
	else if (!strcmp(t, "documents"))
		buf_printf(b,
			   "The CA asks for documents for its vetting. Send them as its mail says (portal\r\n"
			   "or mail), then record it: `dcvmail done %s documents --note TEXT`\r\n"
			   "(or `--not-needed`).\r\n",
			   ref);
	else
		buf_printf(b,
			   "Read the CA's mail dcvmail forwarded to you (`dcvmail show %lld`) and decide:\r\n"
			   "`dcvmail approve %lld --record-only` or `dcvmail reject %lld` closes the request.\r\n",
			   id, id, id);
	free(ref);
}

static char *
compose(const struct action_ctx *ax, const struct outbox_item *it, const struct request_info *ri)
{
	char when[64], *subject, *head, *ref = order_ref(ri);
	time_t asked = ri->asked ? ri->asked : ri->first_seen, now = time(NULL);
	struct tm tm;
	struct buf b;

	localtime_r(&asked, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M %z", &tm);
	subject = xasprintf("[dcvmail] waiting %ld h: %s %s %s (request #%lld)", (long)((now - asked) / 3600),
			    ri->type ? ri->type : "-", ri->ca ? ri->ca : "-", ri->domain ? ri->domain : "-",
			    (long long)ri->id);
	head = action_mail_head(ax, it, ri->key, subject);
	buf_init(&b, 0);
	buf_adds(&b, head);
	buf_printf(&b,
		   "A request has waited for a person for more than %d hours (pending-alert).\r\n\r\n"
		   "  Request:  #%lld (`dcvmail show %lld`)\r\n  Type:     %s\r\n  CA:       %s\r\n"
		   "  Domain:   %s\r\n  Order:    %s (`dcvmail orders %s`)\r\n  Waiting since: %s (%ld hours)\r\n"
		   "  State:    %s%s%s\r\n\r\nWhat to do:\r\n",
		   ax->cfg->pending_alert_hours, (long long)ri->id, (long long)ri->id, ri->type ? ri->type : "-",
		   ri->ca ? ri->ca : "-", ri->domain ? ri->domain : "(not found)", ri->order ? ri->order : "(none)",
		   ref, when, (long)((now - asked) / 3600), ri->state, ri->state_note ? ": " : "",
		   ri->state_note ? ri->state_note : "");
	what_to_do(&b, ri);
	buf_adds(&b, "\r\nThis is the one alert dcvmail sends about this request. While its order\r\n"
		     "is overdue, the daily digest lists it too.\r\n");
	free(head);
	free(subject);
	free(ref);
	return buf_steal(&b);
}

static enum action_status
alert_run(const struct action_ctx *ax, const struct outbox_item *it, char **result)
{
	struct request_info ri;
	int found = 0;
	char *msg, *err = NULL;
	enum action_status st;

	if (!ax->cfg->have_smtp || ax->cfg->smtp.from == NULL) {
		*result = xstrdup("no smtp block with a from address in the configuration");
		return ACTION_FAIL;
	}
	memset(&ri, 0, sizeof(ri));
	if (store_request_get(ax->st, it->request_id, &ri, &found, &err) == -1) {
		*result = err;
		return ACTION_RETRY;
	}
	if (!found || (strcmp(ri.state, "pending") && strcmp(ri.state, "forwarded"))) {
		/* answered between queueing and sending */
		*result = xasprintf("request #%lld is %s now: no alert sent", (long long)it->request_id,
				    found ? ri.state : "gone");
		request_info_free(&ri);
		return ACTION_OK;
	}
	msg = compose(ax, it, &ri);
	st = action_of_smtp(smtp_send(&ax->cfg->smtp, ax->cfg->smtp.from, it->target, msg, strlen(msg), result));
	if (st == ACTION_OK)
		*result = xasprintf("alerted %s: request #%lld %s", it->target, (long long)it->request_id,
				    it->why ? it->why : "");
	free(msg);
	request_info_free(&ri);
	return st;
}

/* queued by the outbox pass (outbox_alerts), never by a route */
const struct action_def action_alert = {
	{ "alert", 0, 0, 0 },
	alert_run,
	ACTION_EFFECT_NONE,
	0,
};
