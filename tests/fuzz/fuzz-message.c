/* fuzz-message.c — libFuzzer entry: message_parse(), the forwarded-mail
 * unwrapping of the result (forward_unwrap), then message_free(). */
#include <stddef.h>
#include <stdint.h>

#include "mail/forward.h"
#include "mail/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_limits lim;
	struct message *m;
	struct fwd_inner in[FWD_MAX];
	size_t n;

	msg_limits_default(&lim);
	/* small limits reach the limit paths with small inputs */
	if (size > 0 && (data[0] & 1)) {
		lim.max_depth = 4;
		lim.max_parts = 20;
		lim.max_headers = 20;
		lim.max_line = 200;
		lim.max_text = 1000;
		lim.max_links = 5;
		lim.max_size = 50000;
	}
	m = message_parse((const char *)data, size, &lim);
	n = forward_unwrap(m, &lim, in, FWD_MAX);
	forward_free(in, n);
	message_free(m);
	return 0;
}
