/* fuzz-pipereq.c — the dcvmail-pipe request parser (pipe-server.c) and the
 * smtp URL parser (base/smtp-url.c) on arbitrary bytes. */
#include "fuzz.h"
#include "intake/pipe.h"
#include "base/smtp-url.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_cstr(data, size), *err = NULL;
	struct pipe_request pr;
	struct smtp_url u;

	if (buf == NULL)
		return 0;
	if (pipe_request_parse(buf, size, &pr) == 0) {
		/* what it returns must lie inside the input */
		if (pr.data < buf || pr.data + pr.len > buf + size)
			abort();
	}
	memcpy(buf, data, size);
	if (smtp_parse_url(buf, &u, &err) == -1)
		free(err);
	else if (strlen(u.host) == 0 || u.port == 0)
		abort();
	free(buf);
	return 0;
}
