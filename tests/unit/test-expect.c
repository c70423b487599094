/* test-expect.c — what an expectation covers, and what `expect add` accepts. */
#include <time.h>

#include "unit.h"
#include "judge/expect.h"
#include "base/util.h"

#define OK_NAME(d) CHECK(expect_domain_problem(d) == NULL, "a name: %s", d)
#define BAD_NAME(d, why) CHECK_STR(expect_domain_problem(d), why, "not a name: %s", d)

int
main(void)
{
	char long_label[80], long_name[300];

	/* the domain scope */
	CHECK(expect_covers("example.com", 0, NULL, "example.com", "1"), "the very name is covered");
	CHECK(expect_covers("example.com", 0, NULL, "EXAMPLE.com.", NULL), "in any case, with a trailing dot");
	CHECK(!expect_covers("example.com", 0, NULL, "www.example.com", "1"), "a name under it is not, by default");
	CHECK(!expect_covers("example.com", 0, NULL, "*.example.com", "1"), "nor the wildcard");
	CHECK(!expect_covers("example.com", 0, NULL, "badexample.com", "1"), "nor a name merely ending like it");
	CHECK(!expect_covers("example.com", 0, NULL, "com", "1"), "nor the parent");
	CHECK(expect_covers("example.com", 1, NULL, "www.example.com", "1"), "with subdomains: a name under it");
	CHECK(expect_covers("example.com", 1, NULL, "a.b.example.com", "1"), "at any depth");
	CHECK(expect_covers("example.com", 1, NULL, "*.example.com", "1"), "and the wildcard");
	CHECK(expect_covers("example.com", 1, NULL, "example.com", "1"), "and the name itself");
	CHECK(!expect_covers("example.com", 1, NULL, "badexample.com", "1"), "but not a name merely ending like it");
	CHECK(expect_covers("*.example.com", 0, NULL, "*.example.com", "1"), "a written wildcard covers the wildcard");
	CHECK(!expect_covers("*.example.com", 0, NULL, "www.example.com", "1"), "but not a name under the domain");
	CHECK(!expect_covers("*.example.com", 0, NULL, "example.com", "1"), "nor the domain itself");
	/* the order */
	CHECK(expect_covers("example.com", 0, "42", "example.com", "42"), "the order named");
	CHECK(!expect_covers("example.com", 0, "42", "example.com", "43"), "not another order");
	CHECK(!expect_covers("example.com", 0, "42", "example.com", NULL), "not a request without an order");
	CHECK(!expect_covers("example.com", 0, "42", "example.com", "420"), "not an order that starts like it");

	/* names admins may type */
	OK_NAME("example.com");
	OK_NAME("www.Example.COM.");
	OK_NAME("*.example.com");
	OK_NAME("xn--bcher-kva.example");
	OK_NAME("a-b.c1.example");
	BAD_NAME("", "an empty name");
	BAD_NAME("*.", "no name after the wildcard");
	BAD_NAME("com", "a single label, not a domain");
	BAD_NAME("example.com\"", "a character other than letters, digits, '-' and '.'");
	BAD_NAME("exa mple.com", "a character other than letters, digits, '-' and '.'");
	BAD_NAME("example.com/x", "a character other than letters, digits, '-' and '.'");
	BAD_NAME("example..com", "an empty label");
	BAD_NAME(".example.com", "an empty label");
	BAD_NAME("-x.example.com", "a label that starts or ends with '-'");
	BAD_NAME("x-.example.com", "a label that starts or ends with '-'");
	BAD_NAME("w*.example.com", "a '*' that is not the whole first label");
	BAD_NAME("www.*.example.com", "a '*' that is not the whole first label");
	BAD_NAME("*.*.example.com", "a '*' that is not the whole first label");
	BAD_NAME("ab--c.example.com", "a label with '--' in the third and fourth place that is not an A-label (xn--)");
	BAD_NAME("192.0.2.1", "an address, not a domain name");
	BAD_NAME("b\xc3\xbc" "cher.example", "not ASCII: give the name's A-label (xn--...)");
	BAD_NAME("example.com\x1b[31m", "a character other than letters, digits, '-' and '.'");
	memset(long_label, 'a', 64);
	memcpy(long_label + 64, ".example", 9);
	BAD_NAME(long_label, "a label longer than 63 characters");
	for (int i = 0; i < 254; i += 2)
		memcpy(long_name + i, "a.", 2);
	memcpy(long_name + 254, "com", 4);
	BAD_NAME(long_name, "longer than 253 characters");

	/* order ids */
	CHECK(expect_order_problem("48210100") == NULL, "an order number");
	CHECK(expect_order_problem("ORD-2026/11#7") == NULL, "printable punctuation is fine");
	CHECK(expect_order_problem("") != NULL, "an empty order is not");
	CHECK(expect_order_problem("12 34") != NULL, "nor one with a space");
	CHECK(expect_order_problem("12\n34") != NULL, "nor one with a newline");
	CHECK(expect_order_problem("12\x1b") != NULL, "nor one with ESC");
	CHECK(expect_order_problem("1234567890123456789012345678901234567890123456789012345678901234") == NULL,
	      "64 characters are fine");
	CHECK(expect_order_problem("12345678901234567890123456789012345678901234567890123456789012345") != NULL,
	      "65 are not");

	/* --until */
	CHECK(parse_date("2026-02-31") == -1, "a day that does not exist is not a date");
	CHECK(parse_date("2026-13-01") == -1, "nor a month");
	CHECK(parse_date("tomorrow") == -1, "nor a word");
	CHECK(parse_date("+99999999999999999999d") == -1, "a number of days too large is refused");
	CHECK(parse_date("+36501d") == -1, "more than a hundred years is refused");
	CHECK(parse_date("2028-02-29") == 1835481599, "a leap day is a date (end of the day, UTC)");
	CHECK(parse_date("2026-12-01T10:00:00Z") == 1796119200, "a time in UTC");
	time_t now = time(NULL), t = parse_date("+7d");
	CHECK(t >= now + 7 * 86400 && t <= now + 7 * 86400 + 2, "+7d is seven days from now");
	UNIT_DONE();
}
