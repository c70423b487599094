/* regdom.h — the registrable domain of a host name (libpsl). */
#ifndef DCVMAIL_REGDOM_H
#define DCVMAIL_REGDOM_H

/* The registrable domain of host (lower-case A-labels expected): the public
 * suffix plus one label, "example.co.jp" for "www.example.co.jp"; a
 * leading "*." is ignored. NULL when host is itself a public suffix or
 * empty. Allocated. */
char *domain_registrable(const char *host);

#endif
