// Reads the VM's serial console as it streams and recognises the lines the runner
// acts on. The bytes themselves go to the terminal untouched; matching works on a
// cleaned copy: terminal escape sequences removed, backspaces applied, split into
// lines at CR/LF and at cursor moves (OVMF redraws its screen with ESC[r;cH).
//
// Real lines this matches (Debian 12 OVMF 2022.11, iPXE 1.0.0+git-20190125, mpxe):
//   BdsDxe: failed to load Boot0001 "UEFI PXEv4 (MAC:525400123456)" from PciRoot(0x0)/...: Not Found
//   BdsDxe: loading Boot0005 "EFI Internal Shell" from Fv(7CB8BDC9-...)/FvFile(7C04A583-...)
//   mpxe: driver 0.1.0 loaded at 0x1e525000
//   mpxe: bound to virtio-net 1af4:1000 at PCI 00:02.0
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpxe::runner {

enum class SerialEventKind {
  kBootOptionFailed,  // BdsDxe could not load or start a boot option
  kFirmwareGaveUp,    // BdsDxe fell back to its built-in shell or menu: no boot left
  kBootOptionStarted, // BdsDxe started a boot option (informational)
  kDriverLoaded,      // our driver's load line; detail = its load address
  kDriverBound,       // our driver bound a NIC
  kRomGaveUp,         // our driver's LoadFile failed; detail = the cause it names
};

struct SerialEvent {
  SerialEventKind kind;
  std::string detail;  // what the line says that matters (option + status, address)
  std::string line;    // the cleaned line

  bool operator==(const SerialEvent&) const = default;
};

// Removes terminal escape sequences and control characters other than tab, and
// applies backspaces; a single line in, a single line out.
std::string strip_terminal_escapes(std::string_view text);

// Classifies one cleaned line.
std::optional<SerialEvent> classify_serial_line(std::string_view line);

// Splits a byte stream into cleaned lines: escape sequences dropped, backspaces
// applied, a line ended by CR, LF, a cursor move or a screen clear.
class LineCleaner {
 public:
  // Appends every line completed by BYTES to LINES (empty lines are skipped).
  void feed(std::string_view bytes, std::vector<std::string>& lines);
  // The unterminated rest, if any.
  std::optional<std::string> flush();

 private:
  void end_line(std::vector<std::string>& lines);
  void feed_byte(char c, std::vector<std::string>& lines);

  enum class Escape { kNone, kEsc, kCsi, kCharset };
  Escape escape_ = Escape::kNone;
  std::string line_;
};

// Cleans a byte stream into lines and classifies each.
class SerialScanner {
 public:
  // Returns the events of every line completed by BYTES.
  std::vector<SerialEvent> feed(std::string_view bytes);
  // Classifies the unterminated rest (at the end of the stream).
  std::vector<SerialEvent> finish();
  // Every byte seen so far (for "did the guest run at all").
  size_t bytes_seen() const { return bytes_seen_; }

 private:
  LineCleaner cleaner_;
  size_t bytes_seen_ = 0;
};

// Whether EVENT means the boot is over and failed. With QEMU's user network the
// runner's server offers PXE/TFTP only: over IPv4 alone the first failed boot
// option is final (OVMF would otherwise spend minutes on PXEv6 and HTTP boot before
// falling back to its shell); with --ipv6 (slirp answers DHCPv6 too) the run goes
// on to the IPv6 PXE option and ends when that fails. On a TAP the server is
// someone else's and may offer anything, so only the firmware's own fallback ends
// the run.
bool ends_boot(const SerialEvent& event, bool user_network, bool ipv6);

// What the runner says when EVENT (ends_boot) ended a failed boot: the ROM's last
// named cause first (ROM_CAUSE, from "mpxe: cannot boot: ..."; empty when none),
// then what the firmware did (FIRST_FAILURE: the first boot option that failed,
// when the firmware went on; BOOT_URL: what the runner served over HTTP, if any).
std::string describe_boot_failure(const SerialEvent& event, const std::string& first_failure,
                                  const std::string& rom_cause, const std::string& boot_url);

// A line QEMU prints on stderr when the guest can no longer run although QEMU stays
// alive (it pauses the VM): the one-line reason, or nothing. Seen on this machine:
// "KVM internal error. Suberror: 1" followed by "emulation failure" (OVMF under KVM).
std::optional<std::string> qemu_fatal_error(std::string_view stderr_line);

}  // namespace mpxe::runner
