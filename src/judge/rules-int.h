/* rules-int.h — the compiled rule set shared by rules-parse.c and classify.c. */
#ifndef DCVMAIL_RULES_INT_H
#define DCVMAIL_RULES_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "judge/rules.h"
#include "base/util.h"

enum cond_kind {
	C_ROLE = 0, /* cheapest first: conditions are evaluated in this order */
	C_FROM,
	C_SUBJECT,
	C_HEADER,
	C_LINK,
	C_BODY,
	C_HTML,
};

enum link_kind { L_ANY = 0, L_APPROVE, L_REJECT, L_INFO };

struct cond {
	enum cond_kind kind;
	int negate;
	enum link_kind link;
	char *header;	   /* C_HEADER */
	struct strv roles; /* C_ROLE */
	char *src;	   /* the pattern as written */
	pcre2_code *re;
	int line, col;
};

struct rule {
	char *id;
	enum vtype type;
	struct cond *conds;
	size_t nconds;
	char *dedup; /* template or NULL */
	struct approve_form form;
	int has_form;
	struct ca_def *ca;
	size_t ca_index; /* ca is cas[ca_index] of its rule set */
	const char *file;
	int line;
};

#define RULES_MATCH_LIMIT 100000
#define RULES_DEPTH_LIMIT 10000

struct ruleset {
	struct ca_def **cas;
	size_t ncas;
	struct rule **rules;
	size_t nrules;
	struct strv files; /* owns file names */
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
	enum rules_mode mode;
	unsigned long serial; /* rules_serial() */
};

const char *cond_kind_name(enum cond_kind);
const char *link_kind_name(enum link_kind);

#endif
