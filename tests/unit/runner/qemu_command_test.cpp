// The QEMU argument vector, concern by concern, and whole for every stack x NIC x
// network mode.
#include <gtest/gtest.h>

#include <algorithm>

#include "qemu_command.h"

namespace mpxe::runner {
namespace {

using Args = std::vector<std::string>;

QemuPlan plan() {
  QemuPlan p;
  p.qemu = "qemu-system-x86_64";
  p.ovmf_code = "/usr/share/OVMF/OVMF_CODE_4M.fd";
  p.ovmf_vars_copy = "/tmp/w/OVMF_VARS_4M.fd";
  p.pxe_folder = "/tmp/w/pxe";
  p.rom = "/b/rom/mpxe-virtio.rom";
  return p;
}

// The word after FLAG's first occurrence, or "" (and a failure) if none.
std::string after(const Args& args, const std::string& flag, size_t nth = 0) {
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == flag && nth-- == 0) return args[i + 1];
  ADD_FAILURE() << "no " << flag;
  return "";
}

bool has(const Args& args, const std::string& word) {
  return std::find(args.begin(), args.end(), word) != args.end();
}

TEST(QemuCommand, WholeDefaultCommand) {
  Args expected = {"qemu-system-x86_64",
                   "-machine", "q35,accel=tcg", "-smp", "4", "-m", "1024",
                   "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
                   "-drive", "if=pflash,format=raw,unit=1,file=/tmp/w/OVMF_VARS_4M.fd",
                   "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-no-reboot",
                   "-boot", "strict=on",
                   "-netdev", "user,id=n0,tftp=/tmp/w/pxe,bootfile=mpsh.efi",
                   "-device", "virtio-net-pci,netdev=n0,bootindex=1,romfile=/b/rom/mpxe-virtio.rom",
                   "-chardev", "stdio,id=serial0", "-serial", "chardev:serial0",
                   "-monitor", "none", "-display", "none"};
  EXPECT_EQ(build_qemu_command(RunOptions{}, plan()), expected);
}

TEST(QemuCommand, Machine) {
  RunOptions o;
  o.cores = 2;
  o.memory_mib = 4096;
  o.accel = Accel::kKvm;
  EXPECT_EQ(machine_args(o), (Args{"-machine", "q35,accel=kvm", "-smp", "2", "-m", "4096"}));
}

TEST(QemuCommand, CpuModelOnlyWhenGiven) {
  RunOptions o;
  const Args plain = machine_args(o);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), "-cpu"), 0);
  o.cpu = "qemu64,+aes,+pclmulqdq";
  EXPECT_EQ(machine_args(o), (Args{"-machine", "q35,accel=tcg", "-smp", "4", "-m", "1024", "-cpu",
                                   "qemu64,+aes,+pclmulqdq"}));
}

// OVMF's Secure Boot build: SMM on, the flash writable only from SMM, its own code
// image; nothing of that otherwise.
TEST(QemuCommand, SecureBootTurnsOnSmmAndTheSecureFlash) {
  RunOptions o;
  o.secure_boot = true;
  o.cores = 1;
  EXPECT_EQ(machine_args(o), (Args{"-machine", "q35,smm=on,accel=tcg", "-smp", "1", "-m", "1024"}));
  HostPaths paths;
  paths.build_dir = "/b";
  EXPECT_EQ(ovmf_code_path(paths, o), "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  EXPECT_EQ(secure_boot_cert_path(paths, o), "/b/firmware/signing-cert.pem");
  o.secure_boot_cert = "/keys/mine.der";
  EXPECT_EQ(secure_boot_cert_path(paths, o), "/keys/mine.der");
  QemuPlan p = plan();
  p.ovmf_code = ovmf_code_path(paths, o);
  p.secure_boot = true;
  EXPECT_EQ(firmware_args(p),
            (Args{"-drive",
                  "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd",
                  "-drive", "if=pflash,format=raw,unit=1,file=/tmp/w/OVMF_VARS_4M.fd", "-global",
                  "driver=cfi.pflash01,property=secure,value=on"}));
  Args all = build_qemu_command(o, p);
  EXPECT_EQ(std::count(all.begin(), all.end(), "-global"), 1);

  RunOptions plain;
  EXPECT_EQ(ovmf_code_path(paths, plain), "/usr/share/OVMF/OVMF_CODE_4M.fd");
  EXPECT_FALSE(has(build_qemu_command(plain, plan()), "-global"));
}

TEST(QemuCommand, PlatformAlwaysHasDebugExitNoRebootStrictBoot) {
  EXPECT_EQ(platform_args(), (Args{"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                                   "-no-reboot", "-boot", "strict=on"}));
}

TEST(QemuCommand, CommasInPathsAreEscaped) {
  EXPECT_EQ(qemu_opt_value("/a,b/c,,d"), "/a,,b/c,,,,d");
  QemuPlan p = plan();
  p.pxe_folder = "/tmp/x,y";
  EXPECT_EQ(after(netdev_args(RunOptions{}, p), "-netdev"),
            "user,id=n0,tftp=/tmp/x,,y,bootfile=mpsh.efi");
}

TEST(QemuCommand, TapServesNothing) {
  RunOptions o;
  o.tap = "tap0";
  EXPECT_EQ(netdev_args(o, plan()),
            (Args{"-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no"}));
  // A capture of a TAP link holds plain Ethernet frames: no virtio-net header.
  o.pcap = "/tmp/w/link.pcap";
  EXPECT_EQ(netdev_args(o, plan()),
            (Args{"-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no,vnet_hdr=off"}));
}

TEST(QemuCommand, UserNetworkServesTheFolderAndBootFile) {
  RunOptions o;
  o.boot_file = "grub/grubnetx64.efi";
  EXPECT_EQ(netdev_args(o, plan()),
            (Args{"-netdev", "user,id=n0,tftp=/tmp/w/pxe,bootfile=grub/grubnetx64.efi"}));
}

// --ipv6: slirp's IPv6 side says so outright, and the ROM is told to try it first;
// on a TAP the link is the user's, only the ROM's order changes.
TEST(QemuCommand, Ipv6TurnsOnTheUserNetworksIpv6) {
  RunOptions o;
  o.ipv6 = true;
  EXPECT_EQ(netdev_args(o, plan()),
            (Args{"-netdev", "user,id=n0,tftp=/tmp/w/pxe,bootfile=mpsh.efi,ipv6=on"}));
  o.tap = "tap0";
  EXPECT_EQ(netdev_args(o, plan()),
            (Args{"-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no"}));
  QemuPlan p = plan();
  p.ipv6_first_file = "/tmp/w/ipv6-first";
  EXPECT_EQ(fw_cfg_args(p),
            (Args{"-fw_cfg", "name=opt/org.mpxe/ipv6-first,file=/tmp/w/ipv6-first"}));
}

TEST(QemuCommand, Ipv6OnlyTurnsTheUserNetworksIpv4Off) {
  RunOptions o;
  o.ipv6 = true;
  o.ipv6_only = true;
  EXPECT_EQ(netdev_args(o, plan()),
            (Args{"-netdev", "user,id=n0,tftp=/tmp/w/pxe,bootfile=mpsh.efi,ipv6=on,ipv4=off"}));
}

struct Case {
  Stack stack;
  Nic nic;
  bool tap;
  std::string device;  // expected -device value for the NIC
};

class StackNicNetwork : public ::testing::TestWithParam<Case> {};

TEST_P(StackNicNetwork, NicAndNetdev) {
  const Case& c = GetParam();
  RunOptions o;
  o.stack = c.stack;
  o.nic = c.nic;
  if (c.tap) o.tap = "tap7";
  QemuPlan p = plan();
  p.rom = "/b/rom/mpxe-" + std::string(nic_name(c.nic)) + ".rom";
  Args cmd = build_qemu_command(o, p);
  // The NIC is the second -device (the first is isa-debug-exit).
  EXPECT_EQ(after(cmd, "-device", 1), c.device);
  std::string netdev = after(cmd, "-netdev");
  if (c.tap) {
    EXPECT_EQ(netdev, "tap,id=n0,ifname=tap7,script=no,downscript=no");
  } else {
    EXPECT_EQ(netdev, "user,id=n0,tftp=/tmp/w/pxe,bootfile=mpsh.efi");
  }
}

std::vector<Case> all_cases() {
  struct NicInfo {
    Nic nic;
    std::string device;
  };
  std::vector<NicInfo> nics = {
      {Nic::kVirtio, "virtio-net-pci,netdev=n0,bootindex=1"},
      {Nic::kVirtioModern, "virtio-net-pci,netdev=n0,bootindex=1,disable-legacy=on,disable-modern=off"},
      {Nic::kE1000, "e1000,netdev=n0,bootindex=1"},
      {Nic::kE1000e, "e1000e,netdev=n0,bootindex=1"}};
  std::vector<Case> cases;
  for (bool tap : {false, true})
    for (const auto& n : nics)
      for (Stack stack : {Stack::kMpxe, Stack::kOvmf, Stack::kIpxe}) {
        std::string device = n.device;
        if (stack == Stack::kMpxe) device += ",romfile=/b/rom/mpxe-" + std::string(nic_name(n.nic)) + ".rom";
        if (stack == Stack::kOvmf) device += ",romfile=";  // OVMF's own drivers
        // ipxe: no romfile, QEMU's default ROM (iPXE) for the model
        cases.push_back({stack, n.nic, tap, device});
      }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(AllCombinations, StackNicNetwork, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) {
                           std::string name = std::string(stack_name(info.param.stack)) + "_" +
                                              std::string(nic_name(info.param.nic)) +
                                              (info.param.tap ? "_tap" : "_user");
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(QemuCommand, Capture) {
  RunOptions o;
  EXPECT_TRUE(capture_args(o).empty());
  o.pcap = "/tmp/run.pcap";
  EXPECT_EQ(capture_args(o), (Args{"-object", "filter-dump,id=f0,netdev=n0,file=/tmp/run.pcap"}));
}

TEST(QemuCommand, ShellCommandsThroughFwCfg) {
  QemuPlan p = plan();
  EXPECT_TRUE(fw_cfg_args(p).empty());
  p.shell_cmd_file = "/tmp/w/mpsh-cmd";
  EXPECT_EQ(fw_cfg_args(p), (Args{"-fw_cfg", "name=opt/org.mpxe/mpsh-cmd,file=/tmp/w/mpsh-cmd"}));
}

// --payload uefi-shell: startup.nsh on a read-only FAT disk (QEMU's vvfat) that OVMF
// connects because it is in the boot order, after the NIC.
TEST(QemuCommand, StartupDriveForTheUefiShell) {
  RunOptions o;
  QemuPlan p = plan();
  EXPECT_TRUE(startup_drive_args(p).empty());
  EXPECT_FALSE(has(build_qemu_command(o, p), "virtio-blk-pci,drive=startup,bootindex=2"));
  p.startup_drive = "/tmp/w,1/startup-drive";
  EXPECT_EQ(startup_drive_args(p),
            (Args{"-drive",
                  "file=fat:/tmp/w,,1/startup-drive,format=raw,if=none,id=startup,readonly=on",
                  "-device", "virtio-blk-pci,drive=startup,bootindex=2"}));
  Args cmd = build_qemu_command(o, p);
  auto nic = std::find(cmd.begin(), cmd.end(), after(cmd, "-device", 1));
  auto disk = std::find(cmd.begin(), cmd.end(), "virtio-blk-pci,drive=startup,bootindex=2");
  ASSERT_NE(disk, cmd.end());
  EXPECT_NE(nic->find("bootindex=1"), std::string::npos) << *nic;
  EXPECT_LT(nic, disk);  // a pinned NIC's slot is taken first
  EXPECT_TRUE(fw_cfg_args(p).empty());
}

TEST(QemuCommand, TrustAnchorsThroughOvmfsFwCfgName) {
  RunOptions o;
  QemuPlan p = plan();
  EXPECT_FALSE(has(build_qemu_command(o, p), "-fw_cfg"));
  EXPECT_FALSE(has(build_qemu_command(o, p), "virtio-rng-pci"));
  p.cacerts_file = "/tmp/w/cacerts.esl";
  EXPECT_EQ(after(build_qemu_command(o, p), "-fw_cfg"),
            "name=etc/edk2/https/cacerts,file=/tmp/w/cacerts.esl");
  // ... with entropy for the guest's TLS: TCG's CPU has no RDRAND.
  EXPECT_TRUE(has(build_qemu_command(o, p), "virtio-rng-pci"));
  p.boot_url = "https://10.0.2.2:4443/mpsh.efi";
  EXPECT_EQ(after(build_qemu_command(o, p), "-netdev"),
            "user,id=n0,tftp=/tmp/w/pxe,bootfile=https://10.0.2.2:4443/mpsh.efi");
}

TEST(QemuCommand, TrustAnchorsInTheVariableLeaveTheFwCfgFileOut) {
  RunOptions o;
  QemuPlan p = plan();
  p.cacerts_file = "/tmp/w/cacerts.esl";
  p.cacerts_in_variable = true;
  // No etc/edk2/https/cacerts: OVMF would replace the variable with it (and the ROM
  // prefer it); the guest still gets entropy for TLS.
  EXPECT_FALSE(has(build_qemu_command(o, p), "-fw_cfg"));
  EXPECT_TRUE(has(build_qemu_command(o, p), "virtio-rng-pci"));
}

TEST(QemuCommand, ExpectedDigestThroughFwCfg) {
  QemuPlan p = plan();
  p.sha256_file = "/tmp/w,1/sha256";
  EXPECT_EQ(fw_cfg_args(p), (Args{"-fw_cfg", "name=opt/org.mpxe/sha256,file=/tmp/w,,1/sha256"}));
  p.shell_cmd_file = "/tmp/w/mpsh-cmd";
  EXPECT_EQ(fw_cfg_args(p), (Args{"-fw_cfg", "name=opt/org.mpxe/mpsh-cmd,file=/tmp/w/mpsh-cmd",
                                  "-fw_cfg", "name=opt/org.mpxe/sha256,file=/tmp/w,,1/sha256"}));
  p = plan();
  p.digest_file = "/tmp/w/digest";
  EXPECT_EQ(fw_cfg_args(p), (Args{"-fw_cfg", "name=opt/org.mpxe/digest,file=/tmp/w/digest"}));
  p = plan();
  p.hash_on_ap_file = "/tmp/w/hash-on-ap";
  EXPECT_EQ(fw_cfg_args(p), (Args{"-fw_cfg", "name=opt/org.mpxe/hash-on-ap,file=/tmp/w/hash-on-ap"}));
  p = plan();
  p.http_aps_file = "/tmp/w/http-aps";
  EXPECT_EQ(fw_cfg_args(p), (Args{"-fw_cfg", "name=opt/org.mpxe/http-aps,file=/tmp/w/http-aps"}));
  p = plan();
  p.faults_file = "/tmp/w/faults";
  EXPECT_EQ(fw_cfg_args(p), (Args{"-fw_cfg", "name=opt/org.mpxe/faults,file=/tmp/w/faults"}));
  p = plan();
  p.pxe_menu_file = "/tmp/w/pxe-menu";
  EXPECT_EQ(fw_cfg_args(p), (Args{"-fw_cfg", "name=opt/org.mpxe/pxe-menu,file=/tmp/w/pxe-menu"}));
}

TEST(QemuCommand, ConsoleOnStdioByDefault) {
  EXPECT_EQ(console_args(RunOptions{}, plan()),
            (Args{"-chardev", "stdio,id=serial0", "-serial", "chardev:serial0", "-monitor",
                  "none", "-display", "none"}));
}

TEST(QemuCommand, ConsoleOnTcpIsLogged) {
  RunOptions o;
  o.serial_port = 4555;
  o.monitor_port = 4556;
  QemuPlan p = plan();
  p.serial_logfile = "/tmp/w/serial.log";
  EXPECT_EQ(console_args(o, p),
            (Args{"-chardev",
                  "socket,id=serial0,host=127.0.0.1,port=4555,server=on,wait=off,logfile=/tmp/w/serial.log",
                  "-serial", "chardev:serial0", "-monitor",
                  "tcp:127.0.0.1:4556,server=on,wait=off", "-display", "none"}));
}

TEST(QemuCommand, DisplayOnlyWhenWantedAndPossible) {
  QemuPlan p = plan();
  p.show_display = true;
  EXPECT_FALSE(has(console_args(RunOptions{}, p), "-display"));
  p.show_display = false;
  EXPECT_EQ(after(console_args(RunOptions{}, p), "-display"), "none");
}

TEST(QemuCommand, Gdb) {
  RunOptions o;
  EXPECT_TRUE(debug_args(o).empty());
  o.gdb_port = 1234;
  EXPECT_EQ(debug_args(o), (Args{"-gdb", "tcp::1234", "-S"}));
}

TEST(QemuCommand, ExtraArgumentsComeLast) {
  RunOptions o;
  o.extra_qemu_args = {"-d", "int"};
  Args cmd = build_qemu_command(o, plan());
  ASSERT_GE(cmd.size(), 2u);
  EXPECT_EQ(cmd[cmd.size() - 2], "-d");
  EXPECT_EQ(cmd.back(), "int");
}

TEST(QemuCommand, ShellQuoting) {
  EXPECT_EQ(shell_quote_command({"qemu", "-fw_cfg", "name=a,file=/t/x", "romfile=", "it's",
                                 "a b", ""}),
            "qemu -fw_cfg name=a,file=/t/x romfile= 'it'\\''s' 'a b' ''");
}

TEST(HostPaths, DefaultsAndOverrides) {
  HostPaths d = resolve_host_paths(Environment{}, "/src/build", "/src");
  EXPECT_EQ(d.build_dir, "/src/build");
  EXPECT_EQ(d.qemu, "qemu-system-x86_64");
  EXPECT_EQ(d.ovmf_code, "/usr/share/OVMF/OVMF_CODE_4M.fd");
  EXPECT_EQ(d.ovmf_vars, "/usr/share/OVMF/OVMF_VARS_4M.fd");
  EXPECT_EQ(d.ovmf_code_secboot, "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  EXPECT_EQ(d.ovmf_vars_ms, "/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
  EXPECT_EQ(d.nginx, "");
  EXPECT_FALSE(d.has_display);
  EXPECT_EQ(payload_path(d, Payload::kMpsh), "/src/build/firmware/mpsh.efi");
  EXPECT_EQ(payload_path(d, Payload::kUefiShell), "/src/.tools/uefi-shell/Shell.efi");
  EXPECT_EQ(rom_path(d, Nic::kE1000e), "/src/build/rom/mpxe-e1000e.rom");
  EXPECT_EQ(rom_path(d, Nic::kVirtioModern), "/src/build/rom/mpxe-virtio-modern.rom");

  HostPaths o = resolve_host_paths(Environment({{"MPXE_BUILD_DIR", "/other"},
                                                {"MPXE_QEMU", "/opt/qemu"},
                                                {"MPXE_OVMF_CODE", "/c.fd"},
                                                {"MPXE_OVMF_VARS", "/v.fd"},
                                                {"MPXE_NGINX", "/opt/nginx"},
                                                {"MPXE_UEFI_SHELL", "/opt/Shell.efi"},
                                                {"MPXE_OVMF_CODE_SECBOOT", "/cs.fd"},
                                                {"MPXE_OVMF_VARS_MS", "/ms.fd"},
                                                {"DISPLAY", ":0"}}),
                                   "/src/build", "/src");
  EXPECT_EQ(o.build_dir, "/other");
  EXPECT_EQ(o.qemu, "/opt/qemu");
  EXPECT_EQ(o.ovmf_code, "/c.fd");
  EXPECT_EQ(o.ovmf_vars, "/v.fd");
  EXPECT_EQ(o.ovmf_code_secboot, "/cs.fd");
  EXPECT_EQ(o.ovmf_vars_ms, "/ms.fd");
  EXPECT_EQ(o.nginx, "/opt/nginx");
  EXPECT_EQ(payload_path(o, Payload::kUefiShell), "/opt/Shell.efi");
  EXPECT_TRUE(o.has_display);
}

// --- HTTP boot --------------------------------------------------------------

TEST(QemuCommand, BootUrlGoesInTheDhcpFileFieldAndTftpStaysOn) {
  RunOptions o;
  QemuPlan p = plan();
  p.boot_url = "http://10.0.2.2:41234/mpsh.efi";
  EXPECT_EQ(netdev_args(o, p),
            (Args{"-netdev", "user,id=n0,tftp=/tmp/w/pxe,bootfile=http://10.0.2.2:41234/mpsh.efi"}));
}

TEST(QemuCommand, CommasInTheBootUrlAreEscaped) {
  QemuPlan p = plan();
  p.boot_url = "http://h/a,b.efi?x=1,2";
  EXPECT_EQ(after(netdev_args(RunOptions{}, p), "-netdev"),
            "user,id=n0,tftp=/tmp/w/pxe,bootfile=http://h/a,,b.efi?x=1,,2");
}

TEST(QemuCommand, PinnedNicHasTheMacAndSlotOfOvmfsBootOption) {
  RunOptions o;
  o.stack = Stack::kOvmf;
  QemuPlan p = plan();
  p.pin_nic = true;
  EXPECT_EQ(after(nic_args(o, p), "-device"),
            "virtio-net-pci,netdev=n0,bootindex=1,mac=52:54:00:12:34:56,addr=0x2,romfile=");
  p.pin_nic = false;
  EXPECT_EQ(after(nic_args(o, p), "-device"), "virtio-net-pci,netdev=n0,bootindex=1,romfile=");
}

TEST(QemuCommand, AGivenMacIsTheNicsAndTheBootOptionsToo) {
  RunOptions o;
  o.stack = Stack::kOvmf;
  o.mac = "52:54:00:00:00:07";
  QemuPlan p = plan();
  p.mac = {0x52, 0x54, 0x00, 0x00, 0x00, 0x07};
  EXPECT_EQ(after(nic_args(o, p), "-device"),
            "virtio-net-pci,netdev=n0,bootindex=1,mac=52:54:00:00:00:07,romfile=");
  p.pin_nic = true;
  EXPECT_EQ(after(nic_args(o, p), "-device"),
            "virtio-net-pci,netdev=n0,bootindex=1,mac=52:54:00:00:00:07,addr=0x2,romfile=");
}

}  // namespace
}  // namespace mpxe::runner
