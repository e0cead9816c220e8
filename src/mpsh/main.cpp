// mpsh: the mpxe shell, the default payload the runner network-boots.
// Prints a banner, runs the commands QEMU passes through fw_cfg, then prompts.
#include "mpsh/console.h"
#include "mpsh/shell.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"

namespace uefi {

Status image_main(Handle image, SystemTable*) {
  // The boot manager arms a 5-minute watchdog before starting a boot option; a
  // shell waiting at its prompt must not be reset by it.
  bs()->SetWatchdogTimer(0, 0, 0, nullptr);
  print("mpsh %s - mpxe shell\n", MPXE_VERSION);
  print("type 'help' for commands\n");
  mpsh::Shell shell;
  shell.image = image;
  mpsh::run_startup_commands(shell);
  mpsh::run_interactive(shell);
  mpsh::release_download(shell.last);
  return kSuccess;
}

}  // namespace uefi
