/* msgdate.c — when a message was sent: its Date: header (RFC 5322, parsed
 * by libetpan), checked against the times its Received: header fields give
 * and against when it arrived here. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/lib-etpan.h"

#include "mail/message.h"

/* A libetpan date-time as seconds since the epoch; 0 when it is not a date
 * (a year before 1970 or past 9999, a 31 February). */
static time_t
to_epoch(const struct mailimf_date_time *d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct tm tm;
	int zone, year = d->dt_year;

	/* RFC 5322 4.3: a two-digit year below 50 is 20xx, else 19xx; three digits add 1900 */
	if (year < 50)
		year += 2000;
	else if (year < 1000)
		year += 1900;
	if (year < 1970 || year > 9999 || d->dt_month < 1 || d->dt_month > 12 || d->dt_day < 1 ||
	    d->dt_day > mdays[d->dt_month - 1] || d->dt_hour < 0 || d->dt_hour > 23 || d->dt_min < 0 ||
	    d->dt_min > 59 || d->dt_sec < 0 || d->dt_sec > 60)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = d->dt_month - 1;
	tm.tm_mday = d->dt_day;
	tm.tm_hour = d->dt_hour;
	tm.tm_min = d->dt_min;
	tm.tm_sec = d->dt_sec;
	time_t t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mday != d->dt_day) /* 29 February of a common year */
		return 0;
	/* dt_zone is the offset as written, +0900 -> 900; -0000 and unknown zones are 0 */
	zone = abs(d->dt_zone);
	if (zone % 100 > 59 || zone > 2359)
		return 0;
	long off = (zone / 100) * 3600L + (zone % 100) * 60L;
	return d->dt_zone < 0 ? t + off : t - off;
}

time_t
message_parse_date(const char *s, size_t len)
{
	struct mailimf_date_time *d = NULL;
	size_t idx = 0;
	time_t t;

	if (len == 0 || mailimf_date_time_parse(s, len, &idx, &d) != MAILIMF_NO_ERROR)
		return 0;
	t = to_epoch(d);
	mailimf_date_time_free(d);
	return t;
}

/* The date of a Received: field: what follows its last ';' (RFC 5321 4.4). */
static time_t
received_date(const char *v)
{
	const char *semi = v ? strrchr(v, ';') : NULL;

	return semi ? message_parse_date(semi + 1, strlen(semi + 1)) : 0;
}

void
message_find_dates(struct message *m)
{
	const char *v;

	m->date_t = m->date ? message_parse_date(m->date, strlen(m->date)) : 0;
	m->received_top = m->received_bottom = 0;
	for (size_t i = 0; (v = message_header_raw(m, "Received", i)) != NULL; i++) {
		time_t t = received_date(v);
		if (t == 0)
			continue;
		if (m->received_top == 0)
			m->received_top = t;
		m->received_bottom = t;
	}
}

/* How long before its oldest Received: a message may say it was written (a
 * draft, a queue, a slow clock). */
#define BEFORE_FIRST_HOP (7 * 86400)

time_t
message_sent_time(const struct message *m, time_t arrival)
{
	/* the latest it can have been sent: when the newest hop (our side) or we got it */
	time_t latest = arrival;
	if (m->received_top && m->received_top < latest)
		latest = m->received_top;
	if (m->date_t == 0) /* no usable Date: the oldest hop says best when it left */
		return m->received_bottom && m->received_bottom <= latest ? m->received_bottom : latest;
	if (m->received_bottom && m->date_t < m->received_bottom - BEFORE_FIRST_HOP)
		return m->received_bottom;
	return m->date_t < latest ? m->date_t : latest;
}
