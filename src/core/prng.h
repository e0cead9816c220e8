// A small deterministic pseudo-random generator: the same seed gives the same
// sequence on every build and machine, so a run that failed under injected faults
// can be replayed exactly. Not for anything an attacker may predict (ports,
// transaction ids): those come from net::Random.
//
// The state advances by SplitMix64 (Steele, Lea, Flood: "Fast splittable
// pseudorandom number generators", 2014); every seed, 0 included, is usable.
#pragma once

#include <stdint.h>

namespace mpxe {

class Prng {
 public:
  constexpr explicit Prng(uint64_t seed = 0) : state_(seed) {}

  constexpr uint64_t next_u64() {
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  constexpr uint32_t next_u32() { return static_cast<uint32_t>(next_u64() >> 32); }

  // Uniform in [0, bound) for bound > 0 (Lemire's multiply-shift: no division, a
  // bias below 2^-32 that no test can see). 0 for bound 0.
  constexpr uint32_t below(uint32_t bound) {
    return static_cast<uint32_t>((uint64_t{next_u32()} * bound) >> 32);
  }
  // True with probability per_mille / 1000 (0 never, 1000 and more always).
  constexpr bool chance_per_mille(uint32_t per_mille) { return below(1000) < per_mille; }

  constexpr uint64_t state() const { return state_; }

 private:
  uint64_t state_;
};

}  // namespace mpxe
