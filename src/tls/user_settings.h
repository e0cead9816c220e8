/* wolfSSL's configuration for mpxe (wolfSSL reads it when WOLFSSL_USER_SETTINGS
 * is defined; cmake/wolfssl.cmake defines it for the library and for everything
 * that includes its headers). One configuration for the option ROM and the host
 * port, so the TLS the host tests is the TLS the firmware runs: a TLS 1.3 and 1.2
 * client, modern suites only, no sockets, no files, no OS.
 *
 * Plain C, included by C and C++ alike, and by wolfSSL's GNU assembly on the
 * host (aes_gcm_asm.S), which sees only the macros. */
#ifndef MPXE_TLS_USER_SETTINGS_H
#define MPXE_TLS_USER_SETTINGS_H

/* --- What mpxe is: a client, over its own streams ------------------------ */
#define NO_WOLFSSL_SERVER
#define WOLFSSL_USER_IO      /* bytes go through TlsStream's callbacks */
#define WOLFSSL_NO_SOCK
#define NO_FILESYSTEM        /* trust anchors come from fw_cfg and variables */
#define NO_WRITEV
#define NO_MAIN_DRIVER
#define WOLFSSL_IGNORE_FILE_WARN
#define WOLFSSL_SMALL_STACK  /* big temporaries from the TLS heap: AP stacks are small */

/* --- Platform hooks (src/tls/tls_platform.h) ----------------------------- */
#define XMALLOC_USER                         /* XMALLOC/XREALLOC/XFREE: pools sized at start */
#define NO_DEV_RANDOM
#define CUSTOM_RAND_GENERATE_SEED mpxe_tls_seed  /* entropy seeds wolfSSL's Hash_DRBG */
#define USER_TIME                            /* certificate validity against our clock */
#define XTIME(t) mpxe_tls_time(t)
#define USER_TICKS                           /* ticket ages and timeouts: LowResTimer() and
                                                TimeNowInMilliseconds() come from tls_platform */
#ifndef __ASSEMBLER__
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
int mpxe_tls_seed(unsigned char* output, unsigned int size);
/* int64_t is time_t in both worlds (below). */
int64_t mpxe_tls_time(int64_t* out);
#ifdef __cplusplus
}
#endif
#endif /* __ASSEMBLER__ */

#ifdef MPXE_FIRMWARE
/* The ROM is built for the Microsoft x64 ABI, so the compiler says _WIN32 and
 * _WIN64, but there is no Win32 API: wolfSSL would take its Windows paths
 * (windows.h, CryptoAPI, critical sections) and, for _WIN64, no 128-bit SP word. */
#undef _WIN32
#undef _WIN64
/* No libc in the ROM: string functions from src/uefi/libc, locks are spinlocks
 * (src/driver/tls/mutex.cpp): connections run on several processors at once,
 * and an AP may not call boot services. */
#define WOLFSSL_USER_MUTEX
typedef struct { int held; } wolfSSL_Mutex;
#define NO_STDIO_FILESYSTEM
/* long is 32 bits under LLP64, and certificates are read past 2038. */
typedef long long time_t;
#define HAVE_TIME_T_TYPE
#else
/* The host's libc has the time types USER_TIME would otherwise define (time_t is
 * long there too). */
#define HAVE_TM_TYPE
#define HAVE_TIME_T_TYPE
#endif

/* https://A.B.C.D matches the certificate's IP entries: wolfSSL parses them and
 * prints them with snprintf, which is core's bounded printf in both worlds
 * (src/tls/wolfssl_snprintf.cpp: the ROM has no C library). */
#define WOLFSSL_IP_ALT_NAME
#ifndef __ASSEMBLER__
#ifdef __cplusplus
extern "C" {
#endif
int mpxe_snprintf(char* out, __SIZE_TYPE__ capacity, const char* fmt, ...);
#ifdef __cplusplus
}
#endif
#endif /* __ASSEMBLER__ */
#define XSNPRINTF mpxe_snprintf

/* --- Protocol versions and extensions ------------------------------------ */
#define WOLFSSL_TLS13
#define NO_OLD_TLS           /* nothing before TLS 1.2 */
#define HAVE_TLS_EXTENSIONS
#define HAVE_SNI
#define HAVE_SUPPORTED_CURVES
#define HAVE_EXTENDED_MASTER
#define HAVE_SESSION_TICKET  /* resumption for the parallel range connections */
#define HAVE_ENCRYPT_THEN_MAC
#define HAVE_SERVER_RENEGOTIATION_INFO
#define HAVE_ALPN
#define HAVE_HKDF
#define WOLFSSL_ALT_CERT_CHAINS /* a chain that verifies by another path is good */
#define KEEP_PEER_CERT       /* the certificate named in an error line */
#define WOLFSSL_SET_CIPHER_BYTES /* suites as IANA ids, in our order (tls/cipher_suites.h) */
#define WOLFSSL_ASN_TEMPLATE

/* --- Key exchange and signatures ----------------------------------------- */
#define HAVE_ECC
#define ECC_USER_CURVES
#define HAVE_ECC384          /* P-256 is on by default */
#define ECC_SHAMIR
#define ECC_TIMING_RESISTANT
#define HAVE_CURVE25519
#define WC_RSA_PSS
#define WC_RSA_BLINDING
#define HAVE_FFDHE_2048
#define WOLFSSL_SP_MATH_ALL
#define WOLFSSL_HAVE_SP_RSA
#define WOLFSSL_HAVE_SP_ECC
#define WOLFSSL_HAVE_SP_DH
#define WOLFSSL_SP_384
#define WOLFSSL_SP_4096
#define SP_INT_BITS 4096
#define SP_WORD_SIZE 64      /* sp_c64.c: 64-bit digits, products in __int128 */
#define HAVE___UINT128_T
#define WOLFSSL_SP_DIV_WORD_HALF /* no 128-by-64 division: the ROM has no __udivti3 */
#define WOLFSSL_DH_CONST     /* no libm */
#define TFM_TIMING_RESISTANT

/* --- Bulk ciphers and hashes --------------------------------------------- */
#define HAVE_AESGCM
#define GCM_TABLE_4BIT       /* GHASH in C, when the CPU has no PCLMULQDQ */
/* AES and GHASH on AES-NI and PCLMULQDQ when cpuid says the CPU has them
 * (wolfSSL checks once, at the first key; mpxe also clears wolfSSL's AES-NI
 * flag on a CPU without PCLMULQDQ or SSE4.1, see CipherSuites). The ROM builds
 * aes.c's intrinsics path (the compiler says _MSC_VER) with aes_asm.asm, the
 * host the GNU assembly aes_asm.S and aes_gcm_asm.S: cmake/wolfssl.cmake. */
#define WOLFSSL_AESNI
#define HAVE_AES_CBC
#define HAVE_CHACHA
#define HAVE_POLY1305
#define HAVE_ONE_TIME_AUTH
#define WOLFSSL_SHA384
#define WOLFSSL_SHA512

/* --- Left out: old, weak or unused ---------------------------------------- */
#define NO_DES3
#define NO_RC4
#define NO_MD4
#define NO_PSK
#define NO_DSA
#define NO_PWDBASED
#define WOLFSSL_NO_SHAKE256
#define NO_OLD_RNGNAME

#endif /* MPXE_TLS_USER_SETTINGS_H */
