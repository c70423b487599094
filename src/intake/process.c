/* process.c — the shared pipeline: parse, judge, plan, record. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "judge/judge.h"
#include "base/log.h"
#include "intake/process.h"
#include "base/util.h"

int
process_message(const struct process_ctx *ctx, const char *raw, size_t len, const struct envelope *env,
		struct process_result *out, char **errp)
{
	return process_message_spooled(ctx, raw, len, NULL, 0, env, out, errp);
}

int
process_message_spooled(const struct process_ctx *ctx, const char *raw, size_t len, const char *spooled_sha256,
			size_t spooled_size, const struct envelope *env, struct process_result *out, char **errp)
{
	struct message *m;

	memset(out, 0, sizeof(*out));
	verdict_init(&out->v);
	m = out->msg = message_parse(raw, len, &ctx->cfg->limits);
	if (m == NULL) {
		*errp = xstrdup("message parser failed");
		return -1;
	}
	if (spooled_sha256) {
		/* raw is a prefix: the message is known by all of its bytes */
		memcpy(m->sha256, spooled_sha256, 64);
		m->spooled = 1;
		m->spooled_size = spooled_size;
		if (m->status == MSG_OVERSIZED) {
			free(m->status_reason);
			m->status_reason = xasprintf("message of %zu bytes is over the %zu-byte limit", spooled_size,
						     ctx->cfg->limits.max_size);
		}
	}
	if (judge(ctx->cfg, ctx->rules, m, env, &out->v) == -1)
		log_debug("%s: classifier hit a limit", env && env->mailbox ? env->mailbox : "-");
	if (policy_plan(ctx->cfg, ctx->rules, ctx->st, m, &out->v, env, time(NULL), &out->plan, errp) == -1)
		return -1;
	if (ctx->dry_run || ctx->st == NULL)
		return 0;
	if (ctx->batch) /* recorded when the batch commits: process_recorded() */
		return store_batch_add(ctx->batch, m, &out->v, env, out->plan.actions, out->plan.n, &out->rec, errp);
	if (store_record(ctx->st, m, &out->v, env, out->plan.actions, out->plan.n, &out->rec, errp) == -1)
		return -1;
	process_recorded(out);
	return 0;
}

void
process_recorded(struct process_result *out)
{
	out->recorded = 1;
	if (out->rec.approve_withheld) /* the ledger queued a flag instead: say so */
		for (size_t i = 0; i < out->plan.n; i++)
			if (out->plan.actions[i].withheld_kind) {
				struct planned_action *a = &out->plan.actions[i];
				free(a->kind);
				free(a->target);
				free(a->why);
				a->kind = xstrdup(a->withheld_kind);
				a->withheld_kind = NULL;
				a->target = NULL;
				a->why = xstrdup(
					"not an expected order: its expectation was used by another request meanwhile");
			}
}

void
process_result_free(struct process_result *r)
{
	message_free(r->msg);
	verdict_free(&r->v);
	plan_free(&r->plan);
	memset(r, 0, sizeof(*r));
}
