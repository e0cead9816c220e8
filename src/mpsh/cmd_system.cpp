// Commands about the machine: ver, cpus, memmap, fwcfg, reset, poweroff, exit.
#include "core/format.h"
#include "qemu/fw_cfg.h"
#include "mpsh/shell.h"
#include "mpsh/text.h"
#include "uefi/protocols/mp_services.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"
#include "uefi/runtime/memory.h"
#include "uefi/runtime/port_io.h"

namespace mpsh {
using namespace mpxe::qemu;
namespace {

// QEMU's isa-debug-exit as the runner configures it (iobase=0xf4): writing N makes
// QEMU exit with status (N << 1) | 1.
constexpr uint16_t kDebugExitPort = 0xf4;

void narrow(const char16_t* wide, char* out, size_t capacity) {
  size_t n = 0;
  for (; wide != nullptr && wide[n] != 0 && n + 1 < capacity; ++n)
    out[n] = (wide[n] >= 0x20 && wide[n] < 0x7f) ? static_cast<char>(wide[n]) : '?';
  out[n] = '\0';
}

// EFI_GLOBAL_VARIABLE (UEFI 2.10, 3.3), the vendor of SecureBoot and SetupMode.
constexpr uefi::Guid kGlobalVariableGuid = {
    0x8be4df61, 0x93ca, 0x11d2, {0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c}};

// A one-byte global variable as text: "1", or why there is none ("Not Found" on
// firmware built without Secure Boot).
void byte_variable(const char16_t* name, char* out, size_t capacity, int* value) {
  uint8_t byte = 0;
  uefi::Uintn size = sizeof(byte);
  uefi::Status s = uefi::rt()->GetVariable(name, &kGlobalVariableGuid, nullptr, &size, &byte);
  *value = uefi::is_error(s) || size != 1 ? -1 : byte;
  if (*value < 0)
    mpxe::format(out, capacity, "%s", uefi::is_error(s) ? uefi::status_text(s) : "not one byte");
  else
    mpxe::format(out, capacity, "%d", *value);
}

// "SecureBoot 1, SetupMode 0 (enforced)": what the firmware says of Secure Boot, as
// the variables it keeps for the OS (UEFI 2.10, 32.3) hold it.
void print_secure_boot() {
  char secure_boot[32];
  char setup_mode[32];
  int enforced = -1;
  int setup = -1;
  byte_variable(u"SecureBoot", secure_boot, sizeof(secure_boot), &enforced);
  byte_variable(u"SetupMode", setup_mode, sizeof(setup_mode), &setup);
  const char* meaning = enforced == 1               ? "enforced"
                        : enforced < 0 && setup < 0 ? "not in this firmware"
                        : setup == 1                ? "off: setup mode, no PK enrolled"
                                                    : "off";
  uefi::print("secure boot: SecureBoot %s, SetupMode %s (%s)\n", secure_boot, setup_mode, meaning);
}

}  // namespace

uefi::Status cmd_ver(Shell&, size_t, CommandArgs) {
  uefi::SystemTable* st = uefi::st();
  char vendor[80];
  narrow(st->FirmwareVendor, vendor, sizeof(vendor));
  char uefi_revision[kRevisionTextSize];
  format_uefi_revision(st->Hdr.Revision, uefi_revision);
  uefi::print("mpsh %s\n", MPXE_VERSION);
  uefi::print("firmware: %s revision 0x%08x\n", vendor, st->FirmwareRevision);
  uefi::print("uefi: %s\n", uefi_revision);
  print_secure_boot();
  return uefi::kSuccess;
}

uefi::Status cmd_cpus(Shell&, size_t, CommandArgs) {
  uefi::MpServicesProtocol* mp = nullptr;
  uefi::Status s = uefi::bs()->LocateProtocol(&uefi::kMpServicesProtocolGuid, nullptr,
                                              reinterpret_cast<void**>(&mp));
  if (uefi::is_error(s) || mp == nullptr) {
    uefi::print("cpus: 1 (no MP services protocol)\n");
    return uefi::kSuccess;
  }
  uefi::Uintn count = 0;
  uefi::Uintn enabled = 0;
  s = mp->GetNumberOfProcessors(mp, &count, &enabled);
  if (uefi::is_error(s)) {
    uefi::print("cpus: GetNumberOfProcessors failed: %s\n", uefi::status_text(s));
    return s;
  }
  uefi::print("cpus: %llu enabled of %llu\n", enabled, count);
  uefi::Status result = uefi::kSuccess;
  for (uefi::Uintn i = 0; i < count; ++i) {
    uefi::ProcessorInformation info{};
    s = mp->GetProcessorInfo(mp, i, &info);
    if (uefi::is_error(s)) {
      uefi::print("cpu %llu: GetProcessorInfo failed: %s\n", i, uefi::status_text(s));
      result = s;
      continue;
    }
    uefi::print("cpu %llu: apic %llu %s %s\n", i, info.ProcessorId,
                (info.StatusFlag & uefi::kProcessorAsBsp) ? "bsp" : "ap",
                (info.StatusFlag & uefi::kProcessorEnabled) ? "enabled" : "disabled");
  }
  return result;
}

uefi::Status cmd_memmap(Shell&, size_t, CommandArgs) {
  uefi::Uintn size = 0;
  uefi::Uintn key = 0;
  uefi::Uintn descriptor_size = 0;
  uint32_t version = 0;
  uint8_t* map = nullptr;
  uefi::Status s = uefi::bs()->GetMemoryMap(&size, nullptr, &key, &descriptor_size, &version);
  // The pool allocation for the map may itself split a region: leave room to grow.
  for (int attempt = 0; attempt < 4 && s == uefi::kBufferTooSmall; ++attempt) {
    size += 8 * (descriptor_size != 0 ? descriptor_size : sizeof(uefi::MemoryDescriptor));
    map = static_cast<uint8_t*>(uefi::allocate(size));
    if (map == nullptr) {
      uefi::print("memmap: out of memory for the map (%llu bytes)\n", size);
      return uefi::kOutOfResources;
    }
    s = uefi::bs()->GetMemoryMap(&size, reinterpret_cast<uefi::MemoryDescriptor*>(map), &key,
                                 &descriptor_size, &version);
    if (s == uefi::kBufferTooSmall) {
      uefi::release(map);
      map = nullptr;
    }
  }
  if (uefi::is_error(s) || map == nullptr || descriptor_size < sizeof(uefi::MemoryDescriptor)) {
    uefi::print("memmap: GetMemoryMap failed: %s\n", uefi::status_text(s));
    uefi::release(map);
    return uefi::is_error(s) ? s : uefi::kDeviceError;
  }
  uefi::print("%-16s %-16s %16s %s\n", "type", "start", "pages", "attributes");
  uint64_t conventional_pages = 0;
  uefi::Uintn entries = size / descriptor_size;
  for (uefi::Uintn i = 0; i < entries; ++i) {
    const auto* d = reinterpret_cast<const uefi::MemoryDescriptor*>(map + i * descriptor_size);
    uefi::print("%-16s %016llx %16llu %016llx\n", memory_type_name(d->Type), d->PhysicalStart,
                d->NumberOfPages, d->Attribute);
    if (d->Type == static_cast<uint32_t>(uefi::MemoryType::ConventionalMemory))
      conventional_pages += d->NumberOfPages;
  }
  uefi::print("memmap: %llu entries, conventional memory %llu MiB\n", entries,
              conventional_pages / 256);
  uefi::release(map);
  return uefi::kSuccess;
}

uefi::Status cmd_fwcfg(Shell&, size_t, CommandArgs) {
  uint32_t files = 0;
  bool present = fw_cfg_each_file(
      [](void* context, const FwCfgFile& file) {
        uefi::print("fwcfg: 0x%04x %10u %s\n", file.select, file.size, file.name);
        ++*static_cast<uint32_t*>(context);
        return true;
      },
      &files);
  if (!present) {
    uefi::print("fwcfg: no QEMU fw_cfg device\n");
    return uefi::kNotFound;
  }
  uefi::print("fwcfg: %u files\n", files);
  return uefi::kSuccess;
}

uefi::Status cmd_reset(Shell&, size_t, CommandArgs) {
  uefi::print("mpsh: cold reset\n");
  uefi::rt()->ResetSystem(uefi::ResetType::Cold, uefi::kSuccess, 0, nullptr);
  uefi::print("mpsh: ResetSystem returned\n");
  return uefi::kDeviceError;
}

uefi::Status cmd_poweroff(Shell&, size_t, CommandArgs) {
  uefi::print("mpsh: power off\n");
  uefi::rt()->ResetSystem(uefi::ResetType::Shutdown, uefi::kSuccess, 0, nullptr);
  uefi::print("mpsh: ResetSystem returned\n");
  return uefi::kDeviceError;
}

uefi::Status cmd_exit(Shell& shell, size_t argc, CommandArgs argv) {
  uint64_t code = 0;
  if (argc > 2 || (argc == 2 && (!parse_u64(argv[1], &code) || code > 0xffffffffu))) {
    uefi::print("exit: usage: exit [N], N a number below 2^32\n");
    return uefi::kInvalidParameter;
  }
  uefi::print("mpsh: exit %llu\n", code);
  release_download(shell.last);
  uefi::outl(kDebugExitPort, static_cast<uint32_t>(code));
  // Still here: no isa-debug-exit device. Leave the image with N as its status.
  uefi::bs()->Exit(shell.image, code, 0, nullptr);
  uefi::print("exit: BootServices->Exit returned\n");
  return uefi::kDeviceError;
}

}  // namespace mpsh
