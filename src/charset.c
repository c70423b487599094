/* charset.c — conversion of text to UTF-8 with iconv; bad bytes become U+FFFD. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dcvmail/charset.h"
#include "dcvmail/util.h"

#define REPLACEMENT "\xef\xbf\xbd"

/* A few descriptors are cached: one process converts the same charsets again and again. */
struct cd_cache {
	char name[40];
	iconv_t cd;
};
static struct cd_cache cache[8];
static unsigned cache_next;

const char *
charset_canonical(const char *cs)
{
	if (cs == NULL || *cs == '\0')
		return NULL;
	/* Shift_JIS mail is written with Windows code page 932 in practice. */
	if (!strcasecmp(cs, "shift_jis") || !strcasecmp(cs, "shift-jis") || !strcasecmp(cs, "sjis") ||
	    !strcasecmp(cs, "x-sjis") || !strcasecmp(cs, "ms_kanji") || !strcasecmp(cs, "windows-31j"))
		return "CP932";
	if (!strcasecmp(cs, "iso-2022-jp") || !strcasecmp(cs, "iso-2022-jp-2") || !strcasecmp(cs, "csiso2022jp"))
		return "ISO-2022-JP-2"; /* a superset: tolerates common extensions */
	if (!strcasecmp(cs, "euc-jp") || !strcasecmp(cs, "x-euc-jp"))
		return "EUC-JP-MS";
	if (!strcasecmp(cs, "us-ascii") || !strcasecmp(cs, "ascii") || !strcasecmp(cs, "ansi_x3.4-1968"))
		return "UTF-8"; /* ASCII is UTF-8; 8-bit bytes are then checked as UTF-8 */
	if (!strcasecmp(cs, "iso-8859-1") || !strcasecmp(cs, "latin1"))
		return "WINDOWS-1252"; /* what mislabelled Latin-1 usually is */
	return cs;
}

static iconv_t
get_cd(const char *from)
{
	iconv_t cd;
	struct cd_cache *c;

	for (unsigned i = 0; i < nitems(cache); i++)
		if (cache[i].name[0] && !strcasecmp(cache[i].name, from)) {
			iconv(cache[i].cd, NULL, NULL, NULL, NULL); /* reset shift state */
			return cache[i].cd;
		}
	if (strlen(from) >= sizeof(cache[0].name))
		return (iconv_t)-1;
	cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return cd;
	c = &cache[cache_next++ % nitems(cache)];
	if (c->name[0])
		iconv_close(c->cd);
	strcpy(c->name, from);
	c->cd = cd;
	return cd;
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;

	while (p < e) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0 || (size_t)(e - p) < n || (n == 2 && *p < 0xc2))
			return 0;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

/* Copy UTF-8, replacing invalid sequences and NUL bytes with U+FFFD. */
static void
utf8_sanitize(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;

	while (p < e) {
		size_t n;
		if (*p == 0) {
			buf_adds(out, REPLACEMENT);
			p++;
			continue;
		}
		if (*p < 0x80) {
			const unsigned char *q = p;
			while (q < e && *q && *q < 0x80)
				q++;
			buf_add(out, p, (size_t)(q - p));
			p = q;
			continue;
		}
		n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (n && (size_t)(e - p) >= n && !(n == 2 && *p < 0xc2)) {
			size_t i;
			for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
				;
			if (i == n) {
				buf_add(out, p, n);
				p += n;
				continue;
			}
		}
		buf_adds(out, REPLACEMENT);
		p++;
	}
}

void
charset_to_utf8(struct buf *out, const char *charset, const char *s, size_t len)
{
	const char *cs = charset_canonical(charset);
	iconv_t cd;
	char tmp[4096];

	if (cs == NULL) /* no label: UTF-8 if it is, else Windows-1252 */
		cs = utf8_valid(s, len) ? "UTF-8" : "WINDOWS-1252";
	if (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "UTF8")) {
		utf8_sanitize(out, s, len);
		return;
	}
	if ((cd = get_cd(cs)) == (iconv_t)-1) {
		/* unknown charset: keep what is valid UTF-8 */
		utf8_sanitize(out, s, len);
		return;
	}
	char *in = (char *)s;
	size_t inleft = len;
	while (inleft > 0) {
		char *o = tmp;
		size_t oleft = sizeof(tmp);
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		if (buf_add(out, tmp, sizeof(tmp) - oleft) == -1)
			return;
		if (r == (size_t)-1) {
			if (errno == E2BIG)
				continue;
			/* EILSEQ or EINVAL (truncated sequence): one replacement, skip a byte */
			buf_adds(out, REPLACEMENT);
			in++;
			inleft--;
			iconv(cd, NULL, NULL, NULL, NULL);
		}
	}
	/* flush the shift state */
	{
		char *o = tmp;
		size_t oleft = sizeof(tmp);
		iconv(cd, NULL, NULL, &o, &oleft);
		buf_add(out, tmp, sizeof(tmp) - oleft);
	}
}
