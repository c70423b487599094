/* unit.h — a tiny test harness: each check prints "ok - ..." or "not ok - ...";
 * tests/run counts them. */
#ifndef DCVMAIL_UNIT_H
#define DCVMAIL_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed;

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (cond) {                                                 \
			printf("ok - ");                                    \
		} else {                                                    \
			printf("not ok - %s:%d: ", __FILE__, __LINE__);     \
			unit_failed++;                                      \
		}                                                           \
		printf(__VA_ARGS__);                                        \
		printf("\n");                                               \
	} while (0)

#define CHECK_STR(got, want, ...)                                                       \
	do {                                                                            \
		const char *g_ = (got), *w_ = (want);                                   \
		int ok_ = (g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0); \
		CHECK(ok_, __VA_ARGS__);                                                \
		if (!ok_)                                                               \
			printf("#   got  [%s]\n#   want [%s]\n", g_ ? g_ : "(null)",   \
			       w_ ? w_ : "(null)");                                     \
	} while (0)

#define UNIT_DONE() return unit_failed ? 1 : 0

#endif
