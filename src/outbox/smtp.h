/* smtp.h — sending one message by SMTP (libetpan): a relay on this host, or
 * a submission server elsewhere with TLS checked by tls.c and AUTH. */
#ifndef DCVMAIL_SMTP_H
#define DCVMAIL_SMTP_H

#include <stddef.h>
#include <stdint.h>
#include "outbox/action.h"
#include "config.h"

struct smtp_url {
	char host[256];
	uint16_t port;
	int implicit_tls; /* smtps:// */
	int loopback;
};
/* smtp://host[:25], submission://host[:587] (both STARTTLS), smtps://host[:465].
 * 0, or -1 with *errp. */
int smtp_parse_url(const char *url, struct smtp_url *, char **errp);
/* Deliver msg from envelope sender from to rcpt. TLS is required except to
 * a loopback relay (require-tls yes requires it there too); the server's
 * certificate and name are checked before AUTH or MAIL. */
enum action_status smtp_send(const struct smtp_cfg *, const char *from, const char *rcpt, const char *msg,
			     size_t len, char **result);

#endif
