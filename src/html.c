/* html.c — HTML to plain text with libxml2's HTML parser; hrefs become links. */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "dcvmail/msgparse.h"
#include "dcvmail/util.h"

#define MAX_ANCHORS 64

static const char *const blocks[] = {
	"address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
	"details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
	"footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "legend",
	"li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
	"tfoot", "thead", "tr", "ul",
};
static const char *const dropped[] = {
	"head", "script", "style", "template", "title", "object", "embed", "applet", "iframe",
};

struct render {
	struct buf *out;
	size_t max;
	struct linkset *ls;
	int pre;
	int nanchors;
	struct {
		xmlNodePtr node;
		size_t start;
		char *href;
	} anchors[MAX_ANCHORS];
};

static int
in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(name, list[i]))
			return 1;
	return 0;
}

static int
last_char(const struct render *r)
{
	return r->out->len ? r->out->data[r->out->len - 1] : '\n';
}

static void
newline(struct render *r)
{
	while (r->out->len && r->out->data[r->out->len - 1] == ' ')
		r->out->data[--r->out->len] = '\0';
	if (last_char(r) != '\n')
		tbuf_add(r->out, "\n", 1, r->max);
}

static void
text(struct render *r, const char *s)
{
	const char *run = s;

	if (r->pre) {
		tbuf_add(r->out, s, strlen(s), r->max);
		return;
	}
	for (; *s; s++) {
		int sp = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f';
		int nbsp = (unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0;
		if (!sp && !nbsp)
			continue;
		tbuf_add(r->out, run, (size_t)(s - run), r->max);
		if (last_char(r) != ' ' && last_char(r) != '\n')
			tbuf_add(r->out, " ", 1, r->max);
		s += nbsp;
		run = s + 1;
	}
	tbuf_add(r->out, run, (size_t)(s - run), r->max);
}

/* Returns 1 to descend into the children. */
static int
enter(struct render *r, xmlNodePtr n)
{
	const char *name = (const char *)n->name;

	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (n->content)
			text(r, (const char *)n->content);
		return 0;
	}
	if (n->type != XML_ELEMENT_NODE || name == NULL)
		return 0;
	if (in_list(name, dropped, nitems(dropped)))
		return 0;
	if (in_list(name, blocks, nitems(blocks)))
		newline(r);
	else if (!strcasecmp(name, "td") || !strcasecmp(name, "th"))
		text(r, " ");
	if (!strcasecmp(name, "pre"))
		r->pre++;
	if (!strcasecmp(name, "a") && r->nanchors < MAX_ANCHORS) {
		xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
		if (href) {
			r->anchors[r->nanchors].node = n;
			r->anchors[r->nanchors].start = r->out->len;
			r->anchors[r->nanchors].href = xstrdup((char *)href);
			r->nanchors++;
			xmlFree(href);
		}
	}
	return 1;
}

static void
leave(struct render *r, xmlNodePtr n)
{
	const char *name = (const char *)n->name;

	if (n->type != XML_ELEMENT_NODE || name == NULL)
		return;
	if (!strcasecmp(name, "pre") && r->pre > 0)
		r->pre--;
	if (r->nanchors > 0 && r->anchors[r->nanchors - 1].node == n) {
		int i = --r->nanchors;
		size_t st = r->anchors[i].start;
		char *t = xstrndup(r->out->data ? r->out->data + st : "", r->out->len - st);
		links_add(r->ls, r->anchors[i].href, strlen(r->anchors[i].href), t, 1);
		free(t);
		free(r->anchors[i].href);
	}
	if (in_list(name, blocks, nitems(blocks)) && strcasecmp(name, "br"))
		newline(r);
}

/* Iterative walk: documents nest deeper than we want to recurse. */
static void
walk(struct render *r, xmlNodePtr top)
{
	xmlNodePtr cur = top;

	while (cur) {
		if (enter(r, cur) && cur->children) {
			cur = cur->children;
			continue;
		}
		for (;;) {
			leave(r, cur);
			if (cur == top) {
				cur = NULL;
				break;
			}
			if (cur->next) {
				cur = cur->next;
				break;
			}
			cur = cur->parent;
		}
	}
}

void
html_render(const char *html, size_t len, struct buf *out, size_t max, struct linkset *ls)
{
	struct render r;
	htmlDocPtr doc;
	xmlNodePtr root;
	size_t start = out->len;

	if (len == 0)
		return;
	if (len > INT_MAX - 1)
		len = INT_MAX - 1;
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
				     HTML_PARSE_NONET | HTML_PARSE_NOBLANKS | XML_PARSE_HUGE);
	if (doc == NULL)
		return;
	memset(&r, 0, sizeof(r));
	r.out = out;
	r.max = max;
	r.ls = ls;
	if ((root = xmlDocGetRootElement(doc)) != NULL)
		walk(&r, root);
	while (r.nanchors > 0)
		free(r.anchors[--r.nanchors].href);
	xmlFreeDoc(doc);
	/* trim the rendered text */
	while (out->len > start && (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == ' '))
		out->data[--out->len] = '\0';
}
