/* html.c — HTML to plain text with libxml2's HTML parser; hrefs become links. */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <dlfcn.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "mail/msgparse.h"
#include "base/dl.h"
#include "base/log.h"
#include "base/util.h"

/* h-speed: libxml2 (and the ICU and C++ libraries it brings) is loaded
 * when the first HTML part is rendered, not by every run of the program:
 * it is a fifth of a lone `dcvmail pipe`'s start-up. The names below are
 * the only ones this file uses. */
#define DCVMAIL_LIBXML2 "libxml2.so.2"
static struct {
	htmlParserCtxtPtr (*create)(const char *, int);
	int (*use_options)(htmlParserCtxtPtr, int);
	xmlCharEncodingHandlerPtr (*find_enc)(const char *);
	int (*switch_enc)(xmlParserCtxtPtr, xmlCharEncodingHandlerPtr);
	int (*parse)(htmlParserCtxtPtr);
	void (*free_ctxt)(htmlParserCtxtPtr);
	void (*stop)(xmlParserCtxtPtr);
	void (*init)(void);
	xmlFreeFunc *free_fn;
} X;

static void
xml_load(void)
{
	void *h;

	if (X.parse)
		return;
	/* failing, the run ends (pipe mode: exit 75 with the reason, base/dl.h) */
	if ((h = dlopen(DCVMAIL_LIBXML2, RTLD_NOW | RTLD_LOCAL)) == NULL)
		lib_fail(xasprintf("cannot load %s to read HTML mail: %s", DCVMAIL_LIBXML2, dlerror()));
#define SYM(field, name)                                                                                               \
	if ((*(void **)&X.field = dlsym(h, name)) == NULL)                                                             \
		lib_fail(xasprintf("%s: no %s: %s", DCVMAIL_LIBXML2, name, dlerror()));
	SYM(create, "htmlCreateMemoryParserCtxt");
	SYM(use_options, "htmlCtxtUseOptions");
	SYM(find_enc, "xmlFindCharEncodingHandler");
	SYM(switch_enc, "xmlSwitchToEncoding");
	SYM(free_ctxt, "htmlFreeParserCtxt");
	SYM(stop, "xmlStopParser");
	SYM(init, "xmlInitParser");
	SYM(free_fn, "xmlFree");
	SYM(parse, "htmlParseDocument");
#undef SYM
	X.init();
}
#define htmlCreateMemoryParserCtxt X.create
#define htmlCtxtUseOptions X.use_options
#define xmlFindCharEncodingHandler X.find_enc
#define xmlSwitchToEncoding X.switch_enc
#define htmlParseDocument X.parse
#define htmlFreeParserCtxt X.free_ctxt
#define xmlStopParser X.stop
#undef xmlFree
#define xmlFree (*X.free_fn)

#define MAX_ANCHORS 64

static const char *const blocks[] = {
	"address", "article", "aside",	 "blockquote", "body",	"br",	 "caption",  "center",	   "dd",
	"details", "dialog",  "dir",	 "div",	       "dl",	"dt",	 "fieldset", "figcaption", "figure",
	"footer",  "form",    "h1",	 "h2",	       "h3",	"h4",	 "h5",	     "h6",	   "header",
	"hr",	   "html",    "legend",	 "li",	       "main",	"menu",	 "nav",	     "ol",	   "p",
	"pre",	   "section", "summary", "table",      "tbody", "tfoot", "thead",    "tr",	   "ul",
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
	int depth;    /* open elements, the root being 1 */
	int skip;     /* depth of the dropped element being skipped, else 0 */
	int done;     /* the root element has closed: the rest is not rendered */
	int too_deep; /* stopped at HTML_MAX_DEPTH */
	long errors;  /* syntax errors the parser recovered from */
	/* what libxml2's tree builder would know for whitespace handling:
	 * the last child of the current element (comments aside) */
	enum { LAST_NONE, LAST_TEXT, LAST_ELEM } last;
	const char *last_name;
	int strict_dtd; /* <!DOCTYPE> names HTML 4.01 or 4 strict */
	/* what each tag name is, by the parser's interned name pointer */
	struct {
		const char *name;
		unsigned flags;
	} kinds[256];
	struct {
		int depth;
		size_t start;
		char *href;
	} anchors[MAX_ANCHORS];
};

/* The lists are in lower case: the first letter tells most names apart. */
static int
in_list(const char *name, const char *const *list, size_t n)
{
	int c0 = name[0] >= 'A' && name[0] <= 'Z' ? name[0] + 32 : name[0];

	for (size_t i = 0; i < n; i++)
		if (list[i][0] == c0 && !strcasecmp(name, list[i]))
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

/* Text of len bytes (up to a NUL byte in it) with runs of white space as
 * one space. */
static void
text(struct render *r, const char *s, size_t len)
{
	const char *run = s, *e;

	if ((e = memchr(s, '\0', len)) == NULL)
		e = s + len;
	if (r->pre) {
		tbuf_add(r->out, s, (size_t)(e - s), r->max);
		return;
	}
	for (; s < e; s++) {
		int sp = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f';
		int nbsp = (unsigned char)s[0] == 0xc2 && s + 1 < e && (unsigned char)s[1] == 0xa0;
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

/* The HTML parser's "allowPCData" list: whitespace next to these is text. */
static const char *const pcdata[] = {
	"a",	   "abbr",   "acronym", "address",  "applet",	"b",	  "bdo", "big", "blockquote", "body", "button",
	"caption", "center", "cite",	"code",	    "dd",	"del",	  "dfn", "div", "dt",	      "em",   "font",
	"form",	   "h1",     "h2",	"h3",	    "h4",	"h5",	  "h6",	 "i",	"iframe",     "ins",  "kbd",
	"label",   "legend", "li",	"noframes", "noscript", "object", "p",	 "pre", "q",	      "s",    "samp",
	"small",   "span",   "strike",	"strong",   "td",	"th",	  "tt",	 "u",	"var",
};

static int
all_blank(const xmlChar *s, int len)
{
	for (int i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

enum { K_DROPPED = 1, K_BLOCK = 2, K_PCDATA = 4, K_CELL = 8, K_PRE = 16, K_A = 32, K_BR = 64 };

static unsigned
kind_of(const char *name)
{
	return (in_list(name, dropped, nitems(dropped)) ? K_DROPPED : 0) |
	       (in_list(name, blocks, nitems(blocks)) ? K_BLOCK : 0) |
	       (in_list(name, pcdata, nitems(pcdata)) ? K_PCDATA : 0) |
	       (!strcasecmp(name, "td") || !strcasecmp(name, "th") ? K_CELL : 0) |
	       (!strcasecmp(name, "pre") ? K_PRE : 0) | (!strcasecmp(name, "a") ? K_A : 0) |
	       (!strcasecmp(name, "br") ? K_BR : 0);
}

/* The parser interns tag names, so each distinct name is looked up in the
 * lists once per document, not once per tag. */
static unsigned
kind(struct render *r, const char *name)
{
	size_t h = ((uintptr_t)name >> 3) % nitems(r->kinds);

	for (size_t probes = 0; probes < nitems(r->kinds); probes++, h = (h + 1) % nitems(r->kinds)) {
		if (r->kinds[h].name == name)
			return r->kinds[h].flags;
		if (r->kinds[h].name == NULL) {
			r->kinds[h].name = name;
			return r->kinds[h].flags = kind_of(name);
		}
	}
	return kind_of(name); /* more distinct names than slots */
}

/* Whitespace the tree builder would have dropped (HTML_PARSE_NOBLANKS): the
 * parser asks the tree for that, and without a tree it cannot, so the same
 * rule is applied here from what the renderer remembers of the tree. */
static int
ignorable_blank(htmlParserCtxtPtr ctxt, struct render *r, const xmlChar *s, int len)
{
	const char *name = (const char *)ctxt->name;

	if (!all_blank(s, len) || ctxt->input == NULL || ctxt->input->cur == NULL)
		return 0;
	if (*ctxt->input->cur == 0)
		return 1;
	if (*ctxt->input->cur != '<')
		return 0;
	if (name == NULL || !strcmp(name, "html") || !strcmp(name, "head"))
		return 1;
	if (!strcmp(name, "body") && r->strict_dtd)
		return 1;
	if (r->last == LAST_TEXT)
		return 0;
	if (r->last == LAST_NONE)
		return !(kind(r, name) & K_PCDATA);
	return !(kind(r, r->last_name) & K_PCDATA);
}

static void
sax_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	struct render *r = ((htmlParserCtxtPtr)ctx)->_private;

	if (ext && (!strcasecmp((const char *)ext, "-//W3C//DTD HTML 4.01//EN") ||
		    !strcasecmp((const char *)ext, "-//W3C//DTD HTML 4//EN")))
		r->strict_dtd = 1;
}

static void
sax_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
	htmlParserCtxtPtr ctxt = ctx;
	struct render *r = ctxt->_private;
	const char *name = (const char *)xname;
	unsigned k;

	if (r->done)
		return;
	if (++r->depth > HTML_MAX_DEPTH) {
		r->too_deep = 1;
		r->done = 1;
		xmlStopParser(ctxt);
		return;
	}
	r->last = LAST_NONE;
	if (r->skip || name == NULL)
		return;
	k = kind(r, name);
	if (k & K_DROPPED) {
		r->skip = r->depth;
		return;
	}
	if (k & K_BLOCK)
		newline(r);
	else if (k & K_CELL)
		text(r, " ", 1);
	if (k & K_PRE)
		r->pre++;
	if ((k & K_A) && r->nanchors < MAX_ANCHORS) {
		for (int i = 0; atts && atts[i]; i += 2) {
			if (strcasecmp((const char *)atts[i], "href"))
				continue;
			r->anchors[r->nanchors].depth = r->depth;
			r->anchors[r->nanchors].start = r->out->len;
			r->anchors[r->nanchors].href = xstrdup(atts[i + 1] ? (const char *)atts[i + 1] : "");
			r->nanchors++;
			break;
		}
	}
}

static void
sax_end(void *ctx, const xmlChar *xname)
{
	htmlParserCtxtPtr ctxt = ctx;
	struct render *r = ctxt->_private;
	const char *name = (const char *)xname;
	unsigned k;
	int d;

	if (r->done || r->depth == 0)
		return;
	d = r->depth--;
	r->last = LAST_ELEM;
	r->last_name = name ? name : "";
	if (r->depth == 0)
		r->done = 1; /* like a walk from the root element: later roots are not shown */
	if (r->skip) {
		if (r->skip == d)
			r->skip = 0;
		return;
	}
	if (name == NULL)
		return;
	k = kind(r, name);
	if ((k & K_PRE) && r->pre > 0)
		r->pre--;
	if (r->nanchors > 0 && r->anchors[r->nanchors - 1].depth == d) {
		int i = --r->nanchors;
		size_t st = r->anchors[i].start;
		links_add_n(r->ls, r->anchors[i].href, strlen(r->anchors[i].href),
			    r->out->data ? r->out->data + st : "", r->out->len - st, 1);
		free(r->anchors[i].href);
	}
	if ((k & K_BLOCK) && !(k & K_BR))
		newline(r);
}

static void
sax_text(void *ctx, const xmlChar *s, int len)
{
	htmlParserCtxtPtr ctxt = ctx;
	struct render *r = ctxt->_private;

	if (r->done || r->depth == 0 || ignorable_blank(ctxt, r, s, len))
		return;
	r->last = LAST_TEXT;
	if (r->skip || len <= 0)
		return;
	text(r, (const char *)s, (size_t)len);
}

static void
sax_cdata(void *ctx, const xmlChar *s, int len)
{
	htmlParserCtxtPtr ctxt = ctx;
	struct render *r = ctxt->_private;

	if (r->done || r->depth == 0)
		return;
	r->last = LAST_TEXT;
	if (r->skip || len <= 0)
		return;
	text(r, (const char *)s, (size_t)len);
}

/* Recovering from an error (a stray end tag searches every open element)
 * is the parser's slow path: past HTML_MAX_ERRORS the rendering stops. */
static void
sax_error(void *ctx, const char *msg, ...)
{
	htmlParserCtxtPtr ctxt = ctx;
	struct render *r = ctxt->_private;

	if (++r->errors > HTML_MAX_ERRORS && !r->done) {
		r->done = 1;
		xmlStopParser(ctxt);
	}
}

static void
sax_ignore(void *ctx, const xmlChar *s, int len)
{
}

/* Streaming: libxml2's HTML parser calls back per tag and text run and no
 * tree is built, so memory does not grow with the number of elements. The
 * parser keeps a stack of open element names, which HTML_MAX_DEPTH bounds
 * (and with it the time an end tag takes to find its element); HTML_MAX_ERRORS
 * bounds how often that search can be forced. */
int
html_render(const char *html, size_t len, struct buf *out, size_t max, struct linkset *ls)
{
	struct render r;
	htmlSAXHandler sax;
	htmlParserCtxtPtr ctxt;
	xmlCharEncodingHandlerPtr enc;
	size_t start = out->len;

	if (len == 0)
		return 0;
	if (len > INT_MAX - 1)
		len = INT_MAX - 1;
	xml_load();
	if ((ctxt = htmlCreateMemoryParserCtxt(html, (int)len)) == NULL)
		return 0;
	htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
					 HTML_PARSE_NOBLANKS | XML_PARSE_HUGE);
	if ((enc = xmlFindCharEncodingHandler("UTF-8")) != NULL)
		xmlSwitchToEncoding(ctxt, enc);
	memset(&sax, 0, sizeof(sax));
	sax.internalSubset = sax_internal_subset;
	sax.startElement = sax_start;
	sax.endElement = sax_end;
	sax.characters = sax_text;
	sax.cdataBlock = sax_cdata;
	sax.ignorableWhitespace = sax_ignore;
	sax.error = sax_error;
	sax.initialized = 1;
	memset(&r, 0, sizeof(r));
	r.out = out;
	r.max = max;
	r.ls = ls;
	xmlFree(ctxt->sax);
	ctxt->sax = &sax;
	ctxt->userData = ctxt;
	ctxt->_private = &r;
	htmlParseDocument(ctxt);
	ctxt->sax = NULL;
	ctxt->_private = NULL;
	htmlFreeParserCtxt(ctxt);
	while (r.nanchors > 0)
		free(r.anchors[--r.nanchors].href);
	/* trim the rendered text */
	while (out->len > start && (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == ' '))
		out->data[--out->len] = '\0';
	if (r.too_deep)
		return HTML_TOO_DEEP;
	return r.errors > HTML_MAX_ERRORS ? HTML_TOO_MANY_ERRORS : 0;
}
