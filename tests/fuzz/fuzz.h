/* fuzz.h — what the harnesses share: the input as a C string, or in a file. */
#ifndef DCVMAIL_FUZZ_H
#define DCVMAIL_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input NUL-terminated (allocated; NULL when out of memory). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* The input written to a new file made from tmpl ("/tmp/NAME.XXXXXX", its
 * name then in tmpl; the caller unlinks it): 0, or -1 with no file left. */
static inline int
fuzz_file(char *tmpl, const uint8_t *data, size_t size)
{
	int fd = mkstemp(tmpl);

	if (fd == -1)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(tmpl);
		return -1;
	}
	close(fd);
	return 0;
}

#endif
