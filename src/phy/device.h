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

 protected:
  ~Device() = default;
};

}  // namespace mpxe::phy
