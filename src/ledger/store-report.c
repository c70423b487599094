/* store-report.c — what `list`, `show` and `report` read from the ledger, as
 * plain data (the commands format it). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/util.h"
#include "store-int.h"

#define GROW(arr, n) ((arr) = xreallocarray((arr), (n) + 1, sizeof(*(arr))), &(arr)[(n)++])

static char *
col_copy(sqlite3_stmt *s, int i)
{
	return xstrdup(col_text(s, i));
}

static int
read_deliveries(struct store *st, struct message_row *m, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT mailbox, role, recipient, seen FROM request_copies"
					    " WHERE message_id = ? ORDER BY rowid");

	if (s == NULL) {
		*errp = store_errmsg(st, "show");
		return -1;
	}
	sqlite3_bind_int64(s, 1, m->id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct delivery_row *d = GROW(m->deliveries, m->n_deliveries);
		d->mailbox = col_copy(s, 0);
		d->role = col_copy(s, 1);
		d->recipient = col_copy(s, 2);
		d->seen = sqlite3_column_int64(s, 3);
	}
	sqlite3_finalize(s);
	return 0;
}

/* The reason judge() gave for a malformed or oversized message ("malformed:
 * no closing boundary"), from the stored reasons (a JSON array), without
 * its "status: " prefix; NULL when the message parsed or none says so. */
static char *
status_reason(const char *status, const char *reasons)
{
	json_t *a = reasons ? json_loads(reasons, 0, NULL) : NULL;
	size_t n = status ? strlen(status) : 0, i;
	json_t *e;
	char *r = NULL;

	if (n == 0 || !strcmp(status, "ok") || !json_is_array(a)) {
		json_decref(a);
		return NULL;
	}
	json_array_foreach(a, i, e)
	{
		const char *t = json_string_value(e);
		if (r == NULL && t && !strncmp(t, status, n) && t[n] == ':' && t[n + 1] == ' ')
			r = xstrdup(t + n + 2);
	}
	json_decref(a);
	return r;
}

int
store_request_unparsed(struct store *st, int64_t id, char **rule_type, char **status, char **reason, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT rule_type, status, reasons FROM messages WHERE request_id = ?"
					    " ORDER BY id LIMIT 1");

	*rule_type = *status = *reason = NULL;
	if (s == NULL) {
		*errp = store_errmsg(st, "list");
		return -1;
	}
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *t = col_text(s, 0);
		*rule_type = *t && strcmp(t, "unknown") ? xstrdup(t) : NULL;
		*status = col_copy(s, 1);
		*reason = status_reason(*status, col_text(s, 2));
	}
	sqlite3_finalize(s);
	return 0;
}

/* A message's authentication reason and the reasons of its verdict (stored
 * as a JSON array of strings; anything else in the column is skipped). */
static int
read_message_why(struct store *st, struct message_row *m, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT auth_reason, reasons FROM messages WHERE id = ?");
	json_t *a = NULL;

	if (s == NULL) {
		*errp = store_errmsg(st, "show");
		return -1;
	}
	sqlite3_bind_int64(s, 1, m->id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(s, 1);
		m->auth_reason = col_dup(s, 0);
		if (r && (a = json_loads(r, 0, NULL)) != NULL && json_is_array(a))
			for (size_t i = 0; i < json_array_size(a); i++) {
				const char *t = json_string_value(json_array_get(a, i));
				if (t)
					*GROW(m->reasons, m->n_reasons) = xstrdup(t);
			}
		json_decref(a);
	}
	sqlite3_finalize(s);
	return 0;
}

static int
read_messages(struct store *st, struct request_detail *r, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT m.id, m.received, m.mailbox, m.role, m.recipient, m.from_addr,"
					    " m.subject, m.type, m.auth, m.sha256, m.source, m.reasons,"
					    " m.rule_type, m.status, COALESCE(m.sent, m.received),"
					    " json_extract(m.fields, '$.\"forwarded-by\"')"
					    " FROM messages m WHERE m.request_id = ? ORDER BY m.id");
	int rc = 0;

	if (s == NULL) {
		*errp = store_errmsg(st, "show");
		return -1;
	}
	sqlite3_bind_int64(s, 1, r->req.id);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		struct message_row *m = GROW(r->messages, r->n_messages);
		size_t alen;
		memset(m, 0, sizeof(*m));
		m->id = sqlite3_column_int64(s, 0);
		m->received = sqlite3_column_int64(s, 1);
		m->mailbox = col_copy(s, 2);
		m->role = col_copy(s, 3);
		m->recipient = col_copy(s, 4);
		m->from = col_copy(s, 5);
		m->subject = col_copy(s, 6);
		m->type = col_copy(s, 7);
		m->auth = col_copy(s, 8);
		m->sha256 = col_copy(s, 9);
		m->source = col_copy(s, 10);
		m->rule_type = col_copy(s, 12);
		m->status = col_copy(s, 13);
		m->status_reason = status_reason(m->status, col_text(s, 11));
		m->sent = sqlite3_column_int64(s, 14);
		m->forwarded_by = sqlite3_column_type(s, 15) == SQLITE_NULL ? NULL : col_copy(s, 15);
		/* the archive file is checked against its name, as actions do */
		m->archive_ok = store_archive_verify(st, m->sha256, &alen, &m->archive_error) == 0;
		if (m->archive_ok) {
			free(m->archive_error);
			m->archive_error = NULL;
		}
		rc = read_deliveries(st, m, errp);
		if (rc == 0)
			rc = read_message_why(st, m, errp);
	}
	sqlite3_finalize(s);
	return rc;
}

static int
read_actions(struct store *st, struct request_detail *r, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, kind, target, why, attempts, done, ok, last_error"
					    " FROM outbox WHERE request_id = ? ORDER BY id");

	if (s == NULL) {
		*errp = store_errmsg(st, "show");
		return -1;
	}
	sqlite3_bind_int64(s, 1, r->req.id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct action_row *a = GROW(r->actions, r->n_actions);
		a->id = sqlite3_column_int64(s, 0);
		a->kind = col_copy(s, 1);
		a->target = col_copy(s, 2);
		a->why = col_copy(s, 3);
		a->attempts = sqlite3_column_int(s, 4);
		a->done = sqlite3_column_int(s, 5);
		a->ok = sqlite3_column_int(s, 6);
		a->last_error = col_copy(s, 7);
	}
	sqlite3_finalize(s);
	return 0;
}

static int
read_steps(struct store *st, struct attempt_row *a, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT at, method, url, status, error FROM attempt_steps"
					    " WHERE attempt_id = ? ORDER BY id");

	if (s == NULL) {
		*errp = store_errmsg(st, "show");
		return -1;
	}
	sqlite3_bind_int64(s, 1, a->id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct step_row *p = GROW(a->steps, a->n_steps);
		p->at = sqlite3_column_int64(s, 0);
		p->method = col_copy(s, 1);
		p->url = col_copy(s, 2);
		p->answered = sqlite3_column_type(s, 3) != SQLITE_NULL;
		p->status = (long)sqlite3_column_int64(s, 3);
		p->error = col_dup(s, 4);
	}
	sqlite3_finalize(s);
	return 0;
}

/* An `approving` attempt whose process is gone (or whose lease ran out) is
 * marked interrupted even before a runner reaps it. */
static int
read_attempts(struct store *st, struct request_detail *r, char **errp)
{
	sqlite3_stmt *s =
		store_prepare(st, "SELECT id, started, ended, outcome, result, who, pid, pid_start, host,"
				  " boot_id, lease_until FROM approval_attempts WHERE request_id = ? ORDER BY id");
	int rc = 0;

	if (s == NULL) {
		*errp = store_errmsg(st, "show");
		return -1;
	}
	sqlite3_bind_int64(s, 1, r->req.id);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		struct attempt_row *a = GROW(r->attempts, r->n_attempts);
		memset(a, 0, sizeof(*a));
		a->id = sqlite3_column_int64(s, 0);
		a->started = sqlite3_column_int64(s, 1);
		a->ended = sqlite3_column_int64(s, 2);
		a->outcome = col_copy(s, 3);
		a->result = col_copy(s, 4);
		a->who = col_copy(s, 5);
		a->pid = (long)sqlite3_column_int64(s, 6);
		a->host = col_copy(s, 8);
		a->boot_id = col_copy(s, 9);
		a->interrupted = !strcmp(a->outcome, "approving") &&
				 (sqlite3_column_int64(s, 10) <= time(NULL) ||
				  store_attempt_process_gone(a->pid, sqlite3_column_int64(s, 7), a->host, a->boot_id));
		rc = read_steps(st, a, errp);
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_request_detail(struct store *st, int64_t id, struct request_detail *out, int *found, char **errp)
{
	memset(out, 0, sizeof(*out));
	if (store_request_get(st, id, &out->req, found, errp) == -1)
		return -1;
	if (!*found)
		return 0;
	if (read_messages(st, out, errp) == -1 || read_actions(st, out, errp) == -1 ||
	    read_attempts(st, out, errp) == -1) {
		request_detail_free(out);
		*found = 0;
		return -1;
	}
	return 0;
}

void
request_detail_free(struct request_detail *r)
{
	for (size_t i = 0; i < r->n_messages; i++) {
		struct message_row *m = &r->messages[i];
		for (size_t j = 0; j < m->n_deliveries; j++) {
			free(m->deliveries[j].mailbox);
			free(m->deliveries[j].role);
			free(m->deliveries[j].recipient);
		}
		free(m->deliveries);
		free(m->mailbox);
		free(m->role);
		free(m->recipient);
		free(m->from);
		free(m->subject);
		free(m->type);
		free(m->auth);
		free(m->sha256);
		free(m->source);
		free(m->rule_type);
		free(m->status);
		free(m->status_reason);
		free(m->archive_error);
		free(m->auth_reason);
		for (size_t j = 0; j < m->n_reasons; j++)
			free(m->reasons[j]);
		free(m->reasons);
		free(m->forwarded_by);
	}
	free(r->messages);
	for (size_t i = 0; i < r->n_actions; i++) {
		free(r->actions[i].kind);
		free(r->actions[i].target);
		free(r->actions[i].why);
		free(r->actions[i].last_error);
	}
	free(r->actions);
	for (size_t i = 0; i < r->n_attempts; i++) {
		struct attempt_row *a = &r->attempts[i];
		for (size_t j = 0; j < a->n_steps; j++) {
			free(a->steps[j].method);
			free(a->steps[j].url);
			free(a->steps[j].error);
		}
		free(a->steps);
		free(a->outcome);
		free(a->result);
		free(a->who);
		free(a->host);
		free(a->boot_id);
	}
	free(r->attempts);
	request_info_free(&r->req);
	memset(r, 0, sizeof(*r));
}

/* Per domain and CA: last approval, reuse deadline, pending requests. */
int
store_report_rows(struct store *st, time_t now, struct report_row **out, size_t *n, char **errp)
{
	sqlite3_stmt *s = store_prepare(
		st,
		"SELECT d.domain, d.ca,"
		" (SELECT max(approved_at) FROM validations v WHERE v.domain = d.domain AND v.ca = d.ca),"
		" (SELECT max(reuse_until) FROM validations v WHERE v.domain = d.domain AND v.ca = d.ca),"
		" (SELECT count(*) FROM requests r WHERE r.domain = d.domain AND r.ca = d.ca"
		"   AND r.state IN ('pending', 'forwarded')"
		"   AND NOT (r.type = 'dcv' AND COALESCE(r.asked, r.first_seen) < ?1 - 2592000)),"
		" (SELECT min(COALESCE(asked, first_seen)) FROM requests r WHERE r.domain = d.domain AND r.ca = d.ca"
		"   AND r.state IN ('pending', 'forwarded')"
		"   AND NOT (r.type = 'dcv' AND COALESCE(r.asked, r.first_seen) < ?1 - 2592000))"
		" FROM (SELECT DISTINCT domain, ca FROM requests WHERE domain IS NOT NULL AND ca IS NOT NULL"
		"       AND key NOT LIKE 'suspicious:%' AND key NOT LIKE 'malformed:%'"
		"       UNION SELECT domain, ca FROM validations) d ORDER BY d.domain, d.ca");

	*out = NULL;
	*n = 0;
	if (s == NULL) {
		*errp = store_errmsg(st, "report");
		return -1;
	}
	sqlite3_bind_int64(s, 1, now);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct report_row *r = GROW(*out, *n);
		r->domain = col_copy(s, 0);
		r->ca = col_copy(s, 1);
		r->approved = sqlite3_column_int64(s, 2);
		r->reuse_until = sqlite3_column_int64(s, 3);
		r->pending = sqlite3_column_int(s, 4);
		r->oldest = sqlite3_column_int64(s, 5);
	}
	sqlite3_finalize(s);
	return 0;
}

void
report_rows_free(struct report_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].domain);
		free(v[i].ca);
	}
	free(v);
}
