/* action-attempt.c — the approval's trace in the ledger, and the rule that
 * makes it at most once (store-attempt.c): an attempt is committed before
 * the first byte goes to the CA, every HTTP step is recorded before it is
 * sent and completed with what came back, and the outcome closes it. */
#include <stdlib.h>
#include <string.h>

#include "outbox/action.h"
#include "config.h"
#include "outbox/http.h"
#include "base/log.h"
#include "base/util.h"

#define ATTEMPT_LEASE_MIN 300

int
approve_attempt_begin(const struct action_ctx *ax, const struct request_ref *req, int64_t outbox_id, int person,
		      const char *who, int64_t *attempt, enum action_status *st, char **result)
{
	/* long enough for every request of one approval to time out */
	int lease = ax->cfg->approve_timeout * 12 + 60, r;
	char *refused = NULL, *err = NULL;
	struct action_reap kinds;

	if (lease < ATTEMPT_LEASE_MIN)
		lease = ATTEMPT_LEASE_MIN;
	action_reap_kinds(&kinds);
	r = store_attempt_begin(ax->st, req->request_id, outbox_id, who, person, lease, &kinds.k, attempt, &refused,
				&err);
	if (r == -1) {
		*result = xasprintf("the approval attempt cannot be recorded, so nothing is sent: %s", err);
		*st = ACTION_RETRY;
		free(err);
		return -1;
	}
	if (*attempt == 0) {
		*result = refused ? refused : xstrdup("not approved: nothing requested");
		*st = r == 1 ? ACTION_RETRY : ACTION_FAIL;
		return -1;
	}
	free(refused);
	return 0;
}

void
approve_attempt_end(const struct action_ctx *ax, int64_t attempt, enum action_status st, const char *result)
{
	char *err = NULL;

	if (attempt <= 0)
		return;
	/* not closed, the attempt reads as interrupted later: a person looks */
	if (store_attempt_end(ax->st, attempt, st == ACTION_OK ? "approved" : "failed", result, &err) == -1) {
		log_warnx("approval attempt #%lld: %s", (long long)attempt, err);
		free(err);
	}
}

int
approve_attempt_http(const struct action_ctx *ax, int64_t attempt, struct http *h, const char *method, const char *url,
		     const char *body, size_t len, const char *const *headers, struct http_resp *resp)
{
	char w[256], *err = NULL;
	int64_t step = 0;
	int r;

	if (attempt > 0 &&
	    store_attempt_step(ax->st, attempt, method, log_redact_url(url, w, sizeof(w)), &step, &err) == -1) {
		log_warnx("approval attempt #%lld: %s", (long long)attempt, err);
		free(err);
		err = NULL;
	}
	r = http_request(h, method, url, body, len, headers, resp);
	if (step > 0 && store_attempt_step_done(ax->st, step, r == -1 ? 0 : resp->status, r == -1 ? resp->error : NULL,
						&err) == -1) {
		log_warnx("approval attempt #%lld: %s", (long long)attempt, err);
		free(err);
	}
	return r;
}
