// At most N events in each one-second window: how the interface paces the ICMP
// errors and TCP resets it sends in answer to others' packets.
#pragma once

#include <stdint.h>

#include "net/clock.h"

namespace mpxe::net {

class RateLimit {
 public:
  // Whether one more event may happen at `now`, counting it if so. A clock that
  // went backwards starts a new window.
  bool allow(Millis now, uint32_t per_second) {
    if (now >= window_start_ + 1000 || now < window_start_) {
      window_start_ = now;
      count_ = 0;
    }
    if (count_ >= per_second) return false;
    ++count_;
    return true;
  }

 private:
  Millis window_start_ = 0;
  uint32_t count_ = 0;
};

}  // namespace mpxe::net
