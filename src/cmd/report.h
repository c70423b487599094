/* report.h — `list`, `show ID` and `report`: the ledger's rows as a person
 * (text, through the sanitiser) or a program (JSON lines) reads them. */
#ifndef DCVMAIL_CMD_REPORT_H
#define DCVMAIL_CMD_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "ledger/store.h"

/* `list`: a table or JSON lines. */
int report_list(struct store *, int pending_only, int json, FILE *out, char **errp);
/* `show ID`: the request, its messages, actions and approval attempts. */
int report_show(struct store *, int64_t id, int json, FILE *out, char **errp);
/* `report`: per domain and CA, last approval and reuse-until (SC-081/SC-090),
 * pending requests and their age. */
int report_domains(struct store *, int json, int alert_hours, time_t now, FILE *out, char **errp);

/* `report --check`: one Nagios/Icinga status line with perfdata on out;
 * returns the plugin state: MONITOR_OK (nothing to do), MONITOR_WARNING
 * (suspicious mail in 24 h, or an action given up on), MONITOR_CRITICAL (a
 * request waiting longer than pending-alert). MONITOR_UNKNOWN is for the
 * caller when the ledger cannot be read. */
enum { MONITOR_OK = 0, MONITOR_WARNING = 1, MONITOR_CRITICAL = 2, MONITOR_UNKNOWN = 3 };
int report_check(const struct monitor_counts *, int alert_hours, time_t now, FILE *out);
/* `report --prometheus PATH`: the figures in the text exposition format,
 * written to PATH.PID.tmp and renamed over PATH ("-": standard output). */
int report_prometheus(const struct monitor_counts *, time_t now, const char *path, char **errp);

/* `report --sunset`: per domain validated by email, its reuse deadline and
 * whether the next validation can still be made by email (SC-080/SC-090);
 * with dns_cfg (--dns), what each domain's DNS is set up for, looked up
 * through dns_cfg's resolver (-1 when a lookup failed, after the report). */
struct config;
int report_sunset(struct store *, int json, const struct config *dns_cfg, time_t now, FILE *out, char **errp);

/* What report --sunset says of one email validation (shared with `orders
 * ORDER`): the method from the mailbox roles, the day it ends, whether the
 * next validation can be by email, and that sentence. */
struct sunset_row;
struct sunset_view {
	const char *method, *section;
	time_t end;
	int next_by_mail;
	char next[160];
};
void sunset_view(const struct sunset_row *, time_t now, struct sunset_view *);
/* One JSON object of report --sunset --json. */
struct json_t;
struct json_t *sunset_json(const struct sunset_row *, time_t now);
/* The rows as report --sunset prints them, each line after indent, columns
 * as wide as they look; with facts or errs (--dns), a DNS line after each. */
struct dns_facts;
void sunset_table(FILE *, const char *indent, const struct sunset_row *, size_t n, time_t now,
		  const struct dns_facts *facts, char *const *errs);

#endif
