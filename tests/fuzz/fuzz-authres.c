/* fuzz-authres.c — libFuzzer harness for the Authentication-Results parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "judge/auth.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct ar_header h;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (ar_parse(s, &h) == 0) {
		for (size_t i = 0; i < h.nmethods; i++)
			(void)ar_prop(&h.methods[i], "header.d");
		ar_free(&h);
	}
	free(s);
	return 0;
}
