/* regdom.c — the registrable domain of a host name, from the Public Suffix
 * List (libpsl: the list Debian's publicsuffix package installs, else the
 * one built into the library). */
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "base/regdom.h"
#include "base/util.h"

char *
domain_registrable(const char *host)
{
	static const psl_ctx_t *psl;
	const char *r;

	if (host == NULL)
		return NULL;
	if (!strncmp(host, "*.", 2))
		host += 2;
	if (*host == '\0')
		return NULL;
	if (psl == NULL && (psl = psl_latest(NULL)) == NULL && (psl = psl_builtin()) == NULL)
		return NULL;
	r = psl_registrable_domain(psl, host);
	return r ? xstrdup(r) : NULL;
}
