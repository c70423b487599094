/* fuzz-rules.c — libFuzzer harness for the rule-file parser: the input is a
 * rules file; every accepted rule set is also run over a small message. */
#include "fuzz.h"
#include "judge/rules.h"

static const char msg[] = "From: DigiCert <a@digicert.com>\nSubject: Approve example.com {123}\n\n"
			  "https://www.digicert.com/link/approve?t=1 code: ABCDEFGHIJKLMNOPQRSTUVWX\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz-rules.XXXXXX";
	struct ruleset *rs;

	if (fuzz_file(path, data, size) == -1)
		return 0;
	if (rules_load_file(path, RULES_MODE_SINGLE, &rs, NULL, NULL) == 0) {
		struct message *m = message_parse(msg, sizeof(msg) - 1, NULL);
		struct verdict v;
		verdict_init(&v);
		classify(rs, m, NULL, &v);
		verdict_free(&v);
		message_free(m);
		rules_free(rs);
	}
	unlink(path);
	return 0;
}
