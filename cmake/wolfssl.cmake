# wolfSSL, built from Debian's source package (unpacked by scripts/setup into
# .tools/wolfssl) with mpxe's configuration, src/tls/user_settings.h. The host
# build and the firmware sub-build both include this file and call
# mpxe_add_wolfssl() with the flags of their world.
set(MPXE_WOLFSSL_DIR ${CMAKE_CURRENT_LIST_DIR}/../.tools/wolfssl CACHE PATH
    "wolfSSL's source tree (scripts/setup unpacks Debian's wolfssl source package there)")
get_filename_component(MPXE_WOLFSSL_DIR ${MPXE_WOLFSSL_DIR} ABSOLUTE)
if(NOT EXISTS ${MPXE_WOLFSSL_DIR}/wolfssl/ssl.h)
  message(FATAL_ERROR "wolfSSL's source is not in ${MPXE_WOLFSSL_DIR}: run scripts/setup "
                      "(it fetches Debian's wolfssl source package)")
endif()
file(STRINGS ${MPXE_WOLFSSL_DIR}/wolfssl/version.h MPXE_WOLFSSL_VERSION
     REGEX "#define LIBWOLFSSL_VERSION_STRING")
string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" MPXE_WOLFSSL_VERSION "${MPXE_WOLFSSL_VERSION}")
if(NOT MPXE_WOLFSSL_VERSION MATCHES "^5\\.")
  message(FATAL_ERROR "wolfSSL ${MPXE_WOLFSSL_VERSION} in ${MPXE_WOLFSSL_DIR}: mpxe is configured for 5.x")
endif()

# A TLS client's part of the library: the protocol, X.509, and the algorithms
# user_settings.h turns on (a file whose algorithm is off compiles to nothing).
set(MPXE_WOLFSSL_SOURCES
  src/internal.c src/keys.c src/ssl.c src/tls.c src/tls13.c src/wolfio.c
  wolfcrypt/src/aes.c wolfcrypt/src/asn.c wolfcrypt/src/chacha.c
  wolfcrypt/src/chacha20_poly1305.c wolfcrypt/src/coding.c wolfcrypt/src/cpuid.c
  wolfcrypt/src/curve25519.c wolfcrypt/src/dh.c wolfcrypt/src/ecc.c wolfcrypt/src/error.c
  wolfcrypt/src/fe_operations.c wolfcrypt/src/hash.c wolfcrypt/src/hmac.c wolfcrypt/src/kdf.c
  wolfcrypt/src/logging.c wolfcrypt/src/md5.c wolfcrypt/src/memory.c wolfcrypt/src/poly1305.c
  wolfcrypt/src/random.c wolfcrypt/src/rsa.c wolfcrypt/src/sha.c wolfcrypt/src/sha256.c
  wolfcrypt/src/sha512.c wolfcrypt/src/signature.c wolfcrypt/src/sp_c64.c
  wolfcrypt/src/sp_int.c wolfcrypt/src/wc_encrypt.c wolfcrypt/src/wc_port.c
  wolfcrypt/src/wolfmath.c)
list(TRANSFORM MPXE_WOLFSSL_SOURCES PREPEND ${MPXE_WOLFSSL_DIR}/)

# Where wolfSSL's headers and our configuration are, for the library and its users.
set(MPXE_WOLFSSL_INCLUDES ${MPXE_WOLFSSL_DIR} ${CMAKE_CURRENT_LIST_DIR}/../src/tls)

function(mpxe_add_wolfssl name)
  add_library(${name} STATIC ${MPXE_WOLFSSL_SOURCES})
  target_include_directories(${name} SYSTEM PUBLIC ${MPXE_WOLFSSL_INCLUDES})
  target_compile_definitions(${name} PUBLIC WOLFSSL_USER_SETTINGS)
  # Upstream code: its warnings are not ours to fix. Nor is what UBSan reports in
  # it (sp_c64.c shifts signed digits left by design); AddressSanitizer stays on,
  # so a bad read or write through our use of the library still stops a test.
  target_compile_options(${name} PRIVATE -w)
  # clang's SLP vectorizer turns ChaCha20's block function into SSE shuffles.
  # Under TCG every pshufd is a helper call: a ChaCha20-Poly1305 loop built this
  # way ran at 17 MB/s in qemu-x86_64 against 69 MB/s built without it (and 105
  # against 187 MB/s natively on this host), so the scalar code is better in both.
  target_compile_options(${name} PRIVATE -fno-slp-vectorize)
  if(MPXE_SANITIZE MATCHES "undefined")
    target_compile_options(${name} PRIVATE -fno-sanitize=undefined)
  endif()
endfunction()
