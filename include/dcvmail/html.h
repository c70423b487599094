/* html.h — HTML rendered to text for matching; links kept. */
#ifndef DCVMAIL_HTML_H
#define DCVMAIL_HTML_H

#include <stddef.h>
#include "links.h"
#include "util.h"

/* Render UTF-8 html to text appended to out; every <a href> goes to ls. */
void html_render(const char *html, size_t len, struct buf *out, struct linkset *ls);

#endif
