// The interface between the network stack and whatever moves frames: a firmware
// NIC driver, a Linux TAP device, or a wrapper around either (fault injection,
// pcap). Polled: nothing here blocks or calls back.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

namespace mpxe::phy {

// A received frame lent by the device. The bytes stay valid, in place (for a NIC:
// in its DMA buffer), until the frame is given back with Device::release().
struct RxFrame {
  const uint8_t* data = nullptr;
  size_t size = 0;
  uint32_t slot = 0;  // the device's own bookkeeping
};

struct DeviceInfo {
  uint8_t mac[6] = {};
  uint16_t mtu = 1500;     // largest IP packet the link carries
  uint16_t rx_slots = 0;   // receive buffers the device keeps posted
};

// Receive modes a device can be asked for on top of what it always delivers
// (frames to its own address, and broadcast).
enum RxMode : uint32_t {
  kRxMulticastList = 1u << 0,  // at least the groups in RxFilter::groups
  kRxAllMulticast = 1u << 1,   // every group-addressed frame
  kRxPromiscuous = 1u << 2,    // every frame on the link, whoever it is for
};

struct RxFilter {
  static constexpr size_t kMaxGroups = 16;  // SNP's MAX_MCAST_FILTER_CNT
  uint32_t modes = 0;                       // RxMode bits; 0: own address and broadcast
  uint8_t groups[kMaxGroups][6] = {};       // kRxMulticastList: the group addresses
  size_t group_count = 0;
};

class Device {
 public:
  virtual DeviceInfo info() const = 0;
  // Next received frame, or false when none is waiting.
  virtual bool receive(RxFrame& frame) = 0;
  // Gives a received frame's buffer back to the device.
  virtual void release(const RxFrame& frame) = 0;
  // Copies one whole Ethernet frame out; false when the transmit ring is full
  // (the caller retries after polling) or the frame is too large.
  virtual bool transmit(Bytes frame) = 0;

  // The RxMode bits set_rx_filter() accepts. A device that delivers every frame
  // anyway names them all: it has nothing to program.
  virtual uint32_t rx_modes() const { return 0; }
  // Replaces the receive filter. Filters are best-effort supersets (a hash table
  // passes other groups too): whoever needs exactly the asked-for frames filters
  // again in software. False, with nothing changed, for a mode not in rx_modes().
  virtual bool set_rx_filter(const RxFilter& filter) { return filter.modes == 0; }

 protected:
  ~Device() = default;
};

}  // namespace mpxe::phy
