/* msgbench — message_parse() speed: parse each FILE N times.
 * usage: msgbench [-n N] FILE...   prints messages/s and µs/message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/message.h"
#include "base/util.h"

int
main(int argc, char **argv)
{
	struct msg_limits lim;
	long n = 1000;
	int i = 1;
	size_t total = 0, bytes = 0;
	double t0, t;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		n = atol(argv[2]);
		i = 3;
	}
	msg_limits_default(&lim);
	t0 = now_mono();
	for (int k = i; k < argc; k++) {
		char *d;
		size_t len;
		if (read_file(argv[k], (size_t)64 << 20, &d, &len) == -1) {
			perror(argv[k]);
			return 1;
		}
		for (long r = 0; r < n; r++) {
			message_free(message_parse(d, len, &lim));
			total++;
			bytes += len;
		}
		free(d);
	}
	t = now_mono() - t0;
	printf("%zu messages, %.1f MB in %.3f s: %.0f messages/s, %.1f us/message\n", total,
	       bytes / 1e6, t, total / t, t * 1e6 / (double)total);
	return 0;
}
