// mpxe-relay's loop: frames received on leg A go out of leg B and back, each
// direction through its own FaultLine. A frame held back for reordering leaves
// after the next frame of its direction or, when none comes, after hold_ms: a
// held frame is never stuck when traffic stops.
#pragma once

#include <stdint.h>
#include <stdio.h>

#include <vector>

#include "host/relay/packet_leg.h"
#include "phy/fault_line.h"

namespace mpxe::host {

struct RelaySettings {
  uint64_t seed = 0;
  phy::FaultRates a_to_b;
  phy::FaultRates b_to_a;
  int hold_ms = 10;
  double stats_every_s = 0;  // 0: only on SIGUSR1 and at the end
  // Corrupt frames of any kind, not only IP ones. A real link's FCS drops what
  // it damages; injected corruption is there to try the receiver's checksums,
  // and ARP has none: a flipped sender address would poison a neighbour cache
  // for a minute rather than test anything.
  bool corrupt_any = false;
};

class Relay {
 public:
  // The two directions draw from separate streams derived from one seed.
  static uint64_t a_to_b_seed(uint64_t seed) { return seed; }
  static uint64_t b_to_a_seed(uint64_t seed) { return seed ^ 0x4241'4241'4241'4241ull; }

  Relay(PacketLeg& a, PacketLeg& b, const RelaySettings& settings);

  // Relays until SIGINT or SIGTERM (blocked here and read from a signalfd), then
  // prints the counters. False, with a message on stderr, when it cannot start.
  bool run(FILE* out);
  void print_stats(FILE* out);

 private:
  struct Direction {
    Direction(const char* label, PacketLeg& from, PacketLeg& to, uint64_t seed,
              phy::FaultRates rates);
    const char* label;
    PacketLeg& from;
    PacketLeg& to;
    std::vector<uint8_t> hold;
    std::vector<uint8_t> scratch;
    phy::FaultLine line;
    int64_t held_since_ms = 0;
    uint64_t released_late = 0;  // held frames the timer sent, no neighbour having come
  };

  // Forwards what `d.from` has waiting, at most one batch.
  void forward(Direction& d, int64_t now_ms);
  void release_overdue(Direction& d, int64_t now_ms);

  RelaySettings settings_;
  Direction a_to_b_;
  Direction b_to_a_;
};

}  // namespace mpxe::host
