/* http.c — the one HTTPS client (libcurl) behind notify and approve. */
#include <stdlib.h>
#include <string.h>

#include "base/lib-curl.h"

#include "outbox/http.h"
#include "base/log.h"
#include "base/url.h"
#include "base/util.h"

struct http {
	CURL *h;
	size_t max_body;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;
	size_t len = size * n, room = r->body.max - r->body.len;

	if (len > room) { /* keep what fits and stop reading: a CA page is small */
		buf_add(&r->body, p, room);
		r->truncated = 1;
		return 0;
	}
	buf_add(&r->body, p, len);
	return len;
}

struct http *
http_new(const char *ca_file, int timeout, size_t max_body)
{
	static int inited;
	struct http *x;
	char *err = NULL;

	if (lib_need(LIB_CURL, &err) == -1) {
		log_warnx("%s", err);
		free(err);
		return NULL;
	}
	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = 1;
	}
	x = xcalloc(1, sizeof(*x));
	x->max_body = max_body;
	if ((x->h = curl_easy_init()) == NULL) {
		free(x);
		return NULL;
	}
	curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(x->h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	/* never follow a redirect: the caller checks each target first */
	curl_easy_setopt(x->h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->h, CURLOPT_MAXREDIRS, 0L);
	curl_easy_setopt(x->h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(x->h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file)
		curl_easy_setopt(x->h, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT, (long)(timeout < 10 ? timeout : 10));
	curl_easy_setopt(x->h, CURLOPT_TIMEOUT, (long)timeout);
	curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_body);
	curl_easy_setopt(x->h, CURLOPT_COOKIEFILE, ""); /* cookies in memory only */
	curl_easy_setopt(x->h, CURLOPT_USERAGENT, "dcvmail/" DCVMAIL_VERSION);
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_body);
	return x;
}

void
http_set_timeout(struct http *x, double seconds)
{
	long ms = seconds < 0.001 ? 1 : (long)(seconds * 1000);

	curl_easy_setopt(x->h, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT_MS, ms < 10000 ? ms : 10000L);
}

void
http_free(struct http *x)
{
	if (x == NULL)
		return;
	curl_easy_cleanup(x->h);
	free(x);
}

int
http_request(struct http *x, const char *method, const char *url, const char *body, size_t len,
	     const char *const *headers, struct http_resp *r)
{
	struct curl_slist *hl = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	char *loc = NULL, *norm;
	CURLcode c;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body, x->max_body);
	/* the URL requested is the normalised one every check saw (url.h) */
	if ((norm = url_normalize(url)) == NULL) {
		r->error = xstrdup("not a URL that can be requested");
		return -1;
	}
	for (size_t i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(x->h, CURLOPT_URL, norm);
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, errbuf);
	if (!strcmp(method, "POST")) {
		curl_easy_setopt(x->h, CURLOPT_POST, 1L);
		curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(x->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else
		curl_easy_setopt(x->h, CURLOPT_HTTPGET, 1L);
	c = curl_easy_perform(x->h);
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &r->status);
	{
		long sent = 0;
		/* bytes of the request written to the server: 0 when the connection
		 * or the TLS handshake failed, so the server cannot have acted */
		if (curl_easy_getinfo(x->h, CURLINFO_REQUEST_SIZE, &sent) == CURLE_OK)
			r->sent = sent > 0 || r->status > 0;
		else
			r->sent = 1;
	}
	free(norm);
	if (curl_easy_getinfo(x->h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
		r->location = (norm = url_normalize(loc)) != NULL ? norm : xstrdup(loc);
	if (c != CURLE_OK && !(c == CURLE_WRITE_ERROR && r->truncated)) {
		r->error = xasprintf("%s", errbuf[0] ? errbuf : curl_easy_strerror(c));
		return -1;
	}
	return 0;
}

void
http_resp_free(struct http_resp *r)
{
	buf_free(&r->body);
	free(r->location);
	free(r->error);
	memset(r, 0, sizeof(*r));
}
