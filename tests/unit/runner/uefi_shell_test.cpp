// --payload uefi-shell: --shell-cmd as the startup.nsh EDK II's Shell runs.
#include <gtest/gtest.h>

#include "uefi_shell.h"

namespace mpxe::runner {
namespace {

TEST(UefiShellStartup, OneCommandALineInOrder) {
  EXPECT_EQ(uefi_shell_startup_script("ver; map -r;ifconfig -l eth0 "),
            "ver\r\nmap -r\r\nifconfig -l eth0\r\n");
  EXPECT_EQ(uefi_shell_startup_script(" ; ;\n"), "");
  EXPECT_EQ(uefi_shell_startup_script("echo a\necho b"), "echo a\r\necho b\r\n");
}

// mpsh's `exit N` writes N to isa-debug-exit; the script does the same through mm
// (values are hex to mm), then the shell's own exit where QEMU has no such device.
TEST(UefiShellStartup, ExitBecomesTheStatusAsInMpsh) {
  EXPECT_EQ(uefi_shell_startup_script("ver; exit"),
            "ver\r\nmm 0xF4 0x0 -w 4 -IO -n\r\nexit 0\r\n");
  EXPECT_EQ(uefi_shell_startup_script("EXIT 42"), "mm 0xF4 0x2A -w 4 -IO -n\r\nexit 42\r\n");
  EXPECT_EQ(uefi_shell_startup_script("exit 0x10"), "mm 0xF4 0x10 -w 4 -IO -n\r\nexit 16\r\n");
  EXPECT_EQ(uefi_shell_startup_script("exit 4294967295"),
            "mm 0xF4 0xFFFFFFFF -w 4 -IO -n\r\nexit 4294967295\r\n");
}

// What mpsh would refuse is the shell's own business: left as written.
TEST(UefiShellStartup, OtherExitsAreTheShells) {
  EXPECT_EQ(uefi_shell_startup_script("exit /b 3"), "exit /b 3\r\n");
  EXPECT_EQ(uefi_shell_startup_script("exit 4294967296"), "exit 4294967296\r\n");
  EXPECT_EQ(uefi_shell_startup_script("exit x"), "exit x\r\n");
  EXPECT_EQ(uefi_shell_startup_script("exitcode 3"), "exitcode 3\r\n");
}

}  // namespace
}  // namespace mpxe::runner
