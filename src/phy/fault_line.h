// One direction of a lossy link, as a step between a sender and a Device: each
// frame passed in is dropped, corrupted, duplicated or held back to go out after
// the next one, at the rates given, every decision drawn from a Prng seeded at
// construction. FaultInjector's transmit side is one of these; mpxe-relay runs
// one per direction between two real interfaces.
//
// Every frame costs the same number of draws (decide_faults), whatever the rates
// and whatever happens to it, so a run replays exactly from its seed given the
// same frames. A frame is held only while no other is; a held frame leaves after
// the next frame, or when its owner calls release_held() (idle, or a timer), so
// reordering never turns into a loss. The hold and scratch buffers are the
// owner's: a frame larger than them passes unharmed except for drop (`skipped`).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "core/prng.h"
#include "phy/device.h"
#include "phy/fault_spec.h"

namespace mpxe::phy {

struct FaultCounters {
  uint64_t frames = 0;  // frames that came through this direction
  uint32_t dropped = 0;
  uint32_t duplicated = 0;
  uint32_t reordered = 0;  // held frames that went out after their neighbour
  uint32_t corrupted = 0;
  uint32_t skipped = 0;  // a fault was drawn but no buffer could take the frame
  uint32_t spared = 0;   // corruption drawn for a frame its sender marked not to harm
};

// The faults drawn for one frame: always the same five draws, whatever the rates.
struct FaultDecision {
  bool drop = false;
  bool corrupt = false;
  bool duplicate = false;
  bool reorder = false;
  uint32_t bit = 0;  // which bit to flip, modulo the frame's length in bits
};

FaultDecision decide_faults(Prng& prng, const FaultRates& rates);
// Flips the bit `draw` picks (modulo size * 8) of bytes[0, size).
void flip_bit(uint8_t* bytes, size_t size, uint32_t draw);
// True for an Ethernet frame whose receiver checks a checksum over what a
// flipped bit could change: IPv4 and IPv6 (a VLAN tag looked through). Not ARP.
bool receiver_checks(Bytes frame);

class FaultLine {
 public:
  FaultLine(uint64_t seed, FaultRates rates, MutableBytes hold, MutableBytes scratch);

  // Passes one frame on to `out` as the link would. False when `out` refused the
  // frame itself (its ring is full): the caller may pass it again, at the cost of
  // a new decision. Accepted means sent, dropped or held. A frame with
  // may_corrupt false (one whose receiver has no checksum to catch a flipped bit,
  // such as ARP) meets every fault but corruption, for the same draws.
  bool pass(Bytes frame, Device& out, bool may_corrupt = true);
  // Sends the held frame now, without a neighbour (not counted as reordered).
  // False while one is held that `out` refused.
  bool release_held(Device& out);
  bool holding() const { return held_size_ != 0; }

  const FaultCounters& counters() const { return counters_; }
  const FaultRates& rates() const { return rates_; }

 private:
  FaultRates rates_;
  Prng prng_;
  FaultCounters counters_;
  MutableBytes hold_;
  MutableBytes scratch_;
  size_t held_size_ = 0;  // 0: none held
};

}  // namespace mpxe::phy
