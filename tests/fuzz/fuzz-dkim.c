/* fuzz-dkim.c — libFuzzer entry: message_parse() then dkim_check() for the
 * domain example.com: the header/body split handed to libopendkim, and the
 * signature handling. Keys are asked from 127.0.0.1:1, where nothing
 * answers, so no fuzz input ever reaches a real resolver. */
#include <stddef.h>
#include <stdint.h>

#include "judge/dkim.h"
#include "mail/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const domains[] = { "example.com" };
	struct msg_limits lim;
	struct message *m;
	struct dkim_result *r;
	size_t n;

	msg_limits_default(&lim);
	m = message_parse((const char *)data, size, &lim);
	n = dkim_check(m, "127.0.0.1:1", domains, 1, &r);
	dkim_results_free(r, n);
	message_free(m);
	return 0;
}
