/* report-sunset.c — `report --sunset`: for each domain validated by email,
 * until when that validation may be reused and whether the next one can
 * still be made by email (ballots SC-080, SC-081, SC-090). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/json.h"
#include "base/util.h"
#include "cmd/report.h"
#include "judge/reuse.h"
#include "ledger/orders.h"

static const char NON_MAIL[] = "a DNS TXT change (BR 3.2.2.4.7), a persistent _validation-persist TXT record "
			       "(3.2.2.4.22), or a file over HTTP (3.2.2.4.18)";

/* Of the roles the request's mail reached, the method whose email route
 * lasts longest: the CA may have used any of them. */
static time_t
method_of(const char *roles, const char **method, const char **section)
{
	time_t end = 0;
	char *copy = xstrdup(roles), *save = NULL;

	for (char *r = strtok_r(copy, ", ", &save); r; r = strtok_r(NULL, ", ", &save)) {
		const char *m, *s;
		time_t e = email_dcv_end(r, &m, &s);
		if (e > end)
			end = e, *method = m, *section = s;
	}
	free(copy);
	if (end == 0)
		end = email_dcv_end(NULL, method, section);
	return end;
}

int
report_sunset(struct store *st, int json, time_t now, FILE *out, char **errp)
{
	struct sunset_row *v;
	size_t n;
	char b1[32], b2[32], b3[32], next[160];

	if (store_sunset_rows(st, &v, &n, errp) == -1)
		return -1;
	if (!json)
		fprintf(out, "%-28s %-11s %-20s %-10s %-11s %-10s %s\n", "DOMAIN", "CA", "METHOD", "VALIDATED",
			"REUSE-UNTIL", "EMAIL-ENDS", "NEXT VALIDATION");
	for (size_t i = 0; i < n; i++) {
		const struct sunset_row *r = &v[i];
		const char *method, *section;
		time_t end = method_of(r->roles, &method, &section);
		int gone = now >= end, next_by_mail = !gone && r->reuse_until < end;
		if (gone)
			snprintf(next, sizeof(next), "not by email: the method ended %s", fmt_day(end, b3, sizeof(b3)));
		else if (!next_by_mail)
			snprintf(next, sizeof(next), "due %s: not by email (it ends %s)",
				 fmt_day(r->reuse_until, b3, sizeof(b3)), fmt_day(end, b1, sizeof(b1)));
		else
			snprintf(next, sizeof(next), "due %s: by email still allowed%s",
				 fmt_day(r->reuse_until, b3, sizeof(b3)),
				 now >= EMAIL_DCV_DISCOURAGED ? " (SHOULD NOT since 2026-03-15)" : "");
		if (json) {
			json_t *o = json_object();
			json_object_set_new(o, "domain", json_string(r->domain));
			json_object_set_new(o, "ca", json_string(r->ca));
			json_object_set_new(o, "method", json_string(method));
			json_object_set_new(o, "br_section", json_string(section));
			json_object_set_new(o, "mailbox_roles", json_string(r->roles));
			json_object_set_new(o, "validated", json_time_or_null(r->approved));
			json_object_set_new(o, "reuse_until", json_time_or_null(r->reuse_until));
			json_object_set_new(o, "email_method_ends", json_time_or_null(end));
			json_object_set_new(o, "next_by_email", json_boolean(next_by_mail));
			json_object_set_new(o, "next", json_string(next));
			char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
			if (s)
				fprintf(out, "%s\n", s);
			free(s);
			json_decref(o);
		} else {
			struct strv c = { 0 };
			fprintf(out, "%-28s %-11s %-20s %-10s %-11s %-10s %s\n", text_clean_in(&c, r->domain),
				text_clean_in(&c, r->ca), method, fmt_day(r->approved, b1, sizeof(b1)),
				fmt_day(r->reuse_until, b2, sizeof(b2)), fmt_day(end, b3, sizeof(b3)), next);
			strv_free(&c);
		}
	}
	if (!json) {
		if (n == 0)
			fprintf(out, "(no domain validated by email recorded)\n");
		else
			fprintf(out, "Validations that cannot be made by email again need %s.\n", NON_MAIL);
	}
	sunset_rows_free(v, n);
	return 0;
}
