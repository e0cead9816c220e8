// The PCI network controllers the mpxe driver binds to, from nic_table.h, and the
// driver each one gets.
#pragma once

#include <stdint.h>

namespace mpxe::driver {

class NicDriver;

enum class NicKind {
#define MPXE_NIC(id, ...) id,
#include "driver/nic/nic_table.h"
#undef MPXE_NIC
};

// One per driver file named in the table: a new, not yet started driver for a NIC
// of that kind, or null when memory is short.
#define MPXE_NIC(id, name, vendor, device, driver, ...) NicDriver* make_##driver(NicKind kind);
#include "driver/nic/nic_table.h"
#undef MPXE_NIC

struct NicModel {
  uint16_t vendor;
  uint16_t device;
  NicKind kind;
  const char* description;
  NicDriver* (*make)(NicKind kind);
};

inline constexpr NicModel kNicModels[] = {
#define MPXE_NIC(id, name, vendor, device, driver, description, ...) \
  {vendor, device, NicKind::id, description, make_##driver},
#include "driver/nic/nic_table.h"
#undef MPXE_NIC
};

inline const NicModel* find_nic_model(uint16_t vendor, uint16_t device) {
  for (const NicModel& model : kNicModels)
    if (model.vendor == vendor && model.device == device) return &model;
  return nullptr;
}

}  // namespace mpxe::driver
