/* store-trust.c — h-deploy: how much of the CA mail that came by the pipe was
 * judged by an Authentication-Results header, for `dcvmail -n` to tell an
 * admin that trust-authserv-id names an id no milter writes. */
#include "store-int.h"

int
store_pipe_auth_counts(struct store *st, long *ca_mail, long *judged, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(*), coalesce(sum(auth IN ('pass', 'fail')), 0)"
					    " FROM messages WHERE source = 'pipe' AND ca IS NOT NULL");
	int rc;

	if (s == NULL) {
		*errp = store_errmsg(st, "query");
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ca_mail = (long)sqlite3_column_int64(s, 0);
		*judged = (long)sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		*errp = store_errmsg(st, "query");
		return -1;
	}
	return 0;
}
