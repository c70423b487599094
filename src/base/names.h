/* names.h — one form for every domain name dcvmail stores, compares and
 * shows: lower case, each U-label as its A-label (libidn2: IDNA2008 with the
 * UTS #46 mapping, NFC input, non-transitional), no trailing dot. The
 * Unicode form is only ever shown beside it. The registrable domain comes
 * from the Public Suffix List (libpsl), not from guessing "the last label". */
#ifndef DCVMAIL_NAMES_H
#define DCVMAIL_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* The canonical form of name (allocated), a leading "*." kept, trailing dots dropped. An all-ASCII
 * name without an "xn--" label is only lower-cased; any other goes through
 * libidn2, which maps full-width letters and ideographic dots, lower-cases
 * and checks A-labels. NULL with *why (static text) when libidn2 refuses it.
 * The result is not checked for LDH syntax: callers do that on it. */
char *name_canon(const char *name, const char **why);

/* The Unicode form of a canonical name (allocated), or NULL when it is the
 * same (no A-label) or does not decode. */
char *name_unicode(const char *name);

/* For a person: "www.xn--bcher-kva.example (www.bücher.example)" when the
 * Unicode form differs, else a copy of name. NULL stays NULL. */
char *name_display(const char *name);

/* The registrable domain of a canonical name by the Public Suffix List
 * (a pointer into name), or NULL when name is a public suffix itself or has
 * no label before one. Without a list (none installed) the last two labels. */
const char *name_registrable(const char *name);

/* The code points of UTF-8 text, validated (iconv): a byte that does not
 * start a well-formed sequence is skipped. *out is allocated (the caller
 * frees it); returns the count. */
size_t name_utf8_codepoints(const char *s, uint32_t **out);

#endif
