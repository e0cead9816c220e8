// Neighbour discovery messages (RFC 4861): router solicitation and advertisement,
// neighbour solicitation and advertisement, with their options: source and
// target link-layer address, prefix information, MTU (RFC 4861 4.6), the nonce
// of enhanced DAD (RFC 7527) and recursive DNS servers (RFC 8106 5.1).
//
// NdpRepr::parse is the whole validity check of RFC 4861 6.1 and 7.1: hop limit
// 255, code 0, the checksum, the message's minimum length, every option's length
// non-zero and inside the message, the fixed-length options of the right length,
// and the address rules (an RA from a link-local source; an NS/NA target that is
// not multicast; an NS from :: only to a solicited-node group and without a
// source link-layer option; a multicast NA not solicited). A message that fails
// is dropped whole, as the RFC says. Prefixes and RDNSS options may repeat: the
// repr keeps the option bytes and NdpOptions walks them again.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/icmpv6.h"
#include "net/wire/ipv6.h"
#include "net/wire/ipv6_address.h"
#include "net/wire/mac_address.h"

namespace mpxe::net {

namespace ndp_option {
inline constexpr uint8_t kSourceLinkAddr = 1;
inline constexpr uint8_t kTargetLinkAddr = 2;
inline constexpr uint8_t kPrefixInfo = 3;
inline constexpr uint8_t kRedirectedHeader = 4;
inline constexpr uint8_t kMtu = 5;
inline constexpr uint8_t kNonce = 14;
inline constexpr uint8_t kRdnss = 25;
inline constexpr size_t kUnit = 8;  // the Length field counts 8-octet units
}  // namespace ndp_option

// NDP messages are sent with, and accepted only with, this hop limit: a router
// decrements it, so 255 proves the sender is on the link.
inline constexpr uint8_t kNdpHopLimit = 255;

// One option: its type and its whole bytes (type and length included).
struct NdpOption {
  uint8_t type = 0;
  Bytes bytes;
};

// Walks options that NdpRepr::parse already checked (or any bytes: it stops at
// the first option that is malformed, and says so through error()).
class NdpOptions {
 public:
  explicit NdpOptions(Bytes options) : rest_(options) {}
  bool next(NdpOption& option);
  Error error() const { return error_; }

 private:
  Bytes rest_;
  Error error_;
};

// A Prefix Information option (RFC 4861 4.6.2).
struct NdpPrefix {
  static constexpr size_t kLen = 32;
  static constexpr uint32_t kInfinite = 0xFFFFFFFF;
  Ipv6Address prefix;
  uint8_t prefix_len = 0;
  bool on_link = false;     // L
  bool autonomous = false;  // A: use it for SLAAC
  uint32_t valid_lifetime = 0;      // seconds
  uint32_t preferred_lifetime = 0;  // seconds

  // The option must be kLen bytes (NdpRepr::parse has checked that).
  static Result<NdpPrefix> parse(const NdpOption& option);
  // Writes the 32-byte option.
  Result<void> emit(MutableBytes out) const;
};

// A Recursive DNS Server option (RFC 8106 5.1): a lifetime and 1+ addresses.
struct NdpRdnss {
  static constexpr size_t kHeaderLen = 8;
  uint32_t lifetime = 0;  // seconds; 0: stop using these servers
  Bytes addresses;        // 16 bytes each

  static Result<NdpRdnss> parse(const NdpOption& option);
  size_t count() const { return addresses.size() / Ipv6Address::kSize; }
  Ipv6Address address(size_t i) const {
    return Ipv6Address::from_bytes(addresses.data() + i * Ipv6Address::kSize);
  }
};

struct NdpRepr {
  static constexpr size_t kNonceLen = 6;
  Icmpv6Type type = Icmpv6Type::RouterSolicit;
  // Router advertisement.
  uint8_t cur_hop_limit = 0;
  bool managed = false;       // M: addresses from DHCPv6
  bool other = false;         // O: other configuration from DHCPv6
  uint16_t router_lifetime = 0;  // seconds; 0: not a default router
  uint32_t reachable_time = 0;   // ms; 0: unspecified
  uint32_t retrans_timer = 0;    // ms; 0: unspecified
  // Neighbour solicitation and advertisement.
  Ipv6Address target;
  bool router = false;     // NA R
  bool solicited = false;  // NA S
  bool override_ = false;  // NA O
  // Options this stack reads; each appears at most once that counts (the first).
  bool has_source_mac = false;
  MacAddress source_mac;
  bool has_target_mac = false;
  MacAddress target_mac;
  uint32_t mtu = 0;  // 0: no MTU option
  bool has_nonce = false;
  uint8_t nonce[kNonceLen] = {};
  // All the options as received, for prefixes and RDNSS (NdpOptions). On emit,
  // written after the options above (prefix and RDNSS options built by the caller).
  Bytes options;

  // The whole check described at the top. `ip` is the IPv6 header around the
  // message (its hop limit, addresses), `message` the ICMPv6 bytes.
  static Result<NdpRepr> parse(const Ipv6Repr& ip, Bytes message);
  size_t buffer_len() const;
  // Writes the message with its options and checksum.
  Result<void> emit(MutableBytes out, const Ipv6Address& src, const Ipv6Address& dst) const;
};

}  // namespace mpxe::net
