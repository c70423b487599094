/* config-int.h — what config.c shares with config-print.c (dcvmail -n -v)
 * and config-check.c (secret files, programs, overdue hours): the blocks
 * and the keyword table. */
#ifndef DCVMAIL_CONFIG_INT_H
#define DCVMAIL_CONFIG_INT_H

#include <stddef.h>

#include "config.h"

#define MAX_ARGS 64
/* The reader of one file: the current line's words. */
struct parser {
	const char *file;
	int line;
	int errors;
	struct config *cfg;
	const struct config_ops *ops;
	char *argv[MAX_ARGS];
	int argc;
};
/* An error at the current line (counted; printed or handed to ops->diag). */
void config_perr(struct parser *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The line takes min to max arguments (max -1: any): 0, or -1 after an error. */
int config_want_args(struct parser *, int min, int max);
/* config-validate.c: the loaded configuration's blocks hold together (each
 * error reported with config_perr at the block's line). */
void config_check_loaded(struct parser *);

/* h-oauth (config-oauth.c): the oauth block's keywords, its checks and presets. */
void config_oauth_kw_provider(struct parser *, void *obj);
void config_oauth_kw_grant(struct parser *, void *obj);
void config_oauth_check(struct parser *, struct oauth_cfg *);
void config_oauth_free(struct oauth_cfg *);

enum block { B_TOP, B_MAILBOX, B_SMTP, B_ROUTE, B_OAUTH };
extern const char *const config_block_names[];

/* The keywords, one table sorted by (block, keyword) for bsearch, as
 * OpenBSD's parse.y lookup(). A keyword sets the field at off of its
 * block's struct (config, mailbox_cfg, smtp_cfg, route_cfg) by type, or
 * calls fn; ints are bounded by [min, max]. Route actions are not here:
 * they are the outbox's action kinds (struct config_ops). */
enum kw_type { KW_STR, KW_BOOL, KW_INT, KW_WORDS, KW_FN, KW_BLOCK };
struct keyword {
	enum block blk;
	const char *name;
	enum kw_type type;
	size_t off;
	int min, max;
	void (*fn)(struct parser *, void *obj);
	const char *takes; /* KW_FN and KW_BLOCK: what it takes, for -n -v */
};
extern const struct keyword config_keyword_table[];
extern const size_t config_nkeywords;

#endif
