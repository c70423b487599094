/* fuzz-config.c — libFuzzer harness for the configuration file parser: the
 * input is a dcvmail.conf; config_load must report errors (file:line) and
 * never crash, hang or leak; an accepted file is printed back as `dcvmail
 * -n` does, which walks every field the parser filled. */
#include <stdio.h>

#include "config.h"
#include "fuzz.h"
#include "outbox/action.h"

static void
no_diag(void *arg, const char *file, int line, int col, const char *msg)
{
	(void)file, (void)col, (void)msg;
	if (line < 0) /* errors name a line of the file (0: the file as a whole) */
		abort();
	++*(int *)arg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz-config.XXXXXX";
	int ndiag = 0, nerr;
	struct config_ops ops = { no_diag, &ndiag, action_kind_at };
	struct config cfg;

	if (fuzz_file(path, data, size) == -1)
		return 0;
	nerr = config_load(path, &cfg, &ops);
	if (nerr > 0 && ndiag == 0) /* every error counted was reported */
		abort();
	if (nerr == 0) {
		FILE *out = fopen("/dev/null", "w");
		if (out) {
			config_print(out, &cfg, &ops);
			fclose(out);
		}
	}
	if (nerr >= 0)
		config_free(&cfg);
	unlink(path);
	return 0;
}
