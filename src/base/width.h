/* width.h — how wide text is on a terminal, for tables that line up with
 * Japanese (and other double-width) text. */
#ifndef DCVMAIL_WIDTH_H
#define DCVMAIL_WIDTH_H

#include <stddef.h>

/* The display width of UTF-8 text in terminal columns: mbstowcs and
 * wcswidth under the C.UTF-8 locale (whatever the process locale is, since
 * dcvmail writes UTF-8). A character wcwidth does not know counts 1; bytes
 * that are not UTF-8 count one each. */
size_t text_width(const char *s);

#endif
