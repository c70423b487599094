/* dns-contacts.h — what a domain's DNS says about how a CA may validate
 * it: the contacts of BR 3.2.2.4.13/.14 (TXT _validation-contactemail and
 * _validation-contactphone at the name and each parent up to the
 * registrable domain; the CAA contactemail/contactphone of the relevant CAA
 * set, RFC 8659) and the persistent TXT record of BR 3.2.2.4.22 (ballot
 * SC-088, _validation-persist at the name). Shared by `dcvmail dns` and
 * `report --sunset --dns`. */
#ifndef DCVMAIL_CMD_DNS_CONTACTS_H
#define DCVMAIL_CMD_DNS_CONTACTS_H

#include <stddef.h>

#include "config.h"
#include "base/dns.h"

struct contact {
	char *name;   /* where it was found */
	char *source; /* "TXT" or "CAA" */
	char *kind;   /* "email" or "phone" */
	char *value;
	const char *problem; /* NULL when well-formed */
	char *watched;	     /* "mailbox NAME" or "role ROLE" that receives it, or NULL */
};

/* A _validation-persist TXT record: its text and the CA it names (its
 * issuer-domain-name, the text before the first ';'). */
struct persist {
	char *name, *value, *issuer;
};

struct dns_facts {
	struct contact *contacts;
	size_t ncontacts;
	struct persist *persist;
	size_t npersist;
};

/* The facts of domain (an A-label), each contact compared with what dcvmail
 * watches in cfg. -1 with *errp when a lookup failed (f is then freed). */
int dns_facts_lookup(struct dns *, const struct config *, const char *domain, struct dns_facts *f, char **errp);
void dns_facts_free(struct dns_facts *);

#endif
