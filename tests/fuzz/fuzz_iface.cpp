// The interface's whole receive path (Ethernet, ARP, IPv4 with reassembly, ICMP,
// UDP dispatch; with IPv6 on, the IPv6 walk, ICMPv6, NDP into the neighbour
// cache and SLAAC) and its answers, fed a script of frames at advancing times.
//
// Input: one flags byte, then records of
//   [u8 step] [u16 big-endian length] [length bytes: one frame]
// step bits 0-6: time advance in units of 64 ms before the frame (timeouts are
// reachable); bit 7: after the poll, also send a datagram to the peer (the ARP
// path). Flags: bit 0 configured, bit 1 the "client" addresses of the captured
// frames (else the "server"), bit 2 endpoints bound on 68, 69 and 50000 that
// answer every datagram, bit 3 the device's transmit ring is full, bit 4 IPv6
// on from time 0 (and bit 7 of a step sends to the IPv6 peer too), with a TCP
// connection to [fd00:6d70::1]:80 opened as soon as an address is usable (the
// random source is fixed, so its port and ISN are too: make_iface_corpus.py
// computes them for its seeds).
//
// Invariants: every received frame is released, in order, by the end of the
// poll that took it; every transmitted frame is a well-formed Ethernet frame of
// 60 to 1514 bytes from our MAC whose IPv4, ICMP, UDP, TCP checksums and ARP
// fields check out; over IPv6, a packet whose ICMPv6, UDP or TCP checksum checks
// out (UDP's never zero), NDP with hop limit 255, and no extension header but on
// an MLD report: the Router Alert hop-by-hop header, hop limit 1, from :: or fe80::.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "fuzz_check.h"
#include "net/iface/interface.h"
#include "net/wire/arp.h"
#include "net/wire/ethernet.h"
#include "net/wire/icmp.h"
#include "net/wire/icmpv6.h"
#include "net/wire/mld.h"
#include "net/wire/ipv4.h"
#include "net/wire/ipv6.h"
#include "net/wire/tcp.h"
#include "net/wire/udp.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

const MacAddress kClientMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const MacAddress kServerMac{{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};
const Ipv4Address kClientIp = Ipv4Address::of(10, 77, 0, 2);
const Ipv4Address kServerIp = Ipv4Address::of(10, 77, 0, 1);
const Ipv6Address kIpv6Peer = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 1);

class ScriptDevice final : public phy::Device {
 public:
  ScriptDevice(MacAddress mac, bool tx_full) : mac_(mac), tx_full_(tx_full) {}
  phy::DeviceInfo info() const override {
    phy::DeviceInfo info;
    mac_.write(info.mac);
    return info;
  }
  bool receive(phy::RxFrame& frame) override {
    if (next_ == nullptr) return false;
    // A private copy, so a read past the frame is a heap overflow ASan sees.
    lent_ = std::make_unique<uint8_t[]>(next_size_ == 0 ? 1 : next_size_);
    copy_bytes(MutableBytes(lent_.get(), next_size_), Bytes(next_, next_size_));
    frame.data = lent_.get();
    frame.size = next_size_;
    frame.slot = ++slot_;
    next_ = nullptr;
    return true;
  }
  void release(const phy::RxFrame& frame) override {
    FUZZ_CHECK(lent_ != nullptr && frame.slot == slot_ && frame.data == lent_.get());
    lent_.reset();
  }
  bool transmit(Bytes frame) override {
    check_transmitted(frame);
    return !tx_full_;
  }

  void offer(const uint8_t* data, size_t size) {
    next_ = data;
    next_size_ = size;
  }
  bool idle() const { return next_ == nullptr && lent_ == nullptr; }

 private:
  void check_transmitted(Bytes frame) const {
    FUZZ_CHECK(frame.size() >= EthernetFrame::kMinFrameLen);
    FUZZ_CHECK(frame.size() <= Interface::kMaxFrameLen);
    auto eth = EthernetFrame::check(frame);
    FUZZ_CHECK(eth.ok());
    FUZZ_CHECK(eth.value().src() == mac_);
    FUZZ_CHECK(!eth.value().dst().is_zero());
    if (eth.value().ethertype() == static_cast<uint16_t>(EtherType::Arp)) {
      auto arp = ArpPacket::check(eth.value().payload());
      FUZZ_CHECK(arp.ok() && ArpRepr::parse(arp.value()).ok());
      FUZZ_CHECK(arp.value().sender_mac() == mac_);
      return;
    }
    if (eth.value().ethertype() == static_cast<uint16_t>(EtherType::Ipv6))
      return check_ipv6(eth.value().payload());
    FUZZ_CHECK(eth.value().ethertype() == static_cast<uint16_t>(EtherType::Ipv4));
    auto ip = Ipv4Packet::check(eth.value().payload());
    FUZZ_CHECK(ip.ok());
    auto repr = Ipv4Repr::parse(ip.value());
    FUZZ_CHECK(repr.ok());
    FUZZ_CHECK(!repr.value().more_fragments && repr.value().fragment_offset == 0);
    if (repr.value().protocol == static_cast<uint8_t>(IpProtocol::Icmp)) {
      auto icmp = IcmpPacket::check(ip.value().payload());
      FUZZ_CHECK(icmp.ok() && icmp.value().verify_checksum());
    } else if (repr.value().protocol == static_cast<uint8_t>(IpProtocol::Tcp)) {
      check_tcp(ip.value().payload(), repr.value().src, repr.value().dst);
    } else {
      FUZZ_CHECK(repr.value().protocol == static_cast<uint8_t>(IpProtocol::Udp));
      auto udp = UdpDatagram::check(ip.value().payload());
      FUZZ_CHECK(udp.ok());
      FUZZ_CHECK(udp.value().checksum() != 0);
      FUZZ_CHECK(udp.value().verify_checksum(repr.value().src, repr.value().dst));
    }
  }

  static void check_ipv6(Bytes bytes) {
    auto packet = Ipv6Packet::check(bytes);
    FUZZ_CHECK(packet.ok());
    Ipv6Repr ip = Ipv6Repr::parse(packet.value());
    FUZZ_CHECK(!ip.src.is_multicast());
    Ipv6Chain chain = Ipv6Chain::walk(packet.value());
    FUZZ_CHECK(chain.ok() && chain.headers <= 1);
    if (chain.protocol == ipv6_next::kIcmpv6) {
      auto icmp = Icmpv6Packet::check(chain.payload);
      FUZZ_CHECK(icmp.ok() && icmp.value().verify_checksum(ip.src, ip.dst));
      uint8_t type = icmp.value().type();
      bool report = type == static_cast<uint8_t>(Icmpv6Type::Mldv2Report) ||
                    type == static_cast<uint8_t>(Icmpv6Type::MldReport);
      FUZZ_CHECK(report == (chain.headers == 1));
      if (report) {
        FUZZ_CHECK(chain.router_alert && ip.hop_limit == kMldHopLimit);
        FUZZ_CHECK(ip.src.is_unspecified() || ip.src.is_link_local());
      }
      if (type >= static_cast<uint8_t>(Icmpv6Type::RouterSolicit) &&
          type <= static_cast<uint8_t>(Icmpv6Type::NeighborAdvert))
        FUZZ_CHECK(ip.hop_limit == 255);
      return;
    }
    FUZZ_CHECK(chain.headers == 0);
    if (chain.protocol == ipv6_next::kTcp) return check_tcp(chain.payload, ip.src, ip.dst);
    FUZZ_CHECK(chain.protocol == ipv6_next::kUdp);
    auto udp = UdpDatagram::check(chain.payload);
    FUZZ_CHECK(udp.ok());
    FUZZ_CHECK(udp.value().verify_checksum(ip.src, ip.dst));
  }

  static void check_tcp(Bytes bytes, const IpAddress& src, const IpAddress& dst) {
    auto segment = TcpSegment::check(bytes);
    FUZZ_CHECK(segment.ok());
    FUZZ_CHECK(TcpRepr::parse(segment.value(), src, dst).ok());
  }

  MacAddress mac_;
  bool tx_full_;
  const uint8_t* next_ = nullptr;
  size_t next_size_ = 0;
  std::unique_ptr<uint8_t[]> lent_;
  uint32_t slot_ = 0;
};

// Answers every datagram, from inside the callback, as DHCP and TFTP do.
class Responder final : public UdpEndpoint {
 public:
  void on_datagram(const UdpMeta& meta, Bytes payload, Millis, UdpSender& tx) override {
    (void)tx.send_udp({meta.dst, meta.src, meta.dst_port, meta.src_port}, payload.first(64));
  }
};

// The same numbers every run: make_iface_corpus.py draws the port and ISN from them.
class LcgRandom final : public Random {
 public:
  uint32_t next_u32() override { return value_ = value_ * 1103515245u + 12345u; }

 private:
  uint32_t value_ = 42;
};

// Takes the first 4 KiB of the stream, in place.
class SmallReceiver final : public StreamReceiver {
 public:
  MutableBytes stream_rx_space(uint64_t offset, size_t len) override {
    if (offset >= sizeof bytes_) return MutableBytes();
    size_t room = sizeof bytes_ - static_cast<size_t>(offset);
    return MutableBytes(bytes_ + offset, len < room ? len : room);
  }
  uint64_t stream_rx_limit() const override { return sizeof bytes_; }
  void stream_rx_data(uint64_t end) override { FUZZ_CHECK(end <= sizeof bytes_); }
  void stream_rx_fin(uint64_t) override {}

 private:
  uint8_t bytes_[4096];
};

// Sized once for the whole run, like the firmware's.
std::vector<uint8_t>& reassembly_storage(size_t i) {
  static std::vector<std::vector<uint8_t>> storage(
      Reassembler::kMaxSlots, std::vector<uint8_t>(Reassembler::kMaxPayload));
  return storage[i];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  const bool configured = flags & 1;
  const bool client = flags & 2;
  ScriptDevice device(client ? kClientMac : kServerMac, flags & 8);
  MutableBytes buffers[Reassembler::kMaxSlots];
  for (size_t i = 0; i < Reassembler::kMaxSlots; ++i)
    buffers[i] = MutableBytes(reassembly_storage(i).data(), reassembly_storage(i).size());
  auto iface = std::make_unique<Interface>(device, Span<const MutableBytes>(buffers));
  if (configured)
    iface->set_ipv4({client ? kClientIp : kServerIp, Ipv4Address::of(255, 255, 255, 0),
                     Ipv4Address::of(10, 77, 0, 254)});
  const bool ipv6 = flags & 16;
  if (ipv6) iface->enable_ipv6(0);
  LcgRandom random;
  iface->set_random(random);
  TcpConnection connection;
  SmallReceiver receiver;
  bool connected = false;
  Responder responders[3];
  if (flags & 4) {
    FUZZ_CHECK(iface->bind(68, responders[0]).ok());
    FUZZ_CHECK(iface->bind(69, responders[1]).ok());
    FUZZ_CHECK(iface->bind(50000, responders[2]).ok());
  }
  const Ipv4Address peer = client ? kServerIp : kClientIp;

  Millis now = 0;
  size_t frames = 0;
  size_t at = 1;
  while (at + 3 <= size) {
    uint8_t step = data[at];
    size_t len = load_be16(data + at + 1);
    at += 3;
    if (len > size - at) len = size - at;
    now += Millis{step & 0x7Fu} * 64;
    device.offer(data + at, len);
    at += len;
    size_t handled = iface->poll(now);
    FUZZ_CHECK(handled == 1);
    FUZZ_CHECK(device.idle());
    ++frames;
    if (step & 0x80) {
      (void)iface->send_udp({{}, peer, 50000, 69}, Bytes(data, size).first(32));
      if (ipv6) (void)iface->send_udp({{}, kIpv6Peer, 50000, 69}, Bytes(data, size).first(32));
    }
    // Once: it fails (Iface/Unreachable) until DAD or an RA has given an address.
    if (ipv6 && !connected)
      connected = iface->tcp_connect(connection, kIpv6Peer, 80, receiver, TcpConfig{}, now).ok();
    // Whatever was due at `now` has been done.
    FUZZ_CHECK(iface->next_deadline() > now);
  }
  FUZZ_CHECK(iface->counters().rx_frames == frames);
  // A last poll far in the future runs every timer out.
  iface->poll(now + 3'600'000);
  FUZZ_CHECK(iface->reassembler().in_use() == 0);
  iface->tcp_release(connection);
  return 0;
}
