// One interface over one phy::Device: Ethernet, ARP, IPv4 (with fragment
// reassembly), ICMP, UDP and TCP demultiplexing, and IPv6 beside IPv4 once
// enabled. Polled, single-threaded, no heap: everything it needs is inside the
// object or handed to its constructor. One class, one .cpp per protocol
// (interface.cpp holds the poll loop and bindings).
//
//   poll(now)        drains at most kRxBatch received frames, each given back to
//                    the device, in order, once handled; sends due ARP requests
//   next_deadline()  when poll() next has timer work (ARP retries, reassembly)
//   send_udp()       the UdpSender the DHCP/TFTP/DNS machines send through
//   tcp_connect()    opens a TcpConnection (the TcpHost HTTP runs over); its
//                    segments are routed to it, and poll() runs its timers and
//                    flushes its pending ACKs after each batch of frames
//   tcp_divert()     hands a connection to another owner (an AP, a thread): its
//                    segments go to a TcpSegmentSink as they came, and the
//                    interface no longer touches the connection object
//
// IPv6 is off until enable_ipv6(): then frames of EtherType 0x86DD go through
// the header check and the extension-header walk (ipv6.cpp), ICMPv6 echo is
// answered, NDP feeds the neighbour cache and Slaac (ndp.cpp; Slaac sends
// through the interface as its NdpSender and is polled from poll()), and UDP
// and TCP go both ways over IPv6 (udp.cpp, tcp.cpp), the next hop resolved
// through the neighbour cache as ARP resolves it for IPv4. The solicited-node
// groups are reported by MLDv2 (mld.cpp, socket/mld_listener.h), each before
// DAD's first solicitation to it (RFC 4862 5.4.2), and queries answered.
//
// Time comes in through poll(); sends between polls use the time of the latest
// poll for ARP pacing. Frames are built in one scratch buffer inside the
// interface and copied out by the device's transmit(): nothing is queued, so a
// send that cannot go out now fails with an error saying why, and the caller's
// own retransmission timer tries again.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/iface/arp_cache.h"
#include "net/iface/neighbor_cache.h"
#include "net/iface/rate_limit.h"
#include "net/iface/reassembly.h"
#include "net/result.h"
#include "net/socket/dhcpv6_binding.h"
#include "net/socket/mld_listener.h"
#include "net/socket/slaac.h"
#include "net/socket/tcp_connection.h"
#include "net/socket/udp_endpoint.h"
#include "net/wire/arp.h"
#include "net/wire/ethernet.h"
#include "net/wire/ipv4.h"
#include "net/wire/icmpv6.h"
#include "net/wire/ipv6.h"
#include "net/wire/ndp.h"
#include "net/wire/ip_address.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/mac_address.h"
#include "phy/device.h"

namespace mpxe::net {

struct Ipv4Config {
  Ipv4Address address;  // 0.0.0.0 while unconfigured
  Ipv4Address netmask;
  Ipv4Address gateway;  // 0.0.0.0 for none: only the local subnet is reachable

  constexpr bool configured() const { return !address.is_unspecified(); }
  constexpr bool operator==(const Ipv4Config&) const = default;
};

// Why a received frame went no further. Values index InterfaceCounters::drops.
enum class Drop : uint8_t {
  Malformed = 0,    // a wire check failed (truncated, bad length or version, bad source)
  BadChecksum = 1,  // IPv4 header, ICMP or UDP checksum wrong
  NotForUs = 2,     // Ethernet or IPv4 destination, or ARP target, is someone else
  Unsupported = 3,  // an EtherType, IP protocol or ICMP type this stack does not handle
  NoEndpoint = 4,   // UDP to an unbound port, ICMP for no one
  Fragment = 5,     // the reassembler refused a fragment (its error says why)
  TooBig = 6,       // an answer would exceed the MTU (echo request reassembled from fragments)
};
inline constexpr size_t kDropReasons = 7;
static_assert(kDropReasons == static_cast<size_t>(Drop::TooBig) + 1, "one counter per reason");
// "malformed", "bad checksum", ...
const char* drop_text(Drop reason);

struct InterfaceCounters {
  uint64_t rx_frames = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_frames = 0;
  uint64_t tx_bytes = 0;
  uint32_t tx_full = 0;  // frames the device refused (ring full)
  uint32_t tx_fragmented = 0;  // UDP datagrams sent as IPv4 fragments
  uint32_t arp_requests = 0;
  uint32_t arp_replies = 0;
  uint32_t echo_replies = 0;
  uint32_t icmp_errors = 0;  // port unreachables sent (ICMP and ICMPv6)
  uint32_t tcp_resets = 0;   // RSTs sent for segments of no connection
  uint32_t neighbor_solicitations = 0;   // NS sent for address resolution (not DAD)
  uint32_t neighbor_advertisements = 0;  // NA sent for our addresses
  uint32_t rx_filter_refused = 0;  // multicast filters the device refused
  uint32_t drops[kDropReasons] = {};
  Error last_drop_error;  // the wire error behind the latest drop, for logs

  uint32_t dropped(Drop reason) const { return drops[static_cast<size_t>(reason)]; }
};

// Receives echo replies (ping). The data is valid only during the call.
class EchoListener {
 public:
  virtual void on_echo_reply(Ipv4Address from, uint16_t ident, uint16_t seq, Bytes data,
                             Millis now) = 0;

 protected:
  ~EchoListener() = default;
};

// Where the segments of a diverted connection go (Interface::tcp_divert).
class TcpSegmentSink {
 public:
  // One received segment of the connection registered with `cookie`, as it came:
  // its header length is checked, its checksum and options are not (the new
  // owner does that, off the receiving processor). Valid only during the call.
  virtual void tcp_segment(uint32_t cookie, IpAddress src, IpAddress dst, Bytes segment) = 0;

 protected:
  ~TcpSegmentSink() = default;
};

class Interface final : public UdpSender,
                        public TcpHost,
                        public NdpSender,
                        public MldSender,
                        public Dhcpv6AddressHolder {
 public:
  static constexpr size_t kMaxBindings = 8;
  static constexpr size_t kMaxTcpConnections = 16;
  // RSTs for segments of no connection, at most this many a second.
  static constexpr uint32_t kTcpResetsPerSecond = 50;
  static constexpr size_t kRxBatch = 32;
  static constexpr uint16_t kMaxMtu = 1500;
  static constexpr size_t kMaxFrameLen = EthernetFrame::kHeaderLen + kMaxMtu;
  // RFC 6335 6: "the Dynamic Ports, also known as the Private or Ephemeral
  // Ports, from 49152 to 65535".
  static constexpr uint16_t kEphemeralFirst = 49152;
  static constexpr uint32_t kEphemeralCount = 16384;
  // RFC 1122 3.2.2: "a host SHOULD limit the rate at which it sends ICMP error
  // messages"; this many a second.
  static constexpr uint32_t kIcmpErrorsPerSecond = 10;
  static constexpr uint8_t kTtl = 64;

  // The MAC address and MTU (at most kMaxMtu) come from the device. The
  // reassembly buffers (one slot each, up to Reassembler::kMaxSlots) must
  // outlive the interface; Reassembler::kMaxPayload bytes each take any datagram.
  Interface(phy::Device& device, Span<const MutableBytes> reassembly_buffers);

  Interface(const Interface&) = delete;
  Interface& operator=(const Interface&) = delete;

  MacAddress mac() const { return mac_; }
  uint16_t mtu() const { return mtu_; }
  const Ipv4Config& ipv4() const { return config_; }
  // DHCP calls this once it has a lease (and announce() after it).
  void set_ipv4(const Ipv4Config& config) { config_ = config; }

  // Turns the IPv6 side on and starts SLAAC (link-local address, DAD, router
  // solicitation) at `now`. Until then IPv6 frames are dropped as unsupported.
  void enable_ipv6(Millis now);
  bool ipv6_enabled() const { return ipv6_enabled_; }
  // With IPv6 on, the device is asked (phy::Device::set_rx_filter) for the
  // groups IPv6 needs: all-nodes and the solicited-node group of each address
  // we hold or are testing, programmed again whenever that set changes. After
  // someone else has reprogrammed the device (SNP), this makes the next poll
  // program it again.
  void refresh_rx_filter() { rx_filter_valid_ = false; }
  const phy::RxFilter& rx_filter() const { return rx_filter_; }
  const Slaac& slaac() const { return slaac_; }
  // One router solicitation now, built by Slaac (Slaac::solicit_routers): for a
  // caller that needs the routers to hear from us again (a new lease attempt).
  // Iface/Unsupported with IPv6 off.
  Result<void> solicit_routers();
  // The address DHCPv6 assigned (IA_NA, lifetimes in seconds), held beside
  // Slaac's (Slaac::assign_dhcpv6): DAD first, then a source, answered for and in
  // the rx filter until its valid lifetime ends; slaac().dhcpv6_address() says
  // when it is usable, or a duplicate to Decline. Iface/Unsupported with IPv6 off.
  // It is the Dhcpv6AddressHolder a Dhcpv6Binding hands a stateful lease to.
  Result<void> set_dhcpv6_address(const Ipv6Address& address, uint32_t preferred_s,
                                  uint32_t valid_s) override;
  const SlaacAddress& dhcpv6_address() const override { return slaac_.dhcpv6_address(); }
  // An address set by hand with its /prefix_len on-link (Slaac::assign_static):
  // DAD first, then the station's; Iface/Unsupported with IPv6 off.
  Result<void> set_static_ipv6(const Ipv6Address& address, uint8_t prefix_len);
  const NeighborCache& neighbors() const { return neighbors_; }
  // NdpSender (Slaac's way out): hop limit 255, a multicast `dst` to its 33:33
  // MAC, a unicast one to the MAC the neighbour cache holds (Ndp/WouldBlock
  // when it holds none: NDP itself never waits for resolution).
  Result<void> send_ndp(const Ipv6Address& src, const Ipv6Address& dst, Bytes message) override;
  // MldSender (the listener's way out): hop limit 1, Router Alert, from the
  // link-local address or :: while it is tentative.
  Result<void> send_mld_report(MldVersion version, Span<const MldRecord> records) override;
  const MldListener& mld() const { return mld_; }

  // Handles up to kRxBatch received frames and the timers due at `now`; returns
  // the number of frames handled.
  size_t poll(Millis now);
  Millis next_deadline() const;

  Result<void> bind(uint16_t port, UdpEndpoint& endpoint);
  void unbind(uint16_t port);
  bool is_bound(uint16_t port) const;
  // A port in 49152-65535 that no UDP binding and no TCP connection uses, drawn
  // from `random`, so that an off-path attacker cannot guess it (RFC 6056).
  // Does not bind it.
  Result<uint16_t> allocate_port(Random& random) const;

  // The random source for TCP's ephemeral ports and ISN secret; tcp_connect()
  // fails (Tcp/Unsupported) until it is given. Must outlive the interface.
  void set_random(Random& random);
  // TcpHost. tcp_connect() fails with Iface/Exhausted with kMaxTcpConnections
  // registered, Iface/Unreachable without an address to send from (IPv4
  // unconfigured; for an IPv6 remote no usable one of ours, chosen as send_udp()
  // chooses it) and Iface/Unsupported for an IPv6 remote with IPv6 off. Our MSS
  // is capped at tcp_mss() of the remote's family.
  Result<void> tcp_connect(TcpConnection& connection, IpAddress remote, uint16_t port,
                           StreamReceiver& receiver, const TcpConfig& config, Millis now) override;
  void tcp_release(TcpConnection& connection) override;
  // The MTU less 40 for IPv4; IPv6's MTU (the RA's, if smaller) less 60.
  uint16_t tcp_mss(IpFamily family) const override;
  // Hands a registered connection to another owner: until tcp_undivert(), its
  // segments go to `sink` unparsed, poll() and next_deadline() leave it alone and
  // the interface reads nothing of it (its tuple is copied now), so the new owner
  // may run it on another processor. Iface/BadValue for a connection that is not
  // registered or not open.
  Result<void> tcp_divert(TcpConnection& connection, TcpSegmentSink& sink, uint32_t cookie);
  // Takes the connection back (the new owner has let go of it first).
  void tcp_undivert(TcpConnection& connection);
  // TcpSender: fails as send_udp() does for the tuple's family (Iface/Unsupported
  // for mixed families), Tcp/TooBig over the MTU.
  Result<void> send_tcp(const TcpTuple& tuple, const TcpRepr& header, Bytes payload) override;

  // UdpSender. Fails with Udp/TooBig over the MTU (nothing is fragmented),
  // Iface/Unreachable without a route, Arp/WouldBlock while the next hop is being
  // resolved (a request has gone out), Arp/Unreachable when it did not answer,
  // Iface/WouldBlock when the device's transmit ring is full. An IPv6 meta.dst
  // (meta.src :: or one of our usable addresses) goes over IPv6: Iface/Unsupported
  // with IPv6 off or mixed families, Iface/Unreachable with no usable source or
  // no route, Ndp/WouldBlock while the neighbour is being solicited, Ndp/
  // Unreachable when it did not answer; IPv6 is never fragmented here.
  Result<void> send_udp(const UdpMeta& meta, Bytes payload) override;
  // What a caller of the PXE Base Code's UdpWrite may set for one datagram.
  struct UdpSendOptions {
    Ipv4Address gateway;  // the next hop for an off-subnet destination (else the route's)
    uint8_t ttl = kTtl;
    uint8_t tos = 0;      // the IPv4 ToS byte (DSCP and ECN)
    // A datagram over the MTU goes as IPv4 fragments (else it is Udp/TooBig).
    bool may_fragment = false;
    Bytes prefix;         // sent before the payload, in the same datagram
  };
  // The largest UDP payload one datagram can carry (RFC 768 and 791: 65535 bytes
  // of IPv4 in all).
  static constexpr size_t kMaxUdpDatagramPayload = 65535 - 20 - 8;
  Result<void> send_udp(const UdpMeta& meta, Bytes payload, const UdpSendOptions& options);
  // An ICMP echo request; replies go to the echo listener. Fails as send_udp().
  Result<void> send_ping(Ipv4Address dst, uint16_t ident, uint16_t seq, Bytes data);
  // A gratuitous ARP (RFC 5227 "ARP Announcement") for the configured address, so
  // neighbours update their caches. Iface/Unreachable while unconfigured.
  Result<void> announce();
  void set_echo_listener(EchoListener* listener) { echo_listener_ = listener; }

  const InterfaceCounters& counters() const { return counters_; }
  const ArpCache& arp_cache() const { return arp_; }
  const Reassembler& reassembler() const { return reassembler_; }

 private:
  struct Binding {
    uint16_t port = 0;  // 0: free
    UdpEndpoint* endpoint = nullptr;
  };

  // One group per file, as each protocol's receive and transmit paths live in
  // their own .cpp (an IPv6 path would add ipv6.cpp and ndp.cpp beside them).
  // interface.cpp
  bool port_in_use(uint16_t port) const;
  UdpEndpoint* endpoint_for(uint16_t port) const;
  void drop(Drop reason, Error error = Error());
  // ethernet.cpp
  void rx_frame(Bytes bytes);
  Result<void> tx_frame(size_t length);
  // arp.cpp
  void rx_arp(const EthernetFrame& frame);
  Result<void> tx_arp(ArpOperation operation, MacAddress eth_dst, MacAddress target_mac,
                      Ipv4Address target_ip, Ipv4Address sender_ip);
  // ipv4.cpp
  void rx_ipv4(const EthernetFrame& frame);
  void rx_ipv4_payload(const EthernetFrame& frame, const Ipv4Repr& ip, Bytes payload);
  bool accepts_ipv4_dst(Ipv4Address dst) const;
  bool is_subnet_broadcast(Ipv4Address dst) const;
  Ipv4Repr ipv4_header(Ipv4Address src, Ipv4Address dst, IpProtocol protocol, size_t len);
  // `gateway`, when given, replaces the configured one for off-subnet `dst`.
  Result<MacAddress> resolve_next_hop(Ipv4Address dst, Ipv4Address gateway = Ipv4Address());
  // Writes the Ethernet and IPv4 headers into the scratch frame and returns the
  // space for ip.payload_len bytes of payload after them.
  Result<MutableBytes> tx_ipv4_begin(MacAddress dst_mac, const Ipv4Repr& ip);
  // icmpv4.cpp
  void rx_icmp(const EthernetFrame& frame, const Ipv4Repr& ip, Bytes payload);
  void tx_echo_reply(const EthernetFrame& frame, const Ipv4Repr& ip, uint16_t ident,
                     uint16_t seq, Bytes data);
  void tx_port_unreachable(const EthernetFrame& frame, const Ipv4Repr& ip, Bytes datagram);
  // udp.cpp
  void rx_udp(const EthernetFrame& frame, const Ipv4Repr& ip, Bytes payload);
  // One UDP datagram (header, prefix, payload) as IPv4 fragments of at most the MTU.
  Result<void> tx_udp_fragments(MacAddress dst_mac, Ipv4Repr ip, const uint8_t (&udp_header)[8],
                                Bytes prefix, Bytes payload);
  // ipv6.cpp
  void rx_ipv6(const EthernetFrame& frame);
  bool accepts_ipv6_dst(const Ipv6Address& dst) const;
  bool accepts_multicast_mac(MacAddress dst) const;
  // The MAC of the next hop towards `dst` (on-link, else the default router);
  // a miss sends one neighbour solicitation and fails with Ndp/WouldBlock.
  Result<MacAddress> resolve_ipv6_next_hop(const Ipv6Address& dst);
  // Writes the Ethernet and IPv6 headers into the scratch frame and returns the
  // space for ip.payload_len bytes of payload after them.
  Result<MutableBytes> tx_ipv6_begin(MacAddress dst_mac, const Ipv6Repr& ip);
  uint16_t ipv6_mtu() const;
  // The source for a packet to `dst`: `requested` if it is ours and usable, or
  // for :: the one Slaac chooses; Iface/Unreachable when there is none.
  Result<Ipv6Address> ipv6_source(const Ipv6Address& requested, const Ipv6Address& dst) const;
  // The groups Slaac's addresses need, programmed into the device when they change.
  void sync_rx_filter();
  // mld.cpp
  void sync_mld_groups();  // Slaac's solicited-node groups to the listener
  void rx_mld_query(const Ipv6Repr& ip, Bytes message);
  // icmpv6.cpp
  void rx_icmpv6(const EthernetFrame& frame, const Ipv6Repr& ip, Bytes message);
  // A destination unreachable quoting a UDP datagram of ours: to its endpoint.
  void rx_icmpv6_unreachable(const Icmpv6Repr& icmp);
  // RFC 4443 3.1, code 4, quoting the packet in `frame` (rate-limited).
  void tx_icmpv6_port_unreachable(const EthernetFrame& frame, const Ipv6Repr& ip);
  void tx_echo6_reply(const EthernetFrame& frame, const Ipv6Repr& ip, uint16_t ident,
                      uint16_t seq, Bytes data);
  // ndp.cpp
  void rx_ndp(const EthernetFrame& frame, const Ipv6Repr& ip, Bytes message);
  Result<void> tx_ndp(MacAddress dst_mac, const Ipv6Address& src, const Ipv6Address& dst,
                      const NdpRepr& ndp);
  // A neighbour solicitation for `target`: to its solicited-node group, or
  // unicast to `mac` (the neighbour cache's probes).
  Result<void> tx_neighbor_solicitation(const Ipv6Address& target, const MacAddress* mac);
  // udp.cpp
  void rx_udp6(const EthernetFrame& frame, const Ipv6Repr& ip, Bytes payload);
  Result<void> send_udp6(const UdpMeta& meta, Bytes payload, const UdpSendOptions& options);
  // tcp.cpp: one rx_tcp per family, then the same lookup and reset.
  void rx_tcp(const Ipv4Repr& ip, Bytes payload);
  void rx_tcp6(const Ipv6Repr& ip, Bytes payload);
  void rx_tcp_segment(const IpAddress& src, const IpAddress& dst, Bytes payload);
  void tx_tcp_reset(const IpAddress& src, const IpAddress& dst, const TcpRepr& segment);
  Result<void> send_tcp6(const TcpTuple& tuple, const TcpRepr& header, Bytes payload);

  phy::Device& device_;
  MacAddress mac_;
  uint16_t mtu_ = kMaxMtu;
  Ipv4Config config_;
  Millis now_ = 0;
  uint16_t next_ident_ = 1;
  RateLimit icmp_errors_;
  ArpCache arp_;
  Reassembler reassembler_;
  bool ipv6_enabled_ = false;
  NeighborCache neighbors_;
  Slaac slaac_;
  MldListener mld_;
  phy::RxFilter rx_filter_;  // as last programmed
  bool rx_filter_valid_ = false;
  Binding bindings_[kMaxBindings];
  TcpConnection* tcp_[kMaxTcpConnections] = {};
  // Per tcp_ slot: set while that connection is diverted.
  struct Diversion {
    TcpSegmentSink* sink = nullptr;
    uint32_t cookie = 0;
    TcpTuple tuple;
  };
  Diversion diverted_[kMaxTcpConnections];
  bool owns(size_t slot) const { return tcp_[slot] != nullptr && diverted_[slot].sink == nullptr; }
  Random* random_ = nullptr;
  TcpIsnSource isn_;
  RateLimit tcp_resets_;
  EchoListener* echo_listener_ = nullptr;
  InterfaceCounters counters_;
  uint8_t tx_buffer_[kMaxFrameLen] = {};
};

}  // namespace mpxe::net
