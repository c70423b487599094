/* dl.c — the libraries of dl.h, loaded on first need. */
#define DL_IMPL
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

#include "base/dl.h"
#include "base/lib-crypto.h"
#include "base/lib-curl.h"
#include "base/lib-dkim.h"
#include "base/lib-etpan.h"
#include "base/log.h"
#include "base/util.h"

/* The files to open: the SONAMEs of the build's libraries (Makefile). */
#ifndef DCVMAIL_LIBETPAN
#define DCVMAIL_LIBETPAN "libetpan.so.20"
#endif
#ifndef DCVMAIL_LIBCURL
#define DCVMAIL_LIBCURL "libcurl-gnutls.so.4"
#endif
#ifndef DCVMAIL_LIBOPENDKIM
#define DCVMAIL_LIBOPENDKIM "libopendkim.so.11"
#endif
#ifndef DCVMAIL_LIBCRYPTO
#define DCVMAIL_LIBCRYPTO "libcrypto.so.3"
#endif

struct dl_etpan dl_etpan;
struct dl_curl dl_curl;
struct dl_dkim dl_dkim;
struct dl_crypto dl_crypto;
int dl_ready[LIB_COUNT];

struct dl_sym {
	const char *name;
	void **slot;
};
#define ETPAN_SYM(name) { #name, (void **)&dl_etpan.name },
#define CURL_SYM(name) { #name, (void **)&dl_curl.name },
#define DKIM_SYM(name) { #name, (void **)&dl_dkim.name },
#define CRYPTO_SYM(name) { #name, (void **)&dl_crypto.name },
static const struct dl_sym etpan_syms[] = { DL_ETPAN_NAMES(ETPAN_SYM) };
static const struct dl_sym curl_syms[] = { DL_CURL_NAMES(CURL_SYM) };
static const struct dl_sym dkim_syms[] = { DL_DKIM_NAMES(DKIM_SYM) };
static const struct dl_sym crypto_syms[] = { DL_CRYPTO_NAMES(CRYPTO_SYM) };

static struct dl_lib_def {
	const char *file, *why;
	const struct dl_sym *syms;
	size_t nsyms;
	pthread_once_t once;
	char *err; /* why it could not be loaded */
} libs[LIB_COUNT] = {
	[LIB_ETPAN] = { DCVMAIL_LIBETPAN, "to parse mail and talk IMAP and SMTP", etpan_syms, nitems(etpan_syms),
			PTHREAD_ONCE_INIT, NULL },
	[LIB_CURL] = { DCVMAIL_LIBCURL, "for links and HTTP", curl_syms, nitems(curl_syms), PTHREAD_ONCE_INIT, NULL },
	[LIB_DKIM] = { DCVMAIL_LIBOPENDKIM, "to verify DKIM signatures", dkim_syms, nitems(dkim_syms),
		       PTHREAD_ONCE_INIT, NULL },
	[LIB_CRYPTO] = { DCVMAIL_LIBCRYPTO, "for certificates, digests and keys", crypto_syms, nitems(crypto_syms),
			 PTHREAD_ONCE_INIT, NULL },
};

/* Open one library and fill its table; on failure the table stays empty
 * and l->err says why. The handle is kept for the life of the process. */
static void
load(enum dl_lib id)
{
	struct dl_lib_def *l = &libs[id];
	void *h;

	if ((h = dlopen(l->file, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		l->err = xasprintf("cannot load %s (needed %s): %s", l->file, l->why, dlerror());
		return;
	}
	for (size_t i = 0; i < l->nsyms; i++) {
		dlerror();
		if ((*l->syms[i].slot = dlsym(h, l->syms[i].name)) == NULL) {
			const char *e = dlerror();

			l->err = xasprintf("cannot load %s (needed %s): no %s%s%s", l->file, l->why, l->syms[i].name,
					   e ? ": " : "", e ? e : "");
			for (size_t j = 0; j < i; j++)
				*l->syms[j].slot = NULL;
			dlclose(h);
			return;
		}
	}
	log_debug("loaded %s", l->file);
	__atomic_store_n(&dl_ready[id], 1, __ATOMIC_RELEASE);
}

static void
load_etpan(void)
{
	load(LIB_ETPAN);
}
static void
load_curl(void)
{
	load(LIB_CURL);
}
static void
load_dkim(void)
{
	load(LIB_DKIM);
}
static void
load_crypto(void)
{
	load(LIB_CRYPTO);
}

int
lib_need(enum dl_lib id, char **errp)
{
	static void (*const loaders[LIB_COUNT])(void) = {
		[LIB_ETPAN] = load_etpan, [LIB_CURL] = load_curl, [LIB_DKIM] = load_dkim, [LIB_CRYPTO] = load_crypto
	};

	if (__atomic_load_n(&dl_ready[id], __ATOMIC_ACQUIRE))
		return 0;
	pthread_once(&libs[id].once, loaders[id]);
	if (__atomic_load_n(&dl_ready[id], __ATOMIC_ACQUIRE))
		return 0;
	if (errp)
		*errp = xstrdup(libs[id].err);
	return -1;
}

static void (*fail_hook)(const char *);

void
lib_set_fail_hook(void (*hook)(const char *))
{
	fail_hook = hook;
}

void
lib_fail(const char *err)
{
	if (fail_hook)
		fail_hook(err);
	fatalx("%s", err);
}

void
lib_must(enum dl_lib id)
{
	char *err = NULL;

	if (lib_need(id, &err) == -1)
		lib_fail(err);
}
