// The PCI network controllers the mpxe driver binds to.
#pragma once

#include <stdint.h>

namespace mpxe {

enum class NicKind { VirtioLegacy, VirtioModern, E1000, E1000e };

struct NicId {
  uint16_t vendor;
  uint16_t device;
  NicKind kind;
  const char* name;
};

inline constexpr NicId kSupportedNics[] = {
    {0x1af4, 0x1000, NicKind::VirtioLegacy, "virtio-net (transitional)"},
    {0x1af4, 0x1041, NicKind::VirtioModern, "virtio-net (modern)"},
    {0x8086, 0x100e, NicKind::E1000, "Intel 82540EM (e1000)"},
    {0x8086, 0x10d3, NicKind::E1000e, "Intel 82574L (e1000e)"},
};

inline const NicId* find_nic(uint16_t vendor, uint16_t device) {
  for (const NicId& id : kSupportedNics)
    if (id.vendor == vendor && id.device == device) return &id;
  return nullptr;
}

}  // namespace mpxe
