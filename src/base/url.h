/* url.h — the one normalised form of a URL, used by the classifier (links),
 * the approval policy and the HTTP client alike, so that every comparison
 * (approve and reject patterns, host allowlist, "is the reject link") and
 * every request sees the same spelling. */
#ifndef DCVMAIL_URL_H
#define DCVMAIL_URL_H

#include "base/lib-curl.h"

/* RFC 3986 section 6.2.2/6.2.3 normalisation of an absolute http(s) URL,
 * parsed by libcurl's URL API: scheme and host lower-cased, an IDN host
 * turned into its A-label (punycode) form, percent-escapes of unreserved
 * characters decoded and the hex digits of the others upper-cased,
 * dot-segments removed (also those spelled with escapes), the scheme's
 * default port dropped, an empty path made "/". Normalising the result again
 * gives it unchanged. Returns an allocated string, or NULL when url is not a
 * URL libcurl can parse. */
char *url_normalize(const char *url);

/* One part of a URL libcurl has parsed, as an allocated string (NULL when
 * the URL has none). */
char *url_part(CURLU *u, CURLUPart what);

/* A host name in the form every comparison uses: lower case, an IDN as its
 * A-label (UTS #46 mapping, so full-width letters and dots become ASCII).
 * Allocated; NULL when the name holds non-ASCII that is not a valid IDN. */
char *host_alabel(const char *host);

/* The same steps on a path, query or fragment alone (allocated). */
char *url_normalize_pct(const char *s);
char *url_remove_dot_segments(const char *path);

#endif
