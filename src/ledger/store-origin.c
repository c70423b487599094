/* store-origin.c — where a recorded message came in (its intake), so that a
 * re-judgement applies the same trust as the first one. */
#include <stdlib.h>

#include "store-int.h"
#include "base/util.h"

int
store_message_origin(struct store *st, const char *sha256, char **source, char **mailbox, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT source, mailbox FROM messages WHERE sha256 = ?");
	int rc;

	*source = *mailbox = NULL;
	if (s == NULL) {
		*errp = store_errmsg(st, "query");
		return -1;
	}
	sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*source = col_dup(s, 0);
		*mailbox = col_dup(s, 1);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*errp = store_errmsg(st, "query");
		return -1;
	}
	return 0;
}
