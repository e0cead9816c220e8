// What the DHCP client tests share: a UdpSender that records, a Random that
// plays back a script, and small helpers over captured packets.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "core/byte_ops.h"
#include "core/bytes.h"
#include "net/socket/dhcp_client.h"
#include "net/wire/dhcp.h"
#include "net/wire/dhcp_options.h"

namespace mpxe::net::test {

using Buffer = std::vector<uint8_t>;

template <size_t N>
Buffer buf(const uint8_t (&bytes)[N]) {
  return Buffer(bytes, bytes + N);
}
inline Buffer buf(Bytes bytes) { return Buffer(bytes.begin(), bytes.end()); }
inline Bytes view(const Buffer& b) { return Bytes(b.data(), b.size()); }
inline std::string str(Bytes b) { return std::string(b.begin(), b.end()); }
inline std::string str(IpAddress a) {
  char text[IpAddress::kMaxTextLen + 1];
  a.format(text, sizeof text);
  return text;
}
inline Ipv4Address ip(const char* text) { return Ipv4Address::parse(text).value(); }

// Every datagram the client handed over, and the time it was sent.
class RecordingSender final : public UdpSender {
 public:
  struct Sent {
    UdpMeta meta;
    Buffer bytes;
  };

  Result<void> send_udp(const UdpMeta& meta, Bytes payload) override {
    if (fail_next > 0) {
      --fail_next;
      ++refused;
      return Error(Layer::Udp, Errc::NoSpace);
    }
    sent.push_back(Sent{meta, buf(payload)});
    return {};
  }

  size_t count() const { return sent.size(); }
  const Sent& last() const { return sent.back(); }

  std::vector<Sent> sent;
  int fail_next = 0;  // refuse this many sends (ARP miss, full ring)
  int refused = 0;
};

// Plays back `values`, then `fallback` for ever. 0x80000000 makes the client's
// jitter exactly zero, so the tests can name each retransmission's millisecond.
class ScriptedRandom final : public Random {
 public:
  ScriptedRandom(std::initializer_list<uint32_t> values = {}) : values(values) {}
  uint32_t next_u32() override {
    ++calls;
    if (values.empty()) return fallback;
    uint32_t v = values.front();
    values.pop_front();
    return v;
  }
  void push(uint32_t v) { values.push_back(v); }

  std::deque<uint32_t> values;
  uint32_t fallback = 0x80000000;
  int calls = 0;
};

// A copy of `packet` with another xid: the reply a server gives to the client's
// next transaction.
inline Buffer with_xid(Bytes packet, uint32_t xid) {
  Buffer b = buf(packet);
  store_be32(b.data() + DhcpPacket::kXidOffset, xid);
  return b;
}

inline uint16_t secs_of(const Buffer& b) { return load_be16(b.data() + DhcpPacket::kSecsOffset); }
inline uint32_t xid_of(const Buffer& b) { return load_be32(b.data() + DhcpPacket::kXidOffset); }

inline Buffer with_secs(Bytes packet, uint16_t secs) {
  Buffer b = buf(packet);
  store_be16(b.data() + DhcpPacket::kSecsOffset, secs);
  return b;
}

// The options of a message in order, as (code, value) pairs, the End excluded.
inline std::vector<std::pair<uint8_t, Buffer>> options_of(Bytes message) {
  std::vector<std::pair<uint8_t, Buffer>> out;
  auto packet = DhcpPacket::check(message);
  EXPECT_TRUE(packet.ok());
  if (!packet) return out;
  DhcpOptionIterator it(packet.value());
  DhcpOption option;
  while (it.next(option)) out.emplace_back(option.code, buf(option.value));
  EXPECT_FALSE(it.error().is_error());
  return out;
}

// Where a reply comes from: a server's port 67 (or 4011), to the broadcast
// address the client asked for.
inline UdpMeta from_server(const char* server, uint16_t src_port = kDhcpServerPort,
                           const char* dst = "255.255.255.255") {
  UdpMeta meta;
  meta.src = ip(server);
  meta.dst = ip(dst);
  meta.src_port = src_port;
  meta.dst_port = kDhcpClientPort;
  return meta;
}

inline MacAddress client_mac() { return MacAddress{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}}; }

// The GUID capture_dhcp.py put in option 97.
inline constexpr uint8_t kGuid[16] = {0x6a, 0x0b, 0x4d, 0x2c, 0x8e, 0x1f, 0x4a, 0x5b,
                                      0x9c, 0x7d, 0x0e, 0x2f, 0x3a, 0x4b, 0x5c, 0x6d};

inline DhcpConfig pxe_config() {
  DhcpConfig config;
  config.mac = client_mac();
  config.mode = DhcpMode::Pxe;
  config.has_guid = true;
  for (size_t i = 0; i < 16; ++i) config.guid[i] = kGuid[i];
  return config;
}

}  // namespace mpxe::net::test
