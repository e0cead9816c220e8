// Time and randomness come into the stack from outside: the firmware reads a
// timer, the host a steady clock, and tests script them. Nothing in src/net reads
// a clock or a random source on its own.
#pragma once

#include <stdint.h>

namespace mpxe::net {

// Monotonic milliseconds since an arbitrary start.
using Millis = uint64_t;
constexpr Millis kNever = ~Millis{0};

class Random {
 public:
  virtual uint32_t next_u32() = 0;

 protected:
  ~Random() = default;
};

}  // namespace mpxe::net
