// What the DHCPv6 tests share: the client's addresses and configuration, and
// replies addressed to it with a chosen transaction ID.
#pragma once

#include "dhcp_test_util.h"
#include "net/socket/dhcpv6_client.h"
#include "net/wire/dhcpv6.h"

namespace mpxe::net::test {

inline Ipv6Address ip6(const char* text) { return Ipv6Address::parse(text).value(); }

inline const Ipv6Address kLinkLocal = ip6("fe80::5054:ff:fe12:3456");
inline const Ipv6Address kLeased = ip6("fd00:6d70:7865::100");  // in v6frames::kDnsmasqReply

inline Dhcpv6Config config_for(Dhcpv6Mode mode) {
  Dhcpv6Config config;
  config.mac = client_mac();
  config.link_local = kLinkLocal;
  config.mode = mode;
  config.has_uuid = true;
  for (size_t i = 0; i < 16; ++i) config.uuid[i] = kGuid[i];
  return config;
}

inline UdpMeta from6(const char* server, uint16_t port = kDhcpv6ServerPort) {
  UdpMeta meta;
  meta.src = ip6(server);
  meta.dst = kLinkLocal;
  meta.src_port = port;
  meta.dst_port = kDhcpv6ClientPort;
  return meta;
}

// A captured message with its 24-bit transaction ID replaced.
inline Buffer with_xid6(Bytes message, uint32_t xid) {
  Buffer b = buf(message);
  b[1] = static_cast<uint8_t>(xid >> 16);
  b[2] = static_cast<uint8_t>(xid >> 8);
  b[3] = static_cast<uint8_t>(xid);
  return b;
}

}  // namespace mpxe::net::test
