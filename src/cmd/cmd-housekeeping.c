/* cmd-housekeeping.c — `dcvmail prune --older-than DAYS [--dry-run]` and
 * `dcvmail backup FILE` (h-cli): the ledger's retention and a consistent
 * copy of it, for cron (dcvmail(8), contrib/cron/dcvmail). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "base/log.h"
#include "ledger/store.h"
#include "base/util.h"

#define MAX_DAYS (100 * 366)

static int
prune_usage(void)
{
	fprintf(stderr, "usage: dcvmail prune --older-than DAYS [--dry-run]\n");
	return EXIT_USAGE;
}

static const char *
bytes(unsigned long long n, char *buf, size_t len)
{
	if (n >= 10ULL << 20)
		snprintf(buf, len, "%llu MB", n >> 20);
	else if (n >= 10ULL << 10)
		snprintf(buf, len, "%llu kB", n >> 10);
	else
		snprintf(buf, len, "%llu bytes", n);
	return buf;
}

int
cmd_prune(struct globals *g, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg;
	struct store *st;
	struct prune_result res;
	char *err = NULL, *end, t1[64], t2[64], b[32];
	long days = -1;
	int ch, dry = 0, r;
	time_t now = time(NULL);

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'o':
			errno = 0;
			days = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || days < 1 || days > MAX_DAYS) {
				fprintf(stderr, "%s: --older-than %s: give a number of days from 1 to %d\n",
					log_prefix(), optarg, MAX_DAYS);
				return EXIT_USAGE;
			}
			break;
		case 'n': dry = 1; break;
		default: return prune_usage();
		}
	}
	if (optind != argc || days < 0)
		return prune_usage();
	if ((r = cmd_open_ledger(g, &cfg, STORE_NOCREATE, &st)) != 0)
		return r;
	time_t cutoff = now - (time_t)days * 86400;
	if (store_prune(st, cutoff, now, dry, &res, &err) == -1)
		return cmd_finish(&cfg, st, EXIT_TEMPFAIL, err);
	const char *verb = dry ? "would remove" : "removed";
	for (size_t i = 0; i < res.nrequests; i++) {
		const struct request_info *q = &res.requests[i];
		time_t last = q->last_seen > q->state_changed ? q->last_seen : q->state_changed;
		printf("%s request %lld: %s %s %s%s%s, %s, last activity %s, %d message%s\n", verb, (long long)q->id,
		       q->ca ? q->ca : "", q->type ? q->type : "", q->domain ? q->domain : "",
		       q->order ? " order " : "", q->order ? q->order : "", q->state ? q->state : "",
		       fmt_time(last, t1, sizeof(t1)), q->copies, q->copies == 1 ? "" : "s");
	}
	if (res.loose_messages)
		printf("%s %zu message%s without a request, received before %s\n", verb, res.loose_messages,
		       res.loose_messages == 1 ? "" : "s", fmt_time(cutoff, t1, sizeof(t1)));
	if (res.digests)
		printf("%s the records of %zu daily digest%s sent before %s\n", verb, res.digests,
		       res.digests == 1 ? "" : "s", fmt_time(cutoff, t1, sizeof(t1)));
	if (res.kept_reusable)
		printf("kept %zu closed request%s older than %ld days: a CA may reuse the approval until %s\n",
		       res.kept_reusable, res.kept_reusable == 1 ? "" : "s", days,
		       fmt_time(res.kept_reusable_until, t2, sizeof(t2)));
	if (res.kept_open)
		printf("kept %zu open request%s older than %ld days (pending or forwarded: never pruned)\n",
		       res.kept_open, res.kept_open == 1 ? "" : "s", days);
	printf("prune%s: %zu request%s, %zu message%s (%s) %s", dry ? " --dry-run" : "", res.nrequests,
	       res.nrequests == 1 ? "" : "s", res.messages, res.messages == 1 ? "" : "s",
	       bytes(res.bytes, b, sizeof(b)), dry ? "would be removed" : "removed");
	if (!dry)
		printf(", %zu archived message%s deleted", res.files + res.in_ledger,
		       res.files + res.in_ledger == 1 ? "" : "s");
	printf("\n");
	r = 0;
	if (res.files_failed) {
		fprintf(stderr, "%s: %zu archived file%s not deleted (the records are gone): %s\n", log_prefix(),
			res.files_failed, res.files_failed == 1 ? "" : "s", res.first_failure);
		r = EXIT_CANTCREAT;
	}
	prune_result_free(&res);
	return cmd_finish(&cfg, st, r, NULL);
}

int
cmd_backup(struct globals *g, int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	char *err = NULL, b[32];
	unsigned long long size = 0;
	int r;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: dcvmail backup FILE\n");
		return EXIT_USAGE;
	}
	if ((r = cmd_open_ledger(g, &cfg, STORE_NOCREATE, &st)) != 0)
		return r;
	if (store_backup(st, argv[1], &size, &err) == -1)
		return cmd_finish(&cfg, st, EXIT_CANTCREAT, err);
	printf("%s: backup of %s/ledger.db, %s, integrity ok\n", argv[1], cfg.state_dir, bytes(size, b, sizeof(b)));
	return cmd_finish(&cfg, st, 0, NULL);
}
