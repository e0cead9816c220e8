// Helpers shared by the wire-format tests: peeling captured frames down to the
// layer under test, and owning copies of byte views to mutate.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/byte_ops.h"
#include "core/bytes.h"
#include "net/error.h"
#include "net/wire/ethernet.h"
#include "net/wire/ipv4.h"
#include "net/wire/udp.h"

namespace mpxe::net::test {

using Buffer = std::vector<uint8_t>;

inline Buffer to_buffer(Bytes bytes) { return Buffer(bytes.begin(), bytes.end()); }
inline Bytes view(const Buffer& buffer) { return Bytes(buffer.data(), buffer.size()); }
inline MutableBytes mut(Buffer& buffer) { return MutableBytes(buffer.data(), buffer.size()); }
inline Bytes text(const char* s) { return bytes_of(s); }
inline std::string str(Bytes bytes) { return std::string(bytes.begin(), bytes.end()); }

template <size_t N>
Bytes frame(const uint8_t (&bytes)[N]) {
  return Bytes(bytes, N);
}

// The IPv4 datagram inside an Ethernet frame.
inline Bytes ipv4_of(Bytes eth) {
  auto frame = EthernetFrame::check(eth);
  EXPECT_TRUE(frame.ok());
  if (!frame) return {};
  return frame.value().payload();
}

// The IPv4 payload (ICMP message, UDP datagram) of an Ethernet frame.
inline Bytes l4_of(Bytes eth) {
  auto ip = Ipv4Packet::check(ipv4_of(eth));
  EXPECT_TRUE(ip.ok());
  if (!ip) return {};
  return ip.value().payload();
}

// The UDP payload of an Ethernet frame.
inline Bytes udp_payload_of(Bytes eth) {
  auto udp = UdpDatagram::check(l4_of(eth));
  EXPECT_TRUE(udp.ok());
  if (!udp) return {};
  return udp.value().payload();
}

// The result is an error, and that error.
template <typename R>
::testing::AssertionResult fails_with(const R& result, Layer layer, Errc reason) {
  if (result.ok()) return ::testing::AssertionFailure() << "succeeded, want an error";
  Error actual = result.error();
  if (actual == Error(layer, reason)) return ::testing::AssertionSuccess();
  char got[64], want[64];
  error_format(actual, got, sizeof got);
  error_format(Error(layer, reason), want, sizeof want);
  return ::testing::AssertionFailure() << "got \"" << got << "\", want \"" << want << "\"";
}

}  // namespace mpxe::net::test

// EXPECT_FAILS(result, Layer::Ipv4, Errc::Truncated) << "context";
#define EXPECT_FAILS(result, layer, reason) \
  EXPECT_TRUE(::mpxe::net::test::fails_with((result), ::mpxe::net::layer, ::mpxe::net::reason))
