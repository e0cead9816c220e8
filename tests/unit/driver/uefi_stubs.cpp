// What the driver files under test take from the firmware: the boot services
// table (its HandleProtocol answers from a table the tests fill) and the console.
#include "uefi_stubs.h"

#include <cstdarg>
#include <cstdio>

namespace uefi::test {
namespace {

Status handle_protocol(Handle handle, const Guid* protocol, void** interface) {
  for (const InstalledProtocol& p : installed_protocols())
    if (p.handle == handle && p.guid == *protocol) {
      *interface = p.interface;
      return kSuccess;
    }
  return kUnsupported;
}

BootServices make_boot_services() {
  BootServices services{};
  services.HandleProtocol = handle_protocol;
  return services;
}

}  // namespace

std::vector<InstalledProtocol>& installed_protocols() {
  static std::vector<InstalledProtocol> protocols;
  return protocols;
}

}  // namespace uefi::test

namespace uefi {

BootServices* bs() {
  static BootServices services = test::make_boot_services();
  return &services;
}

void log(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vfprintf(stderr, fmt, args);
  va_end(args);
}

}  // namespace uefi
