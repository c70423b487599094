/* smtp.h — sending one message by SMTP (libetpan): a relay on this host, or
 * a submission server elsewhere with TLS checked by tls.c and AUTH. */
#ifndef DCVMAIL_SMTP_H
#define DCVMAIL_SMTP_H

#include <stddef.h>
#include "base/smtp-url.h"
#include "config.h"

/* How a delivery ended: sent, worth retrying, or refused for good (a 5xx
 * answer, a refused password login, an unreadable password file, a bad
 * url). A refused OAuth token, a failing token-command or a server without
 * an OAuth mechanism are worth retrying: tokens expire and are renewed. */
enum smtp_status { SMTP_SENT = 0, SMTP_RETRY, SMTP_FAIL };

/* Deliver msg from envelope sender from to rcpt. TLS is required except to
 * a loopback relay (require-tls yes requires it there too); the server's
 * certificate and name are checked before AUTH (password, or SASL XOAUTH2 /
 * OAUTHBEARER with cfg->auth) or MAIL. */
enum smtp_status smtp_send(const struct smtp_cfg *, const char *from, const char *rcpt, const char *msg, size_t len,
			   char **result);
/* Connect, secure and log in as smtp_send does, then QUIT without sending
 * anything (dcvmail oauth test): SMTP_SENT when the login succeeded. */
enum smtp_status smtp_login(const struct smtp_cfg *, char **result);

#endif
