// `bootopts`: the firmware's boot options, in BootOrder, as BDS sees them. It is
// how a test proves that a machine offers exactly one network boot option.
#include "mpsh/shell.h"
#include "uefi/protocols/device_path.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"

namespace mpsh {
namespace {

// EFI_GLOBAL_VARIABLE (UEFI 2.10, 3.3).
constexpr uefi::Guid kGlobalVariableGuid = {
    0x8be4df61, 0x93ca, 0x11d2, {0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c}};
constexpr uint32_t kLoadOptionActive = 0x00000001;
constexpr size_t kMaxOrder = 64;
// EFI_LOAD_OPTION: UINT32 Attributes, UINT16 FilePathListLength, then the
// NUL-terminated CHAR16 Description, then the device paths.
constexpr size_t kLoadOptionHeader = 6;

bool path_has_mac_node(const uint8_t* path, size_t length) {
  size_t offset = 0;
  while (offset + sizeof(uefi::DevicePathProtocol) <= length) {
    const auto* node = reinterpret_cast<const uefi::DevicePathProtocol*>(path + offset);
    uint16_t node_length = uefi::device_path_node_length(node);
    if (node->Type == uefi::kDevicePathEnd || node_length < sizeof(uefi::DevicePathProtocol))
      return false;
    if (node->Type == uefi::kDevicePathMessaging && node->SubType == uefi::kDevicePathSubMac)
      return true;
    offset += node_length;
  }
  return false;
}

}  // namespace

uefi::Status cmd_bootopts(Shell&, size_t, CommandArgs) {
  uint16_t order[kMaxOrder];
  uefi::Uintn size = sizeof(order);
  uefi::Status s = uefi::rt()->GetVariable(u"BootOrder", &kGlobalVariableGuid, nullptr, &size,
                                           order);
  if (uefi::is_error(s)) {
    uefi::print("bootopts: cannot read BootOrder: %s\n", uefi::status_text(s));
    return s;
  }
  size_t count = size / sizeof(uint16_t), network = 0;
  for (size_t i = 0; i < count; ++i) {
    static constexpr char16_t kHex[] = u"0123456789ABCDEF";
    char16_t name[] = u"Boot0000";
    for (int d = 0; d < 4; ++d) name[4 + d] = kHex[(order[i] >> (12 - 4 * d)) & 0xf];
    uint8_t option[1024];
    uefi::Uintn option_size = sizeof(option);
    s = uefi::rt()->GetVariable(name, &kGlobalVariableGuid, nullptr, &option_size, option);
    if (uefi::is_error(s) || option_size < kLoadOptionHeader + 2) {
      uefi::print("boot: Boot%04X unreadable\n", order[i]);
      continue;
    }
    uint32_t attributes = option[0] | (option[1] << 8) | (option[2] << 16) |
                          (static_cast<uint32_t>(option[3]) << 24);
    uint16_t path_length = static_cast<uint16_t>(option[4] | (option[5] << 8));
    char description[80];
    size_t at = kLoadOptionHeader, n = 0;
    for (; at + 1 < option_size; at += 2) {
      char16_t c = static_cast<char16_t>(option[at] | (option[at + 1] << 8));
      if (c == 0) break;
      if (n + 1 < sizeof(description)) description[n++] = c < 0x80 ? static_cast<char>(c) : '?';
    }
    description[n] = '\0';
    at += 2;
    bool is_network = at + path_length <= option_size && path_has_mac_node(option + at, path_length);
    network += is_network;
    uefi::print("boot: Boot%04X \"%s\"%s%s\n", order[i], description,
                (attributes & kLoadOptionActive) ? "" : " (inactive)", is_network ? " network" : "");
  }
  uefi::print("boot: %u options, %u network\n", static_cast<unsigned>(count),
              static_cast<unsigned>(network));
  return uefi::kSuccess;
}

}  // namespace mpsh
