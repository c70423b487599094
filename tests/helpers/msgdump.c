/* msgdump — print the parsed message model of each file (golden tests). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcvmail/message.h"
#include "dcvmail/util.h"

static void
put(const char *label, const char *s)
{
	printf("%s: ", label);
	for (; *s; s++)
		if (*s == '\n')
			printf("\n  ");
		else if (*s != '\r')
			putchar(*s);
	putchar('\n');
}

int
main(int argc, char **argv)
{
	struct msg_limits lim;

	msg_limits_default(&lim);
	for (int i = 1; i < argc; i++) {
		char *d;
		size_t len;
		struct message *m;

		if (read_file(argv[i], 64 << 20, &d, &len) == -1) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		m = message_parse(d, len, &lim);
		printf("status: %s%s%s\n", msg_status_name(m->status), m->status_reason ? ": " : "",
		       m->status_reason ? m->status_reason : "");
		put("from", m->from);
		put("from_domain", m->from_domain);
		put("from_display", m->from_display);
		put("subject", m->subject);
		put("message_id", m->message_id);
		printf("parts: %d depth: %d attachments: %d\n", m->nparts, m->depth, m->nattachments);
		put("text", m->text);
		put("html_text", m->html_text);
		for (size_t j = 0; j < m->nlinks; j++) {
			struct msg_link *l = &m->links[j];
			printf("link: %s host=%s%s%s%s%s%s%s%s\n", l->url, l->host,
			       l->from_html ? " html" : "", l->has_userinfo ? " userinfo" : "",
			       l->ip_literal ? " ip" : "", l->idn ? " idn" : "", l->has_port ? " port" : "",
			       l->text ? " text=" : "", l->text ? l->text : "");
		}
		message_free(m);
		free(d);
	}
	return 0;
}
