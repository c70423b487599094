/* expect.c — the scope of an expectation and the checks on its input.
 * IDN: `expect add` turns every name into its canonical form (base/names.h:
 * lower case, a U-label as its A-label) before
 * these checks, so a name reaching them is ASCII. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "judge/expect.h"
#include "base/util.h"

static int
ldh(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

const char *
expect_domain_problem(const char *d)
{
	size_t len, labels = 0;
	const char *p, *last = NULL;

	if (d == NULL || *d == '\0')
		return "an empty name";
	if (!strncmp(d, "*.", 2))
		d += 2;
	len = strlen(d);
	if (len && d[len - 1] == '.')
		len--;
	if (len == 0)
		return "no name after the wildcard";
	if (len > 253)
		return "longer than 253 characters";
	for (p = d; p < d + len; p++)
		if ((unsigned char)*p >= 0x80)
			return "not ASCII: give the name's A-label (xn--...)";
	for (p = d; p < d + len;) {
		const char *e = memchr(p, '.', (size_t)(d + len - p));
		size_t l = e ? (size_t)(e - p) : (size_t)(d + len - p);

		if (l == 0)
			return "an empty label";
		if (l > 63)
			return "a label longer than 63 characters";
		for (size_t i = 0; i < l; i++)
			if (p[i] == '*')
				return "a '*' that is not the whole first label";
			else if (!ldh((unsigned char)p[i]))
				return "a character other than letters, digits, '-' and '.'";
		if (p[0] == '-' || p[l - 1] == '-')
			return "a label that starts or ends with '-'";
		if (l >= 4 && p[2] == '-' && p[3] == '-' && strncasecmp(p, "xn", 2))
			return "a label with '--' in the third and fourth place that is not an A-label (xn--)";
		last = p;
		labels++;
		p += l + 1;
	}
	if (labels < 2)
		return "a single label, not a domain";
	for (p = last; p < d + len && isdigit((unsigned char)*p); p++)
		;
	if (p == d + len)
		return "an address, not a domain name";
	return NULL;
}

const char *
expect_order_problem(const char *o)
{
	size_t n = 0;

	if (o == NULL || *o == '\0')
		return "an empty order id";
	for (; o[n]; n++)
		if ((unsigned char)o[n] <= 0x20 || (unsigned char)o[n] >= 0x7f)
			return "a character that is not printable ASCII (or a space)";
	if (n > EXPECT_ORDER_MAX)
		return "longer than 64 characters";
	return NULL;
}

/* length without one trailing dot */
static size_t
name_len(const char *s)
{
	size_t l = strlen(s);

	return l && s[l - 1] == '.' ? l - 1 : l;
}

int
expect_covers(const char *domain, int subdomains, const char *order, const char *req_domain, const char *req_order)
{
	size_t ld, lr;

	if (domain == NULL || req_domain == NULL)
		return 0;
	if (order && (req_order == NULL || strcmp(order, req_order)))
		return 0;
	if (subdomains)
		return domain_at_or_under(req_domain, domain);
	ld = name_len(domain);
	lr = name_len(req_domain);
	return ld == lr && ld > 0 && strncasecmp(domain, req_domain, ld) == 0;
}
