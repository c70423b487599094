/* test-auth-ar.c — Authentication-Results parsing (RFC 8601) and the
 * authentication verdict, table-driven. */
#include <stdlib.h>
#include <string.h>

#include "judge/auth.h"
#include "config.h"
#include "mail/message.h"
#include "judge/rules.h"
#include "ledger/store.h"
#include "base/util.h"
#include "unit.h"

/* header value -> "id|version|none|method=result[prop=value,...];..." or "ERR" */
static const struct {
	const char *in, *want;
} parse_cases[] = {
	{ "mx.example.com; dkim=pass header.d=digicert.com", "mx.example.com|0|0|dkim=pass[header.d=digicert.com]" },
	{ "mx.example.com 1; spf=pass smtp.mailfrom=a@b.example", "mx.example.com|1|0|spf=pass[smtp.mailfrom=a@b.example]" },
	{ "mx.example.com; none", "mx.example.com|0|1|" },
	{ "mx.example.com;none", "mx.example.com|0|1|" },
	{ "MX.Example.COM; DKIM=Pass header.D=digicert.com", "mx.example.com|0|0|dkim=pass[header.d=digicert.com]" },
	{ "mx.example.com; dkim=pass (2048-bit key; secure) header.d=digicert.com header.i=@digicert.com header.b=AbCd",
	  "mx.example.com|0|0|dkim=pass[header.d=digicert.com,header.i=@digicert.com,header.b=AbCd]" },
	{ "mx.example.com;\r\n\tdkim=pass header.d=a.example;\r\n\tspf=fail smtp.mailfrom=b.example;\r\n\tdmarc=pass header.from=a.example",
	  "mx.example.com|0|0|dkim=pass[header.d=a.example];spf=fail[smtp.mailfrom=b.example];dmarc=pass[header.from=a.example]" },
	{ "mx.example.com (our border (outer) host); dkim=pass header.d=x.example", "mx.example.com|0|0|dkim=pass[header.d=x.example]" },
	{ "mx.example.com; dkim=fail reason=\"signature verification failed\" header.d=x.example",
	  "mx.example.com|0|0|dkim=fail[header.d=x.example]" },
	{ "\"mx.example.com\"; dkim=pass header.d=x.example", "mx.example.com|0|0|dkim=pass[header.d=x.example]" },
	{ "mx.example.com; dkim/1=pass header.d=x.example", "mx.example.com|0|0|dkim=pass[header.d=x.example]" },
	{ "mx.example.com; x-custom=ok policy.foo=bar", "mx.example.com|0|0|x-custom=ok[policy.foo=bar]" },
	{ "mx.example.com; dkim=neutral", "mx.example.com|0|0|dkim=neutral[]" },
	{ "mx.example.com; dkim=pass header.d = x.example", "mx.example.com|0|0|dkim=pass[header.d=x.example]" },
	{ "mx.example.com; dkim=pass header.i=\"joe\"@x.example", "mx.example.com|0|0|dkim=pass[header.i=joe@x.example]" },
	{ "mx.example.com; auth=pass smtp.auth=sender@example.net", "mx.example.com|0|0|auth=pass[smtp.auth=sender@example.net]" },
	{ "mx.example.com; dkim=pass header.d=x.example;", "mx.example.com|0|0|dkim=pass[header.d=x.example]" },
	{ "mx.example.com; arc=pass (i=1) smtp.remote-ip=192.0.2.1", "mx.example.com|0|0|arc=pass[smtp.remote-ip=192.0.2.1]" },
	{ "mx.example.com; iprev=pass policy.iprev=192.0.2.200", "mx.example.com|0|0|iprev=pass[policy.iprev=192.0.2.200]" },
	{ "mx.example.com; dkim=pass header.d=x.example (comment at the end)", "mx.example.com|0|0|dkim=pass[header.d=x.example]" },
	{ "", "ERR" },
	{ "mx.example.com", "ERR" },
	{ "mx.example.com dkim=pass", "ERR" },
	{ "mx.example.com; dkim", "ERR" },
	{ "mx.example.com; dkim=", "ERR" },
	{ "mx.example.com; dkim=pass header.d", "ERR" },
	{ "mx.example.com; dkim=pass header=x", "ERR" },
	{ "mx.example.com; dkim=pass (unterminated comment", "ERR" },
	{ "mx.example.com; dkim=pass header.i=\"unterminated", "ERR" },
	{ "; dkim=pass", "ERR" },
	{ "mx.example.com; dkim=pass ((((((((((((((((((deep))))))))))))))))))", "ERR" },
};

static void
render(const struct ar_header *h, struct buf *b)
{
	buf_printf(b, "%s|%d|%d|", h->authserv_id, h->version, h->none);
	for (size_t i = 0; i < h->nmethods; i++) {
		buf_printf(b, "%s%s=%s[", i ? ";" : "", h->methods[i].method, h->methods[i].result);
		for (size_t k = 0; k < h->methods[i].nprops; k++)
			buf_printf(b, "%s%s=%s", k ? "," : "", h->methods[i].pnames[k], h->methods[i].pvalues[k]);
		buf_addc(b, ']');
	}
}

static void
test_parse(void)
{
	for (size_t i = 0; i < nitems(parse_cases); i++) {
		struct ar_header h;
		struct buf b;
		buf_init(&b, 0);
		if (ar_parse(parse_cases[i].in, &h) == 0) {
			render(&h, &b);
			ar_free(&h);
		} else
			buf_adds(&b, "ERR");
		CHECK_STR(b.data, parse_cases[i].want, "parse [%s]", parse_cases[i].in);
		buf_free(&b);
	}
}

/* Whole-message verdicts: headers on top of a DigiCert-looking message. */
static const struct {
	const char *headers, *from, *want;
} verdict_cases[] = {
	{ "Authentication-Results: mx.example.test; dkim=pass header.d=digicert.com\n", "no-reply@digitalcertvalidation.com", "pass" },
	{ "Authentication-Results: mx.example.test; dkim=pass header.d=mail.digicert.com\n", "no-reply@digitalcertvalidation.com", "pass" },
	{ "Authentication-Results: mx.example.test; dkim=pass header.d=digicert.com.evil.example\n", "no-reply@digitalcertvalidation.com", "none" },
	{ "Authentication-Results: mx.example.test; dkim=pass header.d=notdigicert.com\n", "no-reply@digitalcertvalidation.com", "none" },
	{ "Authentication-Results: evil.example; dkim=pass header.d=digicert.com\n", "no-reply@digitalcertvalidation.com", "none" },
	{ "Authentication-Results: mx.example.test; dkim=fail header.d=digitalcertvalidation.com\n", "no-reply@digitalcertvalidation.com", "fail" },
	{ "Authentication-Results: mx.example.test; dkim=fail header.d=x.example; dkim=pass header.d=digicert.com\n", "no-reply@digitalcertvalidation.com", "pass" },
	{ "Authentication-Results: mx.example.test; dmarc=pass header.from=digitalcertvalidation.com\n", "no-reply@digitalcertvalidation.com", "pass" },
	{ "Authentication-Results: mx.example.test; dmarc=pass header.from=digitalcertvalidation.com\n", "no-reply@digicert.com", "none" },
	{ "Authentication-Results: mx.example.test; dmarc=fail header.from=digitalcertvalidation.com\n", "no-reply@digitalcertvalidation.com", "fail" },
	{ "Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=digicert.com\n", "no-reply@digitalcertvalidation.com", "none" },
	{ "Authentication-Results: mx.example.test; none\n", "no-reply@digitalcertvalidation.com", "none" },
	{ "Authentication-Results: mx.example.test; dkim=pass header.i=@digicert.com\n", "no-reply@digitalcertvalidation.com", "pass" },
	/* forged trusted header below an earlier hop: ignored */
	{ "Authentication-Results: mx.example.test; dkim=fail header.d=digitalcertvalidation.com\nReceived: from evil by mx\n"
	  "Authentication-Results: mx.example.test; dkim=pass header.d=digicert.com\n", "no-reply@digitalcertvalidation.com", "fail" },
	/* only headers above the first Received count: a trusted pass below the
	 * MTA's Received (a milter was down, the sender wrote it) is not believed */
	{ "Received: from mx by mailbox-host\nAuthentication-Results: mx.example.test; dkim=pass header.d=digicert.com\n",
	  "no-reply@digitalcertvalidation.com", "none" },
	{ "Received: from evil.example by mx.example.test (Postfix)\n"
	  "Authentication-Results: mx.example.test; dkim=pass header.d=digicert.com\n"
	  "Authentication-Results: mx.example.test; dmarc=pass header.from=digitalcertvalidation.com\n",
	  "no-reply@digitalcertvalidation.com", "none" },
	/* above Received an untrusted header is skipped, every trusted one counts */
	{ "Authentication-Results: mx.example.test; dkim=none\nAuthentication-Results: evil.example; dkim=fail header.d=digicert.com\n"
	  "Authentication-Results: mx.example.test; dkim=pass header.d=digicert.com\nReceived: from a by b\n",
	  "no-reply@digitalcertvalidation.com", "pass" },
	/* a trusted fail for the CA's domain beats a trusted pass, in either order */
	{ "Authentication-Results: mx.example.test; dkim=fail header.d=digitalcertvalidation.com; dmarc=fail header.from=digitalcertvalidation.com\n"
	  "Authentication-Results: mx.example.test; dkim=pass header.d=digicert.com\nReceived: from a by b\n",
	  "no-reply@digitalcertvalidation.com", "fail" },
	{ "Authentication-Results: mx.example.test; dkim=pass header.d=digicert.com\n"
	  "Authentication-Results: mx2.example.test; dkim=fail header.d=digicert.com\n",
	  "no-reply@digitalcertvalidation.com", "fail" },
	{ "Authentication-Results: mx.example.test; dkim=pass header.d=digicert.com; dmarc=fail header.from=digitalcertvalidation.com\n",
	  "no-reply@digitalcertvalidation.com", "fail" },
	{ "Authentication-Results: mx.example.test; dkim=permerror header.d=digicert.com; dkim=pass header.d=digicert.com\n",
	  "no-reply@digitalcertvalidation.com", "fail" },
	/* a result that cannot be told (temperror, neutral) does not beat a pass */
	{ "Authentication-Results: mx.example.test; dkim=temperror header.d=digicert.com; dkim=pass header.d=digicert.com\n",
	  "no-reply@digitalcertvalidation.com", "pass" },
	{ "Authentication-Results: mx.example.test; dkim=neutral header.d=digicert.com\n",
	  "no-reply@digitalcertvalidation.com", "fail" },
	{ "Authentication-Results: mx2.example.test; dkim=pass header.d=digicert.com\n", "no-reply@digitalcertvalidation.com", "pass" },
	{ "Authentication-Results: garbage without structure\nAuthentication-Results: mx.example.test; dkim=pass header.d=digicert.com\n",
	  "no-reply@digitalcertvalidation.com", "pass" },
	{ "", "no-reply@digitalcertvalidation.com", "none" },
};

/* The same header under each intake's trust. */
static const char *
intake_auth(struct config *cfg, const struct ruleset *rs, const char *source, const char *mailbox)
{
	const char *raw = "Authentication-Results: mx.example.test; dkim=pass header.d=digicert.com\n"
			  "Received: from evil.example by imap.provider.example\n"
			  "From: DigiCert <no-reply@digicert.com>\nSubject: Approve\n\nx\n";
	struct message *m = message_parse(raw, strlen(raw), NULL);
	struct envelope env = { .source = source, .mailbox = mailbox };
	struct verdict v;
	const char *r;

	verdict_init(&v);
	classify(rs, m, NULL, &v);
	auth_evaluate(m, cfg, rs, source ? &env : NULL, &v);
	auth_check_phishing(m, cfg, rs, source ? &env : NULL, &v);
	r = v.auth == AUTH_PASS ? "pass" : v.type == VT_SUSPICIOUS ? "suspicious" : auth_status_name(v.auth);
	verdict_free(&v);
	message_free(m);
	return r;
}

static void
test_intakes(struct config *cfg, const struct ruleset *rs)
{
	struct mailbox_cfg mb[2];

	memset(mb, 0, sizeof(mb));
	mb[0].name = "hosted";
	mb[1].name = "provider";
	strv_add(&mb[1].trust_authserv_ids, "mx.example.test");
	cfg->mailboxes = mb;
	cfg->nmailboxes = 2;
	CHECK_STR(intake_auth(cfg, rs, "pipe", "admin@example.com"), "pass", "pipe trusts trust-authserv-id");
	CHECK_STR(intake_auth(cfg, rs, "imap", "hosted"), "none",
		  "an IMAP mailbox does not believe the global trust-authserv-id");
	CHECK_STR(intake_auth(cfg, rs, "imap", "provider"), "pass",
		  "a mailbox with its own trust-authserv-id believes that id");
	CHECK_STR(intake_auth(cfg, rs, "imap", "gone"), "none", "an unknown mailbox trusts nothing");
	CHECK_STR(intake_auth(cfg, rs, "file", "x.eml"), "none", "check does not believe headers in files by default");
	cfg->check_trust_ar = 1;
	CHECK_STR(intake_auth(cfg, rs, "file", "x.eml"), "pass", "check-trust-authserv-id yes: check believes them");
	cfg->check_trust_ar = 0;
	CHECK_STR(intake_auth(cfg, rs, NULL, NULL), "none", "no intake known: nothing trusted");
	{
		const struct envelope env = { .source = "imap", .mailbox = "hosted" };
		CHECK(auth_trusted_ids(cfg, &env)->n == 0, "hosted mailbox: no trusted ids");
	}
	strv_free(&mb[1].trust_authserv_ids);
	cfg->mailboxes = NULL;
	cfg->nmailboxes = 0;
}

static void
test_verdicts(void)
{
	struct config cfg;
	struct ruleset *rs;
	const char *rules = "/tmp/dcvmail-test-auth.rules";
	FILE *f = fopen(rules, "w");

	fputs("ca digicert \"DigiCert\"\n from-domain digitalcertvalidation.com digicert.com\n"
	      " dkim-domain digicert.com digitalcertvalidation.com\n link-host digicert.com\n"
	      "rule dc\n type dcv\n subject /Approve/\n", f);
	fclose(f);
	config_defaults(&cfg);
	strv_add(&cfg.trust_authserv_ids, "mx.example.test");
	strv_add(&cfg.trust_authserv_ids, "mx2.example.test");
	CHECK(rules_load_file(rules, RULES_MODE_SINGLE, &rs, NULL, NULL) == 0, "test rules load");
	const struct envelope pipe_env = { .source = "pipe" };
	for (size_t i = 0; i < nitems(verdict_cases); i++) {
		char *raw = xasprintf("%sFrom: DigiCert <%s>\nSubject: Approve\n\nbody\n", verdict_cases[i].headers,
				      verdict_cases[i].from);
		struct message *m = message_parse(raw, strlen(raw), NULL);
		struct verdict v;
		verdict_init(&v);
		classify(rs, m, NULL, &v);
		auth_evaluate(m, &cfg, rs, &pipe_env, &v);
		CHECK_STR(auth_status_name(v.auth), verdict_cases[i].want, "verdict %zu: %s (%s)", i,
			  verdict_cases[i].want, v.auth_reason ? v.auth_reason : "");
		verdict_free(&v);
		message_free(m);
		free(raw);
	}
	test_intakes(&cfg, rs);
	/* without trust-authserv-id nothing is authenticated */
	strv_free(&cfg.trust_authserv_ids);
	{
		const char *raw = "Authentication-Results: mx.example.test; dkim=pass header.d=digicert.com\n"
				  "From: <no-reply@digicert.com>\nSubject: Approve\n\nx\n";
		struct message *m = message_parse(raw, strlen(raw), NULL);
		struct verdict v;
		verdict_init(&v);
		classify(rs, m, NULL, &v);
		auth_evaluate(m, &cfg, rs, &(struct envelope){ .source = "pipe" }, &v);
		CHECK(v.auth == AUTH_NONE && strstr(v.auth_reason, "trust-authserv-id"),
		      "no trusted id configured: none, and the reason says so");
		verdict_free(&v);
		message_free(m);
	}
	rules_free(rs);
	config_free(&cfg);
	remove(rules);
}

int
main(void)
{
	test_parse();
	test_verdicts();
	UNIT_DONE();
}
