/* table.h — the columns of human output (list, report, expect list), each
 * as wide as its widest cell by display width (base/width.h), so that rows
 * with Japanese text line up. */
#ifndef DCVMAIL_TABLE_H
#define DCVMAIL_TABLE_H

#include <stdio.h>

#include "base/util.h"

struct table {
	const char *align; /* one letter per column: 'l' left, 'r' right */
	size_t ncols;
	struct strv cells; /* row after row, ncols each; the first row is the header */
};

void table_init(struct table *, const char *align);
/* One row of ncols cells (copied; NULL shows as "-"), already sanitised. */
void table_row(struct table *, ...);
/* Every row, columns one space apart, the last one not padded; frees the table. */
void table_print(struct table *, FILE *out);

#endif
