/* test-url.c — url_normalize() against the examples of RFC 3986 section 6
 * (and 5.4 for dot-segments), plus the spellings an attacker tried. */
#include <stdlib.h>

#include "base/url.h"
#include "unit.h"

static void
norm(const char *in, const char *want)
{
	char *got = url_normalize(in), *again = got ? url_normalize(got) : NULL;

	CHECK_STR(got, want, "normalise %s", in);
	CHECK_STR(again, want, "normalising %s again changes nothing", want ? want : "(null)");
	free(got);
	free(again);
}

static void
equiv(const char *a, const char *b)
{
	char *x = url_normalize(a), *y = url_normalize(b);

	CHECK(x && y && !strcmp(x, y), "%s and %s are the same URL (%s)", a, b, x ? x : "(null)");
	free(x);
	free(y);
}

static void
dots(const char *in, const char *want)
{
	char *got = url_remove_dot_segments(in);

	CHECK_STR(got, want, "remove_dot_segments(%s)", in);
	free(got);
}

int
main(void)
{
	/* 6.2.2.1 case: scheme and host are case-insensitive, hex digits upper-case */
	norm("HTTP://www.Example.com/", "http://www.example.com/");
	norm("https://example.com/a%3ab%2fc", "https://example.com/a%3Ab%2Fc");
	/* 6.2.2.2 percent-encoding: unreserved characters decoded */
	equiv("http://example.com/%7Esmith/home.html", "http://example.com/~smith/home.html");
	norm("http://example.com/%7esmith/%41%2D%5f%2e%7E%30", "http://example.com/~smith/A-_.~0");
	/* 6.2.2.3 path segments */
	norm("http://example.com/../a/b/../c/./d.html", "http://example.com/a/c/d.html");
	/* 6.2.2 the combined example, on an https URL (curl parses only known schemes) */
	equiv("https://a/b/c/%7Bfoo%7D", "hTTPS://a/./b/../b/%63/%7bfoo%7d");
	norm("hTTPS://a/./b/../b/%63/%7bfoo%7d", "https://a/b/c/%7Bfoo%7D");
	/* 6.2.3 scheme-based: empty path, empty and default port */
	norm("http://example.com", "http://example.com/");
	norm("http://example.com:/", "http://example.com/");
	norm("http://example.com:80/", "http://example.com/");
	norm("https://example.com:443/x", "https://example.com/x");
	norm("https://example.com:8443/x", "https://example.com:8443/x");
	norm("http://example.com:443/x", "http://example.com:443/x");
	/* IDN to A-label */
	norm("https://B\xc3\xbc" "cher.Example/", "https://xn--bcher-kva.example/");
	norm("https://XN--BCHER-KVA.example/", "https://xn--bcher-kva.example/");
	/* escapes that spell dot-segments are removed after decoding */
	norm("https://h.example/a/b/%2E%2E/c", "https://h.example/a/c");
	norm("https://h.example/a/%2e/c", "https://h.example/a/c");
	/* query and fragment: escapes normalised, nothing else */
	norm("https://h.example/p?orderNumber=%31%32&x=%2f#%7efrag", "https://h.example/p?orderNumber=12&x=%2F#~frag");
	/* the spellings of the reject page an attacker used */
	norm("https://secure.trust-provider.com/products/RejectDCVCod%65?orderNumber=1",
	     "https://secure.trust-provider.com/products/RejectDCVCode?orderNumber=1");
	norm("https://SECURE.Trust-Provider.com:443/products/x/../%52ejectDCVCode?orderNumber=1",
	     "https://secure.trust-provider.com/products/RejectDCVCode?orderNumber=1");
	/* user-info is kept (the policy refuses it) */
	norm("https://u%73er@h.example/", "https://user@h.example/");
	/* not a URL */
	/* a stray '%' (found by fuzz-url): decoding %66 after it must not make
	 * "%cf", which the next pass would read as an escape */
	norm("https://h.example/a%c%66F?t=%c%6Fde", "https://h.example/a%25cfF?t=%25code");
	norm("https://h.example/100%", "https://h.example/100%25");
	equiv("https://h.example/%25cf", "https://h.example/%c%66");
	/* a control character escaped in the host (fuzz-url): no usable URL */
	norm("https://a%7Fb.example/x", NULL);
	norm("https://a%09b.example/x", NULL);
	norm("https://\xef\xbd\x85\xef\xb9\xa2/", NULL); /* full-width e, small plus: "e+" */
	/* full-width "＃" and "＠" in a host map to "#" and "@" (fuzz-url) */
	norm("https://\xef\xbd\x85\xef\xbd\x98\xef\xbc\x83/s", NULL);
	norm("https://www.digicert.com\xef\xbc\xa0" "evil.example/approve", NULL);
	norm("https://\xef\xb8\x81/s", NULL); /* U+FE01 maps to nothing: no host */
	/* an escaped digit in a host: a number only once decoded (fuzz-url) */
	norm("https://8%3008/x", "https://0.0.31.72/x");
	norm("not a url", NULL);
	norm("https://", NULL);

	/* RFC 3986 section 5.2.4 / 5.4 */
	dots("/a/b/c/./../../g", "/a/g");
	dots("mid/content=5/../6", "mid/6");
	dots("/../g", "/g");
	dots("/a/b/..", "/a/");
	dots("/a/b/.", "/a/b/");
	dots("/./g", "/g");
	dots("/g.", "/g.");
	dots("/..g", "/..g");
	dots("/a/b/c/../../../../g", "/g");
	UNIT_DONE();
}
