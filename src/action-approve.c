/* action-approve.c — answer a CA's approval page, and only behind every
 * guardrail of DESIGN.md section 5, checked again at the moment of the
 * request against the archived mail judged with today's rules and the
 * ledger as it is now (an expectation may have expired since the mail came).
 *
 * Only the rule's approve link is requested, over https, to a host the CA's
 * rule file allows; a redirect is followed only when its target passes the
 * same checks (at most APPROVE_MAX_HOPS), otherwise nothing is sent there.
 * A reject link is never requested: policy_link_problem() refuses it at
 * every step. Where the rule describes a form, the page is fetched (it may
 * set a session cookie, kept in memory) and the fields are POSTed to where
 * it ended; the result page must match approve-success when the rule has
 * one. Pages are read up to APPROVE_MAX_PAGE bytes within approve-timeout. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dcvmail/action.h"
#include "dcvmail/config.h"
#include "dcvmail/http.h"
#include "dcvmail/log.h"
#include "dcvmail/policy.h"
#include "dcvmail/rules.h"
#include "dcvmail/util.h"

#define APPROVE_MAX_PAGE (1 << 20)
#define APPROVE_MAX_HOPS 5

struct approval {
	const struct action_ctx *ax;
	const struct verdict *v;
	struct http *h;
	char *url; /* where the last request went */
	enum action_status st;
	char *result;
	int64_t attempt; /* the ledger's trace of this approval (action-attempt.c) */
};

static const char *
redact(const char *url, char *buf, size_t len)
{
	return log_redact_url(url, buf, (unsigned)len);
}

static void
form_add(struct buf *b, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";

	if (b->len)
		buf_addc(b, '&');
	for (int pass = 0; pass < 2; pass++) {
		for (const unsigned char *p = (const unsigned char *)(pass ? value : name); *p; p++) {
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			    strchr("-._~", *p))
				buf_addc(b, *p);
			else {
				buf_addc(b, '%');
				buf_addc(b, hex[*p >> 4]);
				buf_addc(b, hex[*p & 15]);
			}
		}
		if (pass == 0)
			buf_addc(b, '=');
	}
}

/* "{code}" and the like from the verdict's fields; -1 names what is missing. */
static int
expand(const struct verdict *v, const char *tmpl, struct buf *out, char **missing)
{
	for (const char *p = tmpl; *p;) {
		const char *e;
		if (*p == '{' && (e = strchr(p, '}')) != NULL) {
			char *name = xstrndup(p + 1, (size_t)(e - p - 1));
			const char *val = verdict_field(v, name);
			if (val == NULL) {
				*missing = name;
				return -1;
			}
			buf_adds(out, val);
			free(name);
			p = e + 1;
		} else
			buf_addc(out, *p++);
	}
	return 0;
}

static int
form_body(const struct verdict *v, const struct approve_form *f, struct buf *body, char **result)
{
	struct buf val;
	char *missing = NULL;

	buf_init(body, 0);
	for (size_t i = 0; i < f->nfields; i++) {
		buf_init(&val, 0);
		if (expand(v, f->values[i], &val, &missing) == -1) {
			*result = xasprintf("the rule's approve-field %s needs {%s}, which the mail does not give",
					    f->names[i], missing);
			free(missing);
			buf_free(&val);
			buf_free(body);
			return -1;
		}
		form_add(body, f->names[i], val.data ? val.data : "");
		buf_free(&val);
	}
	return 0;
}

/* One request, then redirects while they lead to allowed places. 0 with the
 * final response, or -1 with a->st and a->result. */
static int
fetch(struct approval *a, const char *method, const char *body, size_t len, struct http_resp *resp)
{
	static const char *const form_hdr[] = { "Content-Type: application/x-www-form-urlencoded", "Expect:", NULL };
	char w1[256], w2[256];
	const char *why;

	for (int hop = 0;; hop++) {
		if (approve_attempt_http(a->ax, a->attempt, a->h, method, a->url, body, len, body ? form_hdr : NULL,
					 resp) == -1) {
			a->result = xasprintf("%s: %s", redact(a->url, w1, sizeof(w1)), resp->error);
			a->st = ACTION_RETRY;
			return -1;
		}
		if (resp->status < 300 || resp->status >= 400 || resp->location == NULL)
			return 0;
		if ((why = policy_link_problem(a->ax->rules, a->v, resp->location)) != NULL) {
			a->result = xasprintf("%s redirected to %s, which is refused (%s): nothing was sent there",
					      redact(a->url, w1, sizeof(w1)), redact(resp->location, w2, sizeof(w2)), why);
			a->st = ACTION_FAIL;
			return -1;
		}
		if (hop + 1 >= APPROVE_MAX_HOPS) {
			a->result = xasprintf("more than %d redirects from %s", APPROVE_MAX_HOPS,
					      redact(a->url, w1, sizeof(w1)));
			a->st = ACTION_FAIL;
			return -1;
		}
		free(a->url);
		a->url = xstrdup(resp->location);
		if (resp->status == 303 || ((resp->status == 301 || resp->status == 302) && !strcmp(method, "POST"))) {
			method = "GET";
			body = NULL;
			len = 0;
		}
		http_resp_free(resp);
	}
}

static int
confirmed(const struct approve_form *f, const struct http_resp *resp)
{
	pcre2_match_data *md;
	int rc;

	if (resp->status < 200 || resp->status >= 300)
		return 0;
	if (f == NULL || f->success_re == NULL)
		return 1;
	md = pcre2_match_data_create_from_pattern(f->success_re, NULL);
	rc = pcre2_match(f->success_re, (PCRE2_SPTR)(resp->body.data ? resp->body.data : ""), resp->body.len, 0, 0,
			 md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

/* The CA's page: GET the link, then POST the form where the rule has one. */
static void
answer_page(struct approval *a, const struct approve_form *f, const struct buf *form)
{
	struct http_resp resp;
	char w[256];

	if (fetch(a, "GET", NULL, 0, &resp) == -1)
		goto out;
	if (resp.status >= 200 && resp.status < 300 && f && f->method && !strcmp(f->method, "POST")) {
		http_resp_free(&resp);
		if (fetch(a, "POST", form->data ? form->data : "", form->len, &resp) == -1)
			goto out;
	}
	if (resp.status >= 500 || resp.status == 429 || resp.status == 408) {
		a->result = xasprintf("%s answered HTTP %ld", redact(a->url, w, sizeof(w)), resp.status);
		a->st = ACTION_RETRY;
	} else if (!confirmed(f, &resp)) {
		a->result = xasprintf("%s answered HTTP %ld without confirming the approval%s: a person must look",
				      redact(a->url, w, sizeof(w)), resp.status,
				      f && f->success_re ? " (approve-success did not match)" : "");
		a->st = ACTION_FAIL;
	} else {
		a->result = xasprintf("approved at %s (HTTP %ld)", redact(a->url, w, sizeof(w)), resp.status);
		a->st = ACTION_OK;
	}
out:
	http_resp_free(&resp);
}

/* An automatic approval needs the expectation this request holds (recorded
 * with the request, in one transaction): 1 it does, 0 not (the reason in
 * why), -1 a ledger error (in why). */
static int
expectation_held(const struct action_ctx *ax, const struct outbox_item *it, const struct verdict *v,
		     struct buf *why)
{
	char *near = NULL, *err = NULL;
	int h = store_expect_held(ax->st, it->request_id, v, time(NULL), &near, &err);

	if (h == 0)
		buf_printf(why, "not an expected order: %s", near ? near : "no expectation");
	else if (h == -1)
		buf_printf(why, "%s", err ? err : "ledger error");
	free(near);
	free(err);
	return h;
}

/* Refused before anything was sent: the request gives its expectation back,
 * so the order the admin expects can still use it. */
static void
release_expectation(const struct action_ctx *ax, const struct outbox_item *it, const char *why)
{
	char *note = xasprintf("its approval was refused before anything was sent: %s", why ? why : "?"), *err = NULL;

	if (store_expect_release(ax->st, it->request_id, note, &err) == -1)
		log_warnx("request %lld: cannot release its expectation: %s", (long long)it->request_id, err);
	free(note);
	free(err);
}

enum action_status
approve_follow(const struct action_ctx *ax, const struct outbox_item *it, int person, const char *who,
	       char **result)
{
	struct approval a = { ax, NULL, NULL, NULL, ACTION_FAIL, NULL, 0 };
	struct action_subject as;
	struct request_info ri;
	struct buf why, form;
	const struct approve_form *f;
	char *err = NULL;
	int found = 0, n, held;

	memset(&ri, 0, sizeof(ri));
	buf_init(&why, 8192);
	buf_init(&form, 0);
	if (action_load(ax, it, &as, &a.result) == -1)
		goto out;
	a.v = &as.v;
	if (store_request_get(ax->st, it->request_id, &ri, &found, &err) == -1 || !found) {
		a.result = xasprintf("request %lld: %s", (long long)it->request_id, err ? err : "not found");
		a.st = ACTION_RETRY;
		goto out;
	}
	if (!strcmp(ri.state, "approved")) {
		a.result = xasprintf("already approved by %s: nothing requested", ri.state_by ? ri.state_by : "someone");
		a.st = ACTION_OK;
		goto out;
	}
	if (strcmp(ri.state, "pending") && strcmp(ri.state, "forwarded")) {
		a.result = xasprintf("the request is %s: nothing requested", ri.state);
		goto out;
	}
	if ((n = policy_approval_problems(ax->cfg, ax->rules, ax->st, &as.v, time(NULL), person, &why, &err)) == -1) {
		a.result = err;
		err = NULL;
		a.st = ACTION_RETRY;
		goto out;
	}
	if (n == 0 && !person && (held = expectation_held(ax, it, &as.v, &why)) != 1) {
		a.result = held == -1 ? xstrdup(why.data) : xasprintf("not approved, nothing requested: %s", why.data);
		if (held == -1)
			a.st = ACTION_RETRY;
		goto out;
	}
	if (n > 0) {
		a.result = xasprintf("not approved, nothing requested: %s", why.data);
		goto out;
	}
	if (it->target && strcmp(it->target, as.v.approve_link)) {
		a.result = xstrdup("the mail's approval link is not the one planned: nothing requested");
		goto out;
	}
	f = rules_approve_form(ax->rules, as.v.rule);
	if (f && f->method && !strcmp(f->method, "POST") && form_body(&as.v, f, &form, &a.result) == -1)
		goto out;
	if ((a.h = http_new(ax->cfg->https_ca_file, ax->cfg->approve_timeout, APPROVE_MAX_PAGE)) == NULL) {
		a.result = xstrdup("cannot start an HTTPS client");
		a.st = ACTION_RETRY;
		goto out;
	}
	a.url = xstrdup(as.v.approve_link);
	if (approve_attempt_begin(ax, it, person, who, &a.attempt, &a.st, &a.result) == -1)
		goto out;
	answer_page(&a, f, &form);
	if (a.st == ACTION_OK && store_request_set_state(ax->st, it->request_id, "approved", who, a.result, &err) == -1) {
		/* the CA has it; the ledger must say so too, or a person is told */
		char *r = xasprintf("%s, but the ledger could not record it: %s", a.result, err);
		free(a.result);
		a.result = r;
		a.st = ACTION_FAIL;
	}
	approve_attempt_end(ax, a.attempt, a.st, a.result);
out:
	/* nothing sent now, nor by an earlier attempt (which may have reached the CA) */
	if (!person && a.h == NULL && a.st == ACTION_FAIL && it->attempts == 0)
		release_expectation(ax, it, a.result);
	*result = a.result ? a.result : xstrdup("not approved");
	free(a.url);
	free(err);
	http_free(a.h);
	buf_free(&why);
	buf_free(&form);
	request_info_free(&ri);
	action_subject_free(&as);
	return a.st;
}

enum action_status
action_approve(const struct action_ctx *ax, const struct outbox_item *it, char **result)
{
	return approve_follow(ax, it, 0, "dcvmail (automatic)", result);
}
