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

# AES-NI (user_settings.h: WOLFSSL_AESNI). The ROM is built by a compiler that
# says _MSC_VER, so aes.c takes its intrinsics path (AES-GCM) and calls the MASM
# file for key expansion, ECB and CBC; the host takes the GNU assembly (its aes.c
# still has the AES-NI decryption key schedule in intrinsics).
# aes.c alone is built with what its intrinsics need, and so that the
# instructions stay inside the functions aes.c calls only when cpuid has AES-NI:
# no vectorizer (it put SSE4.1's pmovzxbd into the C AES-GCM, the path of a CPU
# without it) and no inlining (an inlined AES-NI function's shuffles may be
# hoisted above the cpuid test into code every CPU runs).
set(MPXE_WOLFSSL_AESNI_FLAGS -maes -mpclmul -msse4.1 -fno-vectorize -fno-inline)
if(NOT CMAKE_C_COMPILER_TARGET MATCHES "windows")
  enable_language(ASM)  # at file scope, as CMake asks
endif()

function(mpxe_add_wolfssl name)
  set(sources ${MPXE_WOLFSSL_SOURCES})
  if(CMAKE_C_COMPILER_TARGET MATCHES "windows")
    find_program(MPXE_LLVM_ML NAMES llvm-ml-19 llvm-ml)
    if(NOT MPXE_LLVM_ML)
      message(FATAL_ERROR "llvm-ml-19 (LLVM's MASM assembler, Debian package llvm-19) is "
                          "needed to assemble wolfSSL's aes_asm.asm for the ROM: run scripts/setup")
    endif()
    find_program(MPXE_OBJCOPY NAMES llvm-objcopy-19 llvm-objcopy REQUIRED)
    # The file's "_text SEGMENT" names no class, and llvm-ml makes such a
    # segment read-write data: marked read-only code here, or the image would
    # have its AES code in a section that is not executable.
    set(asm_object ${CMAKE_CURRENT_BINARY_DIR}/${name}_aes_asm.obj)
    add_custom_command(OUTPUT ${asm_object}
      COMMAND ${MPXE_LLVM_ML} -m64 -nologo -c -Fo ${asm_object}.raw ${MPXE_WOLFSSL_DIR}/wolfcrypt/src/aes_asm.asm
      COMMAND ${MPXE_OBJCOPY} --set-section-flags _text=alloc,load,readonly,code ${asm_object}.raw ${asm_object}
      DEPENDS ${MPXE_WOLFSSL_DIR}/wolfcrypt/src/aes_asm.asm
      COMMENT "Assembling wolfSSL's aes_asm.asm with llvm-ml")
    list(APPEND sources ${asm_object})
  else()
    set(gnu_asm ${MPXE_WOLFSSL_DIR}/wolfcrypt/src/aes_asm.S ${MPXE_WOLFSSL_DIR}/wolfcrypt/src/aes_gcm_asm.S)
    # What wolfSSL's configure defines for these files on x86_64.
    set_source_files_properties(${gnu_asm} PROPERTIES COMPILE_DEFINITIONS WOLFSSL_X86_64_BUILD)
    list(APPEND sources ${gnu_asm})
  endif()
  set_source_files_properties(${MPXE_WOLFSSL_DIR}/wolfcrypt/src/aes.c PROPERTIES
    COMPILE_OPTIONS "${MPXE_WOLFSSL_AESNI_FLAGS}")
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} SYSTEM PUBLIC ${MPXE_WOLFSSL_INCLUDES})
  target_compile_definitions(${name} PUBLIC WOLFSSL_USER_SETTINGS)
  # Upstream code: its warnings are not ours to fix. Nor is what UBSan reports in
  # it (sp_c64.c shifts signed digits left by design); AddressSanitizer stays on,
  # so a bad read or write through our use of the library still stops a test.
  target_compile_options(${name} PRIVATE -w)
  # clang's SLP vectorizer turns ChaCha20's block function into SSE shuffles.
  # Under TCG every pshufd is a helper call: a ChaCha20-Poly1305 loop built this
  # way ran at 43 MB/s in qemu-x86_64 against 193 MB/s built without it (and 268
  # against 505 MB/s natively on this host), so the scalar code is better in both.
  target_compile_options(${name} PRIVATE -fno-slp-vectorize)
  if(MPXE_SANITIZE MATCHES "undefined")
    target_compile_options(${name} PRIVATE -fno-sanitize=undefined)
  endif()
endfunction()
