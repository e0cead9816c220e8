// IPv6 address autoconfiguration for a host (RFC 4862) and its router discovery
// (RFC 4861 6.3), as a state machine that does no I/O, like DhcpClient: NDP
// messages come in parsed (NdpRepr::parse has validated them), time through the
// `now` arguments, and what it sends leaves through the NdpSender it is handed.
//
//   start()   the link-local address fe80::EUI-64 is optimistic (RFC 4429): one
//             DAD solicitation from :: to its solicited-node group, and the
//             address is usable at once while DAD runs; the first router
//             solicitation goes at once from it, without our link-layer address
//             (RFC 4429 2.2: an optimistic source must not put itself into other
//             nodes' caches), so a router answers while DAD runs and a router
//             that learns neighbours from the frame (slirp) learns us
//   +1 s      (RetransTimer, DupAddrDetectTransmits 1) no one objected: the
//             address is preferred; later solicitations, 4 s apart, up to 3 in
//             all, carry our link-layer address
//   an RA     with a router lifetime: a default router, and no more solicitations;
//             each prefix with A set and a /64 makes an address (prefix + EUI-64)
//             that is optimistic in the same way while its own DAD runs; L set,
//             an on-link prefix; M and O are kept for DHCPv6; MTU (1280..link
//             MTU) and RDNSS (RFC 8106) are kept
//   lifetimes count down from the RA; RFC 4862 5.5.3 e's two-hour rule keeps an
//             unauthenticated RA from cutting an address's valid lifetime short
//
// Why optimistic: these addresses are made from the EUI-64 interface identifier,
// the case RFC 4429 is for (a collision is unlikely, and costly only when it
// happens); a boot that waited a second for each DAD waited for nothing. While
// an address is optimistic it is a source (ranked with deprecated ones, as RFC
// 4429 ranks it), a destination and answered for, but our answers to
// solicitations for it do not set Override, and neither a solicitation nor a
// router solicitation from it carries our link-layer address (RFC 4429 2.2).
//
// A neighbour solicitation from :: or an advertisement for an address whose DAD
// runs (tentative or optimistic) is a duplicate: the address is given up with
// the reason, whatever already used it; a duplicate link-local address fails the
// machine (RFC 4862 5.4.5: the interface has no address then).
// An address a DHCPv6 server assigned (assign_dhcpv6) takes a slot of its own
// beside these and lives by the same rules, except that it is tentative, not
// optimistic, while its DAD runs: RFC 8415 18.2.10.1 asks for DAD before the
// address is used, and its uniqueness rests on a server's bookkeeping, not on
// an interface identifier (a server can lease an address another node holds and
// forget the Decline); a duplicate is kept as such, for the client to Decline.
// Every table is bounded; what does not fit is counted and ignored, so an RA
// flood costs nothing but counters. Unlike RFC 4861 6.3.7, the first solicitation
// is not delayed by a random 0-1 s: a booting firmware is alone in waiting for it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/result.h"
#include "net/wire/ipv6_address.h"
#include "net/wire/mac_address.h"
#include "net/wire/ndp.h"

namespace mpxe::net {

class NdpSender {
 public:
  // One NDP message, the ICMPv6 bytes with their checksum made for `src` and
  // `dst`, to be sent with hop limit 255: a multicast `dst` to its 33:33 MAC, a
  // unicast one through the neighbour cache.
  virtual Result<void> send_ndp(const Ipv6Address& src, const Ipv6Address& dst, Bytes message) = 0;

 protected:
  ~NdpSender() = default;
};

enum class SlaacAddressState : uint8_t {
  Empty,
  Tentative,   // DAD running: not usable yet
  Optimistic,  // DAD running (RFC 4429): usable, with the restrictions above
  Preferred,   // usable
  Deprecated,  // preferred lifetime over: usable for what already uses it
  Duplicate,   // DAD found another holder: never used
};

// Why DAD gave an address up.
enum class DadConflict : uint8_t {
  None = 0,
  Advertised = 1,  // a neighbour advertisement claims it
  Probed = 2,      // another node's DAD solicitation asks for it at the same time
};

enum class SlaacFailure : uint8_t {
  None = 0,
  LinkLocalDuplicate = 1,  // our link-local address is another node's: no IPv6 here
};

const char* slaac_address_state_text(SlaacAddressState state);
const char* dad_conflict_text(DadConflict conflict);
const char* slaac_failure_text(SlaacFailure failure);

struct SlaacAddress {
  Ipv6Address address;
  SlaacAddressState state = SlaacAddressState::Empty;
  DadConflict conflict = DadConflict::None;
  bool dad_sent = false;         // DAD running: the solicitation is out
  Millis due = 0;                // DAD running: when to send it, or when DAD ends
  Millis preferred_until = kNever;
  Millis valid_until = kNever;

  bool usable() const { return dad_passed() || state == SlaacAddressState::Optimistic; }
  // DAD has ended without a conflict.
  bool dad_passed() const {
    return state == SlaacAddressState::Preferred || state == SlaacAddressState::Deprecated;
  }
  bool dad_running() const {
    return state == SlaacAddressState::Tentative || state == SlaacAddressState::Optimistic;
  }
};

struct SlaacStats {
  uint32_t advertisements = 0;     // RAs taken
  uint32_t solicitations_sent = 0; // RSs
  uint32_t dad_sent = 0;           // DAD solicitations
  uint32_t duplicates = 0;         // addresses given up by DAD
  uint32_t prefixes_full = 0;      // new prefixes or addresses with no slot left
  uint32_t prefixes_ignored = 0;   // link-local, preferred > valid, A set but not /64
  uint32_t routers_full = 0;       // a new router with no slot left
  uint32_t dns_full = 0;           // an RDNSS address with no slot left
  uint32_t mtus_ignored = 0;       // an MTU under 1280 or over the link's
  uint32_t send_failures = 0;      // sends the NdpSender refused (retried)
};

class Slaac {
 public:
  // The link-local one, three from prefixes and one from DHCPv6 (the last slot).
  static constexpr size_t kMaxAddresses = 5;
  static constexpr size_t kDhcpv6Slot = kMaxAddresses - 1;
  static constexpr size_t kMaxPrefixes = 4;   // on-link prefixes
  static constexpr size_t kMaxRouters = 2;
  static constexpr size_t kMaxDnsServers = 3;
  // RFC 4861 10, host constants.
  static constexpr uint8_t kMaxRtrSolicitations = 3;
  static constexpr Millis kRtrSolicitationInterval = 4'000;
  // RFC 4862 5.1: DupAddrDetectTransmits 1, RetransTimer 1 s.
  static constexpr Millis kRetransTimer = 1'000;
  // A send the NdpSender refused is tried again this much later.
  static constexpr Millis kSendRetry = 20;
  // RFC 8200 5: the smallest MTU IPv6 may meet.
  static constexpr uint16_t kMinMtu = 1280;
  // RFC 4862 5.5.3 e: "2 hours".
  static constexpr Millis kTwoHours = 2 * 3600 * 1000;

  Slaac(MacAddress mac, uint16_t link_mtu);

  void start(Millis now, NdpSender& tx);
  // A validated NDP message and the IPv6 header around it.
  void on_ndp(const Ipv6Repr& ip, const NdpRepr& message, Millis now, NdpSender& tx);
  void poll(Millis now, NdpSender& tx);
  Millis next_deadline() const;

  bool started() const { return started_; }
  SlaacFailure failure() const { return failure_; }
  // The link-local address is usable: optimistic from start() on, unless DAD
  // has found it a duplicate.
  bool link_local_usable() const { return addresses_[0].usable(); }
  // Its DAD has passed: it is preferred.
  bool link_local_ready() const { return addresses_[0].dad_passed(); }
  const Ipv6Address& link_local() const { return addresses_[0].address; }
  // Router discovery is over: an RA with a router came, or every solicitation
  // went unanswered.
  bool routers_settled(Millis now) const;
  bool ra_received() const { return stats_.advertisements != 0; }
  // One router solicitation now, beside the schedule (it counts among its
  // kMaxRtrSolicitations): for a caller that needs routers to hear from us again.
  Result<void> solicit_routers(Millis now, NdpSender& tx);
  // The router solicitation this machine sends now, and its source: from the
  // link-local address once it is usable, with our link-layer address only once
  // its DAD has passed; from :: before. Returns its length.
  Result<size_t> build_router_solicitation(MutableBytes out, Ipv6Address& src) const;

  const SlaacAddress& address(size_t i) const { return addresses_[i]; }
  // The address DHCPv6 assigned (IA_NA), lifetimes in seconds (0xffffffff: for
  // ever): a new one replaces any earlier one and runs DAD; the same one again
  // (a renewal) takes the new lifetimes; valid lifetime 0 removes it. Refused
  // (Iface/BadValue) unless a global unicast address, or while not started.
  Result<void> assign_dhcpv6(const Ipv6Address& address, uint32_t preferred_s, uint32_t valid_s,
                             Millis now, NdpSender& tx);
  // Its slot: Empty when none, Duplicate when DAD found another holder.
  const SlaacAddress& dhcpv6_address() const { return addresses_[kDhcpv6Slot]; }
  // An address set by hand (the PXE Base Code's SetStationIp), for ever, with
  // its /prefix_len on-link (0: only the address itself). It takes the DHCPv6
  // slot, as a configured rather than autoconfigured address, and lives by that
  // slot's rules (DAD first, refused as assign_dhcpv6 refuses); a later DHCPv6
  // address replaces it, and its prefix with it.
  Result<void> assign_static(const Ipv6Address& address, uint8_t prefix_len, Millis now,
                             NdpSender& tx);
  // A usable address for sources: a preferred global one if any (else a
  // deprecated or optimistic one), the DHCPv6 one before those of prefixes, else
  // the link-local one. False while none is usable.
  bool source_for(const Ipv6Address& dst, Millis now, Ipv6Address& out) const;
  // One of our addresses that is usable (NS for it gets an answer) / tentative
  // (DAD running, not usable) / optimistic (DAD running, usable).
  bool is_assigned(const Ipv6Address& address, Millis now) const;
  bool is_tentative(const Ipv6Address& address) const;
  bool is_optimistic(const Ipv6Address& address) const;

  bool default_router(Millis now, Ipv6Address& router) const;
  // `dst` is on the link: link-local, or inside an on-link prefix (an RA's, or
  // assign_static's).
  bool on_link(const Ipv6Address& dst, Millis now) const;
  // The latest RA's M and O flags (RFC 4861 4.2): whether to run DHCPv6.
  bool managed() const { return managed_; }
  bool other_config() const { return other_; }
  uint16_t mtu() const { return mtu_; }
  uint8_t hop_limit() const { return hop_limit_; }
  // From the latest RA that set them; 0: unspecified (the neighbour cache's
  // defaults stand).
  Millis reachable_time() const { return reachable_time_; }
  Millis retrans_timer() const { return retrans_timer_; }
  // The RDNSS addresses still valid, up to `capacity`; returns how many.
  size_t dns_servers(Millis now, Ipv6Address* out, size_t capacity) const;

  const SlaacStats& stats() const { return stats_; }

 private:
  struct Prefix {
    Ipv6Address prefix;
    uint8_t len = 0;
    Millis valid_until = 0;  // 0: free slot
  };
  struct Router {
    Ipv6Address address;
    Millis until = 0;  // 0: free slot
  };
  struct DnsServer {
    Ipv6Address address;
    Millis until = 0;  // 0: free slot
  };

  void on_advertisement(const Ipv6Repr& ip, const NdpRepr& message, Millis now, NdpSender& tx);
  void on_prefix(const NdpPrefix& prefix, Millis now, NdpSender& tx);
  void on_rdnss(const NdpRdnss& rdnss, Millis now);
  void on_duplicate(SlaacAddress& address, DadConflict conflict);
  // Every address whose DAD runs for `target` is a duplicate.
  void on_dad_conflict(const Ipv6Address& target, DadConflict conflict);
  void begin_dad(SlaacAddress& address, bool optimistic, Millis now, NdpSender& tx);
  void send_dad(SlaacAddress& address, Millis now, NdpSender& tx);
  void send_rs(Millis now, NdpSender& tx);
  void expire(Millis now);
  bool soliciting() const;

  MacAddress mac_;
  uint16_t link_mtu_;
  uint16_t mtu_;
  uint8_t iid_[8] = {};
  bool started_ = false;
  SlaacFailure failure_ = SlaacFailure::None;
  SlaacAddress addresses_[kMaxAddresses];
  Prefix prefixes_[kMaxPrefixes];
  Prefix static_prefix_;  // assign_static's, while its address holds the DHCPv6 slot
  Router routers_[kMaxRouters];
  DnsServer dns_[kMaxDnsServers];
  uint8_t rs_sent_ = 0;
  Millis rs_due_ = kNever;     // next solicitation, or when the last one times out
  bool router_found_ = false;  // an RA with a non-zero router lifetime came
  bool managed_ = false;
  bool other_ = false;
  uint8_t hop_limit_ = 64;
  Millis reachable_time_ = 0;
  Millis retrans_timer_ = 0;
  SlaacStats stats_;
};

}  // namespace mpxe::net
