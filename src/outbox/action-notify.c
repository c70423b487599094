/* action-notify.c — tell a webhook about a request: an HTTPS POST of a JSON
 * document, signed with HMAC-SHA256 under the notify-secret-file key.
 *
 * The document names the request (CA, type, domain, order, mailbox role,
 * copies, authentication, warnings) but never carries the approval link or
 * a code: a webhook usually ends in a chat channel, and whoever reads the
 * link can approve. The person acts from the forward or `dcvmail show`.
 *
 * Signature: X-Dcvmail-Signature: sha256=HEX(HMAC-SHA256(key, T "." BODY))
 * with T the X-Dcvmail-Timestamp header (Unix seconds), so a receiver can
 * refuse replays of old documents.
 *
 * Delivery id: the "delivery" field and the X-Dcvmail-Delivery header, the
 * same when the notification is repeated (a crash after the POST, before
 * its outcome was recorded), so a receiver can drop the repeat. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <nettle/hmac.h>

#include "outbox/action.h"
#include "judge/auth.h"
#include "config.h"
#include "outbox/http.h"
#include "base/json.h"
#include "base/log.h"
#include "base/util.h"

#define NOTIFY_MAX_REPLY 65536

static char *
document(const struct outbox_item *it, const struct request_info *ri, const struct action_subject *as,
	 const char *delivery)
{
	const struct verdict *v = &as->v;
	json_t *o = json_object(), *reasons = json_array();
	char t1[32], t2[32];
	char *s;

	for (size_t i = 0; i < v->nreasons; i++)
		json_array_append_new(reasons, json_string(v->reasons[i]));
	json_object_set_new(o, "event", json_string("request"));
	json_object_set_new(o, "delivery", json_string(delivery));
	json_object_set_new(o, "request", json_integer(it->request_id));
	json_object_set_new(o, "ca", json_string_or_null(ri->ca));
	json_object_set_new(o, "ca_name", json_string_or_null(as->ca ? as->ca->name : NULL));
	json_object_set_new(o, "type", json_string_or_null(ri->type));
	json_object_set_new(o, "domain", json_string_or_null(ri->domain));
	json_object_set_new(o, "order", json_string_or_null(ri->order));
	json_object_set_new(o, "state", json_string_or_null(ri->state));
	json_object_set_new(o, "state_note", json_string_or_null(ri->state_note));
	json_object_set_new(o, "copies", json_integer(ri->copies));
	json_object_set_new(o, "expected", json_boolean(ri->expected));
	json_object_set_new(o, "first_seen", json_string(fmt_time(ri->first_seen, t1, sizeof(t1))));
	json_object_set_new(o, "from", json_string_or_null(as->m->from));
	json_object_set_new(o, "subject", json_string_or_null(as->m->subject));
	json_object_set_new(o, "authenticated", json_boolean(v->auth == AUTH_PASS));
	json_object_set_new(o, "auth_reason", json_string_or_null(v->auth_reason));
	json_object_set_new(o, "suspicious", json_boolean(v->type == VT_SUSPICIOUS));
	json_object_set_new(o, "reasons", reasons);
	json_object_set_new(o, "why", json_string_or_null(it->why));
	json_object_set_new(o, "sent", json_string(fmt_time(time(NULL), t2, sizeof(t2))));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

/* HMAC-SHA256 over "T.BODY" as lower-case hex (nettle, which is linked:
 * a webhook does not load libcrypto for it). */
static void
sign(const char *key, const char *ts, const char *body, char out[65])
{
	struct hmac_sha256_ctx c;
	unsigned char mac[SHA256_DIGEST_SIZE];
	char *msg = xasprintf("%s.%s", ts, body);

	hmac_sha256_set_key(&c, strlen(key), (const uint8_t *)key);
	hmac_sha256_update(&c, strlen(msg), (const uint8_t *)msg);
	hmac_sha256_digest(&c, sizeof(mac), mac);
	for (unsigned int i = 0; i < sizeof(mac); i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	free(msg);
}

static enum action_status
notify_run(const struct action_ctx *ax, const struct outbox_item *it, char **result)
{
	struct request_ref ref = action_ref(it);
	const struct config *cfg = ax->cfg;
	struct action_subject as;
	struct request_info ri;
	struct http_resp resp;
	struct http *h = NULL;
	char *key = NULL, *body = NULL, *err = NULL, sig[65] = "", ts[32], hs[96], ht[64], where[256];
	char delivery[ACTION_ID_LEN + 1], hd[64];
	int found = 0;
	enum action_status st = ACTION_FAIL;

	memset(&ri, 0, sizeof(ri));
	memset(&resp, 0, sizeof(resp));
	log_redact_url(it->target, where, sizeof(where));
	if (action_load(ax, &ref, &as, result) == -1)
		goto out;
	if (store_request_get(ax->st, it->request_id, &ri, &found, &err) == -1 || !found) {
		*result = xasprintf("request %lld: %s", (long long)it->request_id, err ? err : "not found");
		st = ACTION_RETRY;
		goto out;
	}
	if (cfg->notify_secret_file == NULL || (key = config_read_secret(cfg->notify_secret_file, &err)) == NULL) {
		*result = xasprintf("notify-secret-file: %s", err ? err : "not set");
		goto out;
	}
	action_identity(it, ri.key, delivery);
	body = document(it, &ri, &as, delivery);
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	sign(key, ts, body, sig);
	snprintf(hs, sizeof(hs), "X-Dcvmail-Signature: sha256=%s", sig);
	snprintf(ht, sizeof(ht), "X-Dcvmail-Timestamp: %s", ts);
	snprintf(hd, sizeof(hd), "X-Dcvmail-Delivery: %s", delivery);
	const char *headers[] = { "Content-Type: application/json", hs, ht, hd, "Expect:", NULL };
	if ((h = http_new(cfg->https_ca_file, cfg->notify_timeout, NOTIFY_MAX_REPLY)) == NULL) {
		*result = xstrdup("cannot start an HTTPS client");
		st = ACTION_RETRY;
		goto out;
	}
	if (http_request(h, "POST", it->target, body, strlen(body), headers, &resp) == -1) {
		*result = xasprintf("%s: %s", where, resp.error);
		st = ACTION_RETRY; /* down, refused, timed out, certificate: maybe later */
	} else if (resp.status >= 200 && resp.status < 300) {
		*result = xasprintf("notified %s (HTTP %ld)", where, resp.status);
		st = ACTION_OK;
	} else if (resp.status >= 300 && resp.status < 400) {
		*result = xasprintf("%s answered with a redirect (HTTP %ld), which a webhook never follows", where,
				    resp.status);
	} else {
		*result = xasprintf("%s answered HTTP %ld", where, resp.status);
		if (resp.status >= 500 || resp.status == 408 || resp.status == 429)
			st = ACTION_RETRY;
	}
out:
	if (key) {
		explicit_bzero(key, strlen(key));
		free(key);
	}
	http_resp_free(&resp);
	http_free(h);
	free(body);
	free(err);
	request_info_free(&ri);
	action_subject_free(&as);
	return st;
}

/* route { notify URL... }: a signed JSON document to a webhook */
const struct action_def action_notify = {
	{ "notify", ACTION_IN_ROUTES | ACTION_NEEDS_NOTIFY_SECRET | ACTION_HTTPS_TARGETS, 1, -1 },
	notify_run,
	ACTION_EFFECT_NONE,
	1,
};
