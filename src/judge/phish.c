/* phish.c — signs that CA-looking mail is not from the CA: failed
 * authentication, display names and link hosts imitating a CA, user-info and
 * IP-literal links, URL rewriters hiding a foreign target. Never follows a link. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "judge/auth.h"
#include "config.h"
#include "mail/links.h"
#include "judge/rules.h"
#include "base/util.h"

#define MIN_BRAND 5

/* RFC 3492 punycode decoding of one label (after "xn--") into UTF-32. */
static size_t
puny_decode(const char *in, uint32_t *out, size_t max)
{
	size_t n = 0, b = 0, len = strlen(in);
	uint32_t i = 0, code = 128, bias = 72;
	const char *dash = strrchr(in, '-');

	if (dash) {
		for (const char *p = in; p < dash && n < max; p++)
			out[n++] = (unsigned char)*p;
		b = (size_t)(dash - in) + 1;
	}
	for (size_t pos = b; pos < len;) {
		uint32_t oldi = i, w = 1;
		for (uint32_t k = 36;; k += 36) {
			if (pos >= len)
				return 0;
			int c = tolower((unsigned char)in[pos++]);
			uint32_t d = c >= 'a' && c <= 'z'   ? (uint32_t)(c - 'a')
				     : c >= '0' && c <= '9' ? (uint32_t)(c - '0' + 26)
							    : 99;
			if (d > 35 || d > (UINT32_MAX - i) / w)
				return 0;
			i += d * w;
			uint32_t t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
			if (d < t)
				break;
			w *= 36 - t;
		}
		/* bias adaptation */
		uint32_t delta = oldi == 0 ? i / 700 : (i - oldi) / 2, kk = 0;
		delta += delta / (uint32_t)(n + 1);
		while (delta > 455) {
			delta /= 35;
			kk += 36;
		}
		bias = kk + (36 * delta) / (delta + 38);
		code += i / (uint32_t)(n + 1);
		i %= (uint32_t)(n + 1);
		if (n >= max)
			return 0;
		memmove(out + i + 1, out + i, (n - i) * sizeof(*out));
		out[i++] = code;
		n++;
	}
	return n;
}

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

static void
fold_utf32(struct buf *b, const uint32_t *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int c = fold_char(u[i]);
		if (c)
			buf_addc(b, c);
	}
}

/* A host's "skeleton": labels punycode-decoded, lookalikes folded, dots,
 * hyphens and digits-as-separators removed ("xn--dgicert-...com" -> "digicert..."). */
static char *
skeleton(const char *host)
{
	struct buf b;
	char *h = xstrdup(host), *save = NULL;

	buf_init(&b, 1024);
	for (char *lab = strtok_r(h, ".", &save); lab; lab = strtok_r(NULL, ".", &save)) {
		uint32_t u[256];
		size_t n;
		if (!strncasecmp(lab, "xn--", 4) && (n = puny_decode(lab + 4, u, nitems(u))) > 0) {
			fold_utf32(&b, u, n);
			continue;
		}
		/* UTF-8 hosts: decode code points */
		for (const unsigned char *p = (const unsigned char *)lab; *p;) {
			uint32_t c = *p;
			int len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
			if (len > 1) {
				c &= 0x3f >> (len - 1);
				for (int k = 1; k < len && p[k]; k++)
					c = (c << 6) | (p[k] & 0x3f);
			}
			int f = fold_char(c);
			if (f)
				buf_addc(&b, f);
			for (int k = 0; k < len && *p; k++)
				p++;
		}
	}
	free(h);
	return buf_steal(&b);
}

/* The brand of a domain: its label before the public suffix, folded. */
static char *
brand_of(const char *domain)
{
	const char *last = strrchr(domain, '.'), *p = domain, *start = domain;

	if (last == NULL)
		return skeleton(domain);
	for (; p < last; p++)
		if (*p == '.')
			start = p + 1;
	char *lab = xstrndup(start, (size_t)(last - start));
	char *s = skeleton(lab);
	free(lab);
	return s;
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

/* The CA whose brand the host imitates, or NULL. */
static const struct ca_def *
imitated(const struct ruleset *rs, const char *host, char **brand)
{
	char *sk = skeleton(host);

	for (size_t i = 0; i < rules_ca_count(rs); i++) {
		const struct ca_def *ca = rules_ca_at(rs, i);
		if (under_ca(host, ca))
			continue;
		ca_brands(ca);
		for (size_t j = 0; j < ca->nlink_hosts + ca->nfrom_domains; j++) {
			const char *b = ca->brands[j];
			if (strlen(b) >= MIN_BRAND && strstr(sk, b)) {
				free(sk);
				*brand = xstrdup(b);
				return ca;
			}
		}
	}
	free(sk);
	return NULL;
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

static int
looks_like_ca_mail(const struct message *m, const struct verdict *v)
{
	static const char *const words[] = { "certificate", "証明書", "domain control", "dcv", "validation",
					     "approve",	    "承認" };

	if (v->rule != NULL)
		return 1;
	for (size_t i = 0; i < nitems(words); i++)
		if (strcasestr(m->subject, words[i]) || strcasestr(m->body, words[i]))
			return 1;
	return 0;
}

static void
check_display_name(const struct message *m, const struct ruleset *rs, struct verdict *v)
{
	char *disp = skeleton(m->from_display);

	for (size_t i = 0; i < rules_ca_count(rs) && *disp; i++) {
		const struct ca_def *ca = ca_brands(rules_ca_at(rs, i));
		const char *b = ca->name_brand, *id = ca->id_skeleton;
		int hit = (strlen(b) >= MIN_BRAND && strstr(disp, b)) || (strlen(id) >= MIN_BRAND && strstr(disp, id));
		if (hit && !under_ca(m->from_domain, ca)) {
			verdict_suspect(v, "the sender's name '%s' imitates %s, but the address is %s", m->from_display,
					ca->name, *m->from ? m->from : "(none)");
			break;
		}
	}
	free(disp);
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
	if (!looks_like_ca_mail(m, v))
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
