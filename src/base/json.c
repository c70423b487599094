/* json.c — optional JSON values (see json.h). */
#include "base/json.h"
#include "base/util.h"

json_t *
json_string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *
json_time_or_null(time_t t)
{
	char b[32];

	return t ? json_string(fmt_time(t, b, sizeof(b))) : json_null();
}
