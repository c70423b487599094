/* dns.c — libresolv with short timeouts, an optional private server, and
 * rdata copies; used by `dcvmail dns` and the DKIM key lookup. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dns.h"

int
dns_open(struct dns *d, const char *server, char **errp)
{
	memset(d, 0, sizeof(*d));
	if (res_ninit(&d->rs) != 0) {
		*errp = xstrdup("cannot initialise the resolver");
		return -1;
	}
	d->rs.options |= RES_USE_EDNS0 | RES_USE_DNSSEC;
	d->rs.retrans = 2; /* seconds per try */
	d->rs.retry = 2;
	d->ad_all = 1;
	if (server) {
		if (dns_parse_server(server, &d->rs.nsaddr_list[0]) == -1) {
			res_nclose(&d->rs);
			*errp = xasprintf("dns-server %s: not an IPv4 address[:port]", server);
			return -1;
		}
		d->rs.nscount = 1;
	}
	return 0;
}

int
dns_parse_server(const char *server, struct sockaddr_in *sin)
{
	char host[64];
	const char *c = strrchr(server, ':');
	long port = 53;

	if ((c ? (size_t)(c - server) : strlen(server)) >= sizeof(host))
		return -1;
	snprintf(host, sizeof(host), "%.*s", c ? (int)(c - server) : (int)strlen(server), server);
	if (c) {
		char *end;
		port = strtol(c + 1, &end, 10);
		if (end == c + 1 || *end || port < 1 || port > 65535)
			return -1;
	}
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

void
dns_close(struct dns *d)
{
	res_nclose(&d->rs);
}

int
dns_query(struct dns *d, const char *name, int type, struct strv *rdata, size_t **lens, char **errp)
{
	unsigned char ans[8192];
	ns_msg msg;
	ns_rr rr;
	int n = res_nquery(&d->rs, name, ns_c_in, type, ans, sizeof(ans));

	if (n < 0) {
		if (d->rs.res_h_errno == HOST_NOT_FOUND || d->rs.res_h_errno == NO_DATA)
			return 0;
		*errp = xasprintf("DNS query for %s failed (%s)", name, hstrerror(d->rs.res_h_errno));
		return -1;
	}
	if (ns_initparse(ans, n, &msg) == -1) {
		*errp = xasprintf("DNS answer for %s cannot be parsed", name);
		return -1;
	}
	d->answers++;
	d->ad_all &= ns_msg_getflag(msg, ns_f_ad) != 0;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) == -1 || (int)ns_rr_type(rr) != type)
			continue;
		size_t len = ns_rr_rdlen(rr);
		char *r = xmalloc(len + 1); /* binary: CAA starts with a flags byte */
		memcpy(r, ns_rr_rdata(rr), len);
		r[len] = '\0';
		*lens = xreallocarray(*lens, rdata->n + 1, sizeof(**lens));
		(*lens)[rdata->n] = len;
		strv_add_owned(rdata, r);
	}
	return 0;
}

char *
dns_txt_join(const char *rd, size_t len)
{
	struct buf b;

	buf_init(&b, 0);
	for (size_t i = 0; i < len;) {
		size_t l = (unsigned char)rd[i++];
		if (i + l > len)
			l = len - i;
		buf_add(&b, rd + i, l);
		i += l;
	}
	return buf_steal(&b);
}
