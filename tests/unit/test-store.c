/* test-store.c — SC-081/SC-090 dates, request states, validations, outbox, IMAP state. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mail/message.h"
#include "ledger/store.h"
#include "ledger/alert.h"
#include "judge/reuse.h"
#include "base/util.h"
#include "unit.h"

/* The backend under test: SQLite in the test's directory, or the PostgreSQL
 * database DCVMAIL_TEST_LEDGER names (tests/t/ledger-pg.sh runs this test so). */
static int
open_store(const char *dir, int flags, struct store **st, char **err)
{
	const char *url = getenv("DCVMAIL_TEST_LEDGER");

	if (url && *url)
		return store_open_pg(dir, url, NULL, flags, st, err);
	return store_open(dir, flags, st, err);
}

static time_t
day(const char *s)
{
	return parse_date(s) - 86399; /* start of that day, UTC */
}

static void
test_sc081(void)
{
	char b[32];

	CHECK(sc081_reuse_days(day("2026-03-14")) == 398, "398 days until 2026-03-14");
	CHECK(sc081_reuse_days(day("2026-03-15")) == 200, "200 days from 2026-03-15");
	CHECK(sc081_reuse_days(day("2027-03-14")) == 200, "200 days until 2027-03-14");
	CHECK(sc081_reuse_days(day("2027-03-15")) == 100, "100 days from 2027-03-15");
	CHECK(sc081_reuse_days(day("2029-03-14")) == 100, "100 days until 2029-03-14");
	CHECK(sc081_reuse_days(day("2029-03-15")) == 10, "10 days from 2029-03-15");
	CHECK_STR(fmt_time(validation_reuse_until(day("2026-11-24"), 0), b, sizeof(b)), "2027-06-12T00:00:00Z",
		  "a validation on 2026-11-24 is reusable for 200 days");
	CHECK_STR(fmt_time(validation_reuse_until(day("2027-12-24"), 1), b, sizeof(b)), "2028-03-15T00:00:00Z",
		  "an email validation is never reused past 2028-03-15 (SC-090)");
	CHECK_STR(fmt_time(validation_reuse_until(day("2027-12-24"), 0), b, sizeof(b)), "2028-04-02T00:00:00Z",
		  "a non-email validation keeps its 100 days");
}

static struct message *
fake_message(const char *text)
{
	return message_parse(text, strlen(text), NULL);
}

static void
test_states(const char *dir)
{
	struct store *st;
	char *err = NULL;
	struct message *m = fake_message("From: a@digicert.com\nSubject: x\n\nhello\n");
	struct verdict v;
	struct record_result rr;
	struct planned_action acts[] = { { "forward", "ops@example.com", "a person must approve", NULL } };
	struct request_info ri;
	int found;

	CHECK(open_store(dir, 0, &st, &err) == 0, "store opens a new ledger");
	if (st == NULL) {
		printf("# %s\n", err);
		return;
	}
	verdict_init(&v);
	v.type = v.rule_type = VT_DCV;
	v.ca = xstrdup("digicert");
	v.dedup_key = xstrdup("digicert:order:1");
	verdict_set_field(&v, "domain", "example.com");
	verdict_set_field(&v, "order", "1");
	CHECK(store_record(st, m, &v, NULL, acts, 1, &rr, &err) == 0 && rr.new_request && rr.actions_queued == 1,
	      "a new request queues its actions");
	CHECK(store_request_get(st, rr.request_id, &ri, &found, &err) == 0 && found && !strcmp(ri.state, "pending"),
	      "a new request is pending");
	request_info_free(&ri);
	CHECK(store_request_set_state(st, rr.request_id, "approved", "alice", "checked the order", &err) == 0,
	      "a request moves to approved");
	CHECK(store_request_get(st, rr.request_id, &ri, &found, &err) == 0 && !strcmp(ri.state, "approved") &&
	      ri.state_by && !strcmp(ri.state_by, "alice"), "who approved is recorded");
	request_info_free(&ri);
	CHECK(store_request_set_state(st, rr.request_id, "frozen", "x", NULL, &err) == -1 && strstr(err, "frozen"),
	      "an unknown state is refused");
	free(err);
	err = NULL;
	CHECK(store_request_set_state(st, 4242, "rejected", "x", NULL, &err) == -1 && err, "a missing request is an error");
	free(err);
	err = NULL;

	/* outbox: claim, lease, retry, done */
	struct outbox_item it, it2;
	time_t now = time(NULL);
	CHECK(store_outbox_claim(st, now, 60, &it, &found, &err) == 0 && found && !strcmp(it.kind, "forward") &&
	      !strcmp(it.message_sha256, m->sha256), "the queued forward can be claimed");
	CHECK(store_outbox_claim(st, now, 60, &it2, &found, &err) == 0 && !found, "a claimed item is leased");
	CHECK(store_outbox_result(st, it.id, 0, "connection refused", now + 30, 0, &err) == 0, "a failed attempt is recorded");
	CHECK(store_outbox_claim(st, now, 60, &it2, &found, &err) == 0 && !found, "a failed item waits for its next try");
	CHECK(store_outbox_claim(st, now + 31, 60, &it2, &found, &err) == 0 && found && it2.attempts == 1,
	      "and comes back after it, with its attempt counted");
	CHECK(store_outbox_result(st, it2.id, 1, "sent", 0, 0, &err) == 0, "success is recorded");
	size_t n = 9;
	CHECK(store_outbox_pending(st, &n, &err) == 0 && n == 0, "nothing left queued");
	outbox_item_free(&it);
	outbox_item_free(&it2);

	uint32_t uv, lu;
	CHECK(store_imap_get(st, "whois", &uv, &lu, &err) == 0 && uv == 0 && lu == 0, "unknown mailbox state is zero");
	CHECK(store_imap_set(st, "whois", 77, 12, &err) == 0 && store_imap_set(st, "whois", 77, 15, &err) == 0 &&
	      store_imap_get(st, "whois", &uv, &lu, &err) == 0 && uv == 77 && lu == 15, "IMAP state is kept per mailbox");

	verdict_free(&v);
	message_free(m);
	store_close(st);
}

/* The envelope a message came in with comes back from its row, for the
 * action that judges it again. */
static void
test_envelope(const char *dir)
{
	struct store *st;
	char *err = NULL;
	struct message *m = fake_message("From: a@digicert.com\nSubject: y\n\nhello again\n");
	const struct envelope in = { "pipe", "approver@example.test", "ca@digicert.com", "local@example.test",
				     "approver@example.test", "approver" };
	struct envelope env;
	struct verdict v;
	struct record_result rr;

	if (open_store(dir, 0, &st, &err) == -1) {
		printf("not ok - store opens: %s\n", err);
		return;
	}
	verdict_init(&v);
	CHECK(store_record(st, m, &v, &in, NULL, 0, &rr, &err) == 0, "a message is recorded with its envelope");
	CHECK(store_message_envelope(st, m->sha256, &env, &err) == 0, "its envelope is read back");
	CHECK_STR(env.source, "pipe", "with its intake");
	CHECK_STR(env.mailbox, "approver@example.test", "its mailbox");
	CHECK_STR(env.role, "approver", "its mailbox's role");
	CHECK_STR(env.sender, "ca@digicert.com", "its sender");
	CHECK_STR(env.recipient, "approver@example.test", "and the original recipient as its recipient");
	CHECK(env.orig_recipient == NULL, "which the ledger keeps once");
	store_envelope_free(&env);
	CHECK(store_message_envelope(st, "0000000000000000000000000000000000000000000000000000000000000000", &env,
				     &err) == 0 && env.source == NULL && env.mailbox == NULL && env.role == NULL,
	      "an unknown message has no envelope: nothing is trusted");
	store_envelope_free(&env);
	verdict_free(&v);
	message_free(m);
	store_close(st);
}

/* PostgreSQL only: the server restarted under an open store (a failover);
 * the next use reconnects. DCVMAIL_TEST_PG_RESTART is the command. */
static void
test_reconnect(const char *dir)
{
	const char *restart = getenv("DCVMAIL_TEST_PG_RESTART");
	struct message *m = fake_message("From: a@digicert.com\nSubject: z\n\nafter a restart\n");
	struct record_result rr;
	struct verdict v;
	struct store *st;
	char *err = NULL;

	if (restart == NULL) {
		message_free(m);
		return;
	}
	if (open_store(dir, 0, &st, &err) == -1) {
		CHECK(0, "the store opens for the restart test: %s", err ? err : "?");
		free(err);
		message_free(m);
		return;
	}
	verdict_init(&v);
	CHECK(system(restart) == 0, "the database server restarts");
	CHECK(store_has_message(st, m->sha256, &err) == 0, "a read after the restart reconnects");
	free(err);
	err = NULL;
	CHECK(store_record(st, m, &v, NULL, NULL, 0, &rr, &err) == 0 && !rr.duplicate, "and so does a write");
	free(err);
	err = NULL;
	CHECK(system(restart) == 0 && store_record(st, m, &v, NULL, NULL, 0, &rr, &err) == 0 && rr.duplicate,
	      "a transaction after another restart finds the message recorded once");
	free(err);
	verdict_free(&v);
	message_free(m);
	store_close(st);
}

/* h-alert: a pending alert is queued once per request and recipient after
 * the hours, a digest once per recipient and day (on both backends). */
static void
test_alerts(const char *dir)
{
	struct store *st;
	char *err = NULL;
	struct message *m = fake_message("From: a@digicert.com\nSubject: w\n\nwaiting too long\n");
	struct verdict v;
	struct record_result rr;
	struct planned_action acts[] = { { "forward", "ops@example.com", "a person must approve", NULL } };
	time_t now = time(NULL);
	size_t before = 0, after = 0;
	int n = -1, q = -1;

	if (open_store(dir, 0, &st, &err) == -1) {
		CHECK(0, "store opens for the alerts: %s", err);
		free(err);
		return;
	}
	verdict_init(&v);
	v.type = v.rule_type = VT_DCV;
	v.ca = xstrdup("digicert");
	v.dedup_key = xstrdup("digicert:order:77");
	verdict_set_field(&v, "domain", "alert.example.com");
	verdict_set_field(&v, "order", "77");
	CHECK(store_record(st, m, &v, NULL, acts, 1, &rr, &err) == 0 && rr.new_request, "a request to alert about");
	store_outbox_pending(st, &before, &err);
	CHECK(store_alerts_queue(st, now + 47 * 3600, 48, "alert", &n, &err) == 0 && n == 0,
	      "no alert before pending-alert hours");
	CHECK(store_alerts_queue(st, now + 49 * 3600, 48, "alert", &n, &err) == 0 && n == 1,
	      "one alert after them, for the forward's recipient");
	CHECK(store_alerts_queue(st, now + 50 * 3600, 48, "alert", &n, &err) == 0 && n == 0,
	      "and never a second one for that request and recipient");
	CHECK(store_digest_queue(st, "ops@example.com", "2026-12-03", now, "digest", &q, &err) == 0 && q == 1,
	      "a digest is queued for a recipient and day");
	CHECK(store_digest_queue(st, "ops@example.com", "2026-12-03", now + 60, "digest", &q, &err) == 0 && q == 0,
	      "but once a day");
	CHECK(store_digest_queue(st, "ops@example.com", "2026-12-04", now, "digest", &q, &err) == 0 && q == 1,
	      "the next day again");
	CHECK(store_digest_queue(st, "pki@example.com", "2026-12-03", now, "digest", &q, &err) == 0 && q == 1,
	      "and for another recipient the same day");
	CHECK(store_outbox_pending(st, &after, &err) == 0 && after == before + 4, "each queued is one outbox row");
	CHECK(store_request_set_state(st, rr.request_id, "approved", "alice", NULL, &err) == 0 &&
	      store_alerts_queue(st, now + 49 * 3600, 1, "alert", &n, &err) == 0 && n == 0,
	      "an answered request is not alerted");
	verdict_free(&v);
	message_free(m);
	store_close(st);
}

int
main(void)
{
	char dir[] = "/tmp/dcvmail-test-store.XXXXXX";
	char *sub;

	test_sc081();
	if (mkdtemp(dir) == NULL)
		return 1;
	sub = xasprintf("%s/state", dir);
	test_states(sub);
	test_envelope(sub);
	test_alerts(sub);
	test_reconnect(sub);
	{
		char *cmd = xasprintf("rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# cleanup failed\n");
		free(cmd);
	}
	free(sub);
	UNIT_DONE();
}
