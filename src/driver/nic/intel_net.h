// Intel 8254x (e1000, 82540EM) and 82574 (e1000e) with legacy descriptors, polled.
// Register offsets and bits from the 8254x and 82574 software developer's manuals.
#pragma once

#include "driver/nic/dma_buffer.h"
#include "driver/nic/nic_driver.h"
#include "driver/nic/nic_models.h"

namespace mpxe::driver {

class IntelNet final : public NicDriver {
 public:
  static constexpr uint32_t kRingSize = 256;   // descriptors per ring
  static constexpr uint32_t kBufferSize = 2048;

  explicit IntelNet(NicKind kind) : kind_(kind) {}

  uefi::Status start(uefi::PciIoProtocol* pci) override;
  void stop() override;
  // Receive and transmit off, then a device reset.
  void quiesce() override;
  // No: our address and broadcast only (empty multicast table, no RCTL.MPE).
  bool delivers_all_multicast() const override { return false; }

  phy::DeviceInfo info() const override;
  bool receive(phy::RxFrame& frame) override;
  // Frames must be released in the order they were received: each release lets
  // the ring's gap slot go back to the hardware.
  void release(const phy::RxFrame& frame) override;
  bool transmit(Bytes frame) override;
  // Promiscuous (RCTL.UPE and MPE), all-multicast (MPE) and a group list through
  // the Multicast Table Array; our address and broadcast (BAM) stay on throughout.
  uint32_t rx_modes() const override;
  bool set_rx_filter(const phy::RxFilter& filter) override;

 private:
  struct Desc {
    uint64_t addr;
    uint16_t length;
    uint8_t cso_or_checksum_lo;
    uint8_t cmd_or_checksum_hi;
    uint8_t status;
    uint8_t errors_or_css;
    uint16_t special;
  };
  static_assert(sizeof(Desc) == 16);

  uint32_t read(uint32_t reg);
  void write(uint32_t reg, uint32_t value);
  bool read_mac();
  void write_multicast_table(const phy::RxFilter& filter);
  void publish_rx_tail();
  Desc* rx_desc(uint32_t i) const;
  Desc* tx_desc(uint32_t i) const;
  uint64_t rx_buffer_device(uint32_t i) const;
  uint64_t tx_buffer_device(uint32_t i) const;

  uefi::PciIoProtocol* pci_ = nullptr;
  NicKind kind_;
  uint64_t saved_attributes_ = 0;
  DmaBuffer mem_;  // both descriptor rings, then the receive and transmit buffers
  // Monotonic counters; ring index = counter % kRingSize.
  uint32_t rx_prod_ = 0, rx_cons_ = 0, rx_released_ = 0, rx_published_ = 0;
  uint32_t tx_prod_ = 0, tx_cons_ = 0;
  uint8_t mac_[6] = {};
  bool started_ = false;
};

}  // namespace mpxe::driver
