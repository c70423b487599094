/* policy.h — verdict + expectations + config -> planned actions (DESIGN.md 5). */
#ifndef DCVMAIL_POLICY_H
#define DCVMAIL_POLICY_H

#include <stddef.h>
#include <time.h>
#include "ledger/store.h"
#include "judge/verdict.h"

struct config;
struct ruleset;

struct plan {
	struct planned_action *actions;
	size_t n;
};
void plan_add(struct plan *, const char *kind, const char *target, const char *why);
void plan_free(struct plan *);

/* Plan actions for a verdict. st may be NULL (dry run without a ledger: no
 * expectation can match). Never plans approve unless every condition of
 * DESIGN.md section 5 holds; each failed condition becomes a plain-words reason
 * in the forward's why. Returns 0, -1 on store error (errp set). */
int policy_plan(const struct config *, const struct ruleset *, struct store *st, const struct message *,
		const struct verdict *, const struct envelope *, time_t now, struct plan *out, char **errp);

/* Every reason v may not be approved, in plain words joined by "; " into why;
 * returns how many (0: approve), -1 on store error. person: a person asked
 * (`dcvmail approve ID`): no expectation or auto-approve needed, EV allowed. */
struct buf;
int policy_approval_problems(const struct config *, const struct ruleset *, struct store *, const struct verdict *,
			     time_t now, int person, struct buf *why, char **errp);
/* The same, one problem per entry appended to out. */
struct strv;
int policy_approval_problem_list(const struct config *, const struct ruleset *, struct store *, const struct verdict *,
				 time_t now, int person, struct strv *out, char **errp);
/* What a person reads first, each reason once in plain words: v's reasons
 * (two that differ only in what is imitated count once), then the
 * approval problems (may be NULL) that none of them says already ("the mail
 * is suspicious", the sender's authentication, the approval link). Appended
 * to out. */
void policy_reasons_once(const struct verdict *v, const struct strv *problems, struct strv *out);

/* The one predicate that decides whether url may be requested for the
 * approval of v: the mail's link, every redirect target and every form target
 * pass it before anything is sent there. All on the url_normalize()d form:
 * not v's reject link nor any of reject_links (the reject links of the other
 * messages of the request; may be NULL), matching no `link reject` pattern
 * of any rule of v's CA, https, no user-info, no IP literal, a host at or
 * under one of the CA's link-host names. Returns NULL if fine, else a static
 * reason. */
struct strv;
const char *policy_url_problem(const struct ruleset *, const struct verdict *, const struct strv *reject_links,
			       const char *url);
/* policy_url_problem() without other messages' reject links. */
const char *policy_link_problem(const struct ruleset *, const struct verdict *, const char *url);

#endif
