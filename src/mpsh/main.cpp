#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"

namespace uefi {
Status image_main(Handle, SystemTable*) {
  print("mpsh placeholder\n");
  return kSuccess;
}
}  // namespace uefi
