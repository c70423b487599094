/* test-judge.c — the one judgement (judge.c): role conditions from the
 * envelope, trust from the intake, the malformed and oversized marking, and
 * which verdicts make a request under which key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "judge/judge.h"
#include "judge/rules.h"
#include "base/util.h"
#include "unit.h"

static const char approver_mail[] =
	"Authentication-Results: mx.example.test; dkim=pass header.d=ca.test\n"
	"From: Test CA <validation@ca.test>\nSubject: Approve www.example.com (order 7)\n\n"
	"https://approve.ca.test/approve?t=1\n";
static const char truncated_mail[] =
	"Authentication-Results: mx.example.test; dkim=pass header.d=ca.test\n"
	"From: Test CA <validation@ca.test>\nSubject: Approve www.example.com (order 7)\n"
	"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
	"Content-Type: text/plain\n\nhttps://approve.ca.test/approve?t=1\n";

static void
judge_one(const struct config *cfg, const struct ruleset *rs, const char *raw, const struct msg_limits *lim,
	  const struct envelope *env, struct verdict *v, char **key)
{
	struct message *m = message_parse(raw, strlen(raw), lim);

	verdict_init(v);
	judge(cfg, rs, m, env, v);
	*key = judge_request_key(v);
	message_free(m);
}

static void
test_judge(const struct config *cfg, const struct ruleset *rs)
{
	const struct envelope approver = { .source = "pipe", .mailbox = "a@example.test", .role = "approver" };
	const struct envelope other = { .source = "pipe", .mailbox = "b@example.test" };
	const struct envelope imap = { .source = "imap", .mailbox = "hosted", .role = "approver" };
	struct msg_limits small;
	struct verdict v;
	char *key;

	judge_one(cfg, rs, approver_mail, NULL, &approver, &v, &key);
	CHECK(v.type == VT_DCV && v.auth == AUTH_PASS, "to the approver's mailbox, by pipe: dcv, authenticated");
	CHECK_STR(key, "testca:order:7:www.example.com", "its request key: CA, order and the name (domain control is per name)");
	verdict_free(&v);
	free(key);

	judge_one(cfg, rs, approver_mail, NULL, &other, &v, &key);
	CHECK(v.type == VT_NOTICE && key == NULL && v.ca && !strcmp(v.ca, "testca"),
	      "to another mailbox the role rule does not hold: a notice naming the CA, no request");
	verdict_free(&v);
	free(key);

	judge_one(cfg, rs, approver_mail, NULL, NULL, &v, &key);
	CHECK(v.type == VT_NOTICE, "no envelope: role conditions never hold (a notice naming the CA)");
	verdict_free(&v);
	free(key);

	judge_one(cfg, rs, approver_mail, NULL, &imap, &v, &key);
	CHECK(v.type == VT_DCV && v.auth == AUTH_NONE,
	      "an IMAP mailbox without trusted ids: the header is not believed");
	verdict_free(&v);
	free(key);

	judge_one(cfg, rs, strchr(approver_mail, '\n') + 1, NULL, &approver, &v, &key);
	CHECK(v.type == VT_SUSPICIOUS && v.rule_type == VT_DCV,
	      "without the trusted header, where the intake trusts one: suspicious");
	CHECK_STR(key, "suspicious:testca:order:7:www.example.com", "a suspicious copy gets a key of its own");
	verdict_free(&v);
	free(key);

	judge_one(cfg, rs, truncated_mail, NULL, &approver, &v, &key);
	CHECK(v.type == VT_MALFORMED && v.rule_type == VT_DCV, "a MIME part never closed: malformed, the rule's type kept");
	CHECK_STR(key, "malformed:testca:order:7:www.example.com", "a malformed copy gets a key of its own");
	verdict_free(&v);
	free(key);

	msg_limits_default(&small);
	small.max_size = 64;
	judge_one(cfg, rs, approver_mail, &small, &approver, &v, &key);
	CHECK(v.type == VT_OVERSIZED && v.rule == NULL && key == NULL, "oversized: not classified, no request");
	verdict_free(&v);
	free(key);
}

static void
test_creates_request(void)
{
	CHECK(judge_creates_request(VT_DCV) && judge_creates_request(VT_EV_INTENT) &&
	      judge_creates_request(VT_DOCUMENTS) && judge_creates_request(VT_REMINDER) &&
	      judge_creates_request(VT_ISSUED), "dcv, ev-intent, documents, reminder, issued make requests");
	CHECK(!judge_creates_request(VT_UNKNOWN) && !judge_creates_request(VT_NOTICE) &&
	      !judge_creates_request(VT_OVERSIZED), "unknown, notice, oversized do not");
}

int
main(void)
{
	char rules[] = "/tmp/dcvmail-test-judge.XXXXXX";
	struct config cfg;
	struct ruleset *rs = NULL;
	int fd = mkstemp(rules);
	FILE *f = fd == -1 ? NULL : fdopen(fd, "w");

	if (f == NULL)
		return 1;
	fputs("ca testca \"Test CA\"\n from-domain ca.test\n dkim-domain ca.test\n link-host ca.test\n"
	      "rule testca-approver\n type dcv\n role approver\n"
	      " subject /^Approve (?<domain>\\S+) \\(order (?<order>\\d+)\\)/\n link approve /\\/approve\\?/\n",
	      f);
	fclose(f);
	config_defaults(&cfg);
	strv_add(&cfg.trust_authserv_ids, "mx.example.test");
	CHECK(rules_load_file(rules, RULES_MODE_SINGLE, &rs, NULL, NULL) == 0, "test rules load");
	unlink(rules);
	if (rs == NULL)
		UNIT_DONE();
	test_judge(&cfg, rs);
	test_creates_request();
	rules_free(rs);
	config_free(&cfg);
	UNIT_DONE();
}
