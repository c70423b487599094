/* test-util.c — small helpers whose mistakes would weaken a security check. */
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
	UNIT_DONE();
}
