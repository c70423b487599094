/* mutf7.h — IMAP mailbox names in modified UTF-7 (RFC 3501 section 5.1.3):
 * the config holds UTF-8 ("処理済み"), the server sees "&UeZ0Bm4IMH8-". */
#ifndef DCVMAIL_MUTF7_H
#define DCVMAIL_MUTF7_H

/* UTF-8 -> modified UTF-7 (allocated): printable ASCII as itself, "&" as
 * "&-", every other run as "&" + modified BASE64 of its UTF-16BE + "-".
 * NULL when s is not well-formed UTF-8. */
char *mutf7_encode(const char *s);

/* Modified UTF-7 -> UTF-8 (allocated), strict: NULL for a byte outside
 * printable ASCII, a shift without its "-", a letter outside the modified
 * BASE64 alphabet, printable ASCII or an empty run inside a shift, two
 * shifts back to back, leftover bits that are not zero, a NUL, or an unpaired
 * surrogate. */
char *mutf7_decode(const char *s);

#endif
