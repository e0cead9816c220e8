# Rings and work distribution for the application processors: the host library
# (CMakeLists.txt here) and the firmware images both take this list.
set(MPXE_MP_SOURCES copy_pipeline.cpp http_shards.cpp)
list(TRANSFORM MPXE_MP_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
