// A phy::Device that wraps another and misbehaves on purpose, as a lossy link
// would: it drops, duplicates, reorders and corrupts frames at given rates, in
// either direction (after smoltcp's phy::FaultInjector). Every decision comes
// from a Prng seeded at construction, one stream per direction, and every frame
// costs its direction the same number of draws, so a run replays exactly from
// its seed given the same frames.
//
// What each fault does:
//   drop       the frame is gone (received: released to the inner device at once;
//              transmitted: reported sent, never passed on)
//   corrupt    one random bit of the frame is flipped (a copy's, on receive)
//   duplicate  the frame is delivered, then a copy of it right after
//   reorder    the frame is held back and delivered after the next one; it never
//              waits longer than until the stack goes idle (receive: the inner
//              device has nothing more; transmit: the next receive() that finds
//              nothing), so a fault never turns into a loss
// A frame larger than kBufferSize, or one that arrives when every copy buffer is
// in use, passes unharmed except for drop (counted as `skipped`).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "core/prng.h"
#include "phy/device.h"
#include "phy/fault_line.h"
#include "phy/fault_spec.h"

namespace mpxe::phy {

class FaultInjector final : public Device {
 public:
  static constexpr size_t kBufferSize = 1536;  // a 1514-byte frame and then some
  static constexpr size_t kRxBuffers = 4;

  FaultInjector(Device& inner, uint64_t seed, FaultRates rx, FaultRates tx);
  FaultInjector(const FaultInjector&) = delete;  // tx_ points into this object
  FaultInjector& operator=(const FaultInjector&) = delete;

  DeviceInfo info() const override { return inner_.info(); }
  bool receive(RxFrame& frame) override;
  void release(const RxFrame& frame) override;
  bool transmit(Bytes frame) override;

  const FaultCounters& rx_counters() const { return rx_counters_; }
  const FaultCounters& tx_counters() const { return tx_.counters(); }
  // True while a frame is held back or a duplicate is waiting in either
  // direction: a poll loop should not sleep on the inner device then.
  bool has_pending() const;

  // The seeds of the two streams, derived from the one given.
  static uint64_t rx_seed(uint64_t seed) { return seed; }
  static uint64_t tx_seed(uint64_t seed) { return seed ^ 0x5458'5458'5458'5458ull; }

 private:
  struct Copy {
    uint8_t bytes[kBufferSize];
    size_t size = 0;
    bool lent = false;  // handed to the stack, not yet released
  };

  Copy* take_copy(Bytes frame);
  bool is_copy(const RxFrame& frame, size_t& index) const;
  RxFrame lend(Copy& copy);

  Device& inner_;
  FaultRates rx_rates_;
  Prng rx_prng_;
  FaultCounters rx_counters_;

  Copy rx_copies_[kRxBuffers];
  Copy* rx_waiting_ = nullptr;  // a duplicate, or a held frame whose turn has come
  Copy* rx_held_ = nullptr;     // a frame to deliver after the next one

  uint8_t tx_held_[kBufferSize] = {};
  uint8_t tx_scratch_[kBufferSize] = {};
  FaultLine tx_;
};

}  // namespace mpxe::phy
