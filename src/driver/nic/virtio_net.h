// virtio-net (virtio 1.1, 5.1) over either PCI transport, split virtqueues, polled.
#pragma once

#include "driver/nic/dma_buffer.h"
#include "driver/nic/nic_driver.h"
#include "driver/nic/virtio_pci.h"
#include "nic/virtqueue.h"

namespace mpxe::driver {

class VirtioNet final : public NicDriver {
 public:
  static constexpr uint16_t kMaxQueue = 256;
  static constexpr uint32_t kBufferSize = 2048;

  // modern: the virtio 1.0 transport only (1af4:1041); else the transitional
  // device's legacy register block.
  explicit VirtioNet(bool modern) : modern_(modern) {}

  uefi::Status start(uefi::PciIoProtocol* pci) override;
  void stop() override;
  // A device reset ends all DMA.
  void quiesce() override;
  // Yes: without VIRTIO_NET_F_CTRL_RX (we do not negotiate it) there is no filter
  // to set, and QEMU's device delivers every frame.
  bool delivers_all_multicast() const override { return true; }

  phy::DeviceInfo info() const override;
  bool receive(phy::RxFrame& frame) override;
  void release(const phy::RxFrame& frame) override;
  bool transmit(Bytes frame) override;
  // Every mode, with nothing to program: we never negotiate VIRTIO_NET_F_CTRL_RX,
  // so the device keeps its reset state, which delivers every frame (see .cpp).
  uint32_t rx_modes() const override;
  bool set_rx_filter(const phy::RxFilter& filter) override;

 private:
  void refill_publish();
  void reclaim_tx();
  uint8_t* rx_buffer(uint32_t slot) const;
  uint8_t* tx_buffer(uint32_t slot) const;

  const bool modern_;
  uefi::PciIoProtocol* pci_ = nullptr;
  VirtioPci transport_;
  uint32_t header_size_ = 10;
  uint64_t saved_attributes_ = 0;
  DmaBuffer rx_ring_mem_, tx_ring_mem_, buffers_;
  nic::Virtqueue rx_, tx_;
  uint16_t rx_count_ = 0, tx_count_ = 0;
  uint16_t tx_free_[kMaxQueue] = {};  // transmit buffers not owned by the device
  uint16_t tx_free_count_ = 0;
  uint16_t unpublished_rx_ = 0;
  uint8_t mac_[6] = {};
  bool started_ = false;
};

}  // namespace mpxe::driver
