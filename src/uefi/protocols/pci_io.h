// EFI_PCI_IO_PROTOCOL (UEFI 2.10, 14.4).
#pragma once

#include "uefi/tables.h"

namespace uefi {

inline constexpr Guid kPciIoProtocolGuid = {
    0x4cf5b200, 0x68b8, 0x4ca5, {0x9e, 0xec, 0xb2, 0x3e, 0x3f, 0x50, 0x02, 0x9a}};

enum class PciIoWidth : uint32_t { Uint8, Uint16, Uint32, Uint64 };

enum class PciIoOperation : uint32_t {
  BusMasterRead,
  BusMasterWrite,
  BusMasterCommonBuffer,
};

enum class PciIoAttributeOperation : uint32_t { Get, Set, Enable, Disable, Supported };

constexpr uint64_t kPciIoAttributeIo = 0x0100;
constexpr uint64_t kPciIoAttributeMemory = 0x0200;
constexpr uint64_t kPciIoAttributeBusMaster = 0x0400;
constexpr uint64_t kPciIoAttributeDualAddressCycle = 0x8000;

struct PciIoProtocol;

struct PciIoAccess {
  Status (*Read)(PciIoProtocol* self, PciIoWidth width, uint8_t bar, uint64_t offset,
                 Uintn count, void* buffer);
  Status (*Write)(PciIoProtocol* self, PciIoWidth width, uint8_t bar, uint64_t offset,
                  Uintn count, void* buffer);
};

struct PciIoConfigAccess {
  Status (*Read)(PciIoProtocol* self, PciIoWidth width, uint32_t offset, Uintn count,
                 void* buffer);
  Status (*Write)(PciIoProtocol* self, PciIoWidth width, uint32_t offset, Uintn count,
                  void* buffer);
};

struct PciIoProtocol {
  Status (*PollMem)(PciIoProtocol* self, PciIoWidth width, uint8_t bar, uint64_t offset,
                    uint64_t mask, uint64_t value, uint64_t delay, uint64_t* result);
  Status (*PollIo)(PciIoProtocol* self, PciIoWidth width, uint8_t bar, uint64_t offset,
                   uint64_t mask, uint64_t value, uint64_t delay, uint64_t* result);
  PciIoAccess Mem;
  PciIoAccess Io;
  PciIoConfigAccess Pci;
  Status (*CopyMem)(PciIoProtocol* self, PciIoWidth width, uint8_t dest_bar,
                    uint64_t dest_offset, uint8_t src_bar, uint64_t src_offset, Uintn count);
  Status (*Map)(PciIoProtocol* self, PciIoOperation operation, void* host_address,
                Uintn* bytes, PhysicalAddress* device_address, void** mapping);
  Status (*Unmap)(PciIoProtocol* self, void* mapping);
  Status (*AllocateBuffer)(PciIoProtocol* self, AllocateType type, MemoryType memory_type,
                           Uintn pages, void** host_address, uint64_t attributes);
  Status (*FreeBuffer)(PciIoProtocol* self, Uintn pages, void* host_address);
  Status (*Flush)(PciIoProtocol* self);
  Status (*GetLocation)(PciIoProtocol* self, Uintn* segment, Uintn* bus, Uintn* device,
                        Uintn* function);
  Status (*Attributes)(PciIoProtocol* self, PciIoAttributeOperation operation,
                       uint64_t attributes, uint64_t* result);
  Status (*GetBarAttributes)(PciIoProtocol* self, uint8_t bar, uint64_t* supports,
                             void** resources);
  Status (*SetBarAttributes)(PciIoProtocol* self, uint64_t attributes, uint8_t bar,
                             uint64_t* offset, uint64_t* length);
  uint64_t RomSize;
  void* RomImage;
};
static_assert(sizeof(PciIoProtocol) == 20 * 8);

}  // namespace uefi
