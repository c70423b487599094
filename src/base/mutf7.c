/* mutf7.c — modified UTF-7 for IMAP mailbox names (mutf7.h). */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/mutf7.h"
#include "base/util.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* UTF-8 to UTF-16BE, strictly; *n bytes. NULL when not UTF-8. */
static unsigned char *
to_utf16(const char *s, size_t *n)
{
	size_t inleft = strlen(s), cap = inleft * 4 + 4, outleft = cap;
	char *in = (char *)s, *out = xmalloc(cap), *o = out;
	iconv_t cd = iconv_open("UTF-16BE", "UTF-8");

	if (cd == (iconv_t)-1) {
		free(out);
		return NULL;
	}
	if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
		iconv_close(cd);
		free(out);
		return NULL;
	}
	iconv_close(cd);
	*n = (size_t)(o - out);
	return (unsigned char *)out;
}

static void
flush_run(struct buf *b, const unsigned char *u, size_t n)
{
	uint32_t acc = 0;
	int bits = 0;

	if (n == 0)
		return;
	buf_addc(b, '&');
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | u[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			buf_addc(b, b64[(acc >> bits) & 0x3f]);
		}
	}
	if (bits > 0)
		buf_addc(b, b64[(acc << (6 - bits)) & 0x3f]);
	buf_addc(b, '-');
}

char *
mutf7_encode(const char *s)
{
	size_t n, run = 0;
	unsigned char *u = to_utf16(s, &n);
	struct buf b;

	if (u == NULL)
		return NULL;
	buf_init(&b, 0);
	for (size_t i = 0; i + 1 < n; i += 2) {
		unsigned c = (unsigned)u[i] << 8 | u[i + 1];
		if (c >= 0x20 && c <= 0x7e) {
			flush_run(&b, u + i - run, run);
			run = 0;
			if (c == '&')
				buf_adds(&b, "&-");
			else
				buf_addc(&b, (int)c);
		} else
			run += 2;
	}
	flush_run(&b, u + n - run, run);
	free(u);
	return buf_steal(&b);
}

/* UTF-16 code unit(s) -> UTF-8 into b; *hi holds a pending high surrogate.
 * -1 when the units do not pair or encode printable ASCII. */
static int
put_unit(struct buf *b, unsigned c, unsigned *hi)
{
	uint32_t cp;

	if (*hi) {
		if (c < 0xdc00 || c > 0xdfff)
			return -1;
		cp = 0x10000 + ((*hi - 0xd800) << 10) + (c - 0xdc00);
		*hi = 0;
	} else if (c >= 0xd800 && c <= 0xdbff) {
		*hi = c;
		return 0;
	} else if (c >= 0xdc00 && c <= 0xdfff)
		return -1;
	else if ((c >= 0x20 && c <= 0x7e) || c == 0) /* written as itself; NUL ends no name */
		return -1;
	else
		cp = c;
	if (cp < 0x80)
		buf_addc(b, (int)cp);
	else if (cp < 0x800) {
		buf_addc(b, (int)(0xc0 | cp >> 6));
		buf_addc(b, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (int)(0xe0 | cp >> 12));
		buf_addc(b, (int)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (int)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (int)(0xf0 | cp >> 18));
		buf_addc(b, (int)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addc(b, (int)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (int)(0x80 | (cp & 0x3f)));
	}
	return 0;
}

char *
mutf7_decode(const char *s)
{
	struct buf b;
	const char *p = s;
	int after_shift = 0; /* the last thing was a shifted run */

	buf_init(&b, 0);
	while (*p) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c > 0x7e)
			goto bad;
		if (c != '&') {
			buf_addc(&b, c);
			p++;
			after_shift = 0;
			continue;
		}
		if (p[1] == '-') {
			buf_addc(&b, '&');
			p += 2;
			after_shift = 0;
			continue;
		}
		if (after_shift) /* "&...-&...-" must have been one run */
			goto bad;
		uint32_t acc = 0;
		int bits = 0;
		unsigned hi = 0;
		size_t units = 0;
		for (p++; *p != '-'; p++) {
			const char *d = *p ? strchr(b64, *p) : NULL;
			if (d == NULL)
				goto bad;
			acc = (acc << 6) | (uint32_t)(d - b64);
			bits += 6;
			if (bits >= 16) {
				bits -= 16;
				if (put_unit(&b, (acc >> bits) & 0xffff, &hi) == -1)
					goto bad;
				units++;
			}
		}
		if (units == 0 || hi || bits >= 6 || (acc & ((1u << bits) - 1)) != 0)
			goto bad;
		p++;
		after_shift = 1;
	}
	return buf_steal(&b);
bad:
	buf_free(&b);
	return NULL;
}
