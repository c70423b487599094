/* action-forward.c — send the person who must act a summary with the original
 * attached unchanged (message/rfc822), by SMTP (smtp.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/lib-crypto.h"

#include "outbox/action.h"
#include "outbox/policy.h"
#include "judge/auth.h"
#include "config.h"
#include "mail/message.h"
#include "judge/rules.h"
#include "outbox/smtp.h"
#include "base/util.h"

#define FOLD_AT 78    /* RFC 5322 2.1.1: lines should be at most 78 characters */
#define LINE_MAX_ 998 /* and must be at most 998 */

/* RFC 2047 B-encoding of a UTF-8 value, in encoded-words of at most 75
 * characters (45 input bytes, fewer on the first line), each on its own
 * folded line and cut on character boundaries: the whitespace between
 * adjacent encoded-words is dropped when decoding, so the value comes back
 * exactly. col: characters already on the first line ("Subject: "). */
static void
encode_words(struct buf *b, const char *s, size_t col)
{
	size_t len = strlen(s), pos = 0;

	while (pos < len) {
		/* 12 characters of =?UTF-8?B?...?=, 4 per 3 bytes, one leading space */
		size_t room = (FOLD_AT - (pos ? 1 : col) - 12) / 4 * 3, n;
		if (room > 45)
			room = 45;
		n = len - pos > room ? room : len - pos;
		while (n > 1 && pos + n < len && ((unsigned char)s[pos + n] & 0xc0) == 0x80)
			n--;
		unsigned char out[80];
		int o = EVP_EncodeBlock(out, (const unsigned char *)s + pos, (int)n);
		buf_printf(b, "%s=?UTF-8?B?%.*s?=", pos ? "\r\n " : "", o, out);
		pos += n;
	}
}

/* An unstructured header value (RFC 5322 3.2.5): printable ASCII is folded at
 * spaces to lines of at most 78 characters where it can be; a value with
 * other bytes, "=?" (it would read as an encoded-word) or a word too long to
 * fit a line is RFC 2047 encoded instead. Control characters never reach the
 * header. */
void
header_unstructured(struct buf *b, const char *name, const char *s)
{
	size_t col = strlen(name) + 2, len = strlen(s), longest = 0, w = 0;
	int plain = strstr(s, "=?") == NULL;

	for (size_t i = 0; i < len && plain; i++) {
		unsigned char c = (unsigned char)s[i];
		plain = c >= 0x20 && c < 0x7f;
		w = c == ' ' ? 0 : w + 1;
		longest = w > longest ? w : longest;
	}
	if (plain && longest + 1 + col <= LINE_MAX_) {
		/* fold before a space that starts a word: unfolding (removing the
		 * CRLF) gives the value back */
		struct buf f;
		size_t line = col, worst = 0;
		buf_init(&f, 0);
		for (size_t i = 0; i < len;) {
			size_t j = i + 1;
			while (j < len && s[j] != ' ')
				j++;
			if (i > 0 && s[i] == ' ' && j - i > 1 && line + (j - i) > FOLD_AT) {
				buf_adds(&f, "\r\n");
				line = 0;
			}
			buf_add(&f, s + i, j - i);
			line += j - i;
			worst = line > worst ? line : worst;
			i = j;
		}
		if (worst <= LINE_MAX_) {
			buf_printf(b, "%s: %s", name, f.data ? f.data : "");
			buf_free(&f);
			return;
		}
		buf_free(&f); /* a run of spaces too long for a line */
	}
	char *clean = xstrdup(s);
	for (char *p = clean; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	buf_printf(b, "%s: ", name);
	encode_words(b, clean, col);
	free(clean);
}

/* value after prefix, wrapped on character boundaries at 900 bytes so that
 * no body line exceeds the 998 characters SMTP allows; a continuation line
 * starts with cont. */
static void
wrapped(struct buf *b, const char *prefix, const char *cont, const char *value)
{
	size_t len = strlen(value), pos = 0, max = 900;

	buf_adds(b, prefix);
	do {
		size_t n = len - pos > max ? max : len - pos;
		while (n > 1 && pos + n < len && ((unsigned char)value[pos + n] & 0xc0) == 0x80)
			n--;
		if (pos)
			buf_adds(b, cont);
		buf_add(b, value + pos, n);
		pos += n;
	} while (pos < len);
	buf_adds(b, "\r\n");
}

/* A summary line "  label value", wrapped. */
static void
summary_line(struct buf *b, const char *label, const char *value)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "  %-9s ", label);
	wrapped(b, prefix, "\r\n             ", value);
}

/* A link a person must not open, written so that no mail client makes it
 * clickable: "hxxps://www[.]example[.]net/…" (the path, which may hold a
 * token, left out). */
static void
defanged_link(struct buf *b, const char *url)
{
	const char *p = strstr(url, "://"), *h;

	if (p == NULL) {
		buf_adds(b, "(a link)");
		return;
	}
	for (const char *s = url; s < p; s++) /* http -> hxxp */
		buf_addc(b, (s - url == 1 || s - url == 2) && (*s == 't' || *s == 'T') ? 'x' : *s);
	buf_adds(b, "://");
	for (h = p + 3; *h && !strchr("/?#", *h); h++)
		if (*h == '.')
			buf_adds(b, "[.]");
		else if (*h == '@')
			buf_adds(b, "[@]");
		else if ((unsigned char)*h >= 0x20 && *h != 0x7f)
			buf_addc(b, *h);
	buf_adds(b, "/…");
}

/* "   - reason", wrapped like summary_line. */
static void
bullet(struct buf *b, const char *value)
{
	wrapped(b, "   - ", "\r\n     ", value);
}

/* Why a person gets this mail, each reason once, in plain words: the
 * verdict's reasons, then the plan's other words (the approval guardrails
 * that failed when the mail came, as `dcvmail show` has them: the plan joins
 * them and the reasons with "; "). Empty when the plan gave no reason. */
static void
why_list(const struct verdict *v, const struct outbox_item *it, struct strv *out)
{
	struct strv problems = { 0 };
	const char *p = it->why, *e;

	while (p && *p) {
		char *piece;
		int said = 0;
		e = strstr(p, "; ");
		piece = e ? xasprintf("%.*s", (int)(e - p), p) : xstrdup(p);
		for (size_t i = 0; i < v->nreasons && !said; i++)
			said = strstr(v->reasons[i], piece) != NULL; /* a reason, or a part of one */
		if (said || *piece == '\0')
			free(piece);
		else
			strv_add_owned(&problems, piece);
		p = e ? e + 2 : NULL;
	}
	policy_reasons_once(v, &problems, out);
	strv_free(&problems);
}

/* Does one of the reasons speak of the sender's authentication? */
static int
says_auth(const struct strv *why)
{
	for (size_t i = 0; i < why->n; i++)
		if (strstr(why->v[i], "authenticat"))
			return 1;
	return 0;
}

static void
summary(struct buf *b, const struct message *m, const struct verdict *v, const struct outbox_item *it,
	const struct ca_def *ca, const struct request_info *ri)
{
	const char *dom = verdict_field(v, "domain"), *order = verdict_field(v, "order");
	int forged = v->type == VT_SUSPICIOUS;
	struct strv why = { 0 };

	buf_printf(b, "dcvmail received a %s mail", vtype_name(v->type));
	if (ca)
		buf_printf(b, " that reads like %s", ca->name);
	buf_adds(b, ".\r\n\r\n");
	/* what the person must know comes first, each reason once */
	why_list(v, it, &why);
	if (forged)
		buf_adds(b,
			 "WARNING: this mail looks like a forgery. Do not open its links and do not approve it.\r\n");
	if (why.n) {
		buf_adds(b, forged ? "Why it looks forged, and why dcvmail did not approve it:\r\n"
				   : "Why a person must look at it:\r\n");
		for (size_t i = 0; i < why.n; i++)
			bullet(b, why.v[i]);
	}
	if (forged || why.n)
		buf_adds(b, "\r\n");
	if ((v->type == VT_MALFORMED || v->type == VT_OVERSIZED) && v->rule_type != VT_UNKNOWN &&
	    v->rule_type != v->type) /* malformed mail keeps its meaning */
		buf_printf(b, "  Type:     %s (%s: %s)\r\n", vtype_name(v->rule_type), vtype_name(v->type),
			   m->status_reason ? m->status_reason : "limit exceeded");
	else
		buf_printf(b, "  Type:     %s\r\n", vtype_name(v->type == VT_SUSPICIOUS ? v->rule_type : v->type));
	buf_printf(b, "  CA:       %s\r\n", ca ? ca->name : "(none)");
	buf_printf(b, "  Domain:   %s\r\n", dom ? dom : "(not found)");
	buf_printf(b, "  Order:    %s\r\n", order ? order : "(not found)");
	summary_line(b, "From:", m->from);
	summary_line(b, "Subject:", m->subject);
	if (v->auth != AUTH_PASS && says_auth(&why))
		buf_adds(b, "  Sender authenticated: NO (see above)\r\n");
	else
		buf_printf(b, "  Sender authenticated: %s (%s)\r\n", v->auth == AUTH_PASS ? "yes" : "NO",
			   v->auth_reason ? v->auth_reason : "no trusted header");
	if (v->approve_link && forged) {
		buf_adds(b, "  Approve link, made unclickable (do not open it): ");
		defanged_link(b, v->approve_link);
		buf_adds(b, "\r\n");
	} else if (v->approve_link)
		buf_printf(b, "  Approve link: %s\r\n", v->approve_link);
	if (v->reject_link)
		buf_adds(b, "  (The mail also holds a reject link; opening it cancels the order.)\r\n");
	buf_printf(b, "  Request:  #%lld (`dcvmail show %lld`)\r\n", (long long)it->request_id,
		   (long long)it->request_id);
	if (ri && ri->state) {
		buf_printf(b, "  State:    %s%s%s\r\n", ri->state, ri->state_by ? " by " : "",
			   ri->state_by ? ri->state_by : "");
		if (ri->state_note)
			buf_printf(b, "  Note:     %s\r\n", ri->state_note);
	}
	strv_free(&why);
	buf_adds(b, "\r\nThe original message is attached unchanged.\r\n");
}

static char *
compose(const struct action_ctx *ax, const struct outbox_item *it, const struct action_subject *as,
	const struct request_info *ri)
{
	const struct message *m = as->m;
	const struct verdict *v = &as->v;
	const char *raw = as->raw;
	size_t rawlen = as->rawlen;
	struct buf b;
	char date[64], bnd[80], ident[ACTION_ID_LEN + 1], *rkey = NULL;
	const char *at;
	time_t now = time(NULL);
	struct tm tm;
	const struct ca_def *ca = as->ca;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(bnd, sizeof(bnd), "=_dcvmail_%lld_%ld", (long long)it->id, (long)now);
	buf_init(&b, 0);
	/* the same Message-ID when this forward is repeated (after a crash), so
	 * a receiver can drop the repeat; the from address's domain is the same
	 * on every host sharing the ledger */
	if (ri == NULL || ri->key == NULL)
		rkey = xasprintf("request %lld", (long long)it->request_id);
	action_identity(it, rkey ? rkey : ri->key, ident);
	free(rkey);
	at = strrchr(ax->cfg->smtp.from, '@');
	buf_printf(&b, "From: dcvmail <%s>\r\nTo: <%s>\r\nDate: %s\r\nMessage-ID: <dcvmail.%s@%s>\r\n",
		   ax->cfg->smtp.from, it->target, date, ident, at && at[1] ? at + 1 : ax->cfg->hostname);
	char *subj = xasprintf("[dcvmail] %s%s %s %s: %s", v->type == VT_SUSPICIOUS ? "SUSPICIOUS " : "",
			       vtype_name(v->type == VT_SUSPICIOUS ? v->rule_type : v->type), ca ? ca->id : "-",
			       verdict_field(v, "domain") ? verdict_field(v, "domain") : "-", m->subject);
	header_unstructured(&b, "Subject", subj);
	free(subj);
	buf_printf(&b,
		   "\r\nAuto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n"
		   "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n"
		   "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
		   bnd, bnd);
	summary(&b, m, v, it, ca, ri);
	buf_printf(&b,
		   "\r\n--%s\r\nContent-Type: message/rfc822\r\n"
		   "Content-Disposition: attachment; filename=\"original.eml\"\r\n\r\n",
		   bnd);
	buf_add(&b, raw, rawlen);
	if (rawlen && raw[rawlen - 1] != '\n')
		buf_adds(&b, "\r\n");
	buf_printf(&b, "--%s--\r\n", bnd);
	return buf_steal(&b);
}

static enum action_status
forward_run(const struct action_ctx *ax, const struct outbox_item *it, char **result)
{
	struct request_ref ref = action_ref(it);
	char *msg = NULL, *err = NULL;
	struct action_subject as;
	struct request_info ri;
	int found = 0;
	enum action_status st;

	if (!ax->cfg->have_smtp || ax->cfg->smtp.from == NULL) {
		*result = xstrdup("no smtp block with a from address in the configuration");
		return ACTION_FAIL;
	}
	if (action_load(ax, &ref, &as, result) == -1) {
		action_subject_free(&as);
		return ACTION_FAIL;
	}
	memset(&ri, 0, sizeof(ri));
	if (store_request_get(ax->st, it->request_id, &ri, &found, &err) == -1)
		free(err); /* the summary goes without the state */
	msg = compose(ax, it, &as, found ? &ri : NULL);
	st = action_of_smtp(smtp_send(&ax->cfg->smtp, ax->cfg->smtp.from, it->target, msg, strlen(msg), result));
	if (st == ACTION_OK)
		*result = xasprintf("forwarded to %s", it->target);
	free(msg);
	request_info_free(&ri);
	action_subject_free(&as);
	return st;
}

/* route { forward ADDRESS... }: the mail, with a summary, to a person */
const struct action_def action_forward = {
	{ "forward", ACTION_IN_ROUTES | ACTION_NEEDS_SMTP, 1, -1 },
	forward_run,
	ACTION_EFFECT_FORWARDED,
	1,
};
