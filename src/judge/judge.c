/* judge.c — the one judgement of a message (judge.h) and which verdicts
 * make a request. */
#include <stdlib.h>

#include "judge/judge.h"
#include "judge/auth.h"
#include "judge/forwarded.h"
#include "judge/rules.h"
#include "base/util.h"

/* A message that could not be parsed within the limits is kept and never
 * acted on: its type says so, the rule's type stays in rule_type. */
static void
mark_unparsed(const struct message *m, struct verdict *v)
{
	enum vtype t = m->status == MSG_OVERSIZED ? VT_OVERSIZED : VT_MALFORMED;

	if (v->type != VT_SUSPICIOUS) /* a suspicious verdict keeps the rule's type already */
		v->rule_type = v->type;
	v->type = t;
	verdict_add_reason(v, "%s: %s", msg_status_name(m->status),
			   m->status_reason ? m->status_reason : "limit exceeded");
}

int
judge(const struct config *cfg, const struct ruleset *rs, const struct message *m, const struct envelope *env,
      struct verdict *v)
{
	int rc = 0;

	if (m->status != MSG_OVERSIZED) {
		rc = classify(rs, m, env, v);
		auth_evaluate(m, cfg, rs, env, v);
		auth_check_phishing(m, cfg, rs, env, v);
		if (judge_forwarded(cfg, rs, m, env, v) == -1) /* a forwarded copy: its inner CA message */
			rc = -1;
	}
	if (m->status != MSG_OK)
		mark_unparsed(m, v);
	return rc;
}

int
judge_creates_request(enum vtype t)
{
	return t == VT_DCV || t == VT_EV_INTENT || t == VT_DOCUMENTS || t == VT_REMINDER || t == VT_ISSUED;
}

char *
judge_request_key(const struct verdict *v)
{
	enum vtype t = v->type == VT_SUSPICIOUS || v->type == VT_MALFORMED ? v->rule_type : v->type;

	if (!judge_creates_request(t) || v->dedup_key == NULL || v->ca == NULL)
		return NULL;
	if (v->type == VT_SUSPICIOUS || v->type == VT_MALFORMED)
		return xasprintf("%s:%s", vtype_name(v->type), v->dedup_key);
	return xstrdup(v->dedup_key);
}
