/* width.c — display width of UTF-8 text (width.h). The locale is switched
 * for the calling thread only (uselocale), so the rest of dcvmail keeps the
 * C locale: dates, number formats and ctype stay as they are. */
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base/util.h"
#include "base/width.h"

static locale_t utf8_loc;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void
utf8_load(void)
{
	utf8_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8_loc == (locale_t)0)
		utf8_loc = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
}

size_t
text_width(const char *s)
{
	size_t w = 0;
	mbstate_t st;
	locale_t old;

	pthread_once(&utf8_once, utf8_load);
	if (utf8_loc == (locale_t)0) /* no UTF-8 locale at all: count characters */
		return strlen(s);
	old = uselocale(utf8_loc);
	/* the usual case: well-formed text of printable characters */
	size_t nw = mbstowcs(NULL, s, 0);
	if (nw != (size_t)-1) {
		wchar_t *ws = xcalloc(nw + 1, sizeof(*ws));
		mbstowcs(ws, s, nw + 1);
		int sw = wcswidth(ws, nw);
		free(ws);
		if (sw >= 0) {
			uselocale(old);
			return (size_t)sw;
		}
	}
	/* else character by character */
	memset(&st, 0, sizeof(st));
	for (const char *p = s, *end = s + strlen(s); *p;) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p, (size_t)(end - p), &st);
		if (n == (size_t)-1 || n == (size_t)-2) { /* not UTF-8: one column per byte */
			memset(&st, 0, sizeof(st));
			w++;
			p++;
			continue;
		}
		int cw = wcwidth(wc);
		w += cw < 0 ? 1 : (size_t)cw;
		p += n;
	}
	uselocale(old);
	return w;
}
