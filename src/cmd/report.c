/* report.c — list, show and report: what a person reads from the ledger. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/json.h"
#include "base/log.h"
#include "base/names.h"
#include "base/util.h"
#include "cmd/report.h"
#include "cmd/table.h"

static json_t *
request_json(const struct request_info *r)
{
	json_t *o = json_object();
	char t[32];

	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "state", json_string(r->state));
	json_object_set_new(o, "type", json_string_or_null(r->type));
	json_object_set_new(o, "ca", json_string_or_null(r->ca));
	json_object_set_new(o, "domain", json_string_or_null(r->domain));
	json_object_set_new(o, "order", json_string_or_null(r->order));
	json_object_set_new(o, "copies", json_integer(r->copies));
	json_object_set_new(o, "expected", json_boolean(r->expected));
	json_object_set_new(o, "key", json_string_or_null(r->key));
	json_object_set_new(o, "asked", json_string(fmt_time(r->asked, t, sizeof(t))));
	json_object_set_new(o, "first_seen", json_string(fmt_time(r->first_seen, t, sizeof(t))));
	json_object_set_new(o, "last_seen", json_string(fmt_time(r->last_seen, t, sizeof(t))));
	json_object_set_new(o, "state_by", json_string_or_null(r->state_by));
	json_object_set_new(o, "state_note", json_string_or_null(r->state_note));
	return o;
}

static void
put_json(FILE *out, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s) {
		fprintf(out, "%s\n", s);
		free(s);
	}
	json_decref(o);
}

/* What a request of malformed (or oversized) mail still means: the rule's
 * type, the parse status and why; NULLs for a request of parsed mail. */
struct unparsed {
	char *rule_type, *status, *reason;
};

static int
is_unparsed(const char *type)
{
	return type && (!strcmp(type, "malformed") || !strcmp(type, "oversized"));
}

static int
unparsed_get(struct store *st, const struct request_info *r, struct unparsed *u, char **errp)
{
	return store_request_unparsed(st, r->id, &u->rule_type, &u->status, &u->reason, errp);
}

static void
unparsed_free(struct unparsed *u)
{
	free(u->rule_type);
	free(u->status);
	free(u->reason);
}

/* JSON: "rule_type", "status" and "status_reason" beside "type". */
static void
unparsed_json(json_t *o, const struct unparsed *u)
{
	json_object_set_new(o, "rule_type", json_string_or_null(u->rule_type));
	json_object_set_new(o, "status", json_string_or_null(u->status));
	json_object_set_new(o, "status_reason", json_string_or_null(u->reason));
}

/* The type a person reads: a malformed request shows the rule's type. */
static const char *
shown_type(const char *type, const struct unparsed *u)
{
	return is_unparsed(type) && u->rule_type ? u->rule_type : type;
}

int
report_list(struct store *st, int pending_only, int json, FILE *out, char **errp)
{
	struct request_info *v;
	size_t n;
	time_t now = time(NULL);
	char a[32];
	struct table tb;

	if (store_request_list(st, pending_only, &v, &n, errp) == -1)
		return -1;
	table_init(&tb, "llllllrrl");
	table_row(&tb, "ID", "STATE", "TYPE", "CA", "DOMAIN", "ORDER", "COPIES", "AGE", "EXPECTED");
	for (size_t i = 0; i < n; i++) {
		struct request_info *r = &v[i];
		struct unparsed u = { 0 };
		if (unparsed_get(st, r, &u, errp) == -1) {
			for (; i < n; i++)
				request_info_free(&v[i]);
			free(v);
			return -1;
		}
		if (json) {
			json_t *o = request_json(r);
			unparsed_json(o, &u);
			put_json(out, o);
		} else {
			struct strv c = { 0 }; /* what a person reads goes through the sanitiser */
			const char *type = shown_type(r->type, &u);
			char id[24], copies[16], *dom = name_display(r->domain), *last;
			snprintf(id, sizeof(id), "%lld", (long long)r->id);
			snprintf(copies, sizeof(copies), "%d", r->copies);
			/* a malformed request says why after its last column */
			last = is_unparsed(r->type)
				       ? xasprintf("%s  %s: %s", r->expected ? "yes" : "no", text_clean_in(&c, r->type),
						   text_clean_in(&c, u.reason ? u.reason : "see dcvmail show"))
				       : xstrdup(r->expected ? "yes" : "no");
			table_row(&tb, id, text_clean_in(&c, r->state), type ? text_clean_in(&c, type) : "-",
				  r->ca ? text_clean_in(&c, r->ca) : "-", dom ? text_clean_in(&c, dom) : "-",
				  r->order ? text_clean_in(&c, r->order) : "-", copies,
				  fmt_age((long)(now - r->asked), a, sizeof(a)), last);
			free(last);
			free(dom);
			strv_free(&c);
		}
		unparsed_free(&u);
		request_info_free(r);
	}
	if (!json)
		table_print(&tb, out);
	else
		strv_free(&tb.cells);
	if (!json && n == 0)
		fprintf(out, "(no %srequests)\n", pending_only ? "pending " : "");
	free(v);
	return 0;
}

/* Every delivery of a message after its first (the same bytes to another
 * recipient, mailbox or role); JSON: all of them. */
static void
show_deliveries(const struct message_row *m, json_t *jm, FILE *out)
{
	char t[32];

	if (jm) {
		json_t *arr = json_array();
		for (size_t i = 0; i < m->n_deliveries; i++) {
			const struct delivery_row *d = &m->deliveries[i];
			json_t *o = json_object();
			json_object_set_new(o, "mailbox", json_string(d->mailbox));
			json_object_set_new(o, "role", json_string(d->role));
			json_object_set_new(o, "recipient", json_string(d->recipient));
			json_object_set_new(o, "seen", json_string(fmt_time(d->seen, t, sizeof(t))));
			json_array_append_new(arr, o);
		}
		json_object_set_new(jm, "deliveries", arr);
		return;
	}
	for (size_t i = 1; i < m->n_deliveries; i++) {
		const struct delivery_row *d = &m->deliveries[i];
		fprintf(out, "    also delivered %s to %s%s%s\n", fmt_local(d->seen, t, sizeof(t)), d->mailbox,
			*d->role ? " role=" : "", d->role);
	}
}

/* Why a message is what it is: its authentication result's reason and the
 * verdict's reasons (why suspicious, what was dropped, which limit hit). */
static void
show_why(const struct message_row *m, json_t *jm, FILE *out)
{
	struct strv c = { 0 };

	if (jm) {
		json_t *arr = json_array();
		json_object_set_new(jm, "auth_reason", json_string_or_null(m->auth_reason));
		for (size_t i = 0; i < m->n_reasons; i++)
			json_array_append_new(arr, json_string(m->reasons[i]));
		json_object_set_new(jm, "reasons", arr);
		return;
	}
	if (m->auth_reason && *m->auth_reason)
		fprintf(out, "    authentication: %s\n", text_clean_in(&c, m->auth_reason));
	for (size_t i = 0; i < m->n_reasons; i++)
		fprintf(out, "    ! %s\n", text_clean_in(&c, m->reasons[i]));
	strv_free(&c);
}

static void
show_messages(const struct request_detail *r, json_t *jo, FILE *out)
{
	json_t *arr = jo ? json_array() : NULL;
	char t[32];

	if (!jo)
		fprintf(out, "messages:\n");
	for (size_t i = 0; i < r->n_messages; i++) {
		const struct message_row *m = &r->messages[i];
		if (jo) {
			json_t *o = json_object();
			json_object_set_new(o, "id", json_integer(m->id));
			json_object_set_new(o, "received", json_string(fmt_time(m->received, t, sizeof(t))));
			json_object_set_new(o, "sent", json_string(fmt_time(m->sent, t, sizeof(t))));
			json_object_set_new(o, "mailbox", json_string(m->mailbox));
			json_object_set_new(o, "role", json_string(m->role));
			json_object_set_new(o, "recipient", json_string(m->recipient));
			json_object_set_new(o, "from", json_string(m->from));
			json_object_set_new(o, "subject", json_string(m->subject));
			json_object_set_new(o, "type", json_string(m->type));
			json_object_set_new(o, "rule_type", json_string(m->rule_type));
			json_object_set_new(o, "status", json_string(m->status));
			json_object_set_new(o, "status_reason", json_string_or_null(m->status_reason));
			json_object_set_new(o, "auth", json_string(m->auth));
			show_why(m, o, NULL);
			json_object_set_new(o, "sha256", json_string(m->sha256));
			json_object_set_new(o, "archive", json_string(m->archive_ok ? "ok" : "unusable"));
			json_object_set_new(o, "forwarded_by", json_string_or_null(m->forwarded_by));
			if (!m->archive_ok)
				json_object_set_new(o, "archive_error",
						    json_string(m->archive_error ? m->archive_error : "unreadable"));
			show_deliveries(m, o, out);
			json_array_append_new(arr, o);
		} else {
			struct strv c = { 0 };
			char ts[48];
			/* when it was sent, where that is more than an hour before it was recorded */
			if (m->sent && m->sent < m->received - 3600) {
				char t3[32];
				snprintf(ts, sizeof(ts), " (sent %s)", fmt_local(m->sent, t3, sizeof(t3)));
			} else
				ts[0] = '\0';
			fprintf(out, "  #%lld %s%s %s via %s %s%s%s auth=%s\n    from %s: %s\n    archive %s%s\n",
				(long long)m->id, fmt_local(m->received, t, sizeof(t)), ts, text_clean_in(&c, m->type),
				text_clean_in(&c, m->source), text_clean_in(&c, m->mailbox), *m->role ? " role=" : "",
				text_clean_in(&c, m->role), text_clean_in(&c, m->auth), text_clean_in(&c, m->from),
				text_clean_in(&c, m->subject), text_clean_in(&c, m->sha256),
				m->archive_ok ? "" : " UNUSABLE");
			if (m->status_reason)
				fprintf(out, "    %s %s mail: %s; never approved\n", text_clean_in(&c, m->status),
					text_clean_in(&c, m->rule_type), text_clean_in(&c, m->status_reason));
			show_why(m, NULL, out);
			if (m->forwarded_by) /* judge/forwarded.h */
				fprintf(out, "    forwarded by %s: never approved from this copy\n",
					text_clean_in(&c, m->forwarded_by));
			if (!m->archive_ok)
				fprintf(out, "    %s\n",
					text_clean_in(&c, m->archive_error ? m->archive_error
									   : "the archive file cannot be read"));
			strv_free(&c);
			show_deliveries(m, NULL, out);
		}
	}
	if (jo)
		json_object_set_new(jo, "messages", arr);
}

static void
show_actions(const struct request_detail *r, json_t *jo, FILE *out)
{
	json_t *arr = jo ? json_array() : NULL;
	char red[300];

	if (!jo)
		fprintf(out, "actions:\n");
	for (size_t i = 0; i < r->n_actions; i++) {
		const struct action_row *a = &r->actions[i];
		const char *state = !a->done ? "queued" : a->ok ? "done" : "failed";
		const char *target = a->target;
		if (!strncmp(target, "http", 4))
			target = log_redact_url(target, red, sizeof(red));
		if (jo) {
			json_t *o = json_object();
			json_object_set_new(o, "id", json_integer(a->id));
			json_object_set_new(o, "kind", json_string(a->kind));
			json_object_set_new(o, "target", json_string(target));
			json_object_set_new(o, "why", json_string(a->why));
			json_object_set_new(o, "attempts", json_integer(a->attempts));
			json_object_set_new(o, "state", json_string(state));
			json_object_set_new(o, "last_error", json_string(a->last_error));
			json_array_append_new(arr, o);
		} else {
			struct strv c = { 0 }; /* last_error holds a remote server's words */
			fprintf(out, "  %s %s %s (%d attempts)%s%s\n    why: %s\n", text_clean_in(&c, a->kind),
				text_clean_in(&c, target), state, a->attempts, *a->last_error ? ": " : "",
				text_clean_in(&c, a->last_error), text_clean_in(&c, a->why));
			strv_free(&c);
		}
	}
	if (jo)
		json_object_set_new(jo, "actions", arr);
}

static void
show_steps(const struct attempt_row *a, json_t *ja, FILE *out)
{
	json_t *arr = ja ? json_array() : NULL;
	char t[32];

	for (size_t i = 0; i < a->n_steps; i++) {
		const struct step_row *p = &a->steps[i];
		if (ja) {
			json_t *o = json_object();
			json_object_set_new(o, "at", json_string(fmt_time(p->at, t, sizeof(t))));
			json_object_set_new(o, "method", json_string(p->method));
			json_object_set_new(o, "url", json_string(p->url));
			json_object_set_new(o, "status",
					    p->answered && p->status ? json_integer(p->status) : json_null());
			json_object_set_new(o, "error", p->error ? json_string(p->error) : json_null());
			json_object_set_new(o, "answered", json_boolean(p->answered));
			json_array_append_new(arr, o);
		} else if (!p->answered)
			fprintf(out, "    %s %s %s: sent, no answer recorded\n", fmt_local(p->at, t, sizeof(t)),
				p->method, p->url);
		else if (p->status)
			fprintf(out, "    %s %s %s: HTTP %ld\n", fmt_local(p->at, t, sizeof(t)), p->method, p->url,
				p->status);
		else
			fprintf(out, "    %s %s %s: %s\n", fmt_local(p->at, t, sizeof(t)), p->method, p->url,
				p->error ? p->error : "");
	}
	if (ja)
		json_object_set_new(ja, "steps", arr);
}

/* Every approval attempt with its HTTP steps. An `approving` attempt whose
 * process is gone reads as interrupted even before a runner marks it. */
static void
show_attempts(const struct request_detail *r, json_t *jo, FILE *out)
{
	json_t *arr = jo ? json_array() : NULL;
	char t1[32], t2[32];

	for (size_t i = 0; i < r->n_attempts; i++) {
		const struct attempt_row *a = &r->attempts[i];
		const char *shown = a->outcome, *result = a->result;
		if (a->interrupted) {
			shown = "interrupted";
			result = "interrupted: its process stopped before the outcome was recorded (the next outbox run"
				 " marks it); check the CA's portal";
		}
		if (!jo && i == 0)
			fprintf(out, "approval attempts:\n");
		if (jo) {
			json_t *o = json_object(), *p = json_object();
			json_object_set_new(o, "id", json_integer(a->id));
			json_object_set_new(o, "outcome", json_string(shown));
			json_object_set_new(o, "started", json_string(fmt_time(a->started, t1, sizeof(t1))));
			json_object_set_new(o, "ended", json_time_or_null(a->ended));
			json_object_set_new(o, "who", json_string(a->who));
			json_object_set_new(p, "pid", json_integer(a->pid));
			json_object_set_new(p, "host", json_string(a->host));
			json_object_set_new(p, "boot_id", json_string(a->boot_id));
			json_object_set_new(o, "process", p);
			json_object_set_new(o, "result", *result ? json_string(result) : json_null());
			show_steps(a, o, NULL);
			json_array_append_new(arr, o);
		} else {
			fprintf(out, "  #%lld %s, started %s by %s (process %ld on %s)", (long long)a->id, shown,
				fmt_local(a->started, t1, sizeof(t1)), a->who, a->pid, a->host);
			if (a->ended)
				fprintf(out, ", ended %s", fmt_local(a->ended, t2, sizeof(t2)));
			fprintf(out, "%s%s\n", *result ? "\n    " : "", result);
			show_steps(a, NULL, out);
		}
	}
	if (jo)
		json_object_set_new(jo, "approval_attempts", arr);
}

int
report_show(struct store *st, int64_t id, int json, FILE *out, char **errp)
{
	struct request_detail d;
	const struct request_info *r = &d.req;
	int found;
	char t0[32], t1[32], t2[32];

	if (store_request_detail(st, id, &d, &found, errp) == -1)
		return -1;
	if (!found) {
		*errp = xasprintf("no request %lld (see dcvmail list)", (long long)id);
		return -1;
	}
	struct unparsed u = { 0 };
	if (unparsed_get(st, r, &u, errp) == -1) {
		request_detail_free(&d);
		return -1;
	}
	if (json) {
		json_t *o = request_json(r);
		unparsed_json(o, &u);
		show_messages(&d, o, out);
		show_actions(&d, o, out);
		show_attempts(&d, o, out);
		put_json(out, o);
	} else {
		struct strv c = { 0 };
		char *dom = name_display(r->domain); /* the A-label, and its Unicode form beside it */
		strv_add_owned(&c, dom ? text_clean(dom) : xstrdup("-"));
		free(dom);
		dom = c.v[c.n - 1];
		fprintf(out,
			"request %lld: %s %s from %s\n  domain %s, order %s\n  state %s%s%s%s%s\n"
			"  %d cop%s, asked %s, recorded %s to %s, %s\n  key %s\n",
			(long long)r->id, shown_type(r->type, &u) ? text_clean_in(&c, shown_type(r->type, &u)) : "-",
			is_unparsed(r->type) ? (!strcmp(r->type, "oversized") ? "request (OVERSIZED mail)"
									      : "request (MALFORMED mail)")
					     : "request",
			r->ca ? text_clean_in(&c, r->ca) : "-", dom, r->order ? text_clean_in(&c, r->order) : "-",
			text_clean_in(&c, r->state), r->state_by ? " by " : "",
			r->state_by ? text_clean_in(&c, r->state_by) : "", r->state_note ? ": " : "",
			r->state_note ? text_clean_in(&c, r->state_note) : "", r->copies, r->copies == 1 ? "y" : "ies",
			fmt_local(r->asked, t0, sizeof(t0)), fmt_local(r->first_seen, t1, sizeof(t1)),
			fmt_local(r->last_seen, t2, sizeof(t2)), r->expected ? "expected" : "NOT expected",
			text_clean_in(&c, r->key ? r->key : "-"));
		if (is_unparsed(r->type))
			fprintf(out, "  %s: %s; never approved, a person should read the mail\n",
				text_clean_in(&c, r->type),
				text_clean_in(&c, u.reason ? u.reason : "see its messages"));
		strv_free(&c);
		show_messages(&d, NULL, out);
		show_actions(&d, NULL, out);
		show_attempts(&d, NULL, out);
	}
	unparsed_free(&u);
	request_detail_free(&d);
	return 0;
}

int
report_domains(struct store *st, int json, int alert_hours, time_t now, FILE *out, char **errp)
{
	struct report_row *v;
	size_t n;
	char b1[32], b2[32], a[32];

	if (store_report_rows(st, now, &v, &n, errp) == -1)
		return -1;
	struct table tb;
	table_init(&tb, "llllll");
	table_row(&tb, "DOMAIN", "CA", "APPROVED", "REUSE-UNTIL", "PENDING", "OLDEST");
	for (size_t i = 0; i < n; i++) {
		const struct report_row *r = &v[i];
		time_t appr = r->approved, until = r->reuse_until, oldest = r->oldest;
		int pend = r->pending;
		int alert = pend > 0 && now - oldest > (time_t)alert_hours * 3600;
		if (json) {
			json_t *o = json_object();
			json_object_set_new(o, "domain", json_string(r->domain));
			json_object_set_new(o, "ca", json_string(r->ca));
			json_object_set_new(o, "last_approval", json_time_or_null(appr));
			json_object_set_new(o, "reuse_until", json_time_or_null(until));
			json_object_set_new(o, "revalidate_now", json_boolean(appr && until < now));
			json_object_set_new(o, "pending", json_integer(pend));
			json_object_set_new(o, "oldest_pending_hours",
					    pend ? json_integer((now - oldest) / 3600) : json_null());
			json_object_set_new(o, "alert", json_boolean(alert));
			put_json(out, o);
		} else {
			struct strv c = { 0 };
			char pn[16], *dom = name_display(r->domain), *last;
			snprintf(pn, sizeof(pn), "%d", pend);
			last = xasprintf("%s%s", pend ? fmt_age((long)(now - oldest), a, sizeof(a)) : "-",
					 alert		       ? "  ALERT: waiting too long"
					 : appr && until < now ? "  revalidate"
							       : "");
			table_row(&tb, text_clean_in(&c, dom), text_clean_in(&c, r->ca),
				  appr ? fmt_day(appr, b1, sizeof(b1)) : "never",
				  until ? fmt_day(until, b2, sizeof(b2)) : "-", pn, last);
			free(last);
			free(dom);
			strv_free(&c);
		}
	}
	if (!json)
		table_print(&tb, out);
	else
		strv_free(&tb.cells);
	if (!json && n == 0)
		fprintf(out, "(nothing recorded)\n");
	report_rows_free(v, n);
	return 0;
}
