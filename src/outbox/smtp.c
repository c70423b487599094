/* smtp.c — sending one message by SMTP through libetpan. STARTTLS is used
 * whenever offered; only a relay on this host may be spoken to in clear (or
 * over TLS with an unchecked certificate); anything else gets TLS (STARTTLS,
 * or smtps), and its certificate chain and host name are checked with OpenSSL
 * (tls.c: libetpan checks neither) before the password, the token or the mail
 * is sent. h-smtpauth: the login is AUTH PLAIN/LOGIN with a password
 * (libetpan), or SASL XOAUTH2 or OAUTHBEARER with an OAuth access token
 * (written here, see login_oauth). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/lib-etpan.h"
#include "base/lib-crypto.h"

#include "base/log.h"
#include "outbox/smtp.h"
#include "base/tls.h"
#include "base/token-cmd.h"
#include "base/util.h"
#include "outbox/oauth.h"

#define SMTP_LINE_MAX 512 /* octets of a command line with its CRLF (RFC 5321 4.5.3.1.4) */

static enum smtp_status
failed(mailsmtp *s, int r, const char *what, char **result)
{
	*result = xasprintf("%s: %s%s%s", what, mailsmtp_strerror(r), s->response ? ": " : "",
			    s->response ? s->response : "");
	/* a permanent refusal will not get better by retrying */
	return s->response_code >= 500 && s->response_code < 600 ? SMTP_FAIL : SMTP_RETRY;
}

/* The access token for the smtp block's OAuth login (fresh: the one before
 * was refused): from its oauth block (outbox/oauth.h: refresh, client
 * credentials, JWT or command grants, cached in memory), or from its
 * token-command, which runs anew every time. The one place a token is
 * obtained for SMTP. */
static char *
smtp_token(const struct smtp_cfg *cfg, int fresh, char **errp)
{
	char *e = NULL, *tok;

	if (cfg->oauth_cfg) { /* a named token source: cached until near its expiry, unless fresh */
		if ((tok = oauth_token(oauth_src_get(cfg->oauth_cfg), cfg->user, fresh, NULL, &e)) == NULL) {
			*errp = xasprintf("smtp oauth '%s': %s", cfg->oauth, e);
			free(e);
		}
		return tok;
	}
	if ((tok = token_cmd_run(cfg->token_command.v, cfg->timeout, &e)) == NULL) {
		*errp = xasprintf("smtp token-command %s", e);
		free(e);
	}
	return tok;
}

/* Whether the EHLO answer (as libetpan keeps it: each line's text, less its
 * code, one a line) offers the SASL mechanism mech: "AUTH A B C", or the
 * "AUTH=A B C" of old servers. */
static int
ehlo_offers(const char *ehlo, const char *mech)
{
	size_t ml = strlen(mech);

	for (const char *l = ehlo; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncasecmp(l, "AUTH", 4) || (l[4] != ' ' && l[4] != '='))
			continue;
		for (const char *w = l + 5;;) {
			w += strspn(w, " \t");
			size_t n = strcspn(w, " \t\r\n");
			if (n == 0)
				break;
			if (n == ml && !strncasecmp(w, mech, n))
				return 1;
			w += n;
		}
	}
	return 0;
}

/* The initial client response of XOAUTH2 (user=U^Aauth=Bearer T^A^A) or of
 * OAUTHBEARER (RFC 7628 3.1: n,a=U,^Aauth=Bearer T^A^A, with ',' and '=' of
 * the user escaped), base64-encoded; the plain form is wiped. */
static char *
sasl_response(const char *user, const char *tok, int bearer)
{
	size_t ul = strlen(user), tl = strlen(tok), n = 0;
	char *raw = xmalloc(3 * ul + tl + 32), *b64;

	n += (size_t)sprintf(raw, "%s", bearer ? "n,a=" : "user=");
	for (const char *u = user; *u; u++)
		n += (size_t)sprintf(raw + n, "%s",
				     bearer && *u == ','   ? "=2C"
				     : bearer && *u == '=' ? "=3D"
							   : (char[]){ *u, 0 });
	n += (size_t)sprintf(raw + n, "%s\001auth=Bearer %s\001\001", bearer ? "," : "", tok);
	b64 = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)raw, (int)n);
	explicit_bzero(raw, n);
	free(raw);
	return b64;
}

/* Write line and CRLF, flushed, marked private (never handed to a libetpan
 * logger). */
static int
send_private(mailsmtp *s, const char *line)
{
	int ok;

	mailstream_set_privacy(s->stream, 0);
	ok = mailstream_write(s->stream, line, strlen(line)) >= 0 && mailstream_write(s->stream, "\r\n", 2) >= 0 &&
	     mailstream_flush(s->stream) == 0;
	mailstream_set_privacy(s->stream, 1);
	return ok ? 0 : -1;
}

/* One SMTP reply: its code, and its text (the lines joined by spaces, cut at
 * what text holds: it has a max). -1: the connection failed or this is no
 * SMTP reply. */
static int
read_reply(mailsmtp *s, int *code, struct buf *text)
{
	MMAPString *line = mmap_string_new("");
	char *l;
	int rc = -1;

	text->len = 0;
	if (text->data)
		text->data[0] = '\0';
	while (line && (l = mailstream_read_line_remove_eol(s->stream, line)) != NULL) {
		if (!isdigit((unsigned char)l[0]) || !isdigit((unsigned char)l[1]) || !isdigit((unsigned char)l[2]) ||
		    (l[3] != '\0' && l[3] != ' ' && l[3] != '-'))
			break;
		*code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
		const char *t = l[3] ? l + 4 : "";
		size_t room = text->max - text->len - 2, n = strlen(t); /* the rest is cut */
		if (text->len < text->max - 2) {
			if (text->len)
				buf_addc(text, ' ');
			buf_add(text, t, n < room ? n : room);
		}
		if (l[3] != '-') {
			rc = 0;
			break;
		}
	}
	if (line)
		mmap_string_free(line);
	return rc;
}

/* An error challenge (a 334 after the response: base64 JSON such as
 * {"status":"invalid_token",...}) as text for the error, or "". */
static void
add_challenge(struct buf *out, const char *b64)
{
	size_t n = strlen(b64);
	unsigned char *d = xmalloc(3 * (n / 4) + 4);
	int dl = n && n % 4 == 0 ? EVP_DecodeBlock(d, (const unsigned char *)b64, (int)n) : -1;

	while (dl > 0 && d[dl - 1] == '\0') /* EVP_DecodeBlock keeps the padding's zero bytes */
		dl--;
	for (int i = 0; i < dl; i++)
		if (d[i] < ' ' || d[i] >= 0x7f)
			d[i] = '?';
	if (dl > 0)
		buf_printf(out, "%.*s", dl > 300 ? 300 : dl, (char *)d);
	free(d);
}

enum sasl_end { SASL_OK, SASL_REFUSED, SASL_BROKEN };

/* AUTH mech with resp (base64): on the AUTH line when that fits a command
 * line (RFC 4954 4), else after the server's empty 334 (Microsoft's tokens
 * are some 2,000 characters). A 334 after the response is an error
 * challenge (RFC 7628 3.2.2; Google's XOAUTH2 sends one too): it is answered
 * with %x01 (OAUTHBEARER) or an empty line (XOAUTH2), and the server ends
 * with its code. *code, *why: the last reply and the challenge; *challenged:
 * one came. */
static enum sasl_end
sasl_oauth(mailsmtp *s, const char *mech, int bearer, const char *resp, int *code, struct buf *why, int *challenged)
{
	struct buf text, ch;
	char *line = xasprintf("AUTH %s %s", mech, resp);
	int sent = strlen(line) + 2 <= SMTP_LINE_MAX, r;
	enum sasl_end end = SASL_BROKEN;

	*challenged = 0;
	if (!sent)
		line[strlen("AUTH ") + strlen(mech)] = '\0';
	r = send_private(s, line);
	explicit_bzero(line, strlen(line));
	free(line);
	buf_init(&text, 2048);
	buf_init(&ch, 512);
	for (int round = 0; r == 0 && round < 4; round++) {
		if (read_reply(s, code, &text) == -1)
			break;
		if (*code != 334) {
			buf_printf(why, "%d %s%s%s%s", *code, text.data ? text.data : "",
				   ch.len ? " (error challenge " : "", ch.len ? ch.data : "", ch.len ? ")" : "");
			end = *code == 235 ? SASL_OK : SASL_REFUSED;
			break;
		}
		if (!sent) {
			r = send_private(s, resp);
			sent = 1;
			continue;
		}
		*challenged = 1;
		ch.len = 0;
		add_challenge(&ch, text.data ? text.data : "");
		r = send_private(s, bearer ? "AQ==" : "");
	}
	buf_free(&text);
	buf_free(&ch);
	return end;
}

/* Whether text holds the token or a piece of it (a server that quotes what
 * it was sent may cut it): any 16 characters of it in a row. */
static int
quotes_token(const char *text, const char *tok)
{
	size_t tl = strlen(tok), k = tl < 16 ? tl : 16, n = strlen(text);

	for (size_t i = 0; k > 0 && i + k <= tl; i++)
		if (memmem(text, n, tok + i, k) != NULL)
			return 1;
	return 0;
}

/* The server's reason, never holding the token. */
static char *
reason_without(struct buf *why, const char *tok)
{
	char *r = buf_steal(why);

	if (*r == '\0' || quotes_token(r, tok)) {
		const char *m = *r ? "(its answer quoted the token, so it is not shown)" : "no reason given";
		free(r);
		r = xstrdup(m);
	}
	return r;
}

/* h-smtpauth: SASL XOAUTH2 or OAUTHBEARER, chosen from the EHLO answer as for
 * a mailbox: the mechanism of auth when offered, else the other one. A
 * refused token (535, or an error challenge) is replaced once by a fresh
 * one, then the login fails with the server's reason. Every failure is worth
 * a retry with backoff (an expired grant, a server's SASL back end down):
 * SMTP_RETRY. */
static enum smtp_status
login_oauth(mailsmtp *s, const struct smtp_cfg *cfg, const struct smtp_url *u, const char *ehlo, char **result)
{
	int x = ehlo_offers(ehlo, "XOAUTH2"), ob = ehlo_offers(ehlo, "OAUTHBEARER"), code = 0, challenged = 0;
	int bearer = cfg->auth == AUTH_OAUTHBEARER ? ob || !x : !x && ob;
	const char *mech = bearer ? "OAUTHBEARER" : "XOAUTH2";
	char *reason = NULL;

	if (!x && !ob) {
		*result = xasprintf("%s offers neither AUTH XOAUTH2 nor AUTH OAUTHBEARER: no OAuth login there",
				    u->host);
		return SMTP_RETRY;
	}
	for (int attempt = 0; attempt < 2 && (attempt == 0 || code == 535 || challenged); attempt++) {
		char *tok = smtp_token(cfg, attempt > 0, result), *resp;
		struct buf why;
		if (tok == NULL) {
			free(reason);
			return SMTP_RETRY;
		}
		resp = sasl_response(cfg->user, tok, bearer);
		buf_init(&why, 4096);
		enum sasl_end end = sasl_oauth(s, mech, bearer, resp, &code, &why, &challenged);
		explicit_bzero(resp, strlen(resp));
		free(resp);
		free(reason);
		reason = reason_without(&why, tok);
		token_free(tok);
		if (end == SASL_OK) {
			if (attempt > 0)
				log_info("smtp %s: logged in with a fresh token", u->host);
			free(reason);
			return SMTP_SENT;
		}
		if (end == SASL_BROKEN) {
			*result = xasprintf("%s: AUTH %s broke off (connection lost, or no end to its exchange)",
					    u->host, mech);
			free(reason);
			return SMTP_RETRY;
		}
		if (attempt == 0 && (code == 535 || challenged))
			log_info("smtp %s: %s refused the token (%s); trying a fresh one", u->host, mech, reason);
	}
	*result = xasprintf("%s refused the %s login of %s: %s", u->host, mech, cfg->user, reason);
	free(reason);
	return SMTP_RETRY;
}

/* Connect, greet, secure and log in (with a password, or OAuth). */
static enum smtp_status
session(mailsmtp *s, const struct smtp_cfg *cfg, const struct smtp_url *u, char **result)
{
	int r, tls = u->implicit_tls;
	char *err = NULL, *pw;

	if (tls)
		r = mailsmtp_ssl_connect_with_callback(s, u->host, u->port, tls_set_sni, (void *)u->host);
	else
		r = mailsmtp_socket_connect(s, u->host, u->port);
	if (r != MAILSMTP_NO_ERROR) {
		*result = xasprintf("connect to %s:%u: %s", u->host, u->port, mailsmtp_strerror(r));
		return SMTP_RETRY;
	}
	/* greeted with our address literal: libetpan cannot send another name */
	if ((r = mailesmtp_ehlo_with_ip(s, 1)) != MAILSMTP_NO_ERROR &&
	    (r = mailsmtp_helo_with_ip(s, 1)) != MAILSMTP_NO_ERROR)
		return failed(s, r, "EHLO", result);
	/* STARTTLS whenever it is offered (a submission server offers AUTH only
	 * inside TLS); only a relay on this host may be spoken to in clear */
	int clear_ok = u->loopback && cfg->require_tls != 1;
	if (!tls && !(s->esmtp & MAILSMTP_ESMTP_STARTTLS) && !clear_ok) {
		*result = xasprintf("%s offers no STARTTLS: dcvmail does not send mail or a password in clear "
				    "to another host",
				    u->host);
		return SMTP_RETRY;
	}
	if (!tls && (s->esmtp & MAILSMTP_ESMTP_STARTTLS)) {
		if ((r = mailsmtp_socket_starttls_with_callback(s, tls_set_sni, (void *)u->host)) != MAILSMTP_NO_ERROR)
			return failed(s, r, "STARTTLS", result);
		tls = 1;
	}
	if (tls) {
		if (tls_verify_stream(s->stream, u->host, cfg->ca_file, &err) == -1) {
			if (u->implicit_tls || !clear_ok) {
				*result = xasprintf("%s; nothing sent", err);
				free(err);
				return SMTP_RETRY;
			}
			/* a relay on this host that could have been spoken to in clear
			 * (a snakeoil certificate): its unchecked TLS is no worse */
			log_debug("smtp %s: certificate not checked (loopback, require-tls not set): %s", u->host, err);
			free(err);
			err = NULL;
		}
		if (!u->implicit_tls && (r = mailesmtp_ehlo_with_ip(s, 1)) != MAILSMTP_NO_ERROR)
			return failed(s, r, "EHLO after STARTTLS", result);
	}
	if (cfg->auth != AUTH_PASSWORD) { /* the last EHLO's answer is still in s->response */
		char *ehlo = xstrdup(s->response ? s->response : "");
		enum smtp_status st = login_oauth(s, cfg, u, ehlo, result);
		free(ehlo);
		return st;
	}
	if (cfg->user == NULL)
		return SMTP_SENT;
	if ((pw = config_read_secret(cfg->password_file, &err)) == NULL) {
		*result = xasprintf("smtp password-file: %s", err);
		free(err);
		return SMTP_FAIL;
	}
	r = mailsmtp_auth(s, cfg->user, pw);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	if (r != MAILSMTP_NO_ERROR) {
		*result = xasprintf("%s refused the login of %s: %s", u->host, cfg->user, mailsmtp_strerror(r));
		return SMTP_FAIL;
	}
	return SMTP_SENT;
}

enum smtp_status
smtp_send(const struct smtp_cfg *cfg, const char *from, const char *rcpt, const char *msg, size_t len, char **result)
{
	struct smtp_url u;
	mailsmtp *s;
	enum smtp_status st;
	int r;

	if (lib_need(LIB_ETPAN, result) == -1 || lib_need(LIB_CRYPTO, result) == -1)
		return SMTP_RETRY; /* an installation problem: tried again later */
	if (smtp_parse_url(cfg->url, &u, result) == -1)
		return SMTP_FAIL;
	s = mailsmtp_new(0, NULL);
	mailsmtp_set_timeout(s, cfg->timeout);
	if ((st = session(s, cfg, &u, result)) != SMTP_SENT)
		goto out;
	if ((r = mailsmtp_mail(s, from)) != MAILSMTP_NO_ERROR || (r = mailsmtp_rcpt(s, rcpt)) != MAILSMTP_NO_ERROR ||
	    (r = mailsmtp_data(s)) != MAILSMTP_NO_ERROR ||
	    (r = mailsmtp_data_message(s, msg, len)) != MAILSMTP_NO_ERROR) {
		st = failed(s, r, rcpt, result);
		goto out;
	}
	mailsmtp_quit(s);
	st = SMTP_SENT;
out:
	mailsmtp_free(s);
	return st;
}

enum smtp_status
smtp_login(const struct smtp_cfg *cfg, char **result)
{
	struct smtp_url u;
	mailsmtp *s;
	enum smtp_status st;

	if (lib_need(LIB_ETPAN, result) == -1 || lib_need(LIB_CRYPTO, result) == -1)
		return SMTP_RETRY; /* an installation problem: tried again later */
	if (smtp_parse_url(cfg->url, &u, result) == -1)
		return SMTP_FAIL;
	s = mailsmtp_new(0, NULL);
	mailsmtp_set_timeout(s, cfg->timeout);
	if ((st = session(s, cfg, &u, result)) == SMTP_SENT)
		mailsmtp_quit(s);
	mailsmtp_free(s);
	return st;
}
