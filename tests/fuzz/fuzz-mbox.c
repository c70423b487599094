/* fuzz-mbox.c — libFuzzer harness for the mailbox reader (intake_path):
 * the input is an mbox (first byte even), or a Maildir whose messages are
 * the input's pieces between NUL bytes (first byte odd; the next byte picks
 * a small size cap). Every message handed on must lie within the cap and the
 * input, and an mbox gives at most one message per "From " line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "intake/intake.h"

struct seen {
	size_t max, size, n, bytes;
};

static int
got(void *arg, const char *label, const char *data, size_t len)
{
	struct seen *s = arg;

	if (label == NULL || (len && data == NULL) || len > s->max || len > s->size)
		abort();
	for (size_t i = 0; i < len; i++) /* the bytes are readable */
		s->bytes += (unsigned char)data[i] == 0xff;
	s->n++;
	return 0;
}

static void
rm_tree(const char *dir)
{
	static const char *const sub[] = { "cur", "new", "tmp" };
	char p[256];

	for (size_t i = 0; i < 3; i++)
		for (int k = 0; k < 64; k++) {
			snprintf(p, sizeof(p), "%s/%s/%d.eml", dir, sub[i], k);
			unlink(p);
		}
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, sub[i]);
		rmdir(p);
	}
	rmdir(dir);
}

static void
write_file(const char *path, const uint8_t *d, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f) {
		fwrite(d, 1, n, f);
		fclose(f);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { .size = size };

	if (size < 2)
		return 0;
	s.max = (size_t)64 << (data[1] & 15); /* 64 B .. 2 MB */
	if ((data[0] & 1) == 0) {
		char path[] = "/tmp/fuzz-mbox.XXXXXX";
		size_t froms = 1;
		if (fuzz_file(path, data + 2, size - 2) == -1)
			return 0;
		intake_path(path, s.max, got, &s);
		for (size_t i = 2; i + 5 <= size; i++)
			froms += (i == 2 || data[i - 1] == '\n') && !memcmp(data + i, "From ", 5);
		if (s.n > froms)
			abort();
		unlink(path);
		return 0;
	}
	char dir[] = "/tmp/fuzz-maildir.XXXXXX", p[256];
	if (mkdtemp(dir) == NULL)
		return 0;
	static const char *const sub[] = { "cur", "new", "tmp" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, sub[i]);
		mkdir(p, 0700);
	}
	size_t start = 2;
	for (int k = 0; k < 64 && start <= size; k++) {
		const uint8_t *nul = memchr(data + start, 0, size - start);
		size_t end = nul ? (size_t)(nul - data) : size;
		snprintf(p, sizeof(p), "%s/%s/%d.eml", dir, sub[k % 3], k);
		write_file(p, data + start, end - start);
		start = end + 1;
	}
	intake_path(dir, s.max, got, &s);
	rm_tree(dir);
	return 0;
}
