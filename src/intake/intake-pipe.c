/* intake-pipe.c — the Postfix pipe(8) intake: one message on a file
 * descriptor (`dcvmail pipe`) or from the pipe server (pipe-server.c),
 * classified, recorded and answered.
 *
 * Postfix reads the exit status: 0 delivered, 75 (EX_TEMPFAIL) deferred and
 * retried, anything else bounced. So every failure here ends in 75, with a
 * first output line "4.3.0 <reason>", and exit 0 comes only after the record
 * is committed. The output goes into Postfix's logs and bounces: it never
 * contains a link or a code. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbox/action.h"
#include "base/log.h"
#include "intake/logline.h"
#include "intake/pipe.h"
#include "intake/process.h"
#include "base/util.h"

#define PIPE_WATCHDOG 300 /* seconds; Postfix's command_time_limit is 1000 */

static void
on_signal(int sig)
{
	static const char msg[] = "4.3.0 dcvmail stopped by a signal; try again later\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more can be done */
	}
	_exit(EXIT_TEMPFAIL);
}

/* What Postfix is told when dcvmail pipe is stopped: never a bounce. */
void
pipe_guard(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGALRM, SIGQUIT, SIGSEGV,
				    SIGBUS,  SIGFPE, SIGILL, SIGABRT, SIGXFSZ, SIGXCPU };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < nitems(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	/* a write to a closed socket (libcurl's QUIT to a relay that reset the
	 * connection, after the record is committed) is an error (EPIPE) for
	 * the code that wrote, not a reason to tell Postfix to defer */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	alarm(PIPE_WATCHDOG);
	log_set_fatal_exit(EXIT_TEMPFAIL);
}

/* The answer for Postfix goes to out; the detail for the admin's log to
 * logline, which is logged after the answer is written (Postfix quotes the
 * first line of the command's output in the DSN). */
int
pipe_defer(struct buf *out, struct buf *logline, const char *queue_id, const char *why, const char *detail)
{
	if (detail) { /* h-cli: the cause itself, on the one line Postfix shows */
		char one[512];
		const char *who = strstr(detail, strerror(EACCES)) && !strstr(detail, "(as user ")
					  ? user_name(geteuid())
					  : NULL;
		text_clean_to(one, sizeof(one), detail);
		for (char *c = one; *c; c++)
			if (*c == '\n' || *c == '\r')
				*c = ' ';
		buf_printf(out, "4.3.0 %s: %s%s%s%s\n", why, one, who ? " (as user " : "", who ? who : "",
			   who ? ")" : "");
	} else
		buf_printf(out, "4.3.0 %s\n", why);
	logline_deferral(logline, queue_id, why, detail);
	return EXIT_TEMPFAIL;
}

static const char *
empty_null(const char *s)
{
	return s && *s ? s : NULL;
}

static void
run_actions(const struct config *cfg, const struct ruleset *rs, struct store *st)
{
	struct action_ctx ax = { cfg, rs, st, 0, now_mono() + cfg->pipe_action_deadline };
	char *err = NULL;

	if (cfg->pipe_action_deadline == 0)
		return;
	if (outbox_run(&ax, &err) == -1) {
		/* the message is recorded: actions stay queued for the worker */
		log_warnx("outbox: %s", err ? err : "error");
		free(err);
	}
}

/* What is held in memory of one message; more is spooled to the archive. */
static size_t
pipe_cap(const struct config *cfg)
{
	return cfg->limits.max_size * 4 + 4096;
}

int
pipe_deliver(const struct pipe_request *pr, const struct config *cfg, const struct ruleset *rs, struct store *st,
	     struct buf *out, struct buf *logline)
{
	const char *orig = empty_null(pr->orig), *rcpt = empty_null(pr->rcpt);
	enum mbox_role role = config_role_for(cfg, orig ? orig : rcpt);
	struct envelope env = { "pipe",
				orig ? orig : rcpt,
				empty_null(pr->sender),
				rcpt,
				orig,
				role == ROLE_NONE ? NULL : role_name(role) };
	struct process_ctx ctx = { cfg, rs, st, pr->dry_run, NULL };
	struct process_result res;
	char *err = NULL;
	int rc;

	if (!pr->dry_run && st == NULL)
		return pipe_defer(out, logline, pr->queue_id, "dcvmail ledger unavailable", NULL);
	if (pr->spooled_sha256 == NULL && pr->len > pipe_cap(cfg))
		/* `dcvmail pipe` archives a longer message whole (spooled); a
		 * reader that holds only the cap (the pipe server) may have cut it,
		 * and a prefix is never recorded as the message */
		return pipe_defer(out, logline, pr->queue_id,
				  "message too large for the dcvmail pipe server; deliver it by dcvmail pipe", NULL);
	if (process_message_spooled(&ctx, pr->data, pr->len, pr->spooled_sha256, pr->spooled_size, &env, &res, &err) ==
	    -1) {
		rc = pipe_defer(out, logline, pr->queue_id, "dcvmail could not record the message", err);
		process_result_free(&res);
		free(err);
		return rc;
	}
	logline_log(pr->queue_id, &res, &env, pr->dry_run);
	if (pr->dry_run) {
		buf_printf(out, "%s %s/%s role=%s actions=", vtype_name(res.v.type), res.v.ca ? res.v.ca : "-",
			   res.v.rule ? res.v.rule : "-", env.role ? env.role : "-");
		for (size_t i = 0; i < res.plan.n; i++)
			buf_printf(out, "%s%s", i ? "," : "", res.plan.actions[i].kind);
		buf_printf(out, "%s\n", res.plan.n ? "" : "none");
	}
	process_result_free(&res);
	if (!pr->dry_run && pr->run_actions)
		run_actions(cfg, rs, st);
	return 0;
}

/* Read the message on fd: up to cap bytes are held in memory for the parser;
 * a longer message is archived whole as it is read (a dry run only hashes
 * it), so that what Postfix is told was delivered is every byte of it, and
 * it is known by the hash of every byte. 0, or -1 with *errp. */
static int
read_message(int fd, size_t cap, struct store *st, char **data, size_t *len, char sha[65], size_t *total, int *spooled,
	     char **errp)
{
	struct buf b;
	struct spool *sp = NULL;
	char chunk[65536];
	ssize_t n;

	*spooled = 0;
	buf_init(&b, 0);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*errp = xasprintf("cannot read the message: %s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (sp == NULL && b.len + (size_t)n <= cap) {
			buf_add(&b, chunk, (size_t)n);
			continue;
		}
		if (sp == NULL) {
			size_t head = b.len;
			buf_add(&b, chunk, cap - b.len); /* the parser gets the first cap bytes */
			if ((sp = store_spool_begin(st, errp)) == NULL ||
			    store_spool_add(sp, b.data ? b.data : "", head, errp) == -1)
				goto fail;
		}
		if (store_spool_add(sp, chunk, (size_t)n, errp) == -1)
			goto fail;
	}
	if (sp) {
		struct spool *s = sp;
		sp = NULL;
		if (store_spool_finish(s, sha, total, errp) == -1)
			goto fail;
		*spooled = 1;
	}
	*len = b.len;
	*data = buf_steal(&b);
	return 0;
fail:
	store_spool_abort(sp);
	buf_free(&b);
	return -1;
}

int
pipe_answer(struct buf *out, struct buf *logline, int rc)
{
	size_t n = out->len;

	/* one line for Postfix without its newline, which pipe(8) would show
	 * as a blank before the closing parenthesis of "status=deferred (...)" */
	if (n && out->data[n - 1] == '\n' && memchr(out->data, '\n', n - 1) == NULL && !isatty(STDOUT_FILENO))
		n--;
	if (n)
		fwrite(out->data, 1, n, stdout);
	fflush(stdout);
	if (logline->len)
		log_warnx("%s", logline->data);
	buf_free(out);
	buf_free(logline);
	return rc;
}

int
pipe_fail(const char *queue_id, const char *why)
{
	struct buf out, logline;

	buf_init(&out, 1 << 16);
	buf_init(&logline, 1 << 16);
	return pipe_answer(&out, &logline, pipe_defer(&out, &logline, queue_id, why, NULL));
}

int
pipe_intake(int fd, const struct pipe_request *envelope, const struct config *cfg, const struct ruleset *rs)
{
	struct store *st = NULL;
	struct buf out, logline;
	char *data = NULL, *err = NULL, sha[65];
	size_t len = 0, total = 0;
	int spooled = 0, rc;

	buf_init(&out, 1 << 16);
	buf_init(&logline, 1 << 16);
	if (!envelope->dry_run && store_open_cfg(cfg, 0, &st, &err) == -1) {
		rc = pipe_defer(&out, &logline, envelope->queue_id, "dcvmail ledger unavailable", err);
		goto out;
	}
	if (read_message(fd, pipe_cap(cfg), st, &data, &len, sha, &total, &spooled, &err) == -1) {
		rc = pipe_defer(&out, &logline, envelope->queue_id, "dcvmail could not read and keep the message", err);
		goto out;
	}
	struct pipe_request pr = *envelope;
	pr.data = data;
	pr.len = len;
	pr.spooled_sha256 = spooled ? sha : NULL;
	pr.spooled_size = total;
	rc = pipe_deliver(&pr, cfg, rs, st, &out, &logline);
out:
	free(err);
	free(data);
	store_close(st);
	return pipe_answer(&out, &logline, rc);
}
