/* test-mail-url.c — the configuration's server URLs through curl_url:
 * imap_parse_url (mailbox url) and smtp_parse_url (smtp block). */
#include <stdlib.h>

#include "base/mail-url.h"
#include "base/smtp-url.h"
#include "unit.h"

static void
imap_ok(const char *url, const char *host, unsigned port, int tls, const char *folder)
{
	struct imap_url u;
	char *err = NULL;
	int r = imap_parse_url(url, &u, &err);

	CHECK(r == 0, "imap url %s is accepted%s%s", url, err ? ": " : "", err ? err : "");
	if (r == 0) {
		CHECK_STR(u.host, host, "%s: host", url);
		CHECK(u.port == port, "%s: port %u (got %u)", url, port, u.port);
		CHECK(u.tls == tls, "%s: %s", url, tls ? "implicit TLS" : "STARTTLS");
		CHECK_STR(u.folder, folder, "%s: folder", url);
	}
	free(err);
}

static void
imap_bad(const char *url, const char *why)
{
	struct imap_url u;
	char *err = NULL;
	int r = imap_parse_url(url, &u, &err);

	CHECK(r == -1 && err && strstr(err, why), "imap url %s is refused: %s (got: %s)", url, why,
	      err ? err : "accepted");
	CHECK(err == NULL || strstr(err, "s3cret") == NULL, "%s: the error does not show the password", url);
	free(err);
}

static void
smtp_ok(const char *url, const char *host, unsigned port, int tls, int loopback)
{
	struct smtp_url u;
	char *err = NULL;
	int r = smtp_parse_url(url, &u, &err);

	CHECK(r == 0, "smtp url %s is accepted%s%s", url, err ? ": " : "", err ? err : "");
	if (r == 0) {
		CHECK_STR(u.host, host, "%s: host", url);
		CHECK(u.port == port, "%s: port %u (got %u)", url, port, u.port);
		CHECK(u.implicit_tls == tls, "%s: %s", url, tls ? "implicit TLS" : "STARTTLS");
		CHECK(u.loopback == loopback, "%s: loopback %d", url, loopback);
	}
	free(err);
}

static void
smtp_bad(const char *url, const char *why)
{
	struct smtp_url u;
	char *err = NULL;
	int r = smtp_parse_url(url, &u, &err);

	CHECK(r == -1 && err && strstr(err, why), "smtp url %s is refused: %s (got: %s)", url, why,
	      err ? err : "accepted");
	CHECK(err == NULL || strstr(err, "s3cret") == NULL, "%s: the error does not show the password", url);
	free(err);
}

int
main(void)
{
	imap_ok("imaps://imap.example.com/INBOX", "imap.example.com", 993, 1, "INBOX");
	imap_ok("imaps://imap.example.com", "imap.example.com", 993, 1, "INBOX");
	imap_ok("imaps://imap.example.com:10993/", "imap.example.com", 10993, 1, "INBOX");
	imap_ok("imap://127.0.0.1:1143/CA", "127.0.0.1", 1143, 0, "CA");
	imap_ok("IMAPS://Imap.Example.com/INBOX", "Imap.Example.com", 993, 1, "INBOX");
	/* the hand-written parser took "[" as the host and ":1]:993" as the port */
	imap_ok("imaps://[::1]:993/", "::1", 993, 1, "INBOX");
	imap_ok("imaps://[::1]/INBOX", "::1", 993, 1, "INBOX");
	imap_ok("imap://[2001:db8::25]:143/CA", "2001:db8::25", 143, 0, "CA");
	imap_ok("imaps://h/INBOX/CA%20mail", "h", 993, 1, "INBOX/CA mail");
	imap_ok("imaps://h/Sent Items", "h", 993, 1, "Sent Items");
	/* atoi(99999) made port 34463 of it, silently */
	imap_bad("imaps://imap.example.com:99999/", "the port must be a number from 1 to 65535");
	imap_bad("imaps://imap.example.com:0/", "the port must be a number from 1 to 65535");
	imap_bad("imaps://imap.example.com:99x/", "the port must be a number from 1 to 65535");
	imap_bad("imaps://[::1/", "IPv6");
	imap_bad("imaps://[::g]/", "IPv6");
	imap_bad("pop3://h/", "must start with imaps://, imap://");
	imap_bad("imaps:/h/", "must start with imaps://, imap://");
	imap_bad("imaps:///INBOX", "no host");
	imap_bad("imaps://alice:s3cret@imap.example.com/", "holds user-info");
	imap_bad("imaps://alice@imap.example.com/", "holds user-info");
	imap_bad("imaps://h/INBOX?x=1", "query");
	imap_bad("", "empty");

	smtp_ok("smtp://mx.example.com", "mx.example.com", 25, 0, 0);
	smtp_ok("submission://mx.example.com", "mx.example.com", 587, 0, 0);
	smtp_ok("smtps://mx.example.com", "mx.example.com", 465, 1, 0);
	smtp_ok("smtp://127.0.0.1:2525", "127.0.0.1", 2525, 0, 1);
	smtp_ok("smtp://[::1]:2525/", "::1", 2525, 0, 1);
	smtp_ok("smtps://[2001:db8::1]", "2001:db8::1", 465, 1, 0);
	smtp_ok("smtp://localhost:65535", "localhost", 65535, 0, 1);
	smtp_bad("smtp://mx.example.com:99999", "the port must be a number from 1 to 65535");
	smtp_bad("smtp://mx.example.com:65536", "the port must be a number from 1 to 65535");
	smtp_bad("ftp://localhost", "must start with smtp://, submission://, smtps://");
	smtp_bad("smtp://user:s3cret@mx.example.com:25", "holds user-info");
	smtp_bad("smtp://", "no host");
	smtp_bad("smtp://[fe80::1", "IPv6");
	UNIT_DONE();
}
