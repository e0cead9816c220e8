// virtio-net (virtio 1.1, 5.1) over either PCI transport, split virtqueues, polled.
#pragma once

#include "driver/nic/dma_buffer.h"
#include "driver/nic/virtio_pci.h"
#include "driver/nic/virtqueue.h"
#include "phy/device.h"
#include "uefi/protocols/pci_io.h"

namespace mpxe::driver {

class VirtioNet final : public phy::Device {
 public:
  static constexpr uint16_t kMaxQueue = 256;
  static constexpr uint32_t kBufferSize = 2048;

  uefi::Status start(uefi::PciIoProtocol* pci, bool modern);
  void stop();
  // At ExitBootServices: a device reset ends all DMA; nothing is freed (no boot
  // services left to free with) and the data path stays down.
  void quiesce();

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
