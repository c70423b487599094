/* orders.h — what each certificate order still waits for, made from the
 * requests of the ledger (one per CA request: DCV per domain, EV intent,
 * documents, the issued notice) and the steps a person marked done outside
 * mail (`dcvmail done`, `dcvmail cancel`, kept in order_events, never
 * rewritten). */
#ifndef DCVMAIL_ORDERS_H
#define DCVMAIL_ORDERS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ledger/store.h"

/* The states of a step, in the order they are reported. */
enum step_state {
	STEP_NOT_ASKED = 0, /* no mail asked for it (yet) */
	STEP_ASKED,	    /* the CA asked; nobody answered */
	STEP_DONE,	    /* answered: approved (by dcvmail or a person), marked done, or implied by issuance */
	STEP_EXPIRED,	    /* asked, and the CA's link or code is no longer valid */
	STEP_REFUSED,	    /* a person rejected the request */
	STEP_NOT_NEEDED,    /* a person said this order needs no such step */
};
const char *step_state_name(enum step_state);

struct order_step {
	char *name; /* "dcv www.example.jp", "intent", "documents", "issued" */
	enum step_state state;
	time_t asked;	    /* 0: never */
	time_t decided;	    /* when it became done/refused/not needed, 0 if not */
	char *by;	    /* who: "dcvmail (automatic)", a login, "the CA (issued)"; NULL */
	char *note;	    /* NULL */
	int64_t request_id; /* the request behind it, 0 for a step only a person recorded */
};

struct order_event {
	time_t at;
	char *kind; /* "mail", "state", "done", "not-needed", "cancel" */
	char *text; /* one line a person reads */
	char *who;  /* NULL for mail */
};

struct order {
	char *ca;
	char *order_id;	 /* NULL: mail that carries no order id, joined by domain */
	char *ref;	 /* how commands name it: "digicert:48213377", "digicert:@www.example.jp" */
	char *ambiguous; /* NULL, or the refs of the open orders order-less mail could belong to */
	int cancelled, issued;
	time_t asked; /* the earliest mail of the order */
	struct order_step *steps;
	size_t nsteps;
	char *routed; /* the forward recipients of its requests, ", "-joined, or NULL */
	int64_t *request_ids;
	size_t nrequests;
	struct order_event *events; /* with store_orders(.., history = 1) only, oldest first */
	size_t nevents;
};

/* Every order (all = 0: only open ones: not issued, not cancelled), the
 * oldest first. With history, each carries its events. */
int store_orders(struct store *, time_t now, int all, int history, struct order **out, size_t *n, char **errp);
void orders_free(struct order *, size_t n);
/* The order ref names: "CA:ORDER", "CA:@DOMAIN", or a bare ORDER id that
 * exactly one CA uses. Returns its index in v, -1 with *errp when none or
 * several. */
long orders_find(const struct order *v, size_t n, const char *ref, char **errp);
/* Record a person's step: state "done" or "not-needed" for step (intent,
 * documents, issued, or "dcv DOMAIN"), or "cancel" (step NULL). Appends;
 * never changes what is recorded. */
int store_order_mark(struct store *, const struct order *, const char *step, const char *state, const char *who,
		     const char *note, char **errp);

/* Inside the recording transaction of an issued notice (request notice) of
 * ca's order_id: the order's DCV requests (one per name) that are pending,
 * forwarded, approved or expired become issued, as the one request of the
 * order did when the notice joined it. Returns an SQLite code (SQLITE_DONE). */
int store_order_issued(struct store *, const char *ca, const char *order_id, int64_t notice, time_t now);

/* `report --sunset`: per domain and CA, the latest validation and the
 * mailbox roles its mail reached (constructed, txt, whois, approver...). */
struct sunset_row {
	char *domain, *ca;
	char *roles; /* ", "-joined, "" when unknown */
	time_t approved, reuse_until;
};
int store_sunset_rows(struct store *, struct sunset_row **out, size_t *n, char **errp);
/* The latest email validation recorded for one request (*found = 0: none,
 * e.g. a step a person marked done, or one not approved yet). */
int store_sunset_request(struct store *, int64_t request_id, struct sunset_row *out, int *found, char **errp);
void sunset_rows_free(struct sunset_row *, size_t n);

#endif
