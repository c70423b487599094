/* verdict.c — verdict helpers and the closed set of type names. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "judge/verdict.h"

static const char *const vtype_names[VT__COUNT] = {
	[VT_UNKNOWN] = "unknown",     [VT_DCV] = "dcv",
	[VT_EV_INTENT] = "ev-intent", [VT_DOCUMENTS] = "documents",
	[VT_ISSUED] = "issued",	      [VT_REMINDER] = "reminder",
	[VT_NOTICE] = "notice",	      [VT_SUSPICIOUS] = "suspicious",
	[VT_MALFORMED] = "malformed", [VT_OVERSIZED] = "oversized",
};

const char *
vtype_name(enum vtype t)
{
	return (unsigned)t < VT__COUNT ? vtype_names[t] : "unknown";
}

int
vtype_from_name(const char *s, enum vtype *out)
{
	for (int i = 0; i < VT__COUNT; i++)
		if (strcmp(s, vtype_names[i]) == 0) {
			*out = (enum vtype)i;
			return 0;
		}
	return -1;
}

const char *
verdict_fallback(const struct verdict *v)
{
	if (v->rule != NULL || v->ca == NULL)
		return NULL;
	return v->rule_type == VT_DCV ? "template-not-recognised" : "no-rule-matched";
}

const char *
auth_status_name(enum auth_status a)
{
	switch (a) {
	case AUTH_PASS: return "pass";
	case AUTH_FAIL: return "fail";
	default: return "none";
	}
}

void
verdict_init(struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->type = v->rule_type = VT_UNKNOWN;
	v->auth = AUTH_NONE;
}

void
verdict_free(struct verdict *v)
{
	free(v->ca);
	free(v->ca_name);
	free(v->rule);
	for (size_t i = 0; i < v->nfields; i++) {
		free(v->fields[i].name);
		free(v->fields[i].value);
	}
	free(v->fields);
	free(v->approve_link);
	free(v->reject_link);
	for (size_t i = 0; i < v->ninfo; i++)
		free(v->info_links[i]);
	free(v->info_links);
	free(v->dedup_key);
	free(v->auth_reason);
	free(v->auth_domain);
	for (size_t i = 0; i < v->nreasons; i++)
		free(v->reasons[i]);
	free(v->reasons);
	verdict_init(v);
}

const char *
verdict_field(const struct verdict *v, const char *name)
{
	for (size_t i = 0; i < v->nfields; i++)
		if (strcmp(v->fields[i].name, name) == 0)
			return v->fields[i].value;
	return NULL;
}

void
verdict_set_field(struct verdict *v, const char *name, const char *value)
{
	for (size_t i = 0; i < v->nfields; i++)
		if (strcmp(v->fields[i].name, name) == 0) {
			free(v->fields[i].value);
			v->fields[i].value = xstrdup(value);
			return;
		}
	v->fields = xreallocarray(v->fields, v->nfields + 1, sizeof(*v->fields));
	v->fields[v->nfields].name = xstrdup(name);
	v->fields[v->nfields].value = xstrdup(value);
	v->nfields++;
}

static void
add_reason(struct verdict *v, char *s)
{
	for (size_t i = 0; i < v->nreasons; i++)
		if (strcmp(v->reasons[i], s) == 0) {
			free(s);
			return;
		}
	v->reasons = xreallocarray(v->reasons, v->nreasons + 1, sizeof(*v->reasons));
	v->reasons[v->nreasons++] = s;
}

void
verdict_add_reason(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_reason(v, xvasprintf(fmt, ap));
	va_end(ap);
}

void
verdict_suspect(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (v->type != VT_MALFORMED && v->type != VT_OVERSIZED)
		v->type = VT_SUSPICIOUS;
	va_start(ap, fmt);
	add_reason(v, xvasprintf(fmt, ap));
	va_end(ap);
}

void
verdict_add_info_link(struct verdict *v, const char *url)
{
	for (size_t i = 0; i < v->ninfo; i++)
		if (strcmp(v->info_links[i], url) == 0)
			return;
	v->info_links = xreallocarray(v->info_links, v->ninfo + 1, sizeof(*v->info_links));
	v->info_links[v->ninfo++] = xstrdup(url);
}
