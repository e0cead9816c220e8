#include "driver/nic/virtio_net.h"

#include "driver/nic/nic_models.h"
#include "uefi/runtime/log.h"
#include "uefi/runtime/memory.h"

extern "C" void* memcpy(void* dest, const void* src, size_t n);
extern "C" void* memset(void* dest, int value, size_t n);

namespace mpxe::driver {

using namespace uefi;

namespace {

constexpr uint64_t kNetFeatureMac = 1u << 5;
constexpr uint64_t kFeatureAnyLayout = 1u << 27;
constexpr uint32_t kNetConfigMac = 0;

constexpr uint16_t kRxQueue = 0;
constexpr uint16_t kTxQueue = 1;
// struct virtio_net_hdr (5.1.6): 10 bytes for a legacy device without
// MRG_RXBUF, 12 (with num_buffers) once VIRTIO_F_VERSION_1 is negotiated.
constexpr uint32_t kLegacyHeaderSize = 10;
constexpr uint32_t kModernHeaderSize = 12;
constexpr uint32_t kMaxFrame = 1514;

}  // namespace

uint8_t* VirtioNet::rx_buffer(uint32_t slot) const { return buffers_.host() + slot * kBufferSize; }
uint8_t* VirtioNet::tx_buffer(uint32_t slot) const {
  return buffers_.host() + (rx_count_ + slot) * kBufferSize;
}

Status VirtioNet::start(PciIoProtocol* pci) {
  bool modern = modern_;
  pci_ = pci;
  pci->Attributes(pci, PciIoAttributeOperation::Get, 0, &saved_attributes_);
  uint64_t space = modern ? kPciIoAttributeMemory : kPciIoAttributeIo;
  Status s = pci->Attributes(pci, PciIoAttributeOperation::Enable,
                             space | kPciIoAttributeBusMaster, nullptr);
  if (is_error(s)) return s;
  if (is_error(s = transport_.init(pci, modern))) return s;

  // virtio 1.1, 3.1.1: reset, acknowledge, driver, features, (features ok),
  // queues, driver ok.
  transport_.reset();
  transport_.set_status(VirtioPci::kStatusAcknowledge);
  transport_.set_status(VirtioPci::kStatusAcknowledge | VirtioPci::kStatusDriver);
  uint64_t offered = transport_.device_features();
  if ((offered & kNetFeatureMac) == 0 || (modern && (offered & VirtioPci::kFeatureVersion1) == 0)) {
    log("mpxe: virtio-net offers no MAC address or no virtio 1.0 interface\n");
    transport_.set_status(VirtioPci::kStatusFailed);
    return kUnsupported;
  }
  uint64_t wanted = kNetFeatureMac | (modern ? VirtioPci::kFeatureVersion1 : kFeatureAnyLayout);
  transport_.set_driver_features(offered & wanted);
  uint8_t status = VirtioPci::kStatusAcknowledge | VirtioPci::kStatusDriver;
  if (modern) {
    status |= VirtioPci::kStatusFeaturesOk;
    transport_.set_status(status);
    if ((transport_.status() & VirtioPci::kStatusFeaturesOk) == 0) {
      log("mpxe: virtio-net refused our feature set\n");
      transport_.set_status(VirtioPci::kStatusFailed);
      return kUnsupported;
    }
  }
  header_size_ = modern ? kModernHeaderSize : kLegacyHeaderSize;
  for (int i = 0; i < 6; ++i) mac_[i] = transport_.config8(kNetConfigMac + i);

  if (is_error(s = transport_.setup_queue(kRxQueue, kMaxQueue, rx_, rx_ring_mem_)) ||
      is_error(s = transport_.setup_queue(kTxQueue, kMaxQueue, tx_, tx_ring_mem_))) {
    transport_.set_status(VirtioPci::kStatusFailed);
    stop();
    return s;
  }
  rx_count_ = rx_.size() < kMaxQueue ? rx_.size() : kMaxQueue;
  tx_count_ = tx_.size() < kMaxQueue ? tx_.size() : kMaxQueue;
  if (is_error(s = buffers_.allocate(pci, size_t{kBufferSize} * (rx_count_ + tx_count_)))) {
    transport_.set_status(VirtioPci::kStatusFailed);
    stop();
    return s;
  }
  for (uint16_t slot = 0; slot < tx_count_; ++slot) tx_free_[slot] = slot;
  tx_free_count_ = tx_count_;
  for (uint16_t slot = 0; slot < rx_count_; ++slot)
    rx_.add(buffers_.device() + slot * kBufferSize, kBufferSize, true, slot);
  transport_.set_status(status | VirtioPci::kStatusDriverOk);
  if (rx_.publish()) transport_.notify(kRxQueue);
  started_ = true;
  return kSuccess;
}

void VirtioNet::stop() {
  if (pci_ == nullptr) return;
  // A reset stops all DMA before the buffers go back to the pool.
  transport_.reset();
  rx_ring_mem_.free();
  tx_ring_mem_.free();
  buffers_.free();
  pci_->Attributes(pci_, PciIoAttributeOperation::Set, saved_attributes_, nullptr);
  started_ = false;
}

void VirtioNet::quiesce() {
  if (!started_) return;
  transport_.reset();
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
  if (rx_.publish()) transport_.notify(kRxQueue);
}

bool VirtioNet::receive(phy::RxFrame& frame) {
  if (!started_) return false;
  uint32_t slot = 0, len = 0;
  while (rx_.pop_used(&slot, &len)) {
    if (slot < rx_count_ && len > header_size_ && len <= kBufferSize) {
      frame.data = rx_buffer(slot) + header_size_;
      frame.size = len - header_size_;
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

// virtio 1.1, 5.1.6.5.1-2: without VIRTIO_NET_F_CTRL_RX the driver may issue no
// receive-mode or MAC-table command, and the spec defines receive filtering only
// through them, saying nothing of a device without them. QEMU's resets into
// "compatibility mode", promiscuous, and stays there (virtio_net_reset sets
// promisc). So every frame on the link arrives, and the SNP filters in software --
// what OVMF's VirtioNetDxe relies on too when it offers promiscuous receive
// without a control queue.
uint32_t VirtioNet::rx_modes() const {
  return phy::kRxMulticastList | phy::kRxAllMulticast | phy::kRxPromiscuous;
}

bool VirtioNet::set_rx_filter(const phy::RxFilter& filter) {
  return (filter.modes & ~rx_modes()) == 0;
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
  memset(buf, 0, header_size_);
  memcpy(buf + header_size_, frame.data(), frame.size());
  uint64_t device = buffers_.device() + (rx_count_ + slot) * kBufferSize;
  tx_.add(device, header_size_ + static_cast<uint32_t>(frame.size()), false, slot);
  if (tx_.publish()) transport_.notify(kTxQueue);
  return true;
}

NicDriver* make_virtio_net(NicKind kind) {
  return new (std::nothrow) VirtioNet(kind == NicKind::VirtioModern);
}

}  // namespace mpxe::driver
