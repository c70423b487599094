/* intake-file.c — messages from files, mboxes, Maildirs, directories, stdin. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dcvmail/intake.h"
#include "dcvmail/util.h"

#define MAX_DIR_DEPTH 16

struct intake {
	size_t max;
	intake_fn fn;
	void *arg;
	int errors;
	int stop;
};

static void
ierr(struct intake *in, const char *path, const char *cause)
{
	fprintf(stderr, "dcvmail: %s: %s\n", path, cause);
	in->errors++;
}

/* mbox: "From " lines separate messages; ">From " lines are unescaped
 * (mboxrd). One message in memory at a time. */
static void
read_mbox(struct intake *in, const char *path, FILE *f)
{
	struct buf msg;
	char *line = NULL, *label;
	size_t cap = 0, n = 0;
	ssize_t len;
	int have = 0, truncated = 0;

	buf_init(&msg, 0);
	for (;;) {
		len = getline(&line, &cap, f);
		if (len == -1 || (len >= 5 && !memcmp(line, "From ", 5))) {
			if (have) {
				/* the blank line before a separator belongs to the mbox */
				if (len != -1 && msg.len && msg.data[msg.len - 1] == '\n') {
					msg.len--;
					if (msg.len && msg.data[msg.len - 1] == '\r')
						msg.len--;
				}
				label = xasprintf("%s:%zu", path, ++n);
				if (in->fn(in->arg, label, msg.data ? msg.data : "", msg.len))
					in->stop = 1;
				free(label);
			}
			if (len == -1 || in->stop)
				break;
			msg.len = 0;
			have = 1;
			truncated = 0;
			continue;
		}
		if (!have)
			continue; /* junk before the first separator */
		if (truncated)
			continue;
		const char *p = line;
		size_t l = (size_t)len;
		if (line[0] == '>') {
			size_t k = 0;
			while (k < l && line[k] == '>')
				k++;
			if (l - k >= 5 && !memcmp(line + k, "From ", 5)) {
				p++;
				l--;
			}
		}
		if (msg.len + l > in->max) {
			truncated = 1; /* the parser reports it oversized */
			buf_add(&msg, p, in->max - msg.len);
			continue;
		}
		buf_add(&msg, p, l);
	}
	if (ferror(f))
		ierr(in, path, strerror(errno));
	free(line);
	buf_free(&msg);
}

static void
read_one_file(struct intake *in, const char *path)
{
	FILE *f;
	char head[5];
	size_t n;
	char *data;
	size_t len;
	int fd;

	if (strcmp(path, "-") == 0) {
		if (read_fd(STDIN_FILENO, in->max, &data, &len) == -1 && errno != EFBIG) {
			ierr(in, "stdin", strerror(errno));
			return;
		}
		if (in->fn(in->arg, "-", data, len))
			in->stop = 1;
		free(data);
		return;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 || (f = fdopen(fd, "r")) == NULL) {
		ierr(in, path, strerror(errno));
		if (fd != -1)
			close(fd);
		return;
	}
	n = fread(head, 1, sizeof(head), f);
	if (n == 5 && !memcmp(head, "From ", 5)) {
		rewind(f);
		read_mbox(in, path, f);
		fclose(f);
		return;
	}
	rewind(f);
	if (read_fd(fileno(f), in->max, &data, &len) == -1 && errno != EFBIG) {
		ierr(in, path, strerror(errno));
		fclose(f);
		return;
	}
	fclose(f);
	if (in->fn(in->arg, path, data, len))
		in->stop = 1;
	free(data);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_path(struct intake *in, const char *path, int depth);

static void
read_dir(struct intake *in, const char *path, int depth)
{
	DIR *d;
	struct dirent *e;
	struct strv names = { 0 };

	if (depth > MAX_DIR_DEPTH) {
		ierr(in, path, "directories nested too deep");
		return;
	}
	if ((d = opendir(path)) == NULL) {
		ierr(in, path, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		size_t pl = strlen(path);
		while (pl > 1 && path[pl - 1] == '/')
			pl--;
		strv_add_owned(&names, xasprintf("%.*s/%s", (int)pl, path, e->d_name));
	}
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	for (size_t i = 0; i < names.n && !in->stop; i++)
		walk_path(in, names.v[i], depth + 1);
	strv_free(&names);
}

static void
walk_path(struct intake *in, const char *path, int depth)
{
	struct stat st;

	if (strcmp(path, "-") == 0) {
		read_one_file(in, path);
		return;
	}
	if (lstat(path, &st) == -1) {
		ierr(in, path, strerror(errno));
		return;
	}
	if (S_ISLNK(st.st_mode)) {
		if (depth > 0)
			return; /* links inside a tree are not followed */
		if (stat(path, &st) == -1) {
			ierr(in, path, strerror(errno));
			return;
		}
	}
	if (S_ISDIR(st.st_mode)) {
		/* a Maildir is a directory with cur/ and new/: read those, sorted; tmp/ is never read */
		char *cur = xasprintf("%s/cur", path), *nw = xasprintf("%s/new", path);
		struct stat s1, s2;
		if (stat(cur, &s1) == 0 && S_ISDIR(s1.st_mode) && stat(nw, &s2) == 0 && S_ISDIR(s2.st_mode)) {
			read_dir(in, cur, depth + 1);
			if (!in->stop)
				read_dir(in, nw, depth + 1);
		} else
			read_dir(in, path, depth);
		free(cur);
		free(nw);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		if (depth == 0)
			ierr(in, path, "not a regular file, directory or Maildir");
		return;
	}
	/* golden files and notes beside fixtures are not mail */
	const char *dot = strrchr(path, '.');
	if (depth > 0 && dot && (!strcmp(dot, ".expect") || !strcmp(dot, ".dump") || !strcmp(dot, ".md") ||
				 !strcmp(dot, ".out") || !strcmp(dot, ".txt")))
		return;
	read_one_file(in, path);
}

int
intake_path(const char *path, size_t max_size, intake_fn fn, void *arg)
{
	struct intake in = { max_size, fn, arg, 0, 0 };

	walk_path(&in, path, 0);
	return in.errors ? -1 : 0;
}
