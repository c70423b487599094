/* fuzz-url.c — libFuzzer harness for the URL normaliser every approval
 * comparison goes through (url_normalize, url.h): normalising its result
 * again must give it unchanged, and the result has no control character or
 * space in it. */
#include "base/url.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *once, *twice;

	if (size > 8192)
		return 0;
	if ((in = fuzz_cstr(data, size)) == NULL)
		return 0;
	once = url_normalize(in);
	if (once != NULL) {
		for (const char *p = once; *p; p++)
			if ((unsigned char)*p <= 0x20 || *p == 0x7f)
				abort();
		twice = url_normalize(once);
		if (twice == NULL || strcmp(once, twice))
			abort(); /* not idempotent: two spellings of one link */
		free(twice);
	}
	free(once);
	free(in);
	return 0;
}
