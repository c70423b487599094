/* fuzz-mutf7.c — libFuzzer harness for the IMAP mailbox-name codec
 * (mutf7.h): a name the strict decoder accepts encodes back to the same
 * bytes, and any UTF-8 the encoder accepts decodes back to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/mutf7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *a, *b;

	if (size > 4096)
		return 0;
	in = malloc(size + 1);
	if (in == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if ((a = mutf7_decode(in)) != NULL) { /* strict: one spelling per name */
		b = mutf7_encode(a);
		if (b == NULL || strcmp(b, in))
			abort();
		free(b);
		free(a);
	}
	if ((a = mutf7_encode(in)) != NULL) {
		b = mutf7_decode(a);
		if (b == NULL || strcmp(b, in))
			abort();
		free(b);
		free(a);
	}
	free(in);
	return 0;
}
