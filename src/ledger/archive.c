/* archive.c — the raw-message archive: DIR/archive/ab/<sha256>, written once,
 * 0600, O_EXCL temp file, fsync, rename, fsync of the directory.
 *
 * h-import: an import keeps its messages in the ledger instead (table
 * archive, written in the transaction of their records: no file, no sync of
 * its own); every read looks there first, then for the file.
 *
 * The archive is not trusted: a file already at a message's path is kept
 * only when it is a regular file of ours whose content has that hash (else
 * it is replaced, never followed), and every read for a decision checks the
 * content against its name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "base/log.h"
#include "base/util.h"
#include "store-int.h"

#define STALE_TMP_SECONDS 60

char *
store_archive_path(const struct store *st, const char *sha)
{
	return xasprintf("%s/archive/%.2s/%s", st->dir, sha, sha);
}

/* The directory d (DIR/archive or one of its subdirectories) is ours and
 * private: a real directory (not a symlink), owned by us, mode 0700 or
 * stricter. Created when missing and create is set. 0, 1 missing (create
 * unset), -1 with *errp. */
int
archive_check_dir(const char *d, int create, char **errp)
{
	struct stat sb;

	if (lstat(d, &sb) == -1) {
		if (errno != ENOENT) {
			*errp = xasprintf("%s: %s", d, strerror(errno));
			return -1;
		}
		if (!create)
			return 1;
		if (mkdir(d, 0700) == -1 && errno != EEXIST) {
			*errp = xasprintf("%s: %s", d, strerror(errno));
			return -1;
		}
		if (lstat(d, &sb) == -1) {
			*errp = xasprintf("%s: %s", d, strerror(errno));
			return -1;
		}
	}
	if (S_ISLNK(sb.st_mode)) {
		*errp = xasprintf("%s: is a symbolic link; the archive must be a real directory of the state "
				  "directory (remove the link and restore the archive from a backup)",
				  d);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		*errp = xasprintf("%s: not a directory", d);
		return -1;
	}
	if (sb.st_uid != geteuid()) {
		*errp = xasprintf("%s: owned by uid %ld, not by this user (uid %ld); run dcvmail as the owner "
				  "of the state directory",
				  d, (long)sb.st_uid, (long)geteuid());
		return -1;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		*errp = xasprintf("%s: the archive is accessible by group or others; fix with: chmod 700 %s", d, d);
		return -1;
	}
	return 0;
}

static int
fsync_dir(const char *d)
{
	int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

static void
hex32(const unsigned char *md, char out[65])
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

/* Hash what fd holds from its current offset; with keep, also collect it
 * (at most max bytes: more is EFBIG). 0, or -1 with errno. */
static int
hash_fd(int fd, size_t max, struct buf *keep, char sha[65], size_t *len)
{
	struct sha256_ctx md;
	unsigned char d[SHA256_DIGEST_SIZE];
	char chunk[65536];
	ssize_t n;
	int rc = -1, e = 0;

	*len = 0;
	sha256_init(&md);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			e = errno;
			goto out;
		}
		if (n == 0)
			break;
		if (keep && *len + (size_t)n > max) {
			e = EFBIG;
			goto out;
		}
		sha256_update(&md, (size_t)n, (const uint8_t *)chunk);
		if (keep)
			buf_add(keep, chunk, (size_t)n);
		*len += (size_t)n;
	}
	sha256_digest(&md, sizeof(d), d);
	hex32(d, sha);
	rc = 0;
out:
	errno = e;
	return rc;
}

/* Open an archive file for reading without following a symlink or blocking
 * on a fifo; it must be a regular file of ours. fd, or -1 with *errp. */
static int
open_archived(const char *path, struct stat *sb, char **errp)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd == -1) {
		int e = errno;
		*errp = e == ELOOP    ? xasprintf("%s: archive tampered or damaged: a symbolic link instead of the "
						     "archived message",
						  path)
			: e == ENOENT ? xasprintf("%s: the archived message is missing (%s); restore it from a backup",
						  path, strerror(e))
				      : xasprintf("%s: %s", path, strerror(e));
		return -1;
	}
	if (fstat(fd, sb) == -1 || !S_ISREG(sb->st_mode) || sb->st_uid != geteuid()) {
		*errp = xasprintf("%s: archive tampered or damaged: not a regular file of this user", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Is the file at path the archived message sha (len bytes)? 1 yes, 0 no. */
static int
archived_ok(const char *path, const char *sha, size_t len)
{
	struct stat sb;
	char *err = NULL, got[65];
	size_t n;
	int fd = open_archived(path, &sb, &err), ok;

	free(err);
	if (fd == -1)
		return 0;
	ok = (size_t)sb.st_size == len && !(sb.st_mode & (S_IRWXG | S_IRWXO)) && hash_fd(fd, 0, NULL, got, &n) == 0 &&
	     n == len && strcmp(got, sha) == 0;
	close(fd);
	return ok;
}

static int
write_all(int fd, const char *data, size_t len, const char *tmp, char **errp)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			*errp = xasprintf("%s: %s", tmp, n == 0 ? "short write" : strerror(errno));
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/* Make the temp file tmp (fsync'ed, closed by the caller) the archive file
 * for sha: rename over whatever is there (a symlink is replaced, not
 * followed), then fsync the directory. */
static int
install_opt(const char *tmp, const char *sub, const char *path, int sync, char **errp)
{
	if (rename(tmp, path) == -1) {
		*errp = xasprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (sync && fsync_dir(sub) == -1) {
		*errp = xasprintf("%s: fsync: %s", sub, strerror(errno));
		return -1;
	}
	return 0;
}

static int
install(const char *tmp, const char *sub, const char *path, char **errp)
{
	return install_opt(tmp, sub, path, 1, errp);
}

static int
open_tmp(const char *tmp, char **errp)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd == -1 && errno == EEXIST) {
		unlink(tmp); /* left by a killed run of this pid */
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (fd == -1)
		*errp = xasprintf("%s: %s", tmp, strerror(errno));
	return fd;
}

static int
sync_close(int fd, const char *tmp, char **errp)
{
	if (fsync(fd) == -1) {
		*errp = xasprintf("%s: fsync: %s", tmp, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		*errp = xasprintf("%s: %s", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

static int
archive_write_opt(const char *dir, const char *sha, const char *data, size_t len, int sync, char **errp)
{
	char *top = xasprintf("%s/archive", dir), *sub = xasprintf("%s/%.2s", top, sha);
	char *path = xasprintf("%s/%s", sub, sha), *tmp = NULL;
	int fd = -1, rc = -1;

	if (archive_check_dir(top, 1, errp) == -1 || archive_check_dir(sub, 1, errp) == -1)
		goto out;
	if (archived_ok(path, sha, len)) {
		rc = 0; /* written before: the content has the name's hash */
		goto out;
	}
	tmp = xasprintf("%s/.tmp.%s.%ld", sub, sha, (long)getpid());
	if ((fd = open_tmp(tmp, errp)) == -1)
		goto out;
	if (write_all(fd, data, len, tmp, errp) == -1) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (sync && sync_close(fd, tmp, errp) == -1) {
		unlink(tmp);
		goto out;
	}
	if (!sync && close(fd) == -1) {
		*errp = xasprintf("%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = install_opt(tmp, sub, path, sync, errp);
out:
	free(top);
	free(sub);
	free(path);
	free(tmp);
	return rc;
}

int
archive_write(const char *dir, const char *sha, const char *data, size_t len, char **errp)
{
	return archive_write_opt(dir, sha, data, len, 1, errp);
}

/* In record_tx: the raw bytes of an imported message into the ledger. */
int
archive_put_row(struct store *st, const struct message *m)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT OR IGNORE INTO archive (sha256, size, data) VALUES (?, ?, ?)");
	int rc;

	if (s == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_text(s, 1, m->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)m->raw_len);
	sqlite3_bind_blob64(s, 3, m->raw ? m->raw : "", (sqlite3_uint64)m->raw_len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	store_put(st, s);
	return rc;
}

/* The message sha as the ledger keeps it (an import): checked against its
 * name, and with data, copied (at most max bytes). 1 found, 0 not in the
 * ledger (look for the file), -1 with *errp. */
static int
ledger_read(struct store *st, const char *sha, size_t max, char **data, size_t *len, char **errp)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT data FROM archive WHERE sha256 = ?");
	unsigned char d[SHA256_DIGEST_SIZE];
	struct sha256_ctx md;
	char got[65];
	int rc;

	if (s == NULL) {
		*errp = store_errmsg(st, "archive");
		return -1;
	}
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			*errp = store_errmsg(st, "archive");
		store_put(st, s);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	const void *p = sqlite3_column_blob(s, 0);
	size_t n = (size_t)sqlite3_column_bytes(s, 0);
	sha256_init(&md);
	sha256_update(&md, n, p ? p : (const void *)"");
	sha256_digest(&md, sizeof(d), d);
	hex32(d, got);
	*len = n;
	if (strcmp(got, sha) != 0) {
		*errp = xasprintf("%s/ledger.db: archived message %s: archive tampered or damaged: its content does "
				  "not match its SHA-256 name; restore ledger.db from a backup",
				  st->dir, sha);
		rc = -1;
	} else if (data && n > max) {
		*errp = xasprintf("%s/ledger.db: archived message %s: too large to read back", st->dir, sha);
		rc = -1;
	} else {
		if (data) {
			*data = xmalloc(n + 1);
			if (n)
				memcpy(*data, p, n);
			(*data)[n] = '\0';
		}
		rc = 1;
	}
	store_put(st, s);
	return rc;
}

int
store_archive_read(struct store *st, const char *sha, size_t max, char **data, size_t *len, char **errp)
{
	char *path, got[65];
	struct stat sb;
	struct buf b;
	int fd, rc = -1;

	*data = NULL;
	*len = 0;
	if (st->pg)
		return pg_archive_read(st, sha, max, data, len, errp);
	if ((rc = ledger_read(st, sha, max, data, len, errp)) != 0)
		return rc == 1 ? 0 : -1;
	rc = -1;
	path = store_archive_path(st, sha);
	if ((fd = open_archived(path, &sb, errp)) == -1)
		goto out;
	buf_init(&b, (size_t)sb.st_size < max ? (size_t)sb.st_size + 1 : 0);
	if (hash_fd(fd, max, &b, got, len) == -1) {
		*errp = xasprintf("%s: %s", path, errno == EFBIG ? "too large to read back" : strerror(errno));
		buf_free(&b);
	} else if (strcmp(got, sha) != 0) {
		*errp = xasprintf("%s: archive tampered or damaged: its content does not match its SHA-256 name; "
				  "restore the file from a backup",
				  path);
		buf_free(&b);
	} else {
		*data = buf_steal(&b);
		rc = 0;
	}
	close(fd);
out:
	free(path);
	return rc;
}

int
store_archive_verify(struct store *st, const char *sha, size_t *len, char **errp)
{
	char *path, got[65];
	struct stat sb;
	int fd, rc = -1;

	*len = 0;
	if (st->pg) {
		char *data = NULL;
		rc = pg_archive_read(st, sha, 0, &data, len, errp);
		free(data);
		return rc;
	}
	if ((rc = ledger_read(st, sha, 0, NULL, len, errp)) != 0)
		return rc == 1 ? 0 : -1;
	rc = -1;
	path = store_archive_path(st, sha);
	if ((fd = open_archived(path, &sb, errp)) == -1)
		goto out;
	if (hash_fd(fd, 0, NULL, got, len) == -1)
		*errp = xasprintf("%s: %s", path, strerror(errno));
	else if (strcmp(got, sha) != 0)
		*errp = xasprintf("%s: archive tampered or damaged: its content does not match its SHA-256 name", path);
	else
		rc = 0;
	close(fd);
out:
	free(path);
	return rc;
}

/* A message too big to hold in memory, written to the archive as it is read. */
struct spool {
	char *top, *tmp;
	int fd; /* -1: hash and count only */
	struct sha256_ctx md;
	size_t len;
};

struct spool *
store_spool_begin(struct store *st, char **errp)
{
	static unsigned seq;
	struct spool *sp = xcalloc(1, sizeof(*sp));

	sp->fd = -1;
	sha256_init(&sp->md);
	if (st == NULL)
		return sp;
	sp->top = xasprintf("%s/archive", st->dir);
	if (archive_check_dir(sp->top, 1, errp) == -1) {
		store_spool_abort(sp);
		return NULL;
	}
	sp->tmp = xasprintf("%s/.tmp.spool-%u.%ld", sp->top, seq++, (long)getpid());
	if ((sp->fd = open_tmp(sp->tmp, errp)) == -1) {
		store_spool_abort(sp);
		return NULL;
	}
	return sp;
}

int
store_spool_add(struct spool *sp, const void *data, size_t len, char **errp)
{
	sha256_update(&sp->md, len, data);
	sp->len += len;
	return sp->fd == -1 ? 0 : write_all(sp->fd, data, len, sp->tmp, errp);
}

void
store_spool_abort(struct spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->fd != -1)
		close(sp->fd);
	if (sp->tmp)
		unlink(sp->tmp);
	free(sp->top);
	free(sp->tmp);
	free(sp);
}

int
store_spool_finish(struct spool *sp, char sha[65], size_t *len, char **errp)
{
	unsigned char d[SHA256_DIGEST_SIZE];
	char *sub = NULL, *path = NULL;
	int rc = -1, fd = sp->fd;

	sha256_digest(&sp->md, sizeof(d), d);
	hex32(d, sha);
	*len = sp->len;
	if (fd == -1) {
		rc = 0;
		goto out;
	}
	sp->fd = -1;
	if (sync_close(fd, sp->tmp, errp) == -1)
		goto out;
	sub = xasprintf("%s/%.2s", sp->top, sha);
	path = xasprintf("%s/%s", sub, sha);
	if (archive_check_dir(sub, 1, errp) == -1)
		goto out;
	if (archived_ok(path, sha, sp->len)) {
		rc = 0; /* the same message, archived before */
		goto out;
	}
	if (install(sp->tmp, sub, path, errp) == 0) {
		free(sp->tmp);
		sp->tmp = NULL; /* renamed: nothing to remove */
		rc = 0;
	}
out:
	free(sub);
	free(path);
	store_spool_abort(sp);
	return rc;
}

/* Temp files left by a killed writer: ".tmp.*.PID" in DIR/archive and its
 * subdirectories, older than a minute, of a pid that is not ours and not
 * running. */
static int
stale_tmp(int dfd, const char *name, time_t now)
{
	struct stat sb;
	const char *dot = strrchr(name, '.');
	char *end;
	long pid;

	if (strncmp(name, ".tmp.", 5) != 0 || dot == NULL || dot < name + 5)
		return 0;
	pid = strtol(dot + 1, &end, 10);
	if (*end != '\0' || pid <= 0)
		return 0;
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid())
		return 0;
	if (now - sb.st_mtime < STALE_TMP_SECONDS || pid == (long)getpid())
		return 0;
	return !(kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static void
clean_dir(const char *d, int depth, time_t now)
{
	DIR *dp = opendir(d);
	struct dirent *e;

	if (dp == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		if (depth == 0 && strlen(e->d_name) == 2 && e->d_name[0] != '.') {
			char *sub = xasprintf("%s/%s", d, e->d_name);
			struct stat sb;
			if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
				clean_dir(sub, 1, now);
			free(sub);
		} else if (stale_tmp(dirfd(dp), e->d_name, now))
			unlinkat(dirfd(dp), e->d_name, 0);
	}
	closedir(dp);
}

/* Scanning every subdirectory costs a readdir of the whole archive, so it
 * runs at most every CLEAN_EVERY seconds: DIR/.archive-cleaned keeps when. */
#define CLEAN_EVERY 600

void
archive_clean_tmp(const char *dir)
{
	char *top = xasprintf("%s/archive", dir), *stamp = xasprintf("%s/.archive-cleaned", dir);
	struct stat sb;
	time_t now = time(NULL);
	int fd;

	if (lstat(stamp, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_mtime <= now && now - sb.st_mtime < CLEAN_EVERY)
		goto out;
	if ((fd = open(stamp, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) != -1) {
		futimens(fd, NULL);
		close(fd);
	}
	clean_dir(top, 0, now);
out:
	free(top);
	free(stamp);
}
