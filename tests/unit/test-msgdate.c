/* test-msgdate.c — Date: and Received: dates, and the sent time made of them. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/message.h"
#include "unit.h"

static time_t
pd(const char *s)
{
	return message_parse_date(s, strlen(s));
}

static time_t
sent(const char *headers, time_t arrival)
{
	struct msg_limits lim;
	char buf[4096];
	int n;

	msg_limits_default(&lim);
	n = snprintf(buf, sizeof(buf), "%sFrom: a@example.com\r\nSubject: x\r\n\r\nbody\r\n", headers);
	struct message *m = message_parse(buf, (size_t)n, &lim);
	time_t t = message_sent_time(m, arrival);
	message_free(m);
	return t;
}

int
main(void)
{
	/* 2026-11-24T09:00:00Z */
	const time_t t0 = 1795510800;

	CHECK(pd("Tue, 24 Nov 2026 09:00:00 +0000") == t0, "RFC 5322 date in UTC");
	CHECK(pd("Tue, 24 Nov 2026 18:00:00 +0900") == t0, "a +0900 (JST) offset");
	CHECK(pd("Tue, 24 Nov 2026 04:00:00 -0500") == t0, "a -0500 offset");
	CHECK(pd("24 Nov 2026 09:00:00 +0000") == t0, "no day of the week");
	CHECK(pd("Tue, 24 Nov 2026 09:00 +0000") == t0, "no seconds");
	CHECK(pd("Tue, 24 Nov 26 09:00:00 +0000") == t0, "a two-digit year is 20xx");
	CHECK(pd("Tue, 24 Nov 2026 09:00:00 +0000 (UTC)") == t0, "a trailing comment");
	CHECK(pd("Tue, 24 Nov 2026 09:00:00 GMT") == t0, "an obsolete GMT zone");
	CHECK(pd("Tue, 24 Nov 2026 04:00:00 EST") == t0, "an obsolete EST zone");
	CHECK(pd("Tue, 24 Nov 2026 18:00:00 JST") == t0 + 9 * 3600, "an unknown zone name counts as UTC (RFC 5322 4.3)");
	CHECK(pd("not a date") == 0, "garbage is no date");
	CHECK(pd("") == 0, "an empty field is no date");
	CHECK(pd("Mon, 31 Feb 2026 09:00:00 +0000") == 0, "31 February is no date");
	CHECK(pd("Sun, 29 Feb 2026 09:00:00 +0000") == 0, "29 February of a common year is no date");
	CHECK(pd("Tue, 24 Nov 2026 25:00:00 +0000") == 0, "hour 25 is no date");
	CHECK(pd("Tue, 24 Nov 2026 09:00:00 +9999") == 0, "a zone of 99 minutes is no date");

	const char *recv = "Received: from mx.example.net by mail.example.com with ESMTPS id 4X;\r\n"
			   "\tTue, 24 Nov 2026 09:05:00 +0000\r\n"
			   "Received: from ca.example by mx.example.net; Tue, 24 Nov 2026 09:01:00 +0000\r\n";
	char h[1024];

	snprintf(h, sizeof(h), "%sDate: Tue, 24 Nov 2026 09:00:00 +0000\r\n", recv);
	CHECK(sent(h, t0 + 90 * 86400) == t0, "an old mail imported today: its Date counts, not arrival");
	snprintf(h, sizeof(h), "%sDate: Tue, 24 Nov 2027 09:00:00 +0000\r\n", recv);
	CHECK(sent(h, t0 + 600) == t0 + 300, "a Date after the newest hop is the newest hop's date");
	snprintf(h, sizeof(h), "%sDate: Tue, 24 Nov 2026 09:10:00 +0000\r\n", recv);
	CHECK(sent(h, t0 + 700) == t0 + 300, "a sender's clock 10 minutes fast: never later than the newest hop");
	snprintf(h, sizeof(h), "%sDate: Tue, 24 Nov 2020 09:00:00 +0000\r\n", recv);
	CHECK(sent(h, t0 + 600) == t0 + 60, "a Date years before the oldest hop is the oldest hop's date");
	snprintf(h, sizeof(h), "%sDate: yesterday\r\n", recv);
	CHECK(sent(h, t0 + 600) == t0 + 60, "no usable Date: the oldest hop");
	CHECK(sent("Date: Tue, 24 Nov 2026 09:00:00 +0000\r\n", t0 + 3600) == t0, "no Received: the Date");
	CHECK(sent("Date: Tue, 24 Nov 2026 09:00:00 +0000\r\n", t0 - 3600) == t0 - 3600,
	      "no Received and a Date after arrival: arrival");
	CHECK(sent("", t0) == t0, "neither: arrival");
	UNIT_DONE();
}
