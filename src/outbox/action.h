/* action.h — actions run by the outbox worker. One file per action, one table entry. */
#ifndef DCVMAIL_ACTION_H
#define DCVMAIL_ACTION_H

#include <time.h>
#include "mail/message.h"
#include "judge/rules.h"
#include "ledger/store.h"
#include "judge/verdict.h"
#include "config.h"
#include "outbox/smtp.h"

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

/* What a mail server's answer means for the action that sent it. */
static inline enum action_status
action_of_smtp(enum smtp_status s)
{
	return s == SMTP_SENT ? ACTION_OK : s == SMTP_RETRY ? ACTION_RETRY : ACTION_FAIL;
}

/* What an action does to its request when it is done. */
enum action_effect {
	ACTION_EFFECT_NONE,	 /* notify: a webhook is told */
	ACTION_EFFECT_FORWARDED, /* a person has the mail: pending becomes forwarded */
	ACTION_EFFECT_APPROVED,	 /* approve: the request is approved (it records that itself) */
	ACTION_EFFECT_PERSON,	 /* flag: the request needs a person */
};

/* One action kind. Each action-NAME.c exports one, and outbox.c's table
 * lists them: the config's route keyword (kind, config.h), the run
 * function, what it does to the request. Config, policy and the outbox
 * look a kind up by its name here; adding an action is one new file and
 * one table line. */
struct action_def {
	struct action_kind kind; /* first: config.h's part (name, route syntax, needs) */
	enum action_status (*run)(const struct action_ctx *, const struct outbox_item *, char **result);
	enum action_effect effect;
	int tells_why; /* its message carries the plan's why to a person: sent again, saying so, when
			* an interrupted approval leaves the request to a person (store_attempts_reap) */
};
/* the two kinds policy plans by itself (every kind: outbox.c's ACTIONS) */
extern const struct action_def action_approve, action_flag;
/* By name ("forward"), NULL when unknown; action_at(i) is the i-th, NULL past the end. */
const struct action_def *action_find(const char *name);
const struct action_def *action_at(size_t i);
/* action_at for config_load (struct config_ops): the kinds' config.h part. */
const struct action_kind *action_kind_at(size_t i);
/* The ledger's view of the kinds (struct reap_kinds, for an interrupted
 * approval), filled from the table. */
#define ACTIONS_MAX 16
struct action_reap {
	const char *tell[ACTIONS_MAX + 1], *reach[ACTIONS_MAX + 1];
	struct reap_kinds k;
};
void action_reap_kinds(struct action_reap *);

/* What an action acts on: a request, by reference. A queued action's is
 * its outbox row's (action_ref); a person's decision (`dcvmail approve ID`)
 * names the request and its first message itself. The envelope is the
 * message's, read back from the ledger by action_load. */
struct request_ref {
	int64_t request_id;
	const char *message_sha256; /* the request's first message, archived */
};
struct request_ref action_ref(const struct outbox_item *);

/* The message sha256 names, as archived (raw bytes). 0, or -1 with *result. */
int action_read_archive(const struct action_ctx *, const char *sha256, char **raw, size_t *len, char **result);

/* The request's first message, from the archive, judged again. */
struct action_subject {
	char *raw;
	size_t rawlen;
	struct message *m;
	struct verdict v;
	const struct ca_def *ca; /* NULL when no CA rule knows the mail */
};
int action_load(const struct action_ctx *, const struct request_ref *, struct action_subject *, char **result);
void action_subject_free(struct action_subject *);

/* The stable identity of one queued action of one request (hex of
 * SHA-256 over the request key and the outbox id): a forward's Message-ID
 * and a webhook's delivery id, the same when the action is repeated after
 * a crash, so a receiver can drop the repeat. */
#define ACTION_ID_LEN 32
void action_identity(const struct outbox_item *, const char *request_key, char out[ACTION_ID_LEN + 1]);

/* Follow the request's approval link behind every guardrail and record who
 * approved. queued: the outbox row of an automatic approval; NULL when a
 * person asked (`dcvmail approve ID`: without the expectation and
 * auto-approve conditions). */
enum action_status approve_follow(const struct action_ctx *, const struct request_ref *,
				  const struct outbox_item *queued, const char *who, char **result);

/* The approval's trace (action-attempt.c). approve_attempt_begin commits an
 * `approving` attempt before anything is sent: 0, or -1 with *st and
 * *result when it must not start. approve_attempt_http is http_request()
 * with the step recorded before and completed after; approve_attempt_end
 * records the outcome. */
struct http;
struct http_resp;
int approve_attempt_begin(const struct action_ctx *, const struct request_ref *, int64_t outbox_id, int person,
			  const char *who, int64_t *attempt, enum action_status *st, char **result);
int approve_attempt_http(const struct action_ctx *, int64_t attempt, struct http *, const char *method, const char *url,
			 const char *body, size_t len, const char *const *headers, struct http_resp *resp);
void approve_attempt_end(const struct action_ctx *, int64_t attempt, enum action_status, const char *result);

/* An unstructured header "Name: value" (no CRLF after it): folded, or RFC
 * 2047-encoded when it is not plain ASCII (action-forward.c). */
struct buf;
void header_unstructured(struct buf *, const char *name, const char *value);

/* h-alert: the head of a plain-text mail dcvmail writes itself (an alert,
 * a digest) to it->target: From, To, Date, a Message-ID that is the same
 * when the outbox row is sent again (from key and the row), Subject,
 * Auto-Submitted and the text/plain part's headers; the body follows. */
char *action_mail_head(const struct action_ctx *, const struct outbox_item *, const char *key, const char *subject);
/* Queue what the outbox tells a person unasked (outbox-alerts.c): the
 * pending alerts (pending-alert, pending-alert-mail) and, from the digest
 * time on, today's digest of overdue orders per recipient. Run by `dcvmail
 * outbox` and the watcher before their outbox runs, not by the pipe.
 * Returns the number of rows queued, -1 on store error. */
int outbox_alerts(const struct action_ctx *, time_t now, char **errp);

/* Run due outbox items until none is due or the deadline passes. Returns the
 * number of items run, -1 on store error. */
int outbox_run(const struct action_ctx *, char **errp);

#endif
