/* config-oauth.c — h-oauth: the oauth NAME { } block of dcvmail.conf(5):
 * its provider and grant keywords, the presets (Microsoft, Google) that fill
 * what is not given, and the checks that every grant has what it needs and
 * nothing it would ignore. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config-int.h"
#include "base/util.h"

static const char *const grant_names[] = {
	[OAUTH_GRANT_NONE] = "none",
	[OAUTH_REFRESH_TOKEN] = "refresh-token",
	[OAUTH_CLIENT_CREDENTIALS] = "client-credentials",
	[OAUTH_JWT_BEARER] = "jwt-bearer",
	[OAUTH_COMMAND] = "command",
};

const char *
oauth_grant_name(enum oauth_grant g)
{
	return (unsigned)g < nitems(grant_names) ? grant_names[g] : "none";
}

const struct oauth_cfg *
config_oauth(const struct config *c, const char *name)
{
	for (size_t i = 0; name && i < c->noauths; i++)
		if (!strcmp(c->oauths[i].name, name))
			return &c->oauths[i];
	return NULL;
}

/* oauth { provider microsoft|google|other } */
void
config_oauth_kw_provider(struct parser *p, void *obj)
{
	struct oauth_cfg *o = obj;

	if (config_want_args(p, 1, 1) == -1)
		return;
	if (!strcasecmp(p->argv[1], "microsoft"))
		o->provider = OAUTH_MICROSOFT;
	else if (!strcasecmp(p->argv[1], "google"))
		o->provider = OAUTH_GOOGLE;
	else if (!strcasecmp(p->argv[1], "other"))
		o->provider = OAUTH_PROVIDER_NONE;
	else
		config_perr(p, "unknown provider '%s' (microsoft, google, other)", p->argv[1]);
}

/* oauth { grant refresh-token|client-credentials|jwt-bearer|command } */
void
config_oauth_kw_grant(struct parser *p, void *obj)
{
	struct oauth_cfg *o = obj;

	if (config_want_args(p, 1, 1) == -1)
		return;
	for (size_t i = 1; i < nitems(grant_names); i++)
		if (!strcasecmp(p->argv[1], grant_names[i])) {
			o->grant = (enum oauth_grant)i;
			return;
		}
	config_perr(p, "unknown grant '%s' (refresh-token, client-credentials, jwt-bearer, command)", p->argv[1]);
}

/* The provider's endpoints and the scope the grant needs for IMAP and SMTP,
 * where the block leaves them out. */
static void
presets(struct oauth_cfg *o)
{
	if (o->provider == OAUTH_MICROSOFT && o->tenant) {
		if (o->token_endpoint == NULL)
			o->token_endpoint = xasprintf("https://login.microsoftonline.com/%s/oauth2/v2.0/token",
						      o->tenant);
		if (o->device_endpoint == NULL)
			o->device_endpoint = xasprintf("https://login.microsoftonline.com/%s/oauth2/v2.0/devicecode",
						       o->tenant);
	}
	if (o->provider == OAUTH_GOOGLE) {
		if (o->token_endpoint == NULL)
			o->token_endpoint = xstrdup("https://oauth2.googleapis.com/token");
		if (o->device_endpoint == NULL)
			o->device_endpoint = xstrdup("https://oauth2.googleapis.com/device/code");
	}
	if (o->scope.n > 0)
		return;
	if (o->provider == OAUTH_MICROSOFT && o->grant == OAUTH_CLIENT_CREDENTIALS)
		strv_add(&o->scope, "https://outlook.office365.com/.default");
	else if (o->provider == OAUTH_MICROSOFT && o->grant == OAUTH_REFRESH_TOKEN) {
		strv_add(&o->scope, "offline_access");
		strv_add(&o->scope, "https://outlook.office.com/IMAP.AccessAsUser.All");
		strv_add(&o->scope, "https://outlook.office.com/SMTP.Send");
	} else if (o->provider == OAUTH_GOOGLE)
		strv_add(&o->scope, "https://mail.google.com/");
}

/* Which grants use a setting (a bit per grant). */
#define G(x) (1u << (x))
#define G_HTTP (G(OAUTH_REFRESH_TOKEN) | G(OAUTH_CLIENT_CREDENTIALS) | G(OAUTH_JWT_BEARER))

void
config_oauth_check(struct parser *p, struct oauth_cfg *o)
{
	const struct {
		const char *kw;
		int set;
		unsigned grants;
	} use[] = {
		{ "client-id", o->client_id != NULL, G(OAUTH_REFRESH_TOKEN) | G(OAUTH_CLIENT_CREDENTIALS) },
		{ "client-secret-file", o->client_secret_file != NULL,
		  G(OAUTH_REFRESH_TOKEN) | G(OAUTH_CLIENT_CREDENTIALS) },
		{ "client-certificate", o->client_certificate != NULL, G(OAUTH_CLIENT_CREDENTIALS) },
		{ "client-key", o->client_key != NULL, G(OAUTH_CLIENT_CREDENTIALS) },
		{ "refresh-token-file", o->refresh_token_file != NULL, G(OAUTH_REFRESH_TOKEN) },
		{ "device-endpoint", o->device_endpoint != NULL, G(OAUTH_REFRESH_TOKEN) },
		{ "service-account-file", o->service_account_file != NULL, G(OAUTH_JWT_BEARER) },
		{ "subject", o->subject != NULL, G(OAUTH_JWT_BEARER) },
		{ "tenant", o->tenant != NULL, G_HTTP },
		{ "token-endpoint", o->token_endpoint != NULL, G_HTTP },
		{ "ca-file", o->ca_file != NULL, G_HTTP },
		{ "scope", o->scope.n > 0, G_HTTP },
		{ "token-command", o->token_command.n > 0, G(OAUTH_COMMAND) },
	};
	const char *n = o->name, *g = oauth_grant_name(o->grant);

	if (o->grant == OAUTH_GRANT_NONE) {
		config_perr(p, "oauth '%s' has no grant (refresh-token, client-credentials, jwt-bearer, command)", n);
		return;
	}
	for (size_t i = 0; i < nitems(use); i++)
		if (use[i].set && !(use[i].grants & G(o->grant)))
			config_perr(p, "oauth '%s': %s is not used by grant %s", n, use[i].kw, g);
	if (o->provider == OAUTH_MICROSOFT && o->tenant == NULL && o->token_endpoint == NULL &&
	    o->grant != OAUTH_COMMAND)
		config_perr(p, "oauth '%s': provider microsoft needs the tenant (the directory id or domain)", n);
	presets(o);
	switch (o->grant) {
	case OAUTH_COMMAND:
		if (o->token_command.n == 0)
			config_perr(p, "oauth '%s': grant command needs a token-command", n);
		return;
	case OAUTH_REFRESH_TOKEN:
		if (o->refresh_token_file == NULL)
			config_perr(p, "oauth '%s': grant refresh-token needs a refresh-token-file", n);
		break;
	case OAUTH_CLIENT_CREDENTIALS:
		if (o->client_secret_file == NULL && o->client_certificate == NULL)
			config_perr(p,
				    "oauth '%s': grant client-credentials needs a client-secret-file or a "
				    "client-certificate and client-key",
				    n);
		if (o->client_secret_file && o->client_certificate)
			config_perr(p, "oauth '%s': client-secret-file and client-certificate exclude each other", n);
		if ((o->client_certificate == NULL) != (o->client_key == NULL))
			config_perr(p, "oauth '%s': client-certificate and client-key go together", n);
		if (o->scope.n == 0)
			config_perr(p, "oauth '%s': grant client-credentials needs a scope", n);
		break;
	case OAUTH_JWT_BEARER:
		if (o->service_account_file == NULL)
			config_perr(p, "oauth '%s': grant jwt-bearer needs a service-account-file", n);
		if (o->scope.n == 0)
			config_perr(p, "oauth '%s': grant jwt-bearer needs a scope", n);
		break;
	case OAUTH_GRANT_NONE: break;
	}
	if (o->grant != OAUTH_JWT_BEARER && o->client_id == NULL)
		config_perr(p, "oauth '%s': grant %s needs a client-id", n, g);
	if (o->grant != OAUTH_JWT_BEARER && o->token_endpoint == NULL)
		config_perr(p,
			    "oauth '%s': grant %s needs a token-endpoint (or provider google, or microsoft with "
			    "a tenant)",
			    n, g);
	if (o->token_endpoint && strncasecmp(o->token_endpoint, "https://", 8))
		config_perr(p, "oauth '%s': token-endpoint must be an https:// URL", n);
	if (o->device_endpoint && strncasecmp(o->device_endpoint, "https://", 8))
		config_perr(p, "oauth '%s': device-endpoint must be an https:// URL", n);
}

void
config_oauth_free(struct oauth_cfg *o)
{
	free(o->name);
	free(o->token_endpoint);
	free(o->device_endpoint);
	free(o->tenant);
	free(o->client_id);
	free(o->client_secret_file);
	free(o->client_certificate);
	free(o->client_key);
	free(o->refresh_token_file);
	free(o->service_account_file);
	free(o->subject);
	strv_free(&o->scope);
	strv_free(&o->token_command);
	free(o->ca_file);
	memset(o, 0, sizeof(*o));
}
