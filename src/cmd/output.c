/* output.c — one JSON object per processed message (the line is intake/result-line.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "intake/process.h"
#include "base/json.h"
#include "base/names.h"
#include "base/util.h"

void
print_result_json(FILE *f, const char *label, const struct process_result *r)
{
	const struct message *m = r->msg;
	const struct verdict *v = &r->v;
	json_t *o = json_object(), *fields = json_object(), *links = json_object();
	json_t *info = json_array(), *all = json_array(), *reasons = json_array();
	json_t *actions = json_array(), *auth = json_object();
	char *s;

	json_object_set_new(o, "file", json_string(label));
	json_object_set_new(o, "status", json_string(msg_status_name(m->status)));
	json_object_set_new(o, "status_reason", json_string_or_null(m->status_reason));
	json_object_set_new(o, "type", json_string(vtype_name(v->type)));
	json_object_set_new(o, "rule_type", json_string(vtype_name(v->rule_type)));
	json_object_set_new(o, "ca", json_string_or_null(v->ca));
	json_object_set_new(o, "rule", json_string_or_null(v->rule));
	json_object_set_new(o, "fallback", json_string_or_null(verdict_fallback(v)));
	json_object_set_new(o, "from", json_string_or_null(m->from));
	json_object_set_new(o, "from_display", json_string_or_null(m->from_display));
	json_object_set_new(o, "subject", json_string_or_null(m->subject));
	json_object_set_new(o, "message_id", json_string_or_null(m->message_id));
	json_object_set_new(o, "sha256", json_string(m->sha256));
	for (size_t i = 0; i < v->nfields; i++)
		json_object_set_new(fields, v->fields[i].name, json_string(v->fields[i].value));
	json_object_set_new(o, "fields", fields);
	json_object_set_new(o, "forwarded_by", json_string_or_null(verdict_field(v, "forwarded-by")));
	json_object_set_new(links, "approve", json_string_or_null(v->approve_link));
	json_object_set_new(links, "reject", json_string_or_null(v->reject_link));
	for (size_t i = 0; i < v->ninfo; i++)
		json_array_append_new(info, json_string(v->info_links[i]));
	json_object_set_new(links, "info", info);
	for (size_t i = 0; i < m->nlinks; i++)
		json_array_append_new(all, json_string(m->links[i].url));
	json_object_set_new(links, "all", all);
	json_object_set_new(o, "links", links);
	json_object_set_new(o, "dedup_key", json_string_or_null(v->dedup_key));
	json_object_set_new(auth, "result", json_string(auth_status_name(v->auth)));
	json_object_set_new(auth, "reason", json_string_or_null(v->auth_reason));
	json_object_set_new(auth, "domain", json_string_or_null(v->auth_domain));
	json_object_set_new(o, "auth", auth);
	for (size_t i = 0; i < v->nreasons; i++)
		json_array_append_new(reasons, json_string(v->reasons[i]));
	json_object_set_new(o, "reasons", reasons);
	for (size_t i = 0; i < r->plan.n; i++) {
		json_t *a = json_object();
		json_object_set_new(a, "kind", json_string(r->plan.actions[i].kind));
		json_object_set_new(a, "target", json_string_or_null(r->plan.actions[i].target));
		json_object_set_new(a, "why", json_string_or_null(r->plan.actions[i].why));
		json_array_append_new(actions, a);
	}
	json_object_set_new(o, "actions", actions);
	if (r->recorded) {
		json_t *rec = json_object();
		json_object_set_new(rec, "message_id", json_integer(r->rec.message_id));
		json_object_set_new(rec, "request_id", json_integer(r->rec.request_id));
		json_object_set_new(rec, "duplicate", json_boolean(r->rec.duplicate));
		json_object_set_new(rec, "new_request", json_boolean(r->rec.new_request));
		json_object_set_new(rec, "copies", json_integer(r->rec.copies));
		json_object_set_new(rec, "expected", json_boolean(r->rec.expected));
		json_object_set_new(o, "recorded", rec);
	}
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII * 0 | JSON_PRESERVE_ORDER);
	if (s) {
		fputs(s, f);
		fputc('\n', f);
		free(s);
	}
	json_decref(o);
}
