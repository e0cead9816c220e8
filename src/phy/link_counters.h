// Frame counters for a network interface, kept the way UEFI's
// EFI_SIMPLE_NETWORK_PROTOCOL.Statistics() reports them (UEFI 2.10, 24.1): the
// EFI_NETWORK_STATISTICS table is 26 64-bit slots in the order of Stat, and a slot
// the interface does not keep reads as all ones. Portable, so the table handling
// is tested on the host; nothing here allocates (it runs in the packet path).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mpxe::phy {

enum class Stat : uint32_t {
  RxTotalFrames, RxGoodFrames, RxUndersizeFrames, RxOversizeFrames, RxDroppedFrames,
  RxUnicastFrames, RxBroadcastFrames, RxMulticastFrames, RxCrcErrorFrames, RxTotalBytes,
  TxTotalFrames, TxGoodFrames, TxUndersizeFrames, TxOversizeFrames, TxDroppedFrames,
  TxUnicastFrames, TxBroadcastFrames, TxMulticastFrames, TxCrcErrorFrames, TxTotalBytes,
  Collisions, UnsupportedProtocol, RxDuplicatedFrames, RxDecryptErrorFrames,
  TxErrorFrames, TxRetryFrames,
};

class LinkCounters {
 public:
  static constexpr uint32_t kSlots = 26;
  static constexpr uint64_t kUnsupported = ~uint64_t{0};

  // The counters this class keeps. Errors the NIC drops on its own (CRC, runts)
  // never reach software, and nothing here sees collisions or retries.
  static constexpr bool kept(Stat s) {
    switch (s) {
      case Stat::RxTotalFrames: case Stat::RxGoodFrames: case Stat::RxOversizeFrames:
      case Stat::RxDroppedFrames: case Stat::RxUnicastFrames: case Stat::RxBroadcastFrames:
      case Stat::RxMulticastFrames: case Stat::RxTotalBytes:
      case Stat::TxTotalFrames: case Stat::TxGoodFrames: case Stat::TxUnicastFrames:
      case Stat::TxBroadcastFrames: case Stat::TxMulticastFrames: case Stat::TxTotalBytes:
        return true;
      default:
        return false;
    }
  }

  // Bytes a caller's table needs for every kept counter: up to the last kept slot.
  static constexpr size_t table_size() {
    uint32_t last = 0;
    for (uint32_t i = 0; i < kSlots; ++i)
      if (kept(static_cast<Stat>(i))) last = i;
    return (last + 1) * sizeof(uint64_t);
  }

  void reset() {
    for (uint64_t& v : value_) v = 0;
  }

  // A frame handed to the caller. `frame` starts with the destination address.
  void received(const uint8_t* frame, size_t size) {
    add_rx(size);
    ++at(Stat::RxGoodFrames);
    ++at(by_destination(frame, Stat::RxUnicastFrames, Stat::RxBroadcastFrames,
                        Stat::RxMulticastFrames));
  }
  // A frame for us discarded before the caller took it (a reset, no room).
  void dropped(size_t size) {
    add_rx(size);
    ++at(Stat::RxDroppedFrames);
  }
  // A frame for us longer than the interface keeps.
  void oversize(size_t size) {
    add_rx(size);
    ++at(Stat::RxOversizeFrames);
  }
  // A frame too short to hold an Ethernet header: received, with an error.
  void runt(size_t size) { add_rx(size); }
  // A frame the device took for transmission.
  void transmitted(const uint8_t* frame, size_t size) {
    ++at(Stat::TxTotalFrames);
    ++at(Stat::TxGoodFrames);
    at(Stat::TxTotalBytes) += size;
    ++at(by_destination(frame, Stat::TxUnicastFrames, Stat::TxBroadcastFrames,
                        Stat::TxMulticastFrames));
  }

  uint64_t get(Stat s) const {
    return kept(s) ? value_[static_cast<uint32_t>(s)] : kUnsupported;
  }

  // Fills `table` as Statistics() returns it: every whole slot that fits in
  // `capacity` bytes gets its counter, or kUnsupported; a partial slot is left
  // alone. Returns table_size(): when that exceeds `capacity`, the caller's table
  // was too small (EFI_BUFFER_TOO_SMALL, with this as the size it needs).
  size_t copy_to(uint64_t* table, size_t capacity) const {
    size_t slots = capacity / sizeof(uint64_t);
    if (table != nullptr)
      for (uint32_t i = 0; i < kSlots && i < slots; ++i) table[i] = get(static_cast<Stat>(i));
    return table_size();
  }

 private:
  uint64_t& at(Stat s) { return value_[static_cast<uint32_t>(s)]; }
  void add_rx(size_t size) {
    ++at(Stat::RxTotalFrames);
    at(Stat::RxTotalBytes) += size;
  }
  static Stat by_destination(const uint8_t* frame, Stat unicast, Stat broadcast, Stat multicast) {
    if ((frame[0] & 1) == 0) return unicast;  // group bit clear
    for (int i = 0; i < 6; ++i)
      if (frame[i] != 0xff) return multicast;
    return broadcast;
  }

  uint64_t value_[kSlots] = {};
};

}  // namespace mpxe::phy
