#include "net/socket/slaac.h"

namespace mpxe::net {
namespace {

// Lifetimes are seconds, 0xffffffff infinite (RFC 4861 4.6.2).
Millis until(Millis now, uint32_t seconds) {
  if (seconds == NdpPrefix::kInfinite) return kNever;
  return now + Millis{seconds} * 1000;
}

bool alive(Millis until_time, Millis now) { return until_time != 0 && now < until_time; }

bool same_64(const Ipv6Address& a, const Ipv6Address& b) { return a.in_prefix(b, 64); }

}  // namespace

const char* slaac_address_state_text(SlaacAddressState state) {
  switch (state) {
    case SlaacAddressState::Empty: return "empty";
    case SlaacAddressState::Tentative: return "tentative";
    case SlaacAddressState::Optimistic: return "optimistic";
    case SlaacAddressState::Preferred: return "preferred";
    case SlaacAddressState::Deprecated: return "deprecated";
    case SlaacAddressState::Duplicate: return "duplicate";
  }
  return "unknown";
}

const char* dad_conflict_text(DadConflict conflict) {
  switch (conflict) {
    case DadConflict::None: return "no conflict";
    case DadConflict::Advertised: return "another node advertises it";
    case DadConflict::Probed: return "another node is claiming it";
  }
  return "unknown";
}

const char* slaac_failure_text(SlaacFailure failure) {
  switch (failure) {
    case SlaacFailure::None: return "no failure";
    case SlaacFailure::LinkLocalDuplicate: return "link-local address is a duplicate";
  }
  return "unknown";
}

Slaac::Slaac(MacAddress mac, uint16_t link_mtu) : mac_(mac), link_mtu_(link_mtu), mtu_(link_mtu) {
  Ipv6Address::eui64_interface_id(mac, iid_);
}

void Slaac::start(Millis now, NdpSender& tx) {
  started_ = true;
  addresses_[0] = SlaacAddress{};
  addresses_[0].address = Ipv6Address::link_local(mac_);
  begin_dad(addresses_[0], true, now, tx);
  rs_due_ = now;
  send_rs(now, tx);
}

void Slaac::begin_dad(SlaacAddress& address, bool optimistic, Millis now, NdpSender& tx) {
  address.state = optimistic ? SlaacAddressState::Optimistic : SlaacAddressState::Tentative;
  address.conflict = DadConflict::None;
  address.dad_sent = false;
  address.due = now;
  send_dad(address, now, tx);
}

void Slaac::send_dad(SlaacAddress& address, Millis now, NdpSender& tx) {
  // RFC 4862 5.4.2: from ::, to the solicited-node group, no link-layer option.
  NdpRepr ns;
  ns.type = Icmpv6Type::NeighborSolicit;
  ns.target = address.address;
  uint8_t buffer[32];
  Ipv6Address dst = address.address.solicited_node();
  if (!ns.emit(MutableBytes(buffer), Ipv6Address(), dst)) return;
  if (!tx.send_ndp(Ipv6Address(), dst, Bytes(buffer, ns.buffer_len()))) {
    ++stats_.send_failures;
    address.due = now + kSendRetry;
    return;
  }
  ++stats_.dad_sent;
  address.dad_sent = true;
  address.due = now + kRetransTimer;
}

Result<size_t> Slaac::build_router_solicitation(MutableBytes out, Ipv6Address& src) const {
  NdpRepr rs;
  rs.type = Icmpv6Type::RouterSolicit;
  src = Ipv6Address();
  // RFC 4861 6.3.7: from :: while no address is usable, and then without the
  // link-layer option; RFC 4429 2.2: from an optimistic address, without it too.
  if (link_local_usable()) src = link_local();
  if (link_local_ready()) {
    rs.has_source_mac = true;
    rs.source_mac = mac_;
  }
  Result<void> emitted = rs.emit(out, src, Ipv6Address::all_routers());
  if (!emitted) return emitted.error();
  return rs.buffer_len();
}

Result<void> Slaac::solicit_routers(Millis now, NdpSender& tx) {
  if (!started_ || failure_ != SlaacFailure::None) return Error(Layer::Ndp, Errc::BadValue);
  uint8_t buffer[32];
  Ipv6Address src;
  Result<size_t> length = build_router_solicitation(MutableBytes(buffer), src);
  if (!length) return length.error();
  Result<void> sent = tx.send_ndp(src, Ipv6Address::all_routers(), Bytes(buffer, length.value()));
  if (!sent) {
    ++stats_.send_failures;
    return sent;
  }
  ++stats_.solicitations_sent;
  ++rs_sent_;
  rs_due_ = now + kRtrSolicitationInterval;
  return {};
}

void Slaac::send_rs(Millis now, NdpSender& tx) {
  if (!solicit_routers(now, tx)) rs_due_ = now + kSendRetry;
}

bool Slaac::soliciting() const {
  return started_ && failure_ == SlaacFailure::None && !router_found_ &&
         rs_sent_ < kMaxRtrSolicitations;
}

bool Slaac::routers_settled(Millis now) const {
  if (router_found_) return true;
  return rs_sent_ >= kMaxRtrSolicitations && now >= rs_due_;
}

void Slaac::on_dad_conflict(const Ipv6Address& target, DadConflict conflict) {
  // Two slots may hold one address: a prefix's and DHCPv6's (assign_dhcpv6).
  for (SlaacAddress& a : addresses_)
    if (a.dad_running() && a.address == target) on_duplicate(a, conflict);
}

void Slaac::on_duplicate(SlaacAddress& address, DadConflict conflict) {
  address.state = SlaacAddressState::Duplicate;
  address.conflict = conflict;
  ++stats_.duplicates;
  if (&address == &addresses_[0]) failure_ = SlaacFailure::LinkLocalDuplicate;
}

void Slaac::on_ndp(const Ipv6Repr& ip, const NdpRepr& message, Millis now, NdpSender& tx) {
  if (!started_ || failure_ != SlaacFailure::None) return;
  expire(now);
  switch (message.type) {
    case Icmpv6Type::NeighborSolicit:
      // RFC 4862 5.4.3: a solicitation for a tentative address from :: is another
      // node's DAD; one from a unicast source is address resolution, ignored
      // here (the interface answers it for an optimistic address). RFC 4429
      // treats an optimistic address as a tentative one in both.
      if (ip.src.is_unspecified()) on_dad_conflict(message.target, DadConflict::Probed);
      return;
    case Icmpv6Type::NeighborAdvert:
      // 5.4.4: an advertisement for a tentative address: it is a duplicate.
      on_dad_conflict(message.target, DadConflict::Advertised);
      return;
    case Icmpv6Type::RouterAdvert:
      on_advertisement(ip, message, now, tx);
      return;
    default:
      return;
  }
}

void Slaac::on_advertisement(const Ipv6Repr& ip, const NdpRepr& message, Millis now,
                             NdpSender& tx) {
  ++stats_.advertisements;
  // RFC 4861 6.3.4: each field that is not zero replaces the host's value.
  if (message.cur_hop_limit != 0) hop_limit_ = message.cur_hop_limit;
  if (message.reachable_time != 0) reachable_time_ = message.reachable_time;
  if (message.retrans_timer != 0) retrans_timer_ = message.retrans_timer;
  managed_ = message.managed;
  other_ = message.other;

  Router* router = nullptr;
  Router* free_router = nullptr;
  for (Router& r : routers_) {
    if (alive(r.until, now) && r.address == ip.src) router = &r;
    else if (!alive(r.until, now) && free_router == nullptr) free_router = &r;
  }
  if (message.router_lifetime != 0) {
    router_found_ = true;
    if (router == nullptr) router = free_router;
    if (router == nullptr) {
      ++stats_.routers_full;
    } else {
      router->address = ip.src;
      router->until = now + Millis{message.router_lifetime} * 1000;
    }
  } else if (router != nullptr) {
    router->until = 0;  // "the router is removed from the Default Router List"
  }

  if (message.mtu != 0) {
    if (message.mtu >= kMinMtu && message.mtu <= link_mtu_)
      mtu_ = static_cast<uint16_t>(message.mtu);
    else
      ++stats_.mtus_ignored;
  }

  NdpOptions options(message.options);
  NdpOption option;
  while (options.next(option)) {
    if (option.type == ndp_option::kPrefixInfo) {
      Result<NdpPrefix> prefix = NdpPrefix::parse(option);
      if (prefix) on_prefix(prefix.value(), now, tx);
    } else if (option.type == ndp_option::kRdnss) {
      Result<NdpRdnss> rdnss = NdpRdnss::parse(option);
      if (rdnss) on_rdnss(rdnss.value(), now);
    }
  }
}

void Slaac::on_prefix(const NdpPrefix& info, Millis now, NdpSender& tx) {
  // RFC 4861 6.3.4 and RFC 4862 5.5.3 b: the link-local prefix is ignored; 5.5.3 c:
  // so is a preferred lifetime over the valid one.
  if (info.prefix.is_link_local() || info.prefix.is_multicast()) {
    ++stats_.prefixes_ignored;
    return;
  }
  if (info.on_link) {
    Prefix* slot = nullptr;
    Prefix* free_slot = nullptr;
    for (Prefix& p : prefixes_) {
      if (alive(p.valid_until, now) && p.len == info.prefix_len &&
          p.prefix.in_prefix(info.prefix, info.prefix_len))
        slot = &p;
      else if (!alive(p.valid_until, now) && free_slot == nullptr)
        free_slot = &p;
    }
    if (info.valid_lifetime == 0) {
      if (slot != nullptr) slot->valid_until = 0;
    } else {
      if (slot == nullptr) slot = free_slot;
      if (slot == nullptr) {
        ++stats_.prefixes_full;
      } else {
        slot->prefix = info.prefix;
        slot->len = info.prefix_len;
        slot->valid_until = until(now, info.valid_lifetime);
      }
    }
  }
  if (!info.autonomous) return;
  // 5.5.3 d: the prefix and the 64-bit interface identifier must make 128 bits.
  if (info.preferred_lifetime > info.valid_lifetime || info.prefix_len != 64) {
    ++stats_.prefixes_ignored;
    return;
  }
  SlaacAddress* existing = nullptr;
  SlaacAddress* free_slot = nullptr;
  for (size_t i = 1; i < kDhcpv6Slot; ++i) {
    SlaacAddress& a = addresses_[i];
    if (a.state == SlaacAddressState::Empty) {
      if (free_slot == nullptr) free_slot = &a;
    } else if (same_64(a.address, info.prefix)) {
      existing = &a;
    }
  }
  if (existing == nullptr) {
    if (info.valid_lifetime == 0) return;
    if (free_slot == nullptr) {
      ++stats_.prefixes_full;
      return;
    }
    *free_slot = SlaacAddress{};
    free_slot->address = Ipv6Address::from_prefix(info.prefix, iid_);
    free_slot->preferred_until = until(now, info.preferred_lifetime);
    free_slot->valid_until = until(now, info.valid_lifetime);
    begin_dad(*free_slot, true, now, tx);
    return;
  }
  if (existing->state == SlaacAddressState::Duplicate) return;
  existing->preferred_until = until(now, info.preferred_lifetime);
  if (existing->state == SlaacAddressState::Deprecated && info.preferred_lifetime != 0)
    existing->state = SlaacAddressState::Preferred;
  // 5.5.3 e: a valid lifetime over two hours, or over what remains, is taken; else
  // what remains is cut to two hours at the most, never below.
  Millis offered = until(now, info.valid_lifetime);
  Millis remaining = existing->valid_until == kNever ? kNever : existing->valid_until - now;
  if (info.valid_lifetime == NdpPrefix::kInfinite || offered - now > kTwoHours ||
      offered > existing->valid_until) {
    existing->valid_until = offered;
  } else if (remaining > kTwoHours) {
    existing->valid_until = now + kTwoHours;
  }
}

Result<void> Slaac::assign_dhcpv6(const Ipv6Address& address, uint32_t preferred_s,
                                  uint32_t valid_s, Millis now, NdpSender& tx) {
  if (!started_ || failure_ != SlaacFailure::None || !address.is_unicast() ||
      address.is_link_local() || address.is_loopback())
    return Error(Layer::Iface, Errc::BadValue);
  expire(now);
  SlaacAddress& slot = addresses_[kDhcpv6Slot];
  if (valid_s == 0) {
    slot = SlaacAddress{};
    return {};
  }
  Millis preferred_until = until(now, preferred_s < valid_s ? preferred_s : valid_s);
  Millis valid_until = until(now, valid_s);
  if (slot.state != SlaacAddressState::Empty && slot.address == address) {
    // A renewal: the server's lifetimes stand (RFC 8415 18.2.10.1), no new DAD.
    slot.preferred_until = preferred_until;
    slot.valid_until = valid_until;
    if (slot.state == SlaacAddressState::Deprecated && now < preferred_until)
      slot.state = SlaacAddressState::Preferred;
    return {};
  }
  slot = SlaacAddress{};
  slot.address = address;
  slot.preferred_until = preferred_until;
  slot.valid_until = valid_until;
  // Already ours from a prefix (the server handed out our EUI-64 address): DAD
  // has run for it, and a probe of our own would find ourselves. While that DAD
  // still runs, this slot waits for its end, tentative: a conflict gives up both.
  for (size_t i = 0; i < kDhcpv6Slot; ++i) {
    const SlaacAddress& same = addresses_[i];
    if (same.address != address) continue;
    if (same.dad_passed()) {
      slot.state = now < preferred_until ? SlaacAddressState::Preferred
                                         : SlaacAddressState::Deprecated;
      return {};
    }
    if (same.dad_running()) {
      slot.state = SlaacAddressState::Tentative;
      slot.dad_sent = same.dad_sent;
      slot.due = same.due;
      return {};
    }
  }
  begin_dad(slot, false, now, tx);
  return {};
}

void Slaac::on_rdnss(const NdpRdnss& rdnss, Millis now) {
  for (size_t i = 0; i < rdnss.count(); ++i) {
    Ipv6Address server = rdnss.address(i);
    DnsServer* slot = nullptr;
    DnsServer* free_slot = nullptr;
    for (DnsServer& d : dns_) {
      if (alive(d.until, now) && d.address == server) slot = &d;
      else if (!alive(d.until, now) && free_slot == nullptr) free_slot = &d;
    }
    if (rdnss.lifetime == 0) {
      // RFC 8106 5.1: "A value of zero means that the RDNSS addresses MUST no
      // longer be used."
      if (slot != nullptr) slot->until = 0;
      continue;
    }
    if (slot == nullptr) slot = free_slot;
    if (slot == nullptr) {
      ++stats_.dns_full;
      continue;
    }
    slot->address = server;
    slot->until = until(now, rdnss.lifetime);
  }
}

void Slaac::expire(Millis now) {
  for (size_t i = 1; i < kMaxAddresses; ++i) {
    SlaacAddress& a = addresses_[i];
    if (a.state == SlaacAddressState::Empty || a.state == SlaacAddressState::Duplicate) continue;
    if (now >= a.valid_until) {
      a = SlaacAddress{};
    } else if (a.state == SlaacAddressState::Preferred && now >= a.preferred_until) {
      a.state = SlaacAddressState::Deprecated;
    }
  }
}

void Slaac::poll(Millis now, NdpSender& tx) {
  if (!started_ || failure_ != SlaacFailure::None) return;
  expire(now);
  for (SlaacAddress& a : addresses_) {
    if (!a.dad_running() || now < a.due) continue;
    if (!a.dad_sent) {
      send_dad(a, now, tx);
      continue;
    }
    // DupAddrDetectTransmits is 1: RetransTimer after it without a conflict.
    a.state = now >= a.preferred_until ? SlaacAddressState::Deprecated
                                       : SlaacAddressState::Preferred;
  }
  if (soliciting() && now >= rs_due_) send_rs(now, tx);
}

Millis Slaac::next_deadline() const {
  if (!started_ || failure_ != SlaacFailure::None) return kNever;
  Millis deadline = kNever;
  for (const SlaacAddress& a : addresses_) {
    Millis due = kNever;
    if (a.dad_running()) due = a.due;
    else if (a.state == SlaacAddressState::Preferred && &a != &addresses_[0])
      due = a.preferred_until < a.valid_until ? a.preferred_until : a.valid_until;
    else if (a.state == SlaacAddressState::Deprecated && &a != &addresses_[0])
      due = a.valid_until;
    if (due < deadline) deadline = due;
  }
  if (soliciting() && rs_due_ < deadline) deadline = rs_due_;
  return deadline;
}

bool Slaac::source_for(const Ipv6Address& dst, Millis now, Ipv6Address& out) const {
  const SlaacAddress* deprecated = nullptr;
  if (!dst.is_link_local() && !dst.is_link_local_multicast()) {
    // The DHCPv6 slot first: a site that runs stateful DHCPv6 names its hosts by
    // the addresses it leases (its logs, its firewall rules), SLAAC or not.
    for (size_t n = 0; n + 1 < kMaxAddresses; ++n) {
      const SlaacAddress& a = addresses_[n == 0 ? kDhcpv6Slot : n];
      if (!a.usable() || now >= a.valid_until) continue;
      // RFC 4429: an optimistic address ranks with deprecated ones.
      if (a.state == SlaacAddressState::Preferred && now < a.preferred_until) {
        out = a.address;
        return true;
      }
      if (deprecated == nullptr) deprecated = &a;
    }
    if (deprecated != nullptr) {
      out = deprecated->address;
      return true;
    }
  }
  if (!link_local_usable()) return false;
  out = link_local();
  return true;
}

bool Slaac::is_assigned(const Ipv6Address& address, Millis now) const {
  for (const SlaacAddress& a : addresses_)
    if (a.usable() && a.address == address && now < a.valid_until) return true;
  return false;
}

bool Slaac::is_tentative(const Ipv6Address& address) const {
  for (const SlaacAddress& a : addresses_)
    if (a.state == SlaacAddressState::Tentative && a.address == address) return true;
  return false;
}

bool Slaac::is_optimistic(const Ipv6Address& address) const {
  for (const SlaacAddress& a : addresses_)
    if (a.state == SlaacAddressState::Optimistic && a.address == address) return true;
  return false;
}

bool Slaac::default_router(Millis now, Ipv6Address& router) const {
  for (const Router& r : routers_) {
    if (alive(r.until, now)) {
      router = r.address;
      return true;
    }
  }
  return false;
}

Result<void> Slaac::assign_static(const Ipv6Address& address, uint8_t prefix_len, Millis now,
                                  NdpSender& tx) {
  if (prefix_len > 128) return Error(Layer::Iface, Errc::BadValue);
  Result<void> status = assign_dhcpv6(address, 0xFFFFFFFF, 0xFFFFFFFF, now, tx);
  if (!status) return status;
  static_prefix_.prefix = address;
  static_prefix_.len = prefix_len;
  static_prefix_.valid_until = kNever;
  return {};
}

bool Slaac::on_link(const Ipv6Address& dst, Millis now) const {
  if (dst.is_link_local() || dst.is_multicast()) return true;
  const SlaacAddress& configured = addresses_[kDhcpv6Slot];
  if (static_prefix_.len != 0 && configured.usable() && configured.address == static_prefix_.prefix &&
      dst.in_prefix(static_prefix_.prefix, static_prefix_.len))
    return true;
  for (const Prefix& p : prefixes_)
    if (alive(p.valid_until, now) && dst.in_prefix(p.prefix, p.len)) return true;
  return false;
}

size_t Slaac::dns_servers(Millis now, Ipv6Address* out, size_t capacity) const {
  size_t n = 0;
  for (const DnsServer& d : dns_) {
    if (n == capacity) break;
    if (alive(d.until, now)) out[n++] = d.address;
  }
  return n;
}

}  // namespace mpxe::net
