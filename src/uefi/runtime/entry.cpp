#include "uefi/runtime/efi.h"

namespace uefi {
namespace {
// Plain pointers, zero-initialised in .bss: no global constructor runs before efi_main.
SystemTable* g_system_table;
Handle g_image_handle;
}  // namespace

SystemTable* st() { return g_system_table; }
BootServices* bs() { return g_system_table->BootServices; }
RuntimeServices* rt() { return g_system_table->RuntimeServices; }
Handle image_handle() { return g_image_handle; }

}  // namespace uefi

extern "C" uefi::Status efi_main(uefi::Handle image, uefi::SystemTable* system_table) {
  uefi::g_system_table = system_table;
  uefi::g_image_handle = image;
  return uefi::image_main(image, system_table);
}
