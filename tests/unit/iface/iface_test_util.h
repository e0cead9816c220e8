// Test doubles and frame builders for the interface layer: a scripted device
// that records what is transmitted, and whole frames built with the wire Reprs
// (so the bytes are what a real peer would send, checksums included).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <vector>

#include "core/byte_ops.h"
#include "core/bytes.h"
#include "net/socket/udp_endpoint.h"
#include "net/wire/arp.h"
#include "net/wire/ethernet.h"
#include "net/wire/icmp.h"
#include "net/wire/ipv4.h"
#include "net/wire/udp.h"
#include "phy/device.h"

namespace mpxe::net::test {

using Buffer = std::vector<uint8_t>;

inline Bytes view(const Buffer& b) { return Bytes(b.data(), b.size()); }
inline Buffer to_buffer(Bytes b) { return Buffer(b.begin(), b.end()); }
template <size_t N>
Buffer to_buffer(const uint8_t (&a)[N]) {
  return Buffer(a, a + N);
}

// Frames go in with push_rx(); receive() lends them in order; release() must give
// them back in the same order (the interface's promise), which is checked.
class FakeDevice final : public phy::Device {
 public:
  explicit FakeDevice(MacAddress mac, uint16_t mtu = 1500) : mac_(mac), mtu_(mtu) {}

  phy::DeviceInfo info() const override {
    phy::DeviceInfo info;
    mac_.write(info.mac);
    info.mtu = mtu_;
    info.rx_slots = 16;
    return info;
  }
  bool receive(phy::RxFrame& frame) override {
    if (rx_.empty()) return false;
    lent_.push_back(std::move(rx_.front()));
    rx_.pop_front();
    frame.data = lent_.back().data();
    frame.size = lent_.back().size();
    frame.slot = next_slot_++;
    lent_slots_.push_back(frame.slot);
    return true;
  }
  void release(const phy::RxFrame& frame) override {
    EXPECT_FALSE(lent_slots_.empty());
    if (lent_slots_.empty()) return;
    EXPECT_EQ(frame.slot, lent_slots_.front()) << "released out of order";
    lent_slots_.pop_front();
    lent_.pop_front();
    ++released_;
  }
  bool transmit(Bytes frame) override {
    if (tx_full) return false;
    tx.push_back(to_buffer(frame));
    return true;
  }
  uint32_t rx_modes() const override { return modes; }
  bool set_rx_filter(const phy::RxFilter& filter) override {
    if ((filter.modes & ~modes) != 0) return false;
    filters.push_back(filter);
    return true;
  }

  void push_rx(Buffer frame) { rx_.push_back(std::move(frame)); }
  size_t pending_rx() const { return rx_.size(); }
  size_t lent() const { return lent_slots_.size(); }
  size_t released() const { return released_; }

  std::vector<Buffer> tx;
  bool tx_full = false;
  uint32_t modes = 0;  // what set_rx_filter() takes
  std::vector<phy::RxFilter> filters;  // each one it took

 private:
  MacAddress mac_;
  uint16_t mtu_;
  std::deque<Buffer> rx_;
  std::deque<Buffer> lent_;
  std::deque<uint32_t> lent_slots_;
  uint32_t next_slot_ = 100;
  size_t released_ = 0;
};

struct Received {
  UdpMeta meta;
  Buffer payload;
  Millis now;
};
struct Unreachable {
  UdpMeta quoted;
  uint8_t code;
  Millis now;
};

class RecordingEndpoint final : public UdpEndpoint {
 public:
  void on_datagram(const UdpMeta& meta, Bytes payload, Millis now, UdpSender&) override {
    datagrams.push_back({meta, to_buffer(payload), now});
  }
  void on_unreachable(const UdpMeta& quoted, uint8_t code, Millis now) override {
    unreachables.push_back({quoted, code, now});
  }
  std::vector<Received> datagrams;
  std::vector<Unreachable> unreachables;
};

inline Buffer eth_frame(MacAddress src, MacAddress dst, EtherType type, Bytes payload) {
  Buffer frame(EthernetRepr::buffer_len() + payload.size());
  EthernetRepr eth{src, dst, type};
  EXPECT_TRUE(eth.emit(MutableBytes(frame.data(), frame.size())));
  copy_bytes(MutableBytes(frame.data() + 14, payload.size()), payload);
  return frame;
}

inline Buffer arp_frame(MacAddress eth_src, MacAddress eth_dst, const ArpRepr& arp) {
  Buffer body(ArpRepr::buffer_len());
  EXPECT_TRUE(arp.emit(MutableBytes(body.data(), body.size())));
  return eth_frame(eth_src, eth_dst, EtherType::Arp, view(body));
}

// An IPv4 datagram (header from `ip`, payload_len set from `payload`).
inline Buffer ipv4_packet(Ipv4Repr ip, Bytes payload) {
  ip.payload_len = static_cast<uint16_t>(payload.size());
  Buffer packet(Ipv4Repr::buffer_len() + payload.size());
  EXPECT_TRUE(ip.emit(MutableBytes(packet.data(), packet.size())));
  copy_bytes(MutableBytes(packet.data() + 20, payload.size()), payload);
  return packet;
}

inline Ipv4Repr ip_header(Ipv4Address src, Ipv4Address dst, IpProtocol protocol,
                          uint16_t ident = 0x1234) {
  Ipv4Repr ip;
  ip.src = src;
  ip.dst = dst;
  ip.protocol = static_cast<uint8_t>(protocol);
  ip.ident = ident;
  return ip;
}

inline Buffer udp_datagram(Ipv4Address src, Ipv4Address dst, uint16_t src_port,
                           uint16_t dst_port, Bytes payload) {
  UdpRepr udp{src_port, dst_port, static_cast<uint16_t>(payload.size())};
  Buffer out(udp.buffer_len());
  copy_bytes(MutableBytes(out.data() + 8, payload.size()), payload);
  EXPECT_TRUE(udp.emit(MutableBytes(out.data(), out.size()), src, dst));
  return out;
}

inline Buffer udp_frame(MacAddress eth_src, MacAddress eth_dst, Ipv4Address src,
                        Ipv4Address dst, uint16_t src_port, uint16_t dst_port, Bytes payload) {
  Buffer udp = udp_datagram(src, dst, src_port, dst_port, payload);
  Buffer ip = ipv4_packet(ip_header(src, dst, IpProtocol::Udp), view(udp));
  return eth_frame(eth_src, eth_dst, EtherType::Ipv4, view(ip));
}

inline Buffer icmp_message(const IcmpRepr& icmp) {
  Buffer out(icmp.buffer_len());
  EXPECT_TRUE(icmp.emit(MutableBytes(out.data(), out.size())));
  return out;
}

inline Buffer icmp_frame(MacAddress eth_src, MacAddress eth_dst, Ipv4Address src,
                         Ipv4Address dst, const IcmpRepr& icmp) {
  Buffer body = icmp_message(icmp);
  Buffer ip = ipv4_packet(ip_header(src, dst, IpProtocol::Icmp), view(body));
  return eth_frame(eth_src, eth_dst, EtherType::Ipv4, view(ip));
}

// Splits `payload` (an IPv4 payload) into fragment frames of at most `chunk`
// bytes each (a multiple of 8), all with header `ip`.
inline std::vector<Buffer> fragment_frames(MacAddress eth_src, MacAddress eth_dst, Ipv4Repr ip,
                                           Bytes payload, size_t chunk) {
  std::vector<Buffer> frames;
  for (size_t offset = 0; offset < payload.size(); offset += chunk) {
    Ipv4Repr piece = ip;
    piece.fragment_offset = static_cast<uint16_t>(offset);
    piece.more_fragments = offset + chunk < payload.size();
    Buffer packet = ipv4_packet(piece, payload.subspan(offset, chunk));
    frames.push_back(eth_frame(eth_src, eth_dst, EtherType::Ipv4, view(packet)));
  }
  return frames;
}

// The layers of a transmitted frame, checked on the way down.
struct Parsed {
  EthernetRepr eth;
  Ipv4Repr ip;
  Buffer ip_payload;
};
inline Parsed parse_ipv4_frame(const Buffer& frame) {
  Parsed out;
  auto eth = EthernetFrame::check(view(frame));
  EXPECT_TRUE(eth.ok());
  if (!eth) return out;
  out.eth = EthernetRepr::parse(eth.value()).value();
  auto ip = Ipv4Packet::check(eth.value().payload());
  EXPECT_TRUE(ip.ok());
  if (!ip) return out;
  auto repr = Ipv4Repr::parse(ip.value());
  EXPECT_TRUE(repr.ok()) << "bad IPv4 checksum";
  if (!repr) return out;
  out.ip = repr.value();
  out.ip_payload = to_buffer(ip.value().payload());
  return out;
}

inline ArpRepr parse_arp_frame(const Buffer& frame) {
  auto eth = EthernetFrame::check(view(frame));
  EXPECT_TRUE(eth.ok());
  EXPECT_EQ(eth.value().ethertype(), static_cast<uint16_t>(EtherType::Arp));
  auto arp = ArpPacket::check(eth.value().payload());
  EXPECT_TRUE(arp.ok());
  return ArpRepr::parse(arp.value()).value();
}

inline ::testing::AssertionResult is_error(Error actual, Layer layer, Errc reason) {
  if (actual == Error(layer, reason)) return ::testing::AssertionSuccess();
  char got[64], want[64];
  error_format(actual, got, sizeof got);
  error_format(Error(layer, reason), want, sizeof want);
  return ::testing::AssertionFailure() << "got \"" << got << "\", want \"" << want << "\"";
}

}  // namespace mpxe::net::test

// EXPECT_FAILS(result, Layer::Ipv4, Errc::Overlap): the result is that error.
#ifndef EXPECT_FAILS
#define EXPECT_FAILS(result, layer, reason)                                              \
  do {                                                                                   \
    auto&& mpxe_r_ = (result);                                                           \
    EXPECT_FALSE(mpxe_r_.ok());                                                          \
    EXPECT_TRUE(::mpxe::net::test::is_error(mpxe_r_.error(), ::mpxe::net::layer,         \
                                            ::mpxe::net::reason));                       \
  } while (0)
#endif
