/* logline.c — the one log line per message (logline.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "intake/logline.h"
#include "outbox/policy.h"

#define REASON_MAX 300 /* bytes of one reason in the log */
#define HOST_END "/?#@ \t\r\n\"'<>()[],;"

/* Is the field a secret a log must not hold (the approval code, a token)? */
static int
secret_field(const char *name)
{
	return strstr(name, "code") || strstr(name, "token") || strstr(name, "secret") || strstr(name, "pin") ||
	       strstr(name, "password");
}

/* The length of the secret value at s, 0 when none starts there. */
static size_t
secret_at(const char *s, const struct verdict *v)
{
	for (size_t i = 0; v && i < v->nfields; i++) {
		const char *val = v->fields[i].value;
		size_t n = val ? strlen(val) : 0;
		if (n >= 4 && secret_field(v->fields[i].name) && !strncmp(s, val, n))
			return n;
	}
	return 0;
}

void
logline_scrub(struct buf *b, const char *s, const struct verdict *v)
{
	while (s && *s) {
		size_t n;
		if (!strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8) || !strncasecmp(s, "hxxp", 4)) {
			const char *h = strstr(s, "://"), *e;
			if (h == NULL) { /* "hxxp" without :// is a word */
				buf_addc(b, *s++);
				continue;
			}
			h += 3;
			for (e = h; *e && !strchr(HOST_END, *e); e++)
				;
			if (*e == '@') /* user-info: the host comes after it */
				for (h = ++e; *e && !strchr(HOST_END, *e); e++)
					;
			buf_printf(b, "[link to %.*s]", (int)(e - h), h);
			while (*e && !strchr(" \t\r\n\"'<>()", *e))
				e++;
			s = e;
		} else if ((n = secret_at(s, v)) > 0) {
			buf_adds(b, "[code]");
			s += n;
		} else { /* one line: a line break or tab is a space */
			buf_addc(b, *s == '"' ? '\'' : *s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
			s++;
		}
	}
}

static const char *
outcome(const struct process_result *r, int dry_run)
{
	if (dry_run)
		return "dry-run";
	if (!r->recorded)
		return "not-recorded";
	if (r->rec.duplicate)
		return "seen-before";
	if (r->rec.request_id)
		return r->rec.new_request ? "new-request" : "copy";
	return "recorded";
}

void
logline_message(struct buf *b, const char *id, const struct process_result *r, const struct envelope *env, int dry_run)
{
	const struct verdict *v = &r->v;
	const char *dom = verdict_field(v, "domain");
	struct strv reasons = { 0 };

	buf_printf(b, "%s: ", id && *id ? id : "NOQUEUE");
	if (r->recorded && r->rec.request_id)
		buf_printf(b, "request=%lld", (long long)r->rec.request_id);
	else
		buf_adds(b, "request=-");
	buf_adds(b, " domain=");
	if (dom && *dom)
		logline_scrub(b, dom, v);
	else
		buf_adds(b, "-");
	buf_printf(b, " %s %s/%s %s role=%s actions=", vtype_name(v->type), v->ca ? v->ca : "-",
		   v->rule ? v->rule : "-", outcome(r, dry_run), env && env->role ? env->role : "-");
	for (size_t i = 0; i < r->plan.n; i++)
		buf_printf(b, "%s%s", i ? "," : "", r->plan.actions[i].kind);
	if (r->plan.n == 0)
		buf_adds(b, "none");
	if (r->msg)
		buf_printf(b, " sha256=%s", r->msg->sha256);
	/* each reason once, as a person reads them in the forward */
	policy_reasons_once(v, NULL, &reasons);
	for (size_t i = 0; i < reasons.n; i++) {
		char cut[REASON_MAX + 1];
		size_t n = strlen(reasons.v[i]);
		if (n > REASON_MAX) /* on a character boundary */
			for (n = REASON_MAX; n > 0 && ((unsigned char)reasons.v[i][n] & 0xc0) == 0x80; n--)
				;
		memcpy(cut, reasons.v[i], n);
		cut[n] = '\0';
		buf_adds(b, i ? "; " : " reason=\"");
		logline_scrub(b, cut, v);
	}
	if (reasons.n)
		buf_addc(b, '"');
	strv_free(&reasons);
}

void
logline_deferral(struct buf *b, const char *id, const char *why, const char *detail)
{
	buf_printf(b, "%s: deferred: ", id && *id ? id : "NOQUEUE");
	logline_scrub(b, why, NULL);
	if (detail && *detail) {
		buf_adds(b, ": ");
		logline_scrub(b, detail, NULL);
	}
}

void
logline_log(const char *id, const struct process_result *r, const struct envelope *env, int dry_run)
{
	struct buf b;

	buf_init(&b, 0);
	logline_message(&b, id, r, env, dry_run);
	log_info("%s", b.data ? b.data : "");
	buf_free(&b);
}
