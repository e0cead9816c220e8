// The DHCPv6 client (RFC 8415) with the network-boot options of RFC 5970, as a
// state machine that does no I/O, like DhcpClient: datagrams for UDP port 546
// come in through on_datagram(), time through the `now` arguments, and everything
// it sends leaves through the UdpSender handed to poll()/on_datagram(), from the
// link-local address the caller gives (Dhcpv6Config::link_local) to
// ff02::1:2 port 547.
//
// Two modes, chosen by the caller from the router advertisement (M set:
// stateful; O set, or neither: stateless, because QEMU's user network sends an RA
// with M=0 O=0 and still answers an Information-Request with the boot file URL):
//
//   stateful   Idle --start()--> Soliciting --Advertise, window over--> Requesting
//                                  |   ^ (preference 255: at once)         |
//                                  |   +---- unanswered / refused ---------+ (bounded)
//                                  v                                        v  Reply
//                                Failed <------------------------------- Bound (address)
//   stateless  Idle --start()--> InformationRequesting --Reply--> Bound (no address)
//   duplicate  Bound --decline()--> Declining --Reply, or DEC_MAX_RC unanswered--> Soliciting
//              (the caller's DAD found the address in use, RFC 8415 18.2.10.1; a
//              restart, bounded like the others, then Failed: AddressInUse)
//
// Advertise collection (RFC 8415 18.2.1): Advertises are collected until the
// first retransmission time of the Solicit has elapsed, unless one carries
// preference 255, which is taken at once. The highest preference wins, the first
// received among equals. An Advertise that offers no address (NoAddrsAvail) is
// noted and ignored: if nothing better comes, the failure names its status.
// With Dhcpv6Config::rapid_commit the Solicit carries Rapid Commit, and a Reply
// with Rapid Commit ends the exchange from Soliciting.
//
// Retransmission (RFC 8415 15): RT = IRT + RAND*IRT, then 2*RTprev + RAND*RTprev,
// capped at MRT + RAND*MRT; RAND is uniform in [-0.1, +0.1] (strictly positive for
// the first Solicit), drawn from the Random:
//   Solicit              IRT SOL_TIMEOUT 1 s, MRT SOL_MAX_RT 3600 s
//   Request              IRT REQ_TIMEOUT 1 s, MRT REQ_MAX_RT 30 s, MRC REQ_MAX_RC 10
//   Information-Request  IRT INF_TIMEOUT 1 s, MRT INF_MAX_RT 3600 s
//   Decline              IRT DEC_TIMEOUT 1 s, MRC DEC_MAX_RC 4
// The RFC lets Solicit and Information-Request go on for ever; a boot cannot, so
// every exchange also has a maximum duration of our own (kSolicitDuration,
// kRequestDuration, kInformationDuration: 15 s each, the DHCPv4 client's bound,
// which is 4 sends at 1, 2, 4, 8 s). A Request unanswered for its duration, or
// answered with NotOnLink/NoAddrsAvail, starts over with a Solicit at most
// kMaxRestarts times, then Failed. The first Solicit is not delayed by
// SOL_MAX_DELAY: a boot client is alone on its interface, as iPXE and EDK II
// judge too. A send the UdpSender refuses (the neighbour not resolved yet, a full
// ring) is retried after kSendRetry without spending an attempt.
//
// Replies are accepted as RFC 8415 16 says (transaction-id, our Client ID,
// Server ID present and, for the Request, the one asked), except that in
// stateless mode a Reply without Server-ID is taken, as QEMU's slirp sends it,
// and a Reply without Client ID too (RFC 8415 lets an Information-Request omit
// it; we always send one, which slirp echoes), and from source port 8962: slirp
// stores 547 in host order, so on x86 its Reply leaves from 547 byte-swapped.
//
// Storage is fixed: the raw Solicit/Information-Request, Advertise, Request and
// Reply are kept for the PXE Base Code's v6 Mode fields (about 6 KiB in all).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/error.h"
#include "net/socket/dhcp_client.h"
#include "net/socket/udp_endpoint.h"
#include "net/wire/dhcpv6.h"
#include "net/wire/ip_address.h"
#include "net/wire/ipv6_address.h"
#include "net/wire/mac_address.h"

namespace mpxe::net {

enum class Dhcpv6Mode : uint8_t {
  Stateful,   // Solicit / Advertise / Request / Reply with IA_NA
  Stateless,  // Information-Request / Reply
};

struct Dhcpv6Config {
  MacAddress mac;
  // The source of every message: the interface's link-local address.
  Ipv6Address link_local;
  Dhcpv6Mode mode = Dhcpv6Mode::Stateful;
  DhcpMode boot = DhcpMode::Pxe;  // arch 7 + "PXEClient..." or arch 16 + "HTTPClient..."
  // DUID-UUID (type 4) from the SMBIOS system UUID when set, else DUID-LLT from
  // the MAC and duid_time (seconds since 2000-01-01 UTC; 0 when unknown).
  bool has_uuid = false;
  uint8_t uuid[16] = {};
  uint32_t duid_time = 0;
  // IAID of the IA_NA; 0 takes the MAC's last four octets.
  uint32_t iaid = 0;
  bool rapid_commit = false;
};

enum class Dhcpv6State : uint8_t {
  Idle,
  Soliciting,             // Solicit sent, collecting Advertises
  Requesting,             // Request sent to the chosen server
  InformationRequesting,  // Information-Request sent (stateless)
  Declining,              // Decline sent for a duplicate address
  Bound,                  // done: lease() is complete
  Failed,                 // done: failure() says why
};
const char* dhcpv6_state_text(Dhcpv6State state);

enum class Dhcpv6Failure : uint8_t {
  None = 0,
  NoAdvertise = 1,   // no Advertise for the whole Solicit duration
  NoAddress = 2,     // servers answered, but with no address (last_status says why)
  NoReply = 3,       // Request/Information-Request unanswered, restarts used up
  ServerStatus = 4,  // the Reply refused with a status (last_status)
  SendFailed = 5,    // the UdpSender refused every send of a phase
  AddressInUse = 6,  // every address assigned was another node's (DAD), restarts used up
};
const char* dhcpv6_failure_text(Dhcpv6Failure failure);

enum class Dhcpv6Drop : uint8_t {
  Malformed = 0,       // the wire check failed: stats().last_error says how
  Oversize = 1,        // longer than DhcpRawPacket keeps
  WrongPort = 2,       // not from port 547
  WrongXid = 3,        // another transaction
  UnexpectedType = 4,  // a message type this state does not take
  NotForUs = 5,        // no Client ID, or another client's (stateful), or another's (stateless)
  NoServerId = 6,      // an Advertise/Reply without Server ID (stateful)
  WrongServer = 7,     // a Reply from a server we did not ask
  NoAddress = 8,       // an Advertise/Reply without a usable address for our IA
  WrongState = 9,      // nothing is expected now
  Worse = 10,          // an Advertise no better than the one kept
};
inline constexpr size_t kDhcpv6DropReasons = 11;
const char* dhcpv6_drop_text(Dhcpv6Drop drop);

// A Status Code a server sent, for the console.
struct Dhcpv6StatusNote {
  bool valid = false;
  uint16_t code = 0;
  DhcpText<127> message;
  IpAddress from;
};

struct Dhcpv6Lease {
  static constexpr size_t kMaxDnsServers = Dhcpv6Params::kMaxDnsServers;
  static constexpr size_t kMaxBootParams = 4;
  static constexpr uint32_t kInfinite = 0xFFFFFFFF;

  bool has_address = false;  // stateful only
  Ipv6Address address;
  uint32_t preferred_lifetime = 0;  // seconds; kInfinite for ever
  uint32_t valid_lifetime = 0;
  uint32_t t1 = 0;
  uint32_t t2 = 0;
  uint32_t iaid = 0;
  Ipv6Address dns_servers[kMaxDnsServers];
  uint8_t dns_server_count = 0;
  DhcpText<255> domain;  // the first name of option 24
  // RFC 5970: OPT_BOOTFILE_URL (of the Reply, else of the Advertise chosen) and
  // OPT_BOOTFILE_PARAM's parameters.
  DhcpText<255> boot_file_url;
  DhcpText<127> boot_file_params[kMaxBootParams];
  uint8_t boot_file_param_count = 0;
  Dhcpv6Duid server_duid;  // invalid when the Reply had none (slirp)
  IpAddress server;        // the source address of the Reply
  uint8_t preference = 0;  // of the Advertise chosen

  // Solicit (or Information-Request), Advertise, Request, Reply as on the wire.
  DhcpRawPacket solicit;
  DhcpRawPacket advertise;
  DhcpRawPacket request;
  DhcpRawPacket reply;

  bool has_boot_file() const { return !boot_file_url.empty(); }
};

struct Dhcpv6Stats {
  uint32_t received = 0;
  uint32_t accepted = 0;
  uint32_t dropped[kDhcpv6DropReasons] = {};
  Dhcpv6Drop last_drop = Dhcpv6Drop::Malformed;
  Error last_error;  // of the last Malformed drop
  IpAddress first_from[kDhcpv6DropReasons];
  uint16_t solicits_sent = 0;
  uint16_t requests_sent = 0;
  uint16_t information_requests_sent = 0;
  uint16_t declines_sent = 0;
  uint16_t send_failures = 0;
  uint8_t advertises = 0;  // usable Advertises seen
  uint8_t restarts = 0;

  uint32_t dropped_total() const;
  uint32_t drops(Dhcpv6Drop reason) const { return dropped[static_cast<size_t>(reason)]; }
};

class Dhcpv6Client final : public UdpEndpoint {
 public:
  // RFC 8415 7.6, in milliseconds.
  static constexpr Millis kSolTimeout = 1000;
  static constexpr Millis kSolMaxRt = 3600 * 1000;
  static constexpr Millis kReqTimeout = 1000;
  static constexpr Millis kReqMaxRt = 30 * 1000;
  static constexpr uint8_t kReqMaxRc = 10;
  static constexpr Millis kDecTimeout = 1000;
  static constexpr uint8_t kDecMaxRc = 4;
  static constexpr Millis kInfTimeout = 1000;
  static constexpr Millis kInfMaxRt = 3600 * 1000;
  // Our bounds (see the top of this file).
  static constexpr Millis kSolicitDuration = 15000;
  static constexpr Millis kRequestDuration = 15000;
  static constexpr Millis kInformationDuration = 15000;
  static constexpr Millis kDeclineDuration = 15000;
  static constexpr uint8_t kMaxRestarts = 2;
  static constexpr Millis kSendRetry = 20;
  // EDK II's PXEBC_DHCP6_ENTERPRISE_NUM / HTTP_BOOT_DHCP6_ENTERPRISE_NUM
  // ("temporarily using Intel's") in the vendor class.
  static constexpr uint32_t kVendorEnterprise = 343;

  Dhcpv6Client(const Dhcpv6Config& config, Random& random);

  // Starts (or starts over): a new transaction, the first message goes out at
  // the next poll(). Forgets any earlier lease.
  void start(Millis now);

  // Bound with an address that DAD found in use: Decline it to the server that
  // gave it, then start over with a Solicit. Dhcp/BadValue in any other state.
  Result<void> decline(Millis now);

  void on_datagram(const UdpMeta& meta, Bytes payload, Millis now, UdpSender& tx) override;
  void poll(Millis now, UdpSender& tx);
  // When poll() next has something to do; kNever once Bound, Failed or Idle.
  Millis next_deadline() const;

  Dhcpv6State state() const { return state_; }
  bool done() const { return state_ == Dhcpv6State::Bound || state_ == Dhcpv6State::Failed; }
  Dhcpv6Failure failure() const { return failure_; }
  Error error() const;
  // The status a server gave last (NoAddrsAvail in an Advertise, a refusing
  // Reply), with its message and sender.
  const Dhcpv6StatusNote& last_status() const { return last_status_; }
  const Dhcpv6Lease& lease() const { return lease_; }
  const Dhcpv6Stats& stats() const { return stats_; }
  const Dhcpv6Config& config() const { return config_; }
  const Dhcpv6Duid& client_duid() const { return duid_; }
  uint32_t iaid() const { return iaid_; }
  uint32_t transaction_id() const { return xid_; }

 private:
  // One exchange's retransmission as RFC 8415 15 times it, bounded by `end`.
  struct Retransmit {
    Millis due = 0;       // next send
    Millis rt = 0;        // the RT after the last send; 0 before the first
    Millis irt = 0;
    Millis mrt = 0;
    Millis end = kNever;  // the exchange gives up then
    uint8_t sends = 0;
    uint8_t max_sends = 0;  // MRC; 0: no limit
    bool positive_first = false;  // Solicit: the first RAND is > 0
  };
  enum class Step : uint8_t { Wait, Send, Over };
  // The Advertise kept so far.
  struct Offer {
    bool valid = false;
    uint8_t preference = 0;
    Dhcpv6Duid server_id;
    Ipv6Address address;
    IpAddress from;
  };
  enum class Message : uint8_t { Solicit, Request, InformationRequest, Decline };

  static Retransmit begin(Millis now, Millis irt, Millis mrt, uint8_t mrc, Millis duration);
  Step step(const Retransmit& rt, Millis now) const;
  void sent(Retransmit& rt, Millis now);
  Millis randomized(Millis base, bool positive);

  void enter_soliciting(Millis now);
  void enter_requesting(Millis now, UdpSender* tx);
  void finish_bound(Millis now);
  void fail(Millis now, Dhcpv6Failure failure);
  void restart_or_fail(Millis now, Dhcpv6Failure failure);

  void drop(Dhcpv6Drop reason);
  void note_status(const Dhcpv6Status& status);
  void handle_advertise(const Dhcpv6Params& params, Bytes payload, Millis now, UdpSender& tx);
  void handle_reply(const Dhcpv6Params& params, Bytes payload, Millis now);
  bool client_id_ok(const Dhcpv6Params& params);
  void fill_lease(const Dhcpv6Params& params);
  void fill_boot(const Dhcpv6Params& params);

  bool retransmit(Retransmit& rt, Message message, Millis now, UdpSender& tx);
  Result<void> send(Message message, Millis now, UdpSender& tx);
  uint16_t elapsed(Millis now) const;

  Dhcpv6Config config_;
  Random& random_;
  Dhcpv6Duid duid_;
  uint32_t iaid_ = 0;
  Dhcpv6State state_ = Dhcpv6State::Idle;
  Retransmit rt_;
  Millis exchange_started_ = kNever;  // the first send of the current exchange
  Dhcpv6Failure failure_ = Dhcpv6Failure::None;
  Error send_error_;
  uint32_t xid_ = 0;
  Offer offer_;
  Dhcpv6StatusNote last_status_;
  Dhcpv6Lease lease_;
  Ipv6Address declined_;  // the address a Decline is out for
  Dhcpv6Stats stats_;
  IpAddress datagram_from_;
};

}  // namespace mpxe::net
