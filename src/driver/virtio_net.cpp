#include "driver/virtio_net.h"

#include "uefi/runtime/log.h"

extern "C" void* memcpy(void* dest, const void* src, size_t n);
extern "C" void* memset(void* dest, int value, size_t n);

namespace mpxe::driver {

using namespace uefi;

namespace {

// Legacy register block (virtio 1.1, 4.1.4.8), BAR 0, I/O space.
constexpr uint8_t kBar = 0;
constexpr uint32_t kDeviceFeatures = 0x00;
constexpr uint32_t kDriverFeatures = 0x04;
constexpr uint32_t kQueueAddress = 0x08;  // page frame number of the queue
constexpr uint32_t kQueueSize = 0x0c;
constexpr uint32_t kQueueSelect = 0x0e;
constexpr uint32_t kQueueNotify = 0x10;
constexpr uint32_t kDeviceStatus = 0x12;
constexpr uint32_t kDeviceConfig = 0x14;  // without MSI-X, which we never enable

constexpr uint8_t kStatusAcknowledge = 1;
constexpr uint8_t kStatusDriver = 2;
constexpr uint8_t kStatusDriverOk = 4;
constexpr uint8_t kStatusFailed = 128;

constexpr uint32_t kNetFeatureMac = 1u << 5;
constexpr uint32_t kFeatureAnyLayout = 1u << 27;

constexpr uint16_t kRxQueue = 0;
constexpr uint16_t kTxQueue = 1;
// struct virtio_net_hdr without num_buffers: legacy devices without MRG_RXBUF.
constexpr uint32_t kNetHeaderSize = 10;
constexpr uint32_t kMaxFrame = 1514;

}  // namespace

uint8_t VirtioNet::read8(uint32_t offset) {
  uint8_t v = 0;
  pci_->Io.Read(pci_, PciIoWidth::Uint8, kBar, offset, 1, &v);
  return v;
}
uint16_t VirtioNet::read16(uint32_t offset) {
  uint16_t v = 0;
  pci_->Io.Read(pci_, PciIoWidth::Uint16, kBar, offset, 1, &v);
  return v;
}
uint32_t VirtioNet::read32(uint32_t offset) {
  uint32_t v = 0;
  pci_->Io.Read(pci_, PciIoWidth::Uint32, kBar, offset, 1, &v);
  return v;
}
void VirtioNet::write8(uint32_t offset, uint8_t value) {
  pci_->Io.Write(pci_, PciIoWidth::Uint8, kBar, offset, 1, &value);
}
void VirtioNet::write16(uint32_t offset, uint16_t value) {
  pci_->Io.Write(pci_, PciIoWidth::Uint16, kBar, offset, 1, &value);
}
void VirtioNet::write32(uint32_t offset, uint32_t value) {
  pci_->Io.Write(pci_, PciIoWidth::Uint32, kBar, offset, 1, &value);
}

Status VirtioNet::setup_queue(uint16_t index, nic::Virtqueue& queue, DmaBuffer& ring) {
  write16(kQueueSelect, index);
  uint16_t size = read16(kQueueSize);
  if (size == 0 || (size & (size - 1)) != 0 || size > 1024) {
    log("mpxe: virtio-net queue %u has unusable size %u\n", index, size);
    return kDeviceError;
  }
  Status s = ring.allocate(pci_, nic::Virtqueue::memory_size(size));
  if (is_error(s)) return s;
  queue.init(ring.host(), ring.device(), size);
  write32(kQueueAddress, static_cast<uint32_t>(ring.device() / nic::Virtqueue::kAlign));
  return kSuccess;
}

uint8_t* VirtioNet::rx_buffer(uint32_t slot) const { return buffers_.host() + slot * kBufferSize; }
uint8_t* VirtioNet::tx_buffer(uint32_t slot) const {
  return buffers_.host() + (rx_count_ + slot) * kBufferSize;
}

Status VirtioNet::start(PciIoProtocol* pci) {
  pci_ = pci;
  pci->Attributes(pci, PciIoAttributeOperation::Get, 0, &saved_attributes_);
  Status s = pci->Attributes(pci, PciIoAttributeOperation::Enable,
                             kPciIoAttributeIo | kPciIoAttributeBusMaster, nullptr);
  if (is_error(s)) return s;

  // virtio 1.1, 3.1.2 (legacy): reset, acknowledge, driver, features, queues, driver ok.
  write8(kDeviceStatus, 0);
  write8(kDeviceStatus, kStatusAcknowledge);
  write8(kDeviceStatus, kStatusAcknowledge | kStatusDriver);
  uint32_t offered = read32(kDeviceFeatures);
  if ((offered & kNetFeatureMac) == 0) {
    log("mpxe: virtio-net offers no MAC address\n");
    write8(kDeviceStatus, kStatusFailed);
    return kUnsupported;
  }
  write32(kDriverFeatures, offered & (kNetFeatureMac | kFeatureAnyLayout));
  for (int i = 0; i < 6; ++i) mac_[i] = read8(kDeviceConfig + i);

  if (is_error(s = setup_queue(kRxQueue, rx_, rx_ring_mem_)) ||
      is_error(s = setup_queue(kTxQueue, tx_, tx_ring_mem_))) {
    write8(kDeviceStatus, kStatusFailed);
    stop();
    return s;
  }
  rx_count_ = rx_.size() < kMaxQueue ? rx_.size() : kMaxQueue;
  tx_count_ = tx_.size() < kMaxQueue ? tx_.size() : kMaxQueue;
  if (is_error(s = buffers_.allocate(pci, size_t{kBufferSize} * (rx_count_ + tx_count_)))) {
    write8(kDeviceStatus, kStatusFailed);
    stop();
    return s;
  }
  for (uint16_t slot = 0; slot < tx_count_; ++slot) tx_free_[slot] = slot;
  tx_free_count_ = tx_count_;
  for (uint16_t slot = 0; slot < rx_count_; ++slot)
    rx_.add(buffers_.device() + slot * kBufferSize, kBufferSize, true, slot);
  write8(kDeviceStatus, kStatusAcknowledge | kStatusDriver | kStatusDriverOk);
  if (rx_.publish()) write16(kQueueNotify, kRxQueue);
  started_ = true;
  return kSuccess;
}

void VirtioNet::stop() {
  if (pci_ == nullptr) return;
  // A reset stops all DMA before the buffers go back to the pool.
  write8(kDeviceStatus, 0);
  rx_ring_mem_.free();
  tx_ring_mem_.free();
  buffers_.free();
  pci_->Attributes(pci_, PciIoAttributeOperation::Set, saved_attributes_, nullptr);
  started_ = false;
}

phy::DeviceInfo VirtioNet::info() const {
  phy::DeviceInfo i;
  for (int k = 0; k < 6; ++k) i.mac[k] = mac_[k];
  i.mtu = 1500;
  i.rx_slots = rx_count_;
  return i;
}

void VirtioNet::refill_publish() {
  if (unpublished_rx_ == 0) return;
  unpublished_rx_ = 0;
  if (rx_.publish()) write16(kQueueNotify, kRxQueue);
}

bool VirtioNet::receive(phy::RxFrame& frame) {
  uint32_t slot = 0, len = 0;
  while (rx_.pop_used(&slot, &len)) {
    if (slot < rx_count_ && len > kNetHeaderSize && len <= kBufferSize) {
      frame.data = rx_buffer(slot) + kNetHeaderSize;
      frame.size = len - kNetHeaderSize;
      frame.slot = slot;
      return true;
    }
    if (slot < rx_count_) {  // runt or oversized: give the buffer straight back
      rx_.add(buffers_.device() + slot * kBufferSize, kBufferSize, true, slot);
      ++unpublished_rx_;
    }
  }
  // Nothing waiting: hand the device every buffer returned so far in one go.
  refill_publish();
  return false;
}

void VirtioNet::release(const phy::RxFrame& frame) {
  if (frame.slot >= rx_count_) return;
  rx_.add(buffers_.device() + frame.slot * kBufferSize, kBufferSize, true, frame.slot);
  // Batched refill: one publish (and at most one doorbell) per quarter ring.
  if (++unpublished_rx_ >= rx_count_ / 4) refill_publish();
}

void VirtioNet::reclaim_tx() {
  uint32_t slot = 0, len = 0;
  while (tx_.pop_used(&slot, &len))
    if (slot < tx_count_ && tx_free_count_ < tx_count_) tx_free_[tx_free_count_++] = static_cast<uint16_t>(slot);
}

bool VirtioNet::transmit(Bytes frame) {
  if (!started_ || frame.size() > kMaxFrame) return false;
  if (tx_free_count_ == 0) reclaim_tx();
  if (tx_free_count_ == 0) return false;
  uint16_t slot = tx_free_[--tx_free_count_];
  uint8_t* buf = tx_buffer(slot);
  memset(buf, 0, kNetHeaderSize);
  memcpy(buf + kNetHeaderSize, frame.data(), frame.size());
  uint64_t device = buffers_.device() + (rx_count_ + slot) * kBufferSize;
  tx_.add(device, static_cast<uint32_t>(kNetHeaderSize + frame.size()), false, slot);
  if (tx_.publish()) write16(kQueueNotify, kTxQueue);
  return true;
}

}  // namespace mpxe::driver
