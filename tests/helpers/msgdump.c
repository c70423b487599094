/* msgdump — print the parsed message model of each FILE (tests' golden files).
 * usage: msgdump [-l LIMIT=VALUE]... FILE...   (FILE "-" reads stdin)
 * LIMIT: size, depth, parts, headers, line, text, links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/message.h"
#include "base/util.h"

static void
put(const char *label, const char *s)
{
	printf("%s: ", label);
	for (; s && *s; s++) {
		if (*s == '\n')
			fputs("\n  | ", stdout);
		else if (*s == '\t' || (unsigned char)*s >= 0x20)
			putchar(*s);
		else
			printf("\\x%02x", (unsigned char)*s);
	}
	putchar('\n');
}

static void
dump(const struct message *m)
{
	printf("status: %s\n", msg_status_name(m->status));
	if (m->status_reason)
		printf("reason: %s\n", m->status_reason);
	printf("parts: %d depth: %d attachments: %d headers: %zu\n", m->nparts, m->depth,
	       m->nattachments, m->nheaders);
	const char *h[] = { "From", "Subject", "Message-ID" };
	for (size_t i = 0; i < nitems(h); i++) {
		const char *v = message_header(m, h[i], 0);
		if (v) {
			char *l = xasprintf("header %s", h[i]);
			put(l, v);
			free(l);
		}
	}
	put("from", m->from);
	put("from_domain", m->from_domain);
	put("from_display", m->from_display);
	put("subject", m->subject);
	put("message_id", m->message_id);
	put("date", m->date);
	put("text", m->text);
	put("html_text", m->html_text);
	for (size_t i = 0; i < m->nlinks; i++) {
		const struct msg_link *l = &m->links[i];
		printf("link: %s\n  scheme=%s host=%s path=%s%s%s%s%s%s\n", l->url, l->scheme,
		       l->host, l->path, l->from_html ? " html" : "",
		       l->has_userinfo ? " userinfo" : "", l->ip_literal ? " ip" : "",
		       l->idn ? " idn" : "", l->has_port ? " port" : "");
		if (l->text)
			put("  text", l->text);
	}
}

static int
set_limit(struct msg_limits *lim, const char *arg)
{
	const char *eq = strchr(arg, '=');
	long long v = eq ? parse_size(eq + 1) : -1;

	if (v < 0)
		return -1;
	if (!strncmp(arg, "size=", 5)) lim->max_size = (size_t)v;
	else if (!strncmp(arg, "depth=", 6)) lim->max_depth = (int)v;
	else if (!strncmp(arg, "parts=", 6)) lim->max_parts = (int)v;
	else if (!strncmp(arg, "headers=", 8)) lim->max_headers = (int)v;
	else if (!strncmp(arg, "line=", 5)) lim->max_line = (size_t)v;
	else if (!strncmp(arg, "text=", 5)) lim->max_text = (size_t)v;
	else if (!strncmp(arg, "links=", 6)) lim->max_links = (int)v;
	else return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct msg_limits lim;
	int i = 1, rc = 0;

	msg_limits_default(&lim);
	for (; i + 1 < argc && !strcmp(argv[i], "-l"); i += 2)
		if (set_limit(&lim, argv[i + 1]) == -1) {
			fprintf(stderr, "msgdump: bad limit %s\n", argv[i + 1]);
			return 64;
		}
	for (; i < argc; i++) {
		char *data;
		size_t len;
		if (read_file(argv[i], (size_t)1 << 30, &data, &len) == -1) {
			perror(argv[i]);
			rc = 1;
			continue;
		}
		struct message *m = message_parse(data, len, &lim);
		if (argc > 2)
			printf("== %s\n", argv[i]);
		dump(m);
		message_free(m);
		free(data);
	}
	return rc;
}
