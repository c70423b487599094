/* intakedump — print what intake_path() hands over for PATH.
 * usage: intakedump [-m MAX] [-q] PATH...
 *   each message: "== LABEL (N bytes)" then its data (unless -q);
 *   at the end: "rc=R messages=N maxrss_kb=K". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "intake/intake.h"

static int quiet;
static size_t count;

static int
one(void *arg, const char *label, const char *data, size_t len)
{
	count++;
	printf("== %s (%zu bytes)\n", label, len);
	if (!quiet) {
		fwrite(data, 1, len, stdout);
		if (len && data[len - 1] != '\n')
			putchar('\n');
	}
	return 0;
}

int
main(int argc, char **argv)
{
	size_t max = (size_t)40 << 20;
	struct rusage ru;
	int i = 1, rc = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-q"))
			quiet = 1;
		else if (!strcmp(argv[i], "-m") && i + 1 < argc)
			max = strtoul(argv[++i], NULL, 10);
	}
	for (; i < argc; i++)
		if (intake_path(argv[i], max, one, NULL) == -1)
			rc = 1;
	getrusage(RUSAGE_SELF, &ru);
	printf("rc=%d messages=%zu maxrss_kb=%ld\n", rc, count, ru.ru_maxrss);
	return rc;
}
