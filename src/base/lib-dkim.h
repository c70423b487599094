/* lib-dkim.h — libopendkim (DKIM verification), loaded on first need (base/dl.h).
 * Include this, never <dkim.h> itself: the names below are redirected to
 * the table dl_dkim that dlsym fills. */
#ifndef DCVMAIL_LIB_DKIM_H
#define DCVMAIL_LIB_DKIM_H

#include <sys/types.h>
#include <dkim.h>

#include "base/dl.h"

/* the names dcvmail uses; a name missing here is an undefined symbol when
 * the program is linked (tests/t/lazy-load.sh checks nm -D too) */
#define DL_DKIM_NAMES(X)                                                                                               \
	X(dkim_body)                                                                                                   \
	X(dkim_close)                                                                                                  \
	X(dkim_eoh)                                                                                                    \
	X(dkim_eom)                                                                                                    \
	X(dkim_free)                                                                                                   \
	X(dkim_get_user_context)                                                                                       \
	X(dkim_getresultstr)                                                                                           \
	X(dkim_getsiglist)                                                                                             \
	X(dkim_header)                                                                                                 \
	X(dkim_init)                                                                                                   \
	X(dkim_set_key_lookup)                                                                                         \
	X(dkim_set_prescreen)                                                                                          \
	X(dkim_set_user_context)                                                                                       \
	X(dkim_sig_getbh)                                                                                              \
	X(dkim_sig_getcanonlen)                                                                                        \
	X(dkim_sig_getdomain)                                                                                          \
	X(dkim_sig_geterror)                                                                                           \
	X(dkim_sig_geterrorstr)                                                                                        \
	X(dkim_sig_getflags)                                                                                           \
	X(dkim_sig_getselector)                                                                                        \
	X(dkim_sig_ignore)                                                                                             \
	X(dkim_verify)

struct dl_dkim {
	DL_DKIM_NAMES(DL_FIELD)
};
extern struct dl_dkim dl_dkim;

#ifndef DL_IMPL
#define dkim_body DL_USE(dkim, LIB_DKIM, dkim_body)
#define dkim_close DL_USE(dkim, LIB_DKIM, dkim_close)
#define dkim_eoh DL_USE(dkim, LIB_DKIM, dkim_eoh)
#define dkim_eom DL_USE(dkim, LIB_DKIM, dkim_eom)
#define dkim_free DL_USE(dkim, LIB_DKIM, dkim_free)
#define dkim_get_user_context DL_USE(dkim, LIB_DKIM, dkim_get_user_context)
#define dkim_getresultstr DL_USE(dkim, LIB_DKIM, dkim_getresultstr)
#define dkim_getsiglist DL_USE(dkim, LIB_DKIM, dkim_getsiglist)
#define dkim_header DL_USE(dkim, LIB_DKIM, dkim_header)
#define dkim_init DL_USE(dkim, LIB_DKIM, dkim_init)
#define dkim_set_key_lookup DL_USE(dkim, LIB_DKIM, dkim_set_key_lookup)
#define dkim_set_prescreen DL_USE(dkim, LIB_DKIM, dkim_set_prescreen)
#define dkim_set_user_context DL_USE(dkim, LIB_DKIM, dkim_set_user_context)
#define dkim_sig_getbh DL_USE(dkim, LIB_DKIM, dkim_sig_getbh)
#define dkim_sig_getcanonlen DL_USE(dkim, LIB_DKIM, dkim_sig_getcanonlen)
#define dkim_sig_getdomain DL_USE(dkim, LIB_DKIM, dkim_sig_getdomain)
#define dkim_sig_geterror DL_USE(dkim, LIB_DKIM, dkim_sig_geterror)
#define dkim_sig_geterrorstr DL_USE(dkim, LIB_DKIM, dkim_sig_geterrorstr)
#define dkim_sig_getflags DL_USE(dkim, LIB_DKIM, dkim_sig_getflags)
#define dkim_sig_getselector DL_USE(dkim, LIB_DKIM, dkim_sig_getselector)
#define dkim_sig_ignore DL_USE(dkim, LIB_DKIM, dkim_sig_ignore)
#define dkim_verify DL_USE(dkim, LIB_DKIM, dkim_verify)
#endif

#endif
