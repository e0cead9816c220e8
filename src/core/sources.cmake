# The portable core's sources: the host library (CMakeLists.txt here) and the
# firmware images (firmware/CMakeLists.txt) both take this one list.
set(MPXE_CORE_SOURCES format.cpp image_kind.cpp sha256.cpp)
list(TRANSFORM MPXE_CORE_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
