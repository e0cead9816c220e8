// EFI_LOAD_FILE_PROTOCOL (UEFI 2.10, 13.1).
#pragma once

#include "uefi/tables.h"

namespace uefi {

inline constexpr Guid kLoadFileProtocolGuid = {
    0x56ec3091, 0x954c, 0x11d2, {0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};

struct LoadFileProtocol {
  Status (*LoadFile)(LoadFileProtocol* self, DevicePathProtocol* file_path, Boolean boot_policy,
                     Uintn* buffer_size, void* buffer);
};

}  // namespace uefi
