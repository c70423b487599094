/* log.h — one logging module: syslog (facility mail) or stderr. */
#ifndef DCVMAIL_LOG_H
#define DCVMAIL_LOG_H

enum log_dest { LOG_TO_STDERR, LOG_TO_SYSLOG, LOG_TO_BOTH };

void log_init(const char *progname, enum log_dest, int verbose);
/* Errors on stderr say "dcvmail COMMAND: ..." once the command is known
 * (the syslog ident stays progname); log_prefix: that prefix, for messages
 * printed directly. */
void log_set_prefix(const char *command);
const char *log_prefix(void);
/* h-cli: keep the first warning or diagnostic logged from now on (without
 * the prefix) in buf, for a one-line answer (pipe mode); NULL stops. */
void log_capture_first(char *buf, unsigned len);
void log_set_fatal_exit(int code); /* pipe mode: 75 */
int log_fatal_exit(void);
int log_verbose(void);

void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2))); /* appends strerror(errno) */
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *, ...) __attribute__((format(printf, 1, 2)));

/* A "file:line[:col]: message" diagnostic (config, rules): on stderr as it
 * is, without the program's name, and to syslog when the log goes there
 * (so a SIGHUP reload's errors reach it). line 0: "file: message". */
void log_diag(const char *file, int line, int col, const char *msg);

/* A link or code shortened for logs: "https://host/…" — never the secret part. */
const char *log_redact_url(const char *url, char *buf, unsigned len);

#endif
