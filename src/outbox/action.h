/* action.h — actions run by the outbox worker. One file per action, one table entry. */
#ifndef DCVMAIL_ACTION_H
#define DCVMAIL_ACTION_H

#include <time.h>
#include "mail/message.h"
#include "judge/rules.h"
#include "ledger/store.h"
#include "judge/verdict.h"

struct config;
struct ruleset;

struct action_ctx {
	const struct config *cfg;
	const struct ruleset *rules;
	struct store *st;
	int dry_run;
	double deadline; /* now_mono() value after which no new network work starts; 0: none */
};

enum action_status { ACTION_OK = 0, ACTION_RETRY, ACTION_FAIL };

struct action_def {
	const char *kind; /* "forward", "redirect", "notify", "approve" */
	enum action_status (*run)(const struct action_ctx *, const struct outbox_item *, char **result);
};
const struct action_def *action_find(const char *kind);

/* The request's first message as archived (raw bytes). 0, or -1 with *result. */
int action_read_archive(const struct action_ctx *, const struct outbox_item *, char **raw, size_t *len,
			char **result);

/* The request's first message, from the archive, judged again. */
struct action_subject {
	char *raw;
	size_t rawlen;
	struct message *m;
	struct verdict v;
	const struct ca_def *ca; /* NULL when no CA rule knows the mail */
};
int action_load(const struct action_ctx *, const struct outbox_item *, struct action_subject *, char **result);
void action_subject_free(struct action_subject *);

/* The stable identity of one queued action of one request (hex of
 * SHA-256 over the request key and the outbox id): a forward's Message-ID
 * and a webhook's delivery id, the same when the action is repeated after
 * a crash, so a receiver can drop the repeat. */
#define ACTION_ID_LEN 32
void action_identity(const struct outbox_item *, const char *request_key, char out[ACTION_ID_LEN + 1]);

/* Follow the request's approval link behind every guardrail (person: as
 * `dcvmail approve ID`, without the expectation and auto-approve conditions)
 * and record who approved. */
enum action_status approve_follow(const struct action_ctx *, const struct outbox_item *, int person,
				  const char *who, char **result);

/* The approval's trace (action-attempt.c). approve_attempt_begin commits an
 * `approving` attempt before anything is sent: 0, or -1 with *st and
 * *result when it must not start. approve_attempt_http is http_request()
 * with the step recorded before and completed after; approve_attempt_end
 * records the outcome. */
struct http;
struct http_resp;
int approve_attempt_begin(const struct action_ctx *, const struct outbox_item *, int person, const char *who,
			  int64_t *attempt, enum action_status *st, char **result);
int approve_attempt_http(const struct action_ctx *, int64_t attempt, struct http *, const char *method,
			 const char *url, const char *body, size_t len, const char *const *headers,
			 struct http_resp *resp);
void approve_attempt_end(const struct action_ctx *, int64_t attempt, enum action_status, const char *result);

/* Run due outbox items until none is due or the deadline passes. Returns the
 * number of items run, -1 on store error. */
int outbox_run(const struct action_ctx *, char **errp);

#endif
