/* process.h — the shared pipeline: parse, judge (judge/judge.h), plan, record.
 * Every intake (check, pipe, watch) calls process_message(). */
#ifndef DCVMAIL_PROCESS_H
#define DCVMAIL_PROCESS_H

#include <stddef.h>
#include <stdio.h>
#include "config.h"
#include "mail/message.h"
#include "outbox/policy.h"
#include "judge/rules.h"
#include "ledger/store.h"
#include "judge/verdict.h"

struct process_ctx {
	const struct config *cfg;
	const struct ruleset *rules;
	struct store *st; /* NULL: dry run without a ledger */
	int dry_run;	  /* plan but record nothing */
	/* h-speed: set (imports): process_message adds the message to this
	 * batch instead of recording it; after store_batch_commit succeeds,
	 * call process_recorded() on each result */
	struct store_batch *batch;
};

struct process_result {
	struct message *msg;
	struct verdict v;
	struct plan plan;
	struct record_result rec; /* valid when recorded */
	int recorded;
};

/* Returns 0, or -1 on an internal/environmental failure (store, disk): the
 * caller must not acknowledge the message (pipe: exit 75; imap: keep state). */
int process_message(const struct process_ctx *, const char *raw, size_t len, const struct envelope *,
		    struct process_result *out, char **errp);
/* The same for a message the intake archived itself while reading it
 * (store_spool_*, dry runs: hashed only): raw is its first len bytes,
 * spooled_sha256 and spooled_size describe all of it. */
int process_message_spooled(const struct process_ctx *, const char *raw, size_t len, const char *spooled_sha256,
			    size_t spooled_size, const struct envelope *, struct process_result *out, char **errp);
void process_result_free(struct process_result *);
/* The message of r is recorded (its batch committed): r->recorded set, the
 * plan told what the ledger queued instead. */
void process_recorded(struct process_result *r);

/* Output: one human line, or one JSON object (jansson), per message. Never
 * prints codes; links are printed only by check (not pipe). */
void print_result_line(FILE *, const char *label, const struct process_result *, int show_links);
void print_result_json(FILE *, const char *label, const struct process_result *);

#endif
