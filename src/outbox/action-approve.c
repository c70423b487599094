/* action-approve.c — answer a CA's approval page, and only behind every
 * guardrail of DESIGN.md section 5, checked again at the moment of the
 * request against the archived mail judged with today's rules and the
 * ledger as it is now (an expectation may have expired since the mail came).
 *
 * Only the rule's approve link is requested, over https, to a host the CA's
 * rule file allows; libcurl never follows a redirect itself: each target is
 * checked and followed here (at most APPROVE_MAX_HOPS per request), and one
 * that fails ends the approval with nothing sent there. A reject link is
 * never requested: policy_url_problem(), the one predicate, refuses any
 * spelling of it (and anything a reject pattern of the CA matches) for the
 * link, every redirect target and the form's target. Where the rule
 * describes a form, the page is fetched (it may set a session cookie, kept
 * in memory), must name what approve-page-shows says, and the fields are
 * POSTed to where it ended; the result page must match approve-success when
 * the rule has one. Pages are read up to APPROVE_MAX_PAGE bytes; each request
 * gets approve-timeout, or less when the caller's deadline (pipe's
 * pipe-action-deadline) is nearer: the deadline bounds the whole approval. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "outbox/action.h"
#include "config.h"
#include "outbox/http.h"
#include "base/log.h"
#include "mail/msgparse.h"
#include "outbox/policy.h"
#include "judge/rules.h"
#include "base/url.h"
#include "base/util.h"

#define APPROVE_MAX_PAGE (1 << 20)
#define APPROVE_MAX_HOPS 5

struct approval {
	const struct action_ctx *ax;
	const struct verdict *v;
	struct http *h;
	char *url; /* where the last request went (normalised) */
	enum action_status st;
	char *result;
	int64_t attempt;     /* the ledger's trace of this approval (action-attempt.c) */
	struct strv rejects; /* reject links of the request's other messages */
};

/* The one predicate (policy_url_problem), with every message of the request. */
static const char *
may_request(const struct approval *a, const char *url)
{
	return policy_url_problem(a->ax->rules, a->v, &a->rejects, url);
}

/* Before each request: its time is approve-timeout, or what is left before
 * the caller's deadline. -1 (a->st, a->result) when no time is left. */
static int
request_time(struct approval *a, const char *url)
{
	double left = (double)a->ax->cfg->approve_timeout;
	char w[256];

	if (a->ax->deadline > 0) {
		double rem = a->ax->deadline - now_mono();
		if (rem < 0.2) {
			a->result = xasprintf("the action deadline passed before %s was requested: nothing was sent "
					      "there, the outbox will try again",
					      log_redact_url(url, w, sizeof(w)));
			a->st = ACTION_RETRY;
			return -1;
		}
		if (rem < left)
			left = rem;
	}
	http_set_timeout(a->h, left);
	return 0;
}

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

/* An approve-field's "{code}" and the like: the verdict's captured fields. */
static const char *
field_value(const char *name, void *arg)
{
	return verdict_field(arg, name);
}

static int
form_body(const struct verdict *v, const struct approve_form *f, struct buf *body, char **result)
{
	struct buf val;
	char *missing = NULL;

	buf_init(body, 0);
	for (size_t i = 0; i < f->nfields; i++) {
		buf_init(&val, 0);
		if (template_expand(f->values[i], field_value, (void *)v, &val, &missing) == -1) {
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

	/* hop: redirects followed so far */
	for (int hop = 0;; hop++) {
		if (request_time(a, a->url) == -1) {
			memset(resp, 0, sizeof(*resp));
			return -1;
		}
		if (approve_attempt_http(a->ax, a->attempt, a->h, method, a->url, body, len, body ? form_hdr : NULL,
					 resp) == -1) {
			a->result = xasprintf("%s: %s", redact(a->url, w1, sizeof(w1)), resp->error);
			a->st = ACTION_RETRY;
			return -1;
		}
		if (resp->status < 300 || resp->status >= 400 || resp->location == NULL)
			return 0;
		if ((why = may_request(a, resp->location)) != NULL) {
			a->result = xasprintf("%s redirected (HTTP %ld) to %s, which is refused (%s): nothing was sent "
					      "there",
					      redact(a->url, w1, sizeof(w1)), resp->status,
					      redact(resp->location, w2, sizeof(w2)), why);
			a->st = ACTION_FAIL;
			return -1;
		}
		if (hop >= APPROVE_MAX_HOPS) {
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
	rc = pcre2_match(f->success_re, (PCRE2_SPTR)(resp->body.data ? resp->body.data : ""), resp->body.len, 0, 0, md,
			 NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

static int
word_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c >= 0x80;
}

/* Does the page name value as a whole name: "www.example.com" counts in
 * "for www.example.com." or "*.www.example.com", not in "xwww.example.com",
 * "a.www.example.com" or "www.example.com.evil"; "1234" not in "12345". */
static int
page_names(const char *page, size_t len, const char *value)
{
	size_t n = strlen(value);
	const unsigned char *p = (const unsigned char *)page;

	if (n == 0 || len < n)
		return 0;
	for (size_t i = 0; i + n <= len; i++) {
		if (strncasecmp((const char *)p + i, value, n))
			continue;
		int before = i == 0 || (!word_char(p[i - 1]) && (p[i - 1] != '.' || (i >= 2 && p[i - 2] == '*')));
		size_t e = i + n;
		int after = e == len || (!word_char(p[e]) && (p[e] != '.' || e + 1 == len || !word_char(p[e + 1])));
		if (before && after)
			return 1;
	}
	return 0;
}

/* approve-page-shows: the page fetched before the POST must name the
 * request's domain (and order). 0 when it does, else -1 with a->st and
 * a->result naming both values. */
static int
page_confirms(struct approval *a, const struct approve_form *f, const struct http_resp *resp)
{
	struct buf why;
	char w[256];
	int bad = 0;

	if (f == NULL || f->npage_shows == 0)
		return 0;
	buf_init(&why, 0);
	for (size_t i = 0; i < f->npage_shows; i++) {
		const char *val = verdict_field(a->v, f->page_shows[i]);
		int shown = val && page_names(resp->body.data ? resp->body.data : "", resp->body.len, val);
		bad |= !shown;
		buf_printf(&why, "%s%s %s %s", i ? ", " : "", f->page_shows[i], val ? val : "(the mail gives none)",
			   shown ? "shown" : "not shown");
	}
	if (bad) {
		a->result = xasprintf("the CA's page at %s does not name the request (%s): nothing was sent, "
				      "a person must look",
				      redact(a->url, w, sizeof(w)), why.data);
		a->st = ACTION_FAIL;
	}
	buf_free(&why);
	return bad ? -1 : 0;
}

/* The CA's page: GET the link, then POST the form where the rule has one. */
/* The request that answers the CA (the form's POST, or the GET when the rule
 * has no form) failed after it may have reached the CA (no answer, or 5xx,
 * 408, 429): the CA may have approved, so it is never sent again by itself
 * (an approval goes at most once); a person checks the CA's portal. */
static void
decisive_unclear(struct approval *a, const struct http_resp *resp)
{
	char *r;

	if (a->st != ACTION_RETRY || !resp->sent)
		return; /* refused before sending, or nothing reached the CA: a retry is safe */
	r = xasprintf("needs a person: the CA may have received the approval (%s), check the CA's portal; "
		      "it is not sent again automatically",
		      a->result ? a->result : "no answer");
	free(a->result);
	a->result = r;
	a->st = ACTION_FAIL;
}

static void
answer_page(struct approval *a, const struct approve_form *f, const struct buf *form)
{
	struct http_resp resp;
	const char *why;
	char w[256];
	int posted = 0;

	memset(&resp, 0, sizeof(resp));
	if ((why = may_request(a, a->url)) != NULL) {
		a->result = xasprintf("not approved, nothing requested: %s", why);
		a->st = ACTION_FAIL;
		return;
	}
	if (fetch(a, "GET", NULL, 0, &resp) == -1) {
		if (!(f && f->method && !strcmp(f->method, "POST")))
			decisive_unclear(a, &resp); /* the GET is the approval */
		goto out;
	}
	if (resp.status >= 200 && resp.status < 300 && f && f->method && !strcmp(f->method, "POST")) {
		posted = 1;
		if (page_confirms(a, f, &resp) == -1)
			goto out;
		/* the form's target: where the page ended, checked like every URL */
		if ((why = may_request(a, a->url)) != NULL) {
			a->result = xasprintf("the form would go to %s, which is refused (%s): nothing was sent there",
					      redact(a->url, w, sizeof(w)), why);
			a->st = ACTION_FAIL;
			goto out;
		}
		http_resp_free(&resp);
		if (fetch(a, "POST", form->data ? form->data : "", form->len, &resp) == -1) {
			decisive_unclear(a, &resp);
			goto out;
		}
	}
	if (resp.status >= 500 || resp.status == 429 || resp.status == 408) {
		a->result = xasprintf("%s answered HTTP %ld", redact(a->url, w, sizeof(w)), resp.status);
		a->st = ACTION_RETRY;
		if (!(f && f->method && !strcmp(f->method, "POST")) || posted)
			decisive_unclear(a, &resp);
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
expectation_held(const struct action_ctx *ax, const struct request_ref *req, const struct verdict *v, struct buf *why)
{
	char *near = NULL, *err = NULL;
	int h = store_expect_held(ax->st, req->request_id, v, time(NULL), &near, &err);

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
release_expectation(const struct action_ctx *ax, const struct request_ref *req, const char *why)
{
	char *note = xasprintf("its approval was refused before anything was sent: %s", why ? why : "?"), *err = NULL;

	if (store_expect_release(ax->st, req->request_id, note, &err) == -1)
		log_warnx("request %lld: cannot release its expectation: %s", (long long)req->request_id, err);
	free(note);
	free(err);
}

/* The reject links of the request's other messages, judged with today's
 * rules: none of them is ever requested. 0, or -1 (a->st, a->result) when
 * one cannot be read (then nothing is requested). */
static int
request_rejects(struct approval *a, const struct request_ref *req)
{
	struct strv shas = { 0 };
	char *err = NULL;
	int rc = 0;

	if (store_request_messages(a->ax->st, req->request_id, &shas, &err) == -1) {
		a->result = err;
		a->st = ACTION_RETRY;
		return -1;
	}
	for (size_t i = 0; i < shas.n && rc == 0; i++) {
		struct envelope env;
		struct message *m;
		struct verdict v;
		char *raw = NULL;
		size_t len = 0;

		if (req->message_sha256 && !strcmp(shas.v[i], req->message_sha256))
			continue;
		if (action_read_archive(a->ax, shas.v[i], &raw, &len, &err) == -1) {
			a->result = xasprintf("cannot read a message of the request to know its reject link (%s): "
					      "nothing requested",
					      err);
			free(err);
			a->st = ACTION_RETRY;
			rc = -1;
			break;
		}
		if (store_message_envelope(a->ax->st, shas.v[i], &env, &err) == -1) {
			a->result =
				xasprintf("cannot read how a message of the request came in (%s): nothing requested",
					  err);
			free(err);
			free(raw);
			a->st = ACTION_RETRY;
			rc = -1;
			break;
		}
		/* its links as the rules read them for the mailbox it came to;
		 * trust does not matter here: a reject link is never requested,
		 * whoever sent it */
		if ((m = message_parse(raw, len, &a->ax->cfg->limits)) != NULL) {
			verdict_init(&v);
			classify(a->ax->rules, m, &env, &v);
			if (v.reject_link)
				strv_add(&a->rejects, v.reject_link);
			verdict_free(&v);
			message_free(m);
		}
		store_envelope_free(&env);
		free(raw);
	}
	strv_free(&shas);
	return rc;
}

/* The planned link and the mail's, compared in their normalised forms (a
 * plan queued by an older dcvmail may hold the link as written). */
static int
same_link(const char *planned, const char *link)
{
	char *x = url_normalize(planned), *y = url_normalize(link);
	int same = x && y && !strcmp(x, y);

	free(x);
	free(y);
	return same;
}

enum action_status
approve_follow(const struct action_ctx *ax, const struct request_ref *req, const struct outbox_item *queued,
	       const char *who, char **result)
{
	int person = queued == NULL;
	struct approval a = { ax, NULL, NULL, NULL, ACTION_FAIL, NULL, 0, { 0 } };
	struct action_subject as;
	struct request_info ri;
	struct buf why, form;
	const struct approve_form *f;
	char *err = NULL;
	int found = 0, n, held;

	memset(&ri, 0, sizeof(ri));
	buf_init(&why, 8192);
	buf_init(&form, 0);
	if (action_load(ax, req, &as, &a.result) == -1)
		goto out;
	a.v = &as.v;
	if (store_request_get(ax->st, req->request_id, &ri, &found, &err) == -1 || !found) {
		a.result = xasprintf("request %lld: %s", (long long)req->request_id, err ? err : "not found");
		a.st = ACTION_RETRY;
		goto out;
	}
	if (!strcmp(ri.state, "approved")) {
		a.result = xasprintf("already approved by %s: nothing requested",
				     ri.state_by ? ri.state_by : "someone");
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
	if (n == 0 && !person && (held = expectation_held(ax, req, &as.v, &why)) != 1) {
		a.result = held == -1 ? xstrdup(why.data) : xasprintf("not approved, nothing requested: %s", why.data);
		if (held == -1)
			a.st = ACTION_RETRY;
		goto out;
	}
	if (n > 0) {
		a.result = xasprintf("not approved, nothing requested: %s", why.data);
		goto out;
	}
	if (queued && queued->target && !same_link(queued->target, as.v.approve_link)) {
		a.result = xstrdup("the mail's approval link is not the one planned: nothing requested");
		goto out;
	}
	if (request_rejects(&a, req) == -1)
		goto out;
	f = rules_approve_form(ax->rules, as.v.rule);
	if (f && f->method && !strcmp(f->method, "POST") && form_body(&as.v, f, &form, &a.result) == -1)
		goto out;
	if ((a.h = http_new(ax->cfg->https_ca_file, ax->cfg->approve_timeout, APPROVE_MAX_PAGE)) == NULL) {
		a.result = xstrdup("cannot start an HTTPS client");
		a.st = ACTION_RETRY;
		goto out;
	}
	if ((a.url = url_normalize(as.v.approve_link)) == NULL)
		a.url = xstrdup(as.v.approve_link); /* may_request() refuses it */
	if (approve_attempt_begin(ax, req, queued ? queued->id : 0, person, who, &a.attempt, &a.st, &a.result) == -1)
		goto out;
	answer_page(&a, f, &form);
	if (a.st == ACTION_OK &&
	    store_request_set_state(ax->st, req->request_id, "approved", who, a.result, &err) == -1) {
		/* the CA has it; the ledger must say so too, or a person is told */
		char *r = xasprintf("%s, but the ledger could not record it: %s", a.result, err);
		free(a.result);
		a.result = r;
		a.st = ACTION_FAIL;
	}
	approve_attempt_end(ax, a.attempt, a.st, a.result);
out:
	/* nothing sent now, nor by an earlier attempt (which may have reached the CA) */
	if (!person && a.h == NULL && a.st == ACTION_FAIL && queued->attempts == 0)
		release_expectation(ax, req, a.result);
	*result = a.result ? a.result : xstrdup("not approved");
	free(a.url);
	free(err);
	strv_free(&a.rejects);
	http_free(a.h);
	buf_free(&why);
	buf_free(&form);
	request_info_free(&ri);
	action_subject_free(&as);
	return a.st;
}

static enum action_status
approve_run(const struct action_ctx *ax, const struct outbox_item *it, char **result)
{
	struct request_ref ref = action_ref(it);

	return approve_follow(ax, &ref, it, "dcvmail (automatic)", result);
}

/* route { approve }: planned only when every guardrail holds (policy.c) */
const struct action_def action_approve = {
	{ "approve", ACTION_IN_ROUTES, 0, 0 },
	approve_run,
	ACTION_EFFECT_APPROVED,
	0,
};
