/* store-batch.c — group commit for imports (h-speed): the archive files of
 * a batch of messages are written, made durable together (one syncfs of
 * the state directory's file system instead of two fsyncs per message),
 * and only then are their records committed, in one transaction.
 *
 * A crash in between leaves archive files that no record names: harmless
 * (nothing refers to them), and the next import of the same mail finds
 * each one whole under its hash and records it. Never a record without
 * its file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "store-int.h"

struct store_batch {
	struct store *st;
	struct record_item *items;
	size_t n, cap;
	size_t bytes;
	int unsynced; /* archive files written since the last sync */
};

struct store_batch *
store_batch_new(struct store *st)
{
	struct store_batch *b;

	/* a PostgreSQL ledger keeps the archive in the database, written in the
	 * transaction of its record: no local files to group */
	if (st == NULL || st->pg)
		return NULL;
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
	int has;

	*errp = NULL;
	memset(out, 0, sizeof(*out));
	if ((has = store_has_message(b->st, m->sha256, errp)) == -1)
		return -1;
	/* a message recorded before needs no file; a spooled one is durable already */
	if (!has && !m->spooled) {
		if (archive_write_nosync(b->st->dir, m->sha256, m->raw, m->raw_len, errp) == -1)
			return -1;
		b->unsynced = 1;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->items = xreallocarray(b->items, b->cap, sizeof(*b->items));
	}
	b->items[b->n++] = (struct record_item){ m, v, env, acts, nacts, out };
	b->bytes += m->raw_len;
	return 0;
}

/* Every archive file written so far, its content and its name, on disk. */
static int
sync_archive(struct store_batch *b, char **errp)
{
	char *top = xasprintf("%s/archive", b->st->dir);
	int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd == -1 || syncfs(fd) == -1) {
		*errp = xasprintf("%s: syncfs: %s", top, strerror(errno));
		rc = -1;
	}
	if (fd != -1)
		close(fd);
	free(top);
	if (rc == 0)
		b->unsynced = 0;
	return rc;
}

int
store_batch_commit(struct store_batch *b, char **errp)
{
	int rc = 0;

	*errp = NULL;
	if (b->n == 0)
		return 0;
	if (b->unsynced && sync_archive(b, errp) == -1)
		rc = -1;
	else
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
