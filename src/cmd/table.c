/* table.c — columns sized to their content by display width (table.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/width.h"
#include "cmd/table.h"

void
table_init(struct table *t, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->align = align;
	t->ncols = strlen(align);
}

void
table_row(struct table *t, ...)
{
	va_list ap;

	va_start(ap, t);
	for (size_t i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);
		strv_add(&t->cells, s ? s : "-");
	}
	va_end(ap);
}

static void
pad(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

void
table_print(struct table *t, FILE *out)
{
	size_t nrows = t->ncols ? t->cells.n / t->ncols : 0;
	size_t *w = xcalloc(t->ncols ? t->ncols : 1, sizeof(*w));
	size_t *cw = xcalloc(t->cells.n ? t->cells.n : 1, sizeof(*cw));

	for (size_t i = 0; i < t->cells.n; i++) {
		cw[i] = text_width(t->cells.v[i]);
		if (cw[i] > w[i % t->ncols])
			w[i % t->ncols] = cw[i];
	}
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			size_t i = r * t->ncols + c, fill = w[c] - cw[i];
			int last = c + 1 == t->ncols;
			if (c)
				fputc(' ', out);
			if (t->align[c] == 'r')
				pad(out, fill);
			fputs(t->cells.v[i], out);
			if (t->align[c] != 'r' && !last)
				pad(out, fill);
		}
		fputc('\n', out);
	}
	free(w);
	free(cw);
	strv_free(&t->cells);
}
