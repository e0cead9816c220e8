// QEMU fw_cfg through its x86 I/O ports: selector 0x510 (16-bit write), data 0x511
// (8-bit reads, the offset advancing with each read). Anywhere else the signature
// check fails and nothing is read. Firmware only (port I/O); BSP only.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "qemu/fw_cfg_dir.h"

namespace mpxe::qemu {

// Files the runner hands the guest with -fw_cfg name=NAME,file=PATH.
inline constexpr char kShellCommandsFile[] = "opt/org.mpxe/mpsh-cmd";  // mpsh: run at start
inline constexpr char kExpectedSha256File[] = "opt/org.mpxe/sha256";  // driver: refuse others
inline constexpr char kDigestFile[] = "opt/org.mpxe/digest";          // driver: print a sha256
inline constexpr char kHashOnApFile[] = "opt/org.mpxe/hash-on-ap";     // driver: hash on an AP
// driver: on how many APs HTTP connections run, decimal (0: all on the BSP)
inline constexpr char kHttpApsFile[] = "opt/org.mpxe/http-aps";
// driver: a lossy link for tests, phy/fault_spec.h's text ("drop=10,dup=10,seed=3")
inline constexpr char kFaultsFile[] = "opt/org.mpxe/faults";
// mpxe run --pxe-menu N: the PXE boot menu item to boot, in decimal.
inline constexpr char kPxeMenuFile[] = "opt/org.mpxe/pxe-menu";
// mpxe run --ipv6: the ROM tries IPv6 before IPv4 (present or not).
inline constexpr char kIpv6FirstFile[] = "opt/org.mpxe/ipv6-first";

bool fw_cfg_present();
// Reads the first `size` bytes of item `select`.
void fw_cfg_read(uint16_t select, void* buffer, size_t size);
// Walks the file directory; stops early when `visit` returns false. Returns false
// when there is no fw_cfg device.
bool fw_cfg_each_file(bool (*visit)(void* context, const FwCfgFile& file), void* context);
bool fw_cfg_lookup(const char* name, FwCfgFile* file);
// The start of file `name` as text: at most capacity - 1 bytes, NUL-terminated;
// *size (when given) gets the file's whole size. False when there is no such file
// (or no fw_cfg device).
bool fw_cfg_read_text(const char* name, char* text, size_t capacity, uint32_t* size = nullptr);

}  // namespace mpxe::qemu
