// EFI_RAM_DISK_PROTOCOL (UEFI 2.10, 13.20) and the RAM disk device path node
// (10.3.5.9). Register() puts a block device over memory the caller owns; the
// firmware's partition and file-system drivers then bind to it.
#pragma once

#include "uefi/protocols/device_path.h"
#include "uefi/tables.h"

namespace uefi {

inline constexpr Guid kRamDiskProtocolGuid = {
    0xab38a0df, 0x6873, 0x44a9, {0x87, 0xe6, 0xd4, 0xeb, 0x56, 0x14, 0x84, 0x49}};

// RAM disk types (the device path node's DiskType): volatile disk and CD images.
inline constexpr Guid kVirtualDiskGuid = {
    0x77ab535a, 0x45fc, 0x624b, {0x55, 0x60, 0xf7, 0xb2, 0x81, 0xd1, 0xf9, 0x6e}};
inline constexpr Guid kVirtualCdGuid = {
    0x3d5abd30, 0x4175, 0x87ce, {0x6d, 0x64, 0xd2, 0xad, 0xe5, 0x23, 0xc4, 0xbb}};
inline constexpr Guid kPersistentVirtualDiskGuid = {
    0x5cea02c9, 0x4d07, 0x69d3, {0x26, 0x9f, 0x44, 0x96, 0xfb, 0xe0, 0x96, 0xf9}};
inline constexpr Guid kPersistentVirtualCdGuid = {
    0x08018188, 0x42cd, 0xbb48, {0x10, 0x0f, 0x53, 0x87, 0xd5, 0x3d, 0xed, 0x3d}};

struct RamDiskProtocol {
  // Appends a RAM disk node to `parent` (may be null) and returns that path in
  // `*path`, allocated from pool; the disk covers [base, base + size).
  Status (*Register)(uint64_t base, uint64_t size, const Guid* type,
                     const DevicePathProtocol* parent, DevicePathProtocol** path);
  Status (*Unregister)(DevicePathProtocol* path);
};
static_assert(sizeof(RamDiskProtocol) == 16);

constexpr uint8_t kDevicePathSubRamDisk = 0x09;  // under kDevicePathMedia

#pragma pack(push, 1)
struct RamDiskDevicePath {
  DevicePathProtocol Header;
  uint32_t StartingAddr[2];  // little-endian 64-bit, unaligned in the path
  uint32_t EndingAddr[2];    // the last byte, inclusive
  Guid DiskType;
  uint16_t Instance;
};
#pragma pack(pop)
static_assert(sizeof(RamDiskDevicePath) == 38);

}  // namespace uefi
