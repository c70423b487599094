/* reuse.h — how long a CA may reuse a domain validation (CA/Browser Forum
 * ballots SC-081 and SC-090): a rule about certificates, not about storage,
 * so the ledger asks it when it records a validation. */
#ifndef DCVMAIL_REUSE_H
#define DCVMAIL_REUSE_H

#include <time.h>

/* SC-081 reuse period (days) for a validation made at t. */
int sc081_reuse_days(time_t t);
/* The end of that period; email_method applies the SC-090 cap on
 * email-based validations. */
time_t validation_reuse_until(time_t approved_at, int email_method);

/* When validation by email to a mailbox of this role ends (ballots SC-080,
 * SC-090): "whois" (BR 3.2.2.4.2) 2025-07-15; "constructed" (3.2.2.4.4),
 * "txt" (3.2.2.4.14) and any other email 2028-03-15 (SHOULD NOT since
 * 2026-03-15). *method and *section name the method for people. */
time_t email_dcv_end(const char *role, const char **method, const char **section);
/* 2026-03-15: from then on email methods SHOULD NOT be used (SC-090). */
#define EMAIL_DCV_DISCOURAGED 1773532800

#endif
