/* smtp-url.c — parsing the smtp block's url (smtp-url.h), by curl_url
 * through mail_url_parse. */
#include <stdio.h>
#include <string.h>

#include "base/mail-url.h"
#include "base/smtp-url.h"
#include "base/util.h"

int
smtp_parse_url(const char *url, struct smtp_url *u, char **errp)
{
	static const struct mail_url_scheme schemes[] = {
		{ "smtp", 25, 0 },
		{ "submission", 587, 0 },
		{ "smtps", 465, 1 },
	};
	struct mail_url mu;

	memset(u, 0, sizeof(*u));
	if (mail_url_parse(url, "smtp url", schemes, nitems(schemes), &mu, errp) == -1)
		return -1;
	snprintf(u->host, sizeof(u->host), "%s", mu.host);
	u->port = mu.port;
	u->implicit_tls = mu.scheme->implicit_tls;
	u->loopback = host_is_loopback(u->host);
	return 0;
}
