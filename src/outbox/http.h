/* http.h — the one HTTPS client (libcurl) behind notify and approve: https
 * only, certificate and host always checked, never follows a redirect by
 * itself (the caller decides where a Location may lead), bounded in time and
 * in the size of what it reads. */
#ifndef DCVMAIL_HTTP_H
#define DCVMAIL_HTTP_H

#include <stddef.h>
#include "base/util.h"

struct http;

struct http_resp {
	long status;	 /* 0 when no response came */
	char *location;	 /* a redirect's target, resolved against the URL and normalised (url.h), or NULL */
	struct buf body; /* at most max_body bytes (truncated says if more came) */
	int truncated;
	char *error; /* transport error in words, or NULL */
	int sent;    /* 1 when the request may have reached the server (even without an answer) */
};

/* ca_file: extra trust anchors (NULL: the system store). Keeps cookies in
 * memory between requests of one http (a CA page may set one before a POST). */
struct http *http_new(const char *ca_file, int timeout, size_t max_body);
void http_free(struct http *);
/* Bound each later request (connection included) to seconds. */
void http_set_timeout(struct http *, double seconds);
/* One request to url in its normalised form (url.h); body NULL for GET. headers: NULL-terminated "Name: value".
 * Returns 0 when a response arrived (any status), -1 with resp->error. */
int http_request(struct http *, const char *method, const char *url, const char *body, size_t len,
		 const char *const *headers, struct http_resp *resp);
void http_resp_free(struct http_resp *);

#endif
