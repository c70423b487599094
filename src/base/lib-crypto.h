/* lib-crypto.h — libcrypto (base64, digests, keys, certificate checks), loaded on first need (base/dl.h).
 * Include this, never <openssl/...> itself: the names below are redirected to
 * the table dl_crypto that dlsym fills. */
#ifndef DCVMAIL_LIB_CRYPTO_H
#define DCVMAIL_LIB_CRYPTO_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "base/dl.h"

/* the names dcvmail uses; a name missing here is an undefined symbol when
 * the program is linked (tests/t/lazy-load.sh checks nm -D too) */
#define DL_CRYPTO_NAMES(X)                                                                                             \
	X(BIO_free)                                                                                                    \
	X(BIO_new_mem_buf)                                                                                             \
	X(CRYPTO_free)                                                                                                 \
	X(EVP_DecodeBlock)                                                                                             \
	X(EVP_Digest)                                                                                                  \
	X(EVP_DigestSign)                                                                                              \
	X(EVP_DigestSignInit)                                                                                          \
	X(EVP_EncodeBlock)                                                                                             \
	X(EVP_MD_CTX_free)                                                                                             \
	X(EVP_MD_CTX_new)                                                                                              \
	X(EVP_PKEY_free)                                                                                               \
	X(EVP_PKEY_get_base_id)                                                                                        \
	X(EVP_sha1)                                                                                                    \
	X(EVP_sha256)                                                                                                  \
	X(OPENSSL_sk_new_null)                                                                                         \
	X(OPENSSL_sk_pop_free)                                                                                         \
	X(OPENSSL_sk_push)                                                                                             \
	X(PEM_read_X509)                                                                                               \
	X(PEM_read_bio_PrivateKey)                                                                                     \
	X(RAND_bytes)                                                                                                  \
	X(X509_STORE_CTX_free)                                                                                         \
	X(X509_STORE_CTX_get0_param)                                                                                   \
	X(X509_STORE_CTX_get_error)                                                                                    \
	X(X509_STORE_CTX_init)                                                                                         \
	X(X509_STORE_CTX_new)                                                                                          \
	X(X509_STORE_free)                                                                                             \
	X(X509_STORE_load_file)                                                                                        \
	X(X509_STORE_new)                                                                                              \
	X(X509_STORE_set_default_paths)                                                                                \
	X(X509_VERIFY_PARAM_set1_host)                                                                                 \
	X(X509_VERIFY_PARAM_set1_ip_asc)                                                                               \
	X(X509_VERIFY_PARAM_set_purpose)                                                                               \
	X(X509_free)                                                                                                   \
	X(X509_verify_cert)                                                                                            \
	X(X509_verify_cert_error_string)                                                                               \
	X(d2i_X509)                                                                                                    \
	X(i2d_X509)

struct dl_crypto {
	DL_CRYPTO_NAMES(DL_FIELD)
};
extern struct dl_crypto dl_crypto;

#ifndef DL_IMPL
#define BIO_free DL_USE(crypto, LIB_CRYPTO, BIO_free)
#define BIO_new_mem_buf DL_USE(crypto, LIB_CRYPTO, BIO_new_mem_buf)
#define CRYPTO_free DL_USE(crypto, LIB_CRYPTO, CRYPTO_free)
#define EVP_DecodeBlock DL_USE(crypto, LIB_CRYPTO, EVP_DecodeBlock)
#define EVP_Digest DL_USE(crypto, LIB_CRYPTO, EVP_Digest)
#define EVP_DigestSign DL_USE(crypto, LIB_CRYPTO, EVP_DigestSign)
#define EVP_DigestSignInit DL_USE(crypto, LIB_CRYPTO, EVP_DigestSignInit)
#define EVP_EncodeBlock DL_USE(crypto, LIB_CRYPTO, EVP_EncodeBlock)
#define EVP_MD_CTX_free DL_USE(crypto, LIB_CRYPTO, EVP_MD_CTX_free)
#define EVP_MD_CTX_new DL_USE(crypto, LIB_CRYPTO, EVP_MD_CTX_new)
#define EVP_PKEY_free DL_USE(crypto, LIB_CRYPTO, EVP_PKEY_free)
#define EVP_PKEY_get_base_id DL_USE(crypto, LIB_CRYPTO, EVP_PKEY_get_base_id)
#define EVP_sha1 DL_USE(crypto, LIB_CRYPTO, EVP_sha1)
#define EVP_sha256 DL_USE(crypto, LIB_CRYPTO, EVP_sha256)
#define OPENSSL_sk_new_null DL_USE(crypto, LIB_CRYPTO, OPENSSL_sk_new_null)
#define OPENSSL_sk_pop_free DL_USE(crypto, LIB_CRYPTO, OPENSSL_sk_pop_free)
#define OPENSSL_sk_push DL_USE(crypto, LIB_CRYPTO, OPENSSL_sk_push)
#define PEM_read_X509 DL_USE(crypto, LIB_CRYPTO, PEM_read_X509)
#define PEM_read_bio_PrivateKey DL_USE(crypto, LIB_CRYPTO, PEM_read_bio_PrivateKey)
#define RAND_bytes DL_USE(crypto, LIB_CRYPTO, RAND_bytes)
#define X509_STORE_CTX_free DL_USE(crypto, LIB_CRYPTO, X509_STORE_CTX_free)
#define X509_STORE_CTX_get0_param DL_USE(crypto, LIB_CRYPTO, X509_STORE_CTX_get0_param)
#define X509_STORE_CTX_get_error DL_USE(crypto, LIB_CRYPTO, X509_STORE_CTX_get_error)
#define X509_STORE_CTX_init DL_USE(crypto, LIB_CRYPTO, X509_STORE_CTX_init)
#define X509_STORE_CTX_new DL_USE(crypto, LIB_CRYPTO, X509_STORE_CTX_new)
#define X509_STORE_free DL_USE(crypto, LIB_CRYPTO, X509_STORE_free)
#define X509_STORE_load_file DL_USE(crypto, LIB_CRYPTO, X509_STORE_load_file)
#define X509_STORE_new DL_USE(crypto, LIB_CRYPTO, X509_STORE_new)
#define X509_STORE_set_default_paths DL_USE(crypto, LIB_CRYPTO, X509_STORE_set_default_paths)
#define X509_VERIFY_PARAM_set1_host DL_USE(crypto, LIB_CRYPTO, X509_VERIFY_PARAM_set1_host)
#define X509_VERIFY_PARAM_set1_ip_asc DL_USE(crypto, LIB_CRYPTO, X509_VERIFY_PARAM_set1_ip_asc)
#define X509_VERIFY_PARAM_set_purpose DL_USE(crypto, LIB_CRYPTO, X509_VERIFY_PARAM_set_purpose)
#define X509_free DL_USE(crypto, LIB_CRYPTO, X509_free)
#define X509_verify_cert DL_USE(crypto, LIB_CRYPTO, X509_verify_cert)
#define X509_verify_cert_error_string DL_USE(crypto, LIB_CRYPTO, X509_verify_cert_error_string)
#define d2i_X509 DL_USE(crypto, LIB_CRYPTO, d2i_X509)
#define i2d_X509 DL_USE(crypto, LIB_CRYPTO, i2d_X509)
#endif

#endif
