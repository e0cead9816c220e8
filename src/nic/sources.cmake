# Device-independent NIC code (rings in memory, no register access): the host
# library (CMakeLists.txt here) and the ROM driver both take this list.
set(MPXE_NIC_SOURCES virtqueue.cpp)
list(TRANSFORM MPXE_NIC_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
