/* rules.h — the rule language (rules/NAME.rules, dcvmail.rules(5)) and the classifier. */
#ifndef DCVMAIL_RULES_H
#define DCVMAIL_RULES_H

#include <stddef.h>
#include <stdio.h>
#include "mail/message.h"
#include "judge/verdict.h"

struct envelope;

/* A CA block: trust anchors the classifier, authentication and approval use. */
struct ca_def {
	char *id;   /* "digicert" */
	char *name; /* "DigiCert (incl. GeoTrust, RapidSSL, Thawte)" */
	char **from_domains;
	size_t nfrom_domains;
	char **dkim_domains;
	size_t ndkim_domains;
	char **link_hosts;
	size_t nlink_hosts;
	/* fallback-link: the shape (compiled pcre2_code*, matched against a
	 * link's path and query) of the CA's approval links, for its mail that
	 * no rule recognises; NULL: no such fallback */
	void *fallback_re;
	char *fallback_src;
	const char *file; /* rules file it came from */
	int line;
	/* h-speed: the phishing checks' folded brands (phish.c), made on first
	 * use and freed with the rules: brands[j] of link_hosts then from_domains */
	char **brands;
	char *name_brand, *id_skeleton;
};

/* How to answer an approval page (from the rule, for action-approve). */
struct approve_form {
	char *method;  /* "GET" (follow the link) or "POST" */
	char **names;  /* form field names */
	char **values; /* value templates, "{code}" expanded from fields */
	size_t nfields;
	void *success_re; /* compiled pcre2_code* matched against the result page; NULL: 2xx is success */
	char *success_src;
	char **page_shows; /* approve-page-shows: fields ("domain", "order") the page must name before the POST */
	size_t npage_shows;
};

struct ruleset;

/* Diagnostics: one call per error, "file:line:col: message". */
typedef void (*rules_diag_fn)(void *arg, const char *file, int line, int col, const char *msg);

enum rules_mode {
	RULES_MODE_SINGLE, /* pipe: one message per process (JIT only where it pays) */
	RULES_MODE_BATCH,  /* check/watch: many messages (JIT everything) */
};

/* Load every *.rules file in dir (sorted by name). dir may be a list
 * "DIR:DIR...": a file in a later directory replaces the one of the same name
 * in an earlier one (local rules over shipped ones). Returns the number of
 * errors (0: *out set). All errors are reported through diag; on any error
 * nothing is returned: broken rules are fatal for every command. */
int rules_load(const char *dir, enum rules_mode, struct ruleset **out, rules_diag_fn diag, void *arg);
int rules_load_file(const char *path, enum rules_mode, struct ruleset **out, rules_diag_fn diag, void *arg);
void rules_free(struct ruleset *);

size_t rules_count(const struct ruleset *);
/* A number no other rule set loaded by this process has: what a cache of
 * results computed from the rules is keyed by, so that it cannot outlive
 * a reload (a new rule set may get the old one's address). */
unsigned long rules_serial(const struct ruleset *);
/* The mode the rules were loaded in (what JIT compiling pays for). */
enum rules_mode rules_mode_of(const struct ruleset *);
const struct ca_def *rules_ca(const struct ruleset *, const char *id);
const struct ca_def *rules_ca_at(const struct ruleset *, size_t i);
size_t rules_ca_count(const struct ruleset *);
/* How many rule files were read; what `rules list` shows of rule i (in
 * matching order; the strings belong to the rule set). 0, or -1 when i is
 * past the last rule. */
size_t rules_file_count(const struct ruleset *);
struct rule_info {
	const char *ca, *id;
	enum vtype type;
	const char *file;
	int line;
};
int rules_rule_at(const struct ruleset *, size_t i, struct rule_info *);
/* The approve form of rule id, or NULL when the link is simply followed. */
const struct approve_form *rules_approve_form(const struct ruleset *, const char *rule_id);

/* Does url (normalised, url.h) match a `link reject` pattern of any rule of
 * CA ca_id? 1 yes (also when the match could not be completed), 0 no. */
int rules_ca_rejects(const struct ruleset *, const char *ca_id, const char *url);

/* Classify m into v (v must be verdict_init'ed). First matching rule wins
 * (file order, then rule order). Fills type, ca, rule, fields, links, dedup
 * key; marks suspicious when From or a link host is outside the CA's lists.
 * env may be NULL (role conditions then never hold). Returns 0, or -1 on an
 * internal error (e.g. a regex hit its match limit: v->type stays unknown and
 * a reason is added). */
int classify(const struct ruleset *, const struct message *m, const struct envelope *env, struct verdict *v);

/* Trace for `rules test`: print, rule by rule, which conditions held and
 * what they captured (the verdict itself is judge()'s: judge.h). */
void classify_trace(const struct ruleset *, const struct message *m, const struct envelope *env, FILE *out);

#endif
