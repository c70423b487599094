/* archive.c — the raw-message archive: DIR/archive/ab/<sha256>, written once,
 * 0600, O_EXCL temp file, fsync, rename, fsync of the directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dcvmail/util.h"
#include "store-int.h"

char *
store_archive_path(const struct store *st, const char *sha)
{
	return xasprintf("%s/archive/%.2s/%s", st->dir, sha, sha);
}

static int
mkdir_p1(const char *d, char **errp)
{
	if (mkdir(d, 0700) == -1 && errno != EEXIST) {
		*errp = xasprintf("%s: %s", d, strerror(errno));
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

int
archive_write(const char *dir, const char *sha, const char *data, size_t len, char **errp)
{
	char *top = xasprintf("%s/archive", dir), *sub = xasprintf("%s/%.2s", top, sha);
	char *path = xasprintf("%s/%s", sub, sha), *tmp = NULL;
	struct stat st;
	int fd = -1, rc = -1;

	if (stat(path, &st) == 0 && (size_t)st.st_size == len) {
		rc = 0; /* written before: the name is the content's hash */
		goto out;
	}
	if (mkdir_p1(top, errp) == -1 || mkdir_p1(sub, errp) == -1)
		goto out;
	tmp = xasprintf("%s/.tmp.%s.%ld", sub, sha, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 && errno == EEXIST) {
		unlink(tmp); /* left by a killed run of this pid */
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	}
	if (fd == -1) {
		*errp = xasprintf("%s: %s", tmp, strerror(errno));
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			*errp = xasprintf("%s: %s", tmp, n == 0 ? "short write" : strerror(errno));
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1) {
		*errp = xasprintf("%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		*errp = xasprintf("%s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		*errp = xasprintf("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fsync_dir(sub) == -1) {
		*errp = xasprintf("%s: fsync: %s", sub, strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
out:
	free(top);
	free(sub);
	free(path);
	free(tmp);
	return rc;
}
