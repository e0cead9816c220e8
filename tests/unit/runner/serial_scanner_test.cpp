// The serial scanner against real console captures. serial/*.log are raw QEMU
// serial output (escape sequences, CR LF, iPXE's backspaces) from Debian 12's OVMF
// (edk2 2022.11) and ipxe-qemu 1.0.0+git-20190125 on Q35 under TCG, captured with
// `-serial stdio` and the runner's QEMU arguments:
//   ovmf-virtio-not-efi.log   --stack ovmf, boot file not a PE image: every network
//                             option fails, then BDS starts "EFI Internal Shell"
//   ovmf-virtio-missing.log   --stack ovmf, boot file absent (TFTP error), cut short
//   ipxe-e1000-missing.log    --stack ipxe --nic e1000, boot file absent
//   ovmf-e1000-no-driver.log  romfile= on e1000: OVMF has no driver, no network option
//   ovmf-virtio-mpsh.log      --stack ovmf, mpsh.efi boots (no failure)
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "serial_scanner.h"

namespace mpxe::runner {
namespace {

std::string capture(const std::string& name) {
  std::ifstream in(std::string(MPXE_RUNNER_TEST_DATA) + "/serial/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<SerialEvent> scan_all(std::string_view bytes, size_t chunk = SIZE_MAX) {
  SerialScanner scanner;
  std::vector<SerialEvent> events;
  for (size_t at = 0; at < bytes.size(); at += chunk) {
    auto more = scanner.feed(bytes.substr(at, chunk));
    events.insert(events.end(), more.begin(), more.end());
  }
  auto rest = scanner.finish();
  events.insert(events.end(), rest.begin(), rest.end());
  return events;
}

std::vector<SerialEventKind> kinds(const std::vector<SerialEvent>& events) {
  std::vector<SerialEventKind> out;
  for (const auto& e : events) out.push_back(e.kind);
  return out;
}

using K = SerialEventKind;

TEST(StripEscapes, RemovesCsiCharsetAndControls) {
  EXPECT_EQ(strip_terminal_escapes("\x1b[1m\x1b[33m\x1b[40mMapping table\x1b[0m\x1b[37m\x1b[40m"),
            "Mapping table");
  EXPECT_EQ(strip_terminal_escapes("\x1b[=3hA\x1b(BB\x1b" "7C\x07"), "ABC");
  EXPECT_EQ(strip_terminal_escapes("a\tb"), "a\tb");
}

TEST(StripEscapes, AppliesBackspaces) {
  // iPXE erases its "Press Ctrl-B" prompt with BS SP BS per character.
  EXPECT_EQ(strip_terminal_escapes("Press...\b \b\b \b\b \bnet0"), "Pressnet0");
}

TEST(LineCleaner, SplitsAtLineEndsCursorMovesAndClears) {
  LineCleaner c;
  std::vector<std::string> lines;
  c.feed("\x1b[2J\x1b[01;01HUEFI Interactive Shell v2.2\r\nEDK II\r\n\x1b[05;01HPress ESC", lines);
  EXPECT_EQ(lines, (std::vector<std::string>{"UEFI Interactive Shell v2.2", "EDK II"}));
  EXPECT_EQ(c.flush(), "Press ESC");
  EXPECT_FALSE(c.flush());
}

TEST(LineCleaner, EscapesSplitAcrossChunks) {
  LineCleaner c;
  std::vector<std::string> lines;
  for (char ch : std::string("ab\x1b[1;3") + "3mcd\x1b" + "[0m\n") c.feed(std::string_view(&ch, 1), lines);
  EXPECT_EQ(lines, (std::vector<std::string>{"abcd"}));
}

TEST(ClassifyLine, RealOvmfBootFailure) {
  auto e = classify_serial_line(
      "BdsDxe: failed to load Boot0001 \"UEFI PXEv4 (MAC:525400123456)\" from "
      "PciRoot(0x0)/Pci(0x2,0x0)/MAC(525400123456,0x1)/IPv4(0.0.0.0,0x0,DHCP,0.0.0.0,0.0.0.0,"
      "0.0.0.0): Not Found");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, K::kBootOptionFailed);
  EXPECT_EQ(e->detail, "Boot0001 \"UEFI PXEv4 (MAC:525400123456)\": Not Found");
}

TEST(ClassifyLine, FailedStartToo) {
  auto e = classify_serial_line(
      "BdsDxe: failed to start Boot0001 \"UEFI PXEv4 (MAC:525400123456)\" from PciRoot(0x0): "
      "Load Error");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, K::kBootOptionFailed);
  EXPECT_EQ(e->detail, "Boot0001 \"UEFI PXEv4 (MAC:525400123456)\": Load Error");
}

TEST(ClassifyLine, FallbackToTheBuiltInShellOrMenu) {
  auto e = classify_serial_line(
      "BdsDxe: loading Boot0005 \"EFI Internal Shell\" from "
      "Fv(7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1)/FvFile(7C04A583-9E3E-4F1C-AD65-E05268D0B4D1)");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, K::kFirmwareGaveUp);
  EXPECT_EQ(e->detail, "fell back to EFI Internal Shell");
  e = classify_serial_line("BdsDxe: loading Boot0000 \"UiApp\" from Fv(x)/FvFile(y)");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, K::kFirmwareGaveUp);
  e = classify_serial_line("BdsDxe: No bootable option or device was found.");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, K::kFirmwareGaveUp);
}

TEST(ClassifyLine, LoadingANetworkOptionIsNotAnEvent) {
  EXPECT_FALSE(classify_serial_line(
      "BdsDxe: loading Boot0001 \"UEFI PXEv4 (MAC:525400123456)\" from PciRoot(0x0)"));
  auto started = classify_serial_line(
      "BdsDxe: starting Boot0001 \"UEFI PXEv4 (MAC:525400123456)\" from PciRoot(0x0)");
  ASSERT_TRUE(started);
  EXPECT_EQ(started->kind, K::kBootOptionStarted);
}

TEST(ClassifyLine, OurDriver) {
  auto loaded = classify_serial_line("mpxe: driver 0.1.0 loaded at 0x1E525000");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->kind, K::kDriverLoaded);
  EXPECT_EQ(loaded->detail, "0x1E525000");
  auto bound = classify_serial_line("mpxe: bound to virtio-net 1af4:1000 at PCI 00:02.0");
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->kind, K::kDriverBound);
  EXPECT_EQ(bound->detail, "virtio-net 1af4:1000 at PCI 00:02.0");
}

TEST(ClassifyLine, OurDriverGivingUpNamesTheCause) {
  auto gave_up = classify_serial_line(
      "mpxe: cannot boot: download of 'http://10.77.0.1:8080/big.efi' failed: server too slow");
  ASSERT_TRUE(gave_up);
  EXPECT_EQ(gave_up->kind, K::kRomGaveUp);
  EXPECT_EQ(gave_up->detail, "download of 'http://10.77.0.1:8080/big.efi' failed: server too slow");
  EXPECT_FALSE(classify_serial_line("mpxe: download of 'x' failed: y"))
      << "only the driver's last word is the cause";
}

TEST(DescribeBootFailure, TheRomsCauseComesFirst) {
  const SerialEvent failed{K::kBootOptionFailed, "Boot0001 \"UEFI PXEv4 (MAC:525400123456)\": Not Found", ""};
  EXPECT_EQ(describe_boot_failure(failed, "", "", ""),
            "Boot0001 \"UEFI PXEv4 (MAC:525400123456)\": Not Found (no other boot option can "
            "reach QEMU's TFTP server either)");
  EXPECT_EQ(describe_boot_failure(failed, "", "TFTP error 1 from server: File not found", ""),
            "mpxe: TFTP error 1 from server: File not found; then Boot0001 \"UEFI PXEv4 "
            "(MAC:525400123456)\": Not Found (no other boot option can reach QEMU's TFTP server "
            "either)");
  const SerialEvent fell_back{K::kFirmwareGaveUp, "fell back to EFI Internal Shell", ""};
  EXPECT_EQ(describe_boot_failure(fell_back, failed.detail, "no DHCP lease: no DHCP offer", ""),
            "mpxe: no DHCP lease: no DHCP offer; then Boot0001 \"UEFI PXEv4 (MAC:525400123456)\": "
            "Not Found (and any later options), then the firmware fell back to EFI Internal Shell");
  EXPECT_EQ(describe_boot_failure(fell_back, "", "", ""),
            "the firmware fell back to EFI Internal Shell");
}

TEST(ClassifyLine, OrdinaryLines) {
  for (const char* line : {">>Start PXE over IPv4.", "  PXE-E16: No valid offer received.",
                           "mpsh 0.1.0 - mpxe shell", "net: ip 10.0.2.15 mask 255.255.255.0",
                           "cpus: 4 enabled of 4", ""})
    EXPECT_FALSE(classify_serial_line(line)) << line;
}

TEST(SerialCapture, OvmfGivesUpOnANonImage) {
  auto events = scan_all(capture("ovmf-virtio-not-efi.log"));
  EXPECT_EQ(kinds(events), (std::vector<K>{K::kBootOptionFailed, K::kBootOptionFailed,
                                           K::kBootOptionFailed, K::kBootOptionFailed,
                                           K::kFirmwareGaveUp, K::kBootOptionStarted}));
  EXPECT_EQ(events[0].detail, "Boot0001 \"UEFI PXEv4 (MAC:525400123456)\": Not Found");
  EXPECT_EQ(events[3].detail, "Boot0004 \"UEFI HTTPv6 (MAC:525400123456)\": Not Found");
  EXPECT_EQ(events[4].detail, "fell back to EFI Internal Shell");
}

TEST(SerialCapture, SameEventsWhateverTheChunking) {
  std::string bytes = capture("ipxe-e1000-missing.log");
  auto whole = scan_all(bytes);
  for (size_t chunk : {1u, 3u, 64u, 1000u}) EXPECT_EQ(scan_all(bytes, chunk), whole) << chunk;
}

TEST(SerialCapture, IpxeFailureLineAfterItsErasedPrompt) {
  auto events = scan_all(capture("ipxe-e1000-missing.log"));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].kind, K::kBootOptionFailed);
  EXPECT_EQ(events[0].detail, "Boot0001 \"UEFI PXEv4 (MAC:525400123456)\": Not Found");
  // The backspaces erased "Press Ctrl-B ..." entirely.
  EXPECT_EQ(events[0].line.rfind("BdsDxe: failed to load Boot0001", 0), 0u) << events[0].line;
  EXPECT_EQ(events.back().kind, K::kBootOptionStarted);
  EXPECT_EQ(events[events.size() - 2].kind, K::kFirmwareGaveUp);
}

TEST(SerialCapture, OvmfWithoutANicDriverFallsStraightBack) {
  auto events = scan_all(capture("ovmf-e1000-no-driver.log"));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].kind, K::kFirmwareGaveUp);
}

TEST(SerialCapture, SuccessfulBootHasNoFailure) {
  auto events = scan_all(capture("ovmf-virtio-mpsh.log"));
  EXPECT_EQ(kinds(events), (std::vector<K>{K::kBootOptionStarted}));
  for (const auto& e : events) EXPECT_FALSE(ends_boot(e, true, false));
}

TEST(SerialCapture, TftpErrorFailsTheFirstOption) {
  auto events = scan_all(capture("ovmf-virtio-missing.log"));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].kind, K::kBootOptionFailed);
  EXPECT_TRUE(ends_boot(events[0], true, false));
}

// --stack ovmf --http: the runner's URI boot option (Boot0000) is the first thing BDS
// tries. HttpBootDxe redraws "Downloading...N%" with bare CRs and BdsDxe's loading line
// follows the last one without a line break; the scanner still sees one start.
TEST(SerialCapture, OvmfHttpBootStartsTheUriOption) {
  std::string bytes = capture("ovmf-virtio-http-mpsh.log");
  auto events = scan_all(bytes);
  EXPECT_EQ(kinds(events), (std::vector<K>{K::kBootOptionStarted}));
  EXPECT_EQ(events[0].detail.rfind("Boot0000 \"mpxe HTTP boot http://10.0.2.2:", 0), 0u)
      << events[0].detail;
  for (size_t chunk : {1u, 7u, 100u}) EXPECT_EQ(scan_all(bytes, chunk), events) << chunk;
}

TEST(SerialCapture, OvmfHttpBootFailureEndsTheRun) {
  auto events = scan_all(capture("ovmf-virtio-http-refused.log"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, K::kBootOptionFailed);
  EXPECT_EQ(events[0].detail,
            "Boot0000 \"mpxe HTTP boot http://10.0.2.2:1/missing.efi\": Not Found");
  EXPECT_TRUE(ends_boot(events[0], true, false));
}

TEST(SerialScanner, CountsBytes) {
  SerialScanner s;
  s.feed("abc");
  s.feed("\r\n");
  EXPECT_EQ(s.bytes_seen(), 5u);
}

TEST(EndsBoot, UserNetworkStopsAtTheFirstFailureTapWaitsForTheFirmware) {
  SerialEvent failed{K::kBootOptionFailed, "Boot0001", ""};
  SerialEvent gave_up{K::kFirmwareGaveUp, "fell back to EFI Internal Shell", ""};
  SerialEvent loaded{K::kDriverLoaded, "0x1000", ""};
  EXPECT_TRUE(ends_boot(failed, true, false));
  EXPECT_FALSE(ends_boot(failed, false, false));
  EXPECT_TRUE(ends_boot(gave_up, true, false));
  EXPECT_TRUE(ends_boot(gave_up, false, false));
  EXPECT_FALSE(ends_boot(loaded, true, false));
}

// --ipv6 on the user network: slirp answers DHCPv6 too, so OVMF's PXEv4 failing is
// not the end; its PXEv6 failing is (HTTP boot has nothing to reach there).
TEST(EndsBoot, Ipv6UserNetworkGoesOnToThePxev6Option) {
  SerialEvent v4{K::kBootOptionFailed, "Boot0001 \"UEFI PXEv4 (MAC:525400123456)\": Not Found", ""};
  SerialEvent v6{K::kBootOptionFailed, "Boot0002 \"UEFI PXEv6 (MAC:525400123456)\": Not Found", ""};
  EXPECT_FALSE(ends_boot(v4, true, true));
  EXPECT_TRUE(ends_boot(v6, true, true));
  EXPECT_FALSE(ends_boot(v6, false, true));
  EXPECT_TRUE(ends_boot(v4, true, false));
}

}  // namespace
}  // namespace mpxe::runner

namespace mpxe::runner {
namespace {

TEST(QemuStderr, KvmInternalErrorIsFatal) {
  // Real: OVMF under this host's KVM (qemu-system-x86_64 7.2, --accel kvm).
  auto fatal = qemu_fatal_error("KVM internal error. Suberror: 1");
  ASSERT_TRUE(fatal);
  EXPECT_NE(fatal->find("--accel tcg"), std::string::npos);
  EXPECT_FALSE(qemu_fatal_error(
      "qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.01H:ECX.pni "
      "[bit 0]"));
}

}  // namespace
}  // namespace mpxe::runner
