/* test-msg-parse.c — message model API: header accessors, charsets, links,
 * limits defaults, never-NULL fields on hostile input. */
#include <stdlib.h>
#include <string.h>

#include "mail/charset.h"
#include "mail/links.h"
#include "mail/message.h"
#include "base/util.h"
#include "unit.h"

static char *
conv(const char *cs, const char *in, size_t len)
{
	struct buf b;

	buf_init(&b, 0);
	charset_to_utf8(&b, cs, in, len);
	return buf_steal(&b);
}

static void
test_headers(void)
{
	static const char raw[] =
		"Received: one\nreceived: two\nSubject: =?UTF-8?B?w6l0w6k=?=\n"
		"X-Folded: a\n  b\nFrom: \"Doe, J\" <J.Doe@Example.COM>\n\nbody\n";
	struct message *m = message_parse(raw, sizeof(raw) - 1, NULL);

	CHECK_STR(message_header(m, "RECEIVED", 0), "one", "header lookup ignores case");
	CHECK_STR(message_header(m, "Received", 1), "two", "second Received is nth 1");
	CHECK(message_header(m, "Received", 2) == NULL, "third Received is absent");
	CHECK_STR(message_header(m, "Subject", 0), "été", "Subject decoded");
	CHECK_STR(message_header_raw(m, "Subject", 0), "=?UTF-8?B?w6l0w6k=?=", "raw Subject kept");
	CHECK_STR(message_header(m, "X-Folded", 0), "a  b", "folded header unfolded");
	CHECK_STR(m->from, "J.Doe@example.com", "from: domain lower-cased, local part kept");
	CHECK_STR(m->from_domain, "example.com", "from_domain");
	CHECK_STR(m->from_display, "Doe, J", "quoted display name with a comma");
	CHECK(m->status == MSG_OK && m->status_reason == NULL, "status ok, no reason");
	CHECK(strlen(m->sha256) == 64, "sha256 is 64 hex digits");
	message_free(m);
}

static void
test_empty_input(void)
{
	struct message *m = message_parse("", 0, NULL);

	CHECK(m && m->from && m->from_domain && m->from_display && m->subject &&
		      m->message_id && m->date && m->text && m->html && m->html_text && m->body,
	      "empty input: every string field is non-NULL");
	CHECK_STR(m->sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		  "sha256 of empty input");
	CHECK(m->status == MSG_MALFORMED && !strcmp(m->status_reason, "empty message"),
	      "empty input is malformed: empty message");
	message_free(m);
	message_free(NULL);
}

static void
test_charsets(void)
{
	char *s;

	s = conv("Shift_JIS", "\x87\x40\x81\x60", 4);
	CHECK_STR(s, "①～", "Shift_JIS read as CP932 (NEC and wave dash)");
	free(s);
	s = conv("iso-2022-jp", "\x1b$B$3$s\x1b(B!", 11);
	CHECK_STR(s, "こん!", "ISO-2022-JP");
	free(s);
	s = conv("EUC-JP", "\xa4\xb3\xa4\xf3", 4);
	CHECK_STR(s, "こん", "EUC-JP");
	free(s);
	s = conv("utf-8", "a\xff" "b", 3);
	CHECK_STR(s, "a\xef\xbf\xbd" "b", "invalid UTF-8 byte becomes U+FFFD");
	free(s);
	s = conv("us-ascii", "caf\xe9", 4);
	CHECK_STR(s, "café", "mislabelled us-ascii with 8-bit bytes: Windows-1252");
	free(s);
	s = conv(NULL, "caf\xe9", 4);
	CHECK_STR(s, "café", "no charset, not UTF-8: Windows-1252");
	free(s);
	s = conv("x-made-up", "\x93q\x94", 3);
	CHECK_STR(s, "“q”", "unknown charset, not UTF-8: Windows-1252");
	free(s);
	s = conv("us-ascii", "a\0b", 3);
	CHECK_STR(s, "a\xef\xbf\xbd" "b", "NUL becomes U+FFFD");
	free(s);
	s = conv("iso-8859-1", "\x80", 1);
	CHECK_STR(s, "€", "ISO-8859-1 labels read as Windows-1252");
	free(s);
	CHECK(utf8_valid("é", 2) && !utf8_valid("\xc3", 1) && !utf8_valid("\xed\xa0\x80", 3),
	      "utf8_valid: truncated and surrogate sequences are invalid");
}

static void
test_link_parse(void)
{
	struct msg_link l;

	CHECK(link_parse("HTTPS://User@WWW.Example.COM:8443/a b?q=1#f", &l) == 0, "link_parse ok");
	CHECK_STR(l.host, "www.example.com", "host lower-cased");
	CHECK_STR(l.path, "/a%20b?q=1", "path with query, space encoded");
	CHECK(l.has_userinfo && l.has_port && !l.ip_literal && !l.idn, "flags userinfo+port");
	link_clear(&l);
	CHECK(link_parse("http://0x7f000001/", &l) == 0 && l.ip_literal, "hex IPv4 is an IP literal");
	CHECK_STR(l.host, "127.0.0.1", "curl normalises hex IPv4");
	link_clear(&l);
	CHECK(link_parse("ftp://example.com/", &l) == -1 && l.url == NULL, "ftp refused");
	CHECK(link_parse("javascript:alert(1)", &l) == -1, "javascript: refused");
	CHECK(link_parse("https://a@b@evil.example/", &l) == 0, "double @ parsed");
	CHECK_STR(l.host, "evil.example", "the last @ separates the host");
	link_clear(&l);
}

static void
test_limits(void)
{
	struct msg_limits lim;

	msg_limits_default(&lim);
	CHECK(lim.max_size == 10u << 20 && lim.max_depth == 32 && lim.max_parts == 1000 &&
		      lim.max_headers == 1000 && lim.max_text == 4u << 20 && lim.max_links == 500,
	      "limit defaults as documented in message.h");
	CHECK_STR(msg_status_name(MSG_OK), "ok", "status name ok");
	CHECK_STR(msg_status_name(MSG_MALFORMED), "malformed", "status name malformed");
	CHECK_STR(msg_status_name(MSG_OVERSIZED), "oversized", "status name oversized");
}

int
main(void)
{
	test_headers();
	test_empty_input();
	test_charsets();
	test_link_parse();
	test_limits();
	UNIT_DONE();
}
