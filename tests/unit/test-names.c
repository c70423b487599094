/* test-names.c — one form for domain names (libidn2, libpsl), strict UTF-8
 * decoding, display widths and modified UTF-7 mailbox names. */
#include <stdlib.h>

#include "base/mutf7.h"
#include "base/names.h"
#include "base/width.h"
#include "unit.h"

static void
canon(const char *in, const char *want)
{
	const char *why = NULL;
	char *got = name_canon(in, &why);

	CHECK_STR(got, want, "name_canon(%s)%s%s", in, why ? ": " : "", why ? why : "");
	free(got);
}

static void
reg(const char *in, const char *want)
{
	CHECK_STR(name_registrable(in), want, "registrable domain of %s", in);
}

static void
mutf7(const char *utf8, const char *wire)
{
	char *e = mutf7_encode(utf8), *d = mutf7_decode(wire);

	CHECK_STR(e, wire, "mutf7_encode(%s)", utf8);
	CHECK_STR(d, utf8, "mutf7_decode(%s)", wire);
	free(e);
	free(d);
}

int
main(void)
{
	/* the U-label, the A-label in any case, full-width and ideographic dots: one form */
	canon("www.bücher.example", "www.xn--bcher-kva.example");
	canon("www.xn--bcher-kva.example", "www.xn--bcher-kva.example");
	canon("WWW.XN--BCHER-KVA.EXAMPLE", "www.xn--bcher-kva.example");
	canon("WWW.BÜCHER.EXAMPLE.", "www.xn--bcher-kva.example");
	canon("ｗｗｗ．例え．テスト", "www.xn--r8jz45g.xn--zckzah");
	canon("www。bücher。example", "www.xn--bcher-kva.example");
	canon("*.bücher.example", "*.xn--bcher-kva.example");
	canon("日本語ドメイン.example.com", "xn--eckwd4c7c5976acvb2w6i.example.com");
	canon("Example.COM", "example.com");
	canon("ab--cd.example", "ab--cd.example"); /* plain ASCII: only lower-cased */
	canon("xn--zz.example", NULL);		   /* not punycode */
	canon("xn--abc-.example", NULL);

	char *u = name_unicode("www.xn--bcher-kva.example");
	CHECK_STR(u, "www.bücher.example", "name_unicode gives the U-label");
	free(u);
	CHECK(name_unicode("www.example.com") == NULL, "no Unicode form for an ASCII name");
	char *d = name_display("*.xn--bcher-kva.example");
	CHECK_STR(d, "*.xn--bcher-kva.example (*.bücher.example)", "name_display: both forms");
	free(d);

	/* the Public Suffix List, not the last label */
	reg("www.cybertrust.ne.jp", "cybertrust.ne.jp");
	reg("ssl.jprs.jp", "jprs.jp");
	reg("www.example.co.jp", "example.co.jp");
	reg("sakura.ad.jp", "sakura.ad.jp");
	reg("www.digicert.com.evil.example", "evil.example");
	reg("shop.example.xn--fiqs8s", "example.xn--fiqs8s");
	reg("ne.jp", NULL);
	reg("co.jp", NULL);

	/* strict UTF-8: a stray byte, an overlong form and a surrogate are skipped */
	uint32_t *cp;
	size_t n = name_utf8_codepoints("a\xffé\xc0\xafz\xed\xa0\x80!", &cp);
	CHECK(n == 4 && cp[0] == 'a' && cp[1] == 0xe9 && cp[2] == 'z' && cp[3] == '!',
	      "name_utf8_codepoints skips what is not UTF-8 (%zu code points)", n);
	free(cp);
	n = name_utf8_codepoints("認証\xe8", &cp);
	CHECK(n == 2 && cp[0] == 0x8a8d && cp[1] == 0x8a3c, "a cut sequence at the end is dropped");
	free(cp);

	/* display widths */
	CHECK(text_width("example.com") == 11, "ASCII is one column a character");
	CHECK(text_width("日本語ドメイン.example.com") == 26, "CJK is two columns a character");
	CHECK(text_width("ｗｗｗ") == 6, "full-width letters are two columns");
	CHECK(text_width("bücher") == 6, "a Latin letter with a diaeresis is one column");
	CHECK(text_width("a\xff") == 2, "a byte that is not UTF-8 counts one");

	/* modified UTF-7 (RFC 3501 5.1.3), as doveadm mailbox mutf7 gives them */
	mutf7("処理済み", "&UeZ0Bm4IMH8-");
	mutf7("INBOX/処理済み", "INBOX/&UeZ0Bm4IMH8-");
	mutf7("R&D", "R&-D");
	mutf7("Entwürfe", "Entw&APw-rfe");
	mutf7("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
	mutf7("😀 done", "&2D3eAA- done");
	mutf7("plain", "plain");
	CHECK(mutf7_encode("bad\xff") == NULL, "encode refuses what is not UTF-8");
	static const char *const bad[] = {
		"&UeZ0Bm4IMH8",	 /* no '-' */
		"&U=Z0-",	 /* not modified BASE64 */
		"&AGE-",	 /* 'a' must be written as itself */
		"&2D0-",	 /* an unpaired high surrogate */
		"&3gA-",	 /* an unpaired low surrogate */
		"&UeY-&dAY-",	 /* two shifts back to back */
		"&UeZ1-",	 /* leftover bits that are not zero */
		"caf\xc3\xa9",	 /* 8-bit bytes */
		"tab\there",	 /* a control */
		"&-&",		 /* a shift without anything */
		"&AAA-",	 /* U+0000 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *r = mutf7_decode(bad[i]);
		CHECK(r == NULL, "mutf7_decode refuses [%s]", bad[i]);
		free(r);
	}
	UNIT_DONE();
}
