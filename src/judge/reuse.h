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

#endif
