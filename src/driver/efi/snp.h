// EFI_SIMPLE_NETWORK_PROTOCOL over one of our NIC drivers: what an NBP with its own
// network stack (GRUB's efinet, iPXE's snponly) drives once we hand the NIC over.
// It is installed on the boot handle only when a boot file has been downloaded, so
// OVMF's NetworkPkg never finds an SNP to bind to during discovery.
//
// Receive copies: a frame the device lends is copied into one pending slot and given
// straight back (in order, as phy::Device wants), so the ring never waits on the NBP.
// Transmit copies too (phy::Device::transmit), so the caller's buffer is free at once;
// its address still goes back through GetStatus, as the spec's recycling asks.
// Statistics counts what crosses this protocol -- frames the filters pass, frames
// sent -- not what our own stack exchanges over the same NIC.
#pragma once

#include "phy/device.h"
#include "phy/link_counters.h"
#include "uefi/protocols/simple_network.h"

namespace mpxe::driver {

class Snp {
 public:
  static constexpr uint32_t kHeaderSize = 14;       // Ethernet: two MACs + type
  static constexpr size_t kFrameCapacity = 1536;    // longest frame kept (1514 + VLAN slack)
  static constexpr uint32_t kTxRecycleSlots = 32;   // transmitted buffers not yet reported

  // What a NIC delivers before anyone programs its filter, as receive filters: our
  // address and broadcast; or, for a NIC that already delivers every multicast
  // frame, multicast by list and all-multicast too. The SNP applies the settings in
  // software on top, and asks the device (phy::Device::set_rx_filter) for whatever
  // more a setting needs, so ReceiveFilterMask is this set plus every filter the
  // device's rx_modes() can provide.
  static constexpr uint32_t kDeliversUnicastBroadcast =
      uefi::kSnpReceiveUnicast | uefi::kSnpReceiveBroadcast;
  static constexpr uint32_t kDeliversAllMulticast = kDeliversUnicastBroadcast |
                                                    uefi::kSnpReceiveMulticast |
                                                    uefi::kSnpReceivePromiscuousMulticast;

  // Mode filled, state Stopped; creates the WaitForPacket event. `delivered` is one
  // of the kDelivers* sets above.
  uefi::Status init(phy::Device* device, const uint8_t mac[6], uint32_t delivered);
  // Closes the event; the protocol must be uninstalled first.
  void fini();
  uefi::SimpleNetworkProtocol* protocol() { return &protocol_; }

 private:
  using State = uefi::SimpleNetworkState;

  static Snp* from(uefi::SimpleNetworkProtocol* self);
  static uefi::Status start(uefi::SimpleNetworkProtocol* self);
  static uefi::Status stop(uefi::SimpleNetworkProtocol* self);
  static uefi::Status initialize(uefi::SimpleNetworkProtocol* self, uefi::Uintn extra_rx,
                                 uefi::Uintn extra_tx);
  static uefi::Status reset(uefi::SimpleNetworkProtocol* self, uefi::Boolean extended);
  static uefi::Status shutdown(uefi::SimpleNetworkProtocol* self);
  static uefi::Status receive_filters(uefi::SimpleNetworkProtocol* self, uint32_t enable,
                                      uint32_t disable, uefi::Boolean reset_mcast,
                                      uefi::Uintn mcast_count, uefi::MacAddress* mcast);
  static uefi::Status station_address(uefi::SimpleNetworkProtocol* self, uefi::Boolean reset,
                                      uefi::MacAddress* address);
  static uefi::Status statistics(uefi::SimpleNetworkProtocol* self, uefi::Boolean reset,
                                 uefi::Uintn* size, uefi::NetworkStatistics* table);
  static uefi::Status mcast_ip_to_mac(uefi::SimpleNetworkProtocol* self, uefi::Boolean ipv6,
                                      uefi::IpAddress* ip, uefi::MacAddress* mac);
  static uefi::Status nv_data(uefi::SimpleNetworkProtocol* self, uefi::Boolean read,
                              uefi::Uintn offset, uefi::Uintn size, void* buffer);
  static uefi::Status get_status(uefi::SimpleNetworkProtocol* self, uint32_t* interrupts,
                                 void** tx_buf);
  static uefi::Status transmit(uefi::SimpleNetworkProtocol* self, uefi::Uintn header_size,
                               uefi::Uintn buffer_size, void* buffer, uefi::MacAddress* src,
                               uefi::MacAddress* dest, uint16_t* protocol);
  static uefi::Status receive(uefi::SimpleNetworkProtocol* self, uefi::Uintn* header_size,
                              uefi::Uintn* buffer_size, void* buffer, uefi::MacAddress* src,
                              uefi::MacAddress* dest, uint16_t* protocol);
  static void wait_for_packet_notify(uefi::Event event, void* context);

  State state() const { return static_cast<State>(mode_.State); }
  void set_state(State s) { mode_.State = static_cast<uint32_t>(s); }
  // kSuccess when Initialized; the spec's error for the other states otherwise.
  uefi::Status require_initialized() const;
  // Moves the next frame the filters accept into the pending slot; true when one waits.
  bool poll_rx();
  bool accepts(const uint8_t* frame) const;
  // What the device must be asked for so that `setting` (and, for multicast by
  // list, `groups`) sees its frames.
  phy::RxFilter device_filter(uint32_t setting, const uefi::MacAddress* groups,
                              uint32_t count) const;
  // Sets the filters in Mode and in the device; false (Mode unchanged) when the
  // device refuses.
  bool set_filters(uint32_t setting, const uefi::MacAddress* groups, uint32_t count);
  // Drops the pending frame and whatever the device holds, and forgets transmits.
  void flush();

  // First member: the protocol pointer an NBP holds converts back to this object.
  uefi::SimpleNetworkProtocol protocol_{};
  uefi::SimpleNetworkMode mode_{};
  phy::Device* device_ = nullptr;
  uint32_t delivered_ = 0;  // the kDelivers* set init() was given
  phy::LinkCounters counters_;
  size_t pending_size_ = 0;  // 0: no frame waiting
  uint8_t pending_[kFrameCapacity] = {};
  void* tx_done_[kTxRecycleSlots] = {};
  uint32_t tx_head_ = 0, tx_count_ = 0;
  bool tx_interrupt_ = false;
};

}  // namespace mpxe::driver
