// One leg of mpxe-relay: a Linux interface opened with an AF_PACKET raw socket,
// promiscuous, as a phy::Device. receive() hands out every frame the interface
// received (whoever it was for), never the ones sent on it (PACKET_OUTGOING: the
// relay's own frames, and the local stack's); transmit() sends a frame out of it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>
#include <string>
#include <vector>

#include "phy/device.h"

namespace mpxe::host {

struct LegCounters {
  uint64_t received = 0;          // frames handed out by receive()
  uint64_t sent = 0;              // frames transmit() got onto the interface
  uint64_t send_errors = 0;       // refused by the kernel (no carrier, too big, ...)
  uint64_t truncated = 0;         // larger than the receive buffer: not relayed
  uint64_t checksum_partial = 0;  // left for offload to finish (see PacketLeg::open)
  uint64_t kernel_drops = 0;      // the socket's queue overflowed (PACKET_STATISTICS)
};

class PacketLeg final : public phy::Device {
 public:
  // Largest frame relayed: any MTU Linux gives an Ethernet device, a tag included.
  static constexpr size_t kMaxFrame = 65535 + 18;

  // Opens `name` in the caller's network namespace. The frames it receives must
  // be whole: a peer with checksum or segmentation offload on (a veth's far end)
  // hands over frames whose checksum is not yet computed or that are larger than
  // the MTU; those are counted (checksum_partial, send_errors) so a setup that
  // forgot `ethtool -K IF tx off tso off gso off` shows it.
  static std::unique_ptr<PacketLeg> open(const std::string& name, std::string& error);
  ~PacketLeg();
  PacketLeg(const PacketLeg&) = delete;
  PacketLeg& operator=(const PacketLeg&) = delete;

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

  phy::DeviceInfo info() const override { return info_; }
  bool receive(phy::RxFrame& frame) override;
  void release(const phy::RxFrame&) override {}
  bool transmit(Bytes frame) override;
  uint32_t rx_modes() const override {
    return phy::kRxMulticastList | phy::kRxAllMulticast | phy::kRxPromiscuous;
  }

  // Reads the kernel's drop count into counters() (it resets on each read).
  void update_kernel_drops();
  const LegCounters& counters() const { return counters_; }

 private:
  PacketLeg(int fd, std::string name, phy::DeviceInfo info);

  int fd_;
  std::string name_;
  phy::DeviceInfo info_;
  std::vector<uint8_t> buffer_;
  LegCounters counters_;
};

}  // namespace mpxe::host
