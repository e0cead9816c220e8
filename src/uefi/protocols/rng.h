// EFI_RNG_PROTOCOL (UEFI 2.10, 37.5). OVMF installs it when the VM has a
// virtio-rng device (VirtioRngDxe), and on CPUs with RDRAND (RngDxe).
#pragma once

#include "uefi/tables.h"

namespace uefi {

inline constexpr Guid kRngProtocolGuid = {
    0x3152bca5, 0xeade, 0x433d, {0x86, 0x2e, 0xc0, 0x1c, 0xdc, 0x29, 0x1f, 0x44}};

struct RngProtocol {
  // Algorithms the driver offers (EFI_RNG_ALGORITHM GUIDs).
  Status (*GetInfo)(RngProtocol* self, Uintn* algorithm_list_size, Guid* algorithm_list);
  // `value_length` random bytes; algorithm null: the driver's default.
  Status (*GetRNG)(RngProtocol* self, const Guid* algorithm, Uintn value_length, uint8_t* value);
};
static_assert(sizeof(RngProtocol) == 16);

}  // namespace uefi
