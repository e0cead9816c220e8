# The portable TLS glue's sources: the host library (CMakeLists.txt here) and
# the firmware image (firmware/CMakeLists.txt) both take these lists.
set(MPXE_TLS_SOURCES tls_heap.cpp rtc_time.cpp entropy_mix.cpp)
list(TRANSFORM MPXE_TLS_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
# The C names wolfSSL links against (XMALLOC, XREALLOC, XFREE), for whichever
# world links wolfSSL: objects, not an archive member the linker might pass.
set(MPXE_TLS_WOLFSSL_GLUE ${CMAKE_CURRENT_LIST_DIR}/wolfssl_alloc.cpp)
