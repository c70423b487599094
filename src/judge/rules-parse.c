/* rules-parse.c — read and compile rules/NAME.rules (dcvmail.rules(5)). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules-int.h"
#include "base/names.h"

#define MAX_LINE 65536

struct rparser {
	const char *file;
	int line;
	int errors;
	rules_diag_fn diag;
	void *arg;
	struct ruleset *rs;
	struct ca_def *ca;
	struct rule *rule;
	uint32_t jit_mask; /* bit per cond kind compiled with JIT */
};

static void
rerr(struct rparser *p, int col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->errors++;
	if (p->diag)
		p->diag(p->arg, p->file, p->line, col, msg);
}

static const char *const cond_names[] = { "role", "from", "subject", "header", "link", "body", "html" };
static const char *const link_names[] = { "any", "approve", "reject", "info" };

const char *
cond_kind_name(enum cond_kind k)
{
	return cond_names[k];
}

const char *
link_kind_name(enum link_kind k)
{
	return link_names[k];
}

/* Next word starting at *pp; returns its column (1-based) or 0 at end. */
static int
next_word(const char *line, const char **pp, char *out, size_t outlen)
{
	const char *p = *pp;
	size_t n = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0') {
		*pp = p;
		return 0;
	}
	int col = (int)(p - line) + 1;
	while (*p && *p != ' ' && *p != '\t') {
		if (n + 1 < outlen)
			out[n++] = *p;
		p++;
	}
	out[n] = '\0';
	*pp = p;
	return col;
}

static int
valid_capture_names(struct rparser *p, pcre2_code *re, int col)
{
	uint32_t count = 0, size = 0;
	PCRE2_SPTR table;

	pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &table);
	for (uint32_t i = 0; i < count; i++) {
		const char *name = (const char *)table + i * size + 2;
		for (const char *c = name; *c; c++)
			if (!(islower((unsigned char)*c) || *c == '_' || (c > name && isdigit((unsigned char)*c)))) {
				rerr(p, col, "capture name '%s' must be lower-case letters, digits and '_'", name);
				return -1;
			}
	}
	return 0;
}

/* Parse "/pattern/flags" at *pp (the rest of the line). */
static pcre2_code *
parse_regex(struct rparser *p, const char *line, const char *s, char **src, int jit)
{
	const char *start, *end, *f;
	uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
	int errcode, col;
	PCRE2_SIZE erroff;
	pcre2_code *re;
	char *pat;

	while (*s == ' ' || *s == '\t')
		s++;
	col = (int)(s - line) + 1;
	if (*s != '/') {
		rerr(p, col, *s ? "expected a /regex/ here" : "missing /regex/");
		return NULL;
	}
	start = s + 1;
	end = strrchr(start, '/');
	if (end == NULL) {
		rerr(p, col, "unterminated regex (no closing '/')");
		return NULL;
	}
	for (f = end + 1; *f && *f != ' ' && *f != '\t'; f++) {
		switch (*f) {
		case 'i': opts |= PCRE2_CASELESS; break;
		case 'm': opts |= PCRE2_MULTILINE; break;
		case 's': opts |= PCRE2_DOTALL; break;
		case 'x': opts |= PCRE2_EXTENDED; break;
		default: rerr(p, (int)(f - line) + 1, "unknown regex flag '%c' (i, m, s, x)", *f); return NULL;
		}
	}
	while (*f == ' ' || *f == '\t')
		f++;
	if (*f) {
		rerr(p, (int)(f - line) + 1, "unexpected text after the regex");
		return NULL;
	}
	if (end == start) {
		rerr(p, col, "empty regex");
		return NULL;
	}
	pat = xstrndup(start, (size_t)(end - start));
	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts, &errcode, &erroff, NULL);
	if (re == NULL) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		rerr(p, col + 1 + (int)erroff, "regex error: %s", (char *)msg);
		free(pat);
		return NULL;
	}
	if (valid_capture_names(p, re, col) == -1) {
		pcre2_code_free(re);
		free(pat);
		return NULL;
	}
	if (jit)
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
	*src = pat;
	return re;
}

static void
add_list(struct rparser *p, const char *line, const char *s, char ***v, size_t *n, int hostlike)
{
	char w[512];
	int col;

	if (p->rule != NULL) {
		rerr(p, 1, "CA lists belong in a 'ca' block, before its rules");
		return;
	}
	while ((col = next_word(line, &s, w, sizeof(w))) != 0) {
		if (hostlike && (strchr(w, '/') || strchr(w, ':') || strchr(w, '@'))) {
			rerr(p, col, "'%s' is not a host or domain name (no scheme, path, port or '@')", w);
			continue;
		}
		lowercase(w);
		char *name = xstrdup(w);
		if (hostlike) { /* the one form links and captures are in (base/names.h) */
			const char *why;
			free(name);
			if ((name = name_canon(w, &why)) == NULL) {
				rerr(p, col, "'%s' is not a valid internationalised domain name (%s)", w, why);
				continue;
			}
		}
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = name;
	}
}

/* fallback-link /re/: one per CA block, before its rules. */
static void
fallback_link(struct rparser *p, const char *line, const char *s, int kwcol)
{
	char *src = NULL;
	pcre2_code *re;

	if (p->rule != NULL) {
		rerr(p, kwcol, "fallback-link belongs in the 'ca' block, before its rules");
		return;
	}
	if (p->ca->fallback_re != NULL) {
		rerr(p, kwcol, "ca '%s' has a fallback-link already", p->ca->id);
		return;
	}
	if ((re = parse_regex(p, line, s, &src, 0)) == NULL)
		return;
	p->ca->fallback_re = re;
	p->ca->fallback_src = src;
}

static void
start_ca(struct rparser *p, const char *line, const char *s)
{
	char id[128];
	const char *q;
	int col = next_word(line, &s, id, sizeof(id));
	struct ca_def *ca;

	if (col == 0) {
		rerr(p, 4, "'ca' needs an id and a \"name\"");
		return;
	}
	for (size_t i = 0; i < p->rs->ncas; i++)
		if (!strcmp(p->rs->cas[i]->id, id)) {
			rerr(p, col, "ca '%s' already defined at %s:%d", id, p->rs->cas[i]->file, p->rs->cas[i]->line);
			return;
		}
	ca = xcalloc(1, sizeof(*ca));
	ca->id = xstrdup(id);
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '"' && (q = strrchr(s + 1, '"')) != NULL)
		ca->name = xstrndup(s + 1, (size_t)(q - s - 1));
	else
		ca->name = xstrdup(*s ? s : id);
	ca->file = p->file;
	ca->line = p->line;
	p->rs->cas = xreallocarray(p->rs->cas, p->rs->ncas + 1, sizeof(*p->rs->cas));
	p->rs->cas[p->rs->ncas++] = ca;
	p->ca = ca;
	p->rule = NULL;
}

static void
end_rule(struct rparser *p)
{
	struct rule *r = p->rule;

	if (r == NULL)
		return;
	int save = p->line;
	p->line = r->line;
	if (r->type == VT_UNKNOWN)
		rerr(p, 1, "rule '%s' has no type", r->id);
	else if (r->nconds == 0)
		rerr(p, 1, "rule '%s' has no condition", r->id);
	else {
		size_t pos = 0;
		for (size_t i = 0; i < r->nconds; i++)
			pos += !r->conds[i].negate && r->conds[i].kind != C_ROLE;
		if (pos == 0)
			rerr(p, 1, "rule '%s' needs at least one positive pattern condition", r->id);
	}
	/* the page can confirm the order only when something is sent after it */
	if (r->form.npage_shows && (r->form.method == NULL || strcmp(r->form.method, "POST")))
		rerr(p, 1, "rule '%s': approve-page-shows needs approve-method post (with get, the page is the answer)",
		     r->id);
	p->line = save;
	p->rule = NULL;
}

static void
start_rule(struct rparser *p, const char *line, const char *s)
{
	char id[128];
	int col = next_word(line, &s, id, sizeof(id));
	struct rule *r;

	end_rule(p);
	if (p->ca == NULL) {
		rerr(p, 1, "rule outside a 'ca' block");
		return;
	}
	if (col == 0) {
		rerr(p, 5, "'rule' needs an id");
		return;
	}
	for (size_t i = 0; i < p->rs->nrules; i++)
		if (!strcmp(p->rs->rules[i]->id, id)) {
			rerr(p, col, "rule '%s' already defined at %s:%d", id, p->rs->rules[i]->file,
			     p->rs->rules[i]->line);
			return;
		}
	r = xcalloc(1, sizeof(*r));
	r->id = xstrdup(id);
	r->ca = p->ca;
	for (size_t i = 0; i < p->rs->ncas; i++)
		if (p->rs->cas[i] == p->ca)
			r->ca_index = i;
	r->file = p->file;
	r->line = p->line;
	p->rs->rules = xreallocarray(p->rs->rules, p->rs->nrules + 1, sizeof(*p->rs->rules));
	p->rs->rules[p->rs->nrules++] = r;
	p->rule = r;
}

static void
add_cond(struct rparser *p, const char *line, const char *s, const char *kw, int kwcol, int negate)
{
	struct cond c;
	char w[256];
	int col;
	static const char *const kinds[] = { "role", "from", "subject", "header", "link", "body", "html" };
	size_t k;

	memset(&c, 0, sizeof(c));
	for (k = 0; k < nitems(kinds); k++)
		if (!strcmp(kw, kinds[k]))
			break;
	if (k == nitems(kinds)) {
		rerr(p, kwcol, "unknown condition '%s' (from, subject, header, body, html, link, role)", kw);
		return;
	}
	c.kind = (enum cond_kind)k;
	c.negate = negate;
	c.line = p->line;
	c.col = kwcol;
	if (c.kind == C_ROLE) {
		static const char *const roles[] = { "whois", "txt", "constructed", "approver", "ev-contact" };
		while ((col = next_word(line, &s, w, sizeof(w))) != 0) {
			size_t j;
			for (j = 0; j < nitems(roles); j++)
				if (!strcmp(w, roles[j]))
					break;
			if (j == nitems(roles))
				rerr(p, col, "unknown role '%s' (whois, txt, constructed, approver, ev-contact)", w);
			else
				strv_add(&c.roles, w);
		}
		if (c.roles.n == 0) {
			if (col == 0 && p->errors == 0)
				rerr(p, kwcol, "'role' needs at least one role");
			strv_free(&c.roles);
			return;
		}
	} else {
		if (c.kind == C_HEADER) {
			if (next_word(line, &s, w, sizeof(w)) == 0 || w[0] == '/') {
				rerr(p, kwcol, "'header' needs a header name before the regex");
				return;
			}
			c.header = xstrdup(w);
		} else if (c.kind == C_LINK) {
			const char *save = s;
			col = next_word(line, &s, w, sizeof(w));
			if (!strcmp(w, "approve"))
				c.link = L_APPROVE;
			else if (!strcmp(w, "reject"))
				c.link = L_REJECT;
			else if (!strcmp(w, "info"))
				c.link = L_INFO;
			else if (w[0] == '/')
				s = save;
			else {
				rerr(p, col, "unknown link kind '%s' (approve, reject, info)", w);
				return;
			}
			if (negate && c.link != L_ANY) {
				rerr(p, kwcol, "'not link' takes no link kind");
				return;
			}
		}
		c.re = parse_regex(p, line, s, &c.src, (p->jit_mask >> c.kind) & 1);
		if (c.re == NULL) {
			free(c.header);
			return;
		}
	}
	p->rule->conds = xreallocarray(p->rule->conds, p->rule->nconds + 1, sizeof(*p->rule->conds));
	p->rule->conds[p->rule->nconds++] = c;
}

static void
approve_kw(struct rparser *p, const char *line, const char *s, const char *kw, int kwcol)
{
	struct approve_form *f = &p->rule->form;
	char w[256];
	int col;

	p->rule->has_form = 1;
	if (!strcmp(kw, "approve-method")) {
		col = next_word(line, &s, w, sizeof(w));
		if (strcmp(w, "get") && strcmp(w, "post")) {
			rerr(p, col ? col : kwcol, "approve-method is get or post");
			return;
		}
		free(f->method);
		f->method = xstrdup(!strcmp(w, "get") ? "GET" : "POST");
	} else if (!strcmp(kw, "approve-field")) {
		char val[1024];
		if (next_word(line, &s, w, sizeof(w)) == 0 || next_word(line, &s, val, sizeof(val)) == 0) {
			rerr(p, kwcol, "approve-field needs a NAME and a value template");
			return;
		}
		f->names = xreallocarray(f->names, f->nfields + 1, sizeof(*f->names));
		f->values = xreallocarray(f->values, f->nfields + 1, sizeof(*f->values));
		f->names[f->nfields] = xstrdup(w);
		f->values[f->nfields++] = xstrdup(val);
	} else if (!strcmp(kw, "approve-page-shows")) {
		int n = 0;
		while ((col = next_word(line, &s, w, sizeof(w))) != 0) {
			if (strcmp(w, "domain") && strcmp(w, "order")) {
				rerr(p, col, "approve-page-shows names domain or order, not '%s'", w);
				return;
			}
			f->page_shows = xreallocarray(f->page_shows, f->npage_shows + 1, sizeof(*f->page_shows));
			f->page_shows[f->npage_shows++] = xstrdup(w);
			n++;
		}
		if (n == 0)
			rerr(p, kwcol, "approve-page-shows needs domain and/or order");
	} else {
		char *src = NULL;
		pcre2_code *re = parse_regex(p, line, s, &src, 0);
		if (re == NULL)
			return;
		if (f->success_re)
			pcre2_code_free(f->success_re);
		free(f->success_src);
		f->success_re = re;
		f->success_src = src;
	}
}

static void
rule_kw(struct rparser *p, const char *line, const char *s, const char *kw, int kwcol)
{
	char w[512];
	int col;

	if (p->rule == NULL) {
		rerr(p, kwcol, "'%s' outside a rule (start one with 'rule ID')", kw);
		return;
	}
	if (!strcmp(kw, "type")) {
		col = next_word(line, &s, w, sizeof(w));
		enum vtype t;
		if (col == 0)
			rerr(p, kwcol, "'type' needs a type");
		else if (vtype_from_name(w, &t) == -1 || t == VT_UNKNOWN || t == VT_SUSPICIOUS || t == VT_MALFORMED ||
			 t == VT_OVERSIZED)
			rerr(p, col, "unknown type '%s' (dcv, ev-intent, documents, issued, reminder, notice)", w);
		else
			p->rule->type = t;
	} else if (!strcmp(kw, "dedup")) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			rerr(p, kwcol, "'dedup' needs a template such as {ca}:{order}");
		else {
			free(p->rule->dedup);
			p->rule->dedup = xstrdup(s);
		}
	} else if (!strncmp(kw, "approve-", 8) && (!strcmp(kw, "approve-method") || !strcmp(kw, "approve-field") ||
						   !strcmp(kw, "approve-success") || !strcmp(kw, "approve-page-shows")))
		approve_kw(p, line, s, kw, kwcol);
	else if (!strcmp(kw, "not")) {
		col = next_word(line, &s, w, sizeof(w));
		if (col == 0)
			rerr(p, kwcol, "'not' needs a condition");
		else
			add_cond(p, line, s, w, col, 1);
	} else
		add_cond(p, line, s, kw, kwcol, 0);
}

static void
parse_line(struct rparser *p, const char *line)
{
	char kw[64];
	const char *s = line;
	int col = next_word(line, &s, kw, sizeof(kw));

	if (col == 0 || kw[0] == '#')
		return;
	if (!strcmp(kw, "ca")) {
		end_rule(p);
		start_ca(p, line, s);
	} else if (!strcmp(kw, "rule"))
		start_rule(p, line, s);
	else if (p->ca == NULL)
		rerr(p, col, "'%s' before any 'ca' block", kw);
	else if (!strcmp(kw, "from-domain"))
		add_list(p, line, s, &p->ca->from_domains, &p->ca->nfrom_domains, 1);
	else if (!strcmp(kw, "dkim-domain"))
		add_list(p, line, s, &p->ca->dkim_domains, &p->ca->ndkim_domains, 1);
	else if (!strcmp(kw, "link-host"))
		add_list(p, line, s, &p->ca->link_hosts, &p->ca->nlink_hosts, 1);
	else if (!strcmp(kw, "fallback-link"))
		fallback_link(p, line, s, col);
	else
		rule_kw(p, line, s, kw, col);
}

static int
parse_file(struct rparser *p, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL) {
		p->line = 0;
		rerr(p, 0, "%s", strerror(errno));
		return -1;
	}
	p->ca = NULL;
	p->rule = NULL;
	p->line = 0;
	while ((n = getline(&line, &cap, f)) != -1) {
		p->line++;
		if ((size_t)n > MAX_LINE) {
			rerr(p, 1, "line longer than %d bytes", MAX_LINE);
			continue;
		}
		if (memchr(line, '\0', (size_t)n)) {
			rerr(p, 1, "NUL byte in line");
			continue;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		parse_line(p, line);
	}
	end_rule(p);
	for (size_t i = 0; i < p->rs->ncas; i++) {
		struct ca_def *ca = p->rs->cas[i];
		if (ca->file != p->file)
			continue;
		p->line = ca->line;
		if (ca->nfrom_domains == 0)
			rerr(p, 1, "ca '%s' has no from-domain", ca->id);
		if (ca->nlink_hosts == 0)
			rerr(p, 1, "ca '%s' has no link-host", ca->id);
	}
	free(line);
	fclose(f);
	return 0;
}

static struct ruleset *
ruleset_new(enum rules_mode mode)
{
	static unsigned long serial;
	struct ruleset *rs = xcalloc(1, sizeof(*rs));

	rs->mode = mode;
	rs->serial = ++serial;
	rs->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(rs->mctx, RULES_MATCH_LIMIT);
	pcre2_set_depth_limit(rs->mctx, RULES_DEPTH_LIMIT);
	return rs;
}

static int
finish(struct rparser *p, struct ruleset **out)
{
	if (p->errors) {
		rules_free(p->rs);
		*out = NULL;
		return p->errors;
	}
	*out = p->rs;
	return 0;
}

static void
init_parser(struct rparser *p, enum rules_mode mode, rules_diag_fn diag, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->diag = diag;
	p->arg = arg;
	p->rs = ruleset_new(mode);
	/* Batch mode JITs everything. Pipe mode JITs nothing up front: a
	 * pattern is JIT-compiled when it first meets a subject large enough
	 * to pay for it (classify.c re_match); for the few kB of a CA mail the
	 * interpreter is quicker than compiling (h-speed: 5% of a lone pipe). */
	p->jit_mask = mode == RULES_MODE_BATCH ? 0xff : 0;
}

int
rules_load_file(const char *path, enum rules_mode mode, struct ruleset **out, rules_diag_fn diag, void *arg)
{
	struct rparser p;

	init_parser(&p, mode, diag, arg);
	strv_add(&p.rs->files, path);
	p.file = p.rs->files.v[0];
	parse_file(&p, path);
	return finish(&p, out);
}

/* Sort by file name (the part after the last '/'), so that the order does not
 * depend on which directory of the list a file came from. */
static int
cmp_base(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	return strcmp(strrchr(x, '/') + 1, strrchr(y, '/') + 1);
}

/* Add DIR's *.rules files to names; one whose name is already there (from an
 * earlier directory of the list) replaces it. Returns -1 (errno) if DIR
 * cannot be read. */
static int
add_rules_dir(struct strv *names, const char *dir)
{
	DIR *d;
	struct dirent *e;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name), i;
		if (e->d_name[0] == '.' || l <= 6 || strcmp(e->d_name + l - 6, ".rules"))
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		for (i = 0; i < names->n; i++)
			if (!strcmp(strrchr(names->v[i], '/') + 1, e->d_name))
				break;
		if (i < names->n) {
			free(names->v[i]);
			names->v[i] = path;
		} else
			strv_add_owned(names, path);
	}
	closedir(d);
	return 0;
}

int
rules_load(const char *dir, enum rules_mode mode, struct ruleset **out, rules_diag_fn diag, void *arg)
{
	struct rparser p;
	struct strv names = { 0 };
	char *list = xstrdup(dir), *save = NULL;

	init_parser(&p, mode, diag, arg);
	/* dir is a list "DIR[:DIR...]": later directories override earlier ones */
	for (char *one = strtok_r(list, ":", &save); one; one = strtok_r(NULL, ":", &save)) {
		if (add_rules_dir(&names, one) == -1) {
			int e = errno;
			strv_add(&p.rs->files, one);
			p.file = p.rs->files.v[p.rs->files.n - 1];
			rerr(&p, 0, "%s", strerror(e));
		}
	}
	free(list);
	if (p.errors) {
		strv_free(&names);
		return finish(&p, out);
	}
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), cmp_base);
	for (size_t i = 0; i < names.n; i++) {
		strv_add(&p.rs->files, names.v[i]);
		p.file = p.rs->files.v[p.rs->files.n - 1];
		parse_file(&p, p.file);
	}
	if (names.n == 0) {
		p.file = dir;
		p.line = 0;
		rerr(&p, 0, "no *.rules files: refusing to run without rules");
	}
	strv_free(&names);
	return finish(&p, out);
}

static void
free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
rules_free(struct ruleset *rs)
{
	if (rs == NULL)
		return;
	for (size_t i = 0; i < rs->nrules; i++) {
		struct rule *r = rs->rules[i];
		for (size_t j = 0; j < r->nconds; j++) {
			pcre2_code_free(r->conds[j].re);
			free(r->conds[j].src);
			free(r->conds[j].header);
			strv_free(&r->conds[j].roles);
		}
		free(r->conds);
		free(r->id);
		free(r->dedup);
		free(r->form.method);
		free_strs(r->form.names, r->form.nfields);
		free_strs(r->form.values, r->form.nfields);
		if (r->form.success_re)
			pcre2_code_free(r->form.success_re);
		free(r->form.success_src);
		free_strs(r->form.page_shows, r->form.npage_shows);
		free(r);
	}
	free(rs->rules);
	for (size_t i = 0; i < rs->ncas; i++) {
		struct ca_def *ca = rs->cas[i];
		free(ca->id);
		free(ca->name);
		free_strs(ca->from_domains, ca->nfrom_domains);
		free_strs(ca->dkim_domains, ca->ndkim_domains);
		free_strs(ca->link_hosts, ca->nlink_hosts);
		if (ca->fallback_re)
			pcre2_code_free(ca->fallback_re);
		free(ca->fallback_src);
		if (ca->brands)
			free_strs(ca->brands, ca->nlink_hosts + ca->nfrom_domains);
		free(ca->name_brand);
		free(ca->id_skeleton);
		free(ca);
	}
	free(rs->cas);
	strv_free(&rs->files);
	pcre2_match_context_free(rs->mctx);
	free(rs);
}

size_t
rules_count(const struct ruleset *rs)
{
	return rs ? rs->nrules : 0;
}

enum rules_mode
rules_mode_of(const struct ruleset *rs)
{
	return rs ? rs->mode : RULES_MODE_SINGLE;
}

unsigned long
rules_serial(const struct ruleset *rs)
{
	return rs ? rs->serial : 0;
}

size_t
rules_ca_count(const struct ruleset *rs)
{
	return rs ? rs->ncas : 0;
}

size_t
rules_file_count(const struct ruleset *rs)
{
	return rs ? rs->files.n : 0;
}

int
rules_rule_at(const struct ruleset *rs, size_t i, struct rule_info *ri)
{
	const struct rule *ru;

	if (rs == NULL || i >= rs->nrules)
		return -1;
	ru = rs->rules[i];
	ri->ca = ru->ca->id;
	ri->id = ru->id;
	ri->type = ru->type;
	ri->file = ru->file;
	ri->line = ru->line;
	return 0;
}

const struct ca_def *
rules_ca_at(const struct ruleset *rs, size_t i)
{
	return rs && i < rs->ncas ? rs->cas[i] : NULL;
}

const struct ca_def *
rules_ca(const struct ruleset *rs, const char *id)
{
	for (size_t i = 0; rs && id && i < rs->ncas; i++)
		if (!strcmp(rs->cas[i]->id, id))
			return rs->cas[i];
	return NULL;
}

const struct approve_form *
rules_approve_form(const struct ruleset *rs, const char *rule_id)
{
	for (size_t i = 0; rs && rule_id && i < rs->nrules; i++)
		if (!strcmp(rs->rules[i]->id, rule_id))
			return rs->rules[i]->has_form ? &rs->rules[i]->form : NULL;
	return NULL;
}
