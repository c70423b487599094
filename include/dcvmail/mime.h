/* mime.h — internals of the message parser (message.c, mime.c). */
#ifndef DCVMAIL_MIME_H
#define DCVMAIL_MIME_H

#include <stddef.h>
#include "message.h"
#include "util.h"

/* Split the header block of buf into unfolded, decoded fields. Over the
 * count or line-length limit the message is marked malformed. Returns the
 * offset where the body starts. */
size_t headers_parse(struct message *m, const struct msg_limits *lim, const char *buf, size_t len,
		     struct msg_header **out, size_t *nout);
/* RFC 2047 decoding of one unfolded value to UTF-8 (allocated). */
char *header_decode(const char *raw);
/* Walk the MIME tree of m->raw: text/plain to text, text/html to html.
 * Returns -1 when the structure could not be parsed at all. */
int mime_walk(struct message *m, const struct msg_limits *lim, struct buf *text, struct buf *html);
void message_set_status(struct message *m, enum msg_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
