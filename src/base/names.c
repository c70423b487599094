/* names.c — the one form of a domain name (names.h): libidn2 for IDNA2008
 * and UTS #46, libpsl for the registrable domain, iconv for UTF-8. */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>
#include <libpsl.h>

#include "base/names.h"
#include "base/util.h"

/* An "xn--" label anywhere in an ASCII name */
static int
has_alabel(const char *s)
{
	for (const char *p = s; *p; p = strchr(p, '.') ? strchr(p, '.') + 1 : p + strlen(p))
		if (!strncasecmp(p, "xn--", 4))
			return 1;
	return 0;
}

char *
name_canon(const char *name, const char **why)
{
	int wild = !strncmp(name, "*.", 2), ascii = 1;
	const char *n = name + (wild ? 2 : 0);
	char *s = xstrdup(n), *a = NULL, *r;
	size_t l;

	*why = NULL;
	for (const char *p = s; *p; p++)
		ascii &= (unsigned char)*p < 0x80;
	if (ascii && !has_alabel(s)) {
		lowercase(s);
	} else {
		int rc = idn2_to_ascii_8z(s, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
		if (rc != IDN2_OK) {
			*why = idn2_strerror(rc);
			free(s);
			return NULL;
		}
		free(s);
		s = xstrdup(a);
		idn2_free(a);
		lowercase(s);
	}
	l = strlen(s);
	while (l > 1 && s[l - 1] == '.') /* one form: no trailing dot (a mapped U+3002 may add one) */
		s[--l] = '\0';
	r = wild ? xasprintf("*.%s", s) : xstrdup(s);
	free(s);
	return r;
}

char *
name_unicode(const char *name)
{
	char *u = NULL, *r;
	int wild = name && !strncmp(name, "*.", 2);

	if (name == NULL || !has_alabel(name + (wild ? 2 : 0)))
		return NULL;
	if (idn2_to_unicode_8z8z(name + (wild ? 2 : 0), &u, 0) != IDN2_OK || u == NULL)
		return NULL;
	r = strcmp(u, name + (wild ? 2 : 0)) ? xasprintf("%s%s", wild ? "*." : "", u) : NULL;
	idn2_free(u);
	return r;
}

char *
name_display(const char *name)
{
	char *u, *r;

	if (name == NULL)
		return NULL;
	if ((u = name_unicode(name)) == NULL)
		return xstrdup(name);
	r = xasprintf("%s (%s)", name, u);
	free(u);
	return r;
}

static const psl_ctx_t *psl;
static pthread_once_t psl_once = PTHREAD_ONCE_INIT;

/* The newest list installed (Debian's publicsuffix package), else the one
 * built into libpsl; kept for the process. */
static void
psl_load(void)
{
	psl = psl_latest(NULL);
	if (psl == NULL)
		psl = psl_builtin();
}

const char *
name_registrable(const char *name)
{
	const char *last, *p;

	if (name == NULL || *name == '\0')
		return NULL;
	pthread_once(&psl_once, psl_load);
	if (psl)
		return psl_registrable_domain(psl, name);
	/* no list at all: the old guess, the last two labels */
	if ((last = strrchr(name, '.')) == NULL || last == name)
		return NULL;
	for (p = last - 1; p > name && p[-1] != '.'; p--)
		;
	return p;
}

/* One descriptor for the process (h-batch): opening and closing one per
 * call loaded and unloaded glibc's UTF-32 module each time, a tenth of a
 * batch check's CPU. Reset before each use; the lock keeps it to one user. */
static iconv_t u32_cd = (iconv_t)-1;
static pthread_mutex_t u32_lock = PTHREAD_MUTEX_INITIALIZER;

size_t
name_utf8_codepoints(const char *s, uint32_t **out)
{
	size_t inleft = strlen(s), cap = inleft * 4 + 4, outleft = cap, n = 0;
	char *in = (char *)s, *obuf = xmalloc(cap), *o = obuf;
	iconv_t cd;

	*out = xcalloc(inleft + 1, sizeof(**out));
	pthread_mutex_lock(&u32_lock);
	if (u32_cd == (iconv_t)-1)
		u32_cd = iconv_open("UTF-32LE", "UTF-8");
	if ((cd = u32_cd) == (iconv_t)-1) {
		pthread_mutex_unlock(&u32_lock);
		free(obuf);
		return 0;
	}
	iconv(cd, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		if (iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1)
			break;
		if (errno != EILSEQ && errno != EINVAL)
			break;
		in++; /* not UTF-8 (or cut): skip the byte, go on after it */
		inleft--;
	}
	pthread_mutex_unlock(&u32_lock);
	for (const unsigned char *q = (const unsigned char *)obuf; q + 4 <= (const unsigned char *)o; q += 4)
		(*out)[n++] = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
	free(obuf);
	return n;
}
