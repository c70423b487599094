/* charset.c — every text to UTF-8 with iconv; bad bytes become U+FFFD. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/lib-etpan.h"

#include "mail/msgparse.h"
#include "base/util.h"

#define REPL "\xef\xbf\xbd" /* U+FFFD */
#define NCACHE 12

/* A charset name as written in mail -> the iconv name we use. "" means
 * "auto": UTF-8 when valid, else Windows-1252. */
static const struct {
	const char *mail, *iconv;
} aliases[] = {
	{ "utf-8", "UTF-8" },
	{ "utf8", "UTF-8" },
	{ "us-ascii", "" },
	{ "ascii", "" },
	{ "ansi_x3.4-1968", "" },
	{ "unknown-8bit", "" },
	{ "x-unknown", "" },
	{ "unknown", "" },
	{ "default", "" },
	{ "x-user-defined", "" },
	{ "iso-8859-1", "CP1252" },
	{ "iso8859-1", "CP1252" },
	{ "iso_8859-1", "CP1252" },
	{ "latin1", "CP1252" },
	{ "l1", "CP1252" },
	{ "windows-1252", "CP1252" },
	{ "cp1252", "CP1252" },
	{ "x-cp1252", "CP1252" },
	{ "shift_jis", "CP932" },
	{ "shift-jis", "CP932" },
	{ "sjis", "CP932" },
	{ "x-sjis", "CP932" },
	{ "ms_kanji", "CP932" },
	{ "csshiftjis", "CP932" },
	{ "windows-31j", "CP932" },
	{ "cp932", "CP932" },
	{ "x-ms-cp932", "CP932" },
	{ "iso-2022-jp", "ISO-2022-JP-3" },
	{ "csiso2022jp", "ISO-2022-JP-3" },
	{ "iso-2022-jp-2", "ISO-2022-JP-2" },
	{ "euc-jp", "EUC-JP-MS" },
	{ "x-euc-jp", "EUC-JP-MS" },
	{ "eucjp", "EUC-JP-MS" },
	{ "gb2312", "GB18030" },
	{ "gbk", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "ks_c_5601-1987", "CP949" },
	{ "euc-kr", "CP949" },
};

static struct {
	char name[40];
	iconv_t cd;
	int bad; /* iconv_open failed: use auto */
} cache[NCACHE];
static unsigned cache_next;

int
utf8_valid(const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in, *e = s + len;

	while (s < e) {
		if (*s < 0x80) {
			if (*s == 0)
				return 0;
			s++;
			continue;
		}
		size_t n = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : 2;
		const unsigned char *q = s;
		if (*s < 0xc2 || *s > 0xf4 || (size_t)(e - s) < n)
			return 0;
		for (size_t i = 1; i < n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return 0;
		if ((*q == 0xe0 && s[1] < 0xa0) || (*q == 0xed && s[1] > 0x9f) || (*q == 0xf0 && s[1] < 0x90) ||
		    (*q == 0xf4 && s[1] > 0x8f))
			return 0;
		s += n;
	}
	return 1;
}

/* Length of a valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, const unsigned char *e)
{
	size_t n;

	if (*s < 0x80)
		return *s ? 1 : 0;
	if (*s < 0xc2 || *s > 0xf4)
		return 0;
	n = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : 2;
	if ((size_t)(e - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) || (s[0] == 0xf0 && s[1] < 0x90) ||
	    (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

void
utf8_append_clean(struct buf *out, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in, *e = s + len, *run = s;

	while (s < e) {
		if (*s >= 0x20 && *s < 0x80) {
			s++;
			continue;
		}
		size_t n = utf8_seq(s, e);
		if (n) {
			s += n;
			continue;
		}
		buf_add(out, run, (size_t)(s - run));
		buf_add(out, REPL, 3);
		s++;
		run = s;
	}
	buf_add(out, run, (size_t)(s - run));
}

static void cp1252_append(struct buf *out, const char *in, size_t len);
static iconv_t get_cd(const char *name);
static void iconv_append(struct buf *out, iconv_t cd, const char *in, size_t len);

/* Does the text hold the escape ESC $ B or ESC $ @? (memchr for the rare
 * ESC: a third of the cost of two memmem scans of every text.) */
static int
iso2022jp_escape(const char *in, size_t len)
{
	const char *p = in, *e = in + len;

	while ((p = memchr(p, '\x1b', (size_t)(e - p))) != NULL) {
		if (e - p >= 3 && p[1] == '$' && (p[2] == 'B' || p[2] == '@'))
			return 1;
		p++;
	}
	return 0;
}

static void
auto_append(struct buf *out, const char *in, size_t len)
{
	iconv_t cd;

	/* unlabelled 7-bit Japanese (ISO-2022-JP escapes): old mailers do it */
	if (iso2022jp_escape(in, len)) {
		if ((cd = get_cd("ISO-2022-JP-3")) != (iconv_t)-1) {
			iconv_append(out, cd, in, len);
			return;
		}
	}
	if (utf8_valid(in, len))
		buf_add(out, in, len);
	else {
		/* Mostly UTF-8 with a few bad bytes stays UTF-8; otherwise
		 * the text is most likely Windows-1252. */
		size_t good = 0, bad = 0;
		const unsigned char *s = (const unsigned char *)in, *e = s + len;
		while (s < e) {
			if (*s < 0x80) {
				s++;
				continue;
			}
			size_t n = utf8_seq(s, e);
			if (n) {
				good++;
				s += n;
			} else {
				bad++;
				s++;
			}
		}
		if (good > bad * 4)
			utf8_append_clean(out, in, len);
		else
			cp1252_append(out, in, len);
	}
}

static const char *
canon(const char *cs, char *tmp, size_t tmplen)
{
	size_t i = 0;

	while (*cs == ' ' || *cs == '"' || *cs == '\'')
		cs++;
	for (; *cs && *cs != '"' && *cs != '\'' && *cs != ' ' && *cs != '*' && i + 1 < tmplen; cs++)
		tmp[i++] = (char)(*cs >= 'A' && *cs <= 'Z' ? *cs + 32 : *cs);
	tmp[i] = '\0';
	for (size_t k = 0; k < nitems(aliases); k++)
		if (!strcmp(tmp, aliases[k].mail))
			return aliases[k].iconv;
	return tmp;
}

/* A cached iconv descriptor to UTF-8 for name, or (iconv_t)-1. */
static iconv_t
get_cd(const char *name)
{
	unsigned i;

	for (i = 0; i < NCACHE; i++)
		if (cache[i].name[0] && !strcmp(cache[i].name, name))
			return cache[i].bad ? (iconv_t)-1 : cache[i].cd;
	if (strlen(name) >= sizeof(cache[0].name))
		return (iconv_t)-1;
	i = cache_next++ % NCACHE;
	if (cache[i].name[0] && !cache[i].bad)
		iconv_close(cache[i].cd);
	strcpy(cache[i].name, name);
	cache[i].cd = iconv_open("UTF-8", name);
	cache[i].bad = cache[i].cd == (iconv_t)-1;
	return cache[i].cd;
}

static void
iconv_append(struct buf *out, iconv_t cd, const char *in, size_t len)
{
	char tmp[8192], *ip = (char *)in, *op;
	size_t il = len, ol;
	struct buf mid;

	buf_init(&mid, 0);
	iconv(cd, NULL, NULL, NULL, NULL);
	while (il > 0) {
		op = tmp;
		ol = sizeof(tmp);
		size_t r = iconv(cd, &ip, &il, &op, &ol);
		buf_add(&mid, tmp, (size_t)(op - tmp));
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		buf_add(&mid, REPL, 3);
		if (errno != EILSEQ)
			break; /* EINVAL: incomplete sequence at the end */
		ip++;
		il--;
	}
	op = tmp;
	ol = sizeof(tmp);
	iconv(cd, NULL, NULL, &op, &ol);
	buf_add(&mid, tmp, (size_t)(op - tmp));
	utf8_append_clean(out, mid.data ? mid.data : "", mid.len);
	buf_free(&mid);
}

static void
cp1252_append(struct buf *out, const char *in, size_t len)
{
	iconv_t cd = get_cd("CP1252");

	if (cd == (iconv_t)-1)
		utf8_append_clean(out, in, len);
	else
		iconv_append(out, cd, in, len);
}

static int
ascii_compatible(const char *name)
{
	return strncasecmp(name, "ISO-2022", 8) && strncasecmp(name, "UTF-16", 6) && strncasecmp(name, "UTF-32", 6) &&
	       strncasecmp(name, "UTF-7", 5) && strncasecmp(name, "UCS", 3) && strncasecmp(name, "HZ", 2);
}

static int
plain_ascii(const char *in, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80 || in[i] == 0)
			return 0;
	return 1;
}

void
charset_to_utf8(struct buf *out, const char *charset, const char *in, size_t len)
{
	char tmp[40];
	const char *name = canon(charset ? charset : "", tmp, sizeof(tmp));
	iconv_t cd;

	if (len == 0)
		return;
	if (!strcmp(name, "UTF-8")) {
		utf8_append_clean(out, in, len);
		return;
	}
	if (*name == '\0' || (ascii_compatible(name) && plain_ascii(in, len))) {
		auto_append(out, in, len);
		return;
	}
	if ((cd = get_cd(name)) == (iconv_t)-1) {
		auto_append(out, in, len);
		return;
	}
	iconv_append(out, cd, in, len);
}

void
tbuf_add(struct buf *b, const char *s, size_t n, size_t max)
{
	if (b->len >= max)
		return;
	if (n > max - b->len) {
		n = max - b->len;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	buf_add(b, s, n);
}

/* libetpan calls this for every charset conversion (RFC 2047 words and
 * unencoded 8-bit header text). result has *result_len bytes of room. */
static int
etpan_charconv(const char *tocode, const char *fromcode, const char *str, size_t length, char *result,
	       size_t *result_len)
{
	struct buf b;
	size_t n;

	if (strcasecmp(tocode, "utf-8") && strcasecmp(tocode, "utf8"))
		return MAIL_CHARCONV_ERROR_UNKNOWN_CHARSET;
	buf_init(&b, 0);
	charset_to_utf8(&b, fromcode, str, length);
	n = b.len;
	if (n > *result_len) {
		n = *result_len;
		while (n > 0 && ((unsigned char)b.data[n] & 0xc0) == 0x80)
			n--;
	}
	if (n)
		memcpy(result, b.data, n);
	*result_len = n;
	buf_free(&b);
	return MAIL_CHARCONV_NO_ERROR;
}

void
cs_install_hook(void)
{
	extended_charconv = etpan_charconv;
}

char *
hdr_decode(const char *raw, size_t len)
{
	struct buf b;
	char *res = NULL;
	size_t idx = 0;

	buf_init(&b, 0);
	if (memmem(raw, len, "=?", 2) == NULL) {
		/* no encoded word: plain text, UTF-8 when valid, else guessed */
		auto_append(&b, raw, len);
	} else if (mailmime_encoded_phrase_parse("utf-8", raw, len, &idx, "utf-8", &res) == MAILIMF_NO_ERROR && res) {
		utf8_append_clean(&b, res, strlen(res));
		free(res);
	} else {
		free(res);
		auto_append(&b, raw, len);
	}
	/* Decoded words may carry control characters: keep lines single. */
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20)
			b.data[i] = ' ';
	return buf_steal(&b);
}
