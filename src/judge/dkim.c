/* dkim.c — own DKIM verification with libopendkim. Only the signatures
 * that could authenticate the CA are checked; a signature that covers part
 * of the body (l=) or has expired is never a pass. Keys, and their absence,
 * are remembered for DKIM_KEY_TTL seconds, so a batch or the watcher asks
 * DNS once per selector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/nameser.h>
#include "base/lib-dkim.h"

#include "judge/dkim.h"
#include "base/dns.h"
#include "base/log.h"
#include "base/util.h"

#define KEY_CACHE 32

struct key_entry {
	char *name; /* selector._domainkey.domain */
	char *txt;  /* NULL: no key published */
	char *err;  /* the lookup failed (DNS down): why */
	time_t when;
};

struct verify_ctx {
	const char *server;
	struct dns dns;
	int dns_open; /* 1 open, -1 failed to open */
	char *const *domains;
	size_t ndomains;
	char *dns_err; /* the last lookup failure, for the reason */
};

static DKIM_LIB *lib;
static struct key_entry cache[KEY_CACHE];

/* Before any key is fetched: ignore what cannot authenticate the CA. */
static DKIM_CBSTAT
prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	struct verify_ctx *c = dkim_get_user_context(dkim);
	int kept = 0;

	for (int i = 0; i < nsigs; i++) {
		const char *d = (const char *)dkim_sig_getdomain(sigs[i]);
		if (!domain_under_any(d, c->domains, c->ndomains) || kept >= DKIM_MAX_SIGS)
			dkim_sig_ignore(sigs[i]);
		else
			kept++;
	}
	return DKIM_CBSTAT_CONTINUE;
}

static struct key_entry *
cache_find(const char *name, time_t now)
{
	for (size_t i = 0; i < KEY_CACHE; i++)
		if (cache[i].name && !strcasecmp(cache[i].name, name) &&
		    now - cache[i].when < (cache[i].err	  ? DKIM_DNSFAIL_TTL
					   : cache[i].txt ? DKIM_KEY_TTL
							  : DKIM_NOKEY_TTL))
			return &cache[i];
	return NULL;
}

static struct key_entry *
cache_put(const char *name, const char *txt, const char *err, time_t now)
{
	size_t oldest = 0;

	for (size_t i = 0; i < KEY_CACHE; i++) {
		if (cache[i].name == NULL || !strcasecmp(cache[i].name, name)) {
			oldest = i;
			break;
		}
		if (cache[i].when < cache[oldest].when)
			oldest = i;
	}
	free(cache[oldest].name);
	free(cache[oldest].txt);
	free(cache[oldest].err);
	cache[oldest].name = xstrdup(name);
	cache[oldest].txt = txt ? xstrdup(txt) : NULL;
	cache[oldest].err = err ? xstrdup(err) : NULL;
	cache[oldest].when = now;
	return &cache[oldest];
}

static DKIM_CBSTAT
key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct verify_ctx *c = dkim_get_user_context(dkim);
	const char *sel = (const char *)dkim_sig_getselector(sig), *d = (const char *)dkim_sig_getdomain(sig);
	time_t now = time(NULL);
	struct key_entry *k;
	struct strv rd = { 0 };
	size_t *lens = NULL;
	char *name, *err = NULL, *txt = NULL;

	if (sel == NULL || d == NULL)
		return DKIM_CBSTAT_ERROR;
	name = xasprintf("%s._domainkey.%s", sel, d);
	if ((k = cache_find(name, now)) == NULL) {
		if (c->dns_open == 0)
			c->dns_open = dns_open(&c->dns, c->server, &err) == 0 ? 1 : -1;
		if (c->dns_open == -1 || dns_query(&c->dns, name, ns_t_txt, &rd, &lens, &err) == -1) {
			/* remembered briefly, so that a batch does not wait on a dead
			 * server once per message */
			k = cache_put(name, NULL, err ? err : "resolver unavailable", now);
		} else {
			/* RFC 6376 3.6.2.2: more than one record is ambiguous; the first is used */
			if (rd.n > 0)
				txt = dns_txt_join(rd.v[0], lens[0]);
			k = cache_put(name, txt, NULL, now);
		}
		free(txt);
		free(err);
		strv_free(&rd);
		free(lens);
	}
	free(name);
	if (k->err) {
		free(c->dns_err);
		c->dns_err = xstrdup(k->err);
		return DKIM_CBSTAT_TRYAGAIN;
	}
	if (k->txt == NULL)
		return DKIM_CBSTAT_NOTFOUND;
	if (strlen(k->txt) >= buflen)
		return DKIM_CBSTAT_ERROR;
	memcpy(buf, k->txt, strlen(k->txt) + 1);
	return DKIM_CBSTAT_CONTINUE;
}

static int
lib_init(void)
{
	if (lib)
		return 0;
	if ((lib = dkim_init(NULL, NULL)) == NULL)
		return -1;
	if (dkim_set_prescreen(lib, prescreen) != DKIM_STAT_OK ||
	    dkim_set_key_lookup(lib, key_lookup) != DKIM_STAT_OK) {
		dkim_close(lib);
		lib = NULL;
		return -1;
	}
	return 0;
}

static void
judge_sig(DKIM *dkim, DKIM_SIGINFO *sig, struct verify_ctx *c, struct dkim_result *r)
{
	unsigned int flags = dkim_sig_getflags(sig);
	int err = dkim_sig_geterror(sig), bh = dkim_sig_getbh(sig);
	const char *d = (const char *)dkim_sig_getdomain(sig), *s = (const char *)dkim_sig_getselector(sig);
	off_t msglen = 0, canonlen = 0, signlen = -1;

	r->domain = xstrdup(d ? d : "");
	dkim_sig_getcanonlen(dkim, sig, &msglen, &canonlen, &signlen);
	if ((flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH) {
		if (signlen != (off_t)-1 && signlen < msglen) {
			r->outcome = DKIM_OUT_ERROR;
			r->why = xasprintf("dkim=neutral header.d=%s s=%s (verified by dcvmail, but the signature "
					   "covers only "
					   "%lld of %lld body bytes, l=)",
					   r->domain, s ? s : "?", (long long)signlen, (long long)msglen);
			return;
		}
		r->outcome = DKIM_OUT_PASS;
		r->why = xasprintf("dkim=pass header.d=%s s=%s (verified by dcvmail)", r->domain, s ? s : "?");
	} else if (bh == DKIM_SIGBH_MISMATCH) {
		r->outcome = DKIM_OUT_FAIL;
		r->why = xasprintf("dkim=fail header.d=%s s=%s (verified by dcvmail: body hash mismatch, the body was "
				   "changed)",
				   r->domain, s ? s : "?");
	} else if (err == DKIM_SIGERROR_BADSIG) {
		r->outcome = DKIM_OUT_FAIL;
		r->why = xasprintf("dkim=fail header.d=%s s=%s (verified by dcvmail: signature mismatch, a signed "
				   "header "
				   "was changed)",
				   r->domain, s ? s : "?");
	} else {
		const char *es = err == DKIM_SIGERROR_KEYFAIL && c->dns_err ? c->dns_err
				 : err != DKIM_SIGERROR_OK		    ? dkim_sig_geterrorstr(err)
									    : "not verified";
		r->outcome = DKIM_OUT_ERROR;
		r->why = xasprintf("dkim=%s header.d=%s s=%s (dcvmail could not verify: %s)",
				   err == DKIM_SIGERROR_KEYFAIL ? "temperror" : "permerror", r->domain, s ? s : "?",
				   es ? es : "unknown error");
	}
}

/* The message to libopendkim as it wants it: one header field at a time
 * (folding kept, as CRLF), then the body with CRLF line ends. Mail handed
 * over by Postfix or read from files has bare LFs; the signer saw CRLF. */
static DKIM_STAT
feed(DKIM *dkim, const char *raw, size_t len)
{
	struct buf b;
	size_t i = 0;
	DKIM_STAT st = DKIM_STAT_OK;

	buf_init(&b, 1024);
	while (i < len && st == DKIM_STAT_OK) {
		size_t e = i;
		while (e < len && raw[e] != '\n')
			e++;
		size_t l = e > i && raw[e - 1] == '\r' ? e - i - 1 : e - i;
		if (l == 0) { /* the empty line */
			i = e + 1;
			break;
		}
		if (raw[i] != ' ' && raw[i] != '\t' && b.len) { /* a new field: hand over the last one */
			st = dkim_header(dkim, (u_char *)b.data, b.len);
			b.len = 0;
		}
		if (b.len)
			buf_add(&b, "\r\n", 2);
		buf_add(&b, raw + i, l);
		i = e + 1;
	}
	if (st == DKIM_STAT_OK && b.len)
		st = dkim_header(dkim, (u_char *)b.data, b.len);
	if (st == DKIM_STAT_OK)
		st = dkim_eoh(dkim);
	b.len = 0;
	while (st == DKIM_STAT_OK && i < len) {
		size_t e = i;
		while (e < len && raw[e] != '\n')
			e++;
		size_t l = e > i && raw[e - 1] == '\r' ? e - i - 1 : e - i;
		buf_add(&b, raw + i, l);
		if (e < len)
			buf_add(&b, "\r\n", 2);
		i = e + 1;
		if (b.len >= 65536 || i >= len) {
			st = dkim_body(dkim, (u_char *)b.data, b.len);
			b.len = 0;
		}
	}
	buf_free(&b);
	return st;
}

/* One result that says why nothing could be judged. */
static size_t
not_checked(struct dkim_result **out, char *why)
{
	*out = xcalloc(1, sizeof(**out));
	(*out)->outcome = DKIM_OUT_ERROR;
	(*out)->domain = xstrdup("");
	(*out)->why = why;
	return 1;
}

size_t
dkim_check(const struct message *m, const char *dns_server, char *const *domains, size_t ndomains,
	   struct dkim_result **out)
{
	struct verify_ctx c = { dns_server, .domains = domains, .ndomains = ndomains };
	DKIM_SIGINFO **sigs = NULL;
	DKIM_STAT st;
	DKIM *dkim;
	int nsigs = 0;
	size_t n = 0;

	*out = NULL;
	if (ndomains == 0 || message_header_raw(m, "DKIM-Signature", 0) == NULL)
		return 0;
	if (m->status == MSG_OVERSIZED) {
		/* the body may have been cut at the limit (IMAP fetches stop there) */
		return not_checked(out, xstrdup("dkim not checked: the message is over the size limit"));
	}
	if (message_header_raw(m, "From", 1) != NULL) {
		/* a signature covers one From; which one a person sees is anyone's guess */
		return not_checked(out, xstrdup("dkim not checked: more than one From header"));
	}
	lib_must(LIB_DKIM); /* or the run ends (pipe mode: exit 75): never a verdict without the check */
	if (lib_init() == -1) {
		log_warnx("DKIM: cannot initialise libopendkim");
		return 0;
	}
	if ((dkim = dkim_verify(lib, (const u_char *)"dcvmail", NULL, &st)) == NULL)
		return 0;
	dkim_set_user_context(dkim, &c);
	st = feed(dkim, m->raw, m->raw_len);
	if (st == DKIM_STAT_OK)
		st = dkim_eom(dkim, NULL);
	log_debug("DKIM: %s", dkim_getresultstr(st));
	if (dkim_getsiglist(dkim, &sigs, &nsigs) == DKIM_STAT_OK) {
		for (int i = 0; i < nsigs; i++) {
			if (dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE)
				continue;
			*out = xreallocarray(*out, n + 1, sizeof(**out));
			judge_sig(dkim, sigs[i], &c, &(*out)[n++]);
		}
	}
	if (n == 0 && (st == DKIM_STAT_CBTRYAGAIN || st == DKIM_STAT_KEYFAIL) && c.dns_err) {
		/* libopendkim gives up on the message when a key lookup must be retried */
		n = not_checked(out, xasprintf("dkim=temperror (dcvmail could not verify: %s)", c.dns_err));
	}
	dkim_free(dkim);
	if (c.dns_open == 1)
		dns_close(&c.dns);
	free(c.dns_err);
	return n;
}

void
dkim_results_free(struct dkim_result *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].domain);
		free(r[i].why);
	}
	free(r);
}
