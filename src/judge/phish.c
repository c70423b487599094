/* phish.c — signs that CA-looking mail is not from the CA: failed
 * authentication, display names and link hosts imitating a CA, user-info and
 * IP-literal links, URL rewriters hiding a foreign target. Never follows a link. */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "judge/auth.h"
#include "config.h"
#include "mail/links.h"
#include "judge/rules.h"
#include "base/names.h"
#include "base/util.h"

#define MIN_BRAND 5
#define MIN_WORD_BRAND 4

/* Latin, Cyrillic and Greek letters that look like Latin ones, digits that
 * look like letters; everything else that is not a letter is dropped. */
static int
fold_char(uint32_t c)
{
	static const struct {
		uint32_t from;
		char to;
	} map[] = {
		{ 0x430, 'a' }, { 0x435, 'e' }, { 0x43e, 'o' }, { 0x440, 'p' }, { 0x441, 'c' }, { 0x443, 'y' },
		{ 0x445, 'x' }, { 0x456, 'i' }, { 0x458, 'j' }, { 0x455, 's' }, { 0x4bb, 'h' }, { 0x501, 'd' },
		{ 0x3bf, 'o' }, { 0x3b1, 'a' }, { 0x3b9, 'i' }, { 0x3ba, 'k' }, { 0x3bd, 'v' }, { 0x3c1, 'p' },
		{ 0x3c4, 't' }, { 0x131, 'i' }, { 0xe0, 'a' },	{ 0xe1, 'a' },	{ 0xe2, 'a' },	{ 0xe4, 'a' },
		{ 0xe8, 'e' },	{ 0xe9, 'e' },	{ 0xea, 'e' },	{ 0xec, 'i' },	{ 0xed, 'i' },	{ 0xee, 'i' },
		{ 0xef, 'i' },	{ 0xf2, 'o' },	{ 0xf3, 'o' },	{ 0xf4, 'o' },	{ 0xf6, 'o' },	{ 0xf9, 'u' },
		{ 0xfa, 'u' },	{ 0xfc, 'u' },	{ 0xe7, 'c' },	{ 0xf1, 'n' },	{ '0', 'o' },	{ '1', 'l' },
		{ '3', 'e' },	{ '5', 's' },
	};
	if (c < 0x80 && isalpha((int)c))
		return tolower((int)c);
	for (size_t i = 0; i < nitems(map); i++)
		if (map[i].from == c)
			return map[i].to;
	return 0;
}

/* Folded letters of UTF-8 text into sk; into tok the same with one space
 * where anything else was (the words of "jprs-secure.example"). The text is
 * decoded strictly (base/names.h): a byte that is not UTF-8 counts as a
 * separator. */
static void
fold_one(struct buf *sk, struct buf *tok, uint32_t cp)
{
	int c = fold_char(cp);

	if (c) {
		buf_addc(sk, c);
		buf_addc(tok, c);
	} else if (tok->len && tok->data[tok->len - 1] != ' ')
		buf_addc(tok, ' ');
}

static void
fold_text(struct buf *sk, struct buf *tok, const char *text)
{
	const unsigned char *a = (const unsigned char *)text;
	uint32_t *u;
	size_t n;

	while (*a && *a < 0x80)
		a++;
	if (*a == '\0') { /* ASCII (most hosts): each byte is its code point */
		for (a = (const unsigned char *)text; *a; a++)
			fold_one(sk, tok, *a);
	} else {
		n = name_utf8_codepoints(text, &u);
		for (size_t i = 0; i < n; i++)
			fold_one(sk, tok, u[i]);
		free(u);
	}
	if (tok->len && tok->data[tok->len - 1] != ' ')
		buf_addc(tok, ' ');
}

/* A host's (or a display name's) "skeleton": A-labels decoded by libidn2,
 * lookalikes folded, dots, hyphens and digits-as-separators removed
 * ("xn--dgicert-...com" -> "digicert..."). With words, also the folded words
 * between separators, each followed by one space, for short brands. */
static char *
skeleton_words(const char *host, char **words)
{
	struct buf b, w;
	char *h = xstrdup(host), *save = NULL;

	buf_init(&b, 1024);
	buf_init(&w, 1024);
	buf_addc(&w, ' ');
	for (char *lab = strtok_r(h, ".", &save); lab; lab = strtok_r(NULL, ".", &save)) {
		char *u = NULL;
		if (!strncasecmp(lab, "xn--", 4) && idn2_to_unicode_8z8z(lab, &u, 0) == IDN2_OK && u) {
			fold_text(&b, &w, u);
			idn2_free(u);
		} else
			fold_text(&b, &w, lab);
	}
	free(h);
	if (words)
		*words = buf_steal(&w);
	else
		buf_free(&w);
	return buf_steal(&b);
}

static char *
skeleton(const char *host)
{
	return skeleton_words(host, NULL);
}

/* The brand of a domain: the label before its public suffix (libpsl:
 * cybertrust.ne.jp -> "cybertrust", jprs.jp -> "jprs"), folded. */
static char *
brand_compute(const char *domain)
{
	const char *why, *reg, *dot;
	char *c = name_canon(domain, &why), *lab, *s;

	if (c == NULL || strchr(c, '.') == NULL) {
		free(c);
		return skeleton(domain);
	}
	if ((reg = name_registrable(c)) == NULL) { /* a public suffix itself: no brand */
		free(c);
		return xstrdup("");
	}
	dot = strchr(reg, '.');
	lab = xstrndup(reg, dot ? (size_t)(dot - reg) : strlen(reg));
	s = skeleton(lab);
	free(lab);
	free(c);
	return s;
}

/* brand_compute, remembered: the domains asked about are the rules' CA
 * domains, a few dozen, asked for every link of every message. */
#define BRAND_CACHE 256
static struct {
	char *domain, *brand;
} brands[BRAND_CACHE];
static size_t nbrands;
static pthread_mutex_t brands_lock = PTHREAD_MUTEX_INITIALIZER;

static char *
brand_of(const char *domain)
{
	char *r = NULL;

	pthread_mutex_lock(&brands_lock);
	for (size_t i = 0; i < nbrands && r == NULL; i++)
		if (!strcmp(brands[i].domain, domain))
			r = xstrdup(brands[i].brand);
	pthread_mutex_unlock(&brands_lock);
	if (r)
		return r;
	r = brand_compute(domain);
	pthread_mutex_lock(&brands_lock);
	if (nbrands < BRAND_CACHE) {
		brands[nbrands].domain = xstrdup(domain);
		brands[nbrands++].brand = xstrdup(r);
	}
	pthread_mutex_unlock(&brands_lock);
	return r;
}

/* Does text (its skeleton sk, its words) carry brand b? A brand of
 * MIN_BRAND letters or more anywhere in the skeleton; a shorter one of at
 * least MIN_WORD_BRAND letters ("jprs") only as a word of its own, so that
 * it is not found inside longer words. */
static int
has_brand(const char *sk, const char *words, const char *b)
{
	size_t l = strlen(b);

	if (l >= MIN_BRAND)
		return strstr(sk, b) != NULL;
	if (l < MIN_WORD_BRAND || words == NULL)
		return 0;
	char *w = xasprintf(" %s ", b);
	int hit = strstr(words, w) != NULL;
	free(w);
	return hit;
}

/* The CA's folded brands, made once per ruleset (the rules own them). */
static const struct ca_def *
ca_brands(const struct ca_def *cca)
{
	struct ca_def *ca = (struct ca_def *)cca; /* a cache on an object the rules allocated */
	size_t n = ca->nlink_hosts + ca->nfrom_domains;

	if (ca->brands)
		return ca;
	ca->brands = xcalloc(n ? n : 1, sizeof(*ca->brands));
	for (size_t j = 0; j < n; j++)
		ca->brands[j] = brand_of(j < ca->nlink_hosts ? ca->link_hosts[j]
							     : ca->from_domains[j - ca->nlink_hosts]);
	ca->name_brand = brand_of(ca->nfrom_domains ? ca->from_domains[0] : ca->id);
	ca->id_skeleton = skeleton(ca->id);
	return ca;
}

static int
under_ca(const char *host, const struct ca_def *ca)
{
	for (size_t i = 0; i < ca->nlink_hosts; i++)
		if (domain_at_or_under(host, ca->link_hosts[i]))
			return 1;
	for (size_t i = 0; i < ca->nfrom_domains; i++)
		if (domain_at_or_under(host, ca->from_domains[i]))
			return 1;
	for (size_t i = 0; i < ca->ndkim_domains; i++)
		if (domain_at_or_under(host, ca->dkim_domains[i]))
			return 1;
	return 0;
}

/* Which CA (index) and which of its brands the host imitates: -1 none. */
static void
imitated_compute(const struct ruleset *rs, const char *host, long *ca_i, long *brand_j)
{
	char *words, *sk = skeleton_words(host, &words);

	*ca_i = *brand_j = -1;
	for (size_t i = 0; i < rules_ca_count(rs) && *ca_i < 0; i++) {
		const struct ca_def *ca = rules_ca_at(rs, i);
		if (under_ca(host, ca))
			continue;
		ca_brands(ca);
		for (size_t j = 0; j < ca->nlink_hosts + ca->nfrom_domains; j++)
			if (has_brand(sk, words, ca->brands[j])) {
				*ca_i = (long)i;
				*brand_j = (long)j;
				break;
			}
	}
	free(sk);
	free(words);
}

/* imitated_compute, remembered per host for the rule set it was computed
 * with (rules_serial): a batch meets the same link hosts again and again
 * (a newsletter's, a CA's), and the skeleton of each costs libidn2 and a
 * fold of every label. Bounded: the memo starts over when half full. */
#define HOST_MEMO 4096 /* a power of 2 */
static struct host_memo {
	char *host;
	long ca, brand;
} host_memo[HOST_MEMO];
static size_t host_memo_n;
static unsigned long host_memo_serial;
static pthread_mutex_t host_memo_lock = PTHREAD_MUTEX_INITIALIZER;

static void
host_memo_clear(void)
{
	for (size_t i = 0; i < HOST_MEMO; i++) {
		free(host_memo[i].host);
		host_memo[i].host = NULL;
	}
	host_memo_n = 0;
}

static struct host_memo *
host_memo_slot(const char *host)
{
	size_t h = 14695981039346656037u;

	for (const char *p = host; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	for (h &= HOST_MEMO - 1; host_memo[h].host && strcmp(host_memo[h].host, host); h = (h + 1) & (HOST_MEMO - 1))
		;
	return &host_memo[h];
}

/* The CA whose brand the host imitates, or NULL (*brand then set). */
static const struct ca_def *
imitated(const struct ruleset *rs, const char *host, char **brand)
{
	struct host_memo *e;
	long ca_i = -1, brand_j = -1;
	int known = 0;

	pthread_mutex_lock(&host_memo_lock);
	if (host_memo_serial != rules_serial(rs)) {
		host_memo_clear();
		host_memo_serial = rules_serial(rs);
	}
	if ((e = host_memo_slot(host))->host != NULL) {
		ca_i = e->ca;
		brand_j = e->brand;
		known = 1;
	}
	pthread_mutex_unlock(&host_memo_lock);
	if (!known) {
		imitated_compute(rs, host, &ca_i, &brand_j);
		pthread_mutex_lock(&host_memo_lock);
		if (host_memo_serial == rules_serial(rs) && strlen(host) < 256) {
			if (2 * (host_memo_n + 1) > HOST_MEMO)
				host_memo_clear();
			if ((e = host_memo_slot(host))->host == NULL) {
				e->host = xstrdup(host);
				e->ca = ca_i;
				e->brand = brand_j;
				host_memo_n++;
			}
		}
		pthread_mutex_unlock(&host_memo_lock);
	}
	if (ca_i < 0)
		return NULL;
	const struct ca_def *ca = ca_brands(rules_ca_at(rs, (size_t)ca_i));
	*brand = xstrdup(ca->brands[brand_j]);
	return ca;
}

static char *
pct_decode(const char *s, size_t n)
{
	struct buf b;

	buf_init(&b, 0);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hx[3] = { s[i + 1], s[i + 2], 0 };
			buf_addc(&b, (int)strtol(hx, NULL, 16));
			i += 2;
		} else
			buf_addc(&b, s[i]);
	}
	return buf_steal(&b);
}

/* The target a known URL rewriter hides, or NULL. Never fetched. */
static char *
unwrap(const struct msg_link *l)
{
	const char *q, *e;

	if (domain_at_or_under(l->host, "urldefense.com") && (q = strstr(l->path, "/__")) != NULL) {
		q += 3;
		e = strstr(q, "__");
		return xstrndup(q, e ? (size_t)(e - q) : strlen(q));
	}
	if (domain_at_or_under(l->host, "urldefense.proofpoint.com") && (q = strstr(l->path, "u=")) != NULL) {
		q += 2;
		e = strchr(q, '&');
		char *t = xstrndup(q, e ? (size_t)(e - q) : strlen(q));
		for (char *p = t; *p; p++)
			*p = *p == '-' ? '%' : *p == '_' ? '/' : *p;
		char *r = pct_decode(t, strlen(t));
		free(t);
		return r;
	}
	if (domain_at_or_under(l->host, "safelinks.protection.outlook.com") || strstr(l->path, "?url=") ||
	    strstr(l->path, "&url=")) {
		if ((q = strstr(l->path, "url=")) == NULL)
			return NULL;
		q += 4;
		e = strchr(q, '&');
		char *r = pct_decode(q, e ? (size_t)(e - q) : strlen(q));
		if (strncasecmp(r, "http", 4)) {
			free(r);
			return NULL;
		}
		return r;
	}
	return NULL;
}

static const char *const ca_words[] = { "certificate", "証明書", "domain control", "dcv", "validation",
					"approve",     "承認" };

/* Does s hold one of ca_words, ASCII letters in any case (as strcasestr
 * in the C locale)? One JIT-compiled alternation scans the text once,
 * not once per word (h-batch: a newsletter's body is scanned 7 times
 * otherwise); without PCRE2, strcasestr per word. */
static int
has_ca_word(const char *s, int batch)
{
	static pcre2_code *re;
	static pcre2_match_data *md;
	static int failed;

	if (re == NULL && !failed) {
		struct buf pat;
		int err;
		PCRE2_SIZE off;
		buf_init(&pat, 0);
		for (size_t i = 0; i < nitems(ca_words); i++)
			buf_printf(&pat, "%s\\Q%s\\E", i ? "|" : "", ca_words[i]);
		re = pcre2_compile((PCRE2_SPTR)pat.data, pat.len, PCRE2_CASELESS, &err, &off, NULL);
		buf_free(&pat);
		if (re == NULL || (md = pcre2_match_data_create(1, NULL)) == NULL)
			failed = 1;
		else if (batch)
			pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* else the interpreter */
	}
	int rc = failed ? PCRE2_ERROR_INTERNAL : pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH)
		return rc >= 0;
	for (size_t i = 0; i < nitems(ca_words); i++)
		if (strcasestr(s, ca_words[i]))
			return 1;
	return 0;
}

static int
looks_like_ca_mail(const struct message *m, const struct ruleset *rs, const struct verdict *v)
{
	int batch = rules_mode_of(rs) == RULES_MODE_BATCH;

	if (v->rule != NULL)
		return 1;
	return has_ca_word(m->subject, batch) || has_ca_word(m->body, batch);
}

static void
check_display_name(const struct message *m, const struct ruleset *rs, struct verdict *v)
{
	char *words, *disp = skeleton_words(m->from_display, &words);

	for (size_t i = 0; i < rules_ca_count(rs) && *disp; i++) {
		const struct ca_def *ca = ca_brands(rules_ca_at(rs, i));
		int hit = has_brand(disp, words, ca->name_brand) || has_brand(disp, words, ca->id_skeleton);
		if (hit && !under_ca(m->from_domain, ca)) {
			verdict_suspect(v, "the sender's name '%s' imitates %s, but the address is %s", m->from_display,
					ca->name, *m->from ? m->from : "(none)");
			break;
		}
	}
	free(disp);
	free(words);
}

void
auth_check_phishing(const struct message *m, const struct config *cfg, const struct ruleset *rs,
		    const struct envelope *env, struct verdict *v)
{
	const struct ca_def *ca = rules_ca(rs, v->ca);
	char *brand = NULL;

	if (v->auth == AUTH_FAIL && ca)
		verdict_suspect(v, "sender authentication failed: %s", v->auth_reason ? v->auth_reason : "");
	/* Where authentication is possible (the intake trusts a border MTA),
	 * an approval request the CA did not demonstrably send is suspicious. */
	else if (ca && v->auth != AUTH_PASS && cfg && auth_trusted_ids(cfg, env)->n > 0 &&
		 (v->rule_type == VT_DCV || v->rule_type == VT_EV_INTENT))
		verdict_suspect(v, "%s wording, but the sender is not authenticated (%s)", ca->name,
				v->auth_reason ? v->auth_reason : "no trusted pass");
	if (!looks_like_ca_mail(m, rs, v))
		return;
	check_display_name(m, rs, v);
	for (size_t i = 0; i < m->nlinks; i++) {
		const struct msg_link *l = &m->links[i];
		const struct ca_def *who;
		char *target;
		if ((who = imitated(rs, l->host, &brand)) != NULL) {
			verdict_suspect(v, "link host '%s' imitates %s", l->host, who->name);
			free(brand);
			brand = NULL;
		}
		if (l->has_userinfo && ca)
			verdict_suspect(v, "a link hides its real host '%s' behind user-info ('@')", l->host);
		if ((target = unwrap(l)) != NULL) {
			struct msg_link t;
			if (link_parse(target, &t) == 0) {
				if ((who = imitated(rs, t.host, &brand)) != NULL) {
					verdict_suspect(v, "a rewritten link (%s) hides '%s', which imitates %s",
							l->host, t.host, who->name);
					free(brand);
					brand = NULL;
				} else if (ca && !under_ca(t.host, ca))
					verdict_suspect(v, "a rewritten link (%s) hides the foreign host '%s'", l->host,
							t.host);
				link_clear(&t);
			}
			free(target);
		}
	}
}
