/* smtp-url.h — the smtp block's url (dcvmail.conf(5)): plain string parsing,
 * so that the configuration can check it without the SMTP client. */
#ifndef DCVMAIL_SMTP_URL_H
#define DCVMAIL_SMTP_URL_H

#include <stdint.h>

struct smtp_url {
	char host[256];
	uint16_t port;
	int implicit_tls; /* smtps:// */
	int loopback;
};
/* smtp://host[:25], submission://host[:587] (both STARTTLS), smtps://host[:465].
 * 0, or -1 with *errp. */
int smtp_parse_url(const char *url, struct smtp_url *, char **errp);

#endif
