/* auth-ar.c — an RFC 8601 Authentication-Results parser. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "judge/auth.h"
#include "base/util.h"

#define MAX_METHODS 64
#define MAX_PROPS 32
#define MAX_COMMENT_DEPTH 16

struct lex {
	const char *p;
	int err;
};

/* White space and (nested (comments)) with \-escapes. */
static void
skip_cfws(struct lex *lx)
{
	for (;;) {
		while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r' || *lx->p == '\n')
			lx->p++;
		if (*lx->p != '(')
			return;
		int depth = 0;
		do {
			if (*lx->p == '\\' && lx->p[1])
				lx->p++;
			else if (*lx->p == '(') {
				if (++depth > MAX_COMMENT_DEPTH) {
					lx->err = 1;
					return;
				}
			} else if (*lx->p == ')')
				depth--;
			lx->p++;
		} while (depth > 0 && *lx->p);
		if (depth > 0) {
			lx->err = 1; /* unterminated comment */
			return;
		}
	}
}

static int
tspecial(int c)
{
	return c <= ' ' || c >= 0x7f || strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

static char *
quoted(struct lex *lx)
{
	struct buf b;

	buf_init(&b, 4096);
	lx->p++;
	while (*lx->p && *lx->p != '"') {
		if (*lx->p == '\\' && lx->p[1])
			lx->p++;
		buf_addc(&b, *lx->p++);
	}
	if (*lx->p != '"') {
		lx->err = 1;
		buf_free(&b);
		return NULL;
	}
	lx->p++;
	return buf_steal(&b);
}

/* token or quoted-string; NULL if none */
static char *
value(struct lex *lx)
{
	const char *s = lx->p;

	if (*s == '"')
		return quoted(lx);
	while (*lx->p && !tspecial((unsigned char)*lx->p))
		lx->p++;
	return lx->p > s ? xstrndup(s, (size_t)(lx->p - s)) : NULL;
}

/* method, ptype and property names: letters, digits, '-' and '_' */
static char *
keyword(struct lex *lx)
{
	const char *s = lx->p;

	while (isalnum((unsigned char)*lx->p) || *lx->p == '-' || *lx->p == '_')
		lx->p++;
	return lx->p > s ? xstrndup(s, (size_t)(lx->p - s)) : NULL;
}

/* a property value: a value, or [local-part]@domain */
static char *
pvalue(struct lex *lx)
{
	const char *s = lx->p;

	if (*s == '"') {
		char *q = quoted(lx);
		if (q && *lx->p == '@') { /* "quoted local"@domain */
			const char *d = ++lx->p;
			while (*lx->p && !tspecial((unsigned char)*lx->p))
				lx->p++;
			char *r = xasprintf("%s@%.*s", q, (int)(lx->p - d), d);
			free(q);
			return r;
		}
		return q;
	}
	while (*lx->p && *lx->p != ';' && *lx->p != '(' && *lx->p != ')' && *lx->p != '"' &&
	       !isspace((unsigned char)*lx->p))
		lx->p++;
	return lx->p > s ? xstrndup(s, (size_t)(lx->p - s)) : NULL;
}

static int
expect(struct lex *lx, char c)
{
	skip_cfws(lx);
	if (*lx->p != c)
		return -1;
	lx->p++;
	skip_cfws(lx);
	return lx->err ? -1 : 0;
}

static void
method_free(struct ar_method *m)
{
	free(m->method);
	free(m->result);
	free(m->reason);
	for (size_t i = 0; i < m->nprops; i++) {
		free(m->pnames[i]);
		free(m->pvalues[i]);
	}
	free(m->pnames);
	free(m->pvalues);
	memset(m, 0, sizeof(*m));
}

static int
parse_props(struct lex *lx, struct ar_method *m)
{
	for (;;) {
		skip_cfws(lx);
		if (lx->err)
			return -1;
		if (*lx->p == ';' || *lx->p == '\0')
			return 0;
		char *k = keyword(lx);
		if (k == NULL)
			return -1;
		lowercase(k);
		if (!strcmp(k, "reason")) {
			free(k);
			if (expect(lx, '=') == -1)
				return -1;
			free(m->reason);
			if ((m->reason = value(lx)) == NULL)
				return -1;
			continue;
		}
		if (expect(lx, '.') == -1) {
			free(k);
			return -1;
		}
		char *prop = keyword(lx);
		if (prop == NULL || expect(lx, '=') == -1) {
			free(k);
			free(prop);
			return -1;
		}
		char *v = pvalue(lx);
		if (v == NULL || m->nprops >= MAX_PROPS) {
			free(k);
			free(prop);
			free(v);
			return -1;
		}
		lowercase(prop);
		m->pnames = xreallocarray(m->pnames, m->nprops + 1, sizeof(char *));
		m->pvalues = xreallocarray(m->pvalues, m->nprops + 1, sizeof(char *));
		m->pnames[m->nprops] = xasprintf("%s.%s", k, prop);
		m->pvalues[m->nprops++] = v;
		free(k);
		free(prop);
	}
}

static int
parse_resinfo(struct lex *lx, struct ar_header *h)
{
	struct ar_method m;
	char *name;

	memset(&m, 0, sizeof(m));
	if ((name = keyword(lx)) == NULL)
		return -1;
	lowercase(name);
	skip_cfws(lx);
	if (!strcmp(name, "none") && (*lx->p == ';' || *lx->p == '\0') && h->nmethods == 0) {
		free(name);
		h->none = 1;
		return 0;
	}
	m.method = name;
	if (*lx->p == '/') { /* method version */
		lx->p++;
		skip_cfws(lx);
		while (isdigit((unsigned char)*lx->p))
			lx->p++;
	}
	if (expect(lx, '=') == -1 || (m.result = value(lx)) == NULL || parse_props(lx, &m) == -1) {
		method_free(&m);
		return -1;
	}
	lowercase(m.result);
	if (h->nmethods >= MAX_METHODS) {
		method_free(&m);
		return -1;
	}
	h->methods = xreallocarray(h->methods, h->nmethods + 1, sizeof(*h->methods));
	h->methods[h->nmethods++] = m;
	return 0;
}

void
ar_free(struct ar_header *h)
{
	free(h->authserv_id);
	for (size_t i = 0; i < h->nmethods; i++)
		method_free(&h->methods[i]);
	free(h->methods);
	memset(h, 0, sizeof(*h));
}

int
ar_parse(const char *s, struct ar_header *out)
{
	struct lex lx = { s, 0 };
	struct ar_header h;

	memset(&h, 0, sizeof(h));
	skip_cfws(&lx);
	if (lx.err || (h.authserv_id = value(&lx)) == NULL)
		goto bad;
	lowercase(h.authserv_id);
	skip_cfws(&lx);
	if (isdigit((unsigned char)*lx.p)) {
		h.version = atoi(lx.p);
		while (isdigit((unsigned char)*lx.p))
			lx.p++;
		skip_cfws(&lx);
	}
	if (*lx.p != ';')
		goto bad; /* neither "none" nor a result */
	while (*lx.p == ';') {
		lx.p++;
		skip_cfws(&lx);
		if (lx.err)
			goto bad;
		if (*lx.p == '\0')
			break; /* a trailing ';' */
		if (parse_resinfo(&lx, &h) == -1 || lx.err)
			goto bad;
		skip_cfws(&lx);
	}
	if (*lx.p != '\0' || lx.err || (h.nmethods == 0 && !h.none))
		goto bad;
	*out = h;
	return 0;
bad:
	ar_free(&h);
	return -1;
}

const char *
ar_prop(const struct ar_method *m, const char *name)
{
	for (size_t i = 0; i < m->nprops; i++)
		if (!strcmp(m->pnames[i], name))
			return m->pvalues[i];
	return NULL;
}
