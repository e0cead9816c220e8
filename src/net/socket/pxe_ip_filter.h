// The receive filter of the PXE Base Code (UDP reads with USE_FILTER, UEFI 2.10
// 24.3.8 SetIpFilter): which destination addresses a datagram may have to be
// handed to the caller. Portable, so the rule is unit-tested on the host.
//
// Over IPv6 the same bits mean what EDK II's PXEv6 gives them: STATION_IP takes
// the station address, PROMISCUOUS_MULTICAST any ff00::/8 group, the list its
// IPv6 entries; BROADCAST takes nothing, since IPv6 has no broadcast.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "net/wire/ip_address.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/ipv6_address.h"

namespace mpxe::net {

struct PxeIpFilterRule {
  static constexpr uint8_t kStationIp = 0x01;
  static constexpr uint8_t kBroadcast = 0x02;
  static constexpr uint8_t kPromiscuous = 0x04;
  static constexpr uint8_t kPromiscuousMulticast = 0x08;
  static constexpr size_t kMaxList = 8;  // EFI_PXE_BASE_CODE_MAX_IPCNT

  uint8_t filters = kStationIp;
  IpAddress list[kMaxList];  // further addresses (unicast or multicast) taken
  uint8_t count = 0;

  static bool is_subnet_broadcast(Ipv4Address dst, Ipv4Address station, Ipv4Address mask) {
    if (mask.is_unspecified() || mask.is_broadcast()) return false;
    return (dst.to_u32() | mask.to_u32()) == 0xFFFFFFFF && dst.same_subnet(station, mask);
  }

  // `dst` of a received datagram, with our `station` address (of the same
  // family) and, over IPv4, its `mask`. A datagram of the other family than the
  // station's is never taken.
  bool accepts(const IpAddress& dst, const IpAddress& station, Ipv4Address mask) const {
    if (dst.is_v4() != station.is_v4()) return false;
    if (filters & kPromiscuous) return true;
    if ((filters & kStationIp) && dst == station) return true;
    if ((filters & kBroadcast) && dst.is_v4() &&
        (dst.is_broadcast() || is_subnet_broadcast(dst.v4(), station.v4(), mask)))
      return true;
    if ((filters & kPromiscuousMulticast) && dst.is_multicast()) return true;
    for (size_t i = 0; i < count && i < kMaxList; ++i)
      if (list[i] == dst) return true;
    return false;
  }
};

}  // namespace mpxe::net
