/* store-batch.c — group commit for imports (h-speed, h-import): the
 * messages of a batch are recorded in one transaction, each with its raw
 * bytes in the ledger's archive table (archive.c). So the raw message is
 * durable exactly when the record that names it is: one WAL commit per
 * batch, no file and no sync per message.
 *
 * A crash before the commit leaves nothing of the batch (no record, no
 * raw bytes, no file); running the import again records it. A message
 * spooled to a file while it was read (too large to hold) is durable
 * before it is added. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "store-int.h"

struct store_batch {
	struct store *st;
	struct record_item *items;
	size_t n, cap;
	size_t bytes;
};

struct store_batch *
store_batch_new(struct store *st)
{
	struct store_batch *b;

	/* a PostgreSQL ledger keeps the archive in the database, written in the
	 * transaction of its record: each message commits on its own there */
	if (st == NULL || st->pg)
		return NULL;
	/* archive/ exists beside a ledger that holds mail, even when all of it
	 * came by import: an emptied ledger.db is then refused, not replaced
	 * by a new one (store.c, check_ledger_content) */
	char *top = xasprintf("%s/archive", st->dir), *err = NULL;
	if (archive_check_dir(top, 1, &err) == -1)
		free(err); /* the next pipe delivery says why */
	free(top);
	b = xcalloc(1, sizeof(*b));
	b->st = st;
	return b;
}

size_t
store_batch_count(const struct store_batch *b)
{
	return b->n;
}

size_t
store_batch_bytes(const struct store_batch *b)
{
	return b->bytes;
}

int
store_batch_add(struct store_batch *b, const struct message *m, const struct verdict *v, const struct envelope *env,
		const struct planned_action *acts, size_t nacts, struct record_result *out, char **errp)
{
	*errp = NULL;
	memset(out, 0, sizeof(*out));
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->items = xreallocarray(b->items, b->cap, sizeof(*b->items));
	}
	b->items[b->n++] = (struct record_item){ m, v, env, acts, nacts, out };
	b->bytes += m->raw_len;
	return 0;
}

int
store_batch_commit(struct store_batch *b, char **errp)
{
	int rc;

	*errp = NULL;
	if (b->n == 0)
		return 0;
	rc = store_record_many(b->st, b->items, b->n, errp);
	b->n = 0;
	b->bytes = 0;
	return rc;
}

void
store_batch_free(struct store_batch *b)
{
	if (b == NULL)
		return;
	free(b->items);
	free(b);
}
