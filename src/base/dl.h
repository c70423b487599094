/* dl.h — libraries loaded with dlopen when a command first needs them
 * (issue 19: start-up). Each src/base/lib-*.h includes a library's own
 * header, lists the names dcvmail uses (an X-macro) and redirects each name
 * to a pointer of a table that dlsym fills: the C code calls the library as
 * usual. The entry points (message parsing, IMAP, SMTP, links, HTTP, DKIM,
 * certificate checks) call lib_need() first for a clear error on their own
 * error path; a call that comes before it loads the library itself and
 * dies through fatalx() (exit 75 in pipe mode) when it cannot. */
#ifndef DCVMAIL_DL_H
#define DCVMAIL_DL_H

enum dl_lib { LIB_ETPAN, LIB_CURL, LIB_DKIM, LIB_CRYPTO, LIB_COUNT };

/* Load lib once per process (thread-safe). 0, or -1 with *errp an
 * allocated "cannot load FILE (what for): dlerror" message. */
int lib_need(enum dl_lib lib, char **errp);
/* lib_need() or fatalx() with its message. */
void lib_must(enum dl_lib lib);
/* A library (this one's or another loaded with dlopen, such as libxml2)
 * cannot be loaded: the hook, then fatalx() with err. */
_Noreturn void lib_fail(const char *err);
/* Called with the message by lib_fail() before it dies (pipe mode: the
 * "4.3.0" answer for Postfix); it may exit itself. NULL: none. */
void lib_set_fail_hook(void (*hook)(const char *err));

/* set (release) once a table is complete */
extern int dl_ready[LIB_COUNT];

/* one table field per name: a pointer of the name's own type */
#define DL_FIELD(name) __typeof__(name) *name;
/* the redirection of a name: the table's pointer, loaded first if need be */
#define DL_USE(lib, id, name)                                                                                          \
	(*(__builtin_expect(__atomic_load_n(&dl_ready[id], __ATOMIC_ACQUIRE), 1) ? dl_##lib.name                       \
										 : (lib_must(id), dl_##lib.name)))

#endif
