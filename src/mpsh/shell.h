// mpsh: the shell's state and its commands (UEFI side).
#pragma once

#include <stddef.h>

#include "core/sha256.h"
#include "uefi/tables.h"

namespace mpsh {

// The last file `tftp get` fetched, kept in pages from AllocatePages.
struct Download {
  uint8_t* data = nullptr;
  uint64_t size = 0;
  uefi::Uintn pages = 0;
  char sha256[mpxe::Sha256::kHexSize] = {};
};

struct Shell {
  uefi::Handle image = nullptr;
  Download last;
};

void release_download(Download& download);

// Splits `line` into words in place and runs the command it names. Commands print
// their own results and errors; the status is theirs (kNotFound when unknown).
uefi::Status run_command(Shell& shell, char* line);
// The command names, by index (null past the last): what Tab completes.
const char* command_name(size_t index);

using CommandArgs = char**;
uefi::Status cmd_help(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_ver(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_cpus(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_memmap(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_bootopts(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_net(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_tftp(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_pxebc(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_snp(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_sha256(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_fwcfg(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_echo(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_clear(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_reset(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_poweroff(Shell& shell, size_t argc, CommandArgs argv);
uefi::Status cmd_exit(Shell& shell, size_t argc, CommandArgs argv);

}  // namespace mpsh
