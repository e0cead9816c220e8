// The virtio PCI transport (virtio 1.1, 4.1) in both of its forms, so one net
// driver serves the transitional device (1af4:1000, legacy register block in
// I/O BAR 0) and the modern one (1af4:1041, vendor capabilities pointing into
// memory BARs).
#pragma once

#include "driver/nic/dma_buffer.h"
#include "nic/virtqueue.h"
#include "uefi/protocols/pci_io.h"

namespace mpxe::driver {

class VirtioPci {
 public:
  static constexpr uint8_t kStatusAcknowledge = 1;
  static constexpr uint8_t kStatusDriver = 2;
  static constexpr uint8_t kStatusDriverOk = 4;
  static constexpr uint8_t kStatusFeaturesOk = 8;
  static constexpr uint8_t kStatusFailed = 128;
  static constexpr uint64_t kFeatureVersion1 = uint64_t{1} << 32;

  // Finds the register blocks; modern=true looks for the virtio capabilities.
  uefi::Status init(uefi::PciIoProtocol* pci, bool modern);
  bool modern() const { return modern_; }

  void reset();
  uint8_t status();
  void set_status(uint8_t status);
  uint64_t device_features();
  void set_driver_features(uint64_t features);
  uint8_t config8(uint32_t offset);

  // Sizes, allocates and registers queue `index`; the queue is live afterwards.
  uefi::Status setup_queue(uint16_t index, uint16_t max_size, nic::Virtqueue& queue,
                           DmaBuffer& ring);
  void notify(uint16_t index);

 private:
  struct Region {
    uint8_t bar = 0;
    uint32_t offset = 0;
  };

  uefi::Status find_capabilities();
  uint8_t read8(const Region& r, uint32_t offset);
  uint16_t read16(const Region& r, uint32_t offset);
  uint32_t read32(const Region& r, uint32_t offset);
  void write8(const Region& r, uint32_t offset, uint8_t value);
  void write16(const Region& r, uint32_t offset, uint16_t value);
  void write32(const Region& r, uint32_t offset, uint32_t value);
  void write64(const Region& r, uint32_t offset, uint64_t value);

  uefi::PciIoProtocol* pci_ = nullptr;
  bool modern_ = false;
  Region common_, notify_, device_;
  uint32_t notify_multiplier_ = 0;
  uint16_t queue_notify_off_[2] = {};
};

}  // namespace mpxe::driver
