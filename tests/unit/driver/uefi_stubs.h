#pragma once

#include <vector>

#include "uefi/runtime/efi.h"

namespace uefi::test {

struct InstalledProtocol {
  Handle handle;
  Guid guid;
  void* interface;
};
// What bs()->HandleProtocol finds; tests add and clear entries.
std::vector<InstalledProtocol>& installed_protocols();

}  // namespace uefi::test
