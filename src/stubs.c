/* stubs.c — TEMPORARY weak placeholders so the tree links while subsystems are
 * written in parallel. Every strong definition elsewhere overrides these. This
 * file is deleted once all subsystems exist. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcvmail/action.h"
#include "dcvmail/auth.h"
#include "dcvmail/cmd.h"
#include "dcvmail/intake.h"
#include "dcvmail/message.h"
#include "dcvmail/policy.h"
#include "dcvmail/rules.h"
#include "dcvmail/store.h"
#include "dcvmail/util.h"

#define W __attribute__((weak))
#define NOTYET(name) \
	W int name(struct globals *g, int c, char **v) { fprintf(stderr, "dcvmail: %s: not built yet\n", #name); return EXIT_SOFTWARE; }

NOTYET(cmd_pipe)
NOTYET(cmd_watch)
NOTYET(cmd_rules)
NOTYET(cmd_list)
NOTYET(cmd_show)
NOTYET(cmd_approve)
NOTYET(cmd_reject)
NOTYET(cmd_expect)
NOTYET(cmd_report)
NOTYET(cmd_dns)

W void msg_limits_default(struct msg_limits *l)
{
	l->max_size = 10 << 20; l->max_depth = 32; l->max_parts = 1000; l->max_headers = 1000;
	l->max_line = 1 << 20; l->max_text = 4 << 20; l->max_links = 500;
}
W struct message *message_parse(const char *buf, size_t len, const struct msg_limits *lim)
{
	struct message *m = xcalloc(1, sizeof(*m));
	m->raw = xmalloc(len + 4); memcpy(m->raw, buf, len); memset(m->raw + len, 0, 4);
	m->raw_len = len; sha256_hex(buf, len, m->sha256);
	m->status = MSG_MALFORMED; m->status_reason = xstrdup("parser not built");
	m->from = xstrdup(""); m->from_domain = xstrdup(""); m->from_display = xstrdup("");
	m->subject = xstrdup(""); m->message_id = xstrdup(""); m->date = xstrdup("");
	m->text = xstrdup(""); m->html = xstrdup(""); m->html_text = xstrdup(""); m->body = xstrdup("");
	return m;
}
W void message_free(struct message *m)
{
	if (!m) return;
	free(m->raw); free(m->status_reason); free(m->from); free(m->from_domain); free(m->from_display);
	free(m->subject); free(m->message_id); free(m->date); free(m->text); free(m->html);
	free(m->html_text); free(m->body); free(m);
}
W const char *message_header(const struct message *m, const char *n, size_t i) { return NULL; }
W const char *message_header_raw(const struct message *m, const char *n, size_t i) { return NULL; }
W const char *msg_status_name(enum msg_status s) { return s == MSG_OK ? "ok" : s == MSG_OVERSIZED ? "oversized" : "malformed"; }

W int intake_path(const char *path, size_t max, intake_fn fn, void *arg)
{
	char *d; size_t len; int r;
	if (read_file(path, max, &d, &len) == -1) { fprintf(stderr, "dcvmail: %s: %s\n", path, strerror(errno)); return -1; }
	r = fn(arg, path, d, len); free(d); (void)r; return 0;
}

W int rules_load(const char *dir, enum rules_mode m, struct ruleset **out, rules_diag_fn d, void *a) { *out = NULL; return 0; }
W void rules_free(struct ruleset *r) {}
W int classify(const struct ruleset *r, const struct message *m, const struct envelope *e, struct verdict *v) { return 0; }
W const struct ca_def *rules_ca(const struct ruleset *r, const char *id) { return NULL; }
W void auth_evaluate(const struct message *m, const struct config *c, const struct ruleset *r, struct verdict *v) {}
W void auth_check_phishing(const struct message *m, const struct config *c, const struct ruleset *r, struct verdict *v) {}

W void plan_add(struct plan *p, const char *kind, const char *target, const char *why)
{
	p->actions = xreallocarray(p->actions, p->n + 1, sizeof(*p->actions));
	p->actions[p->n].kind = xstrdup(kind); p->actions[p->n].target = target ? xstrdup(target) : NULL;
	p->actions[p->n].why = why ? xstrdup(why) : NULL; p->n++;
}
W void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) { free(p->actions[i].kind); free(p->actions[i].target); free(p->actions[i].why); }
	free(p->actions); p->actions = NULL; p->n = 0;
}
W int policy_plan(const struct config *c, const struct ruleset *r, struct store *st, const struct message *m,
		  const struct verdict *v, const struct envelope *e, time_t now, struct plan *out, char **errp) { return 0; }

W int store_open(const char *dir, int flags, struct store **out, char **errp) { *errp = xstrdup("ledger not built yet"); return -1; }
W void store_close(struct store *s) {}
W int store_record(struct store *s, const struct message *m, const struct verdict *v, const struct envelope *e,
		   const struct planned_action *a, size_t n, struct record_result *out, char **errp) { *errp = xstrdup("ledger not built yet"); return -1; }

#define ESTUB(decl) W decl { if (errp) *errp = xstrdup("not built yet"); return -1; }
ESTUB(int store_has_message(struct store *s, const char *h, char **errp))
W char *store_archive_path(const struct store *s, const char *h) { return xstrdup("/nonexistent"); }
W const char *store_dir(const struct store *s) { return "/nonexistent"; }
ESTUB(int store_expect_add(struct store *s, const char *ca, const char *d, const char *o, time_t u, int64_t *id, char **errp))
ESTUB(int store_expect_rm(struct store *s, int64_t id, char **errp))
ESTUB(int store_expect_list(struct store *s, struct expectation **o, size_t *n, char **errp))
ESTUB(int store_expect_match(struct store *s, const char *ca, const char *d, const char *o, time_t now, struct expectation *out, int *found, char **errp))
W void expectation_free(struct expectation *e) {}
W void request_info_free(struct request_info *r) {}
ESTUB(int store_request_get(struct store *s, int64_t id, struct request_info *o, int *found, char **errp))
ESTUB(int store_request_list(struct store *s, int p, struct request_info **o, size_t *n, char **errp))
ESTUB(int store_request_set_state(struct store *s, int64_t id, const char *st, const char *who, const char *note, char **errp))
ESTUB(int store_request_show(struct store *s, int64_t id, int json, FILE *out, char **errp))
ESTUB(int store_imap_get(struct store *s, const char *mb, uint32_t *uv, uint32_t *lu, char **errp))
ESTUB(int store_imap_set(struct store *s, const char *mb, uint32_t uv, uint32_t lu, char **errp))
W void outbox_item_free(struct outbox_item *o) {}
ESTUB(int store_outbox_claim(struct store *s, time_t now, int lease, struct outbox_item *o, int *found, char **errp))
ESTUB(int store_outbox_result(struct store *s, int64_t id, int ok, const char *res, time_t nt, int gu, char **errp))
ESTUB(int store_outbox_pending(struct store *s, size_t *n, char **errp))
ESTUB(int store_outbox_add(struct store *s, int64_t rid, const struct planned_action *a, char **errp))
ESTUB(int store_report(struct store *s, int json, int ah, time_t now, FILE *out, char **errp))
ESTUB(int store_list(struct store *s, int p, int json, FILE *out, char **errp))
W int sc081_reuse_days(time_t t) { return 398; }
W time_t validation_reuse_until(time_t t, int e) { return t + 398 * 86400; }

W int rules_load_file(const char *p, enum rules_mode m, struct ruleset **out, rules_diag_fn d, void *a) { *out = NULL; return 0; }
W size_t rules_count(const struct ruleset *r) { return 0; }
W const struct ca_def *rules_ca_at(const struct ruleset *r, size_t i) { return NULL; }
W size_t rules_ca_count(const struct ruleset *r) { return 0; }
W const struct approve_form *rules_approve_form(const struct ruleset *r, const char *id) { return NULL; }
W void classify_trace(const struct ruleset *r, const struct message *m, const struct envelope *e, FILE *out) {}
W int ar_parse(const char *v, struct ar_header *o) { return -1; }
W void ar_free(struct ar_header *h) {}
W const char *ar_prop(const struct ar_method *m, const char *n) { return NULL; }
W const char *policy_link_problem(const struct ruleset *r, const struct verdict *v, const char *url) { return "approval not built yet"; }
W const struct action_def *action_find(const char *k) { return NULL; }
W int outbox_run(const struct action_ctx *c, char **errp) { return 0; }
