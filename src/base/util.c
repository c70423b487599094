/* util.c — bounded buffers, string vectors, small helpers. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "base/log.h"
#include "base/util.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

static int
buf_grow(struct buf *b, size_t need)
{
	size_t cap;

	if (b->max != 0 && b->len + need > b->max)
		return -1;
	if (b->len + need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + need + 1)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	return 0;
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) == -1)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addc(struct buf *b, int c)
{
	char ch = (char)c;

	return buf_add(b, &ch, 1);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	r = buf_adds(b, s);
	free(s);
	return r;
}

char *
buf_steal(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");

	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
strv_add_owned(struct strv *sv, char *s)
{
	if (sv->n + 1 >= sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void
strv_add(struct strv *sv, const char *s)
{
	strv_add_owned(sv, xstrdup(s));
}

int
strv_contains(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcasecmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

void
strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

void
lowercase(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
template_expand(const char *tmpl, template_lookup_fn *lookup, void *arg, struct buf *out, char **missing)
{
	for (const char *p = tmpl; *p;) {
		const char *close;
		if (*p == '{' && (close = strchr(p, '}')) != NULL) {
			char *name = xstrndup(p + 1, (size_t)(close - p - 1));
			const char *val = lookup(name, arg);
			if (val == NULL && missing != NULL) {
				*missing = name;
				return -1;
			}
			buf_adds(out, val ? val : "");
			free(name);
			p = close + 1;
		} else
			buf_addc(out, *p++);
	}
	return 0;
}

int
str_has_suffix_ci(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcasecmp(s + ls - lx, suffix) == 0;
}

int
domain_under_any(const char *host, char *const *list, size_t n)
{
	for (size_t i = 0; host && i < n; i++)
		if (domain_at_or_under(host, list[i]))
			return 1;
	return 0;
}

int
domain_at_or_under(const char *host, const char *domain)
{
	size_t lh, ld;

	if (host == NULL || domain == NULL || *domain == '\0')
		return 0;
	lh = strlen(host);
	ld = strlen(domain);
	/* a trailing dot on either side means the same name */
	if (lh && host[lh - 1] == '.')
		lh--;
	if (ld && domain[ld - 1] == '.')
		ld--;
	if (lh < ld || ld == 0)
		return 0;
	if (strncasecmp(host + lh - ld, domain, ld) != 0)
		return 0;
	return lh == ld || host[lh - ld - 1] == '.';
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	/* nettle, not OpenSSL: its library is loaded anyway (GnuTLS), and
	 * OpenSSL's first digest sets up its providers: a tenth of a lone
	 * `dcvmail pipe` run */
	struct sha256_ctx c;
	unsigned char md[SHA256_DIGEST_SIZE];
	static const char hex[] = "0123456789abcdef";

	sha256_init(&c);
	sha256_update(&c, len, data);
	sha256_digest(&c, sizeof(md), md);
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

int
read_fd(int fd, size_t max, char **data, size_t *len)
{
	struct buf b;
	char chunk[65536];
	ssize_t n;
	int over = 0;

	buf_init(&b, 0);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			int e = errno;
			buf_free(&b);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			buf_add(&b, chunk, max - b.len);
			over = 1;
			break;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	*len = b.len;
	*data = buf_steal(&b);
	if (over) {
		errno = EFBIG;
		return -1;
	}
	return 0;
}

int
read_file(const char *path, size_t max, char **data, size_t *len)
{
	int fd, r, e;

	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, max, data, len);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	r = read_fd(fd, max, data, len);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

long long
parse_size(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		v *= 1024;
		end++;
		break;
	case 'm':
	case 'M':
		v *= 1024 * 1024;
		end++;
		break;
	case 'g':
	case 'G':
		v *= 1024LL * 1024 * 1024;
		end++;
		break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	return *end == '\0' ? v : -1;
}

time_t
parse_date(const char *s)
{
	struct tm tm;
	const char *end;
	char *e;
	long n;

	if (s[0] == '+') {
		errno = 0;
		n = strtol(s + 1, &e, 10);
		/* at most a hundred years: no overflow of time_t arithmetic */
		if (e == s + 1 || n < 0 || errno == ERANGE || n > 36500L * 24)
			return -1;
		if (*e == 'd' && e[1] == '\0')
			return n > 36500 ? -1 : time(NULL) + n * 86400;
		if (*e == 'h' && e[1] == '\0')
			return time(NULL) + n * 3600;
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL)
		return -1;
	int utc = 0;
	if (*end == 'T' || *end == ' ') {
		end = strptime(end + 1, "%H:%M:%S", &tm);
		if (end == NULL)
			return -1;
		if (*end == 'Z') {
			end++;
			utc = 1;
		}
	} else if (*end == '\0') {
		/* a bare date means the end of that day where the admin is */
		tm.tm_hour = 23;
		tm.tm_min = 59;
		tm.tm_sec = 59;
	}
	if (*end != '\0')
		return -1;
	/* strptime takes 2026-02-31; timegm/mktime would make it 3 March */
	struct tm want = tm, got;
	tm.tm_isdst = -1;
	time_t t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1 || (utc ? gmtime_r(&t, &got) : localtime_r(&t, &got)) == NULL ||
	    got.tm_year != want.tm_year || got.tm_mon != want.tm_mon || got.tm_mday != want.tm_mday)
		return -1;
	return t;
}

char *
fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

char *
fmt_local(time_t t, char *buf, size_t len)
{
	struct tm tm;

	tzset(); /* localtime_r need not read TZ itself */
	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M %Z", &tm);
	return buf;
}

const char *
fmt_age(long secs, char *buf, size_t len)
{
	if (secs < 3600)
		snprintf(buf, len, "%ldm", secs / 60);
	else if (secs < 2 * 86400)
		snprintf(buf, len, "%ldh", secs / 3600);
	else
		snprintf(buf, len, "%ldd", secs / 86400);
	return buf;
}

const char *
fmt_day(time_t t, char *buf, size_t len)
{
	struct tm tm;

	tzset();
	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}

double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
host_is_loopback(const char *h)
{
	struct in_addr a4;

	/* an address literal, not a name that merely starts with "127." */
	if (inet_pton(AF_INET, h, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return !strcasecmp(h, "localhost") || !strcmp(h, "::1") || !strcmp(h, "[::1]");
}

const char *
user_name(unsigned uid)
{
	static char buf[2][64];
	static int which;
	struct passwd *pw = getpwuid((uid_t)uid);
	char *b = buf[which ^= 1]; /* two in one printf */

	if (pw && pw->pw_name)
		snprintf(b, sizeof(buf[0]), "%s", pw->pw_name);
	else
		snprintf(b, sizeof(buf[0]), "uid %u", uid);
	return b;
}

char *
redact_userinfo(char *s)
{
	char *p = s;

	while (s && (p = strstr(p, "://")) != NULL) {
		char *auth = p + 3, *end = auth, *at = NULL;
		/* up to the last '@' before white space or a quote: a password may
		 * hold '/', '?' or '#', and hiding a bit too much is harmless */
		while (*end && !strchr("'\"<> \t\r\n", *end)) {
			if (*end == '@')
				at = end;
			end++;
		}
		if (at && at > auth) {
			size_t n = (size_t)(at - auth);
			if (n >= 3) {
				memcpy(auth, "***", 3);
				memmove(auth + 3, at, strlen(at) + 1);
				n = 3;
			} else
				memset(auth, '*', n); /* never longer than the original */
			end = auth + n;
		}
		p = end;
	}
	return s;
}

/* One UTF-8 sequence at s: its code point and length, or -1 when the bytes
 * are not well-formed UTF-8 (overlong, surrogate, past U+10FFFF, cut). */
static long
utf8_next(const unsigned char *s, size_t *len)
{
	unsigned char c = s[0];
	long cp;
	size_t n, i;

	if (c < 0x80) {
		*len = 1;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return -1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = n;
	return cp;
}

/* Characters a terminal or a log reader may act on rather than show: C1
 * controls (U+009B is CSI), bidirectional overrides, embeddings, isolates
 * and marks, and the Unicode line and paragraph separators. */
static int
unsafe_cp(long cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

/* The sanitiser's loop: pieces go to emit, at most max bytes, then "…". */
static void
clean_walk(const char *s, size_t max, void (*emit)(void *, const char *, size_t), void *arg)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t out = 0;

	while (*p) {
		char esc[24];
		const char *piece = (const char *)p;
		size_t len, plen;
		long cp = utf8_next(p, &len);

		if (cp < 0) { /* a byte that is not UTF-8 */
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			piece = esc, plen = strlen(esc), len = 1;
		} else if (cp < 0x20 || cp == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02lx", cp);
			piece = esc, plen = strlen(esc);
		} else if (unsafe_cp(cp)) {
			snprintf(esc, sizeof(esc), "\\u%04lx", cp);
			piece = esc, plen = strlen(esc);
		} else
			plen = len;
		if (out + plen > max) {
			emit(arg, "…", strlen("…"));
			return;
		}
		emit(arg, piece, plen);
		out += plen;
		p += len;
	}
}

static void
emit_buf(void *arg, const char *p, size_t n)
{
	buf_add(arg, p, n);
}

char *
text_clean_max(const char *s, size_t max)
{
	struct buf b;

	buf_init(&b, 0);
	buf_add(&b, "", 0);
	clean_walk(s, max, emit_buf, &b);
	return buf_steal(&b);
}

struct fixed {
	char *p;
	size_t len, size;
};

static void
emit_fixed(void *arg, const char *p, size_t n)
{
	struct fixed *f = arg;

	if (f->len + n < f->size) {
		memcpy(f->p + f->len, p, n);
		f->len += n;
	}
	f->p[f->len] = '\0';
}

char *
text_clean_to(char *dst, size_t size, const char *s)
{
	struct fixed f = { dst, 0, size };

	dst[0] = '\0';
	/* room for the "…" */
	clean_walk(s, size > 4 ? size - 4 : 0, emit_fixed, &f);
	return dst;
}

char *
text_clean(const char *s)
{
	return text_clean_max(s, SIZE_MAX);
}

const char *
text_clean_in(struct strv *pool, const char *s)
{
	if (s == NULL)
		return NULL;
	strv_add_owned(pool, text_clean(s));
	return pool->v[pool->n - 1];
}

int
text_is_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t len;
		long cp = utf8_next(p, &len);
		if (cp < 0 || cp < 0x20 || cp == 0x7f || unsafe_cp(cp))
			return 0;
		p += len;
	}
	return 1;
}
