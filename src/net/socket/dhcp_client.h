// The DHCPv4 client (RFC 2131/2132) with the PXE extensions (RFC 4578, PXE 2.1), as a
// state machine that does no I/O (after smoltcp's socket/dhcpv4.rs): datagrams for
// UDP port 68 come in through on_datagram(), time through the `now` arguments, and
// everything it sends leaves through the UdpSender handed to poll()/on_datagram().
//
//   Idle --start()--> Selecting --first address offer--> Collecting --window over--+
//                        |  ^                                 |                     |
//                        |  +----- NAK / no ACK (bounded) ----+----- Requesting <---+
//                        v                                            |   (ACK)
//                      Failed <--- give up ---------------------------+---> ProxyRequesting
//                                                                     |          |
//                                                                     +--------> Bound
//
// Collecting is the short wait PXE firmware makes after the first offer so that a
// ProxyDHCP offer (yiaddr 0.0.0.0, option 60 "PXEClient", from a boot server that
// hands out no addresses) can arrive too. ProxyRequesting is the PXE 2.1 exchange
// with that server on UDP port 4011, made only when neither the lease nor the proxy
// offer names a boot file.
//
// Retransmission (every timeout gets +-12.5% jitter, drawn from the Random):
//   DISCOVER   1, 2, 4, 8 s after each send: 4 sends, give up 15 s after the first.
//              iPXE's schedule; the PXE spec's 4, 8, 16, 32 s (60 s) is for 1990s
//              networks, and a LAN server answers in milliseconds. A server that
//              delays its first offer (dnsmasq's ping check, spanning-tree ports
//              still learning) is covered by the later sends.
//   offers     collected for `offer_wait` (1 s) after the first address offer, unless
//              the choice is already certain: an offer that names a boot file, or an
//              address offer plus a ProxyDHCP offer. PXE firmware waits out its whole
//              4 s first timeout here (EDK II), iPXE up to 2 s.
//   REQUEST    0.5, 1, 2, 4 s: 4 sends (7.5 s), then DISCOVER again. The server
//              offered a moment ago, so a lost REQUEST is worth a quick retry.
//   port 4011  0.5, 1, 2, 4 s: 4 sends (7.5 s), then Bound without the proxy's boot
//              file (error() says why). PXE 2.1 uses 1, 2, 3, 4 s. Not made when the
//              proxy's options carry a boot menu or boot servers: then the lease
//              says needs_discovery, and PxeDiscovery asks for a menu item.
//   restarts   after a NAK or an unanswered REQUEST at most 3 times, then Failed:
//              a loop of NAKs ends in bounded time.
// A send the UdpSender refuses (next hop's MAC not resolved yet, ring full) is
// retried after 20 ms without spending an attempt: the first unicast to the proxy
// always meets an ARP miss. Every phase still ends by its own deadline.
//
// After on_datagram() or poll(), has_address() turning true is the moment to
// configure the interface with lease().address/subnet_mask/routers: the port-4011
// request, which is unicast from that address, goes out at the next poll().
//
// Storage is fixed: the object holds the raw packets EFI_PXE_BASE_CODE_MODE exposes
// (about 10 KiB in all). No heap, no globals; one instance per NIC.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/byte_ops.h"
#include "core/bytes.h"
#include "net/clock.h"
#include "net/error.h"
#include "net/socket/backoff.h"
#include "net/socket/udp_endpoint.h"
#include "net/wire/dhcp.h"
#include "net/wire/dhcp_options.h"
#include "net/wire/ip_address.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/mac_address.h"

namespace mpxe::net {

enum class DhcpMode : uint8_t {
  Pxe,   // option 60 "PXEClient:Arch:00007:UNDI:003016", option 93 = 7 (EFI x64 PXE)
  Http,  // option 60 "HTTPClient:Arch:00016:UNDI:003016", option 93 = 16 (UEFI HTTP boot)
};

struct DhcpConfig {
  static constexpr size_t kGuidLen = 16;
  static constexpr Millis kDefaultOfferWait = 1000;

  MacAddress mac;
  DhcpMode mode = DhcpMode::Pxe;
  // Option 97 (type 0 + the SMBIOS system UUID as the firmware stores it) when set.
  bool has_guid = false;
  uint8_t guid[kGuidLen] = {};
  // How long offers are collected after the first address offer.
  Millis offer_wait = kDefaultOfferWait;
};

enum class DhcpState : uint8_t {
  Idle,             // start() not called yet
  Selecting,        // DISCOVER sent, no address offer yet
  Collecting,       // an address offer in hand, waiting a little for better ones
  Requesting,       // REQUEST sent for the chosen offer
  ProxyRequesting,  // ACKed (the address is ours); asking the proxy on port 4011
  Bound,            // done: lease() is complete
  Failed,           // done: failure() says why
};

// Why the machine gave up (Failed), or, in Bound, what is missing.
enum class DhcpFailure : uint8_t {
  None = 0,
  NoOffer = 1,          // no address offer after every DISCOVER
  NoAck = 2,            // REQUESTs unanswered, restarts used up
  TooManyNaks = 3,      // the server kept refusing the address
  ProxyNoReply = 4,     // Bound, but the port-4011 exchange went unanswered
  ProxyUnreachable = 5, // Bound, but ICMP said nothing listens on port 4011
  SendFailed = 6,       // the UdpSender refused every send of a phase
};

const char* dhcp_failure_text(DhcpFailure failure);
const char* dhcp_state_text(DhcpState state);

// Why a datagram was ignored; stats() counts each.
enum class DhcpDrop : uint8_t {
  Malformed = 0,       // the wire check failed: stats().last_error says how
  Oversize = 1,        // longer than the 1472 bytes we advertise and can keep
  NotReply = 2,        // op is not BOOTREPLY
  WrongXid = 3,        // another client's transaction (or an old one of ours)
  WrongChaddr = 4,     // not our hardware address
  WrongPort = 5,       // not from port 67 or 4011
  NotDhcp = 6,         // plain BOOTP: no option 53
  UnexpectedType = 7,  // a message type this state does not take
  NoAddress = 8,       // an offer/ACK with yiaddr 0.0.0.0 that is no ProxyDHCP offer
  NoServerId = 9,      // an offer without option 54 (the REQUEST could not name it)
  WrongServer = 10,    // an ACK/NAK from a server we did not select
  WrongState = 11,     // nothing is expected now (Idle, Bound, Failed)
  Duplicate = 12,      // an offer no better than the one kept
};
inline constexpr size_t kDhcpDropReasons = 13;
const char* dhcp_drop_text(DhcpDrop drop);
// A server sent something broken or unusable (malformed, oversize, plain BOOTP, an
// offer with no address or no server id), as opposed to traffic that is simply
// not ours (another client's xid or hardware address, a late duplicate).
bool dhcp_drop_is_server_fault(DhcpDrop drop);

// One DHCP message as it was on the wire (UDP payload), as EFI_PXE_BASE_CODE_PACKET
// holds it.
struct DhcpRawPacket {
  static constexpr size_t kCapacity = 1472;
  uint16_t length = 0;
  uint8_t bytes[kCapacity] = {};

  bool valid() const { return length != 0; }
  Bytes view() const { return Bytes(bytes, length); }
  void assign(Bytes packet);  // packet.size() <= kCapacity (checked by the caller)
  void clear() { length = 0; }
};

// Where the boot server and file came from.
enum class DhcpBootSource : uint8_t {
  None,        // nobody named a boot file
  Ack,         // the DHCPACK (siaddr/file or options 66/67)
  ProxyOffer,  // the ProxyDHCP offer
  PxeReply,    // the reply to the port-4011 request
};

// A length-counted string from a packet, NUL-terminated for convenience.
template <size_t N>
struct DhcpText {
  uint16_t length = 0;
  char text[N + 1] = {};

  bool empty() const { return length == 0; }
  Bytes view() const { return Bytes(reinterpret_cast<const uint8_t*>(text), length); }
  // Truncated to N.
  void assign(Bytes value) {
    length = static_cast<uint16_t>(
        copy_bytes(MutableBytes(reinterpret_cast<uint8_t*>(text), N), value));
    text[length] = '\0';
  }
};

struct DhcpLease {
  static constexpr size_t kMaxRouters = 4;
  static constexpr size_t kMaxDnsServers = DhcpParams::kMaxDnsServers;
  static constexpr uint32_t kInfinite = 0xFFFFFFFF;

  Ipv4Address address;      // yiaddr of the ACK
  Ipv4Address subnet_mask;  // option 1 (unspecified when absent)
  Ipv4Address routers[kMaxRouters];  // option 3, in the server's order
  uint8_t router_count = 0;
  Ipv4Address dns_servers[kMaxDnsServers];  // option 6
  uint8_t dns_server_count = 0;
  DhcpText<255> domain_name;  // option 15
  uint32_t lease_time = 0;    // option 51, seconds; kInfinite for ever; 0 when absent
  Ipv4Address server_id;      // option 54 of the ACK

  // Boot information, from `boot_source`. boot_server: siaddr, else option 66 when
  // it is a dotted quad, else the sender's option 54 (as EDK II falls back).
  // boot_server_name: option 66, else the sname field when it holds no options.
  // boot_file: option 67, else the file field when it holds no options (RFC 2132
  // 9.3 overload honoured).
  DhcpBootSource boot_source = DhcpBootSource::None;
  Ipv4Address boot_server;
  DhcpText<255> boot_server_name;
  DhcpText<255> boot_file;
  // Option 43 of the packet the boot information came from (of the ACK when none
  // did): the PXE sub-options, raw; read them with DhcpOptionReader.
  uint8_t pxe_options_length = 0;
  uint8_t pxe_options[255] = {};
  Ipv4Address proxy_server;  // option 54 (else siaddr) of the ProxyDHCP offer, if any
  // No file was named, but the PXE options above (of the port-4011 reply, else
  // the ProxyDHCP offer, else the ACK) carry a boot menu or boot servers: boot
  // server discovery comes next
  // (PxeDiscovery), asking `menu_server`, the server whose options they are.
  bool needs_discovery = false;
  Ipv4Address menu_server;

  // The packets EFI_PXE_BASE_CODE_MODE exposes as DhcpDiscover, DhcpAck, ProxyOffer,
  // PxeDiscover and PxeReply.
  DhcpRawPacket discover;
  DhcpRawPacket ack;
  DhcpRawPacket proxy_offer;
  DhcpRawPacket pxe_discover;
  DhcpRawPacket pxe_reply;

  bool has_boot_file() const { return !boot_file.empty(); }
  Bytes pxe_option_bytes() const { return Bytes(pxe_options, pxe_options_length); }
};

// When things happened (kNever if they did not), for the console and benchmarks.
struct DhcpTimeline {
  Millis started = kNever;      // start()
  Millis first_offer = kNever;  // the first address offer
  Millis proxy_offer = kNever;  // the ProxyDHCP offer kept
  Millis requested = kNever;    // the first REQUEST of the round that was ACKed
  Millis acked = kNever;
  Millis pxe_reply = kNever;
  Millis finished = kNever;     // Bound or Failed
};

struct DhcpStats {
  uint32_t received = 0;  // every datagram handed to on_datagram()
  uint32_t accepted = 0;  // those that changed something
  uint32_t dropped[kDhcpDropReasons] = {};
  DhcpDrop last_drop = DhcpDrop::Malformed;  // meaningful when a drop count is non-zero
  Error last_error;                          // of the last Malformed drop
  // Who sent the first drop of each reason, and, for Malformed, of each way of
  // being malformed (the first kMalformedKinds seen): what the console names as
  // a server's fault, once each.
  IpAddress first_from[kDhcpDropReasons];
  struct MalformedKind {
    Error error;
    uint32_t count = 0;
    IpAddress first_from;
  };
  static constexpr size_t kMalformedKinds = 4;
  MalformedKind malformed[kMalformedKinds];
  uint16_t discovers_sent = 0;
  uint16_t requests_sent = 0;
  uint16_t pxe_requests_sent = 0;
  uint16_t send_failures = 0;
  uint8_t offers = 0;      // address offers seen
  uint8_t proxy_offers = 0;
  uint8_t naks = 0;
  uint8_t restarts = 0;

  uint32_t dropped_total() const;
  uint32_t drops(DhcpDrop reason) const { return dropped[static_cast<size_t>(reason)]; }
};

// The server faults among the drops, each reason (each kind of malformed) with
// its count and first sender, for the console after DHCP, e.g. "3 answers
// dropped: dhcp: truncated (2, first from 10.0.2.2); no server identifier (1,
// first from 10.0.2.3)".
// Returns the full length, as format() does; 0 (and "") when there were none.
size_t dhcp_fault_summary(const DhcpStats& stats, char* out, size_t capacity);

// The options that say who is asking, which every message of a PXE or HTTP boot
// client carries (PXE 2.1 2.2, RFC 4578): 57, 55, 93, 94, 97 when there is a GUID,
// and 60. The DHCP exchange and boot server discovery both write them.
Result<void> dhcp_put_client_options(DhcpOptionWriter& w, const DhcpConfig& config);
// The last options of every client message: End, then pads up to the 300 bytes
// BOOTP relays expect (RFC 1542 2.1).
Result<void> dhcp_put_end_padded(DhcpOptionWriter& w);

class DhcpClient final : public UdpEndpoint {
 public:
  // Retransmission schedule (see the top of this file).
  static constexpr Millis kDiscoverFirstTimeout = 1000;
  static constexpr Millis kRequestFirstTimeout = 500;
  static constexpr Millis kProxyFirstTimeout = 500;
  static constexpr uint8_t kSendsPerPhase = 4;
  static constexpr uint8_t kMaxRestarts = 3;
  static constexpr Millis kSendRetry = 20;
  static constexpr uint16_t kMaxMessageSize = 1472;  // option 57

  DhcpClient(const DhcpConfig& config, Random& random);

  // Starts (or starts over) an acquisition: a new xid, the DISCOVER goes out at
  // the next poll(). Forgets any earlier lease.
  void start(Millis now);

  void on_datagram(const UdpMeta& meta, Bytes payload, Millis now, UdpSender& tx) override;
  void on_unreachable(const UdpMeta& quoted, uint8_t code, Millis now) override;
  // Sends whatever is due at `now` and moves on when a wait is over.
  void poll(Millis now, UdpSender& tx);
  // When poll() next has something to do; kNever once Bound, Failed or Idle.
  Millis next_deadline() const;

  DhcpState state() const { return state_; }
  bool done() const { return state_ == DhcpState::Bound || state_ == DhcpState::Failed; }
  // True from the ACK on (ProxyRequesting, Bound): lease() holds the address.
  bool has_address() const {
    return state_ == DhcpState::ProxyRequesting || state_ == DhcpState::Bound;
  }
  DhcpFailure failure() const { return failure_; }
  // failure() as an Error of Layer::Dhcp (none while all is well).
  Error error() const;
  const DhcpLease& lease() const { return lease_; }
  // After a boot server discovery (PxeDiscovery) for this lease succeeded: its
  // request and reply become PxeDiscover and PxeReply, and the reply's boot
  // server and file the lease's (boot_source PxeReply).
  void take_discovery(const DhcpRawPacket& request, const DhcpRawPacket& reply, Millis now);
  const DhcpStats& stats() const { return stats_; }
  const DhcpTimeline& timeline() const { return timeline_; }
  const DhcpConfig& config() const { return config_; }
  uint32_t xid() const { return xid_; }

 private:
  using Retransmit = Backoff;
  // What is kept of an address offer: the REQUEST needs no more.
  struct OfferSummary {
    bool valid = false;
    bool has_boot_file = false;
    bool pxe = false;  // option 60 names our class: a PXE-aware server
    Ipv4Address address;
    Ipv4Address server_id;
  };
  // Per-state data, as smoltcp keeps it in its state enum.
  struct SelectingData {
    Retransmit rt;
  };
  struct CollectingData {
    Millis window_end = 0;
  };
  struct RequestingData {
    Retransmit rt;
    Millis first_sent = kNever;  // the first REQUEST of this round
  };
  struct ProxyData {
    Retransmit rt;
    uint32_t xid = 0;
    Ipv4Address server;
  };
  union StateData {
    SelectingData selecting;
    CollectingData collecting;
    RequestingData requesting;
    ProxyData proxy;
    StateData() : selecting() {}
  };

  enum class Message : uint8_t { Discover, Request, ProxyRequest };

  void enter_selecting(Millis now);
  void enter_collecting(Millis now);
  void enter_requesting(Millis now, UdpSender* tx);
  void enter_proxy(Millis now);
  void finish_bound(Millis now, DhcpFailure missing);
  void fail(Millis now, DhcpFailure failure);
  void restart_or_fail(Millis now, DhcpFailure failure);

  void drop(DhcpDrop reason);
  void drop_malformed(Error error);
  void handle_offer(const DhcpPacket& packet, const DhcpParams& params, Millis now,
                    UdpSender& tx);
  void handle_ack(const DhcpPacket& packet, const DhcpParams& params, Millis now);
  void handle_nak(const DhcpParams& params, Millis now);
  void handle_pxe_reply(const DhcpPacket& packet, Millis now);
  bool keep_proxy_offer(const DhcpPacket& packet, const DhcpParams& params, Millis now);
  bool choice_is_certain() const;
  bool proxy_exchange_needed() const;
  void note_discovery(const DhcpPacket& packet, const DhcpParams& params, Ipv4Address server);
  void fill_lease_from_ack(const DhcpPacket& packet, const DhcpParams& params);
  void fill_boot_info(DhcpBootSource source, const DhcpPacket& packet,
                      const DhcpParams& params);

  // Sends `message` now if `rt` says it is due; gives up when the phase is over.
  // Returns false when the phase ended (no sends left, past its last wait).
  bool retransmit(Retransmit& rt, Message message, Millis now, UdpSender& tx);
  Result<void> send(Message message, Millis now, UdpSender& tx);
  size_t build(Message message, Millis now, MutableBytes out);
  bool vendor_class_is_ours(Bytes vendor_class) const;
  uint16_t elapsed_secs(Millis now) const;

  DhcpConfig config_;
  Random& random_;
  DhcpState state_ = DhcpState::Idle;
  StateData data_;
  DhcpFailure failure_ = DhcpFailure::None;
  Error send_error_;  // the UdpSender's last refusal
  uint32_t xid_ = 0;
  uint16_t discover_secs_ = 0;  // RFC 2131 4.4.1: the REQUEST repeats it
  OfferSummary offer_;          // the address offer chosen so far
  bool proxy_has_boot_file_ = false;
  bool proxy_wants_discovery_ = false;  // its option 43 carries a menu or boot servers
  DhcpLease lease_;
  DhcpStats stats_;
  IpAddress datagram_from_;  // the sender of the datagram on_datagram() is reading
  DhcpTimeline timeline_;
  DhcpRawPacket scratch_;  // a REQUEST being built (the DISCOVER goes into lease_)
};

}  // namespace mpxe::net
