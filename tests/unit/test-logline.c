/* test-logline.c — the one log line per message (intake/logline.h): the id
 * first, then request, domain, type, CA/rule, outcome, and the reasons once;
 * never a link or a code, never more than one line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake/logline.h"
#include "outbox/policy.h"
#include "base/util.h"
#include "unit.h"

static const char mail[] = "From: DigiCert <no-reply@digitalcertvalidation.com>\n"
			   "Subject: Approve www.example.com\n\nhttps://www.digicert.com/approve?t=SECRETTOKEN42\n";

int
main(void)
{
	struct process_result r;
	struct envelope env = { .source = "pipe", .mailbox = "admin@example.test", .role = "constructed" };
	struct buf b;
	const char *code = "K7Q2ZX9P55LMW3", *link = "https://www.digicert.com/approve?t=SECRETTOKEN42";

	memset(&r, 0, sizeof(r));
	verdict_init(&r.v);
	r.msg = message_parse(mail, strlen(mail), NULL);
	r.v.type = VT_SUSPICIOUS;
	r.v.rule_type = VT_DCV;
	r.v.ca = xstrdup("digicert");
	r.v.rule = xstrdup("digicert-dcv");
	verdict_set_field(&r.v, "domain", "www.example.com");
	verdict_set_field(&r.v, "code", code);
	r.v.approve_link = xstrdup(link);
	verdict_add_reason(&r.v, "link host 'www.digicert.com.evil.example' imitates digicert.com");
	verdict_add_reason(&r.v, "link host 'www.digicert.com.evil.example' imitates DigiCert");
	verdict_add_reason(&r.v, "a rewritten link (%s) hides \"evil.example\"",
			   "https://user@safelinks.example/?url=https%3A%2F%2Fevil.example%2Fa%3Ft%3DSECRETTOKEN42");
	verdict_add_reason(&r.v, "the mail says: enter %s at %s\nnext line", code, link);
	r.recorded = 1;
	r.rec.request_id = 12;
	r.rec.new_request = 1;
	plan_add(&r.plan, "forward", "ops@example.test", "why");
	plan_add(&r.plan, "notify", "https://chat.example.test/hook?key=HOOKSECRET", "why");

	buf_init(&b, 0);
	logline_message(&b, "4XyZ9kq0Wz", &r, &env, 0);
	printf("# %s\n", b.data);
	CHECK(!strncmp(b.data,
		       "4XyZ9kq0Wz: request=12 domain=www.example.com suspicious digicert/digicert-dcv new-request "
		       "role=constructed actions=forward,notify sha256=",
		       strlen("4XyZ9kq0Wz: request=12 domain=www.example.com suspicious digicert/digicert-dcv "
			      "new-request role=constructed actions=forward,notify sha256=")),
	      "the queue id first, then request, domain, type, CA/rule, outcome, role, actions");
	CHECK(strstr(b.data, " reason=\"link host 'www.digicert.com.evil.example' imitates digicert.com; ") != NULL,
	      "the reasons follow, quoted");
	CHECK(strstr(b.data, "imitates DigiCert") == NULL, "a lookalike host is one reason, said once");
	CHECK(strstr(b.data, "http") == NULL && strstr(b.data, "://") == NULL, "no link in the line");
	CHECK(strstr(b.data, "SECRETTOKEN42") == NULL && strstr(b.data, "HOOKSECRET") == NULL,
	      "no token of a link in the line");
	CHECK(strstr(b.data, code) == NULL && strstr(b.data, "[code]") != NULL, "the captured code is replaced");
	CHECK(strstr(b.data, "[link to safelinks.example]") && strstr(b.data, "[link to www.digicert.com]"),
	      "a link in a reason is named by its host");
	CHECK(strchr(b.data, '\n') == NULL && strstr(b.data, " next line\"") != NULL,
	      "one line: a line break in a reason is a space, and the text after a link stays");
	CHECK(strstr(b.data, "hides 'evil.example'") != NULL, "double quotes in a reason become single ones");
	buf_free(&b);

	buf_init(&b, 0);
	logline_message(&b, NULL, &r, &env, 1);
	CHECK(!strncmp(b.data, "NOQUEUE: request=12 ", 20) && strstr(b.data, " dry-run ") != NULL,
	      "without a queue id: NOQUEUE, as Postfix writes; a dry run says so");
	buf_free(&b);

	buf_init(&b, 0);
	logline_message(&b, "INBOX:4711", &r, &env, 0);
	CHECK(!strncmp(b.data, "INBOX:4711: request=12 ", 23), "IMAP: mailbox:UID first");
	buf_free(&b);

	buf_init(&b, 0);
	logline_deferral(&b, "4XyZ9kq0Wz", "dcvmail ledger unavailable", "state dir: Permission denied");
	CHECK_STR(b.data, "4XyZ9kq0Wz: deferred: dcvmail ledger unavailable: state dir: Permission denied",
		  "a deferral: the queue id, then why");
	buf_free(&b);

	/* a message without a request (a notice): request=- and domain=- */
	process_result_free(&r);
	memset(&r, 0, sizeof(r));
	verdict_init(&r.v);
	r.msg = message_parse(mail, strlen(mail), NULL);
	r.recorded = 1;
	buf_init(&b, 0);
	logline_message(&b, "1A2B3C", &r, NULL, 0);
	CHECK(!strncmp(b.data, "1A2B3C: request=- domain=- unknown -/- recorded role=- actions=none sha256=", 75) &&
		      strstr(b.data, "reason=") == NULL,
	      "a mail without a request or reasons: dashes, no reason");
	buf_free(&b);
	process_result_free(&r);
	UNIT_DONE();
}
