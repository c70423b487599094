/* test-forward.c — the inner message of forwarded mail (mail/forward.h). */
#include <stdlib.h>
#include <string.h>

#include "mail/forward.h"
#include "mail/message.h"
#include "unit.h"

static struct fwd_inner c[FWD_MAX];
static size_t n;
static struct message *outer;

static void
unwrap(const char *raw)
{
	forward_free(c, n);
	message_free(outer);
	outer = message_parse(raw, strlen(raw), NULL);
	n = forward_unwrap(outer, NULL, c, FWD_MAX);
}

static int
has_link(const struct message *m, const char *url)
{
	for (size_t i = 0; i < m->nlinks; i++)
		if (!strcmp(m->links[i].url, url))
			return 1;
	return 0;
}

int
main(void)
{
	CHECK(forward_subject_prefix("Fwd: Approve"), "Fwd: is a forward prefix");
	CHECK(forward_subject_prefix("RE: FW: Approve"), "FW: after RE: too");
	CHECK(forward_subject_prefix("[EXTERNAL] WG: Approve"), "WG: after a gateway tag");
	CHECK(forward_subject_prefix("【重要】転送：承認"), "転送： with a full-width colon after 【重要】");
	CHECK(forward_subject_prefix("TR: Validation"), "TR: (French)");
	CHECK(!forward_subject_prefix("Forward planning meeting"), "a word starting with 'Forward' is not a prefix");
	CHECK(!forward_subject_prefix("Re: Approve"), "a reply is not a forward");
	CHECK(!forward_subject_prefix(""), "an empty subject is not a forward");

	unwrap("From: Alice <alice@example.net>\r\nSubject: Fwd: hello\r\n\r\n"
	       "note\r\n\r\n---------- Forwarded message ---------\r\n"
	       "From: DigiCert <no-reply@digitalcertvalidation.com>\r\nDate: Tue, Nov 24, 2026 at 9:00 AM\r\n"
	       "Subject: [Action Required] Approve\r\nTo: <alice@example.net>\r\n\r\n\r\n"
	       "Body text https://www.digicert.com/link/approve?t=x\r\n");
	CHECK(n == 1 && c[0].kind == FWD_INLINE && !strcmp(c[0].how, "Gmail"), "a Gmail block is one inline candidate");
	CHECK_STR(n ? c[0].m->from : NULL, "no-reply@digitalcertvalidation.com", "its sender");
	CHECK_STR(n ? c[0].m->from_display : NULL, "DigiCert", "its sender's name");
	CHECK_STR(n ? c[0].m->subject : NULL, "[Action Required] Approve", "its subject");
	CHECK_STR(n ? c[0].m->date : NULL, "Tue, Nov 24, 2026 at 9:00 AM", "its date");
	CHECK(n && strstr(c[0].m->text, "Body text") && !strstr(c[0].m->text, "note"),
	      "its text is what follows the block, not the forwarder's note");
	CHECK(n && has_link(c[0].m, "https://www.digicert.com/link/approve?t=x"), "with the links of that text");
	CHECK(n && c[0].m->status == MSG_OK, "and it parses cleanly");

	unwrap("From: Erin <erin@example.net>\r\nSubject: Fwd: x\r\n\r\n"
	       "> Begin forwarded message:\r\n>\r\n> From: \"DigiCert, Inc.\" <no-reply@digitalcertvalidation.com>\r\n"
	       "> Subject: Approve\r\n> Date: today\r\n>\r\n> > line one\r\n> line two\r\n");
	CHECK(n == 1 && !strcmp(c[0].how, "Apple Mail"), "an Apple Mail block, quoted");
	CHECK_STR(n ? c[0].m->from : NULL, "no-reply@digitalcertvalidation.com", "its sender, quote marks taken off");
	CHECK(n && c[0].m->status == MSG_OK, "a comma in the quoted name is still one address");
	CHECK(n && strstr(c[0].m->text, "line two") && !strstr(c[0].m->text, "> line two"),
	      "the block's quote level is taken off its text");
	CHECK(n && strstr(c[0].m->text, "> line one"), "a deeper quote level stays");

	unwrap("From: Carol <carol@example.biz>\r\nSubject: FW: x\r\n\r\n"
	       "________________________________\r\nFrom: GoDaddy [mailto:donotreply@godaddy.com]\r\n"
	       "Sent: Tuesday, November 24, 2026 9:00 AM\r\nTo: admin@example.biz\r\nSubject: Please approve\r\n\r\nbody\r\n");
	CHECK(n == 1 && !strcmp(c[0].how, "Outlook"), "an Outlook From/Sent block without a separator");
	CHECK_STR(n ? c[0].m->from : NULL, "donotreply@godaddy.com", "[mailto:] gives the address");
	CHECK_STR(n ? c[0].m->from_display : NULL, "GoDaddy", "and the name before it");
	CHECK_STR(n ? c[0].m->date : NULL, "Tuesday, November 24, 2026 9:00 AM", "Sent: is the date");

	unwrap("From: Carol <carol@example.biz>\r\nSubject: FW: x\r\n\r\n"
	       "-----Original Message-----\r\nFrom: GoDaddy\r\nSent: today\r\nSubject: Please approve\r\n\r\nbody\r\n");
	CHECK(n >= 1 && *c[0].m->from == '\0' && c[0].m->status == MSG_OK,
	      "a block naming no address gives an inner message without a sender, not a malformed one");

	unwrap("From: Taro <taro@example.jp>\r\nSubject: =?utf-8?b?6Lui6YCBOiB4?=\r\n"
	       "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	       "-------- 転送メッセージ --------\r\n件名: \t承認のお願い\r\n日付: \t2026年11月24日\r\n"
	       "差出人: \tGMO GlobalSign <dv@gmogs.com>\r\n宛先: \tapprover@example.jp\r\n\r\n本文\r\n");
	CHECK(n == 1 && !strcmp(c[0].how, "Thunderbird"), "a Japanese Thunderbird block");
	CHECK_STR(n ? c[0].m->from : NULL, "dv@gmogs.com", "差出人 is the sender");
	CHECK_STR(n ? c[0].m->subject : NULL, "承認のお願い", "件名 the subject");

	unwrap("From: Hans <hans@example.de>\r\nSubject: WG: x\r\n\r\n"
	       "---------- Weitergeleitete Nachricht ---------\r\nVon: GlobalSign <validation@globalsign.com>\r\n"
	       "Datum: Di., 24. Nov. 2026\r\nBetreff: Domain Control Validation\r\nAn: <hans@example.de>\r\n\r\nText\r\n");
	CHECK_STR(n ? c[0].m->from : NULL, "validation@globalsign.com", "a German Gmail block (Von:)");

	unwrap("From: Alice <alice@example.net>\r\nSubject: hi\r\n\r\n---------- Forwarded message ---------\r\n"
	       "just text, no header lines\r\n");
	CHECK(n == 0, "a separator without a From line is no forward");

	unwrap("From: Alice <alice@example.net>\r\nSubject: lunch?\r\nReply-To: bob@example.net\r\n\r\nhello\r\n");
	CHECK(n == 0, "ordinary mail (a Reply-To alone) has no inner message");

	unwrap("From: \"Privacy\" <fwd@privacy.example>\r\nX-Original-From: GlobalSign <validation@globalsign.com>\r\n"
	       "Subject: Domain Control Validation\r\n\r\nOrder Number: 1\r\n");
	CHECK(n == 1 && c[0].kind == FWD_SERVICE, "X-Original-From: a re-sent copy");
	CHECK_STR(n ? c[0].m->from : NULL, "validation@globalsign.com", "from the original sender");
	CHECK(n && strstr(c[0].m->text, "Order Number: 1"), "with the outer body unchanged");
	CHECK(n && c[0].m->status == MSG_OK, "and one From only");

	unwrap("From: \"Sectigo via Relay\" <relay@relay.example>\r\nReply-To: noreply_support@trust-provider.com\r\n"
	       "Subject: x\r\n\r\nbody\r\n");
	CHECK(n == 1 && c[0].kind == FWD_SERVICE, "\"X via Service\" with Reply-To: a re-sent copy");
	CHECK_STR(n ? c[0].service : NULL, "Relay", "the service's name");
	CHECK_STR(n ? c[0].m->from : NULL, "noreply_support@trust-provider.com", "Reply-To is the original sender");

	unwrap("From: Bob <bob@example.net>\r\nSubject: FW: ORDER #1\r\n\r\npasted text\r\n");
	CHECK(n == 1 && c[0].kind == FWD_SUBJECT && *c[0].m->from == '\0',
	      "only an FW: prefix: a candidate without a sender");

	unwrap("From: Alice <alice@example.net>\r\nSubject: Fwd: x\r\nMIME-Version: 1.0\r\n"
	       "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
	       "--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	       "RnJvbTogRGlnaUNlcnQgPG5vLXJlcGx5QGRpZ2l0YWxjZXJ0dmFsaWRhdGlvbi5jb20+DQpTdWJq\r\n"
	       "ZWN0OiBBcHByb3ZlDQoNCmlubmVyIGJvZHkNCg==\r\n--b--\r\n");
	CHECK(n >= 1 && c[0].kind == FWD_ATTACHED, "an attached message comes first");
	CHECK_STR(n ? c[0].m->from : NULL, "no-reply@digitalcertvalidation.com", "decoded from base64");
	CHECK(n && strstr(c[0].m->text, "inner body"), "with its own body");

	forward_free(c, n);
	message_free(outer);
	UNIT_DONE();
}
