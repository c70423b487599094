/* store-sunset.c — the latest email validation of each domain and the
 * mailboxes its mail reached, for `report --sunset` and `orders ORDER`. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "ledger/orders.h"
#include "store-int.h"

#define GROW(arr, n) ((arr) = xreallocarray((arr), (n) + 1, sizeof(*(arr))), &(arr)[(n)++])

int
store_sunset_rows(struct store *st, struct sunset_row **out, size_t *n, char **errp)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT v.domain, v.ca, v.approved_at, v.reuse_until,"
		    " (SELECT group_concat(role, ', ') FROM (SELECT DISTINCT role FROM messages m"
		    "   WHERE m.request_id = v.request_id AND role IS NOT NULL AND role != '' ORDER BY role))"
		    " FROM validations v WHERE v.method = 'email' AND v.id = (SELECT max(id) FROM validations w"
		    "   WHERE w.domain = v.domain AND w.ca = v.ca AND w.method = 'email')"
		    " ORDER BY v.domain, v.ca");

	*out = NULL;
	*n = 0;
	if (s == NULL) {
		*errp = store_errmsg(st, "report");
		return -1;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct sunset_row *r = GROW(*out, *n);
		r->domain = xstrdup(col_text(s, 0));
		r->ca = xstrdup(col_text(s, 1));
		r->approved = sqlite3_column_int64(s, 2);
		r->reuse_until = sqlite3_column_int64(s, 3);
		r->roles = xstrdup(col_text(s, 4));
	}
	sqlite3_finalize(s);
	return 0;
}

int
store_sunset_request(struct store *st, int64_t request_id, struct sunset_row *out, int *found, char **errp)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT v.domain, v.ca, v.approved_at, v.reuse_until,"
		    " (SELECT group_concat(role, ', ') FROM (SELECT DISTINCT role FROM messages m"
		    "   WHERE m.request_id = v.request_id AND role IS NOT NULL AND role != '' ORDER BY role))"
		    " FROM validations v WHERE v.request_id = ? AND v.method = 'email' ORDER BY v.id DESC LIMIT 1");

	*found = 0;
	memset(out, 0, sizeof(*out));
	if (s == NULL) {
		*errp = store_errmsg(st, "orders");
		return -1;
	}
	sqlite3_bind_int64(s, 1, request_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		out->domain = xstrdup(col_text(s, 0));
		out->ca = xstrdup(col_text(s, 1));
		out->approved = sqlite3_column_int64(s, 2);
		out->reuse_until = sqlite3_column_int64(s, 3);
		out->roles = xstrdup(col_text(s, 4));
		*found = 1;
	}
	sqlite3_finalize(s);
	return 0;
}

void
sunset_rows_free(struct sunset_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].domain);
		free(v[i].ca);
		free(v[i].roles);
	}
	free(v);
}
