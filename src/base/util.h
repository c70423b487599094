/* util.h — allocation that dies cleanly, bounded buffers, small string helpers. */
#ifndef DCVMAIL_UTIL_H
#define DCVMAIL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* sysexits we use (Postfix reads them). */
#define EX_OK_ 0
#define EXIT_USAGE 64	  /* EX_USAGE */
#define EXIT_DATAERR 65	  /* EX_DATAERR */
#define EXIT_NOINPUT 66	  /* EX_NOINPUT */
#define EXIT_SOFTWARE 70  /* EX_SOFTWARE */
#define EXIT_OSERR 71	  /* EX_OSERR */
#define EXIT_CANTCREAT 73 /* EX_CANTCREAT */
#define EXIT_IOERR 74	  /* EX_IOERR */
#define EXIT_TEMPFAIL 75  /* EX_TEMPFAIL */
#define EXIT_NOPERM 77	  /* EX_NOPERM */
#define EXIT_CONFIG 78	  /* EX_CONFIG */

/* Die through fatalx() (exit code set by log_set_fatal_exit) on out of memory. */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
char *xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *, va_list);
void *xmemdup(const void *, size_t);

/* Growable byte buffer, always NUL-terminated, with an optional maximum. */
struct buf {
	char *data;
	size_t len, cap;
	size_t max; /* 0: unlimited; appends past max fail with -1 */
};
void buf_init(struct buf *, size_t max);
int buf_add(struct buf *, const void *, size_t);
int buf_adds(struct buf *, const char *);
int buf_addc(struct buf *, int);
int buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
char *buf_steal(struct buf *); /* returns data (never NULL), resets buf */
void buf_free(struct buf *);

/* Dynamic array of owned strings. */
struct strv {
	char **v;
	size_t n, cap;
};
void strv_add(struct strv *, const char *);	      /* copies */
void strv_add_owned(struct strv *, char *);	      /* takes ownership */
int strv_contains(const struct strv *, const char *); /* case-insensitive */
void strv_free(struct strv *);

void lowercase(char *);
/* In place: the user-info of every URL in s (user:password before the '@'
 * after the scheme) becomes "***", so an error message never shows a URL's
 * credentials. Returns s. */
char *redact_userinfo(char *s);
char *trim(char *); /* in place, returns start */
/* The one "{name}" template expander (rule dedup keys, approve form fields):
 * each "{name}" in tmpl is replaced by lookup(name, arg); every other byte,
 * and a '{' with no '}' after it, is copied. When lookup gives NULL: with
 * missing NULL the name expands to nothing; otherwise the expansion stops and
 * returns -1 with *missing the name (allocated, the caller frees it).
 * Returns 0 (appends past out's maximum are dropped). */
typedef const char *template_lookup_fn(const char *name, void *arg);
int template_expand(const char *tmpl, template_lookup_fn *lookup, void *arg, struct buf *out, char **missing);
int str_has_suffix_ci(const char *s, const char *suffix);
/* host equals domain or is a subdomain of it (case-insensitive, label boundary). */
int domain_at_or_under(const char *host, const char *domain);
/* domain_at_or_under for any of list[0..n-1] */
int domain_under_any(const char *host, char *const *list, size_t n);
/* localhost, 127.0.0.0/8 or ::1: a peer on this machine. */
int host_is_loopback(const char *host);
/* h-cli: the login name of uid ("dcvmail"), else "uid N"; a static buffer
 * that the next call overwrites. */
const char *user_name(unsigned uid);

/* SHA-256 of data as 64 lower-case hex digits + NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);

/* Read a whole file (or "-" for stdin) up to max bytes. Returns 0, or -1 with
 * errno set (EFBIG when over max; *len then holds max+1 and data the prefix). */
int read_file(const char *path, size_t max, char **data, size_t *len);
int read_fd(int fd, size_t max, char **data, size_t *len);

/* "10M", "512k", "1G", "1000" -> bytes; -1 on error. */
long long parse_size(const char *);
/* "2026-12-31" (the end of that day, local time), "2026-12-31T10:00:00Z"
 * (UTC), "2026-12-31 10:00:00" (local time) or "+30d"/"+12h" -> time_t; -1 on
 * error. Local time is the TZ environment variable's. */
time_t parse_date(const char *);
/* ISO 8601 UTC "2026-11-24T21:18:00Z" into buf (>= 21 bytes). */
char *fmt_time(time_t, char *buf, size_t len);
/* What people read: local time (TZ) with its zone, "2026-11-25 18:00 JST"
 * (buf >= 32 bytes). JSON and logs keep fmt_time's UTC. */
char *fmt_local(time_t, char *buf, size_t len);
/* A span of seconds as people read an age: "12m", "5h" (under two days),
 * "3d". And a day in local time, "2026-11-25". */
const char *fmt_age(long secs, char *buf, size_t len);
const char *fmt_day(time_t, char *buf, size_t len);

/* Wall-clock seconds since an arbitrary origin (CLOCK_MONOTONIC). */
double now_mono(void);

/* The one sanitiser for text shown to people (terminal lines, logs, syslog;
 * JSON output is exact instead, escaped by jansson). Returns a new string in
 * which C0 controls, DEL and bytes that are not UTF-8 read as \x1b, and C1
 * controls (U+0080-U+009F), bidi overrides, embeddings, isolates and marks
 * (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) and U+2028/U+2029 as
 * \u009b. Everything else, backslashes too, is kept. text_clean_max stops
 * before the output would pass max bytes and ends with "…". */
char *text_clean(const char *s);
char *text_clean_max(const char *s, size_t max);
/* text_clean into dst (size bytes, cut with "…"), allocating nothing:
 * for the log, which must work when memory is short. Returns dst. */
char *text_clean_to(char *dst, size_t size, const char *s);
/* 1 when text_clean would change nothing in s. */
int text_is_clean(const char *s);
/* text_clean into pool (freed with strv_free); NULL stays NULL. */
const char *text_clean_in(struct strv *pool, const char *s);

#endif
