/* expect.h — what an expectation (`dcvmail expect add`) covers, and the
 * checks on what an administrator types for one. */
#ifndef DCVMAIL_EXPECT_H
#define DCVMAIL_EXPECT_H

#include <stddef.h>

/* Default lifetime of an expectation without --until. */
#define EXPECT_DEFAULT_DAYS 7
/* Longest order id accepted by `expect add`. */
#define EXPECT_ORDER_MAX 64

/* NULL when d is a host name dcvmail can expect (LDH labels, A-labels
 * xn--, at least two labels, not an address), optionally "*." in front;
 * otherwise the reason in plain words. A trailing dot is allowed. */
const char *expect_domain_problem(const char *d);
/* NULL when an order id is printable ASCII without spaces, 1 to
 * EXPECT_ORDER_MAX characters; otherwise the reason. */
const char *expect_order_problem(const char *o);

/* Does an expectation for domain (with or without subdomains) and order
 * (NULL: any order) cover a request for req_domain and req_order?
 * Without subdomains only the very name counts ("*.example.com" is a name
 * of its own: a wildcard is covered only when written); with subdomains the
 * name and every name and wildcard under it. An expectation with an order
 * covers only that order. Names compare case-insensitively, a trailing dot
 * ignored. */
int expect_covers(const char *domain, int subdomains, const char *order, const char *req_domain, const char *req_order);

#endif
