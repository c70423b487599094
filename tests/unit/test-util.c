/* test-util.c — small helpers whose mistakes would weaken a security check. */
#include <stdlib.h>
#include "unit.h"
#include "dcvmail/util.h"

int
main(void)
{
	CHECK(host_is_loopback("localhost"), "localhost is loopback");
	CHECK(host_is_loopback("LocalHost"), "in any case");
	CHECK(host_is_loopback("127.0.0.1") && host_is_loopback("127.1.2.3"), "127.0.0.0/8 is loopback");
	CHECK(host_is_loopback("::1"), "::1 is loopback");
	CHECK(!host_is_loopback("127.attacker.example"), "a name starting with 127. is not loopback");
	CHECK(!host_is_loopback("127.0.0.1.nip.example"), "nor a name ending in one");
	CHECK(!host_is_loopback("128.0.0.1") && !host_is_loopback("10.0.0.1"), "other addresses are not");
	CHECK(!host_is_loopback("localhost.example.com"), "nor a name under localhost");
	CHECK(domain_at_or_under("a.example.com", "example.com"), "a name under a domain");
	CHECK(!domain_at_or_under("badexample.com", "example.com"), "not a name merely ending like it");
	{
		static const struct { const char *in, *want; } r[] = {
			{ "smtp url 'smtp://user:s3cret@mx.example.com:25' is bad", "smtp url 'smtp://***@mx.example.com:25' is bad" },
			{ "https://hook.example/x?a=b", "https://hook.example/x?a=b" },
			{ "a http://u:p/w?#d@h/x and imaps://joe:pw@h/INBOX", "a http://***@h/x and imaps://***@h/INBOX" },
			{ "x://a@h", "x://*@h" },
			{ "no url here: user:pw@host", "no url here: user:pw@host" },
			{ "://@h", "://@h" },
		};
		for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
			char *s = xstrdup(r[i].in);
			CHECK_STR(redact_userinfo(s), r[i].want, "redact_userinfo %zu", i);
			free(s);
		}
	}
	UNIT_DONE();
}
