// The neighbour table: IPv4 address -> MAC address, learned through ARP (RFC 826).
//
// Fixed capacity, no heap. An entry is one of
//   Pending   a request is out; up to kMaxRequests, one per kRequestInterval;
//   Complete  the MAC is known, until kLifetime after it was last confirmed;
//   Failed    kMaxRequests went unanswered: sends to it fail at once for
//             kFailedHold, after which the next send starts over.
// When the table is full a new address takes the slot of a lapsed entry, else
// of the least recently used one.
//
// The cache sends nothing: resolve() and next_request() say when a request is
// due, and the interface sends it. Time comes in as arguments.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "net/clock.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/mac_address.h"

namespace mpxe::net {

class ArpCache {
 public:
  static constexpr size_t kCapacity = 16;
  // RFC 1122 2.3.2.1 asks for a timeout on cache entries; a minute is what most
  // stacks use and far longer than a boot.
  static constexpr Millis kLifetime = 60'000;
  // RFC 1122 2.3.2.1: "the recommended maximum rate is 1 per second per destination".
  static constexpr Millis kRequestInterval = 1'000;
  static constexpr uint8_t kMaxRequests = 3;
  static constexpr Millis kFailedHold = 3'000;

  enum class State : uint8_t { Empty, Pending, Complete, Failed };

  struct Resolution {
    enum Kind : uint8_t {
      Resolved,     // mac holds the answer
      SendRequest,  // unknown until now: send a request for it (already counted)
      Waiting,      // a request is out and the next is not due yet
      Failed,       // no answer to kMaxRequests requests: give up for now
    };
    Kind kind = Waiting;
    MacAddress mac;
  };

  // The MAC to send to `ip`, or what to do instead. Counts as a use for LRU.
  Resolution resolve(Ipv4Address ip, Millis now);
  // The MAC if `ip` is complete and fresh; does not count as a use.
  bool lookup(Ipv4Address ip, Millis now, MacAddress& mac) const;

  // RFC 826: "If the pair <protocol type, sender protocol address> is already in
  // my translation table, update the sender hardware address field of the entry
  // with the new information in the packet and set Merge_flag to true."
  // Returns the merge flag.
  bool update(Ipv4Address ip, MacAddress mac, Millis now);
  // "If Merge_flag is false, add the triplet <protocol type, sender protocol
  // address, sender hardware address> to the translation table." (We are the
  // target.) Also completes a pending entry.
  void insert(Ipv4Address ip, MacAddress mac, Millis now);

  // One pending address whose next request is due at `now` (the request is
  // counted as sent); entries that used up their requests become Failed on the
  // way. Call until it returns false.
  bool next_request(Millis now, Ipv4Address& ip);

  // When next_request() will next have something to do; kNever when nothing is
  // pending. Complete entries lapse lazily and set no deadline.
  Millis next_deadline() const;

  void clear();

  // The fresh Complete entries, up to `capacity` of them, into `ips`/`macs`:
  // what the PXE Base Code's Mode.ArpCache shows. Returns how many.
  size_t complete(Millis now, Ipv4Address* ips, MacAddress* macs, size_t capacity) const;

  // For tests and the console.
  State state_of(Ipv4Address ip, Millis now) const;
  size_t size() const;

 private:
  struct Entry {
    Ipv4Address ip;
    MacAddress mac;
    State state = State::Empty;
    uint8_t requests = 0;   // Pending: requests sent so far
    Millis since = 0;       // Pending: last request; Complete: confirmed; Failed: gave up
    Millis last_used = 0;   // for LRU replacement
  };

  Entry* find(Ipv4Address ip);
  const Entry* find(Ipv4Address ip) const;
  Entry* take_slot(Millis now);
  // A Complete entry past its lifetime, or a Failed one past its hold, is as good
  // as empty.
  static bool lapsed(const Entry& entry, Millis now);

  Entry entries_[kCapacity];
};

}  // namespace mpxe::net
