/* limits.h — how much of one message is read and parsed (dcvmail.conf(5)
 * `limit`): set by the configuration, enforced by the message parser. */
#ifndef DCVMAIL_LIMITS_H
#define DCVMAIL_LIMITS_H

#include <stddef.h>

struct msg_limits {
	size_t max_size; /* bytes, default 10 MB */
	int max_depth;	 /* MIME nesting, default 32 */
	int max_parts;	 /* default 1000 */
	int max_headers; /* per part, default 1000 */
	size_t max_line; /* header line length, default 998*1024 (1 MiB - margin) */
	size_t max_text; /* decoded text kept for matching, default 4 MB */
	int max_links;	 /* default 500 */
};
void msg_limits_default(struct msg_limits *);

#endif
