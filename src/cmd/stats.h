/* stats.h — `check --stats`: per CA, how many mails a rule recognised (and
 * which rule), how many fell back (dcvmail.rules(5) FALLBACKS), and totals. */
#ifndef DCVMAIL_STATS_H
#define DCVMAIL_STATS_H

#include <stddef.h>
#include <stdio.h>

#include "judge/verdict.h"

struct stats_rule {
	char *rule;
	size_t n;
};

struct stats_ca {
	char *ca; /* NULL: mail that names no CA */
	size_t n, by_rule, templ, no_rule, suspicious, malformed;
	size_t by_type[VT__COUNT];
	struct stats_rule *rules;
	size_t nrules;
};

struct stats {
	struct stats_ca *cas;
	size_t ncas;
	size_t n;
};

void stats_add(struct stats *, const struct verdict *);
/* Text: one block per CA (sorted by id, no CA last), then the totals. */
void stats_print(const struct stats *, FILE *);
/* JSON: one object {"stats": {...}} on one line. */
void stats_print_json(const struct stats *, FILE *);
void stats_free(struct stats *);

#endif
