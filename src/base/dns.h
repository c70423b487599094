/* dns.h — a small resolver wrapper (libresolv) shared by `dcvmail dns` and
 * DKIM key lookups; `dns-server` in the config points it at a private
 * resolver (tests). */
#ifndef DCVMAIL_DNS_H
#define DCVMAIL_DNS_H

#include <netinet/in.h>
#include <resolv.h>
#include <stddef.h>

#include "base/util.h"

struct dns {
	struct __res_state rs;
	int ad_all;  /* every answer so far had the AD (DNSSEC validated) bit */
	int answers; /* answers received */
};

/* server: "IPv4[:port]", or NULL for the system resolver. Short timeouts:
 * a dead server costs seconds, not a minute. */
int dns_open(struct dns *, const char *server, char **errp);
void dns_close(struct dns *);
/* "IPv4[:port]" (port 53 by default) -> *sin; -1 when it is not that. */
int dns_parse_server(const char *server, struct sockaddr_in *sin);

/* The records of type `type` at name, as rdata copies (NUL-terminated; lens
 * gives each length). 0 when done, also when there are none (NXDOMAIN,
 * NODATA); -1 when the lookup failed (*errp says why). */
int dns_query(struct dns *, const char *name, int type, struct strv *rdata, size_t **lens, char **errp);

/* TXT rdata (RFC 1035 character-strings) joined into one string. */
char *dns_txt_join(const char *rdata, size_t len);

#endif
