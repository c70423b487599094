/* limits.c — the default message limits (limits.h). */
#include "base/limits.h"

void
msg_limits_default(struct msg_limits *l)
{
	l->max_size = (size_t)10 << 20;
	l->max_depth = 32;
	l->max_parts = 1000;
	l->max_headers = 1000;
	l->max_line = (size_t)998 * 1024;
	l->max_text = (size_t)4 << 20;
	l->max_links = 500;
}
