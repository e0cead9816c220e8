// --payload uefi-shell: what EDK II's UEFI Shell runs at start. It reads no fw_cfg
// and takes no command line from a network boot, but it runs startup.nsh from a
// mapped file system (the runner attaches one holding it, qemu_command.h). Pure.
#pragma once

#include <string>
#include <string_view>

namespace mpxe::runner {

// startup.nsh for --shell-cmd "CMD; CMD": one command a line (CRLF), in order. A
// command `exit` or `exit N` (N decimal or 0x hex, below 2^32) ends QEMU with status N
// the way mpsh's does, by writing N to isa-debug-exit (port 0xf4, the shell's `mm`),
// then falls back to the shell's own `exit N` where there is no such device. Every
// other command is the shell's, word for word.
std::string uefi_shell_startup_script(std::string_view shell_cmd);

inline constexpr std::string_view kStartupScriptName = "startup.nsh";

}  // namespace mpxe::runner
