/* config-check.c — what dcvmail -n and start-up check beyond the syntax:
 * secret files (present, 0600, owned by the run user), token-command
 * programs; and the order-overdue hours a config gives. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "base/token-cmd.h"
#include "base/log.h"
#include "base/util.h"

char *
config_read_secret(const char *path, char **errp)
{
	struct stat st;
	char *data;
	size_t len;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*errp = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		*errp = xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		*errp = xasprintf("%s: readable by group or others; fix with: chmod 600 %s", path, path);
		close(fd);
		return NULL;
	}
	if (read_fd(fd, 64 * 1024, &data, &len) == -1) {
		*errp = xasprintf("%s: %s", path, errno == EFBIG ? "too large for a secret" : strerror(errno));
		close(fd);
		return NULL;
	}
	close(fd);
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		data[--len] = '\0';
	return data;
}

/* One secret file named by the configuration: a regular file readable by its
 * owner only (config_read_secret refuses it otherwise, at the moment it is
 * needed), there, and owned by the user dcvmail runs as (uid; -1: not
 * checked). */
static int
check_secret(const struct config *c, const char *what, int line, const char *path, long uid, const char *user,
	     FILE *out)
{
	struct stat st;
	const char *conf = c->path ? c->path : "(defaults)";

	if (path == NULL)
		return 0;
	if (stat(path, &st) == -1) {
		int e = errno;
		fprintf(out, "%s:%d: %s %s: %s%s%s%s\n", conf, line, what, path, strerror(e),
			e == EACCES ? " (as user " : "", e == EACCES ? user_name(geteuid()) : "",
			e == EACCES ? ")" : "");
		return 1;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(out, "%s:%d: %s %s: not a regular file\n", conf, line, what, path);
		return 1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		fprintf(out,
			"%s:%d: %s %s has mode %04o: group or others can read it, and dcvmail refuses it; "
			"fix with: chmod 600 %s\n",
			conf, line, what, path, (unsigned)(st.st_mode & 07777), path);
		return 1;
	}
	if (uid >= 0 && st.st_uid != (uid_t)uid) {
		fprintf(out,
			"%s:%d: %s %s is owned by %s, not by %s, the user dcvmail runs as; fix with: chown %s %s\n",
			conf, line, what, path, user_name(st.st_uid), user, user, path);
		return 1;
	}
	return 0;
}

/* h-oauth: the files of an oauth block: its secrets as any other, the
 * certificate there; a refresh-token-file not there yet says how to get one. */
static int
check_oauth_files(const struct config *c, const struct oauth_cfg *o, long uid, const char *user, FILE *out)
{
	const char *conf = c->path ? c->path : "(defaults)";
	const struct {
		const char *kw, *path;
	} sec[] = {
		{ "client-secret-file", o->client_secret_file },
		{ "client-key", o->client_key },
		{ "refresh-token-file", o->refresh_token_file },
		{ "service-account-file", o->service_account_file },
	};
	struct stat st;
	int n = 0;

	for (size_t i = 0; i < nitems(sec); i++) {
		char what[300];
		if (sec[i].path == NULL)
			continue;
		snprintf(what, sizeof(what), "%s of oauth '%s'", sec[i].kw, o->name);
		if (!strcmp(sec[i].kw, "refresh-token-file") && stat(sec[i].path, &st) == -1 && errno == ENOENT) {
			fprintf(out, "%s:%d: %s %s: not there yet; get it with: dcvmail oauth login %s\n", conf,
				o->line, what, sec[i].path, o->name);
			n++;
			continue;
		}
		n += check_secret(c, what, o->line, sec[i].path, uid, user, out);
	}
	if (o->client_certificate && stat(o->client_certificate, &st) == -1) {
		fprintf(out, "%s:%d: client-certificate of oauth '%s' %s: %s\n", conf, o->line, o->name,
			o->client_certificate, strerror(errno));
		n++;
	}
	return n;
}

static int
check_secrets(const struct config *c, long uid, const char *user, FILE *out)
{
	int n = 0;

	for (size_t i = 0; i < c->nmailboxes; i++) {
		char what[300];
		snprintf(what, sizeof(what), "password-file of mailbox '%s'", c->mailboxes[i].name);
		n += check_secret(c, what, c->mailboxes[i].line, c->mailboxes[i].password_file, uid, user, out);
	}
	if (c->have_smtp)
		n += check_secret(c, "smtp password-file", c->smtp.line, c->smtp.password_file, uid, user, out);
	n += check_secret(c, "notify-secret-file", c->notify_secret_line, c->notify_secret_file, uid, user, out);
	n += check_secret(c, "ledger-password-file", c->ledger_line, c->ledger_password_file, uid, user, out);
	for (size_t i = 0; i < c->noauths; i++)
		n += check_oauth_files(c, &c->oauths[i], uid, user, out);
	return n;
}

int
config_overdue_hours(const struct config *c, const char *ca, const char *step)
{
	/* defaults: a DCV answer waits as long as pending-alert; intent and
	 * documents three days; issuance a week after the last answer (the time
	 * resellers' manuals give for issuance) */
	int h = !strcmp(step, "dcv") ? c->pending_alert_hours : !strcmp(step, "issuance") ? 168 : 72;

	for (size_t i = 0; i < c->noverdue; i++) {
		const struct overdue_cfg *o = &c->overdue[i];
		if (strcmp(o->step, step))
			continue;
		int match = o->cas.n == 0;
		for (size_t j = 0; j < o->cas.n && !match; j++)
			match = ca && !strcmp(o->cas.v[j], ca);
		if (match)
			h = o->hours;
	}
	return h;
}

int
config_check_secrets(const struct config *c, FILE *out)
{
	return check_secrets(c, -1, NULL, out);
}

int
config_check_secrets_as(const struct config *c, unsigned uid, const char *user, FILE *out)
{
	return check_secrets(c, (long)uid, user, out);
}

/* One token-command: 1 (and a line on out) when its program cannot be run,
 * else 0. what names the block ("mailbox 'x'", "the smtp block"). */
static int
check_program(FILE *out, const char *conf, int line, const char *what, const struct strv *cmd)
{
	char *err = NULL;

	if (cmd->n == 0 || token_cmd_findable(cmd->v[0], &err) == 0)
		return 0;
	fprintf(out, "%s:%d: token-command of %s: %s\n", conf, line, what, err);
	free(err);
	return 1;
}

int
config_check_programs(const struct config *c, FILE *out)
{
	const char *conf = c->path ? c->path : "(defaults)";
	int n = 0;

	for (size_t i = 0; i < c->nmailboxes; i++) {
		const struct mailbox_cfg *m = &c->mailboxes[i];
		char *what = xasprintf("mailbox '%s'", m->name);
		n += check_program(out, conf, m->token_command_line, what, &m->token_command);
		free(what);
	}
	if (c->have_smtp)
		n += check_program(out, conf, c->smtp.token_command_line, "the smtp block", &c->smtp.token_command);
	for (size_t i = 0; i < c->noauths; i++) {
		char *what = xasprintf("oauth '%s'", c->oauths[i].name);
		n += check_program(out, conf, c->oauths[i].line, what, &c->oauths[i].token_command);
		free(what);
	}
	return n;
}
