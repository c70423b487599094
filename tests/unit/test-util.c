/* test-util.c — small helpers whose mistakes would weaken a security check. */
#include <stdlib.h>
#include "unit.h"
#include "base/json.h"
#include "base/util.h"

/* a lookup for template_expand: a table of name/value pairs ending with "" */
struct tv {
	const char *name, *value;
};

static const char *
tv_lookup(const char *name, void *arg)
{
	const struct tv *t = arg;

	for (;; t++) {
		if (!strcmp(t->name, name))
			return t->value;
		if (!*t->name)
			return NULL;
	}
}

int
main(void)
{
	CHECK(host_is_loopback("localhost"), "localhost is loopback");
	CHECK(host_is_loopback("LocalHost"), "in any case");
	CHECK(host_is_loopback("127.0.0.1") && host_is_loopback("127.1.2.3"), "127.0.0.0/8 is loopback");
	CHECK(host_is_loopback("::1"), "::1 is loopback");
	CHECK(!host_is_loopback("127.attacker.example"), "a name starting with 127. is not loopback");
	CHECK(!host_is_loopback("127.0.0.1.nip.example"), "nor a name ending in one");
	CHECK(!host_is_loopback("128.0.0.1") && !host_is_loopback("10.0.0.1"), "other addresses are not");
	CHECK(!host_is_loopback("localhost.example.com"), "nor a name under localhost");
	CHECK(domain_at_or_under("a.example.com", "example.com"), "a name under a domain");
	CHECK(!domain_at_or_under("badexample.com", "example.com"), "not a name merely ending like it");
	{
		static const struct { const char *in, *want; } r[] = {
			{ "smtp url 'smtp://user:s3cret@mx.example.com:25' is bad", "smtp url 'smtp://***@mx.example.com:25' is bad" },
			{ "https://hook.example/x?a=b", "https://hook.example/x?a=b" },
			{ "a http://u:p/w?#d@h/x and imaps://joe:pw@h/INBOX", "a http://***@h/x and imaps://***@h/INBOX" },
			{ "x://a@h", "x://*@h" },
			{ "no url here: user:pw@host", "no url here: user:pw@host" },
			{ "://@h", "://@h" },
		};
		for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
			char *s = xstrdup(r[i].in);
			CHECK_STR(redact_userinfo(s), r[i].want, "redact_userinfo %zu", i);
			free(s);
		}
	}
	/* the one "{name}" template expander */
	{
		const struct tv vals[] = { { "code", "A1 b" }, { "domain", "example.com" }, { "", "empty" } };
		struct {
			const char *tmpl, *want, *missing;
		} const t[] = {
			{ "{code}", "A1 b", NULL },
			{ "x-{domain}-{code}-y", "x-example.com-A1 b-y", NULL },
			{ "no braces", "no braces", NULL },
			{ "open { never closed", "open { never closed", NULL },
			{ "{}", "empty", NULL },
			{ "a{nope}b", "ab", "nope" },
		};
		for (size_t i = 0; i < nitems(t); i++)
			for (int strict = 0; strict < 2; strict++) {
				struct buf b;
				char *missing = NULL;
				int rc;
				buf_init(&b, 0);
				rc = template_expand(t[i].tmpl, tv_lookup, (void *)vals, &b, strict ? &missing : NULL);
				if (strict && t[i].missing) {
					CHECK(rc == -1, "template %zu: a missing name stops the expansion", i);
					CHECK_STR(missing, t[i].missing, "template %zu: the missing name is given", i);
				} else {
					CHECK(rc == 0, "template %zu (%s) expands", i, strict ? "strict" : "lenient");
					CHECK_STR(b.data ? b.data : "", t[i].want, "template %zu (%s)", i,
						  strict ? "strict" : "lenient");
				}
				free(missing);
				buf_free(&b);
			}
		struct buf b;
		buf_init(&b, 4);
		template_expand("{domain}", tv_lookup, (void *)vals, &b, NULL);
		CHECK(b.len <= 4, "template_expand keeps to the buffer's maximum");
		buf_free(&b);
	}
	/* optional JSON values and the one ISO time format */
	{
		char tb[32];
		json_t *j = json_time_or_null(86400 + 3661);
		CHECK_STR(fmt_time(86400 + 3661, tb, sizeof(tb)), "1970-01-02T01:01:01Z", "fmt_time is ISO 8601 UTC");
		CHECK_STR(json_string_value(j), "1970-01-02T01:01:01Z", "json_time_or_null formats with fmt_time");
		json_decref(j);
		j = json_time_or_null(0);
		CHECK(json_is_null(j), "json_time_or_null(0) is null");
		json_decref(j);
		j = json_string_or_null(NULL);
		CHECK(json_is_null(j), "json_string_or_null(NULL) is null");
		json_decref(j);
		j = json_string_or_null("x");
		CHECK_STR(json_string_value(j), "x", "json_string_or_null keeps a string");
		json_decref(j);
	}
	/* the sanitiser of human-readable output */
	char *c, fixed[16];
#define CLEAN(in, want, what) (c = text_clean(in), ({ CHECK_STR(c, want, what); }), free(c))
	CLEAN("plain text, 日本語, \\ kept", "plain text, 日本語, \\ kept", "text, UTF-8 and backslashes are kept");
	CLEAN("a\x1b[2Jb\x7f\tc\n", "a\\x1b[2Jb\\x7f\\x09c\\x0a", "C0 controls and DEL become \\xHH");
	CLEAN("x\xc2\x9b" "31m", "x\\u009b31m", "C1 CSI (U+009B) becomes \\u009b");
	CLEAN("\xe2\x80\xaegnp.exe \xe2\x81\xa6i\xe2\x81\xa9 \xe2\x80\x8f",
	      "\\u202egnp.exe \\u2066i\\u2069 \\u200f", "bidi overrides, isolates and marks become \\uXXXX");
	CLEAN("bad \xff\xc3( \xe0\x80\xaf", "bad \\xff\\xc3( \\xe0\\x80\\xaf", "bytes that are not UTF-8 (or overlong) become \\xHH");
	c = text_clean_max("abcdefgh", 4);
	CHECK_STR(c, "abcd…", "text_clean_max cuts and marks the cut");
	free(c);
	CHECK_STR(text_clean_to(fixed, sizeof(fixed), "0123456789\x1b" "abcdef"), "0123456789…",
		  "text_clean_to stays in its buffer");
	CHECK(text_is_clean("www.example.com") && !text_is_clean("a\xe2\x80\xae") && !text_is_clean("\x1b"),
	      "text_is_clean");
	UNIT_DONE();
}
