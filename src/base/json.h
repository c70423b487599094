/* json.h — the JSON values dcvmail writes for optional fields, one spelling
 * for the ledger reports, the commands' --json output and the notify
 * webhook's document. */
#ifndef DCVMAIL_JSON_H
#define DCVMAIL_JSON_H

#include <time.h>

#include <jansson.h>

/* s as a JSON string, or null when s is NULL. */
json_t *json_string_or_null(const char *s);
/* t as ISO 8601 UTC ("2026-11-24T21:18:00Z", fmt_time), or null when t is 0. */
json_t *json_time_or_null(time_t t);

#endif
