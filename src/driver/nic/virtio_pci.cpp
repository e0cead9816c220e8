#include "driver/nic/virtio_pci.h"

#include "uefi/runtime/log.h"

namespace mpxe::driver {

using namespace uefi;

namespace {

// Legacy register block (virtio 1.1, 4.1.4.8), I/O BAR 0.
constexpr uint32_t kLegacyDeviceFeatures = 0x00;
constexpr uint32_t kLegacyDriverFeatures = 0x04;
constexpr uint32_t kLegacyQueueAddress = 0x08;  // page frame number
constexpr uint32_t kLegacyQueueSize = 0x0c;
constexpr uint32_t kLegacyQueueSelect = 0x0e;
constexpr uint32_t kLegacyQueueNotify = 0x10;
constexpr uint32_t kLegacyDeviceStatus = 0x12;
constexpr uint32_t kLegacyDeviceConfig = 0x14;  // without MSI-X, which we never enable

// struct virtio_pci_common_cfg (virtio 1.1, 4.1.4.3).
constexpr uint32_t kDeviceFeatureSelect = 0x00;
constexpr uint32_t kDeviceFeature = 0x04;
constexpr uint32_t kDriverFeatureSelect = 0x08;
constexpr uint32_t kDriverFeature = 0x0c;
constexpr uint32_t kDeviceStatus = 0x14;
constexpr uint32_t kQueueSelect = 0x16;
constexpr uint32_t kQueueSize = 0x18;
constexpr uint32_t kQueueEnable = 0x1c;
constexpr uint32_t kQueueNotifyOff = 0x1e;
constexpr uint32_t kQueueDesc = 0x20;
constexpr uint32_t kQueueDriver = 0x28;
constexpr uint32_t kQueueDevice = 0x30;

// PCI configuration space and struct virtio_pci_cap (4.1.4).
constexpr uint32_t kPciStatus = 0x06;
constexpr uint16_t kPciStatusCapList = 1 << 4;
constexpr uint32_t kPciCapPointer = 0x34;
constexpr uint8_t kCapVendorSpecific = 0x09;
constexpr uint8_t kCapCommonCfg = 1;
constexpr uint8_t kCapNotifyCfg = 2;
constexpr uint8_t kCapDeviceCfg = 4;
constexpr uint32_t kCapTypeOffset = 3;
constexpr uint32_t kCapBarOffset = 4;
constexpr uint32_t kCapOffsetOffset = 8;
constexpr uint32_t kCapNotifyMultiplierOffset = 16;

}  // namespace

uint8_t VirtioPci::read8(const Region& r, uint32_t offset) {
  uint8_t v = 0;
  (modern_ ? pci_->Mem : pci_->Io).Read(pci_, PciIoWidth::Uint8, r.bar, r.offset + offset, 1, &v);
  return v;
}
uint16_t VirtioPci::read16(const Region& r, uint32_t offset) {
  uint16_t v = 0;
  (modern_ ? pci_->Mem : pci_->Io).Read(pci_, PciIoWidth::Uint16, r.bar, r.offset + offset, 1, &v);
  return v;
}
uint32_t VirtioPci::read32(const Region& r, uint32_t offset) {
  uint32_t v = 0;
  (modern_ ? pci_->Mem : pci_->Io).Read(pci_, PciIoWidth::Uint32, r.bar, r.offset + offset, 1, &v);
  return v;
}
void VirtioPci::write8(const Region& r, uint32_t offset, uint8_t value) {
  (modern_ ? pci_->Mem : pci_->Io).Write(pci_, PciIoWidth::Uint8, r.bar, r.offset + offset, 1, &value);
}
void VirtioPci::write16(const Region& r, uint32_t offset, uint16_t value) {
  (modern_ ? pci_->Mem : pci_->Io).Write(pci_, PciIoWidth::Uint16, r.bar, r.offset + offset, 1, &value);
}
void VirtioPci::write32(const Region& r, uint32_t offset, uint32_t value) {
  (modern_ ? pci_->Mem : pci_->Io).Write(pci_, PciIoWidth::Uint32, r.bar, r.offset + offset, 1, &value);
}
void VirtioPci::write64(const Region& r, uint32_t offset, uint64_t value) {
  // 4.1.3.1: 64-bit fields are written as two 32-bit halves, low first.
  write32(r, offset, static_cast<uint32_t>(value));
  write32(r, offset + 4, static_cast<uint32_t>(value >> 32));
}

Status VirtioPci::find_capabilities() {
  uint16_t status = 0;
  pci_->Pci.Read(pci_, PciIoWidth::Uint16, kPciStatus, 1, &status);
  if ((status & kPciStatusCapList) == 0) return kUnsupported;
  uint8_t pointer = 0;
  pci_->Pci.Read(pci_, PciIoWidth::Uint8, kPciCapPointer, 1, &pointer);
  bool have_common = false, have_notify = false, have_device = false;
  // At most 48 capabilities fit in configuration space: bound the walk.
  for (int guard = 0; pointer >= 0x40 && guard < 48; ++guard) {
    uint8_t header[2] = {};
    pci_->Pci.Read(pci_, PciIoWidth::Uint8, pointer, 2, header);
    if (header[0] == kCapVendorSpecific) {
      uint8_t type = 0, bar = 0;
      uint32_t offset = 0;
      pci_->Pci.Read(pci_, PciIoWidth::Uint8, pointer + kCapTypeOffset, 1, &type);
      pci_->Pci.Read(pci_, PciIoWidth::Uint8, pointer + kCapBarOffset, 1, &bar);
      pci_->Pci.Read(pci_, PciIoWidth::Uint32, pointer + kCapOffsetOffset, 1, &offset);
      Region region{bar, offset};
      // 4.1.4.1: the first capability of each type is the preferred one.
      if (type == kCapCommonCfg && !have_common) {
        common_ = region;
        have_common = true;
      } else if (type == kCapNotifyCfg && !have_notify) {
        notify_ = region;
        pci_->Pci.Read(pci_, PciIoWidth::Uint32, pointer + kCapNotifyMultiplierOffset, 1,
                       &notify_multiplier_);
        have_notify = true;
      } else if (type == kCapDeviceCfg && !have_device) {
        device_ = region;
        have_device = true;
      }
    }
    pointer = header[1];
  }
  return have_common && have_notify && have_device ? kSuccess : kUnsupported;
}

Status VirtioPci::init(PciIoProtocol* pci, bool modern) {
  pci_ = pci;
  modern_ = modern;
  if (!modern) {
    common_ = notify_ = Region{0, 0};
    device_ = Region{0, kLegacyDeviceConfig};
    return kSuccess;
  }
  Status s = find_capabilities();
  if (is_error(s)) log("mpxe: virtio-net: no usable virtio PCI capabilities\n");
  return s;
}

void VirtioPci::reset() {
  set_status(0);
  // 4.1.4.3.2: after writing 0 the driver waits until the device reads back 0.
  for (int spins = 0; spins < 100000 && status() != 0; ++spins) {
  }
}

uint8_t VirtioPci::status() {
  return read8(common_, modern_ ? kDeviceStatus : kLegacyDeviceStatus);
}

void VirtioPci::set_status(uint8_t status) {
  write8(common_, modern_ ? kDeviceStatus : kLegacyDeviceStatus, status);
}

uint64_t VirtioPci::device_features() {
  if (!modern_) return read32(common_, kLegacyDeviceFeatures);
  write32(common_, kDeviceFeatureSelect, 0);
  uint64_t low = read32(common_, kDeviceFeature);
  write32(common_, kDeviceFeatureSelect, 1);
  uint64_t high = read32(common_, kDeviceFeature);
  return low | (high << 32);
}

void VirtioPci::set_driver_features(uint64_t features) {
  if (!modern_) {
    write32(common_, kLegacyDriverFeatures, static_cast<uint32_t>(features));
    return;
  }
  write32(common_, kDriverFeatureSelect, 0);
  write32(common_, kDriverFeature, static_cast<uint32_t>(features));
  write32(common_, kDriverFeatureSelect, 1);
  write32(common_, kDriverFeature, static_cast<uint32_t>(features >> 32));
}

uint8_t VirtioPci::config8(uint32_t offset) { return read8(device_, offset); }

Status VirtioPci::setup_queue(uint16_t index, uint16_t max_size, nic::Virtqueue& queue,
                              DmaBuffer& ring) {
  write16(common_, modern_ ? kQueueSelect : kLegacyQueueSelect, index);
  uint16_t size = read16(common_, modern_ ? kQueueSize : kLegacyQueueSize);
  // A modern device lets the driver shrink the queue; a legacy one does not.
  if (modern_ && size > max_size) {
    size = max_size;
    write16(common_, kQueueSize, size);
  }
  if (size == 0 || (size & (size - 1)) != 0 || size > 1024) {
    log("mpxe: virtio-net queue %u has unusable size %u\n", index, size);
    return kDeviceError;
  }
  Status s = ring.allocate(pci_, nic::Virtqueue::memory_size(size));
  if (is_error(s)) return s;
  queue.init(ring.host(), ring.device(), size);
  if (!modern_) {
    write32(common_, kLegacyQueueAddress,
            static_cast<uint32_t>(ring.device() / nic::Virtqueue::kAlign));
    return kSuccess;
  }
  write64(common_, kQueueDesc, queue.desc_device_addr());
  write64(common_, kQueueDriver, queue.avail_device_addr());
  write64(common_, kQueueDevice, queue.used_device_addr());
  if (index < 2) queue_notify_off_[index] = read16(common_, kQueueNotifyOff);
  write16(common_, kQueueEnable, 1);
  return kSuccess;
}

void VirtioPci::notify(uint16_t index) {
  if (!modern_) {
    write16(common_, kLegacyQueueNotify, index);
    return;
  }
  uint32_t offset = index < 2 ? queue_notify_off_[index] * notify_multiplier_ : 0;
  write16(notify_, offset, index);
}

}  // namespace mpxe::driver
