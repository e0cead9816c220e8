#include "driver/efi/snp.h"

#include "core/byte_ops.h"
#include "uefi/runtime/efi.h"

namespace mpxe::driver {

using namespace uefi;

namespace {

constexpr uint8_t kIfTypeEthernet = 1;  // RFC 3232 ifType, as Mode->IfType wants
constexpr uint32_t kHwAddressSize = 6;

// EDK II's SNP raises to TPL_CALLBACK around every call, the level the spec lets SNP
// callers run at: an NBP's timer callback then never interleaves with its own poll.
class TplGuard {
 public:
  TplGuard() : old_(bs()->RaiseTPL(kTplCallback)) {}
  ~TplGuard() { bs()->RestoreTPL(old_); }
  TplGuard(const TplGuard&) = delete;
  TplGuard& operator=(const TplGuard&) = delete;

 private:
  Tpl old_;
};

void set_mac(MacAddress* out, const uint8_t* mac) {
  fill_bytes(MutableBytes(out->Addr, sizeof(out->Addr)), 0);
  copy_bytes(MutableBytes(out->Addr, kHwAddressSize), Bytes(mac, kHwAddressSize));
}

bool same_mac(const uint8_t* a, const uint8_t* b) {
  return bytes_equal(Bytes(a, kHwAddressSize), Bytes(b, kHwAddressSize));
}

constexpr uint32_t kAllFilters = Snp::kDeliversAllMulticast | kSnpReceivePromiscuous;

// The SNP filters a device's programmable modes make available. Multicast by list
// needs no list in the device: all-multicast plus our exact match in software does.
uint32_t filters_of(uint32_t rx_modes) {
  uint32_t filters = 0;
  if (rx_modes & (phy::kRxMulticastList | phy::kRxAllMulticast)) filters |= kSnpReceiveMulticast;
  if (rx_modes & phy::kRxAllMulticast) filters |= kSnpReceivePromiscuousMulticast;
  if (rx_modes & phy::kRxPromiscuous) filters |= kSnpReceivePromiscuous;
  return filters;
}

// The statistics table is EFI_NETWORK_STATISTICS read as 64-bit slots.
static_assert(sizeof(NetworkStatistics) == phy::LinkCounters::kSlots * sizeof(uint64_t));
static_assert(offsetof(NetworkStatistics, RxTotalBytes) ==
              static_cast<uint32_t>(phy::Stat::RxTotalBytes) * sizeof(uint64_t));
static_assert(offsetof(NetworkStatistics, TxTotalBytes) ==
              static_cast<uint32_t>(phy::Stat::TxTotalBytes) * sizeof(uint64_t));
static_assert(offsetof(NetworkStatistics, TxRetryFrames) ==
              static_cast<uint32_t>(phy::Stat::TxRetryFrames) * sizeof(uint64_t));

}  // namespace

Snp* Snp::from(SimpleNetworkProtocol* self) { return reinterpret_cast<Snp*>(self); }

Status Snp::init(phy::Device* device, const uint8_t mac[6], uint32_t delivered) {
  device_ = device;
  delivered_ = delivered & kAllFilters;
  counters_.reset();
  protocol_.Revision = kSimpleNetworkProtocolRevision;
  protocol_.Start = start;
  protocol_.Stop = stop;
  protocol_.Initialize = initialize;
  protocol_.Reset = reset;
  protocol_.Shutdown = shutdown;
  protocol_.ReceiveFilters = receive_filters;
  protocol_.StationAddress = station_address;
  protocol_.Statistics = statistics;
  protocol_.MCastIpToMac = mcast_ip_to_mac;
  protocol_.NvData = nv_data;
  protocol_.GetStatus = get_status;
  protocol_.Transmit = transmit;
  protocol_.Receive = receive;
  protocol_.Mode = &mode_;

  fill_bytes(MutableBytes(reinterpret_cast<uint8_t*>(&mode_), sizeof(mode_)), 0);
  set_state(State::Stopped);
  mode_.HwAddressSize = kHwAddressSize;
  mode_.MediaHeaderSize = kHeaderSize;
  mode_.MaxPacketSize = device->info().mtu;
  mode_.ReceiveFilterMask = (delivered_ | filters_of(device->rx_modes())) & kAllFilters;
  mode_.MaxMCastFilterCount =
      (mode_.ReceiveFilterMask & kSnpReceiveMulticast) ? kSnpMaxMcastFilterCount : 0;
  set_mac(&mode_.CurrentAddress, mac);
  set_mac(&mode_.PermanentAddress, mac);
  const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  set_mac(&mode_.BroadcastAddress, broadcast);
  mode_.IfType = kIfTypeEthernet;
  mode_.MacAddressChangeable = false;
  mode_.MultipleTxSupported = true;
  // Our drivers have no link query; the handoff follows a DHCP and TFTP exchange
  // that just crossed this link, so it is reported up (iPXE waits while it is down).
  mode_.MediaPresentSupported = true;
  mode_.MediaPresent = true;

  return bs()->CreateEvent(kEvtNotifyWait, kTplCallback, wait_for_packet_notify, this,
                           &protocol_.WaitForPacket);
}

void Snp::fini() {
  if (protocol_.WaitForPacket != nullptr) bs()->CloseEvent(protocol_.WaitForPacket);
  protocol_.WaitForPacket = nullptr;
}

Status Snp::require_initialized() const {
  switch (state()) {
    case State::Initialized:
      return kSuccess;
    case State::Stopped:
      return kNotStarted;
    default:
      return kDeviceError;  // Started: the EDK II answer for "not initialized yet"
  }
}

// Exact, whatever the device let through: its filter may be wider (a hash table,
// a device that delivers everything).
bool Snp::accepts(const uint8_t* frame) const {
  uint32_t on = mode_.ReceiveFilterSetting;
  if (on & kSnpReceivePromiscuous) return true;
  if (same_mac(frame, mode_.BroadcastAddress.Addr)) return (on & kSnpReceiveBroadcast) != 0;
  if (frame[0] & 1) {  // group bit: multicast
    if (on & kSnpReceivePromiscuousMulticast) return true;
    if ((on & kSnpReceiveMulticast) == 0) return false;
    for (uint32_t i = 0; i < mode_.MCastFilterCount; ++i)
      if (same_mac(frame, mode_.MCastFilter[i].Addr)) return true;
    return false;
  }
  return (on & kSnpReceiveUnicast) != 0 && same_mac(frame, mode_.CurrentAddress.Addr);
}

bool Snp::poll_rx() {
  // Bounded: a flood of frames we filter out must not keep the caller here forever.
  for (int budget = 64; pending_size_ == 0 && budget > 0; --budget) {
    phy::RxFrame frame;
    if (!device_->receive(frame)) break;
    if (frame.size < kHeaderSize) {
      counters_.runt(frame.size);
    } else if (accepts(frame.data)) {
      if (frame.size > kFrameCapacity) {
        counters_.oversize(frame.size);
      } else {
        copy_bytes(MutableBytes(pending_, frame.size), Bytes(frame.data, frame.size));
        pending_size_ = frame.size;
      }
    }
    device_->release(frame);
  }
  return pending_size_ != 0;
}

void Snp::flush() {
  if (pending_size_ != 0) counters_.dropped(pending_size_);
  pending_size_ = 0;
  for (int budget = 1024; budget > 0; --budget) {
    phy::RxFrame frame;
    if (!device_->receive(frame)) break;
    if (frame.size >= kHeaderSize && accepts(frame.data)) counters_.dropped(frame.size);
    device_->release(frame);
  }
  tx_head_ = tx_count_ = 0;
  tx_interrupt_ = false;
}

void Snp::wait_for_packet_notify(Event event, void* context) {
  // Runs at TPL_CALLBACK from the caller's CheckEvent/WaitForEvent.
  auto* self = static_cast<Snp*>(context);
  if (self->state() == State::Initialized && self->poll_rx()) bs()->SignalEvent(event);
}

Status Snp::start(SimpleNetworkProtocol* self) {
  Snp* snp = from(self);
  TplGuard tpl;
  if (snp->state() != State::Stopped) return kAlreadyStarted;
  snp->set_state(State::Started);
  return kSuccess;
}

Status Snp::stop(SimpleNetworkProtocol* self) {
  Snp* snp = from(self);
  TplGuard tpl;
  if (snp->state() == State::Stopped) return kNotStarted;
  if (snp->state() == State::Initialized) return kDeviceError;  // Shutdown comes first
  snp->set_state(State::Stopped);
  return kSuccess;
}

// The NIC itself keeps running: our own stack (PXE Base Code, a later LoadFile)
// shares it, and NBPs such as GRUB shut SNP down before chainloading an image that
// may still want it. "Initialize" therefore means a clean slate, not a device reset.
Status Snp::initialize(SimpleNetworkProtocol* self, Uintn, Uintn) {
  Snp* snp = from(self);
  TplGuard tpl;
  if (snp->state() == State::Stopped) return kNotStarted;
  if (snp->state() == State::Initialized) return kDeviceError;
  // Unicast and broadcast on, as every NIC of ours delivers them: a caller that
  // never sets filters still hears its DHCP answers.
  if (!snp->set_filters(kDeliversUnicastBroadcast, nullptr, 0)) return kDeviceError;
  snp->flush();
  snp->counters_.reset();
  snp->set_state(State::Initialized);
  return kSuccess;
}

Status Snp::reset(SimpleNetworkProtocol* self, Boolean) {
  Snp* snp = from(self);
  TplGuard tpl;
  Status s = snp->require_initialized();
  if (is_error(s)) return s;
  snp->flush();
  return kSuccess;
}

Status Snp::shutdown(SimpleNetworkProtocol* self) {
  Snp* snp = from(self);
  TplGuard tpl;
  Status s = snp->require_initialized();
  if (is_error(s)) return s;
  snp->flush();
  // The device goes back to what it delivers unprogrammed, for our own stack.
  snp->set_filters(0, nullptr, 0);
  snp->set_state(State::Started);
  return kSuccess;
}

phy::RxFilter Snp::device_filter(uint32_t setting, const MacAddress* groups,
                                 uint32_t count) const {
  phy::RxFilter filter;
  uint32_t wanted = setting & ~delivered_;  // what the device does not deliver by itself
  if (wanted & kSnpReceivePromiscuous) filter.modes |= phy::kRxPromiscuous;
  if (wanted & kSnpReceivePromiscuousMulticast) {
    filter.modes |= phy::kRxAllMulticast;
  } else if ((wanted & kSnpReceiveMulticast) && count != 0) {
    if ((device_->rx_modes() & phy::kRxMulticastList) == 0) {
      filter.modes |= phy::kRxAllMulticast;
    } else {
      filter.modes |= phy::kRxMulticastList;
      filter.group_count = count < phy::RxFilter::kMaxGroups ? count : phy::RxFilter::kMaxGroups;
      for (size_t i = 0; i < filter.group_count; ++i)
        copy_bytes(MutableBytes(filter.groups[i], kHwAddressSize),
                   Bytes(groups[i].Addr, kHwAddressSize));
    }
  }
  return filter;
}

bool Snp::set_filters(uint32_t setting, const MacAddress* groups, uint32_t count) {
  if (!device_->set_rx_filter(device_filter(setting, groups, count))) return false;
  if (groups != mode_.MCastFilter)  // set_mac clears before it copies
    for (uint32_t i = 0; i < count; ++i) set_mac(&mode_.MCastFilter[i], groups[i].Addr);
  mode_.MCastFilterCount = count;
  mode_.ReceiveFilterSetting = setting;
  return true;
}

// Enabling a filter outside ReceiveFilterMask is EFI_INVALID_PARAMETER (the spec's
// and EDK II's answer) rather than a silent success, which would let a stack believe
// frames arrive that never will. Neither NBP minds: GRUB masks its wish with
// ReceiveFilterMask before asking and ignores the status; iPXE asks for the mask
// itself first (disabling multicast by list), then narrower sets, and ignores
// failure. Disabling a filter outside the mask is accepted: it is off already.
// As in EDK II, ResetMCastFilter also turns multicast by list off: with an empty
// list it passes nothing, and Mode should not claim otherwise.
Status Snp::receive_filters(SimpleNetworkProtocol* self, uint32_t enable, uint32_t disable,
                            Boolean reset_mcast, Uintn mcast_count, MacAddress* mcast) {
  Snp* snp = from(self);
  TplGuard tpl;
  Status s = snp->require_initialized();
  if (is_error(s)) return s;
  const SimpleNetworkMode& mode = snp->mode_;
  if ((enable & ~mode.ReceiveFilterMask) != 0) return kInvalidParameter;
  if (!reset_mcast && mcast_count != 0) {
    if (mcast_count > mode.MaxMCastFilterCount || mcast == nullptr) return kInvalidParameter;
    for (Uintn i = 0; i < mcast_count; ++i)
      if ((mcast[i].Addr[0] & 1) == 0) return kInvalidParameter;  // not a group address
  }
  // UEFI 2.10: enabling multicast by list (and not disabling it in the same call)
  // takes a list.
  bool enables_list = (enable & ~disable & kSnpReceiveMulticast) != 0;
  if (enables_list && !reset_mcast && mcast_count == 0) return kInvalidParameter;

  uint32_t setting = ((mode.ReceiveFilterSetting | enable) & ~disable) & mode.ReceiveFilterMask;
  const MacAddress* groups = mode.MCastFilter;
  uint32_t count = mode.MCastFilterCount;
  if (reset_mcast) {
    setting &= ~kSnpReceiveMulticast;
    count = 0;
  } else if (mcast_count != 0) {
    groups = mcast;
    count = static_cast<uint32_t>(mcast_count);
  }
  return snp->set_filters(setting, groups, count) ? kSuccess : kDeviceError;
}

Status Snp::station_address(SimpleNetworkProtocol* self, Boolean reset, MacAddress* address) {
  Snp* snp = from(self);
  TplGuard tpl;
  Status s = snp->require_initialized();
  if (is_error(s)) return s;
  if (reset) return kSuccess;  // the current address is the permanent one
  if (address == nullptr) return kInvalidParameter;
  // Setting the address it already has is no change (iPXE does exactly that).
  if (same_mac(address->Addr, snp->mode_.CurrentAddress.Addr)) return kSuccess;
  return kUnsupported;  // MacAddressChangeable is FALSE
}

// UEFI 2.10, 24.1: a table smaller than every kept counter gets what fits and
// EFI_BUFFER_TOO_SMALL with the size needed (a size query passes 0 and no table);
// slots we do not keep read as all ones. Reset zeroes the counters after the table
// is filled, so a caller can read and clear without losing a frame in between.
Status Snp::statistics(SimpleNetworkProtocol* self, Boolean reset, Uintn* size,
                       NetworkStatistics* table) {
  Snp* snp = from(self);
  TplGuard tpl;
  Status s = snp->require_initialized();
  if (is_error(s)) return s;
  if (size == nullptr && table != nullptr) return kInvalidParameter;
  if (size != nullptr && *size != 0 && table == nullptr) return kInvalidParameter;
  if (size != nullptr) {
    size_t needed = snp->counters_.copy_to(reinterpret_cast<uint64_t*>(table), *size);
    if (needed > *size) s = kBufferTooSmall;
    *size = needed;
  }
  if (reset) snp->counters_.reset();
  return s;
}

// RFC 1112 6.4: an IPv4 group maps to 01:00:5e followed by the low 23 bits of the
// address. RFC 2464 7: an IPv6 group maps to 33:33 followed by its last 32 bits.
Status Snp::mcast_ip_to_mac(SimpleNetworkProtocol* self, Boolean ipv6, IpAddress* ip,
                            MacAddress* mac) {
  Snp* snp = from(self);
  Status s = snp->require_initialized();
  if (is_error(s)) return s;
  if (ip == nullptr || mac == nullptr) return kInvalidParameter;
  uint8_t out[6];
  if (ipv6) {
    const uint8_t* a = ip->v6.Addr;
    if (a[0] != 0xff) return kInvalidParameter;
    out[0] = 0x33;
    out[1] = 0x33;
    for (int i = 0; i < 4; ++i) out[2 + i] = a[12 + i];
  } else {
    const uint8_t* a = ip->v4.Addr;
    if ((a[0] & 0xf0) != 0xe0) return kInvalidParameter;  // not 224.0.0.0/4
    out[0] = 0x01;
    out[1] = 0x00;
    out[2] = 0x5e;
    out[3] = a[1] & 0x7f;
    out[4] = a[2];
    out[5] = a[3];
  }
  set_mac(mac, out);
  return kSuccess;
}

Status Snp::nv_data(SimpleNetworkProtocol* self, Boolean, Uintn, Uintn, void*) {
  Snp* snp = from(self);
  Status s = snp->require_initialized();
  return is_error(s) ? s : kUnsupported;  // NvRamSize is 0
}

Status Snp::get_status(SimpleNetworkProtocol* self, uint32_t* interrupts, void** tx_buf) {
  Snp* snp = from(self);
  TplGuard tpl;
  Status s = snp->require_initialized();
  if (is_error(s)) return s;
  if (interrupts != nullptr) {
    uint32_t bits = 0;
    if (snp->poll_rx()) bits |= kSnpReceiveInterrupt;
    if (snp->tx_interrupt_) bits |= kSnpTransmitInterrupt;
    snp->tx_interrupt_ = false;  // reading the status clears it; the recycle list stays
    *interrupts = bits;
  }
  if (tx_buf != nullptr) {
    *tx_buf = nullptr;
    if (snp->tx_count_ != 0) {
      *tx_buf = snp->tx_done_[snp->tx_head_];
      snp->tx_head_ = (snp->tx_head_ + 1) % kTxRecycleSlots;
      --snp->tx_count_;
    }
  }
  return kSuccess;
}

Status Snp::transmit(SimpleNetworkProtocol* self, Uintn header_size, Uintn buffer_size,
                     void* buffer, MacAddress* src, MacAddress* dest, uint16_t* protocol) {
  Snp* snp = from(self);
  TplGuard tpl;
  Status s = snp->require_initialized();
  if (is_error(s)) return s;
  if (buffer == nullptr) return kInvalidParameter;
  if (buffer_size < kHeaderSize) return kBufferTooSmall;
  if (buffer_size > kHeaderSize + snp->mode_.MaxPacketSize) return kInvalidParameter;
  auto* frame = static_cast<uint8_t*>(buffer);
  if (header_size != 0) {
    if (header_size != kHeaderSize || dest == nullptr || protocol == nullptr)
      return kInvalidParameter;
    // The spec has Transmit() fill the media header in the caller's buffer.
    const uint8_t* from_mac = src != nullptr ? src->Addr : snp->mode_.CurrentAddress.Addr;
    copy_bytes(MutableBytes(frame, 6), Bytes(dest->Addr, 6));
    copy_bytes(MutableBytes(frame + 6, 6), Bytes(from_mac, 6));
    store_be16(frame + 12, *protocol);
  }
  // The recycle list must have room to report this buffer back.
  if (snp->tx_count_ == kTxRecycleSlots) return kNotReady;
  if (!snp->device_->transmit(Bytes(frame, buffer_size))) return kNotReady;
  snp->counters_.transmitted(frame, buffer_size);
  snp->tx_done_[(snp->tx_head_ + snp->tx_count_) % kTxRecycleSlots] = buffer;
  ++snp->tx_count_;
  snp->tx_interrupt_ = true;
  return kSuccess;
}

Status Snp::receive(SimpleNetworkProtocol* self, Uintn* header_size, Uintn* buffer_size,
                    void* buffer, MacAddress* src, MacAddress* dest, uint16_t* protocol) {
  Snp* snp = from(self);
  TplGuard tpl;
  Status s = snp->require_initialized();
  if (is_error(s)) return s;
  if (buffer_size == nullptr || buffer == nullptr) return kInvalidParameter;
  if (!snp->poll_rx()) return kNotReady;
  size_t size = snp->pending_size_;
  if (*buffer_size < size) {
    // The frame stays pending: the caller grows its buffer and asks again.
    *buffer_size = size;
    return kBufferTooSmall;
  }
  const uint8_t* frame = snp->pending_;
  copy_bytes(MutableBytes(static_cast<uint8_t*>(buffer), size), Bytes(frame, size));
  *buffer_size = size;
  if (header_size != nullptr) *header_size = kHeaderSize;
  if (dest != nullptr) set_mac(dest, frame);
  if (src != nullptr) set_mac(src, frame + 6);
  if (protocol != nullptr) *protocol = load_be16(frame + 12);
  snp->counters_.received(frame, size);
  snp->pending_size_ = 0;
  return kSuccess;
}

}  // namespace mpxe::driver
