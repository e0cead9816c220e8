# The link layer's portable parts (fault injection, pcap capture): the host
# library (CMakeLists.txt here) and the firmware images both take this list.
set(MPXE_PHY_SOURCES fault_injector.cpp fault_line.cpp pcap_writer.cpp)
list(TRANSFORM MPXE_PHY_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
