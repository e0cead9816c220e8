// A phy::Device over a Linux TAP interface: the host port's stand-in for a NIC.
//
// The TAP file descriptor is opened non-blocking with IFF_TAP | IFF_NO_PI, so
// each read() is one whole Ethernet frame and each write() sends one. A small
// ring of receive buffers keeps the zero-copy contract of phy::Device: a frame
// stays in its slot, untouched, until release(); when every slot is lent out,
// receive() reports nothing rather than overwrite one.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>
#include <string>
#include <vector>

#include "phy/device.h"

namespace mpxe::host {

class TapDevice final : public phy::Device {
 public:
  static constexpr size_t kRxSlots = 16;

  // Attaches to TAP interface `name` (created first when absent, as the kernel
  // does). `mac` is the address our stack uses on it, not the kernel's own.
  // On failure returns null and says why in `error`.
  static std::unique_ptr<TapDevice> open(const std::string& name, const uint8_t (&mac)[6],
                                         std::string& error);
  ~TapDevice();
  TapDevice(const TapDevice&) = delete;
  TapDevice& operator=(const TapDevice&) = delete;

  phy::DeviceInfo info() const override;
  bool receive(phy::RxFrame& frame) override;
  void release(const phy::RxFrame& frame) override;
  bool transmit(Bytes frame) override;

  // For poll(2): readable when a frame is waiting.
  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

 private:
  struct Slot {
    std::vector<uint8_t> bytes;
    bool lent = false;
  };
  TapDevice(int fd, std::string name, const uint8_t (&mac)[6], uint16_t mtu);

  int fd_ = -1;
  std::string name_;
  uint8_t mac_[6] = {};
  uint16_t mtu_ = 1500;
  std::vector<Slot> slots_;
  size_t next_slot_ = 0;
};

}  // namespace mpxe::host
