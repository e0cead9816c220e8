// The imperfect multicast filter of the Intel 8254x (e1000) and 82574 (e1000e): the
// Multicast Table Array, 4096 bits in 128 registers (MTA[0..127]). The device takes
// 12 bits of a group address's last two bytes, as RCTL.MO selects, and accepts the
// frame when that bit of the table is set (8254x and 82574 manuals, RCTL and MTA).
// Portable so the hash is tested on the host; the driver writes the words out.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "phy/device.h"

namespace mpxe::phy {

class MulticastTable {
 public:
  static constexpr uint32_t kWords = 128;

  // RCTL.MO: which 12 of the destination address's bits 47:32 index the table.
  // 0: bits 47:36, 1: 46:35, 2: 45:34, 3: 43:32 (bit 0 is byte 0's lowest bit).
  static constexpr uint32_t hash(const uint8_t mac[6], uint32_t offset_mode) {
    constexpr uint32_t kShift[4] = {4, 3, 2, 0};
    uint32_t top = (uint32_t{mac[5]} << 8) | mac[4];  // address bits 47:32
    return (top >> kShift[offset_mode & 3]) & 0xfff;
  }

  explicit constexpr MulticastTable(uint32_t offset_mode = 0) : offset_mode_(offset_mode & 3) {}

  void add(const uint8_t mac[6]) {
    uint32_t bit = hash(mac, offset_mode_);
    words_[bit >> 5] |= 1u << (bit & 31);
  }
  // The groups of a kRxMulticastList filter (the other modes set RCTL bits, not
  // the table).
  void add_list(const RxFilter& filter) {
    if ((filter.modes & kRxMulticastList) == 0) return;
    for (size_t i = 0; i < filter.group_count && i < RxFilter::kMaxGroups; ++i) add(filter.groups[i]);
  }
  // What the device decides for a frame to this group.
  bool passes(const uint8_t mac[6]) const {
    uint32_t bit = hash(mac, offset_mode_);
    return (words_[bit >> 5] & (1u << (bit & 31))) != 0;
  }
  // The value of MTA[index].
  uint32_t word(uint32_t index) const { return index < kWords ? words_[index] : 0; }

 private:
  uint32_t offset_mode_;
  uint32_t words_[kWords] = {};
};

}  // namespace mpxe::phy
