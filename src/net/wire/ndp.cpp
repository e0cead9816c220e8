#include "net/wire/ndp.h"

#include "core/byte_ops.h"

namespace mpxe::net {
namespace {

constexpr size_t kRsLen = 8;
constexpr size_t kRaLen = 16;
constexpr size_t kNsNaLen = 24;
constexpr size_t kTargetOffset = 8;
constexpr uint8_t kRaManaged = 0x80;
constexpr uint8_t kRaOther = 0x40;
constexpr uint8_t kNaRouter = 0x80;
constexpr uint8_t kNaSolicited = 0x40;
constexpr uint8_t kNaOverride = 0x20;

Error ndp_error(Errc reason) { return Error(Layer::Ndp, reason); }

size_t fixed_len(Icmpv6Type type) {
  switch (type) {
    case Icmpv6Type::RouterSolicit: return kRsLen;
    case Icmpv6Type::RouterAdvert: return kRaLen;
    case Icmpv6Type::NeighborSolicit:
    case Icmpv6Type::NeighborAdvert: return kNsNaLen;
    default: return 0;
  }
}

void put_mac_option(uint8_t* p, uint8_t type, MacAddress mac) {
  p[0] = type;
  p[1] = 1;
  mac.write(p + 2);
}

}  // namespace

bool NdpOptions::next(NdpOption& option) {
  if (rest_.empty() || error_.is_error()) return false;
  if (rest_.size() < 2) {
    error_ = ndp_error(Errc::Truncated);
    return false;
  }
  // "Nodes MUST silently discard an ND packet that contains an option with length zero."
  size_t len = size_t{rest_[1]} * ndp_option::kUnit;
  if (len == 0) {
    error_ = ndp_error(Errc::BadLength);
    return false;
  }
  if (len > rest_.size()) {
    error_ = ndp_error(Errc::Truncated);
    return false;
  }
  option.type = rest_[0];
  option.bytes = rest_.first(len);
  rest_ = rest_.subspan(len);
  return true;
}

Result<NdpPrefix> NdpPrefix::parse(const NdpOption& option) {
  if (option.type != ndp_option::kPrefixInfo || option.bytes.size() != kLen)
    return ndp_error(Errc::BadOption);
  const uint8_t* p = option.bytes.data();
  NdpPrefix prefix;
  prefix.prefix_len = p[2];
  if (prefix.prefix_len > 128) return ndp_error(Errc::BadOption);
  prefix.on_link = (p[3] & 0x80) != 0;
  prefix.autonomous = (p[3] & 0x40) != 0;
  prefix.valid_lifetime = load_be32(p + 4);
  prefix.preferred_lifetime = load_be32(p + 8);
  prefix.prefix = Ipv6Address::from_bytes(p + 16);
  return prefix;
}

Result<void> NdpPrefix::emit(MutableBytes out) const {
  if (out.size() < kLen) return ndp_error(Errc::NoSpace);
  uint8_t* p = out.data();
  fill_bytes(out.first(kLen), 0);
  p[0] = ndp_option::kPrefixInfo;
  p[1] = kLen / ndp_option::kUnit;
  p[2] = prefix_len;
  p[3] = static_cast<uint8_t>((on_link ? 0x80 : 0) | (autonomous ? 0x40 : 0));
  store_be32(p + 4, valid_lifetime);
  store_be32(p + 8, preferred_lifetime);
  prefix.write(p + 16);
  return {};
}

Result<NdpRdnss> NdpRdnss::parse(const NdpOption& option) {
  // RFC 8106 5.1: "The minimum value is 3 if one IPv6 address is contained";
  // each further address adds 2.
  size_t units = option.bytes.size() / ndp_option::kUnit;
  if (option.type != ndp_option::kRdnss || units < 3 || units % 2 == 0)
    return ndp_error(Errc::BadOption);
  NdpRdnss rdnss;
  rdnss.lifetime = load_be32(option.bytes.data() + 4);
  rdnss.addresses = option.bytes.subspan(kHeaderLen);
  return rdnss;
}

Result<NdpRepr> NdpRepr::parse(const Ipv6Repr& ip, Bytes message) {
  Result<Icmpv6Packet> packet = Icmpv6Packet::check(message);
  if (!packet) return ndp_error(Errc::Truncated);
  NdpRepr repr;
  repr.type = static_cast<Icmpv6Type>(packet.value().type());
  size_t fixed = fixed_len(repr.type);
  if (fixed == 0) return ndp_error(Errc::Unsupported);
  if (ip.hop_limit != kNdpHopLimit) return ndp_error(Errc::BadValue);
  if (packet.value().code() != 0) return ndp_error(Errc::BadValue);
  if (message.size() < fixed) return ndp_error(Errc::Truncated);
  if (!packet.value().verify_checksum(ip.src, ip.dst)) return ndp_error(Errc::BadChecksum);

  const uint8_t* p = message.data();
  switch (repr.type) {
    case Icmpv6Type::RouterAdvert:
      // RFC 4861 6.1.2: "IP Source Address is a link-local address."
      if (!ip.src.is_link_local()) return ndp_error(Errc::BadAddress);
      repr.cur_hop_limit = p[4];
      repr.managed = (p[5] & kRaManaged) != 0;
      repr.other = (p[5] & kRaOther) != 0;
      repr.router_lifetime = load_be16(p + 6);
      repr.reachable_time = load_be32(p + 8);
      repr.retrans_timer = load_be32(p + 12);
      break;
    case Icmpv6Type::NeighborSolicit:
    case Icmpv6Type::NeighborAdvert:
      repr.target = Ipv6Address::from_bytes(p + kTargetOffset);
      if (repr.target.is_multicast()) return ndp_error(Errc::BadAddress);
      if (repr.type == Icmpv6Type::NeighborSolicit) {
        // 7.1.1: from :: (DAD) only to a solicited-node group.
        if (ip.src.is_unspecified() && ip.dst.solicited_node() != ip.dst)
          return ndp_error(Errc::BadAddress);
      } else {
        repr.router = (p[4] & kNaRouter) != 0;
        repr.solicited = (p[4] & kNaSolicited) != 0;
        repr.override_ = (p[4] & kNaOverride) != 0;
        // 7.1.2: "If the IP Destination Address is a multicast address the
        // Solicited flag is zero."
        if (ip.dst.is_multicast() && repr.solicited) return ndp_error(Errc::BadValue);
      }
      break;
    default:
      break;
  }

  repr.options = message.subspan(fixed);
  NdpOptions options(repr.options);
  NdpOption option;
  while (options.next(option)) {
    const uint8_t* o = option.bytes.data();
    size_t len = option.bytes.size();
    switch (option.type) {
      case ndp_option::kSourceLinkAddr:
      case ndp_option::kTargetLinkAddr:
        // RFC 2464 6: on Ethernet the option is one unit, six octets of address.
        if (len != ndp_option::kUnit) return ndp_error(Errc::BadOption);
        if (option.type == ndp_option::kSourceLinkAddr && !repr.has_source_mac) {
          repr.has_source_mac = true;
          repr.source_mac = MacAddress::from_bytes(o + 2);
        } else if (option.type == ndp_option::kTargetLinkAddr && !repr.has_target_mac) {
          repr.has_target_mac = true;
          repr.target_mac = MacAddress::from_bytes(o + 2);
        }
        break;
      case ndp_option::kPrefixInfo:
        if (len != NdpPrefix::kLen || !NdpPrefix::parse(option)) return ndp_error(Errc::BadOption);
        break;
      case ndp_option::kMtu:
        if (len != ndp_option::kUnit) return ndp_error(Errc::BadOption);
        if (repr.mtu == 0) repr.mtu = load_be32(o + 4);
        break;
      case ndp_option::kNonce:
        if (!repr.has_nonce) {
          repr.has_nonce = true;
          for (size_t i = 0; i < kNonceLen; ++i) repr.nonce[i] = o[2 + i];
        }
        break;
      case ndp_option::kRdnss:
        if (!NdpRdnss::parse(option)) return ndp_error(Errc::BadOption);
        break;
      default:
        // "Future versions of this protocol may define new option types. Receivers
        // MUST silently ignore any options they do not recognize."
        break;
    }
  }
  if (options.error().is_error()) return options.error();
  // 6.1.1 and 7.1.1: from :: there is no link-layer address to give.
  if (ip.src.is_unspecified() && repr.has_source_mac &&
      (repr.type == Icmpv6Type::RouterSolicit || repr.type == Icmpv6Type::NeighborSolicit))
    return ndp_error(Errc::BadOption);
  return repr;
}

size_t NdpRepr::buffer_len() const {
  size_t len = fixed_len(type);
  if (has_source_mac) len += ndp_option::kUnit;
  if (has_target_mac) len += ndp_option::kUnit;
  if (mtu != 0) len += ndp_option::kUnit;
  if (has_nonce) len += ndp_option::kUnit;
  return len + options.size();
}

Result<void> NdpRepr::emit(MutableBytes out, const Ipv6Address& src, const Ipv6Address& dst) const {
  size_t fixed = fixed_len(type);
  if (fixed == 0) return ndp_error(Errc::Unsupported);
  size_t len = buffer_len();
  if (out.size() < len) return ndp_error(Errc::NoSpace);
  uint8_t* p = out.data();
  fill_bytes(out.first(fixed), 0);
  p[0] = static_cast<uint8_t>(type);
  switch (type) {
    case Icmpv6Type::RouterAdvert:
      p[4] = cur_hop_limit;
      p[5] = static_cast<uint8_t>((managed ? kRaManaged : 0) | (other ? kRaOther : 0));
      store_be16(p + 6, router_lifetime);
      store_be32(p + 8, reachable_time);
      store_be32(p + 12, retrans_timer);
      break;
    case Icmpv6Type::NeighborAdvert:
      p[4] = static_cast<uint8_t>((router ? kNaRouter : 0) | (solicited ? kNaSolicited : 0) |
                                  (override_ ? kNaOverride : 0));
      target.write(p + kTargetOffset);
      break;
    case Icmpv6Type::NeighborSolicit:
      target.write(p + kTargetOffset);
      break;
    default:
      break;
  }
  uint8_t* o = p + fixed;
  if (has_source_mac) {
    put_mac_option(o, ndp_option::kSourceLinkAddr, source_mac);
    o += ndp_option::kUnit;
  }
  if (has_target_mac) {
    put_mac_option(o, ndp_option::kTargetLinkAddr, target_mac);
    o += ndp_option::kUnit;
  }
  if (mtu != 0) {
    o[0] = ndp_option::kMtu;
    o[1] = 1;
    store_be16(o + 2, 0);
    store_be32(o + 4, mtu);
    o += ndp_option::kUnit;
  }
  if (has_nonce) {
    o[0] = ndp_option::kNonce;
    o[1] = 1;
    for (size_t i = 0; i < kNonceLen; ++i) o[2 + i] = nonce[i];
    o += ndp_option::kUnit;
  }
  copy_bytes(MutableBytes(o, options.size()), options);
  store_be16(p + Icmpv6Packet::kChecksumOffset, icmpv6_checksum(src, dst, Bytes(p, len)));
  return {};
}

}  // namespace mpxe::net
