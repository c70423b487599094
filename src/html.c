/* html.c — HTML to text with libxml2's forgiving parser; every <a href> kept. */
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "dcvmail/html.h"
#include "dcvmail/util.h"

#define MAX_DEPTH 256

static int
is_block(const char *n)
{
	static const char *const blocks[] = {
		"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4",
		"h5", "h6", "blockquote", "pre", "hr", "section", "article", "header",
		"footer", "dd", "dt", "dl", "center", "form", "title", "address",
	};
	for (size_t i = 0; i < nitems(blocks); i++)
		if (!strcasecmp(n, blocks[i]))
			return 1;
	return 0;
}

static void
newline(struct buf *out)
{
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		buf_addc(out, '\n');
}

/* Collapse white space the way a browser shows it. */
static void
add_text(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (out->len > 0 && out->data[out->len - 1] != ' ' && out->data[out->len - 1] != '\n')
				buf_addc(out, ' ');
			continue;
		}
		buf_addc(out, c);
	}
}

static void
walk(xmlNode *n, struct buf *out, struct linkset *ls, int depth)
{
	for (; n != NULL; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				add_text(out, (const char *)n->content);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE || n->name == NULL)
			continue;
		const char *name = (const char *)n->name;
		if (!strcasecmp(name, "script") || !strcasecmp(name, "style"))
			continue;
		if (is_block(name))
			newline(out);
		if (!strcasecmp(name, "a")) {
			xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
			size_t start = out->len;
			if (depth < MAX_DEPTH)
				walk(n->children, out, ls, depth + 1);
			if (href) {
				char *text = xstrndup(out->data ? out->data + start : "", out->len - start);
				char *t = trim(text);
				const char *h = (const char *)href;
				while (*h == ' ' || *h == '\t' || *h == '\n' || *h == '\r')
					h++;
				links_add(ls, h, strlen(h), t, 1);
				free(text);
				xmlFree(href);
			}
		} else if (depth < MAX_DEPTH)
			walk(n->children, out, ls, depth + 1);
		if (is_block(name))
			newline(out);
	}
}

void
html_render(const char *html, size_t len, struct buf *out, struct linkset *ls)
{
	htmlDocPtr doc;
	int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
		   HTML_PARSE_NONET | HTML_PARSE_COMPACT;

	if (len == 0 || len > (size_t)INT32_MAX)
		return;
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8", opts);
	if (doc == NULL)
		return;
	walk(xmlDocGetRootElement(doc), out, ls, 0);
	xmlFreeDoc(doc);
}
