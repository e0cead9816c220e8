// Helpers for the TCP tests: captured frames peeled to their TCP segment, and
// segments built with TcpRepr the way a peer would send them.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "net/wire/ethernet.h"
#include "net/wire/ipv4.h"
#include "net/wire/tcp.h"
#include "tcp_frames.h"

namespace mpxe::net::test {

struct Captured {
  Ipv4Address src;
  Ipv4Address dst;
  std::vector<uint8_t> tcp;  // the IPv4 payload: header and data
};

inline Captured segment_of(const tcp_frames::Frame& frame) {
  auto eth = EthernetFrame::check(Bytes(frame.data, frame.size));
  EXPECT_TRUE(eth.ok());
  auto ip = Ipv4Packet::check(eth.value().payload());
  EXPECT_TRUE(ip.ok());
  Bytes payload = ip.value().payload();
  return {ip.value().src(), ip.value().dst(), std::vector<uint8_t>(payload.begin(), payload.end())};
}

inline TcpRepr repr_of(const Captured& c) {
  auto segment = TcpSegment::check(Bytes(c.tcp.data(), c.tcp.size()));
  EXPECT_TRUE(segment.ok());
  auto repr = TcpRepr::parse(segment.value(), c.src, c.dst);
  EXPECT_TRUE(repr.ok());
  return repr.value();
}

inline Bytes payload_of(const Captured& c) {
  return TcpSegment::check(Bytes(c.tcp.data(), c.tcp.size())).value().payload();
}

// A whole segment (header + payload) for `repr`, its payload_len set from `payload`.
inline std::vector<uint8_t> build_segment(TcpRepr repr, Bytes payload, Ipv4Address src,
                                          Ipv4Address dst) {
  repr.payload_len = payload.size();
  std::vector<uint8_t> out(repr.buffer_len());
  for (size_t i = 0; i < payload.size(); ++i) out[repr.header_len() + i] = payload[i];
  EXPECT_TRUE(repr.emit(MutableBytes(out.data(), out.size()), src, dst).ok());
  return out;
}

}  // namespace mpxe::net::test
