/* util.c — bounded buffers, string vectors, small helpers. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dcvmail/log.h"
#include "dcvmail/util.h"

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
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	static const char hex[] = "0123456789abcdef";

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		fatalx("sha256 failed");
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
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024 * 1024; end++; break;
	case 'g': case 'G': v *= 1024LL * 1024 * 1024; end++; break;
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
	if (*end == 'T' || *end == ' ') {
		end = strptime(end + 1, "%H:%M:%S", &tm);
		if (end == NULL)
			return -1;
		if (*end == 'Z')
			end++;
	} else if (*end == '\0') {
		/* a bare date means the end of that day (UTC) */
		tm.tm_hour = 23;
		tm.tm_min = 59;
		tm.tm_sec = 59;
	}
	if (*end != '\0')
		return -1;
	/* strptime takes 2026-02-31; timegm would make it 3 March */
	struct tm want = tm, got;
	time_t t = timegm(&tm);
	if (t == (time_t)-1 || gmtime_r(&t, &got) == NULL || got.tm_year != want.tm_year ||
	    got.tm_mon != want.tm_mon || got.tm_mday != want.tm_mday)
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
