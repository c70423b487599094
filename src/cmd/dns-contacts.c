/* dns-contacts.c — the DNS records that tell how a CA may validate a
 * domain (dns-contacts.h). */
#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/dns-contacts.h"
#include "base/names.h"
#include "base/util.h"

#define T_CAA_ 257

static const char *
email_problem(const char *v)
{
	const char *at = strchr(v, '@');

	if (at == NULL || at == v || strchr(at + 1, '@') || !strchr(at + 1, '.') || strpbrk(v, " \t,;<>\""))
		return "not exactly one email address (the whole value must be the address)";
	return NULL;
}

static const char *
phone_problem(const char *v)
{
	if (v[0] != '+' || strspn(v + 1, "0123456789") != strlen(v + 1) || strlen(v) < 8)
		return "not a +international phone number";
	return NULL;
}

/* "mailbox NAME" or "role ROLE", or NULL when nothing of dcvmail receives addr. */
static char *
watched_by(const struct config *cfg, const char *addr)
{
	for (size_t i = 0; i < cfg->nmailboxes; i++)
		if (cfg->mailboxes[i].user && !strcasecmp(cfg->mailboxes[i].user, addr))
			return xasprintf("mailbox %s", cfg->mailboxes[i].name);
	enum mbox_role r = config_role_for(cfg, addr);
	return r == ROLE_NONE ? NULL : xasprintf("role %s", role_name(r));
}

static void
add_contact(struct contact **cs, size_t *n, const struct config *cfg, const char *name, const char *source,
	    const char *kind, const char *value)
{
	struct contact *c;

	*cs = xreallocarray(*cs, *n + 1, sizeof(**cs));
	c = &(*cs)[(*n)++];
	c->name = xstrdup(name);
	c->source = xstrdup(source);
	c->kind = xstrdup(kind);
	c->value = xstrdup(value);
	c->problem = !strcmp(kind, "email") ? email_problem(value) : phone_problem(value);
	c->watched = !strcmp(kind, "email") && !c->problem ? watched_by(cfg, value) : NULL;
}

static int
lookup_domain(struct dns *l, const struct config *cfg, const char *domain, struct contact **cs, size_t *n, char **errp)
{
	int caa_found = 0;
	/* up to the registrable domain (the Public Suffix List): no CA asks a
	 * public suffix such as co.jp or ne.jp for a customer's contacts */
	const char *reg = name_registrable(domain);

	for (const char *name = domain; name;
	     name = name == reg || reg == NULL || !strchr(name, '.') ? NULL : strchr(name, '.') + 1) {
		static const char *const kinds[] = { "email", "phone" };
		for (int k = 0; k < 2; k++) {
			struct strv rd = { 0 };
			size_t *lens = NULL;
			char *q = xasprintf("_validation-contact%s.%s", kinds[k], name);
			int r = dns_query(l, q, ns_t_txt, &rd, &lens, errp);
			for (size_t i = 0; r == 0 && i < rd.n; i++) {
				char *v = dns_txt_join(rd.v[i], lens[i]);
				add_contact(cs, n, cfg, q, "TXT", kinds[k], v);
				free(v);
			}
			free(q);
			free(lens);
			strv_free(&rd);
			if (r == -1)
				return -1;
		}
		if (!caa_found) { /* RFC 8659: the relevant set is the first one up the tree */
			struct strv rd = { 0 };
			size_t *lens = NULL;
			if (dns_query(l, name, T_CAA_, &rd, &lens, errp) == -1) {
				strv_free(&rd);
				free(lens);
				return -1;
			}
			caa_found = rd.n > 0;
			for (size_t i = 0; i < rd.n; i++) {
				const unsigned char *p = (const unsigned char *)rd.v[i];
				size_t tl = lens[i] >= 2 ? p[1] : 0;
				if (lens[i] < 2 + tl)
					continue;
				char *tag = xstrndup((const char *)p + 2, tl);
				char *val = xstrndup((const char *)p + 2 + tl, lens[i] - 2 - tl);
				if (!strcasecmp(tag, "contactemail") || !strcasecmp(tag, "contactphone"))
					add_contact(cs, n, cfg, name, "CAA",
						    !strcasecmp(tag, "contactemail") ? "email" : "phone", val);
				free(tag);
				free(val);
			}
			free(lens);
			strv_free(&rd);
		}
	}
	return 0;
}

/* BR 3.2.2.4.22 (ballot SC-088): the persistent record is a TXT record at
 * _validation-persist.NAME whose value starts with the CA's issuer domain
 * name, then ";"-separated parameters (accounturi=...). */
static int
lookup_persist(struct dns *l, const char *domain, struct dns_facts *f, char **errp)
{
	struct strv rd = { 0 };
	size_t *lens = NULL;
	char *q = xasprintf("_validation-persist.%s", domain);
	int r = dns_query(l, q, ns_t_txt, &rd, &lens, errp);

	for (size_t i = 0; r == 0 && i < rd.n; i++) {
		struct persist *p;
		char *v = dns_txt_join(rd.v[i], lens[i]);
		size_t a = strspn(v, " \t"), b = strcspn(v + a, ";");
		while (b && (v[a + b - 1] == ' ' || v[a + b - 1] == '\t'))
			b--;
		f->persist = xreallocarray(f->persist, f->npersist + 1, sizeof(*f->persist));
		p = &f->persist[f->npersist++];
		p->name = xstrdup(q);
		p->issuer = xstrndup(v + a, b);
		p->value = v;
	}
	free(q);
	free(lens);
	strv_free(&rd);
	return r;
}

int
dns_facts_lookup(struct dns *l, const struct config *cfg, const char *domain, struct dns_facts *f, char **errp)
{
	memset(f, 0, sizeof(*f));
	if (lookup_domain(l, cfg, domain, &f->contacts, &f->ncontacts, errp) == -1 ||
	    lookup_persist(l, domain, f, errp) == -1) {
		dns_facts_free(f);
		return -1;
	}
	return 0;
}

void
dns_facts_free(struct dns_facts *f)
{
	for (size_t i = 0; i < f->ncontacts; i++) {
		free(f->contacts[i].name);
		free(f->contacts[i].source);
		free(f->contacts[i].kind);
		free(f->contacts[i].value);
		free(f->contacts[i].watched);
	}
	free(f->contacts);
	for (size_t i = 0; i < f->npersist; i++) {
		free(f->persist[i].name);
		free(f->persist[i].value);
		free(f->persist[i].issuer);
	}
	free(f->persist);
	memset(f, 0, sizeof(*f));
}
