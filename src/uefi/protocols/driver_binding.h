// EFI_DRIVER_BINDING_PROTOCOL (UEFI 2.10, 11.1).
#pragma once

#include "uefi/tables.h"

namespace uefi {

inline constexpr Guid kDriverBindingProtocolGuid = {
    0x18a031ab, 0xb443, 0x4d1a, {0xa5, 0xc0, 0x0c, 0x09, 0x26, 0x1e, 0x9f, 0x71}};

struct DriverBindingProtocol {
  Status (*Supported)(DriverBindingProtocol* self, Handle controller,
                      DevicePathProtocol* remaining_path);
  Status (*Start)(DriverBindingProtocol* self, Handle controller,
                  DevicePathProtocol* remaining_path);
  Status (*Stop)(DriverBindingProtocol* self, Handle controller, Uintn child_count,
                 Handle* children);
  uint32_t Version;
  Handle ImageHandle;
  Handle DriverBindingHandle;
};
static_assert(sizeof(DriverBindingProtocol) == 48);

}  // namespace uefi
