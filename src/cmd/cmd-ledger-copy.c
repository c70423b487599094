/* cmd-ledger-copy.c — `dcvmail ledger copy FROM TO` (h-pg): a SQLite ledger
 * and its archive into a PostgreSQL ledger, to move a host into a fleet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "ledger/store.h"
#include "base/util.h"

static int
copy_usage(void)
{
	fprintf(stderr, "usage: dcvmail ledger copy STATE_DIR postgresql://USER@HOST[:PORT]/DB[?sslmode=...]\n");
	return EXIT_USAGE;
}

int
cmd_ledger(struct globals *g, int argc, char **argv)
{
	struct store *from = NULL, *to = NULL;
	struct config cfg;
	char *err = NULL;
	const char *pwfile;
	int r;

	if (argc != 4 || strcmp(argv[1], "copy") != 0)
		return copy_usage();
	if (strncmp(argv[3], "postgresql://", 13) && strncmp(argv[3], "postgres://", 11))
		return copy_usage();
	const char *auth = strstr(argv[3], "://") + 3, *end = auth + strcspn(auth, "/?");
	const char *at = memchr(auth, '@', (size_t)(end - auth));
	if ((at && memchr(auth, ':', (size_t)(at - auth))) || strstr(argv[3], "password=")) {
		fprintf(stderr, "dcvmail: ledger copy: the URL holds a password; put it in PGPASSFILE (or the "
				"configured ledger-password-file) instead\n");
		return EXIT_USAGE;
	}
	if ((r = config_setup(&cfg, g->config_path, g->state_dir, g->argv0, &cmd_config_ops)) != 0)
		return r;
	/* the configured password file serves the configured database only */
	pwfile = cfg.ledger_url && !strcmp(cfg.ledger_url, argv[3]) ? cfg.ledger_password_file : NULL;
	if (store_open(argv[2], STORE_RDONLY, &from, &err) == -1 ||
	    store_open_pg(argv[2], argv[3], pwfile, 0, &to, &err) == -1 || store_copy(from, to, stdout, &err) == -1) {
		fprintf(stderr, "dcvmail: ledger copy: %s\n", err);
		free(err);
		r = EXIT_TEMPFAIL;
	} else
		printf("copied %s into %s\n", argv[2], store_ledger_name(to));
	store_close(from);
	store_close(to);
	config_free(&cfg);
	return r;
}
