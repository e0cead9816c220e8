#include "net/socket/dns_resolver.h"

#include "core/byte_ops.h"

namespace mpxe::net {
namespace {

Error dns_error(Errc reason) { return Error(Layer::Dns, reason); }

Millis add(Millis a, Millis b) { return a > kNever - b ? kNever : a + b; }
Millis min_of(Millis a, Millis b) { return a < b ? a : b; }

constexpr uint8_t bit(uint8_t server) { return static_cast<uint8_t>(1u << server); }

// The values start() and configure() rely on: a server list within bounds, and
// waits and counts that make a lookup end.
DnsResolverConfig sanitized(const DnsResolverConfig& in) {
  DnsResolverConfig out = in;
  out.set_servers(in.servers, in.server_count < DnsResolverConfig::kMaxServers
                                  ? in.server_count
                                  : DnsResolverConfig::kMaxServers);
  if (out.first_timeout == 0) out.first_timeout = 1;
  if (out.max_timeout < out.first_timeout) out.max_timeout = out.first_timeout;
  if (out.rounds == 0) out.rounds = 1;
  if (out.server_port == 0) out.server_port = kDnsServerPort;
  return out;
}

}  // namespace

void DnsResolverConfig::set_servers(const IpAddress* list, size_t count) {
  IpAddress kept[kMaxServers];
  uint8_t n = 0;
  for (size_t i = 0; i < count && n < kMaxServers; ++i) {
    IpAddress a = list[i];
    if (a.is_unspecified() || a.is_broadcast() || a.is_multicast()) continue;
    bool repeat = false;
    for (uint8_t j = 0; j < n; ++j) repeat = repeat || kept[j] == a;
    if (!repeat) kept[n++] = a;
  }
  for (uint8_t i = 0; i < kMaxServers; ++i) servers[i] = i < n ? kept[i] : IpAddress();
  server_count = n;
}

void DnsResolverConfig::set_servers(const Ipv4Address* list, size_t count) {
  IpAddress widened[kMaxServers * 4];
  size_t n = 0;
  // Enough to find kMaxServers usable ones among repeats and unusable ones.
  for (; n < count && n < kMaxServers * 4; ++n) widened[n] = list[n];
  set_servers(widened, n);
}

const char* dns_family_text(DnsFamily family) {
  switch (family) {
    case DnsFamily::V4: return "IPv4";
    case DnsFamily::V6: return "IPv6";
    case DnsFamily::PreferV4: return "IPv4 then IPv6";
    case DnsFamily::PreferV6: return "IPv6 then IPv4";
  }
  return "unknown";
}

const char* dns_failure_text(DnsFailure failure) {
  switch (failure) {
    case DnsFailure::None: return "no failure";
    case DnsFailure::NoServer: return "no DNS server configured";
    case DnsFailure::Timeout: return "no answer from any DNS server";
    case DnsFailure::NxDomain: return "name does not exist (NXDOMAIN)";
    case DnsFailure::ServerFailure: return "server failure (SERVFAIL)";
    case DnsFailure::Refused: return "query refused (REFUSED)";
    case DnsFailure::ServerError: return "server error";
    case DnsFailure::Truncated: return "answer truncated (TC), TCP not supported";
    case DnsFailure::NoAddress: return "no A record for the name";
    case DnsFailure::Unreachable: return "DNS server port unreachable";
    case DnsFailure::SendFailed: return "could not send the query";
    case DnsFailure::Cancelled: return "cancelled";
  }
  return "unknown failure";
}

const char* dns_failure_text(DnsFailure failure, DnsFamily family) {
  if (failure != DnsFailure::NoAddress) return dns_failure_text(failure);
  switch (family) {
    case DnsFamily::V4: return "no A record for the name";
    case DnsFamily::V6: return "no AAAA record for the name";
    case DnsFamily::PreferV4:
    case DnsFamily::PreferV6: return "no A or AAAA record for the name";
  }
  return dns_failure_text(failure);
}

const char* dns_resolver_state_text(DnsResolverState state) {
  switch (state) {
    case DnsResolverState::Idle: return "idle";
    case DnsResolverState::Querying: return "querying";
    case DnsResolverState::Done: return "done";
    case DnsResolverState::Failed: return "failed";
  }
  return "unknown";
}

const char* dns_drop_text(DnsDrop drop) {
  switch (drop) {
    case DnsDrop::WrongState: return "no query out";
    case DnsDrop::WrongServer: return "not from a server asked";
    case DnsDrop::Malformed: return "malformed";
    case DnsDrop::NotResponse: return "not a response to a query";
    case DnsDrop::WrongId: return "wrong ID";
    case DnsDrop::WrongQuestion: return "wrong question";
  }
  return "unknown";
}

uint32_t DnsStats::dropped_total() const {
  uint32_t total = 0;
  for (uint32_t n : dropped) total += n;
  return total;
}

DnsResolver::DnsResolver(const DnsResolverConfig& config, Random& random)
    : config_(sanitized(config)), random_(random) {}

Result<void> DnsResolver::configure(const DnsResolverConfig& config) {
  if (state_ == DnsResolverState::Querying) return dns_error(Errc::InUse);
  config_ = sanitized(config);
  return {};
}

namespace {

bool family_takes(DnsFamily family, IpFamily ip) {
  return ip == IpFamily::V4 ? family != DnsFamily::V6 : family != DnsFamily::V4;
}

}  // namespace

Result<void> DnsResolver::start(Bytes name, uint16_t local_port, Millis now, DnsFamily family) {
  if (state_ == DnsResolverState::Querying) return dns_error(Errc::InUse);
  Result<DnsName> parsed = DnsName::from_text(name);
  if (!parsed) return parsed.error();
  Result<IpAddress> literal = IpAddress::parse(name);
  if (literal && !family_takes(family, literal.value().family())) return dns_error(Errc::Unsupported);

  // A fresh lookup: everything of the last one goes, the cache stays.
  state_ = DnsResolverState::Querying;
  failure_ = DnsFailure::None;
  rcode_ = 0;
  send_error_ = Error();
  name_ = parsed.value();
  local_port_ = local_port;
  started_ = now;
  finished_ = kNever;
  reset_query();
  family_ = family;
  phase_ = 0;
  phase_count_ = family == DnsFamily::PreferV4 || family == DnsFamily::PreferV6 ? 2 : 1;
  found_any_ = false;
  found_ttl_ = 0xFFFFFFFF;
  first_failure_ = DnsFailure::None;
  answer_ = DnsAnswer();
  answer_.name = name_;
  answer_.canonical = name_;

  if (literal) {
    ++stats_.literals;
    answer_.addresses[0] = literal.value();
    answer_.count = 1;
    answer_.source = DnsSource::Literal;
    finish_done(now);
    return {};
  }
  for (CacheEntry& entry : cache_) {
    if (entry.count == 0 || entry.expires <= now || entry.family != family_ || !(entry.name == name_))
      continue;
    ++stats_.cache_hits;
    entry.used = now;
    answer_.canonical = entry.canonical;
    for (uint8_t i = 0; i < entry.count; ++i) answer_.addresses[i] = entry.addresses[i];
    answer_.count = entry.count;
    // Rounded up: what is left of the TTL, counting a started second.
    answer_.ttl_s = static_cast<uint32_t>((entry.expires - now + 999) / 1000);
    answer_.source = DnsSource::Cache;
    finish_done(now);
    return {};
  }
  ++stats_.cache_misses;
  if (config_.server_count == 0) {
    fail(DnsFailure::NoServer, now);
    return {};
  }

  give_up_ = add(now, config_.total_limit);
  max_sends_ = static_cast<uint16_t>(config_.rounds * config_.server_count);
  begin_phase(now);
  return {};
}

void DnsResolver::reset_query() {
  sends_ = 0;
  next_server_ = 0;
  asked_ = 0;
  out_ = 0;
  sent_any_ = false;
  send_pending_ = false;
  server_failure_ = DnsFailure::None;
}

void DnsResolver::begin_phase(Millis now) {
  const bool v6_first = family_ == DnsFamily::V6 || family_ == DnsFamily::PreferV6;
  query_type_ = (phase_ == 0) == v6_first ? DnsType::Aaaa : DnsType::A;
  // Each query its own ID (RFC 5452 9.2), its servers asked afresh.
  id_ = static_cast<uint16_t>(random_.next_u32() >> 16);
  reset_query();
  DnsQueryRepr query;
  query.id = id_;
  query.name = name_;
  query.type = query_type_;
  query.recursion_desired = true;
  // 12 + at most 255 + 4 bytes: always fits the 512 kept.
  query_len_ = static_cast<uint16_t>(query.buffer_len());
  if (!query.emit(MutableBytes(query_, query_len_))) return end_phase(DnsFailure::SendFailed, now);
  next_attempt(now);
}

void DnsResolver::end_phase(DnsFailure failure, Millis now) {
  if (failure != DnsFailure::None && failure != DnsFailure::NoAddress &&
      first_failure_ == DnsFailure::None)
    first_failure_ = failure;
  // NXDOMAIN: the name has no records of any type.
  if (phase_ + 1 < phase_count_ && failure != DnsFailure::NxDomain) {
    ++phase_;
    return begin_phase(now);
  }
  if (!found_any_) {
    fail(first_failure_ != DnsFailure::None ? first_failure_ : failure, now);
    return;
  }
  answer_.ttl_s = found_ttl_ < config_.max_cache_ttl_s ? found_ttl_ : config_.max_cache_ttl_s;
  answer_.source = DnsSource::Server;
  cache_store(now);
  finish_done(now);
}

void DnsResolver::cancel(Millis now) {
  if (state_ == DnsResolverState::Querying) fail(DnsFailure::Cancelled, now);
}

bool DnsResolver::pick_server() {
  for (uint8_t i = 0; i < config_.server_count; ++i) {
    uint8_t candidate = static_cast<uint8_t>((next_server_ + i) % config_.server_count);
    if (out_ & bit(candidate)) continue;
    server_ = candidate;
    next_server_ = static_cast<uint8_t>((candidate + 1) % config_.server_count);
    return true;
  }
  return false;
}

void DnsResolver::next_attempt(Millis now) {
  if (sends_ >= max_sends_ || now >= give_up_ || !pick_server()) {
    // What ended it: a server's "no" says more than silence, silence more than
    // a query that never left.
    DnsFailure why = server_failure_ != DnsFailure::None ? server_failure_
                     : sent_any_ || sends_ == 0         ? DnsFailure::Timeout
                                                        : DnsFailure::SendFailed;
    end_phase(why, now);
    return;
  }
  // Each full round over the servers doubles the wait, up to max_timeout.
  Millis wait = min_of(config_.first_timeout, config_.max_timeout);
  for (uint16_t round = sends_ / config_.server_count; round > 0 && wait < config_.max_timeout;
       --round)
    wait = min_of(wait * 2, config_.max_timeout);
  ++sends_;
  attempt_end_ = min_of(add(now, wait), give_up_);
  send_pending_ = true;
  send_at_ = now;
}

void DnsResolver::send_query(Millis now, UdpSender& tx) {
  UdpMeta meta;
  meta.dst = config_.servers[server_];
  meta.src_port = local_port_;
  meta.dst_port = config_.server_port;
  Result<void> status = tx.send_udp(meta, Bytes(query_, query_len_));
  if (!status) {
    ++stats_.send_failures;
    send_error_ = status.error();
    send_at_ = add(now, kSendRetry);
    return;
  }
  ++stats_.queries;
  if (sends_ > 1) ++stats_.retransmits;
  asked_ = static_cast<uint8_t>(asked_ | bit(server_));
  sent_any_ = true;
  send_pending_ = false;
}

void DnsResolver::poll(Millis now, UdpSender& tx) {
  if (state_ != DnsResolverState::Querying) return;
  if (now >= attempt_end_) next_attempt(now);
  if (state_ == DnsResolverState::Querying && send_pending_ && now >= send_at_)
    send_query(now, tx);
}

Millis DnsResolver::next_deadline() const {
  if (state_ != DnsResolverState::Querying) return kNever;
  return send_pending_ ? min_of(send_at_, attempt_end_) : attempt_end_;
}

int DnsResolver::server_index(IpAddress address) const {
  for (uint8_t i = 0; i < config_.server_count; ++i)
    if (config_.servers[i] == address) return i;
  return -1;
}

void DnsResolver::drop(DnsDrop reason) { ++stats_.dropped[static_cast<size_t>(reason)]; }

void DnsResolver::on_datagram(const UdpMeta& meta, Bytes payload, Millis now, UdpSender& tx) {
  ++stats_.received;
  // The total limit holds however late poll() comes: past it nothing is taken.
  if (state_ == DnsResolverState::Querying && now >= give_up_) next_attempt(now);
  if (state_ != DnsResolverState::Querying) return drop(DnsDrop::WrongState);
  int server = server_index(meta.src);
  if (server < 0 || (asked_ & bit(static_cast<uint8_t>(server))) == 0 ||
      meta.src_port != config_.server_port || meta.dst_port != local_port_)
    return drop(DnsDrop::WrongServer);
  Result<DnsPacket> checked = DnsPacket::check(payload);
  if (!checked) {
    stats_.last_error = checked.error();
    return drop(DnsDrop::Malformed);
  }
  const DnsPacket& packet = checked.value();
  if (!packet.is_response() || packet.opcode() != 0) return drop(DnsDrop::NotResponse);
  if (packet.id() != id_) return drop(DnsDrop::WrongId);
  Result<DnsResponse> parsed = DnsResponse::parse(packet);
  if (!parsed) {
    stats_.last_error = parsed.error();
    return drop(DnsDrop::Malformed);
  }
  const DnsResponse& response = parsed.value();
  if (!response.has_question || response.question_type != query_type_ ||
      response.question_class != kDnsClassIn)
    return drop(DnsDrop::WrongQuestion);
  Result<DnsName> question = DnsName::read(response.message, response.question_offset);
  if (!question || !(question.value() == name_)) return drop(DnsDrop::WrongQuestion);
  ++stats_.accepted;
  accept_answer(response, static_cast<uint8_t>(server), now, tx);
}

void DnsResolver::accept_answer(const DnsResponse& response, uint8_t server, Millis now,
                                UdpSender& tx) {
  rcode_ = static_cast<uint8_t>(response.rcode);
  switch (response.rcode) {
    case DnsRcode::NoError: break;
    // "the domain name referenced in the query does not exist" (RFC 1035 4.1.1),
    // said by the authority: asking elsewhere would hear the same.
    case DnsRcode::NameError: return end_phase(DnsFailure::NxDomain, now);
    case DnsRcode::ServerFailure: return server_said_no(server, DnsFailure::ServerFailure, now, &tx);
    case DnsRcode::Refused: return server_said_no(server, DnsFailure::Refused, now, &tx);
    default: return server_said_no(server, DnsFailure::ServerError, now, &tx);
  }
  // RFC 2181 9: a client "should ignore that response, and query again, using
  // a mechanism, such as a TCP connection": we have none.
  const uint8_t before = answer_.count;
  if (!response.truncated) take_addresses(response, server);
  end_phase(response.truncated         ? DnsFailure::Truncated
            : answer_.count > before ? DnsFailure::None
                                     : DnsFailure::NoAddress,
            now);
  // The next phase's query leaves now, not at the next poll().
  if (state_ == DnsResolverState::Querying && send_pending_) send_query(now, tx);
}

void DnsResolver::take_addresses(const DnsResponse& response, uint8_t server) {
  constexpr size_t kMax = DnsAnswer::kMaxPerFamily;
  uint32_t ttl = 0;
  DnsName canonical;
  size_t count = 0;
  IpAddress found[kMax];
  if (query_type_ == DnsType::A) {
    Ipv4Address v4[kMax];
    count = response.addresses_for(name_, v4, kMax, &ttl, &canonical);
    for (size_t i = 0; i < count; ++i) found[i] = v4[i];
  } else {
    Ipv6Address v6[kMax];
    count = response.addresses_for(name_, v6, kMax, &ttl, &canonical);
    for (size_t i = 0; i < count; ++i) found[i] = v6[i];
  }
  // The chain of the first phase that found addresses names the answer (or of
  // the last phase when none does).
  if (!found_any_) answer_.canonical = canonical;
  if (count == 0) return;
  if (!found_any_) answer_.server = config_.servers[server];
  found_any_ = true;
  if (ttl < found_ttl_) found_ttl_ = ttl;
  for (size_t i = 0; i < count && answer_.count < DnsAnswer::kMaxAddresses; ++i)
    answer_.addresses[answer_.count++] = found[i];
}

void DnsResolver::server_said_no(uint8_t server, DnsFailure failure, Millis now, UdpSender* tx) {
  if (out_ & bit(server)) return;  // a repeat: nothing new
  out_ = static_cast<uint8_t>(out_ | bit(server));
  server_failure_ = failure;
  bool any_left = false;
  for (uint8_t i = 0; i < config_.server_count; ++i) any_left = any_left || (out_ & bit(i)) == 0;
  if (!any_left) {
    end_phase(failure, now);
    // A next phase asks at once, as a next server would.
    if (tx != nullptr && state_ == DnsResolverState::Querying && send_pending_) send_query(now, *tx);
    return;
  }
  // A late "no" from a server asked earlier leaves the wait on the current one
  // alone; from the current one, the next server is asked now, not when the
  // wait would have ended.
  if (server != server_) return;
  next_attempt(now);
  if (tx != nullptr && state_ == DnsResolverState::Querying) send_query(now, *tx);
}

void DnsResolver::on_unreachable(const UdpMeta& quoted, uint8_t /*code*/, Millis now) {
  if (state_ != DnsResolverState::Querying) return;
  int server = server_index(quoted.dst);
  if (server < 0 || (asked_ & bit(static_cast<uint8_t>(server))) == 0 ||
      quoted.src_port != local_port_ || quoted.dst_port != config_.server_port)
    return;
  // The next query goes out at the next poll().
  server_said_no(static_cast<uint8_t>(server), DnsFailure::Unreachable, now, nullptr);
}

void DnsResolver::finish_done(Millis now) {
  state_ = DnsResolverState::Done;
  finished_ = now;
  send_pending_ = false;
}

void DnsResolver::fail(DnsFailure failure, Millis now) {
  state_ = DnsResolverState::Failed;
  failure_ = failure;
  finished_ = now;
  send_pending_ = false;
}

Error DnsResolver::error() const {
  switch (failure_) {
    case DnsFailure::None: return Error();
    case DnsFailure::NoServer: return dns_error(Errc::NotFound);
    case DnsFailure::Timeout: return dns_error(Errc::Unreachable);
    case DnsFailure::NxDomain: return dns_error(Errc::NotFound);
    case DnsFailure::ServerFailure: return dns_error(Errc::Unsupported);
    case DnsFailure::Refused: return dns_error(Errc::Unsupported);
    case DnsFailure::ServerError: return dns_error(Errc::BadValue);
    case DnsFailure::Truncated: return dns_error(Errc::Truncated);
    case DnsFailure::NoAddress: return dns_error(Errc::NotFound);
    case DnsFailure::Unreachable: return dns_error(Errc::Unreachable);
    case DnsFailure::SendFailed:
      return send_error_.is_error() ? send_error_ : dns_error(Errc::WouldBlock);
    case DnsFailure::Cancelled: return dns_error(Errc::Unsupported);
  }
  return dns_error(Errc::Unsupported);
}

void DnsResolver::cache_store(Millis now) {
  if (answer_.ttl_s == 0) return;  // RFC 1035 3.2.1: TTL 0 is for this transaction only
  // The same name's slot, else a free or expired one, else the least recently used.
  size_t slot = kCacheSlots;
  for (size_t i = 0; i < kCacheSlots && slot == kCacheSlots; ++i)
    if (cache_[i].count != 0 && cache_[i].family == family_ && cache_[i].name == name_) slot = i;
  for (size_t i = 0; i < kCacheSlots && slot == kCacheSlots; ++i)
    if (cache_[i].count == 0 || cache_[i].expires <= now) slot = i;
  if (slot == kCacheSlots) {
    slot = 0;
    for (size_t i = 1; i < kCacheSlots; ++i)
      if (cache_[i].used < cache_[slot].used) slot = i;
  }
  CacheEntry& entry = cache_[slot];
  entry.name = name_;
  entry.family = family_;
  entry.canonical = answer_.canonical;
  for (uint8_t i = 0; i < DnsAnswer::kMaxAddresses; ++i)
    entry.addresses[i] = i < answer_.count ? answer_.addresses[i] : IpAddress();
  entry.count = answer_.count;
  entry.expires = add(now, Millis{answer_.ttl_s} * 1000);
  entry.used = now;
}

bool DnsResolver::cached(Bytes name, Millis now, DnsFamily family) const {
  Result<DnsName> parsed = DnsName::from_text(name);
  if (!parsed) return false;
  for (const CacheEntry& entry : cache_)
    if (entry.count != 0 && entry.expires > now && entry.family == family &&
        entry.name == parsed.value())
      return true;
  return false;
}

size_t DnsResolver::cache_entries(Millis now) const {
  size_t n = 0;
  for (const CacheEntry& entry : cache_) n += entry.count != 0 && entry.expires > now;
  return n;
}

void DnsResolver::clear_cache() {
  for (CacheEntry& entry : cache_) entry = CacheEntry();
}

}  // namespace mpxe::net
