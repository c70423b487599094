/* links.h — http(s) links found in a message, parsed with libcurl's URL API. */
#ifndef DCVMAIL_LINKS_H
#define DCVMAIL_LINKS_H

#include <stddef.h>
#include "message.h"

struct linkset {
	struct msg_link *v;
	size_t n, cap;
	size_t max;
	int overflow; /* more links than max were seen */
};

/* Parse url (len bytes) and add it unless already present or not http(s).
 * text: anchor text (HTML) or NULL. Returns 1 added, 0 not. */
int links_add(struct linkset *, const char *url, size_t len, const char *text, int from_html);
/* Find every http:// and https:// URL in UTF-8 text. */
void links_scan_text(struct linkset *, const char *text, size_t len);
void links_free(struct msg_link *v, size_t n);

/* Parse one URL into l (fields allocated). Returns 0, -1 if not a valid http(s) URL. */
int link_parse(const char *url, struct msg_link *l);
void link_clear(struct msg_link *l);

#endif
