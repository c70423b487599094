/* smtp.c — sending one message by SMTP through libetpan. STARTTLS is used
 * whenever offered; only a relay on this host may be spoken to in clear (or
 * over TLS with an unchecked certificate); anything else gets TLS (STARTTLS,
 * or smtps), and its certificate chain and host name are checked with OpenSSL
 * (tls.c: libetpan checks neither) before the password or the mail is sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "base/log.h"
#include "outbox/smtp.h"
#include "base/tls.h"
#include "base/util.h"

static enum smtp_status
failed(mailsmtp *s, int r, const char *what, char **result)
{
	*result = xasprintf("%s: %s%s%s", what, mailsmtp_strerror(r), s->response ? ": " : "",
			    s->response ? s->response : "");
	/* a permanent refusal will not get better by retrying */
	return s->response_code >= 500 && s->response_code < 600 ? SMTP_FAIL : SMTP_RETRY;
}

/* Connect, greet, secure and log in. */
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
