/* fuzz-authres.c — libFuzzer harness for the Authentication-Results parser. */
#include "fuzz.h"
#include "judge/auth.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct ar_header h;

	if (s == NULL)
		return 0;
	if (ar_parse(s, &h) == 0) {
		for (size_t i = 0; i < h.nmethods; i++)
			(void)ar_prop(&h.methods[i], "header.d");
		ar_free(&h);
	}
	free(s);
	return 0;
}
