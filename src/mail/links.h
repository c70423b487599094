/* links.h — one URL parsed like message links (libcurl's URL API). */
#ifndef DCVMAIL_LINKS_H
#define DCVMAIL_LINKS_H

#include <stddef.h>
#include "mail/message.h"

/* Parse an http(s) URL into l (fields allocated; text NULL): normalised url,
 * lower-case host, path+query, userinfo/IP/IDN/port flags. Returns 0, or -1
 * when it is not a valid http(s) URL (l is then cleared). */
int link_parse(const char *url, struct msg_link *l);
void link_clear(struct msg_link *l);
/* Free an array of n links (as in struct message). */
void links_free(struct msg_link *v, size_t n);

#endif
