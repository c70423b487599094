/* watch.c — `dcvmail watch`: every configured mailbox from one process.
 * One connection per mailbox; IDLE where the server has it (renewed before
 * the 29 minutes of RFC 2177), polling otherwise; poll(2) over the sockets and
 * a self-pipe for signals. A dropped connection is retried with exponential
 * backoff and jitter; a refused password or certificate waits longer, since
 * retrying soon cannot help and may lock the account. The outbox runs in the
 * same loop. SIGTERM/SIGINT stop between two messages; SIGHUP reloads the
 * config and rules, keeping the running ones when the new ones are broken. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbox/action.h"
#include "intake/intake-imap.h"
#include "base/log.h"
#include "base/token-cmd.h"
#include "outbox/oauth.h"
#include "intake/pipe.h"
#include "base/util.h"
#include "intake/watch.h"

#define OUTBOX_EVERY 30.0     /* seconds between outbox runs without new mail */
#define OUTBOX_SLICE 30.0     /* seconds one outbox run may take before IMAP is served again */
#define CHECKPOINT_EVERY 60.0 /* seconds between checkpoints of the ledger (short-lived writers leave the WAL) */
#define REFUSED_FIRST 60.0    /* first wait after a refused login or certificate */
#define REFUSED_MAX 3600.0

struct watched {
	const struct mailbox_cfg *mb;
	struct imap_conn *c;
	double next_try;   /* disconnected: reconnect at (now_mono) */
	double delay;	   /* last backoff delay; 0 after a good pass */
	double idle_since; /* IDLE started at; 0: not idling */
	double next_poll;  /* connected, not idling: next pass at */
};

struct watch {
	watch_reload_fn reload;
	void *reload_arg;
	struct config cfg;
	struct ruleset *rs;
	struct store *st;
	int dry;
	struct watched *w;
	size_t nw;
	double next_outbox;
	double next_checkpoint; /* h-speed: the ledger's WAL copied into ledger.db */
	int lfd;		/* pipe.sock for dcvmail-pipe, or -1 */
};

static volatile sig_atomic_t got_stop, got_hup;
static int sigfd[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int save = errno;

	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = sig;
	if (sigfd[1] != -1)
		(void)!write(sigfd[1], "", 1);
	errno = save;
}

static int
signals_setup(char **errp)
{
	struct sigaction sa;

	if (pipe(sigfd) == -1) {
		*errp = xasprintf("pipe: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(sigfd[i], F_SETFL, O_NONBLOCK);
		fcntl(sigfd[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static double
jitter(double d)
{
	return d + d * (rand() % 1000) / 4000.0; /* up to +25%: mailboxes do not retry in step */
}

/* Forget the connection and plan the next try. */
static void
drop(struct watched *w, int refused, const char *why)
{
	double cap = w->mb->reconnect_max;

	imap_conn_close(w->c, 0);
	w->c = NULL;
	w->idle_since = 0;
	if (refused)
		w->delay = w->delay < REFUSED_FIRST	? REFUSED_FIRST
			   : w->delay * 2 > REFUSED_MAX ? REFUSED_MAX
							: w->delay * 2;
	else
		w->delay = w->delay < 1 ? 1 : w->delay * 2 > cap ? cap : w->delay * 2;
	w->delay = jitter(w->delay);
	w->next_try = now_mono() + w->delay;
	log_warnx("%s; next try in %.0f s", why, w->delay);
}

static void
run_outbox(struct watch *W)
{
	struct action_ctx ax = { &W->cfg, W->rs, W->st, W->dry, now_mono() + OUTBOX_SLICE };
	char *err = NULL;

	W->next_outbox = now_mono() + OUTBOX_EVERY;
	if (W->dry || W->st == NULL)
		return;
	if (outbox_alerts(&ax, time(NULL), &err) == -1 || outbox_run(&ax, &err) == -1) {
		log_warnx("outbox: %s", err);
		free(err);
	}
}

/* The pipe processes and commands leave what they wrote in the WAL: the
 * watcher copies it into ledger.db now and then (nothing to copy: no sync). */
static void
checkpoint(struct watch *W, int truncate)
{
	char *err = NULL;

	W->next_checkpoint = now_mono() + CHECKPOINT_EVERY;
	if (W->dry || W->st == NULL)
		return;
	if (store_checkpoint(W->st, truncate, &err) == -1) {
		log_warnx("%s", err);
		free(err);
	}
}

/* Read what is new, then wait again (IDLE, or the next poll). */
static void
serve(struct watch *W, struct watched *w)
{
	struct process_ctx ctx = { &W->cfg, W->rs, W->st, W->dry, NULL };
	struct imap_stats s;
	char *err = NULL;

	if (w->idle_since && imap_conn_idle_done(w->c, &err) == -1)
		goto lost;
	w->idle_since = 0;
	if (imap_conn_catch_up(w->c, &ctx, stdout, &got_stop, &s, &err) == -1)
		goto lost;
	w->delay = 0;
	if (s.messages) {
		log_info("%s: %zu new message%s, %zu recorded%s", w->mb->name, s.messages, s.messages == 1 ? "" : "s",
			 s.recorded, W->dry ? " (dry run: nothing recorded)" : "");
		run_outbox(W);
	}
	if (got_stop)
		return;
	if (imap_conn_can_idle(w->c)) {
		if (imap_conn_idle_start(w->c, &err) == -1)
			goto lost;
		w->idle_since = now_mono();
	} else
		w->next_poll = now_mono() + w->mb->poll_interval;
	return;
lost:
	drop(w, 0, err);
	free(err);
}

static void
try_connect(struct watch *W, struct watched *w)
{
	char *err = NULL;
	int r = imap_conn_open(w->mb, W->dry, &w->c, &err);

	if (r != 0) {
		drop(w, r != IMAP_ERR_NET, err);
		free(err);
		return;
	}
	if (imap_conn_can_idle(w->c))
		log_info("%s: connected; waiting for new mail with IDLE", w->mb->name);
	else
		log_info("%s: connected; checking for new mail every %d s%s", w->mb->name, w->mb->poll_interval,
			 w->mb->idle ? " (the server has no IDLE)" : "");
	serve(W, w);
}

static void
watched_setup(struct watch *W)
{
	W->nw = W->cfg.nmailboxes;
	W->w = xcalloc(W->nw, sizeof(*W->w));
	for (size_t i = 0; i < W->nw; i++)
		W->w[i].mb = &W->cfg.mailboxes[i];
	W->next_outbox = 0;
}

static void
watched_close(struct watch *W)
{
	for (size_t i = 0; i < W->nw; i++)
		imap_conn_close(W->w[i].c, 1);
	free(W->w);
	W->w = NULL;
	W->nw = 0;
}

static void
server_open(struct watch *W)
{
	char *err = NULL;

	W->lfd = -1;
	if (!W->cfg.pipe_server)
		return;
	if (W->dry) {
		log_info("pipe-server: not serving dcvmail-pipe in a dry run");
		return;
	}
	if ((W->lfd = pipe_server_open(W->cfg.state_dir, &err)) == -1) {
		log_warnx("pipe-server: %s; dcvmail-pipe falls back to `dcvmail pipe`", err);
		free(err);
	} else
		log_info("pipe-server: answering dcvmail-pipe on %s/pipe.sock", W->cfg.state_dir);
}

/* SIGHUP: new config, rules and ledger, or the running ones if anything fails. */
static void
reload(struct watch *W)
{
	struct config nc;
	struct ruleset *nrs;
	struct store *nst = NULL;
	char *err = NULL;

	log_info("SIGHUP: reloading the configuration and rules");
	if (W->reload(W->reload_arg, &nc, &nrs) != 0) {
		log_warnx("reload failed (errors above): keeping the running configuration and rules");
		return;
	}
	if ((nc.nmailboxes == 0 && !nc.pipe_server) || watch_preflight(&nc) == -1 ||
	    (store_open_cfg(&nc, W->dry ? STORE_RDONLY : 0, &nst, &err) == -1 && !W->dry)) {
		if (err)
			log_warnx("%s", err);
		log_warnx("reload failed: %s; keeping the running configuration and rules",
			  nc.nmailboxes == 0 && !nc.pipe_server ? "no mailbox blocks and no pipe-server" : "see above");
		free(err);
		rules_free(nrs);
		config_free(&nc);
		return;
	}
	free(err); /* a dry run works without a ledger */
	watched_close(W);
	pipe_server_close(W->lfd, W->cfg.state_dir);
	store_close(W->st);
	rules_free(W->rs);
	config_free(&W->cfg);
	oauth_src_forget(); /* h-oauth: the tokens of the old blocks */
	W->cfg = nc;
	W->rs = nrs;
	W->st = nst;
	watched_setup(W);
	server_open(W);
	log_info("reloaded: %zu mailbox%s, %zu rules", W->nw, W->nw == 1 ? "" : "es", rules_count(W->rs));
}

static int
poll_timeout(struct watch *W, double now)
{
	double next = W->dry ? now + 3600 : W->next_outbox < W->next_checkpoint ? W->next_outbox : W->next_checkpoint;

	for (size_t i = 0; i < W->nw; i++) {
		struct watched *w = &W->w[i];
		double t = w->c == NULL	   ? w->next_try
			   : w->idle_since ? w->idle_since + w->mb->idle_refresh
					   : w->next_poll;
		if (w->c && w->idle_since && imap_conn_buffered(w->c))
			t = now; /* a response is already read into the buffer */
		if (t < next)
			next = t;
	}
	if (next <= now)
		return 0;
	return next - now > 3600 ? 3600 * 1000 : (int)((next - now) * 1000) + 1;
}

static void
loop(struct watch *W)
{
	struct pollfd *pfd = NULL;
	size_t *who = NULL;

	while (!got_stop) {
		size_t nimap;
		int timeout, ct;
		double now = now_mono();
		size_t n = 0;

		if (got_hup) {
			got_hup = 0;
			reload(W);
		}
		for (size_t i = 0; i < W->nw && !got_stop; i++) {
			struct watched *w = &W->w[i];
			if (w->c == NULL) {
				if (now >= w->next_try)
					try_connect(W, w);
			} else if (w->idle_since && now >= w->idle_since + w->mb->idle_refresh) {
				log_debug("%s: renewing IDLE after %d s", w->mb->name, w->mb->idle_refresh);
				serve(W, w);
			} else if (w->idle_since ? imap_conn_buffered(w->c) : now >= w->next_poll)
				serve(W, w);
		}
		if (got_stop)
			break;
		if (now_mono() >= W->next_outbox)
			run_outbox(W);
		if (now_mono() >= W->next_checkpoint)
			checkpoint(W, 0);
		pfd = xreallocarray(pfd, W->nw + 2 + PIPE_SERVER_MAX_CLIENTS, sizeof(*pfd));
		who = xreallocarray(who, W->nw + 2 + PIPE_SERVER_MAX_CLIENTS, sizeof(*who));
		pfd[n].fd = sigfd[0];
		pfd[n++].events = POLLIN;
		for (size_t i = 0; i < W->nw; i++)
			if (W->w[i].c && W->w[i].idle_since) {
				pfd[n].fd = imap_conn_fd(W->w[i].c);
				pfd[n].events = POLLIN;
				who[n++] = i;
			}
		nimap = n;
		n += pipe_server_pollfds(W->lfd, pfd + n); /* the socket and its clients */
		timeout = poll_timeout(W, now_mono());
		if ((ct = pipe_server_timeout_ms(now_mono())) >= 0 && ct < timeout)
			timeout = ct;
		if (poll(pfd, n, timeout) == -1 && errno != EINTR) {
			log_warn("poll");
			sleep(1);
			continue;
		}
		if (pfd[0].revents) {
			char b[64];
			while (read(sigfd[0], b, sizeof(b)) > 0)
				;
		}
		/* non-blocking: new clients, data, answers, deadlines */
		if (W->lfd != -1 && pipe_server_serve(W->lfd, &W->cfg, W->rs, W->st) > 0)
			run_outbox(W); /* forwards for what was just delivered */
		for (size_t k = 1; k < nimap && !got_stop && !got_hup; k++)
			if (pfd[k].revents)
				serve(W, &W->w[who[k]]); /* the server spoke during IDLE */
	}
	free(pfd);
	free(who);
}

int
watch_preflight(const struct config *cfg)
{
	int bad = 0;

	for (size_t i = 0; i < cfg->nmailboxes; i++) {
		char *err = NULL, *pw;
		if (cfg->mailboxes[i].auth != AUTH_PASSWORD) { /* h-oauth: run at login; here only found */
			const struct oauth_cfg *o = cfg->mailboxes[i].oauth_cfg;
			const struct strv *tc = o ? &o->token_command : &cfg->mailboxes[i].token_command;
			if (tc->n == 0 || token_cmd_findable(tc->v[0], &err) == 0)
				continue; /* an oauth block's files are read when a token is needed */
			pw = NULL;
		} else
			pw = config_read_secret(cfg->mailboxes[i].password_file, &err);
		if (pw == NULL) {
			log_warnx("mailbox %s (%s:%d): %s", cfg->mailboxes[i].name, cfg->mailboxes[i].file,
				  cfg->mailboxes[i].line, err);
			free(err);
			bad = 1;
			continue;
		}
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	return bad ? -1 : 0;
}

int
watch_run(watch_reload_fn load, void *load_arg, struct config *cfg, struct ruleset *rs, struct store *st, int dry)
{
	struct watch W;
	char *err = NULL;

	memset(&W, 0, sizeof(W));
	W.reload = load;
	W.reload_arg = load_arg;
	W.cfg = *cfg;
	W.rs = rs;
	W.st = st;
	W.dry = dry;
	if (signals_setup(&err) == -1) {
		log_warnx("%s", err);
		free(err);
		return EXIT_OSERR;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	srand((unsigned)getpid() ^ (unsigned)now_mono());
	watched_setup(&W);
	server_open(&W);
	if (W.cfg.pipe_server && !dry && W.lfd == -1) {
		watched_close(&W);
		store_close(W.st);
		rules_free(W.rs);
		config_free(&W.cfg);
		memset(cfg, 0, sizeof(*cfg));
		return EXIT_CANTCREAT;
	}
	log_info("watching %zu mailbox%s%s", W.nw, W.nw == 1 ? "" : "es",
		 dry ? " (dry run: EXAMINE only, nothing recorded)" : "");
	loop(&W);
	log_info("stopping on signal %d", (int)got_stop);
	watched_close(&W);
	pipe_server_close(W.lfd, W.cfg.state_dir);
	checkpoint(&W, 1);
	store_close(W.st);
	rules_free(W.rs);
	config_free(&W.cfg);
	memset(cfg, 0, sizeof(*cfg));
	close(sigfd[0]);
	close(sigfd[1]);
	sigfd[0] = sigfd[1] = -1;
	return 0;
}
