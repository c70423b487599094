/* log.c — logging to syslog (facility mail) and/or stderr. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "base/log.h"
#include "base/util.h"

static const char *log_name = "dcvmail";
static enum log_dest log_dest = LOG_TO_STDERR;
static int log_verbosity;
static int fatal_exit = 70;
static char log_pfx[64] = "dcvmail";

static char *capture_buf;
static unsigned capture_len;

void
log_capture_first(char *buf, unsigned len)
{
	capture_buf = buf;
	capture_len = len;
	if (buf && len)
		buf[0] = '\0';
}

static void
capture(const char *msg, const char *suffix)
{
	if (capture_buf == NULL || capture_len == 0 || capture_buf[0] != '\0')
		return;
	snprintf(capture_buf, capture_len, "%s%s%s", msg, suffix ? ": " : "", suffix ? suffix : "");
}

void
log_set_prefix(const char *command)
{
	snprintf(log_pfx, sizeof(log_pfx), "%s%s%s", log_name, command && *command ? " " : "", command ? command : "");
}

const char *
log_prefix(void)
{
	return log_pfx;
}

void
log_init(const char *progname, enum log_dest dest, int verbose)
{
	if (strcmp(log_name, progname) != 0) /* another program: its own prefix */
		snprintf(log_pfx, sizeof(log_pfx), "%s", progname);
	log_name = progname;
	log_dest = dest;
	log_verbosity = verbose;
	if (dest != LOG_TO_STDERR)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
log_set_fatal_exit(int code)
{
	fatal_exit = code;
}

int
log_fatal_exit(void)
{
	return fatal_exit;
}

int
log_verbose(void)
{
	return log_verbosity;
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char raw[2048], msg[8192], sfx[1024];

	/* every line goes through the sanitiser: mail and remote servers put
	 * text into log lines, and ESC or U+009B must not reach a terminal */
	vsnprintf(raw, sizeof(raw), fmt, ap);
	text_clean_to(msg, sizeof(msg), raw);
	if (suffix)
		suffix = text_clean_to(sfx, sizeof(sfx), suffix);
	if (pri <= LOG_WARNING)
		capture(msg, suffix);
	if (log_dest != LOG_TO_SYSLOG) {
		if (suffix)
			fprintf(stderr, "%s: %s: %s\n", log_pfx, msg, suffix);
		else
			fprintf(stderr, "%s: %s\n", log_pfx, msg);
	}
	if (log_dest != LOG_TO_STDERR) {
		if (suffix)
			syslog(pri, "%s: %s", msg, suffix);
		else
			syslog(pri, "%s", msg);
	}
}

#define LOGFN(fn, pri, cond, suffix)                                                                                   \
	void fn(const char *fmt, ...)                                                                                  \
	{                                                                                                              \
		va_list ap;                                                                                            \
		int saved = errno;                                                                                     \
		if (!(cond))                                                                                           \
			return;                                                                                        \
		va_start(ap, fmt);                                                                                     \
		vlog(pri, fmt, ap, suffix);                                                                            \
		va_end(ap);                                                                                            \
		errno = saved;                                                                                         \
	}

LOGFN(log_info, LOG_INFO, 1, NULL)
LOGFN(log_warnx, LOG_WARNING, 1, NULL)
LOGFN(log_debug, LOG_DEBUG, log_verbosity > 0, NULL)
LOGFN(log_warn, LOG_WARNING, 1, strerror(saved))

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, e);
	va_end(ap);
	exit(fatal_exit);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(fatal_exit);
}

void
log_diag(const char *file, int line, int col, const char *msg)
{
	char raw[2048], clean[8192];

	if (col > 0)
		snprintf(raw, sizeof(raw), "%s:%d:%d: %s", file, line, col, msg);
	else if (line > 0)
		snprintf(raw, sizeof(raw), "%s:%d: %s", file, line, msg);
	else
		snprintf(raw, sizeof(raw), "%s: %s", file, msg);
	capture(text_clean_to(clean, sizeof(clean), raw), NULL);
	if (log_dest != LOG_TO_SYSLOG)
		fprintf(stderr, "%s\n", raw);
	if (log_dest != LOG_TO_STDERR)
		syslog(LOG_ERR, "%s", text_clean_to(clean, sizeof(clean), raw));
}

const char *
log_redact_url(const char *url, char *buf, unsigned len)
{
	const char *p;
	size_t n;

	if (url == NULL)
		return "(none)";
	p = strstr(url, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	n = p ? (size_t)(p - url) : strlen(url);
	if (n + 5 > len)
		n = len > 5 ? len - 5 : 0;
	snprintf(buf, len, "%.*s/…", (int)n, url);
	return buf;
}
