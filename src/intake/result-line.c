/* result-line.c — the one-line summary of a processed message that `check`
 * and `watch --once` print (process.h): label, type, CA/rule, From, Subject,
 * domain, order, auth, the links, what the ledger did, and the reasons. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/names.h"
#include "base/util.h"
#include "process.h"

/* Print s on one line through the sanitiser (text_clean), at most max bytes. */
static void
put_clean(FILE *f, const char *s, size_t max)
{
	char *c = text_clean_max(s, max);

	fputs(c, f);
	free(c);
}

void
print_result_line(FILE *f, const char *label, const struct process_result *r, int show_links)
{
	const struct message *m = r->msg;
	const struct verdict *v = &r->v;
	const char *dom = verdict_field(v, "domain");

	put_clean(f, label, SIZE_MAX);
	/* malformed mail keeps its meaning: the rule's type, then the status */
	if ((v->type == VT_MALFORMED || v->type == VT_OVERSIZED) && v->rule_type != VT_UNKNOWN &&
	    v->rule_type != v->type)
		fprintf(f, "\t%s (%s)", vtype_name(v->rule_type), vtype_name(v->type));
	else
		fprintf(f, "\t%s", vtype_name(v->type));
	if (v->ca)
		fprintf(f, "\t%s/%s", v->ca, v->rule ? v->rule : "-");
	else
		fputs("\t-", f);
	fputc('\t', f);
	put_clean(f, m->from && *m->from ? m->from : "(no from)", 80);
	fputs("\t", f);
	put_clean(f, m->subject && *m->subject ? m->subject : "(no subject)", 120);
	if (dom) {
		char *shown = name_display(dom); /* the A-label, the Unicode form beside it */
		fputs("\tdomain=", f);
		put_clean(f, shown, 300);
		free(shown);
	}
	if (verdict_field(v, "order")) {
		fputs("\torder=", f);
		put_clean(f, verdict_field(v, "order"), 80);
	}
	if (verdict_field(v, "forwarded-by")) { /* a forwarded copy (judge/forwarded.h) */
		fputs("\tforwarded-by=", f);
		put_clean(f, verdict_field(v, "forwarded-by"), 200);
	}
	if (v->type != VT_UNKNOWN || v->auth != AUTH_NONE)
		fprintf(f, "\tauth=%s", auth_status_name(v->auth));
	if (show_links) {
		size_t shown = 0;
		if (v->approve_link) {
			fputs("\tapprove=", f);
			put_clean(f, v->approve_link, 200);
			shown++;
		}
		for (size_t i = 0; i < m->nlinks && shown < 2; i++) {
			if ((v->approve_link && !strcmp(m->links[i].url, v->approve_link)) ||
			    (v->reject_link && !strcmp(m->links[i].url, v->reject_link)))
				continue;
			fputs("\t", f);
			put_clean(f, m->links[i].url, 200);
			shown++;
		}
	}
	if (r->recorded)
		fprintf(f, "\t%s",
			r->rec.duplicate    ? "seen-before"
			: r->rec.request_id ? (r->rec.new_request ? "new-request" : "copy")
					    : "recorded");
	fputc('\n', f);
	for (size_t i = 0; i < v->nreasons; i++) {
		fputs("\t! ", f);
		put_clean(f, v->reasons[i], 300);
		fputc('\n', f);
	}
}
