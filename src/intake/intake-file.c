/* intake-file.c — messages from .eml files, mboxes, Maildirs, directories, stdin. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intake/intake.h"
#include "base/log.h"
#include "base/util.h"

#define CHUNK 65536
#define MAX_DIR_DEPTH 32

struct intake {
	size_t max;
	intake_fn fn;
	void *arg;
	int errors;
	int stop;
};

static void
fail(struct intake *it, const char *path, const char *cause)
{
	char *p = text_clean(path), *c = text_clean(cause);

	fprintf(stderr, "%s: %s: %s\n", log_prefix(), p, c);
	free(p);
	free(c);
	it->errors++;
}

static void
deliver(struct intake *it, const char *label, struct buf *b)
{
	if (it->stop)
		return;
	if (it->fn(it->arg, label, b->data ? b->data : "", b->len) != 0)
		it->stop = 1;
}

/* Append at most what fits under max; the rest of the message is dropped
 * (the parser then sees more than its size limit and says oversized). */
static void
add_bounded(struct intake *it, struct buf *b, const char *p, size_t n)
{
	if (b->len >= it->max)
		return;
	if (n > it->max - b->len)
		n = it->max - b->len;
	buf_add(b, p, n);
}

struct mbox {
	struct intake *it;
	const char *path;
	struct buf msg;
	size_t n;
	int started;
};

static void
mbox_flush(struct mbox *mb)
{
	char *label;

	if (!mb->started)
		return;
	/* the blank line before the next "From " belongs to the mbox */
	if (mb->msg.len >= 2 && mb->msg.data[mb->msg.len - 1] == '\n' && mb->msg.data[mb->msg.len - 2] == '\n')
		mb->msg.data[--mb->msg.len] = '\0';
	else if (mb->msg.len >= 4 && !memcmp(mb->msg.data + mb->msg.len - 4, "\r\n\r\n", 4))
		mb->msg.data[mb->msg.len -= 2] = '\0';
	label = xasprintf("%s:%zu", mb->path, mb->n);
	deliver(mb->it, label, &mb->msg);
	free(label);
	mb->msg.len = 0;
}

static void
mbox_line(struct mbox *mb, const char *s, size_t len, int bol)
{
	if (bol && len >= 5 && !memcmp(s, "From ", 5)) {
		mbox_flush(mb);
		mb->started = 1;
		mb->n++;
		return;
	}
	if (bol && len >= 6 && s[0] == '>') {
		size_t i = 0;
		while (i < len && s[i] == '>')
			i++;
		if (len - i >= 5 && !memcmp(s + i, "From ", 5)) {
			s++; /* mboxrd: one level of ">From " quoting */
			len--;
		}
	}
	add_bounded(mb->it, &mb->msg, s, len);
}

/* Read an mbox message by message: memory stays within CHUNK + max. */
static void
read_mbox(struct intake *it, FILE *f, const char *path, const char *pre, size_t prelen)
{
	struct mbox mb = { .it = it, .path = path };
	char *b = xmalloc(CHUNK);
	size_t have = 0;
	int eof = 0, bol = 1;

	buf_init(&mb.msg, 0);
	memcpy(b, pre, prelen);
	have = prelen;
	while (!it->stop) {
		if (!eof && have < CHUNK) {
			size_t n = fread(b + have, 1, CHUNK - have, f);
			if (n == 0) {
				if (ferror(f))
					fail(it, path, strerror(errno));
				eof = 1;
			}
			have += n;
		}
		size_t p = 0;
		while (p < have) {
			char *nl = memchr(b + p, '\n', have - p);
			size_t len;
			if (nl == NULL && !eof) {
				if (p > 0 || have < CHUNK)
					break;
				mbox_line(&mb, b, have, bol); /* a line longer than CHUNK */
				bol = 0;
				p = have;
				break;
			}
			len = nl ? (size_t)(nl - (b + p)) + 1 : have - p;
			mbox_line(&mb, b + p, len, bol);
			bol = nl != NULL;
			p += len;
		}
		memmove(b, b + p, have - p);
		have -= p;
		if (eof && have == 0)
			break;
	}
	if (!it->stop)
		mbox_flush(&mb);
	buf_free(&mb.msg);
	free(b);
}

/* One file or stdin: an mbox when it starts with "From ", else one message. */
static void
read_stream(struct intake *it, FILE *f, const char *path, int allow_mbox)
{
	char pre[5];
	size_t n = fread(pre, 1, sizeof(pre), f);
	struct buf b;
	char chunk[CHUNK];

	if (n == 0 && ferror(f)) {
		fail(it, path, strerror(errno));
		return;
	}
	if (allow_mbox && n == 5 && !memcmp(pre, "From ", 5)) {
		read_mbox(it, f, path, pre, n);
		return;
	}
	buf_init(&b, 0);
	add_bounded(it, &b, pre, n);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < it->max)
		add_bounded(it, &b, chunk, n);
	if (ferror(f))
		fail(it, path, strerror(errno));
	else
		deliver(it, path, &b);
	buf_free(&b);
}

static void
read_file_path(struct intake *it, const char *path, int allow_mbox)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		fail(it, path, strerror(errno));
		return;
	}
	read_stream(it, f, path, allow_mbox);
	fclose(f);
}

/* Dotfiles, and the notes kept beside test mail (golden files), are no mail. */
static int
no_dotfiles(const struct dirent *d)
{
	static const char *const notes[] = { ".expect", ".dump", ".md", ".out", ".txt" };

	if (d->d_name[0] == '.')
		return 0;
	for (size_t i = 0; i < nitems(notes); i++)
		if (str_has_suffix_ci(d->d_name, notes[i]))
			return 0;
	return 1;
}

static int
is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
is_maildir(const char *path)
{
	char *cur = xasprintf("%s/cur", path), *new = xasprintf("%s/new", path);
	int r = is_dir(cur) && is_dir(new);

	free(cur);
	free(new);
	return r;
}

static void walk_path(struct intake *, const char *, int depth, int top);

/* Regular files (and symlinks to them) in dir, sorted; subdirectories when recurse. */
static void
walk_dir(struct intake *it, const char *dir, int depth, int maildir_sub)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, no_dotfiles, alphasort);

	if (n == -1) {
		fail(it, dir, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		size_t dl = strlen(dir);
		char *p = xasprintf("%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", ents[i]->d_name);
		struct stat st;
		if (it->stop)
			;
		else if (lstat(p, &st) == -1)
			fail(it, p, strerror(errno));
		else if (S_ISDIR(st.st_mode) && !maildir_sub)
			walk_path(it, p, depth + 1, 0);
		else if (S_ISLNK(st.st_mode) && stat(p, &st) == -1)
			fail(it, p, strerror(errno)); /* dangling link: tell */
		else if (S_ISREG(st.st_mode))
			read_file_path(it, p, !maildir_sub);
		free(p);
		free(ents[i]);
	}
	free(ents);
}

static void
walk_path(struct intake *it, const char *path, int depth, int top)
{
	struct stat st;

	if (it->stop)
		return;
	if (stat(path, &st) == -1) {
		fail(it, path, strerror(errno));
		return;
	}
	if (S_ISREG(st.st_mode)) {
		read_file_path(it, path, 1);
	} else if (S_ISDIR(st.st_mode)) {
		if (depth > MAX_DIR_DEPTH) {
			fail(it, path, "directories nested too deep");
		} else if (is_maildir(path)) {
			char *cur = xasprintf("%s/cur", path), *new = xasprintf("%s/new", path);
			walk_dir(it, cur, depth, 1);
			walk_dir(it, new, depth, 1);
			free(cur);
			free(new);
		} else {
			walk_dir(it, path, depth, 0);
		}
	} else if (top) {
		fail(it, path, "not a file or directory");
	}
}

int
intake_path(const char *path, size_t max_size, intake_fn fn, void *arg)
{
	struct intake it = { .max = max_size, .fn = fn, .arg = arg };

	if (!strcmp(path, "-"))
		read_stream(&it, stdin, "-", 1);
	else
		walk_path(&it, path, 0, 1);
	return it.errors ? -1 : 0;
}
