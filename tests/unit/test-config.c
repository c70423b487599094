/* test-config.c — config parser: keywords, blocks, roles, secrets, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "outbox/action.h"
#include "unit.h"

static char dir[] = "/tmp/dcvmail-test-config.XXXXXX";

static const char *
write_tmp(const char *name, const char *text, int mode)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* Where config_load's errors go: "basename:line: message\n" appended. */
struct errs {
	char *buf;
	size_t len, used;
	int calls;
};

static void
collect(void *arg, const char *file, int line, int col, const char *msg)
{
	struct errs *e = arg;
	const char *base = strrchr(file, '/');
	int n;

	e->calls++;
	CHECK(col == 0, "a config error has no column");
	n = snprintf(e->buf + e->used, e->len - e->used, "%s:%d: %s\n", base ? base + 1 : file, line, msg);
	if (n > 0)
		e->used += (size_t)n < e->len - e->used ? (size_t)n : e->len - e->used - 1;
}

/* Load text; errors through the callback into errbuf. Returns config_load's result. */
static int
load(const char *text, struct config *c, char *errbuf, size_t len)
{
	const char *p = write_tmp("t.conf", text, 0600);
	struct errs e = { errbuf, len, 0, 0 };
	struct config_ops ops = { .diag = collect, .arg = &e, .action_at = action_kind_at };
	int r;

	errbuf[0] = '\0';
	r = config_load(p, c, &ops);
	CHECK(r == -1 || e.calls == r, "every error reached the callback (%d of %d)", e.calls, r);
	return r;
}

static void
test_good(void)
{
	struct config c;
	char err[4096];
	int r = load("# comment\n"
		     "state-dir /srv/dcv   # trailing comment\n"
		     "trust-authserv-id mx1.example.com mx2.example.com\n"
		     "role constructed admin@ Webmaster@\n"
		     "role txt dcv@example.com\n"
		     "limit message-size 2M\n"
		     "limit mime-depth 8\n"
		     "auto-approve sectigo\n"
		     "digest 07:30\n"
		     "pending-alert-mail no\n"
		     "notify-secret-file /etc/dcvmail/hook.key\n"
		     "mailbox whois {\n"
		     "  url imaps://imap.example.com/INBOX\n"
		     "  user \"whois@example.com\"\n"
		     "  password-file /etc/dcvmail/whois.pw\n"
		     "  role whois\n"
		     "  move-to Done\n"
		     "  trust-authserv-id mx.provider.example\n"
		     "}\n"
		     "smtp {\n  url smtp://127.0.0.1:25\n  from dcvmail@example.com\n}\n"
		     "route {\n  type dcv ev-intent\n  domain example.com\n  forward a@example.com b@example.com\n  approve\n}\n"
		     "route default {\n  forward postmaster@example.com\n}\n",
		     &c, err, sizeof(err));

	CHECK(r == 0, "valid config loads without errors");
	if (r != 0) {
		printf("# %s", err);
		return;
	}
	CHECK_STR(c.state_dir, "/srv/dcv", "state-dir (trailing comment ignored)");
	CHECK(c.trust_authserv_ids.n == 2, "two trusted authserv-ids");
	CHECK(c.limits.max_size == 2 * 1024 * 1024, "limit message-size 2M");
	CHECK(c.limits.max_depth == 8, "limit mime-depth 8");
	CHECK(c.limits.max_parts > 0, "other limits keep their defaults");
	CHECK(c.nmailboxes == 1 && c.mailboxes[0].role == ROLE_WHOIS, "mailbox block with role");
	CHECK_STR(c.mailboxes[0].user, "whois@example.com", "quoted value");
	CHECK(c.mailboxes[0].poll_interval == 60, "poll-interval default 60");
	CHECK(c.mailboxes[0].trust_authserv_ids.n == 1 && !strcmp(c.mailboxes[0].trust_authserv_ids.v[0], "mx.provider.example"),
	      "a mailbox's own trust-authserv-id");
	CHECK(!strv_contains(&c.trust_authserv_ids, "mx.provider.example") && !c.check_trust_ar,
	      "it is not added to the global one; check trusts no header by default");
	CHECK(c.have_smtp && c.smtp.from && !strcmp(c.smtp.from, "dcvmail@example.com"), "smtp block");
	CHECK(c.nroutes == 2 && c.routes[0].nactions == 2 && c.routes[0].actions[0].targets.n == 2,
	      "route with forward (2 targets) and approve");
	CHECK(c.routes[1].is_default && !strcmp(c.routes[1].actions[0].kind->name, "forward"), "default route forwards");
	CHECK(!strcmp(c.routes[0].actions[1].kind->name, "approve") && c.routes[0].actions[1].targets.n == 0,
	      "approve is an action of the outbox's table");
	CHECK(config_role_for(&c, "admin@example.org") == ROLE_CONSTRUCTED, "local part admin@ matches any domain");
	CHECK(config_role_for(&c, "WEBMASTER@Example.COM") == ROLE_CONSTRUCTED, "role match is case-insensitive");
	CHECK(config_role_for(&c, "dcv@example.com") == ROLE_TXT, "exact address role");
	CHECK(config_role_for(&c, "dcv@example.org") == ROLE_NONE, "exact address does not match other domains");
	CHECK(config_role_for(&c, "someone@example.com") == ROLE_NONE, "unlisted address has no role");
	CHECK(config_role_for(&c, NULL) == ROLE_NONE, "no address, no role");
	CHECK(c.digest_at == 7 * 60 + 30 && !c.pending_alert_mail, "digest 07:30, pending-alert-mail no");
	config_free(&c);
	config_defaults(&c);
	CHECK(c.digest_at == 9 * 60 && c.pending_alert_mail, "by default the digest at 09:00 and the alert mail on");
	config_free(&c);
	CHECK(load("digest off\n", &c, err, sizeof(err)) == 0 && c.digest_at == -1, "digest off");
	config_free(&c);
}

static void
expect_error(const char *text, const char *want, const char *what)
{
	struct config c;
	char err[4096];
	int r = load(text, &c, err, sizeof(err));

	CHECK(r > 0 && strstr(err, want) != NULL, "error: %s", what);
	if (!(r > 0 && strstr(err, want)))
		printf("#   want [%s]\n#   got  [%s] (r=%d)\n", want, err, r);
	config_free(&c);
}

static void
test_errors(void)
{
	expect_error("state-dir\n", "t.conf:1: 'state-dir' takes 1 argument", "missing argument");
	expect_error("\n\nfoo bar\n", "t.conf:3: unknown keyword 'foo'", "unknown keyword with line");
	expect_error("role boss a@b\n", "t.conf:1: unknown role 'boss'", "unknown role");
	expect_error("role txt example.com\n", "has no '@'", "role address without @");
	expect_error("limit mime-depth lots\n", "limit mime-depth: bad value 'lots'", "bad limit value");
	expect_error("limit frobs 1\n", "unknown limit 'frobs'", "unknown limit");
	expect_error("mailbox x {\n url imaps://h/INBOX\n}\n", "mailbox 'x' has no user", "mailbox without user");
	expect_error("mailbox x {\n url pop3://h/\n user u\n password-file /p\n role txt\n}\n",
		     "t.conf:1: mailbox 'x': url 'pop3://h/' must start with imaps://, imap://", "mailbox with a bad url");
	expect_error("mailbox x {\n url imaps://h:99999/\n user u\n password-file /p\n role txt\n}\n",
		     "t.conf:1: mailbox 'x': url 'imaps://h:99999/': the port must be a number from 1 to 65535",
		     "a mailbox port out of range (curl_url)");
	expect_error("smtp {\n url smtp://[::1]:99999\n from a@b\n}\n",
		     "t.conf:1: smtp url 'smtp://[::1]:99999': the port must be a number from 1 to 65535",
		     "an smtp port out of range");
	expect_error("mailbox x\n", "end the line with '{'", "block without brace");
	expect_error("mailbox x {\n url imaps://h/\n", "t.conf:1: unterminated mailbox block", "unterminated block: its opening line");
	expect_error("syslog no\nroute {\n approve\n\n", "t.conf:2: unterminated route block", "unterminated block further down");
	expect_error("smtp {\n url smtp://127.0.0.1\nmailbox x {\n url imaps://h/\n}\n", "t.conf:3: 'mailbox' block inside the smtp block opened at line 1", "a block inside a block names both lines");
	expect_error("}\n", "t.conf:1: unexpected '}'", "stray brace");
	expect_error("route {\n type dcv\n}\n", "route has no action", "route without action");
	expect_error("route {\n type dvc\n forward a@b\n}\nsmtp {\n url smtp://127.0.0.1\n}\n",
		     "unknown type 'dvc'", "route with a misspelt type");
	expect_error("route {\n forward a@b\n}\n", "no smtp block", "forward without smtp");
	expect_error("notify-secret-file /k\nroute {\n notify http://x/\n}\n", "must be https://", "notify over http");
	expect_error("verify-dkim maybe\n", "wants yes or no", "bad boolean");
	expect_error("dns-server 127.0.0.1:99999\n", "is not an IPv4 address[:port]", "dns-server with a bad port");
	expect_error("dns-server 127.0.0.1:53x\n", "is not an IPv4 address[:port]", "dns-server with junk after the port");
	expect_error("dns-server 127.0.0.1:\n", "is not an IPv4 address[:port]", "dns-server with an empty port");
	expect_error("dns-server ns1.example\n", "t.conf:1: dns-server: 'ns1.example' is not an IPv4 address[:port]", "dns-server by name");
	expect_error("route {\n notify https://x/\n}\n", "notify-secret-file is not set",
		     "notify without a signing key");
	expect_error("hostname \"unterminated\n", "unterminated quoted string", "unterminated quote");
	expect_error("pending-alert 0\n", "wants a number from 1", "number out of range");
	expect_error("digest 9:00\n", "t.conf:1: digest: '9:00' is not a local time HH:MM (00:00 to 23:59) or off",
		     "digest wants two digits for the hour");
	expect_error("digest 24:00\n", "'24:00' is not a local time HH:MM", "digest hour out of range");
	expect_error("digest 08:60\n", "'08:60' is not a local time HH:MM", "digest minute out of range");
	expect_error("digest +9:00\n", "'+9:00' is not a local time HH:MM", "digest with a sign");
	expect_error("digest\n", "'digest' takes 1 argument", "digest without a time");
	expect_error("pending-alert-mail often\n", "wants yes or no", "pending-alert-mail is yes or no");
	expect_error("route {\n alert a@b\n}\n", "t.conf:2: unknown keyword 'alert' in route block",
		     "alert is no route keyword");
	expect_error("route {\n digest a@b\n}\n", "t.conf:2: unknown keyword 'digest' in route block",
		     "digest is no route keyword");
	/* the table: each block's keywords, bounds, and the outbox's action kinds */
	expect_error("route {\n type dcv\n}\n", "t.conf:1: route has no action (forward, redirect, notify, approve)",
		     "the kinds a route may name, from the action table");
	expect_error("route {\n flag\n}\n", "t.conf:2: unknown keyword 'flag' in route block", "flag is no route keyword");
	expect_error("route {\n approve now\n}\n", "t.conf:2: 'approve' takes 0 arguments", "approve takes no target");
	expect_error("smtp {\n url smtp://127.0.0.1\n port 25\n}\n", "t.conf:3: unknown keyword 'port' in smtp block",
		     "unknown keyword in smtp block");
	expect_error("mailbox x {\n poll-interval 0\n}\n", "t.conf:2: 'poll-interval' wants a number from 1 to 86400, not '0'",
		     "mailbox int bounds");
	expect_error("mailbox x {\n state-dir /x\n}\n", "t.conf:2: unknown keyword 'state-dir' in mailbox block",
		     "a top keyword in a block");
	expect_error("smtp {\n mailbox y {\n}\n", "t.conf:2: 'mailbox' block inside the smtp block opened at line 1",
		     "a block in a block");
	expect_error("pipe-server-timeout 601\n", "t.conf:1: 'pipe-server-timeout' wants a number from 1 to 600",
		     "the last keyword is found");
	expect_error("action-retry-max\n", "t.conf:1: 'action-retry-max' takes 1 argument", "the first keyword is found");
	expect_error("smtp {\n url smtp://u:pw@127.0.0.1\n from a@b\n}\nroute {\n frob x\n}\n",
		     "t.conf:6: unknown keyword 'frob' in route block", "line numbers through the callback");
}

static void
test_table(void)
{
	const char *a = NULL, *b = NULL;
	char buf[16384];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct config_ops ops = { .action_at = action_kind_at };

	CHECK(config_keywords_sorted(&a, &b) == 0, "the keyword table is sorted for bsearch%s%s%s%s",
	      a ? " (" : "", a ? a : "", a ? " before " : "", b ? b : "");
	config_keywords(f, &ops);
	fclose(f);
	CHECK(strstr(buf, "top      state-dir ") != NULL, "the list names a top keyword");
	CHECK(strstr(buf, "mailbox  idle-refresh             NUMBER (1 to 1740)") != NULL, "with its bounds");
	CHECK(strstr(buf, "route    notify                   URL...") != NULL, "and the route actions");
	CHECK(strstr(buf, "route    flag") == NULL, "but not flag");
}

static void
test_secret(void)
{
	char *err = NULL, *s;
	const char *p = write_tmp("pw", "s3cret\n", 0600);

	s = config_read_secret(p, &err);
	CHECK_STR(s, "s3cret", "secret read, newline stripped");
	free(s);
	p = write_tmp("pw2", "s3cret\n", 0644);
	s = config_read_secret(p, &err);
	CHECK(s == NULL && err && strstr(err, "chmod 600"), "world-readable secret refused with the fix");
	free(err);
	err = NULL;
	s = config_read_secret("/nonexistent/pw", &err);
	CHECK(s == NULL && err && strstr(err, "/nonexistent/pw"), "missing secret file named in the error");
	free(err);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	test_good();
	test_errors();
	test_table();
	test_secret();
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# cleanup failed\n");
	}
	UNIT_DONE();
}
