/* mail-url.h — the server URLs of the configuration (a mailbox's imaps://
 * or imap://, the smtp block's smtp://, submission://, smtps://), parsed by
 * libcurl's URL API (curl_url) so that an IPv6 literal, a port out of range
 * or a stray part is found the same way by `dcvmail -n`, at start-up and
 * when connecting. */
#ifndef DCVMAIL_MAIL_URL_H
#define DCVMAIL_MAIL_URL_H

#include <stdint.h>

/* One accepted scheme: its name ("imaps"), default port, and whether TLS
 * starts at once (imaps, smtps) rather than by STARTTLS. */
struct mail_url_scheme {
	const char *name;
	uint16_t port;
	int implicit_tls;
};

/* What a server URL says: host without the brackets of an IPv6 literal
 * ("::1"), port (the scheme's default when none is given), the scheme, and
 * the path without its leading '/', percent-decoded ("" for none). */
struct mail_url {
	char host[256];
	uint16_t port;
	const struct mail_url_scheme *scheme;
	char path[512];
};

/* Parse url for what (its name in errors: "smtp url", "mailbox 'x': url")
 * against the schemes (n of them). Refused: another scheme, no host, a port
 * outside 1-65535 or not a number, user-info ("user:password@": the login
 * belongs in user and password-file), a query or fragment. 0, or -1 with
 * *errp (the URL in it without any password). */
int mail_url_parse(const char *url, const char *what, const struct mail_url_scheme *schemes, unsigned n,
		   struct mail_url *, char **errp);

/* imaps://HOST[:PORT]/FOLDER (993) or imap://HOST[:PORT]/FOLDER (143,
 * STARTTLS); FOLDER percent-decoded, INBOX when empty. */
struct imap_url {
	char host[256];
	uint16_t port;
	int tls; /* 1 imaps, 0 imap + STARTTLS */
	char folder[512];
};
int imap_parse_url(const char *url, struct imap_url *, char **errp);

#endif
