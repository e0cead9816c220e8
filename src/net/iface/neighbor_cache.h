// The IPv6 neighbour cache (RFC 4861 7.3): address -> MAC address, learned from
// neighbour discovery. ArpCache's counterpart, with the states RFC 4861 names:
//
//   Incomplete  solicitations go to the target's solicited-node group, one per
//               RetransTimer, up to kMaxMulticastSolicit;
//   Reachable   confirmed (a solicited NA, or the upper layer) within ReachableTime;
//   Stale       a MAC that is no longer known to work (learned unsolicited, or
//               Reachable gone by): used as is, and the first send moves it to
//   Delay       which waits kDelayFirstProbeTime for an upper-layer confirmation,
//               then becomes
//   Probe       unicast solicitations to the cached MAC, one per RetransTimer, up
//               to kMaxUnicastSolicit;
//   Failed      (not an RFC state) Incomplete or Probe unanswered: sends fail at
//               once for kFailedHold, after which the next send starts over, as
//               in ArpCache.
//
// Fixed capacity, no heap, no queued packets: a send that finds no MAC fails and
// its caller's retransmission tries again (as with ARP). The cache sends nothing:
// resolve() and next_solicitation() say when a solicitation is due. Time comes in
// as arguments; Reachable lapsing into Stale is computed, not scheduled.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "net/clock.h"
#include "net/wire/ipv6_address.h"
#include "net/wire/mac_address.h"

namespace mpxe::net {

class NeighborCache {
 public:
  static constexpr size_t kCapacity = 16;
  // RFC 4861 10, "Node constants".
  static constexpr uint8_t kMaxMulticastSolicit = 3;
  static constexpr uint8_t kMaxUnicastSolicit = 3;
  static constexpr Millis kReachableTime = 30'000;
  static constexpr Millis kRetransTimer = 1'000;
  static constexpr Millis kDelayFirstProbeTime = 5'000;
  static constexpr Millis kFailedHold = 3'000;

  enum class State : uint8_t { Empty, Incomplete, Reachable, Stale, Delay, Probe, Failed };

  struct Resolution {
    enum Kind : uint8_t {
      Resolved,          // mac holds the answer (Reachable, Stale, Delay or Probe)
      SendSolicitation,  // unknown: multicast a solicitation for it (already counted)
      Waiting,           // a solicitation is out and the next is not due yet
      Failed,            // unanswered: give up for now
    };
    Kind kind = Waiting;
    MacAddress mac;
  };

  // A solicitation due now: to the target's solicited-node group (Incomplete),
  // or unicast to `mac` (Probe, RFC 4861 7.3.3).
  struct Solicitation {
    Ipv6Address target;
    bool unicast = false;
    MacAddress mac;
  };

  // The MAC to send a packet to `ip`, or what to do instead. A packet sent to a
  // Stale entry moves it to Delay. Counts as a use for LRU.
  Resolution resolve(const Ipv6Address& ip, Millis now);
  // The MAC if one is cached (any state that has one); does not count as a use.
  bool lookup(const Ipv6Address& ip, Millis now, MacAddress& mac) const;

  // RFC 4861 7.2.5: a neighbour advertisement for `target`, with its target
  // link-layer address option when `target_mac` is not null. Ignored when no
  // entry exists.
  void on_advertisement(const Ipv6Address& target, bool solicited, bool override_,
                        const MacAddress* target_mac, Millis now);
  // RFC 4861 7.2.3 and 6.3.4: a source link-layer address option of an NS, RS or
  // RA from `ip`: a new entry, or one whose MAC changed, is Stale.
  void on_link_layer_address(const Ipv6Address& ip, MacAddress mac, Millis now);
  // RFC 4861 7.3.1: the upper layer saw the neighbour make progress (new TCP
  // data acknowledged): an entry with a MAC is Reachable again.
  void confirm(const Ipv6Address& ip, Millis now);

  // An RA's Reachable Time and Retrans Timer (RFC 4861 6.3.4); 0 keeps the value.
  void set_timers(Millis reachable_time, Millis retrans_timer);
  Millis reachable_time() const { return reachable_time_; }
  Millis retrans_timer() const { return retrans_timer_; }

  // One solicitation due at `now` (counted as sent); entries that used up their
  // solicitations become Failed on the way. Call until it returns false.
  bool next_solicitation(Millis now, Solicitation& out);
  // When next_solicitation() next has something to do; kNever when nothing waits.
  Millis next_deadline() const;

  void clear();
  State state_of(const Ipv6Address& ip, Millis now) const;
  size_t size() const;

 private:
  struct Entry {
    Ipv6Address ip;
    MacAddress mac;
    State state = State::Empty;
    uint8_t solicitations = 0;  // Incomplete, Probe: sent so far
    Millis since = 0;           // when the state was entered, or the last solicitation
    Millis last_used = 0;
  };

  Entry* find(const Ipv6Address& ip);
  const Entry* find(const Ipv6Address& ip) const;
  Entry* take_slot(Millis now);
  // The state with Reachable's lapse applied.
  State effective(const Entry& entry, Millis now) const;
  static bool lapsed(const Entry& entry, Millis now);
  static void enter(Entry& entry, State state, Millis now);

  Millis reachable_time_ = kReachableTime;
  Millis retrans_timer_ = kRetransTimer;
  Entry entries_[kCapacity];
};

const char* neighbor_state_text(NeighborCache::State state);

}  // namespace mpxe::net
