# src/tls's portable sources: the host library (CMakeLists.txt here) and the
# firmware images (firmware/CMakeLists.txt) both take this one list.
set(MPXE_TLS_SOURCES
  signature_list.cpp
  trust_anchors.cpp)
list(TRANSFORM MPXE_TLS_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
