/* store-origin.c — the envelope a recorded message came in with, so that a
 * re-judgement applies the same trust and roles as the first one. */
#include <stdlib.h>
#include <string.h>

#include "store-int.h"
#include "base/util.h"

int
store_message_envelope(struct store *st, const char *sha256, struct envelope *env, char **errp)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT source, mailbox, role, sender, recipient FROM messages"
					    " WHERE sha256 = ?");
	int rc;

	memset(env, 0, sizeof(*env));
	if (s == NULL) {
		*errp = store_errmsg(st, "query");
		return -1;
	}
	sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		env->source = col_dup(s, 0);
		env->mailbox = col_dup(s, 1);
		env->role = col_dup(s, 2);
		env->sender = col_dup(s, 3);
		env->recipient = col_dup(s, 4);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_envelope_free(env);
		*errp = store_errmsg(st, "query");
		return -1;
	}
	return 0;
}

void
store_envelope_free(struct envelope *env)
{
	/* the strings are ours (store_message_envelope allocated them) */
	free((char *)env->source);
	free((char *)env->mailbox);
	free((char *)env->role);
	free((char *)env->sender);
	free((char *)env->recipient);
	free((char *)env->orig_recipient);
	memset(env, 0, sizeof(*env));
}
