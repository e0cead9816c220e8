# The portable TLS layer's sources (over wolfSSL): the host library
# (CMakeLists.txt here) and, once it links wolfSSL, the firmware build take this list.
set(MPXE_TLS_SOURCES
  tls_context.cpp
  tls_failure.cpp
  tls_stream.cpp)
