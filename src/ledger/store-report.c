/* store-report.c — list, show and report: what a person reads from the ledger. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/json.h"
#include "base/log.h"
#include "base/util.h"
#include "store-int.h"

static const char *
age(time_t t, time_t now, char *buf, size_t len)
{
	long d = (long)(now - t);

	if (d < 3600)
		snprintf(buf, len, "%ldm", d / 60);
	else if (d < 2 * 86400)
		snprintf(buf, len, "%ldh", d / 3600);
	else
		snprintf(buf, len, "%ldd", d / 86400);
	return buf;
}

static const char *
day(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}

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

int
store_list(struct store *st, int pending_only, int json, FILE *out, char **errp)
{
	struct request_info *v;
	size_t n;
	time_t now = time(NULL);
	char a[32];

	if (store_request_list(st, pending_only, &v, &n, errp) == -1)
		return -1;
	if (!json)
		fprintf(out, "%-5s %-10s %-10s %-11s %-28s %-16s %6s %5s %s\n", "ID", "STATE", "TYPE", "CA", "DOMAIN",
			"ORDER", "COPIES", "AGE", "EXPECTED");
	for (size_t i = 0; i < n; i++) {
		struct request_info *r = &v[i];
		if (json)
			put_json(out, request_json(r));
		else {
			struct strv c = { 0 }; /* what a person reads goes through the sanitiser */
			fprintf(out, "%-5lld %-10s %-10s %-11s %-28s %-16s %6d %5s %s\n", (long long)r->id,
				text_clean_in(&c, r->state), r->type ? text_clean_in(&c, r->type) : "-",
				r->ca ? text_clean_in(&c, r->ca) : "-", r->domain ? text_clean_in(&c, r->domain) : "-",
				r->order ? text_clean_in(&c, r->order) : "-", r->copies,
				age(r->first_seen, now, a, sizeof(a)), r->expected ? "yes" : "no");
			strv_free(&c);
		}
		request_info_free(r);
	}
	if (!json && n == 0)
		fprintf(out, "(no %srequests)\n", pending_only ? "pending " : "");
	free(v);
	return 0;
}

/* Every delivery of message mid after its first (the same bytes to another
 * recipient, mailbox or role); JSON: all of them. */
static void
show_deliveries(struct store *st, int64_t mid, json_t *jm, FILE *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT mailbox, role, recipient, seen FROM request_copies"
					    " WHERE message_id = ? ORDER BY rowid");
	json_t *arr = json_array();
	char t[32];
	int n = 0;

	if (s == NULL) {
		json_decref(arr);
		return;
	}
	sqlite3_bind_int64(s, 1, mid);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (jm) {
			json_t *d = json_object();
			json_object_set_new(d, "mailbox", json_string(col_text(s, 0)));
			json_object_set_new(d, "role", json_string(col_text(s, 1)));
			json_object_set_new(d, "recipient", json_string(col_text(s, 2)));
			json_object_set_new(d, "seen", json_string(fmt_time(sqlite3_column_int64(s, 3), t, sizeof(t))));
			json_array_append_new(arr, d);
		} else if (n > 0)
			fprintf(out, "    also delivered %s to %s%s%s\n",
				fmt_time(sqlite3_column_int64(s, 3), t, sizeof(t)), col_text(s, 0),
				*col_text(s, 1) ? " role=" : "", col_text(s, 1));
		n++;
	}
	sqlite3_finalize(s);
	if (jm)
		json_object_set_new(jm, "deliveries", arr);
	else
		json_decref(arr);
}

static void
show_copies(struct store *st, int64_t id, json_t *jo, FILE *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT m.id, m.received, m.mailbox, m.role, m.recipient, m.from_addr,"
					    " m.subject, m.type, m.auth, m.sha256, m.source, m.reasons"
					    " FROM messages m WHERE m.request_id = ? ORDER BY m.id");
	json_t *arr = json_array();
	char t[32];

	if (s == NULL)
		return;
	sqlite3_bind_int64(s, 1, id);
	if (!jo)
		fprintf(out, "messages:\n");
	while (sqlite3_step(s) == SQLITE_ROW) {
		char *aerr = NULL;
		size_t alen;
		/* the archive file is checked against its name, as actions do */
		int aok = store_archive_verify(st, col_text(s, 9), &alen, &aerr) == 0;
		if (jo) {
			json_t *m = json_object();
			json_object_set_new(m, "id", json_integer(sqlite3_column_int64(s, 0)));
			json_object_set_new(m, "received",
					    json_string(fmt_time(sqlite3_column_int64(s, 1), t, sizeof(t))));
			json_object_set_new(m, "mailbox", json_string(col_text(s, 2)));
			json_object_set_new(m, "role", json_string(col_text(s, 3)));
			json_object_set_new(m, "recipient", json_string(col_text(s, 4)));
			json_object_set_new(m, "from", json_string(col_text(s, 5)));
			json_object_set_new(m, "subject", json_string(col_text(s, 6)));
			json_object_set_new(m, "type", json_string(col_text(s, 7)));
			json_object_set_new(m, "auth", json_string(col_text(s, 8)));
			json_object_set_new(m, "sha256", json_string(col_text(s, 9)));
			json_object_set_new(m, "archive", json_string(aok ? "ok" : "unusable"));
			if (!aok)
				json_object_set_new(m, "archive_error", json_string(aerr ? aerr : "unreadable"));
			show_deliveries(st, sqlite3_column_int64(s, 0), m, out);
			json_array_append_new(arr, m);
		} else {
			struct strv c = { 0 };
			fprintf(out, "  #%lld %s %s via %s %s%s%s auth=%s\n    from %s: %s\n    archive %s%s\n",
				(long long)sqlite3_column_int64(s, 0),
				fmt_time(sqlite3_column_int64(s, 1), t, sizeof(t)), text_clean_in(&c, col_text(s, 7)),
				text_clean_in(&c, col_text(s, 10)), text_clean_in(&c, col_text(s, 2)),
				*col_text(s, 3) ? " role=" : "", text_clean_in(&c, col_text(s, 3)),
				text_clean_in(&c, col_text(s, 8)), text_clean_in(&c, col_text(s, 5)),
				text_clean_in(&c, col_text(s, 6)), text_clean_in(&c, col_text(s, 9)),
				aok ? "" : " UNUSABLE");
			if (!aok)
				fprintf(out, "    %s\n",
					text_clean_in(&c, aerr ? aerr : "the archive file cannot be read"));
			strv_free(&c);
			show_deliveries(st, sqlite3_column_int64(s, 0), NULL, out);
		}
		free(aerr);
	}
	sqlite3_finalize(s);
	if (jo)
		json_object_set_new(jo, "messages", arr);
	else
		json_decref(arr);
}

static void
show_actions(struct store *st, int64_t id, json_t *jo, FILE *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, kind, target, why, attempts, done, ok, last_error"
					    " FROM outbox WHERE request_id = ? ORDER BY id");
	json_t *arr = json_array();
	char r[300];

	if (s == NULL)
		return;
	sqlite3_bind_int64(s, 1, id);
	if (!jo)
		fprintf(out, "actions:\n");
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *state = !sqlite3_column_int(s, 5) ? "queued" : sqlite3_column_int(s, 6) ? "done" : "failed";
		const char *target = col_text(s, 2);
		if (!strncmp(target, "http", 4))
			target = log_redact_url(target, r, sizeof(r));
		if (jo) {
			json_t *a = json_object();
			json_object_set_new(a, "id", json_integer(sqlite3_column_int64(s, 0)));
			json_object_set_new(a, "kind", json_string(col_text(s, 1)));
			json_object_set_new(a, "target", json_string(target));
			json_object_set_new(a, "why", json_string(col_text(s, 3)));
			json_object_set_new(a, "attempts", json_integer(sqlite3_column_int(s, 4)));
			json_object_set_new(a, "state", json_string(state));
			json_object_set_new(a, "last_error", json_string(col_text(s, 7)));
			json_array_append_new(arr, a);
		} else {
			struct strv c = { 0 }; /* last_error holds a remote server's words */
			fprintf(out, "  %s %s %s (%d attempts)%s%s\n    why: %s\n", text_clean_in(&c, col_text(s, 1)),
				text_clean_in(&c, target), state, sqlite3_column_int(s, 4), *col_text(s, 7) ? ": " : "",
				text_clean_in(&c, col_text(s, 7)), text_clean_in(&c, col_text(s, 3)));
			strv_free(&c);
		}
	}
	sqlite3_finalize(s);
	if (jo)
		json_object_set_new(jo, "actions", arr);
	else
		json_decref(arr);
}

static void
show_steps(struct store *st, int64_t attempt, json_t *ja, FILE *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT at, method, url, status, error FROM attempt_steps"
					    " WHERE attempt_id = ? ORDER BY id");
	json_t *arr = json_array();
	char t[32];

	if (s == NULL) {
		json_decref(arr);
		return;
	}
	sqlite3_bind_int64(s, 1, attempt);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int answered = sqlite3_column_type(s, 3) != SQLITE_NULL;
		long status = (long)sqlite3_column_int64(s, 3);
		if (ja) {
			json_t *o = json_object();
			json_object_set_new(o, "at", json_string(fmt_time(sqlite3_column_int64(s, 0), t, sizeof(t))));
			json_object_set_new(o, "method", json_string(col_text(s, 1)));
			json_object_set_new(o, "url", json_string(col_text(s, 2)));
			json_object_set_new(o, "status", answered && status ? json_integer(status) : json_null());
			json_object_set_new(o, "error",
					    sqlite3_column_type(s, 4) != SQLITE_NULL ? json_string(col_text(s, 4))
										     : json_null());
			json_object_set_new(o, "answered", json_boolean(answered));
			json_array_append_new(arr, o);
		} else if (!answered)
			fprintf(out, "    %s %s %s: sent, no answer recorded\n",
				fmt_time(sqlite3_column_int64(s, 0), t, sizeof(t)), col_text(s, 1), col_text(s, 2));
		else if (status)
			fprintf(out, "    %s %s %s: HTTP %ld\n", fmt_time(sqlite3_column_int64(s, 0), t, sizeof(t)),
				col_text(s, 1), col_text(s, 2), status);
		else
			fprintf(out, "    %s %s %s: %s\n", fmt_time(sqlite3_column_int64(s, 0), t, sizeof(t)),
				col_text(s, 1), col_text(s, 2), col_text(s, 4));
	}
	sqlite3_finalize(s);
	if (ja)
		json_object_set_new(ja, "steps", arr);
	else
		json_decref(arr);
}

/* Every approval attempt with its HTTP steps. An `approving` attempt whose
 * process is gone reads as interrupted even before a runner marks it. */
static void
show_attempts(struct store *st, int64_t id, json_t *jo, FILE *out)
{
	sqlite3_stmt *s =
		store_prepare(st, "SELECT id, started, ended, outcome, result, who, pid, pid_start, host,"
				  " boot_id, lease_until FROM approval_attempts WHERE request_id = ? ORDER BY id");
	json_t *arr = json_array();
	char t1[32], t2[32];
	int rows = 0;

	if (s == NULL) {
		json_decref(arr);
		return;
	}
	sqlite3_bind_int64(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *outcome = col_text(s, 3), *shown = outcome;
		long pid = (long)sqlite3_column_int64(s, 6);
		time_t started = sqlite3_column_int64(s, 1), ended = sqlite3_column_int64(s, 2);
		const char *result = col_text(s, 4);
		if (!strcmp(outcome, "approving") &&
		    (sqlite3_column_int64(s, 10) <= time(NULL) ||
		     store_attempt_process_gone(pid, sqlite3_column_int64(s, 7), col_text(s, 8), col_text(s, 9)))) {
			shown = "interrupted";
			result = "interrupted: its process stopped before the outcome was recorded (the next outbox run"
				 " marks it); check the CA's portal";
		}
		if (!jo && rows++ == 0)
			fprintf(out, "approval attempts:\n");
		if (jo) {
			json_t *a = json_object(), *p = json_object();
			json_object_set_new(a, "id", json_integer(sqlite3_column_int64(s, 0)));
			json_object_set_new(a, "outcome", json_string(shown));
			json_object_set_new(a, "started", json_string(fmt_time(started, t1, sizeof(t1))));
			json_object_set_new(a, "ended", json_time_or_null(ended));
			json_object_set_new(a, "who", json_string(col_text(s, 5)));
			json_object_set_new(p, "pid", json_integer(pid));
			json_object_set_new(p, "host", json_string(col_text(s, 8)));
			json_object_set_new(p, "boot_id", json_string(col_text(s, 9)));
			json_object_set_new(a, "process", p);
			json_object_set_new(a, "result", *result ? json_string(result) : json_null());
			show_steps(st, sqlite3_column_int64(s, 0), a, NULL);
			json_array_append_new(arr, a);
		} else {
			fprintf(out, "  #%lld %s, started %s by %s (process %ld on %s)",
				(long long)sqlite3_column_int64(s, 0), shown, fmt_time(started, t1, sizeof(t1)),
				col_text(s, 5), pid, col_text(s, 8));
			if (ended)
				fprintf(out, ", ended %s", fmt_time(ended, t2, sizeof(t2)));
			fprintf(out, "%s%s\n", *result ? "\n    " : "", result);
			show_steps(st, sqlite3_column_int64(s, 0), NULL, out);
		}
	}
	sqlite3_finalize(s);
	if (jo)
		json_object_set_new(jo, "approval_attempts", arr);
	else
		json_decref(arr);
}

int
store_request_show(struct store *st, int64_t id, int json, FILE *out, char **errp)
{
	struct request_info r;
	int found;
	char t1[32], t2[32];

	if (store_request_get(st, id, &r, &found, errp) == -1)
		return -1;
	if (!found) {
		*errp = xasprintf("no request %lld (see dcvmail list)", (long long)id);
		return -1;
	}
	if (json) {
		json_t *o = request_json(&r);
		show_copies(st, id, o, out);
		show_actions(st, id, o, out);
		show_attempts(st, id, o, out);
		put_json(out, o);
	} else {
		struct strv c = { 0 };
		fprintf(out,
			"request %lld: %s %s from %s\n  domain %s, order %s\n  state %s%s%s%s%s\n"
			"  %d cop%s, first %s, last %s, %s\n  key %s\n",
			(long long)r.id, r.type ? text_clean_in(&c, r.type) : "-", "request",
			r.ca ? text_clean_in(&c, r.ca) : "-", r.domain ? text_clean_in(&c, r.domain) : "-",
			r.order ? text_clean_in(&c, r.order) : "-", text_clean_in(&c, r.state),
			r.state_by ? " by " : "", r.state_by ? text_clean_in(&c, r.state_by) : "",
			r.state_note ? ": " : "", r.state_note ? text_clean_in(&c, r.state_note) : "", r.copies,
			r.copies == 1 ? "y" : "ies", fmt_time(r.first_seen, t1, sizeof(t1)),
			fmt_time(r.last_seen, t2, sizeof(t2)), r.expected ? "expected" : "NOT expected",
			text_clean_in(&c, r.key ? r.key : "-"));
		strv_free(&c);
		show_copies(st, id, NULL, out);
		show_actions(st, id, NULL, out);
		show_attempts(st, id, NULL, out);
	}
	request_info_free(&r);
	return 0;
}

/* Per domain and CA: last approval, reuse deadline, pending requests. */
int
store_report(struct store *st, int json, int alert_hours, time_t now, FILE *out, char **errp)
{
	sqlite3_stmt *s = store_prepare(
		st,
		"SELECT d.domain, d.ca,"
		" (SELECT max(approved_at) FROM validations v WHERE v.domain = d.domain AND v.ca = d.ca),"
		" (SELECT max(reuse_until) FROM validations v WHERE v.domain = d.domain AND v.ca = d.ca),"
		" (SELECT count(*) FROM requests r WHERE r.domain = d.domain AND r.ca = d.ca"
		"   AND r.state IN ('pending', 'forwarded') AND NOT (r.type = 'dcv' AND r.first_seen < ?1 - 2592000)),"
		" (SELECT min(first_seen) FROM requests r WHERE r.domain = d.domain AND r.ca = d.ca"
		"   AND r.state IN ('pending', 'forwarded') AND NOT (r.type = 'dcv' AND r.first_seen < ?1 - 2592000))"
		" FROM (SELECT DISTINCT domain, ca FROM requests WHERE domain IS NOT NULL AND ca IS NOT NULL"
		"       AND key NOT LIKE 'suspicious:%' AND key NOT LIKE 'malformed:%'"
		"       UNION SELECT domain, ca FROM validations) d ORDER BY d.domain, d.ca");
	char b1[32], b2[32], a[32];
	int rows = 0;

	if (s == NULL) {
		*errp = store_errmsg(st, "report");
		return -1;
	}
	sqlite3_bind_int64(s, 1, now);
	if (!json)
		fprintf(out, "%-28s %-11s %-11s %-12s %-8s %s\n", "DOMAIN", "CA", "APPROVED", "REUSE-UNTIL", "PENDING",
			"OLDEST");
	while (sqlite3_step(s) == SQLITE_ROW) {
		time_t appr = sqlite3_column_int64(s, 2), until = sqlite3_column_int64(s, 3);
		int pend = sqlite3_column_int(s, 4);
		time_t oldest = sqlite3_column_int64(s, 5);
		int alert = pend > 0 && now - oldest > (time_t)alert_hours * 3600;
		rows++;
		if (json) {
			json_t *o = json_object();
			json_object_set_new(o, "domain", json_string(col_text(s, 0)));
			json_object_set_new(o, "ca", json_string(col_text(s, 1)));
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
			fprintf(out, "%-28s %-11s %-11s %-12s %-8d %s%s\n", text_clean_in(&c, col_text(s, 0)),
				text_clean_in(&c, col_text(s, 1)), appr ? day(appr, b1, sizeof(b1)) : "never",
				until ? day(until, b2, sizeof(b2)) : "-", pend,
				pend ? age(oldest, now, a, sizeof(a)) : "-",
				alert		      ? "  ALERT: waiting too long"
				: appr && until < now ? "  revalidate"
						      : "");
			strv_free(&c);
		}
	}
	sqlite3_finalize(s);
	if (!json && rows == 0)
		fprintf(out, "(nothing recorded)\n");
	return 0;
}
