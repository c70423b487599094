/* judge.h — the one judgement of a message: classification (rules),
 * sender authentication, phishing checks, the inner message of a forwarded
 * copy (judge/forwarded.h) and the malformed/oversized marking, in that
 * order. Every intake calls it when a message comes in,
 * and every action calls it again on the archived message (with the
 * envelope the ledger kept), so both see the same verdict under the same
 * rules. */
#ifndef DCVMAIL_JUDGE_H
#define DCVMAIL_JUDGE_H

#include "mail/message.h"
#include "judge/verdict.h"

struct config;
struct ruleset;

/* Judge m, which came in by env (NULL: an unknown intake, nothing is
 * trusted and role conditions never hold), into v (verdict_init'ed and
 * empty). An oversized message is not classified (its body was not
 * parsed): it stays oversized; a malformed one is classified, then marked
 * malformed with the rule's type kept in v->rule_type. Returns 0, or -1
 * when the classifier hit a regex limit (v is still complete: unknown,
 * with a reason saying so). */
int judge(const struct config *, const struct ruleset *, const struct message *m, const struct envelope *env,
	  struct verdict *v);

/* Does a mail of this type make a request (a row the admin acts on)? */
int judge_creates_request(enum vtype);
/* The request key of a verdict (allocated), or NULL when it makes no
 * request. A suspicious or malformed copy never joins a genuine request:
 * it gets a key of its own. A forwarded copy that passes the CA's checks
 * keeps the CA's key: it joins the request, never approved (policy.c). */
char *judge_request_key(const struct verdict *);

#endif
