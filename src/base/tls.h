/* tls.h — checking a libetpan TLS stream's peer with OpenSSL (libetpan itself
 * checks neither the chain nor the host name). */
#ifndef DCVMAIL_TLS_H
#define DCVMAIL_TLS_H

#include "base/lib-etpan.h"

/* Verify the peer certificate chain of s against ca_file (NULL: the system
 * store) and that it is for host (a name or an IP address). Returns 0, or -1
 * with *errp ("certificate for localhost is not trusted: self-signed ..."). */
int tls_verify_stream(mailstream *s, const char *host, const char *ca_file, char **errp);
/* libetpan connect callback: sets SNI to the host name in data. */
void tls_set_sni(struct mailstream_ssl_context *ctx, void *data);

#endif
