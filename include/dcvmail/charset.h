/* charset.h — text to UTF-8. */
#ifndef DCVMAIL_CHARSET_H
#define DCVMAIL_CHARSET_H

#include <stddef.h>
#include "util.h"

/* The iconv name to use for a MIME charset label (Shift_JIS -> CP932, ...). */
const char *charset_canonical(const char *);
/* Append s (len bytes in charset; NULL: guess UTF-8, else Windows-1252) to out
 * as UTF-8. Invalid bytes and NULs become U+FFFD; never fails. */
void charset_to_utf8(struct buf *out, const char *charset, const char *s, size_t len);
int utf8_valid(const char *, size_t);

#endif
