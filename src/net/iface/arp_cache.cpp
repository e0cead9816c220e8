#include "net/iface/arp_cache.h"

namespace mpxe::net {

bool ArpCache::lapsed(const Entry& entry, Millis now) {
  switch (entry.state) {
    case State::Empty: return true;
    case State::Pending: return false;
    case State::Complete: return now >= entry.since + kLifetime;
    case State::Failed: return now >= entry.since + kFailedHold;
  }
  return true;
}

ArpCache::Entry* ArpCache::find(Ipv4Address ip) {
  for (Entry& entry : entries_)
    if (entry.state != State::Empty && entry.ip == ip) return &entry;
  return nullptr;
}

const ArpCache::Entry* ArpCache::find(Ipv4Address ip) const {
  for (const Entry& entry : entries_)
    if (entry.state != State::Empty && entry.ip == ip) return &entry;
  return nullptr;
}

ArpCache::Entry* ArpCache::take_slot(Millis now) {
  Entry* oldest = &entries_[0];
  for (Entry& entry : entries_) {
    if (lapsed(entry, now)) return &entry;
    if (entry.last_used < oldest->last_used) oldest = &entry;
  }
  return oldest;
}

ArpCache::Resolution ArpCache::resolve(Ipv4Address ip, Millis now) {
  Entry* entry = find(ip);
  if (entry != nullptr && lapsed(*entry, now)) {
    // Stale or done waiting out a failure: resolve it again from scratch.
    entry->state = State::Empty;
    entry = nullptr;
  }
  if (entry == nullptr) {
    entry = take_slot(now);
    *entry = Entry{ip, MacAddress{}, State::Pending, 1, now, now};
    return {Resolution::SendRequest, {}};
  }
  entry->last_used = now;
  switch (entry->state) {
    case State::Complete:
      return {Resolution::Resolved, entry->mac};
    case State::Failed:
      return {Resolution::Failed, {}};
    case State::Pending:
      if (now < entry->since + kRequestInterval) return {Resolution::Waiting, {}};
      if (entry->requests >= kMaxRequests) {
        entry->state = State::Failed;
        entry->since = now;
        return {Resolution::Failed, {}};
      }
      ++entry->requests;
      entry->since = now;
      return {Resolution::SendRequest, {}};
    case State::Empty:
      break;
  }
  return {Resolution::Waiting, {}};
}

bool ArpCache::lookup(Ipv4Address ip, Millis now, MacAddress& mac) const {
  const Entry* entry = find(ip);
  if (entry == nullptr || entry->state != State::Complete || lapsed(*entry, now)) return false;
  mac = entry->mac;
  return true;
}

bool ArpCache::update(Ipv4Address ip, MacAddress mac, Millis now) {
  Entry* entry = find(ip);
  if (entry == nullptr) return false;
  entry->mac = mac;
  entry->state = State::Complete;
  entry->requests = 0;
  entry->since = now;
  return true;
}

void ArpCache::insert(Ipv4Address ip, MacAddress mac, Millis now) {
  if (update(ip, mac, now)) return;
  Entry* entry = take_slot(now);
  *entry = Entry{ip, mac, State::Complete, 0, now, now};
}

bool ArpCache::next_request(Millis now, Ipv4Address& ip) {
  for (Entry& entry : entries_) {
    if (entry.state != State::Pending || now < entry.since + kRequestInterval) continue;
    if (entry.requests >= kMaxRequests) {
      entry.state = State::Failed;
      entry.since = now;
      continue;
    }
    ++entry.requests;
    entry.since = now;
    ip = entry.ip;
    return true;
  }
  return false;
}

Millis ArpCache::next_deadline() const {
  Millis deadline = kNever;
  for (const Entry& entry : entries_) {
    if (entry.state != State::Pending) continue;
    Millis due = entry.since + kRequestInterval;
    if (due < deadline) deadline = due;
  }
  return deadline;
}

void ArpCache::clear() {
  for (Entry& entry : entries_) entry = Entry{};
}

ArpCache::State ArpCache::state_of(Ipv4Address ip, Millis now) const {
  const Entry* entry = find(ip);
  if (entry == nullptr || lapsed(*entry, now)) return State::Empty;
  return entry->state;
}

size_t ArpCache::complete(Millis now, Ipv4Address* ips, MacAddress* macs, size_t capacity) const {
  size_t n = 0;
  for (const Entry& entry : entries_) {
    if (n == capacity) break;
    if (entry.state != State::Complete || lapsed(entry, now)) continue;
    ips[n] = entry.ip;
    macs[n] = entry.mac;
    ++n;
  }
  return n;
}

size_t ArpCache::size() const {
  size_t n = 0;
  for (const Entry& entry : entries_)
    if (entry.state != State::Empty) ++n;
  return n;
}

}  // namespace mpxe::net
