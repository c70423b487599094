/* lib-curl.h — libcurl (URLs, HTTP), loaded on first need (base/dl.h).
 * Include this, never <curl/curl.h> itself: the names below are redirected to
 * the table dl_curl that dlsym fills. */
#ifndef DCVMAIL_LIB_CURL_H
#define DCVMAIL_LIB_CURL_H

/* curl's typecheck-gcc.h makes curl_easy_setopt a macro */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "base/dl.h"

/* the names dcvmail uses; a name missing here is an undefined symbol when
 * the program is linked (tests/t/lazy-load.sh checks nm -D too) */
#define DL_CURL_NAMES(X)                                                                                               \
	X(curl_easy_cleanup)                                                                                           \
	X(curl_easy_escape)                                                                                            \
	X(curl_easy_getinfo)                                                                                           \
	X(curl_easy_init)                                                                                              \
	X(curl_easy_perform)                                                                                           \
	X(curl_easy_setopt)                                                                                            \
	X(curl_easy_strerror)                                                                                          \
	X(curl_free)                                                                                                   \
	X(curl_global_init)                                                                                            \
	X(curl_slist_append)                                                                                           \
	X(curl_slist_free_all)                                                                                         \
	X(curl_url)                                                                                                    \
	X(curl_url_cleanup)                                                                                            \
	X(curl_url_get)                                                                                                \
	X(curl_url_set)                                                                                                \
	X(curl_url_strerror)

struct dl_curl {
	DL_CURL_NAMES(DL_FIELD)
};
extern struct dl_curl dl_curl;

#ifndef DL_IMPL
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_cleanup DL_USE(curl, LIB_CURL, curl_easy_cleanup)
#define curl_easy_escape DL_USE(curl, LIB_CURL, curl_easy_escape)
#define curl_easy_getinfo DL_USE(curl, LIB_CURL, curl_easy_getinfo)
#define curl_easy_init DL_USE(curl, LIB_CURL, curl_easy_init)
#define curl_easy_perform DL_USE(curl, LIB_CURL, curl_easy_perform)
#define curl_easy_setopt DL_USE(curl, LIB_CURL, curl_easy_setopt)
#define curl_easy_strerror DL_USE(curl, LIB_CURL, curl_easy_strerror)
#define curl_free DL_USE(curl, LIB_CURL, curl_free)
#define curl_global_init DL_USE(curl, LIB_CURL, curl_global_init)
#define curl_slist_append DL_USE(curl, LIB_CURL, curl_slist_append)
#define curl_slist_free_all DL_USE(curl, LIB_CURL, curl_slist_free_all)
#define curl_url DL_USE(curl, LIB_CURL, curl_url)
#define curl_url_cleanup DL_USE(curl, LIB_CURL, curl_url_cleanup)
#define curl_url_get DL_USE(curl, LIB_CURL, curl_url_get)
#define curl_url_set DL_USE(curl, LIB_CURL, curl_url_set)
#define curl_url_strerror DL_USE(curl, LIB_CURL, curl_url_strerror)
#endif

#endif
