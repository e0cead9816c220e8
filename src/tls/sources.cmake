# src/tls's portable sources: the host library (CMakeLists.txt here) and the
# firmware image (firmware/CMakeLists.txt) both take these lists.
# Plain C++ (trust anchors, the TLS heap, the RTC date, the seed mix):
set(MPXE_TLS_SOURCES
  entropy_mix.cpp
  rtc_time.cpp
  signature_list.cpp
  tls_heap.cpp
  trust_anchors.cpp)
list(TRANSFORM MPXE_TLS_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
# Over wolfSSL (TlsStream, its context and cipher suites, its named failures):
set(MPXE_TLS_WOLFSSL_SOURCES
  cipher_suites.cpp
  tls_context.cpp
  tls_failure.cpp
  tls_stream.cpp)
list(TRANSFORM MPXE_TLS_WOLFSSL_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
# The C names wolfSSL links against (XMALLOC, XREALLOC, XFREE, XSNPRINTF), for
# whichever world links wolfSSL: objects, not an archive member the linker might pass.
set(MPXE_TLS_WOLFSSL_GLUE ${CMAKE_CURRENT_LIST_DIR}/wolfssl_alloc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wolfssl_snprintf.cpp)
