/* forwarded.h — judging forwarded mail (dcvmail.rules(5), FORWARDED MAIL):
 * the inner CA message (mail/forward.h) is classified, the outer sender
 * decides trust. */
#ifndef DCVMAIL_FORWARDED_H
#define DCVMAIL_FORWARDED_H

#include "mail/message.h"
#include "judge/verdict.h"

struct config;
struct ruleset;

/* The field a forwarded copy's verdict carries: the outer sender. A verdict
 * with it is never approved (outbox/policy.c). */
#define FORWARDED_BY "forwarded-by"
/* The inner message's sender, as the forwarded copy shows it. */
#define FORWARDED_FROM "original-from"

/* Called by judge() after the outer message was judged into v. When m is
 * not from a CA's sender domain and carries a forwarded CA message, v is
 * replaced by the inner message's classification, with the FORWARDED_BY
 * field and a reason, authentication and phishing checks done on the outer
 * message. Returns 1 when v was replaced, 0 when not, -1 when the inner
 * classification hit a regex limit (v replaced all the same). */
int judge_forwarded(const struct config *, const struct ruleset *, const struct message *m, const struct envelope *env,
		    struct verdict *v);

#endif
