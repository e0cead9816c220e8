// The seam between the interface (Ethernet/ARP/IPv4/UDP, src/net/iface) and the
// protocol state machines that speak UDP (DHCP, TFTP, DNS in src/net/socket).
//
// A state machine implements UdpEndpoint and is bound to a local port on the
// interface. It does no I/O of its own: datagrams come in through on_datagram(),
// time through the `now` arguments and poll(), and everything it sends leaves
// through the UdpSender it is handed. Tests drive a machine with scripted
// datagrams at explicit milliseconds and a recording UdpSender.
#pragma once

#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/result.h"
#include "net/wire/ip_address.h"
#include "net/wire/mac_address.h"

namespace mpxe::net {

struct UdpMeta {
  IpAddress src;
  IpAddress dst;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
};

class UdpSender {
 public:
  // Sends `payload` as one UDP datagram. meta.src may be unspecified (0.0.0.0)
  // while the interface has no address (DHCP). A broadcast meta.dst goes to the
  // Ethernet broadcast address. Fails, without queueing anything, when the next
  // hop's MAC address is not known yet (an ARP request has gone out: retry on the
  // next retransmission) or the device's transmit ring is full.
  virtual Result<void> send_udp(const UdpMeta& meta, Bytes payload) = 0;

 protected:
  ~UdpSender() = default;
};

class UdpEndpoint {
 public:
  // A datagram for the bound port; `payload` is valid only during the call (it
  // points into the device's receive buffer: copy what must be kept).
  virtual void on_datagram(const UdpMeta& meta, Bytes payload, Millis now, UdpSender& tx) = 0;
  // An ICMP destination-unreachable that quotes a datagram this endpoint sent.
  virtual void on_unreachable(const UdpMeta& /*quoted*/, uint8_t /*code*/, Millis /*now*/) {}

 protected:
  ~UdpEndpoint() = default;
};

}  // namespace mpxe::net
