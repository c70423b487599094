/* smtp-url.c — parsing the smtp block's url (smtp-url.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/smtp-url.h"
#include "base/util.h"

int
smtp_parse_url(const char *url, struct smtp_url *u, char **errp)
{
	static const struct {
		const char *scheme;
		uint16_t port;
		int tls;
	} kinds[] = { { "smtp://", 25, 0 }, { "submission://", 587, 0 }, { "smtps://", 465, 1 } };
	const char *h = NULL, *c;
	size_t hl;

	memset(u, 0, sizeof(*u));
	for (size_t i = 0; url && i < nitems(kinds) && h == NULL; i++)
		if (!strncmp(url, kinds[i].scheme, strlen(kinds[i].scheme))) {
			h = url + strlen(kinds[i].scheme);
			u->port = kinds[i].port;
			u->implicit_tls = kinds[i].tls;
		}
	if (h == NULL) {
		*errp = redact_userinfo(xasprintf("smtp url '%s' must be smtp://, submission:// or smtps://HOST[:PORT]",
						  url ? url : ""));
		return -1;
	}
	if (memchr(h, '@', strcspn(h, "/")) != NULL) {
		*errp = redact_userinfo(xasprintf("smtp url '%s' holds user-info: give the login as user and "
						  "password-file",
						  url));
		return -1;
	}
	hl = strcspn(h, ":/");
	c = h[hl] == ':' ? h + hl : NULL;
	if (hl == 0 || hl >= sizeof(u->host) || (c && (atoi(c + 1) <= 0 || atoi(c + 1) > 65535))) {
		*errp = redact_userinfo(xasprintf("smtp url '%s': no host, or a bad port", url));
		return -1;
	}
	memcpy(u->host, h, hl);
	if (c)
		u->port = (uint16_t)atoi(c + 1);
	u->loopback = host_is_loopback(u->host);
	return 0;
}
