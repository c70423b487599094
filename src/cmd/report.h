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

#endif
