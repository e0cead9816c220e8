# The portable network stack's sources: the host library (CMakeLists.txt here)
# and the firmware images (firmware/CMakeLists.txt) both take this one list.
set(MPXE_NET_SOURCES
  error.cpp
  wire/arp.cpp
  wire/checksum.cpp
  wire/dhcp.cpp
  wire/dhcp_options.cpp
  wire/digest_text.cpp
  wire/dns.cpp
  wire/ethernet.cpp
  wire/http.cpp
  wire/icmp.cpp
  wire/ipv4.cpp
  wire/ipv4_address.cpp
  wire/mac_address.cpp
  wire/pxe_options.cpp
  wire/tcp.cpp
  wire/tftp.cpp
  wire/udp.cpp
  iface/arp_cache.cpp
  iface/interface.cpp
  iface/reassembly.cpp
  stream/tcp_stream.cpp
  socket/dhcp_client.cpp
  socket/dns_resolver.cpp
  socket/http_client.cpp
  socket/pxe_discovery.cpp
  socket/tcp_connection.cpp
  socket/tftp_client.cpp
  fetch/chunk_plan.cpp
  fetch/fetch_policy.cpp
  fetch/http_fetch.cpp)
list(TRANSFORM MPXE_NET_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
