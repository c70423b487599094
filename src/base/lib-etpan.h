/* lib-etpan.h — libetpan (MIME words, dates, addresses, IMAP, SMTP), loaded on first need (base/dl.h).
 * Include this, never <libetpan/libetpan.h> itself: the names below are redirected to
 * the table dl_etpan that dlsym fills. */
#ifndef DCVMAIL_LIB_ETPAN_H
#define DCVMAIL_LIB_ETPAN_H

#include <libetpan/libetpan.h>

#include "base/dl.h"

/* the names dcvmail uses; a name missing here is an undefined symbol when
 * the program is linked (tests/t/lazy-load.sh checks nm -D too) */
#define DL_ETPAN_NAMES(X)                                                                                              \
	X(mailesmtp_ehlo_with_ip)                                                                                      \
	X(mailimap_capability)                                                                                         \
	X(mailimap_capability_data_free)                                                                               \
	X(mailimap_examine)                                                                                            \
	X(mailimap_fetch_att_new_body_peek_section_partial)                                                            \
	X(mailimap_fetch_att_new_uid)                                                                                  \
	X(mailimap_fetch_list_free)                                                                                    \
	X(mailimap_fetch_type_free)                                                                                    \
	X(mailimap_fetch_type_new_fetch_att_list_add)                                                                  \
	X(mailimap_fetch_type_new_fetch_att_list_empty)                                                                \
	X(mailimap_flag_list_add)                                                                                      \
	X(mailimap_flag_list_new_empty)                                                                                \
	X(mailimap_flag_new_deleted)                                                                                   \
	X(mailimap_flag_new_flag_keyword)                                                                              \
	X(mailimap_free)                                                                                               \
	X(mailimap_has_authentication)                                                                                 \
	X(mailimap_has_extension)                                                                                      \
	X(mailimap_has_idle)                                                                                           \
	X(mailimap_has_xoauth2)                                                                                        \
	X(mailimap_idle)                                                                                               \
	X(mailimap_idle_done)                                                                                          \
	X(mailimap_idle_get_fd)                                                                                        \
	X(mailimap_login)                                                                                              \
	X(mailimap_logout)                                                                                             \
	X(mailimap_new)                                                                                                \
	X(mailimap_oauth2_authenticate)                                                                                \
	X(mailimap_search_key_free)                                                                                    \
	X(mailimap_search_key_new_uid)                                                                                 \
	X(mailimap_search_result_free)                                                                                 \
	X(mailimap_section_new)                                                                                        \
	X(mailimap_select)                                                                                             \
	X(mailimap_set_add_interval)                                                                                   \
	X(mailimap_set_add_single)                                                                                     \
	X(mailimap_set_free)                                                                                           \
	X(mailimap_set_new_empty)                                                                                      \
	X(mailimap_set_new_interval)                                                                                   \
	X(mailimap_set_new_single)                                                                                     \
	X(mailimap_set_timeout)                                                                                        \
	X(mailimap_socket_connect)                                                                                     \
	X(mailimap_socket_starttls_with_callback)                                                                      \
	X(mailimap_ssl_connect_with_callback)                                                                          \
	X(mailimap_store_att_flags_free)                                                                               \
	X(mailimap_store_att_flags_new_add_flags_silent)                                                               \
	X(mailimap_uid_copy)                                                                                           \
	X(mailimap_uid_expunge)                                                                                        \
	X(mailimap_uid_fetch)                                                                                          \
	X(mailimap_uid_move)                                                                                           \
	X(mailimap_uid_search)                                                                                         \
	X(mailimap_uid_store)                                                                                          \
	X(mailimf_date_time_free)                                                                                      \
	X(mailimf_date_time_parse)                                                                                     \
	X(mailimf_mailbox_list_free)                                                                                   \
	X(mailimf_mailbox_list_parse)                                                                                  \
	X(mailmime_encoded_phrase_parse)                                                                               \
	X(mailmime_part_parse)                                                                                         \
	X(mailsmtp_auth)                                                                                               \
	X(mailsmtp_data)                                                                                               \
	X(mailsmtp_data_message)                                                                                       \
	X(mailsmtp_free)                                                                                               \
	X(mailsmtp_helo_with_ip)                                                                                       \
	X(mailsmtp_mail)                                                                                               \
	X(mailsmtp_new)                                                                                                \
	X(mailsmtp_quit)                                                                                               \
	X(mailsmtp_rcpt)                                                                                               \
	X(mailsmtp_set_timeout)                                                                                        \
	X(mailsmtp_socket_connect)                                                                                     \
	X(mailsmtp_socket_starttls_with_callback)                                                                      \
	X(mailsmtp_ssl_connect_with_callback)                                                                          \
	X(mailsmtp_strerror)                                                                                           \
	X(mailstream_certificate_chain_free)                                                                           \
	X(mailstream_flush)                                                                                            \
	X(mailstream_get_certificate_chain)                                                                            \
	X(mailstream_read_line)                                                                                        \
	X(mailstream_read_line_remove_eol)                                                                             \
	X(mailstream_set_privacy)                                                                                      \
	X(mailstream_ssl_set_server_name)                                                                              \
	X(mailstream_write)                                                                                            \
	X(mmap_string_free)                                                                                            \
	X(mmap_string_new)                                                                                             \
	X(mmap_string_unref)                                                                                           \
	X(extended_charconv)

struct dl_etpan {
	DL_ETPAN_NAMES(DL_FIELD)
};
extern struct dl_etpan dl_etpan;

#ifndef DL_IMPL
#define mailesmtp_ehlo_with_ip DL_USE(etpan, LIB_ETPAN, mailesmtp_ehlo_with_ip)
#define mailimap_capability DL_USE(etpan, LIB_ETPAN, mailimap_capability)
#define mailimap_capability_data_free DL_USE(etpan, LIB_ETPAN, mailimap_capability_data_free)
#define mailimap_examine DL_USE(etpan, LIB_ETPAN, mailimap_examine)
#define mailimap_fetch_att_new_body_peek_section_partial                                                               \
	DL_USE(etpan, LIB_ETPAN, mailimap_fetch_att_new_body_peek_section_partial)
#define mailimap_fetch_att_new_uid DL_USE(etpan, LIB_ETPAN, mailimap_fetch_att_new_uid)
#define mailimap_fetch_list_free DL_USE(etpan, LIB_ETPAN, mailimap_fetch_list_free)
#define mailimap_fetch_type_free DL_USE(etpan, LIB_ETPAN, mailimap_fetch_type_free)
#define mailimap_fetch_type_new_fetch_att_list_add DL_USE(etpan, LIB_ETPAN, mailimap_fetch_type_new_fetch_att_list_add)
#define mailimap_fetch_type_new_fetch_att_list_empty                                                                   \
	DL_USE(etpan, LIB_ETPAN, mailimap_fetch_type_new_fetch_att_list_empty)
#define mailimap_flag_list_add DL_USE(etpan, LIB_ETPAN, mailimap_flag_list_add)
#define mailimap_flag_list_new_empty DL_USE(etpan, LIB_ETPAN, mailimap_flag_list_new_empty)
#define mailimap_flag_new_deleted DL_USE(etpan, LIB_ETPAN, mailimap_flag_new_deleted)
#define mailimap_flag_new_flag_keyword DL_USE(etpan, LIB_ETPAN, mailimap_flag_new_flag_keyword)
#define mailimap_free DL_USE(etpan, LIB_ETPAN, mailimap_free)
#define mailimap_has_authentication DL_USE(etpan, LIB_ETPAN, mailimap_has_authentication)
#define mailimap_has_extension DL_USE(etpan, LIB_ETPAN, mailimap_has_extension)
#define mailimap_has_idle DL_USE(etpan, LIB_ETPAN, mailimap_has_idle)
#define mailimap_has_xoauth2 DL_USE(etpan, LIB_ETPAN, mailimap_has_xoauth2)
#define mailimap_idle DL_USE(etpan, LIB_ETPAN, mailimap_idle)
#define mailimap_idle_done DL_USE(etpan, LIB_ETPAN, mailimap_idle_done)
#define mailimap_idle_get_fd DL_USE(etpan, LIB_ETPAN, mailimap_idle_get_fd)
#define mailimap_login DL_USE(etpan, LIB_ETPAN, mailimap_login)
#define mailimap_logout DL_USE(etpan, LIB_ETPAN, mailimap_logout)
#define mailimap_new DL_USE(etpan, LIB_ETPAN, mailimap_new)
#define mailimap_oauth2_authenticate DL_USE(etpan, LIB_ETPAN, mailimap_oauth2_authenticate)
#define mailimap_search_key_free DL_USE(etpan, LIB_ETPAN, mailimap_search_key_free)
#define mailimap_search_key_new_uid DL_USE(etpan, LIB_ETPAN, mailimap_search_key_new_uid)
#define mailimap_search_result_free DL_USE(etpan, LIB_ETPAN, mailimap_search_result_free)
#define mailimap_section_new DL_USE(etpan, LIB_ETPAN, mailimap_section_new)
#define mailimap_select DL_USE(etpan, LIB_ETPAN, mailimap_select)
#define mailimap_set_add_interval DL_USE(etpan, LIB_ETPAN, mailimap_set_add_interval)
#define mailimap_set_add_single DL_USE(etpan, LIB_ETPAN, mailimap_set_add_single)
#define mailimap_set_free DL_USE(etpan, LIB_ETPAN, mailimap_set_free)
#define mailimap_set_new_empty DL_USE(etpan, LIB_ETPAN, mailimap_set_new_empty)
#define mailimap_set_new_interval DL_USE(etpan, LIB_ETPAN, mailimap_set_new_interval)
#define mailimap_set_new_single DL_USE(etpan, LIB_ETPAN, mailimap_set_new_single)
#define mailimap_set_timeout DL_USE(etpan, LIB_ETPAN, mailimap_set_timeout)
#define mailimap_socket_connect DL_USE(etpan, LIB_ETPAN, mailimap_socket_connect)
#define mailimap_socket_starttls_with_callback DL_USE(etpan, LIB_ETPAN, mailimap_socket_starttls_with_callback)
#define mailimap_ssl_connect_with_callback DL_USE(etpan, LIB_ETPAN, mailimap_ssl_connect_with_callback)
#define mailimap_store_att_flags_free DL_USE(etpan, LIB_ETPAN, mailimap_store_att_flags_free)
#define mailimap_store_att_flags_new_add_flags_silent                                                                  \
	DL_USE(etpan, LIB_ETPAN, mailimap_store_att_flags_new_add_flags_silent)
#define mailimap_uid_copy DL_USE(etpan, LIB_ETPAN, mailimap_uid_copy)
#define mailimap_uid_expunge DL_USE(etpan, LIB_ETPAN, mailimap_uid_expunge)
#define mailimap_uid_fetch DL_USE(etpan, LIB_ETPAN, mailimap_uid_fetch)
#define mailimap_uid_move DL_USE(etpan, LIB_ETPAN, mailimap_uid_move)
#define mailimap_uid_search DL_USE(etpan, LIB_ETPAN, mailimap_uid_search)
#define mailimap_uid_store DL_USE(etpan, LIB_ETPAN, mailimap_uid_store)
#define mailimf_date_time_free DL_USE(etpan, LIB_ETPAN, mailimf_date_time_free)
#define mailimf_date_time_parse DL_USE(etpan, LIB_ETPAN, mailimf_date_time_parse)
#define mailimf_mailbox_list_free DL_USE(etpan, LIB_ETPAN, mailimf_mailbox_list_free)
#define mailimf_mailbox_list_parse DL_USE(etpan, LIB_ETPAN, mailimf_mailbox_list_parse)
#define mailmime_encoded_phrase_parse DL_USE(etpan, LIB_ETPAN, mailmime_encoded_phrase_parse)
#define mailmime_part_parse DL_USE(etpan, LIB_ETPAN, mailmime_part_parse)
#define mailsmtp_auth DL_USE(etpan, LIB_ETPAN, mailsmtp_auth)
#define mailsmtp_data DL_USE(etpan, LIB_ETPAN, mailsmtp_data)
#define mailsmtp_data_message DL_USE(etpan, LIB_ETPAN, mailsmtp_data_message)
#define mailsmtp_free DL_USE(etpan, LIB_ETPAN, mailsmtp_free)
#define mailsmtp_helo_with_ip DL_USE(etpan, LIB_ETPAN, mailsmtp_helo_with_ip)
#define mailsmtp_mail DL_USE(etpan, LIB_ETPAN, mailsmtp_mail)
#define mailsmtp_new DL_USE(etpan, LIB_ETPAN, mailsmtp_new)
#define mailsmtp_quit DL_USE(etpan, LIB_ETPAN, mailsmtp_quit)
#define mailsmtp_rcpt DL_USE(etpan, LIB_ETPAN, mailsmtp_rcpt)
#define mailsmtp_set_timeout DL_USE(etpan, LIB_ETPAN, mailsmtp_set_timeout)
#define mailsmtp_socket_connect DL_USE(etpan, LIB_ETPAN, mailsmtp_socket_connect)
#define mailsmtp_socket_starttls_with_callback DL_USE(etpan, LIB_ETPAN, mailsmtp_socket_starttls_with_callback)
#define mailsmtp_ssl_connect_with_callback DL_USE(etpan, LIB_ETPAN, mailsmtp_ssl_connect_with_callback)
#define mailsmtp_strerror DL_USE(etpan, LIB_ETPAN, mailsmtp_strerror)
#define mailstream_certificate_chain_free DL_USE(etpan, LIB_ETPAN, mailstream_certificate_chain_free)
#define mailstream_flush DL_USE(etpan, LIB_ETPAN, mailstream_flush)
#define mailstream_get_certificate_chain DL_USE(etpan, LIB_ETPAN, mailstream_get_certificate_chain)
#define mailstream_read_line DL_USE(etpan, LIB_ETPAN, mailstream_read_line)
#define mailstream_read_line_remove_eol DL_USE(etpan, LIB_ETPAN, mailstream_read_line_remove_eol)
#define mailstream_set_privacy DL_USE(etpan, LIB_ETPAN, mailstream_set_privacy)
#define mailstream_ssl_set_server_name DL_USE(etpan, LIB_ETPAN, mailstream_ssl_set_server_name)
#define mailstream_write DL_USE(etpan, LIB_ETPAN, mailstream_write)
#define mmap_string_free DL_USE(etpan, LIB_ETPAN, mmap_string_free)
#define mmap_string_new DL_USE(etpan, LIB_ETPAN, mmap_string_new)
#define mmap_string_unref DL_USE(etpan, LIB_ETPAN, mmap_string_unref)
#define extended_charconv DL_USE(etpan, LIB_ETPAN, extended_charconv)
#endif

#endif
