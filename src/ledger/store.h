/* store.h — the ledger (SQLite) and the raw-message archive, behind a narrow API
 * so another backend can be added later. All functions return 0 on success and
 * -1 on failure with *errp set to an allocated message (caller frees) unless
 * noted. Busy/locked databases are retried with backoff inside the store. */
#ifndef DCVMAIL_STORE_H
#define DCVMAIL_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "mail/message.h"
#include "judge/verdict.h"

struct store;

/* An action planned by policy, queued in the outbox with the record. */
struct planned_action {
	char *kind;		   /* "forward", "redirect", "notify", "approve", "flag" */
	char *target;		   /* address or URL; NULL for approve */
	char *why;		   /* plain words: why this action (and, for forward, what failed) */
	const char *withheld_kind; /* queued instead (target NULL) when the request is not expected
				    * after all (approve: flag); NULL: queued as planned. Static. */
};

enum store_flags { STORE_RDONLY = 1, STORE_NOCREATE = 2 };

int store_open(const char *dir, int flags, struct store **out, char **errp);
/* h-pg: the ledger the configuration names: SQLite in state-dir, or the
 * PostgreSQL database of `ledger postgresql://...` (then state-dir keeps only
 * the spool of messages too large for memory). */
struct config;
int store_open_cfg(const struct config *, int flags, struct store **out, char **errp);
/* As store_open_cfg; when it fails because the PostgreSQL server cannot be
 * reached or refuses the connection (a later try may do), *unreachable is
 * set to 1, else 0 (a local ledger, a missing libpq or password file, a
 * schema this dcvmail cannot use: trying again changes nothing). */
int store_open_cfg_ex(const struct config *, int flags, struct store **out, int *unreachable, char **errp);
int store_open_pg(const char *dir, const char *url, const char *password_file, int flags, struct store **out,
		  char **errp);
/* `ledger copy`: every row of the SQLite ledger from and its archived
 * messages into the PostgreSQL ledger to, keeping their ids; what to has
 * already is left as it is, so a copy cut short runs again to its end.
 * A line per table to progress. */
int store_copy(struct store *from, struct store *to, FILE *progress, char **errp);
/* The PostgreSQL URL (no password) of a PostgreSQL store, NULL for SQLite. */
const char *store_ledger_name(const struct store *);
/* A PostgreSQL store's schema version, its TLS as a phrase ("no TLS", "TLSv1.3,
 * server certificate and host name verified"; allocated), server version (-n). */
int store_pg_info(struct store *, int *version, char **tls, int *server_version, char **errp);
void store_close(struct store *);
const char *store_dir(const struct store *);
/* Copy what the write-ahead log holds into ledger.db (closing does not:
 * short-lived processes leave that to the long-lived ones). truncate: also
 * empty the log, waiting for readers up to the busy timeout. A checkpoint
 * that finds the ledger busy returns 0 (the next one catches up). The
 * watcher runs one with each timed outbox run and when it stops, `dcvmail
 * outbox` when it is done; anything that copies ledger.db by itself must
 * run one first. */
int store_checkpoint(struct store *, int truncate, char **errp);

/* Record one message (archive first, then one transaction): message row,
 * request upsert (dedup key), copies/mailboxes, outbox rows for actions only
 * when the request is new. A message already recorded (same sha256) changes
 * nothing and sets out->duplicate. */
struct record_result {
	int64_t message_id;
	int64_t request_id; /* 0 when the verdict makes no request */
	int duplicate;	    /* same raw message seen before */
	int new_request;
	int copies;   /* copies of the request seen so far */
	int expected; /* request matched an expectation */
	int actions_queued;
	int approve_withheld; /* an approve was planned, but the expectation it needed was
			       * used by another request meanwhile: a flag went instead */
};
int store_record(struct store *, const struct message *, const struct verdict *, const struct envelope *,
		 const struct planned_action *, size_t nactions, struct record_result *out, char **errp);
/* Group commit (imports): store_batch_add keeps pointers to m, v, env,
 * acts and out, which must stay valid until the next store_batch_commit.
 * That records the messages in one transaction, in the order added, each
 * as store_record would, filling its out, and with each new message its
 * raw bytes, kept in the ledger (h-import: no archive file; a spooled
 * message keeps the file it was spooled to). On failure nothing of the
 * batch is recorded. Either way the batch is empty afterwards. */
struct store_batch;
/* NULL for a PostgreSQL ledger (its archive is written with each record). */
struct store_batch *store_batch_new(struct store *);
int store_batch_add(struct store_batch *, const struct message *, const struct verdict *, const struct envelope *,
		    const struct planned_action *, size_t nactions, struct record_result *out, char **errp);
size_t store_batch_count(const struct store_batch *);
size_t store_batch_bytes(const struct store_batch *); /* raw bytes of the messages added */
int store_batch_commit(struct store_batch *, char **errp);
void store_batch_free(struct store_batch *);
/* Is a message with this sha256 recorded? 1 yes, 0 no, -1 error. */
int store_has_message(struct store *, const char *sha256, char **errp);
/* The envelope a recorded message came in with (its first delivery):
 * source, mailbox, role, sender, recipient, each allocated or NULL when
 * unknown (all NULL: no such message). The ledger keeps one recipient, the
 * original one when the intake had it (pipe -o, the address roles are
 * given by): it comes back as recipient, orig_recipient stays NULL. Free
 * with store_envelope_free. */
int store_message_envelope(struct store *, const char *sha256, struct envelope *env, char **errp);
void store_envelope_free(struct envelope *);
/* h-deploy: messages of a known CA that came by the pipe, and how many of
 * them a trusted header authenticated or failed (auth pass or fail). */
int store_pipe_auth_counts(struct store *, long *ca_mail, long *judged, char **errp);
/* Path of the archived raw message (allocated), whether or not it exists. */
char *store_archive_path(const struct store *, const char *sha256);
/* Read an archived message back for a decision (at most max bytes), checking
 * its content against its SHA-256 name; a symlink, a file not ours, a missing
 * file or a mismatch ("archive tampered or damaged") fails with *errp. */
int store_archive_read(struct store *, const char *sha256, size_t max, char **data, size_t *len, char **errp);
/* The same check without keeping the bytes (for `show`); *len: bytes read. */
int store_archive_verify(struct store *, const char *sha256, size_t *len, char **errp);

/* h-cli: housekeeping (store-prune.c). store_prune removes every closed
 * request (not pending or forwarded) whose last activity is before cutoff,
 * unless an action or approval attempt of it is not finished or a CA may
 * still reuse its approval at now (validation reuse period, SC-081/SC-090),
 * with its messages, copies, actions, attempts and history; and the messages
 * without a request received before cutoff, and the raw messages the ledger
 * keeps (imports), and the records of the daily digests queued before cutoff
 * whose mail went; then their archived files. On SQLite and PostgreSQL.
 * dry_run: the same selection, nothing removed. requests: what went (copies
 * holds how many of its messages). */
struct prune_result {
	struct request_info *requests;
	size_t nrequests;
	size_t messages, loose_messages; /* all removed / those without a request */
	unsigned long long bytes;	 /* their size */
	size_t files, files_failed;	 /* archive files removed / left (first_failure says why) */
	size_t in_ledger;		 /* h-import: archived in the ledger itself (imports), removed with it */
	char *first_failure;
	size_t kept_reusable;	    /* old closed requests kept: their approval is still reusable */
	time_t kept_reusable_until; /* until when, the latest */
	size_t kept_open;	    /* old requests kept because they are open */
	size_t digests;		    /* daily digests queued before the cutoff and sent (their records) */
};
int store_prune(struct store *, time_t cutoff, time_t now, int dry_run, struct prune_result *, char **errp);
void prune_result_free(struct prune_result *);
/* A copy of the ledger by SQLite's online backup API (consistent with
 * concurrent writers in WAL mode), as one self-contained file at dest,
 * mode 0600, that passes PRAGMA integrity_check; written beside dest and
 * renamed over it. *size: its bytes. */
int store_backup(struct store *, const char *dest, unsigned long long *size, char **errp);

/* A message too large to hold in memory, archived while it is read: begin
 * (st NULL: hash and count only, for dry runs), add every byte, finish
 * (fsync, rename to its hash's name; sha256 and len of all bytes) or abort. */
struct spool;
struct spool *store_spool_begin(struct store *st, char **errp);
int store_spool_add(struct spool *, const void *data, size_t len, char **errp);
int store_spool_finish(struct spool *, char sha256[65], size_t *len, char **errp);
void store_spool_abort(struct spool *);

/* Expectations: "the admin said to expect this CA and domain (and order)".
 * Without an order an expectation is used by at most one request; with
 * one, by the requests of that order. See expect.h for the domain scope. */
struct expectation_use {
	int64_t request_id;
	time_t at;
	time_t released; /* 0: the request still holds the expectation */
	char *note;	 /* why it was released */
};
struct expectation {
	int64_t id;
	char *ca;
	char *domain;
	char *order;		      /* NULL: any order, one request */
	int subdomains;		      /* names under domain count too */
	time_t created, until;	      /* until 0: no end */
	char *created_by;	      /* who added it (login name); NULL: not recorded */
	struct expectation_use *uses; /* every request that used it, oldest first */
	size_t nuses;
};
int store_expect_add(struct store *, const char *ca, const char *domain, const char *order, int subdomains,
		     time_t until, int64_t *id, char **errp);
int store_expect_rm(struct store *, int64_t id, char **errp); /* -1 with errp if no such id */
/* Record who added expectation id (the login name). */
int store_expect_set_creator(struct store *, int64_t id, const char *who, char **errp);
int store_expect_list(struct store *, struct expectation **out, size_t *n, char **errp);
/* The expectation that lets v's request be approved automatically at now.
 * When the request is recorded already, only the expectation it holds
 * counts (unexpired and still covering it); before that, the first
 * unexpired expectation that covers the CA, domain and order and is not
 * used up. *found 0: none, and *why (allocated, or NULL) may say which
 * expectation was near (used by another request, expired). */
int store_expect_for(struct store *, const struct verdict *v, time_t now, struct expectation *out, int *found,
		     char **why, char **errp);
/* Does request id hold an unexpired expectation covering v at now? 1 yes,
 * 0 no (with *why), -1 error. */
int store_expect_held(struct store *, int64_t request_id, const struct verdict *v, time_t now, char **why, char **errp);
/* The request gives back the expectation it holds (its automatic approval
 * was refused before anything was sent, or a person rejected it): the use
 * stays listed as released with the note, and a later request may use the
 * expectation. No-op when it holds none. */
int store_expect_release(struct store *, int64_t request_id, const char *note, char **errp);
void expectation_free(struct expectation *);

/* Requests. */
struct request_info {
	int64_t id;
	char *key, *ca, *type, *domain, *order, *state; /* state: pending forwarded approved rejected expired issued */
	char *approve_link;
	int copies;
	int expected;
	time_t first_seen, last_seen, state_changed; /* when dcvmail recorded */
	time_t asked; /* when the CA sent its first copy (message_sent_time): ages and expiry count from it */
	char *state_by, *state_note;
};
void request_info_free(struct request_info *);
/* The sha256 of the request's first message (a genuine one before any
 * suspicious copy); NULL if none. */
int store_request_first_message(struct store *, int64_t id, char **sha256, char **errp);
int store_request_get(struct store *, int64_t id, struct request_info *out, int *found, char **errp);
/* The sha256 of every message of the request, oldest first, added to sha256s. */
struct strv;
int store_request_messages(struct store *, int64_t id, struct strv *sha256s, char **errp);
int store_request_list(struct store *, int pending_only, struct request_info **out, size_t *n, char **errp);
/* Move a request to state, recording who/why; approved also records a validation. */
int store_request_set_state(struct store *, int64_t id, const char *state, const char *who, const char *note,
			    char **errp);

/* `show ID`: a request with its messages (each with every delivery), its
 * outbox actions and its approval attempts (each with its HTTP steps), as
 * plain data. Text fields are never NULL ("" for none) unless noted. */
struct delivery_row {
	char *mailbox, *role, *recipient;
	time_t seen;
};
struct message_row {
	int64_t id;
	time_t received, sent; /* recorded; sent as message_sent_time() judged it */
	char *mailbox, *role, *recipient, *from, *subject, *type, *auth, *sha256, *source;
	char *rule_type, *status;	 /* the matched rule's type; the parse status (ok, malformed, oversized) */
	char *status_reason;		 /* why malformed or oversized; NULL when ok */
	int archive_ok;			 /* the archive file checks against its name, as actions do */
	char *archive_error;		 /* why not; NULL when ok or no reason was given */
	char *forwarded_by;		 /* a forwarded copy: who forwarded it (judge/forwarded.h); else NULL */
	struct delivery_row *deliveries; /* the first is the message's own delivery */
	size_t n_deliveries;
	/* why (store_message_why): the authentication result's reason (NULL:
	 * none recorded) and the verdict's reasons in plain words */
	char *auth_reason;
	char **reasons;
	size_t n_reasons;
};
struct action_row {
	int64_t id;
	char *kind, *target, *why, *last_error; /* target as stored (URLs not redacted) */
	int attempts, done, ok;
};
struct step_row {
	time_t at;
	char *method, *url;
	int answered; /* a status was recorded */
	long status;  /* 0: no HTTP answer (see error) */
	char *error;  /* NULL when none */
};
struct attempt_row {
	int64_t id;
	time_t started, ended; /* ended 0: not yet */
	char *outcome, *result, *who, *host, *boot_id;
	long pid;
	int interrupted; /* `approving`, but its process is gone or its lease ran out */
	struct step_row *steps;
	size_t n_steps;
};
struct request_detail {
	struct request_info req;
	struct message_row *messages;
	size_t n_messages;
	struct action_row *actions;
	size_t n_actions;
	struct attempt_row *attempts;
	size_t n_attempts;
};
/* A request of malformed or oversized mail (type malformed, oversized)
 * keeps its meaning: the rule's type of its first message, its parse
 * status and why (all allocated; *rule_type NULL when no rule matched). */
int store_request_unparsed(struct store *, int64_t id, char **rule_type, char **status, char **reason, char **errp);
/* *found 0 (and nothing to free) when there is no such request. */
int store_request_detail(struct store *, int64_t id, struct request_detail *out, int *found, char **errp);
void request_detail_free(struct request_detail *);

/* IMAP state per mailbox name. */
int store_imap_get(struct store *, const char *mailbox, uint32_t *uidvalidity, uint32_t *last_uid,
		   char **errp); /* 0 and zeros when unknown */
int store_imap_set(struct store *, const char *mailbox, uint32_t uidvalidity, uint32_t last_uid, char **errp);

/* Outbox. */
struct outbox_item {
	int64_t id;
	int64_t request_id;
	char *kind, *target, *why;
	int attempts;
	time_t created, next_try;
	char *last_error;
	char *message_sha256; /* the first message of the request */
};
void outbox_item_free(struct outbox_item *);
/* Claim the next due item (next_try <= now, not done): *found 0 when none. The
 * claim lasts lease seconds (another worker skips it meanwhile). */
int store_outbox_claim(struct store *, time_t now, int lease, struct outbox_item *out, int *found, char **errp);
/* Record an attempt: ok -> done; else retry at next_try, or give up (gave_up=1:
 * done with failure, request flagged for a person). */
int store_outbox_result(struct store *, int64_t id, int ok, const char *result, time_t next_try, int gave_up,
			char **errp);
int store_outbox_pending(struct store *, size_t *n, char **errp);
/* Queue an action later (e.g. a forward after a failed approval). */
int store_outbox_add(struct store *, int64_t request_id, const struct planned_action *, char **errp);

/* Approval attempts: an approval is sent at most once. store_attempt_begin
 * commits an `approving` attempt (this process, a lease of lease seconds)
 * before anything goes to the CA; *attempt_id 0 with *refused (allocated)
 * when it must not start: the request is no longer open, another attempt
 * runs (returns 1: try later), or (person 0) an earlier one was
 * interrupted. Each HTTP step is
 * recorded before it is sent (store_attempt_step, URL already redacted) and
 * completed with its status; store_attempt_end gives the outcome
 * ("approved", "failed"). store_attempts_reap marks every `approving`
 * attempt whose process is gone or whose lease ran out `interrupted`: its
 * outbox entry is done, the request needs a person, and its forwards and
 * notifications are queued (again) saying so; *n says how many. */
#define ATTEMPT_INTERRUPTED_WHY "an approval was interrupted, check the CA's portal"
struct reap_kinds;
int store_attempt_begin(struct store *, int64_t request_id, int64_t outbox_id, const char *who, int person, int lease,
			const struct reap_kinds *, int64_t *attempt_id, char **refused, char **errp);
int store_attempt_step(struct store *, int64_t attempt_id, const char *method, const char *url, int64_t *step_id,
		       char **errp);
int store_attempt_step_done(struct store *, int64_t step_id, long status, const char *error, char **errp);
int store_attempt_end(struct store *, int64_t attempt_id, const char *outcome, const char *result, char **errp);
struct reap_kinds {		  /* the outbox's action kinds, by what they do (the ledger names none) */
	const char *const *tell;  /* carry the reason to a person: queued again with it (NULL-terminated) */
	const char *const *reach; /* reach someone: a request with one queued needs no flag (NULL-terminated) */
	const char *flag;	  /* queued when none reaches anyone */
};
int store_attempts_reap(struct store *, time_t now, const struct reap_kinds *, int *n, char **errp);

/* Reports: per domain and CA, last approval and reuse-until (SC-081/SC-090),
 * pending requests and their age. */
struct report_row {
	char *domain, *ca;
	time_t approved, reuse_until; /* 0: never */
	int pending;		      /* pending or forwarded (a DCV request older than 30 days is not) */
	time_t oldest;		      /* when the oldest of those was asked (request_info.asked) */
};
/* One row per domain and CA, ordered by domain, CA. */
int store_report_rows(struct store *, time_t now, struct report_row **out, size_t *n, char **errp);
void report_rows_free(struct report_row *, size_t n);

/* Monitoring (`report --check`, `report --prometheus`): requests waiting
 * for a person, those waiting longer than alert_hours, the oldest one's
 * first_seen (0: none), suspicious messages of the last 24 hours, actions
 * given up on while their request waits, actions queued, and requests per
 * state. */
#define MONITOR_NSTATES 6
struct monitor_counts {
	long long pending, overdue, suspicious_24h, outbox_failed, outbox_queued;
	long long orders_open, orders_overdue; /* filled by the caller (orders are judged by the config) */
	time_t oldest_pending;
	const char *state_name[MONITOR_NSTATES];
	long long by_state[MONITOR_NSTATES];
};
int store_monitor(struct store *, time_t now, int alert_hours, struct monitor_counts *, char **errp);

#endif
