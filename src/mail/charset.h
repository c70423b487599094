/* charset.h — text to UTF-8 (iconv, cached descriptors; not thread-safe). */
#ifndef DCVMAIL_CHARSET_H
#define DCVMAIL_CHARSET_H

#include <stddef.h>
#include "base/util.h"

/* Append s (len bytes in MIME charset; NULL, "" or unknown: UTF-8 when valid,
 * else Windows-1252) to out as UTF-8. Shift_JIS is read as CP932, Latin-1 as
 * Windows-1252. Invalid bytes and NULs become U+FFFD; never fails. */
void charset_to_utf8(struct buf *out, const char *charset, const char *s, size_t len);
/* Append s as UTF-8, invalid sequences and NULs replaced by U+FFFD. */
void utf8_append_clean(struct buf *out, const char *s, size_t len);
/* 1 when s is valid UTF-8 without NUL bytes. */
int utf8_valid(const char *, size_t);

#endif
