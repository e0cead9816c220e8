// EFI_SIMPLE_NETWORK_PROTOCOL (UEFI 2.10, 24.1): the raw-frame interface NBPs with
// their own network stack (GRUB's efinet, iPXE's snponly) drive a NIC through.
#pragma once

#include "uefi/tables.h"

namespace uefi {

inline constexpr Guid kSimpleNetworkProtocolGuid = {
    0xa19832b9, 0xac25, 0x11d3, {0x9a, 0x2d, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d}};

constexpr uint64_t kSimpleNetworkProtocolRevision = 0x00010000;

// EFI_SIMPLE_NETWORK_STATE.
enum class SimpleNetworkState : uint32_t { Stopped, Started, Initialized };

// EFI_SIMPLE_NETWORK_RECEIVE_* (ReceiveFilterMask, ReceiveFilterSetting).
constexpr uint32_t kSnpReceiveUnicast = 0x01;
constexpr uint32_t kSnpReceiveMulticast = 0x02;
constexpr uint32_t kSnpReceiveBroadcast = 0x04;
constexpr uint32_t kSnpReceivePromiscuous = 0x08;
constexpr uint32_t kSnpReceivePromiscuousMulticast = 0x10;

// EFI_SIMPLE_NETWORK_*_INTERRUPT (GetStatus's InterruptStatus).
constexpr uint32_t kSnpReceiveInterrupt = 0x01;
constexpr uint32_t kSnpTransmitInterrupt = 0x02;
constexpr uint32_t kSnpCommandInterrupt = 0x04;
constexpr uint32_t kSnpSoftwareInterrupt = 0x08;

constexpr int kSnpMaxMcastFilterCount = 16;  // MAX_MCAST_FILTER_CNT

struct SimpleNetworkMode {
  uint32_t State;  // SimpleNetworkState
  uint32_t HwAddressSize;
  uint32_t MediaHeaderSize;
  uint32_t MaxPacketSize;
  uint32_t NvRamSize;
  uint32_t NvRamAccessSize;
  uint32_t ReceiveFilterMask;
  uint32_t ReceiveFilterSetting;
  uint32_t MaxMCastFilterCount;
  uint32_t MCastFilterCount;
  MacAddress MCastFilter[kSnpMaxMcastFilterCount];
  MacAddress CurrentAddress;
  MacAddress BroadcastAddress;
  MacAddress PermanentAddress;
  uint8_t IfType;
  Boolean MacAddressChangeable;
  Boolean MultipleTxSupported;
  Boolean MediaPresentSupported;
  Boolean MediaPresent;
};
static_assert(offsetof(SimpleNetworkMode, MCastFilter) == 40);
static_assert(offsetof(SimpleNetworkMode, CurrentAddress) == 40 + 16 * 32);
static_assert(offsetof(SimpleNetworkMode, IfType) == 40 + 19 * 32);
static_assert(sizeof(SimpleNetworkMode) == 656);  // 653 bytes of fields, padded to 4

// EFI_NETWORK_STATISTICS: 26 counters (10 receive, 10 transmit, 6 more).
struct NetworkStatistics {
  uint64_t RxTotalFrames, RxGoodFrames, RxUndersizeFrames, RxOversizeFrames, RxDroppedFrames,
      RxUnicastFrames, RxBroadcastFrames, RxMulticastFrames, RxCrcErrorFrames, RxTotalBytes;
  uint64_t TxTotalFrames, TxGoodFrames, TxUndersizeFrames, TxOversizeFrames, TxDroppedFrames,
      TxUnicastFrames, TxBroadcastFrames, TxMulticastFrames, TxCrcErrorFrames, TxTotalBytes;
  uint64_t Collisions, UnsupportedProtocol, RxDuplicatedFrames, RxDecryptErrorFrames,
      TxErrorFrames, TxRetryFrames;
};
static_assert(sizeof(NetworkStatistics) == 26 * 8);

struct SimpleNetworkProtocol {
  uint64_t Revision;
  Status (*Start)(SimpleNetworkProtocol* self);
  Status (*Stop)(SimpleNetworkProtocol* self);
  Status (*Initialize)(SimpleNetworkProtocol* self, Uintn extra_rx_buffer_size,
                       Uintn extra_tx_buffer_size);
  Status (*Reset)(SimpleNetworkProtocol* self, Boolean extended_verification);
  Status (*Shutdown)(SimpleNetworkProtocol* self);
  Status (*ReceiveFilters)(SimpleNetworkProtocol* self, uint32_t enable, uint32_t disable,
                           Boolean reset_mcast_filter, Uintn mcast_filter_count,
                           MacAddress* mcast_filter);
  Status (*StationAddress)(SimpleNetworkProtocol* self, Boolean reset, MacAddress* new_address);
  Status (*Statistics)(SimpleNetworkProtocol* self, Boolean reset, Uintn* statistics_size,
                       NetworkStatistics* statistics_table);
  Status (*MCastIpToMac)(SimpleNetworkProtocol* self, Boolean ipv6, IpAddress* ip,
                         MacAddress* mac);
  Status (*NvData)(SimpleNetworkProtocol* self, Boolean read_write, Uintn offset,
                   Uintn buffer_size, void* buffer);
  Status (*GetStatus)(SimpleNetworkProtocol* self, uint32_t* interrupt_status, void** tx_buf);
  Status (*Transmit)(SimpleNetworkProtocol* self, Uintn header_size, Uintn buffer_size,
                     void* buffer, MacAddress* src_addr, MacAddress* dest_addr,
                     uint16_t* protocol);
  Status (*Receive)(SimpleNetworkProtocol* self, Uintn* header_size, Uintn* buffer_size,
                    void* buffer, MacAddress* src_addr, MacAddress* dest_addr,
                    uint16_t* protocol);
  Event WaitForPacket;
  SimpleNetworkMode* Mode;
};
static_assert(offsetof(SimpleNetworkProtocol, WaitForPacket) == 14 * 8);
static_assert(sizeof(SimpleNetworkProtocol) == 16 * 8);

}  // namespace uefi
