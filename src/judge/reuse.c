/* reuse.c — the validation reuse periods of ballots SC-081 and SC-090. */
#include <string.h>

#include "judge/reuse.h"

int
sc081_reuse_days(time_t t)
{
	if (t >= 1868227200) /* 2029-03-15 */
		return 10;
	if (t >= 1805068800) /* 2027-03-15 */
		return 100;
	if (t >= 1773532800) /* 2026-03-15 */
		return 200;
	return 398;
}

time_t
validation_reuse_until(time_t approved_at, int email_method)
{
	time_t until = approved_at + (time_t)sc081_reuse_days(approved_at) * 86400;

	/* SC-090: from 2028-03-15 no CA may rely on an email-based validation */
	if (email_method && until > 1836691200)
		until = 1836691200;
	return until;
}

time_t
email_dcv_end(const char *role, const char **method, const char **section)
{
	if (role && !strcmp(role, "whois")) {
		*method = "WHOIS contact";
		*section = "3.2.2.4.2";
		return 1752537600; /* 2025-07-15, SC-080 */
	}
	if (role && !strcmp(role, "txt")) {
		*method = "DNS TXT contact";
		*section = "3.2.2.4.14";
	} else if (role && !strcmp(role, "constructed")) {
		*method = "constructed address";
		*section = "3.2.2.4.4";
	} else {
		*method = "email";
		*section = "3.2.2.4.4/.13/.14";
	}
	return 1836691200; /* 2028-03-15, SC-090 */
}
