/* fuzz-names.c — libFuzzer harness for the name forms: modified UTF-7
 * decoding and encoding (each undoes the other exactly), the canonical form
 * of a domain (a fixed point), its Unicode form and the display width. */
#include "base/mutf7.h"
#include "base/names.h"
#include "base/width.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), *d, *e, *c, *c2;
	const char *why;

	if (s == NULL)
		return 0;
	if ((d = mutf7_decode(s)) != NULL) { /* strict: only the one spelling decodes */
		e = mutf7_encode(d);
		if (e == NULL || strcmp(e, s))
			abort();
		free(e);
		free(d);
	}
	if ((e = mutf7_encode(s)) != NULL) {
		d = mutf7_decode(e);
		if (d == NULL || strcmp(d, s))
			abort();
		free(d);
		free(e);
	}
	if ((c = name_canon(s, &why)) != NULL) {
		c2 = name_canon(c, &why);
		if (c2 == NULL || strcmp(c, c2)) /* the canonical form is canonical */
			abort();
		free(c2);
		free(name_display(c));
		(void)name_registrable(c);
		free(c);
	}
	uint32_t *cp;
	name_utf8_codepoints(s, &cp);
	free(cp);
	(void)text_width(s);
	free(s);
	return 0;
}
