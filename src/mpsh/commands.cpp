// Command table, `help` and dispatch.
#include "mpsh/command_line.h"
#include "mpsh/shell.h"
#include "mpsh/text.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"

namespace mpsh {
namespace {

using Handler = uefi::Status (*)(Shell&, size_t, CommandArgs);

struct Command {
  const char* name;
  Handler run;
};

constexpr Command kCommands[] = {
    {"help", cmd_help},     {"ver", cmd_ver},       {"cpus", cmd_cpus},
    {"memmap", cmd_memmap}, {"bootopts", cmd_bootopts}, {"net", cmd_net},       {"tftp", cmd_tftp},
    {"pxebc", cmd_pxebc},   {"snp", cmd_snp},
    {"sha256", cmd_sha256}, {"fwcfg", cmd_fwcfg},   {"echo", cmd_echo},
    {"clear", cmd_clear},   {"reset", cmd_reset},   {"poweroff", cmd_poweroff},
    {"exit", cmd_exit},
};

struct HelpLine {
  const char* usage;
  const char* summary;
};

constexpr HelpLine kHelp[] = {
    {"help", "list the commands"},
    {"ver", "shell, firmware and UEFI versions"},
    {"cpus", "processors as MP services reports them"},
    {"memmap", "UEFI memory map and total conventional memory"},
    {"bootopts", "the firmware's boot options in BootOrder, network ones marked"},
    {"net", "PXE lease of the boot device: address, server, boot file"},
    {"tftp get FILE", "download FILE from the boot server, print size and SHA-256"},
    {"tftp size FILE", "FILE's size through PXE Base Code TFTP_GET_FILE_SIZE"},
    {"tftp tsize FILE", "FILE's size from the server itself (TFTP tsize request)"},
    {"pxebc [IP6/LEN]", "call the PXE Base Code's members, print what each answers"},
    {"snp", "call every Simple Network member but Start/Stop/Initialize/Reset/Shutdown"},
    {"sha256", "SHA-256 of the last downloaded file"},
    {"fwcfg", "list QEMU fw_cfg files"},
    {"echo TEXT", "print TEXT"},
    {"clear", "clear the screen"},
    {"reset", "cold reset"},
    {"poweroff", "power off"},
    {"exit [N]", "end QEMU with status (N<<1)|1 (isa-debug-exit), else return N"},
};

constexpr size_t kMaxArgs = 16;

}  // namespace

uefi::Status cmd_help(Shell&, size_t, CommandArgs) {
  uefi::print("commands:\n");
  for (const HelpLine& h : kHelp) uefi::print("  %-16s %s\n", h.usage, h.summary);
  uefi::print("separate several commands with ';'\n");
  return uefi::kSuccess;
}

// The firmware's console clears every screen it drives: on the serial terminal
// OVMF's terminal driver sends ESC [2J and puts the cursor home.
uefi::Status cmd_clear(Shell&, size_t, CommandArgs) {
  uefi::SimpleTextOutputProtocol* out = uefi::st()->ConOut;
  if (out == nullptr) return uefi::kUnsupported;
  return out->ClearScreen(out);
}

const char* command_name(size_t index) {
  return index < sizeof(kCommands) / sizeof(kCommands[0]) ? kCommands[index].name : nullptr;
}

uefi::Status cmd_echo(Shell&, size_t argc, CommandArgs argv) {
  for (size_t i = 1; i < argc; ++i) uefi::print(i + 1 < argc ? "%s " : "%s", argv[i]);
  uefi::print("\n");
  return uefi::kSuccess;
}

uefi::Status run_command(Shell& shell, char* line) {
  char* argv[kMaxArgs + 1] = {};
  size_t argc = split_words(line, argv, kMaxArgs);
  if (argc == 0) return uefi::kSuccess;
  for (const Command& c : kCommands)
    if (text_equal(c.name, argv[0])) return c.run(shell, argc, argv);
  uefi::print("mpsh: unknown command '%s'\n", argv[0]);
  return uefi::kNotFound;
}

void release_download(Download& download) {
  if (download.data != nullptr)
    uefi::bs()->FreePages(reinterpret_cast<uefi::PhysicalAddress>(download.data), download.pages);
  download = Download{};
}

}  // namespace mpsh
