#include "net/iface/neighbor_cache.h"

namespace mpxe::net {

const char* neighbor_state_text(NeighborCache::State state) {
  switch (state) {
    case NeighborCache::State::Empty: return "empty";
    case NeighborCache::State::Incomplete: return "incomplete";
    case NeighborCache::State::Reachable: return "reachable";
    case NeighborCache::State::Stale: return "stale";
    case NeighborCache::State::Delay: return "delay";
    case NeighborCache::State::Probe: return "probe";
    case NeighborCache::State::Failed: return "failed";
  }
  return "unknown";
}

bool NeighborCache::lapsed(const Entry& entry, Millis now) {
  return entry.state == State::Empty ||
         (entry.state == State::Failed && now >= entry.since + kFailedHold);
}

void NeighborCache::enter(Entry& entry, State state, Millis now) {
  entry.state = state;
  entry.since = now;
  entry.solicitations = 0;
}

NeighborCache::State NeighborCache::effective(const Entry& entry, Millis now) const {
  if (entry.state == State::Reachable && now >= entry.since + reachable_time_) return State::Stale;
  return entry.state;
}

NeighborCache::Entry* NeighborCache::find(const Ipv6Address& ip) {
  for (Entry& entry : entries_)
    if (entry.state != State::Empty && entry.ip == ip) return &entry;
  return nullptr;
}

const NeighborCache::Entry* NeighborCache::find(const Ipv6Address& ip) const {
  for (const Entry& entry : entries_)
    if (entry.state != State::Empty && entry.ip == ip) return &entry;
  return nullptr;
}

NeighborCache::Entry* NeighborCache::take_slot(Millis now) {
  Entry* oldest = &entries_[0];
  for (Entry& entry : entries_) {
    if (lapsed(entry, now)) return &entry;
    if (entry.last_used < oldest->last_used) oldest = &entry;
  }
  return oldest;
}

NeighborCache::Resolution NeighborCache::resolve(const Ipv6Address& ip, Millis now) {
  Entry* entry = find(ip);
  if (entry != nullptr && lapsed(*entry, now)) {
    entry->state = State::Empty;
    entry = nullptr;
  }
  if (entry == nullptr) {
    entry = take_slot(now);
    *entry = Entry{ip, MacAddress{}, State::Incomplete, 1, now, now};
    return {Resolution::SendSolicitation, {}};
  }
  entry->last_used = now;
  switch (effective(*entry, now)) {
    case State::Reachable:
    case State::Delay:
    case State::Probe:
      return {Resolution::Resolved, entry->mac};
    case State::Stale:
      // 7.3.3: "The first time a node sends a packet to a neighbor whose entry is
      // STALE, the sender changes the state to DELAY."
      enter(*entry, State::Delay, now);
      return {Resolution::Resolved, entry->mac};
    case State::Failed:
      return {Resolution::Failed, {}};
    case State::Incomplete:
      if (now < entry->since + retrans_timer_) return {Resolution::Waiting, {}};
      if (entry->solicitations >= kMaxMulticastSolicit) {
        enter(*entry, State::Failed, now);
        return {Resolution::Failed, {}};
      }
      ++entry->solicitations;
      entry->since = now;
      return {Resolution::SendSolicitation, {}};
    case State::Empty:
      break;
  }
  return {Resolution::Waiting, {}};
}

bool NeighborCache::lookup(const Ipv6Address& ip, Millis now, MacAddress& mac) const {
  const Entry* entry = find(ip);
  if (entry == nullptr) return false;
  switch (effective(*entry, now)) {
    case State::Reachable:
    case State::Stale:
    case State::Delay:
    case State::Probe:
      mac = entry->mac;
      return true;
    default:
      return false;
  }
}

void NeighborCache::on_advertisement(const Ipv6Address& target, bool solicited, bool override_,
                                     const MacAddress* target_mac, Millis now) {
  Entry* entry = find(target);
  if (entry == nullptr) return;  // "the advertisement prompts no further action"
  State state = effective(*entry, now);
  if (state == State::Incomplete || state == State::Failed) {
    // "If the link layer has addresses and no Target Link-Layer Address option is
    // included, the receiving node SHOULD silently discard the received advertisement."
    if (target_mac == nullptr) return;
    entry->mac = *target_mac;
    enter(*entry, solicited ? State::Reachable : State::Stale, now);
    return;
  }
  bool differs = target_mac != nullptr && *target_mac != entry->mac;
  if (!override_ && differs) {
    // The cached address stands, but is in doubt.
    if (state == State::Reachable) enter(*entry, State::Stale, now);
    return;
  }
  if (target_mac != nullptr) entry->mac = *target_mac;
  if (solicited) {
    enter(*entry, State::Reachable, now);
  } else if (differs) {
    enter(*entry, State::Stale, now);
  }
}

void NeighborCache::on_link_layer_address(const Ipv6Address& ip, MacAddress mac, Millis now) {
  Entry* entry = find(ip);
  if (entry == nullptr || lapsed(*entry, now)) {
    if (entry == nullptr) entry = take_slot(now);
    *entry = Entry{ip, mac, State::Stale, 0, now, now};
    return;
  }
  if (entry->state == State::Incomplete || entry->state == State::Failed || entry->mac != mac) {
    entry->mac = mac;
    enter(*entry, State::Stale, now);
  }
}

void NeighborCache::confirm(const Ipv6Address& ip, Millis now) {
  Entry* entry = find(ip);
  if (entry == nullptr) return;
  State state = effective(*entry, now);
  if (state == State::Incomplete || state == State::Failed) return;
  enter(*entry, State::Reachable, now);
}

void NeighborCache::set_timers(Millis reachable_time, Millis retrans_timer) {
  if (reachable_time != 0) reachable_time_ = reachable_time;
  if (retrans_timer != 0) retrans_timer_ = retrans_timer;
}

bool NeighborCache::next_solicitation(Millis now, Solicitation& out) {
  for (Entry& entry : entries_) {
    switch (entry.state) {
      case State::Incomplete:
        if (now < entry.since + retrans_timer_) continue;
        if (entry.solicitations >= kMaxMulticastSolicit) {
          enter(entry, State::Failed, now);
          continue;
        }
        ++entry.solicitations;
        entry.since = now;
        out = Solicitation{entry.ip, false, MacAddress{}};
        return true;
      case State::Delay:
        if (now < entry.since + kDelayFirstProbeTime) continue;
        enter(entry, State::Probe, now);
        entry.solicitations = 1;
        out = Solicitation{entry.ip, true, entry.mac};
        return true;
      case State::Probe:
        if (now < entry.since + retrans_timer_) continue;
        if (entry.solicitations >= kMaxUnicastSolicit) {
          enter(entry, State::Failed, now);
          continue;
        }
        ++entry.solicitations;
        entry.since = now;
        out = Solicitation{entry.ip, true, entry.mac};
        return true;
      default:
        continue;
    }
  }
  return false;
}

Millis NeighborCache::next_deadline() const {
  Millis deadline = kNever;
  for (const Entry& entry : entries_) {
    Millis due = kNever;
    if (entry.state == State::Incomplete || entry.state == State::Probe)
      due = entry.since + retrans_timer_;
    else if (entry.state == State::Delay)
      due = entry.since + kDelayFirstProbeTime;
    if (due < deadline) deadline = due;
  }
  return deadline;
}

void NeighborCache::clear() {
  for (Entry& entry : entries_) entry = Entry{};
}

NeighborCache::State NeighborCache::state_of(const Ipv6Address& ip, Millis now) const {
  const Entry* entry = find(ip);
  if (entry == nullptr || lapsed(*entry, now)) return State::Empty;
  return effective(*entry, now);
}

size_t NeighborCache::size() const {
  size_t n = 0;
  for (const Entry& entry : entries_)
    if (entry.state != State::Empty) ++n;
  return n;
}

}  // namespace mpxe::net
