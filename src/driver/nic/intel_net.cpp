#include "driver/nic/intel_net.h"

#include "phy/multicast_table.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"
#include "uefi/runtime/memory.h"

extern "C" void* memcpy(void* dest, const void* src, size_t n);

namespace mpxe::driver {

using namespace uefi;

namespace {

constexpr uint8_t kBar = 0;  // memory-mapped registers

constexpr uint32_t kCtrl = 0x0000;
constexpr uint32_t kStatus = 0x0008;
constexpr uint32_t kEerd = 0x0014;
constexpr uint32_t kImc = 0x00d8;
constexpr uint32_t kRctl = 0x0100;
constexpr uint32_t kTctl = 0x0400;
constexpr uint32_t kTipg = 0x0410;
constexpr uint32_t kRdbal = 0x2800, kRdbah = 0x2804, kRdlen = 0x2808, kRdh = 0x2810, kRdt = 0x2818;
constexpr uint32_t kTdbal = 0x3800, kTdbah = 0x3804, kTdlen = 0x3808, kTdh = 0x3810, kTdt = 0x3818;
constexpr uint32_t kMta = 0x5200;
constexpr uint32_t kRal0 = 0x5400, kRah0 = 0x5404;

constexpr uint32_t kCtrlAutoSpeed = 1u << 5;
constexpr uint32_t kCtrlSetLinkUp = 1u << 6;
constexpr uint32_t kCtrlReset = 1u << 26;
constexpr uint32_t kStatusLinkUp = 1u << 1;
constexpr uint32_t kRahAddressValid = 1u << 31;

constexpr uint32_t kRctlEnable = 1u << 1;
constexpr uint32_t kRctlUnicastPromiscuous = 1u << 3;    // UPE
constexpr uint32_t kRctlMulticastPromiscuous = 1u << 4;  // MPE
// RCTL.MO (bits 13:12) stays 00, the MTA hash MulticastTable computes by default.
constexpr uint32_t kRctlBroadcastAccept = 1u << 15;
constexpr uint32_t kRctlStripCrc = 1u << 26;  // BSIZE 00: 2048-byte buffers
constexpr uint32_t kTctlEnable = 1u << 1;
constexpr uint32_t kTctlPadShort = 1u << 3;
constexpr uint32_t kTctlCollisionThreshold = 0x0f << 4;
constexpr uint32_t kTctlCollisionDistance = 0x3f << 12;
constexpr uint32_t kTipgDefault = 10 | (8 << 10) | (6 << 20);  // IEEE 802.3 copper

constexpr uint8_t kDescDone = 1 << 0;
constexpr uint8_t kDescEndOfPacket = 1 << 1;
constexpr uint8_t kTxCmdEop = 1 << 0;
constexpr uint8_t kTxCmdInsertCrc = 1 << 1;
constexpr uint8_t kTxCmdReportStatus = 1 << 3;
constexpr uint32_t kMaxFrame = 1514;
constexpr uint32_t kRxBatch = 32;

constexpr size_t kRingBytes = IntelNet::kRingSize * 16;

}  // namespace

uint32_t IntelNet::read(uint32_t reg) {
  uint32_t v = 0;
  pci_->Mem.Read(pci_, PciIoWidth::Uint32, kBar, reg, 1, &v);
  return v;
}

void IntelNet::write(uint32_t reg, uint32_t value) {
  pci_->Mem.Write(pci_, PciIoWidth::Uint32, kBar, reg, 1, &value);
}

IntelNet::Desc* IntelNet::rx_desc(uint32_t i) const {
  return reinterpret_cast<Desc*>(mem_.host()) + (i % kRingSize);
}
IntelNet::Desc* IntelNet::tx_desc(uint32_t i) const {
  return reinterpret_cast<Desc*>(mem_.host() + kRingBytes) + (i % kRingSize);
}
uint64_t IntelNet::rx_buffer_device(uint32_t i) const {
  return mem_.device() + 2 * kRingBytes + uint64_t{i % kRingSize} * kBufferSize;
}
uint64_t IntelNet::tx_buffer_device(uint32_t i) const {
  return mem_.device() + 2 * kRingBytes + uint64_t{kRingSize + i % kRingSize} * kBufferSize;
}

bool IntelNet::read_mac() {
  uint32_t low = read(kRal0), high = read(kRah0);
  if ((high & kRahAddressValid) == 0) {
    // Receive address 0 not loaded: read words 0-2 of the EEPROM. EERD's layout
    // differs: 8254x has start bit 0, done bit 4, address at bit 8; 82574 has
    // done bit 1 and the address at bit 2.
    bool is_82574 = kind_ == NicKind::E1000e;
    uint32_t done = is_82574 ? (1u << 1) : (1u << 4);
    uint32_t shift = is_82574 ? 2 : 8;
    uint16_t words[3] = {};
    for (uint32_t w = 0; w < 3; ++w) {
      write(kEerd, 1u | (w << shift));
      uint32_t v = 0;
      for (int spins = 0; spins < 1000 && ((v = read(kEerd)) & done) == 0; ++spins) bs()->Stall(10);
      if ((v & done) == 0) return false;
      words[w] = static_cast<uint16_t>(v >> 16);
    }
    low = words[0] | (uint32_t{words[1]} << 16);
    high = words[2];
  }
  for (int i = 0; i < 4; ++i) mac_[i] = static_cast<uint8_t>(low >> (8 * i));
  mac_[4] = static_cast<uint8_t>(high);
  mac_[5] = static_cast<uint8_t>(high >> 8);
  return true;
}

Status IntelNet::start(PciIoProtocol* pci) {
  pci_ = pci;
  pci->Attributes(pci, PciIoAttributeOperation::Get, 0, &saved_attributes_);
  Status s = pci->Attributes(pci, PciIoAttributeOperation::Enable,
                             kPciIoAttributeMemory | kPciIoAttributeBusMaster, nullptr);
  if (is_error(s)) return s;

  write(kImc, 0xffffffff);
  write(kCtrl, read(kCtrl) | kCtrlReset);
  bs()->Stall(10);
  for (int spins = 0; spins < 1000 && (read(kCtrl) & kCtrlReset) != 0; ++spins) bs()->Stall(10);
  if (read(kCtrl) & kCtrlReset) {
    log("mpxe: e1000 did not come out of reset\n");
    return kDeviceError;
  }
  write(kImc, 0xffffffff);
  write(kCtrl, read(kCtrl) | kCtrlSetLinkUp | kCtrlAutoSpeed);
  if (!read_mac()) {
    log("mpxe: e1000 EEPROM read timed out\n");
    return kDeviceError;
  }
  write_multicast_table(phy::RxFilter{});

  s = mem_.allocate(pci, 2 * kRingBytes + size_t{2} * kRingSize * kBufferSize);
  if (is_error(s)) return s;

  for (uint32_t i = 0; i < kRingSize; ++i) rx_desc(i)->addr = rx_buffer_device(i);
  rx_prod_ = kRingSize - 1;  // one slot stays empty: RDH == RDT means "no buffers"
  rx_cons_ = rx_released_ = 0;
  write(kRdbal, static_cast<uint32_t>(mem_.device()));
  write(kRdbah, static_cast<uint32_t>(mem_.device() >> 32));
  write(kRdlen, kRingBytes);
  write(kRdh, 0);
  rx_published_ = rx_prod_;
  write(kRdt, rx_prod_ % kRingSize);
  write(kRctl, kRctlEnable | kRctlBroadcastAccept | kRctlStripCrc);

  tx_prod_ = tx_cons_ = 0;
  uint64_t tx_ring = mem_.device() + kRingBytes;
  write(kTdbal, static_cast<uint32_t>(tx_ring));
  write(kTdbah, static_cast<uint32_t>(tx_ring >> 32));
  write(kTdlen, kRingBytes);
  write(kTdh, 0);
  write(kTdt, 0);
  write(kTipg, kTipgDefault);
  write(kTctl, kTctlEnable | kTctlPadShort | kTctlCollisionThreshold | kTctlCollisionDistance);
  started_ = true;

  // Link comes up within a few milliseconds on QEMU; wait a bounded time only.
  for (int ms = 0; ms < 3000 && (read(kStatus) & kStatusLinkUp) == 0; ++ms) bs()->Stall(1000);
  if ((read(kStatus) & kStatusLinkUp) == 0) log("mpxe: e1000 link is down\n");
  return kSuccess;
}

void IntelNet::stop() {
  if (pci_ == nullptr || !mem_.valid()) return;
  write(kRctl, 0);
  write(kTctl, 0);
  write(kCtrl, read(kCtrl) | kCtrlReset);  // stops all DMA before the memory is freed
  bs()->Stall(10);
  mem_.free();
  pci_->Attributes(pci_, PciIoAttributeOperation::Set, saved_attributes_, nullptr);
  started_ = false;
}

void IntelNet::quiesce() {
  if (pci_ == nullptr || !started_) return;
  write(kRctl, 0);
  write(kTctl, 0);
  write(kCtrl, read(kCtrl) | kCtrlReset);
  started_ = false;
}

phy::DeviceInfo IntelNet::info() const {
  phy::DeviceInfo i;
  for (int k = 0; k < 6; ++k) i.mac[k] = mac_[k];
  i.rx_slots = kRingSize - 1;
  return i;
}

uint32_t IntelNet::rx_modes() const {
  return phy::kRxMulticastList | phy::kRxAllMulticast | phy::kRxPromiscuous;
}

void IntelNet::write_multicast_table(const phy::RxFilter& filter) {
  phy::MulticastTable table;
  table.add_list(filter);
  for (uint32_t i = 0; i < phy::MulticastTable::kWords; ++i) write(kMta + 4 * i, table.word(i));
}

bool IntelNet::set_rx_filter(const phy::RxFilter& filter) {
  if (!started_ || (filter.modes & ~rx_modes()) != 0) return false;
  write_multicast_table(filter);
  uint32_t rctl = read(kRctl) & ~(kRctlUnicastPromiscuous | kRctlMulticastPromiscuous);
  if (filter.modes & phy::kRxPromiscuous) rctl |= kRctlUnicastPromiscuous;
  if (filter.modes & (phy::kRxPromiscuous | phy::kRxAllMulticast)) rctl |= kRctlMulticastPromiscuous;
  // QEMU's e1000 stops receiving for 1 s (virtual clock) after every RCTL write,
  // whatever was written (set_rx_control arms flush_queue_timer): an NBP that asks
  // SNP for the filters it already has must not lose a second of frames.
  if (rctl != read(kRctl)) write(kRctl, rctl);
  return true;
}

void IntelNet::publish_rx_tail() {
  if (rx_prod_ == rx_published_) return;
  // The descriptors must be in memory before the device sees the new tail.
  __atomic_thread_fence(__ATOMIC_RELEASE);
  write(kRdt, rx_prod_ % kRingSize);
  rx_published_ = rx_prod_;
}

bool IntelNet::receive(phy::RxFrame& frame) {
  if (!started_) return false;
  while (rx_cons_ != rx_prod_) {
    Desc* d = rx_desc(rx_cons_);
    uint8_t status = __atomic_load_n(&d->status, __ATOMIC_ACQUIRE);
    if ((status & kDescDone) == 0) break;
    uint32_t slot = rx_cons_ % kRingSize;
    ++rx_cons_;
    // Frames never span buffers at our MTU; anything else is dropped here.
    if ((status & kDescEndOfPacket) && d->errors_or_css == 0 && d->length >= 14 &&
        d->length <= kBufferSize) {
      frame.data = mem_.host() + 2 * kRingBytes + size_t{slot} * kBufferSize;
      frame.size = d->length;
      frame.slot = slot;
      return true;
    }
    phy::RxFrame dropped;
    dropped.slot = slot;
    release(dropped);
  }
  publish_rx_tail();
  return false;
}

void IntelNet::release(const phy::RxFrame& frame) {
  if (frame.slot != rx_released_ % kRingSize) return;  // out of order: see the header
  ++rx_released_;
  // The slot released before this one became the ring's gap; re-arm it.
  Desc* d = rx_desc(rx_prod_);
  d->addr = rx_buffer_device(rx_prod_);
  d->status = 0;
  d->errors_or_css = 0;
  ++rx_prod_;
  if (rx_prod_ - rx_published_ >= kRxBatch) publish_rx_tail();
}

bool IntelNet::transmit(Bytes frame) {
  if (!started_ || frame.size() > kMaxFrame) return false;
  while (tx_cons_ != tx_prod_ &&
         (__atomic_load_n(&tx_desc(tx_cons_)->status, __ATOMIC_ACQUIRE) & kDescDone))
    ++tx_cons_;
  if (tx_prod_ - tx_cons_ >= kRingSize - 1) return false;
  uint32_t slot = tx_prod_ % kRingSize;
  memcpy(mem_.host() + 2 * kRingBytes + size_t{kRingSize + slot} * kBufferSize, frame.data(),
         frame.size());
  Desc* d = tx_desc(slot);
  d->addr = tx_buffer_device(slot);
  d->length = static_cast<uint16_t>(frame.size());
  d->cso_or_checksum_lo = 0;
  d->cmd_or_checksum_hi = kTxCmdEop | kTxCmdInsertCrc | kTxCmdReportStatus;
  d->status = 0;
  ++tx_prod_;
  __atomic_thread_fence(__ATOMIC_RELEASE);
  write(kTdt, tx_prod_ % kRingSize);
  return true;
}

NicDriver* make_intel_net(NicKind kind) { return new (std::nothrow) IntelNet(kind); }

}  // namespace mpxe::driver
