// mpxe run: option parsing, environment fallbacks (Project Mu's names included) and
// the rule that the command line wins.
#include <gtest/gtest.h>

#include "exit_status.h"
#include "options.h"
#include "ovmf_vars.h"

namespace mpxe::runner {
namespace {

ParseResult parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return parse_run_arguments(args, Environment(env));
}

RunOptions options(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  ParseResult r = parse(std::move(args), std::move(env));
  EXPECT_TRUE(r.options.has_value()) << r.err;
  return r.options.value_or(RunOptions{});
}

constexpr int kUsage = static_cast<int>(RunnerStatus::kUsage);

TEST(RunOptions, Defaults) {
  RunOptions o = options({});
  EXPECT_EQ(o.cores, 4u);
  EXPECT_EQ(o.memory_mib, 1024u);
  EXPECT_EQ(o.pxe_folder, "");
  EXPECT_EQ(o.boot_file, "mpsh.efi");
  EXPECT_EQ(o.nic, Nic::kVirtio);
  EXPECT_EQ(o.stack, Stack::kMpxe);
  EXPECT_EQ(o.accel, Accel::kTcg);
  EXPECT_EQ(o.timeout_s, 600u);
  EXPECT_FALSE(o.gdb_port);
  EXPECT_FALSE(o.serial_port);
  EXPECT_FALSE(o.monitor_port);
  EXPECT_FALSE(o.headless);
  EXPECT_FALSE(o.print_command);
  EXPECT_TRUE(o.extra_qemu_args.empty());
  EXPECT_EQ(o, RunOptions{});
}

TEST(RunOptions, EveryOptionOnTheCommandLine) {
  RunOptions o = options({"--cores", "2", "--memory=2048", "--pxe-folder", "/srv/pxe",
                          "--boot-file", "grub/grubnetx64.efi", "--nic", "e1000e", "--stack",
                          "ipxe", "--tap", "tap0", "--shell-cmd", "ver; exit 3", "--gdb=4000",
                          "--serial-log", "s.log", "--pcap", "n.pcap", "--timeout", "30",
                          "--accel", "kvm", "--serial-port", "5000", "--monitor-port", "5001",
                          "--headless", "--dry-run"});
  EXPECT_EQ(o.cores, 2u);
  EXPECT_EQ(o.memory_mib, 2048u);
  EXPECT_EQ(o.pxe_folder, "/srv/pxe");
  EXPECT_EQ(o.boot_file, "grub/grubnetx64.efi");
  EXPECT_EQ(o.nic, Nic::kE1000e);
  EXPECT_EQ(o.stack, Stack::kIpxe);
  EXPECT_EQ(o.tap, "tap0");
  EXPECT_EQ(o.shell_cmd, "ver; exit 3");
  EXPECT_EQ(o.gdb_port, 4000);
  EXPECT_EQ(o.serial_log, "s.log");
  EXPECT_EQ(o.pcap, "n.pcap");
  EXPECT_EQ(o.timeout_s, 30u);
  EXPECT_EQ(o.accel, Accel::kKvm);
  EXPECT_EQ(o.serial_port, 5000);
  EXPECT_EQ(o.monitor_port, 5001);
  EXPECT_TRUE(o.headless);
  EXPECT_TRUE(o.print_command);
}

TEST(RunOptions, NamesAreCaseInsensitive) {
  RunOptions o = options({"--nic", "Virtio-Modern", "--stack", "MPXE", "--accel", "TCG"});
  EXPECT_EQ(o.nic, Nic::kVirtioModern);
  EXPECT_EQ(o.stack, Stack::kMpxe);
  EXPECT_EQ(o.accel, Accel::kTcg);
}

TEST(RunOptions, PrintCommandHasTwoNames) {
  EXPECT_TRUE(options({"--print-command"}).print_command);
  EXPECT_TRUE(options({"--dry-run"}).print_command);
}

TEST(RunOptions, GdbPortIsOptional) {
  EXPECT_EQ(options({"--gdb"}).gdb_port, kDefaultGdbPort);
  EXPECT_EQ(options({"--gdb=4321"}).gdb_port, 4321);
  EXPECT_EQ(options({"--gdb", "4322"}).gdb_port, 4322);
  EXPECT_EQ(options({"--gdb", "--headless"}).gdb_port, kDefaultGdbPort);
}

TEST(RunOptions, GdbDropsTheDefaultTimeoutButNotAGivenOne) {
  EXPECT_EQ(options({"--gdb"}).timeout_s, 0u);
  EXPECT_EQ(options({"--gdb", "--timeout", "60"}).timeout_s, 60u);
  EXPECT_EQ(options({}, {{"GDB_SERVER", "1234"}}).timeout_s, 0u);
}

TEST(RunOptions, WordsAfterDoubleDashGoToQemu) {
  RunOptions o = options({"--cores", "1", "--", "-d", "int", "--cores", "9"});
  EXPECT_EQ(o.cores, 1u);
  EXPECT_EQ(o.extra_qemu_args, (std::vector<std::string>{"-d", "int", "--cores", "9"}));
}

TEST(RunOptions, SplitAtDoubleDash) {
  auto [runner, qemu] = split_at_double_dash({"a", "--", "b", "--", "c"});
  EXPECT_EQ(runner, (std::vector<std::string>{"a"}));
  EXPECT_EQ(qemu, (std::vector<std::string>{"b", "--", "c"}));
  auto [all, none] = split_at_double_dash({"a", "b"});
  EXPECT_EQ(all.size(), 2u);
  EXPECT_TRUE(none.empty());
}

TEST(RunOptions, BadValuesAreUsageErrors) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--nic", "rtl8139"}, {"--stack", "grub"}, {"--cores", "0"},
        {"--cores", "x"}, {"--accel", "hvf"}, {"--gdb=0"}, {"--serial-port", "70000"},
        {"--no-such-option"}, {"stray"}, {"--memory", "1"}, {"--boot-file", "/abs.efi"}}) {
    ParseResult r = parse(args);
    EXPECT_FALSE(r.options) << args[0];
    EXPECT_EQ(r.exit_status, kUsage) << args[0];
    EXPECT_NE(r.err.find("mpxe run: "), std::string::npos) << r.err;
  }
}

TEST(RunOptions, OvmfCannotDriveIntelNics) {
  for (const char* nic : {"e1000", "e1000e"}) {
    ParseResult r = parse({"--stack", "ovmf", "--nic", nic});
    EXPECT_EQ(r.exit_status, kUsage);
    EXPECT_NE(r.err.find("OVMF has no Intel NIC driver"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(parse({"--stack", "ipxe", "--nic", "e1000"}).options);
  EXPECT_TRUE(parse({"--stack", "mpxe", "--nic", "e1000e"}).options);
  EXPECT_TRUE(parse({"--stack", "ovmf", "--nic", "virtio-modern"}).options);
}

TEST(RunOptions, SecureBootAndItsCertificate) {
  ParseResult r = parse({"--secure-boot", "--stack", "ipxe", "--nic", "e1000"});
  ASSERT_TRUE(r.options) << r.err;
  EXPECT_TRUE(r.options->secure_boot);
  EXPECT_EQ(r.options->secure_boot_cert, "");
  r = parse({"--secure-boot", "--secure-boot-cert", "/k/cert.pem"});
  ASSERT_TRUE(r.options) << r.err;
  EXPECT_EQ(r.options->secure_boot_cert, "/k/cert.pem");
  r = parse({"--secure-boot-cert", "/k/cert.pem"});
  EXPECT_EQ(r.exit_status, kUsage);
  EXPECT_NE(r.err.find("--secure-boot-cert needs --secure-boot"), std::string::npos) << r.err;
  r = parse({"--secure-boot", "--accel", "kvm"});
  EXPECT_EQ(r.exit_status, kUsage);
  EXPECT_FALSE(parse({}).options->secure_boot);
}

TEST(RunOptions, PortsMustDiffer) {
  EXPECT_EQ(parse({"--gdb=5000", "--serial-port=5000"}).exit_status, kUsage);
  EXPECT_EQ(parse({"--monitor-port=5000", "--serial-port=5000"}).exit_status, kUsage);
}

TEST(RunOptions, HelpListsOptionsEnvironmentAndStatuses) {
  ParseResult r = parse({"--help"});
  EXPECT_FALSE(r.options);
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(r.out, run_help());
  for (const char* word :
       {"--cores", "--memory", "--pxe-folder", "--boot-file", "--nic", "--stack", "--tap", "--mac",
        "--shell-cmd", "--gdb", "--serial-log", "--pcap", "--timeout", "--accel",
        "--serial-port", "--monitor-port", "--headless", "--print-command", "--dry-run",
        "--http", "--https", "--ca-cert", "--boot-url", "--payload", "mpsh|uefi-shell",
        "scripts/setup --uefi-shell", "MPXE_NGINX", "MPXE_OPENSSL", "MPXE_UEFI_SHELL",
        "MPXE_CORES", "BLD_*_QEMU_CORE_NUM", "PXE_FOLDER_PATH", "PXE_BOOT_FILE", "GDB_SERVER",
        "QEMU_ACCEL", "SERIAL_PORT", "MONITOR_PORT", "QEMU_HEADLESS", "MPXE_BUILD_DIR",
        "-- EXTRA QEMU ARGS", "(mpxe)"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
  for (const auto& status : runner_statuses())
    EXPECT_NE(r.out.find("  " + std::to_string(status.status) + "   "), std::string::npos)
        << status.status;
}

TEST(RunOptions, PayloadNamesTheDefaultBootFile) {
  EXPECT_EQ(options({}).payload, Payload::kMpsh);
  RunOptions shell = options({"--payload", "uefi-shell"});
  EXPECT_EQ(shell.payload, Payload::kUefiShell);
  EXPECT_EQ(shell.boot_file, "Shell.efi");
  EXPECT_EQ(options({"--payload=UEFI-Shell"}).payload, Payload::kUefiShell);
  EXPECT_EQ(options({"--payload", "uefi-shell", "--payload", "mpsh"}).boot_file, "mpsh.efi");
  // A boot file given on the command line or through PXE_BOOT_FILE stays.
  EXPECT_EQ(options({"--payload", "uefi-shell", "--boot-file", "x64/shell.efi"}).boot_file,
            "x64/shell.efi");
  EXPECT_EQ(options({"--payload", "uefi-shell"}, {{"PXE_BOOT_FILE", "s.efi"}}).boot_file, "s.efi");
  EXPECT_EQ(parse({"--payload", "edk2"}).exit_status, kUsage);
  EXPECT_EQ(payload_name(Payload::kUefiShell), "uefi-shell");
  EXPECT_EQ(payload_file_name(Payload::kMpsh), "mpsh.efi");
}

// --- environment ----------------------------------------------------------

TEST(RunEnvironment, EachVariableFillsItsOption) {
  RunOptions o = options({}, {{"MPXE_CORES", "2"},
                              {"PXE_FOLDER_PATH", "/srv/pxe"},
                              {"PXE_BOOT_FILE", "boot/x.efi"},
                              {"GDB_SERVER", "4444"},
                              {"QEMU_ACCEL", "kvm"},
                              {"SERIAL_PORT", "5555"},
                              {"MONITOR_PORT", "6666"},
                              {"QEMU_HEADLESS", "TRUE"}});
  EXPECT_EQ(o.cores, 2u);
  EXPECT_EQ(o.pxe_folder, "/srv/pxe");
  EXPECT_EQ(o.boot_file, "boot/x.efi");
  EXPECT_EQ(o.gdb_port, 4444);
  EXPECT_EQ(o.accel, Accel::kKvm);
  EXPECT_EQ(o.serial_port, 5555);
  EXPECT_EQ(o.monitor_port, 6666);
  EXPECT_TRUE(o.headless);
}

TEST(RunEnvironment, ProjectMuCoreCountMatchesAnyPlatformName) {
  EXPECT_EQ(options({}, {{"BLD_*_QEMU_CORE_NUM", "3"}}).cores, 3u);
  EXPECT_EQ(options({}, {{"BLD_X64_QEMU_CORE_NUM", "2"}}).cores, 2u);
  EXPECT_EQ(options({}, {{"BLD_QEMUQ35PKG_QEMU_CORE_NUM", "8"}}).cores, 8u);
  // Not the pattern: no middle, wrong suffix, empty value.
  EXPECT_EQ(options({}, {{"BLD__QEMU_CORE_NUM_X", "2"}}).cores, 4u);
  EXPECT_EQ(options({}, {{"BLD_X64_QEMU_CORES", "2"}}).cores, 4u);
  EXPECT_EQ(options({}, {{"BLD_X64_QEMU_CORE_NUM", ""}}).cores, 4u);
}

TEST(RunEnvironment, MpxeCoresBeatsProjectMu) {
  EXPECT_EQ(options({}, {{"MPXE_CORES", "3"}, {"BLD_X64_QEMU_CORE_NUM", "2"}}).cores, 3u);
}

TEST(RunEnvironment, CommandLineWins) {
  std::map<std::string, std::string> env = {{"MPXE_CORES", "3"},
                                            {"BLD_X64_QEMU_CORE_NUM", "2"},
                                            {"PXE_FOLDER_PATH", "/env"},
                                            {"PXE_BOOT_FILE", "env.efi"},
                                            {"GDB_SERVER", "4444"},
                                            {"QEMU_ACCEL", "kvm"},
                                            {"SERIAL_PORT", "5555"},
                                            {"MONITOR_PORT", "6666"}};
  RunOptions o = options({"--cores", "1", "--pxe-folder", "/cli", "--boot-file", "cli.efi",
                          "--gdb", "--accel", "tcg", "--serial-port", "5556",
                          "--monitor-port", "6667"},
                         env);
  EXPECT_EQ(o.cores, 1u);
  EXPECT_EQ(o.pxe_folder, "/cli");
  EXPECT_EQ(o.boot_file, "cli.efi");
  EXPECT_EQ(o.gdb_port, kDefaultGdbPort);  // bare --gdb on the command line: its default
  EXPECT_EQ(o.accel, Accel::kTcg);
  EXPECT_EQ(o.serial_port, 5556);
  EXPECT_EQ(o.monitor_port, 6667);
}

TEST(RunEnvironment, CommandLineOptionsLeaveOtherVariablesInForce) {
  RunOptions o = options({"--cores", "1"}, {{"MPXE_CORES", "3"}, {"PXE_BOOT_FILE", "env.efi"}});
  EXPECT_EQ(o.cores, 1u);
  EXPECT_EQ(o.boot_file, "env.efi");
}

TEST(RunEnvironment, HeadlessReadsABoolean) {
  for (const char* yes : {"TRUE", "true", "1", "yes", "On"})
    EXPECT_TRUE(options({}, {{"QEMU_HEADLESS", yes}}).headless) << yes;
  for (const char* no : {"FALSE", "false", "0", "no", ""})
    EXPECT_FALSE(options({}, {{"QEMU_HEADLESS", no}}).headless) << no;
  EXPECT_TRUE(options({"--headless"}, {{"QEMU_HEADLESS", "FALSE"}}).headless);
}

TEST(RunEnvironment, EmptyVariablesAreUnset) {
  EXPECT_EQ(options({}, {{"PXE_FOLDER_PATH", ""}, {"GDB_SERVER", ""}}), RunOptions{});
}

TEST(RunEnvironment, BadValuesNameTheVariable) {
  ParseResult r = parse({}, {{"MPXE_CORES", "many"}});
  EXPECT_EQ(r.exit_status, kUsage);
  EXPECT_NE(r.err.find("MPXE_CORES=many"), std::string::npos) << r.err;
  r = parse({}, {{"BLD_X64_QEMU_CORE_NUM", "0"}});
  EXPECT_EQ(r.exit_status, kUsage);
  EXPECT_NE(r.err.find("BLD_X64_QEMU_CORE_NUM=0"), std::string::npos) << r.err;
  // A bad variable the command line overrides is never read.
  EXPECT_TRUE(parse({"--cores", "2"}, {{"MPXE_CORES", "many"}}).options);
}

TEST(RunOptions, DefaultStackDrivesIntelNics) {
  ParseResult r = parse({"--nic", "e1000"}, {});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->stack, Stack::kMpxe);
  EXPECT_EQ(parse({"--stack", "ovmf", "--nic", "e1000"}, {}).exit_status, kUsage);
}

TEST(RunEnvironment, PatternLookup) {
  Environment env({{"BLD_A_QEMU_CORE_NUM", "1"}, {"BLD_B_QEMU_CORE_NUM", "2"}, {"X", "y"}});
  auto found = env.find_pattern("BLD_", "_QEMU_CORE_NUM");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->first, "BLD_A_QEMU_CORE_NUM");
  EXPECT_EQ(env.get("X"), "y");
  EXPECT_FALSE(env.get("Y"));
}

}  // namespace
}  // namespace mpxe::runner

namespace mpxe::runner {
namespace {

TEST(RunOptions, TheLastOfARepeatedOptionWins) {
  RunOptions o = options({"--timeout", "240", "--cores", "2", "--timeout", "120", "--cores=3"});
  EXPECT_EQ(o.timeout_s, 120u);
  EXPECT_EQ(o.cores, 3u);
}

}  // namespace
}  // namespace mpxe::runner

namespace mpxe::runner {
namespace {

TEST(RunOptions, Sha256IsSixtyFourHexDigitsKeptLowerCase) {
  const std::string upper(64, 'A');
  EXPECT_EQ(options({"--sha256", upper}).sha256, std::string(64, 'a'));
  EXPECT_EQ(options({}).sha256, "");
  for (std::string bad : {std::string(63, 'a'), std::string(65, 'a'), std::string(63, 'a') + "g",
                          std::string("")}) {
    ParseResult r = parse({"--sha256", bad});
    EXPECT_EQ(r.exit_status, kUsage) << bad;
    EXPECT_NE(r.err.find("64 hex digits"), std::string::npos) << r.err;
  }
}

TEST(RunOptions, MacIsSixHexPairs) {
  EXPECT_EQ(options({"--mac", "52:54:00:AB:cd:01"}).mac, "52:54:00:AB:cd:01");
  EXPECT_EQ(parse_mac("52:54:00:AB:cd:01"), (MacAddress{0x52, 0x54, 0x00, 0xab, 0xcd, 0x01}));
  for (std::string bad : {"52:54:00:ab:cd", "52:54:00:ab:cd:0g", "52-54-00-ab-cd-01",
                          "52:54:00:ab:cd:011", ""}) {
    ParseResult r = parse({"--mac", bad});
    EXPECT_EQ(r.exit_status, kUsage) << bad;
    EXPECT_NE(r.err.find("six hex pairs"), std::string::npos) << r.err;
    EXPECT_FALSE(parse_mac(bad)) << bad;
  }
}

TEST(RunOptions, Sha256IsCheckedByOurRomOnly) {
  ParseResult r = parse({"--sha256", std::string(64, '0'), "--stack", "ipxe"});
  EXPECT_EQ(r.exit_status, kUsage);
  EXPECT_NE(r.err.find("--stack mpxe"), std::string::npos) << r.err;
}

TEST(RunOptions, HashOnApIsOurRomsToo) {
  EXPECT_TRUE(options({"--hash-on-ap"}).hash_on_ap);
  EXPECT_FALSE(options({}).hash_on_ap);
  EXPECT_EQ(parse({"--hash-on-ap", "--stack", "ovmf"}).exit_status, kUsage);
}

TEST(RunOptions, DigestIsAskedOfOurRom) {
  EXPECT_TRUE(options({"--digest"}).digest);
  EXPECT_FALSE(options({}).digest);
  EXPECT_EQ(parse({"--digest", "--stack", "ipxe"}).exit_status, kUsage);
}

TEST(RunOptions, FaultsAreCheckedAsTheRomReadsThem) {
  EXPECT_EQ(options({"--faults", "drop=10,dup=5,reorder=20,seed=3"}).faults,
            "drop=10,dup=5,reorder=20,seed=3");
  EXPECT_EQ(options({}).faults, "");
  for (const char* bad : {"drop=1001", "lose=10", "drop=", "drop=x", "drop", "drop=10;dup=1"})
    EXPECT_EQ(parse({"--faults", bad}).exit_status, kUsage) << bad;
  EXPECT_EQ(parse({"--faults", "drop=10", "--stack", "ipxe"}).exit_status, kUsage);
}

TEST(RunOptions, PxeMenuIsAnItemForOurRom) {
  EXPECT_EQ(options({"--pxe-menu", "2"}).pxe_menu, 2);
  EXPECT_EQ(options({}).pxe_menu, 0);
  EXPECT_EQ(parse({"--pxe-menu", "0"}).exit_status, kUsage);
  EXPECT_EQ(parse({"--pxe-menu", "256"}).exit_status, kUsage);
  EXPECT_EQ(parse({"--pxe-menu", "1", "--stack", "ovmf"}).exit_status, kUsage);
}

TEST(RunOptions, Ipv6OnTheUserNetworkBootsOverTftpOnly) {
  EXPECT_TRUE(options({"--ipv6"}).ipv6);
  EXPECT_FALSE(options({}).ipv6);
  EXPECT_TRUE(options({"--ipv6", "--stack", "ovmf"}).ipv6);  // to show the peers cannot
  EXPECT_TRUE(options({"--ipv6", "--tap", "tap0"}).ipv6);
  // slirp's DHCPv6 names only tftp:// URLs: the refusal says so and points to --tap.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--ipv6", "--http"}, {"--ipv6", "--https"},
        {"--ipv6", "--boot-url", "http://[fec0::2]/mpsh.efi"}}) {
    ParseResult r = parse(args);
    EXPECT_EQ(r.exit_status, kUsage) << args.back();
    EXPECT_NE(r.err.find("--ipv6 on QEMU's user network boots over TFTP only"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("tftp://[host]/FILE"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("use --tap"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(args[1]), std::string::npos) << r.err;
  }
  // On a TAP the link's DHCPv6 server names the URL: --http is refused for its own reason.
  ParseResult tap = parse({"--ipv6", "--tap", "tap0", "--http"});
  EXPECT_EQ(tap.exit_status, kUsage);
  EXPECT_NE(tap.err.find("--http needs QEMU's user network"), std::string::npos) << tap.err;
}

TEST(RunOptions, Ipv6OnlyIsIpv6WithoutIpv4OnTheUserNetwork) {
  RunOptions o = options({"--ipv6-only", "--stack", "ipxe"});
  EXPECT_TRUE(o.ipv6_only);
  EXPECT_TRUE(o.ipv6);
  EXPECT_FALSE(options({"--ipv6"}).ipv6_only);
  EXPECT_EQ(parse({"--ipv6-only", "--tap", "tap0"}).exit_status, kUsage);
  EXPECT_EQ(parse({"--ipv6-only", "--http"}).exit_status, kUsage);
}

TEST(RunOptions, HttpApsIsACountForOurRom) {
  EXPECT_EQ(options({"--http-aps", "3"}).http_aps, 3);
  EXPECT_EQ(options({"--http-aps", "0"}).http_aps, 0);
  EXPECT_EQ(options({}).http_aps, -1);
  EXPECT_EQ(parse({"--http-aps", "-1"}).exit_status, kUsage);
  EXPECT_EQ(parse({"--http-aps", "two"}).exit_status, kUsage);
  EXPECT_EQ(parse({"--http-aps", "1", "--stack", "ipxe"}).exit_status, kUsage);
}

// --- HTTP boot --------------------------------------------------------------

TEST(RunOptions, HttpAndBootUrl) {
  RunOptions o = options({"--http"});
  EXPECT_TRUE(o.http);
  EXPECT_EQ(o.boot_url, "");
  EXPECT_FALSE(RunOptions{}.http);
  o = options({"--boot-url", "http://192.168.1.5:8080/boot/mpsh.efi"});
  EXPECT_FALSE(o.http);
  EXPECT_EQ(o.boot_url, "http://192.168.1.5:8080/boot/mpsh.efi");
  for (const char* stack : {"mpxe", "ovmf", "ipxe"}) {
    EXPECT_TRUE(parse({"--http", "--stack", stack}).options) << stack;
    EXPECT_TRUE(parse({"--boot-url", "http://h/x.efi", "--stack", stack}).options) << stack;
  }
  EXPECT_TRUE(parse({"--http", "--stack", "ipxe", "--nic", "e1000"}).options);
}

// The combinations that cannot mean anything, each with a line that says why.
TEST(RunOptions, HttpCombinationsThatMakeNoSense) {
  struct Bad {
    std::vector<std::string> args;
    std::string says;
  };
  std::string long_url = "http://10.0.2.2:8080/" + std::string(107, 'a');  // 128 bytes
  for (const Bad& bad : std::vector<Bad>{
           {{"--http", "--tap", "tap0"}, "needs QEMU's user network"},
           {{"--boot-url", "http://h/x", "--tap", "tap0"}, "needs QEMU's user network"},
           {{"--http", "--boot-url", "http://h/x"}, "exclude each other"},
           {{"--boot-url", "https://h/x.efi"}, "needs --ca-cert FILE"},
           {{"--boot-url", "tftp://h/x.efi"}, "must start with http://"},
           {{"--boot-url", "mpsh.efi"}, "must start with http://"},
           {{"--boot-url", "http://"}, "names no host"},
           {{"--boot-url", "http:///x.efi"}, "names no host"},
           {{"--boot-url", "http://h/a b.efi"}, "spaces or control characters"},
           {{"--boot-url", long_url}, "at most 127"},
           {{"--http", "--boot-file", std::string(110, 'b')}, "too long for --http"},
           {{"--http", "--stack", "ovmf", "--nic", "e1000"}, "OVMF has no Intel NIC driver"},
       }) {
    ParseResult r = parse(bad.args);
    EXPECT_FALSE(r.options) << bad.args[0] << " " << bad.args[1];
    EXPECT_EQ(r.exit_status, kUsage);
    EXPECT_NE(r.err.find(bad.says), std::string::npos) << r.err;
  }
  // 127 bytes is the most the field holds; the longest --http path fits too.
  EXPECT_TRUE(parse({"--boot-url", long_url.substr(0, 127)}).options);
  EXPECT_TRUE(parse({"--http", "--boot-file", std::string(99, 'b')}).options);
}

TEST(RunOptions, HttpsIsHttpOverTlsWithTheRunsOwnCa) {
  RunOptions o = options({"--https"});
  EXPECT_TRUE(o.https);
  EXPECT_TRUE(o.http);
  EXPECT_TRUE(o.ca_certs.empty());
  EXPECT_FALSE(RunOptions{}.https);
  for (const char* stack : {"mpxe", "ovmf"})
    EXPECT_TRUE(parse({"--https", "--stack", stack}).options) << stack;
}

TEST(RunOptions, CaCertIsRepeatableAndKeepsItsOrder) {
  RunOptions o = options({"--https", "--ca-cert", "/a.pem", "--ca-cert", "/b.der"});
  EXPECT_EQ(o.ca_certs, (std::vector<std::string>{"/a.pem", "/b.der"}));
  o = options({"--boot-url", "https://boot.example:8443/x.efi", "--ca-cert", "/site-ca.pem"});
  EXPECT_FALSE(o.http);
  EXPECT_FALSE(o.https);
  EXPECT_EQ(o.boot_url, "https://boot.example:8443/x.efi");
  EXPECT_EQ(o.ca_certs, (std::vector<std::string>{"/site-ca.pem"}));
  // On a TAP the link's DHCP(v6) server names the URL, https:// perhaps.
  o = options({"--tap", "tap0", "--ipv6", "--ca-cert", "/site-ca.pem"});
  EXPECT_EQ(o.ca_certs, (std::vector<std::string>{"/site-ca.pem"}));
}

TEST(RunOptions, CaCertInVarHandsTheSameCertificatesOverAsTheVariable) {
  EXPECT_FALSE(options({"--https"}).ca_cert_in_var);
  EXPECT_TRUE(options({"--https", "--ca-cert-in-var"}).ca_cert_in_var);
  RunOptions o = options({"--boot-url", "https://h/x.efi", "--ca-cert", "/c.pem", "--ca-cert-in-var",
                          "--stack", "ovmf"});
  EXPECT_TRUE(o.ca_cert_in_var);
  EXPECT_EQ(o.ca_certs, (std::vector<std::string>{"/c.pem"}));
}

TEST(RunOptions, HttpsCombinationsThatMakeNoSense) {
  struct Bad {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Bad& bad : std::vector<Bad>{
           {{"--https", "--boot-url", "https://h/x", "--ca-cert", "/c"}, "--https and --boot-url exclude each other"},
           {{"--https", "--stack", "ipxe", "--nic", "e1000"}, "--stack ipxe cannot boot --https: Debian's iPXE ROMs (ipxe-qemu) are built without HTTPS"},
           {{"--boot-url", "https://h/x", "--ca-cert", "/c", "--stack", "ipxe", "--nic", "e1000"},
            "--stack ipxe cannot boot an https:// URL"},
           {{"--ca-cert", "/c.pem"}, "--ca-cert needs --https, an https:// --boot-url or --tap"},
           {{"--http", "--ca-cert", "/c.pem"}, "--ca-cert needs --https"},
           {{"--boot-url", "http://h/x", "--ca-cert", "/c.pem"}, "--ca-cert needs --https"},
           {{"--ca-cert-in-var"}, "--ca-cert-in-var needs --https, an https:// --boot-url or --tap"},
           {{"--http", "--ca-cert-in-var"}, "--ca-cert-in-var needs --https"},
           {{"--https", "--tap", "tap0"}, "needs QEMU's user network"},
           // "https://10.0.2.2:65535/" leaves 104 bytes of the 127.
           {{"--https", "--boot-file", std::string(105, 'b')}, "too long for --https"},
       }) {
    ParseResult r = parse(bad.args);
    EXPECT_FALSE(r.options) << bad.args[0] << " " << bad.args[1];
    EXPECT_EQ(r.exit_status, kUsage);
    EXPECT_NE(r.err.find(bad.says), std::string::npos) << r.err;
  }
  EXPECT_TRUE(parse({"--https", "--boot-file", std::string(104, 'b')}).options);
  EXPECT_TRUE(parse({"--http", "--boot-file", std::string(105, 'b')}).options);
}

}  // namespace
}  // namespace mpxe::runner
