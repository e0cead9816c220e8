#include "qemu_command.h"

#include <cstdio>

#include "ovmf_vars.h"

namespace mpxe::runner {

namespace {

constexpr std::string_view kNetdevId = "n0";
constexpr std::string_view kSerialId = "serial0";

void append(std::vector<std::string>& to, std::vector<std::string> more) {
  for (auto& word : more) to.push_back(std::move(word));
}

}  // namespace

HostPaths resolve_host_paths(const Environment& env, std::string_view compiled_build_dir,
                             std::string_view compiled_source_dir) {
  HostPaths paths;
  paths.build_dir = env.get("MPXE_BUILD_DIR").value_or(std::string(compiled_build_dir));
  paths.uefi_shell = env.get("MPXE_UEFI_SHELL").value_or(std::string(compiled_source_dir) +
                                                         "/.tools/uefi-shell/Shell.efi");
  if (auto qemu = env.get("MPXE_QEMU")) paths.qemu = *qemu;
  if (auto code = env.get("MPXE_OVMF_CODE")) paths.ovmf_code = *code;
  if (auto vars = env.get("MPXE_OVMF_VARS")) paths.ovmf_vars = *vars;
  if (auto code = env.get("MPXE_OVMF_CODE_SECBOOT")) paths.ovmf_code_secboot = *code;
  if (auto vars = env.get("MPXE_OVMF_VARS_MS")) paths.ovmf_vars_ms = *vars;
  if (auto nginx = env.get("MPXE_NGINX")) paths.nginx = *nginx;
  if (auto openssl = env.get("MPXE_OPENSSL")) paths.openssl = *openssl;
  paths.has_display = env.get("DISPLAY").has_value() || env.get("WAYLAND_DISPLAY").has_value();
  return paths;
}

std::string payload_path(const HostPaths& paths, Payload payload) {
  if (payload == Payload::kUefiShell) return paths.uefi_shell;
  return paths.build_dir + "/firmware/mpsh.efi";
}

std::string rom_path(const HostPaths& paths, Nic nic) {
  return paths.build_dir + "/rom/mpxe-" + std::string(nic_name(nic)) + ".rom";
}

std::string secure_boot_cert_path(const HostPaths& paths, const RunOptions& options) {
  if (!options.secure_boot_cert.empty()) return options.secure_boot_cert;
  return paths.build_dir + "/firmware/signing-cert.pem";
}

std::string ovmf_code_path(const HostPaths& paths, const RunOptions& options) {
  return options.secure_boot ? paths.ovmf_code_secboot : paths.ovmf_code;
}

std::string qemu_opt_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    out += c;
    if (c == ',') out += ',';
  }
  return out;
}

std::vector<std::string> machine_args(const RunOptions& o) {
  // OVMF's Secure Boot build runs its variable services in SMM, so that code
  // outside SMM cannot write the key databases: it needs the machine's SMM on.
  const std::string smm = o.secure_boot ? "smm=on," : "";
  std::vector<std::string> args = {"-machine", "q35," + smm + "accel=" + std::string(accel_name(o.accel)),
                                   "-smp",     std::to_string(o.cores),
                                   "-m",       std::to_string(o.memory_mib)};
  if (!o.cpu.empty()) args.insert(args.end(), {"-cpu", o.cpu});
  return args;
}

// OVMF split into read-only code and a writable variable store (a private copy, so
// boot options one run records never leak into the next).
// For Secure Boot the flash answers writes only from SMM, so code outside SMM cannot
// rewrite the key databases behind the firmware's back.
std::vector<std::string> firmware_args(const QemuPlan& plan) {
  std::vector<std::string> args = {
      "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + qemu_opt_value(plan.ovmf_code),
      "-drive", "if=pflash,format=raw,unit=1,file=" + qemu_opt_value(plan.ovmf_vars_copy)};
  if (plan.secure_boot) append(args, {"-global", "driver=cfi.pflash01,property=secure,value=on"});
  return args;
}

// isa-debug-exit lets the payload end QEMU with a status; a reset ends QEMU too
// rather than booting again; only the NIC (bootindex=1) is in the boot order.
std::vector<std::string> platform_args() {
  return {"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-no-reboot", "-boot",
          "strict=on"};
}

// HTTPS needs entropy in the guest: the runner's CPU model (TCG's qemu64) has no
// RDRAND, so a virtio RNG, which OVMF offers as EFI_RNG_PROTOCOL (VirtioRngDxe),
// seeds both mpxe's TLS and OVMF's own.
std::vector<std::string> entropy_args(const QemuPlan& plan) {
  if (plan.cacerts_file.empty()) return {};
  return {"-device", "virtio-rng-pci"};
}

std::vector<std::string> netdev_args(const RunOptions& o, const QemuPlan& plan) {
  std::string id = "id=" + std::string(kNetdevId);
  // With a capture, no virtio-net header on the TAP: filter-dump writes the bytes
  // the netdev carries, and with the header every frame of the pcap starts with
  // 10 bytes tcpdump cannot read.
  if (!o.tap.empty())
    return {"-netdev", "tap," + id + ",ifname=" + qemu_opt_value(o.tap) +
                           ",script=no,downscript=no" + (o.pcap.empty() ? "" : ",vnet_hdr=off")};
  // The DHCP answer's file field: the boot file (TFTP), or an http:// URL the
  // stack fetches itself while TFTP keeps serving the folder.
  // --ipv6 says ipv6=on outright (slirp then also sends RAs and answers DHCPv6
  // with tftp://[fec0::2]/<bootfile>), whatever QEMU's default.
  const std::string& bootfile = plan.boot_url.empty() ? o.boot_file : plan.boot_url;
  return {"-netdev", "user," + id + ",tftp=" + qemu_opt_value(plan.pxe_folder) +
                         ",bootfile=" + qemu_opt_value(bootfile) + (o.ipv6 ? ",ipv6=on" : "") +
                         (o.ipv6_only ? ",ipv4=off" : "")};
}

// The stack is chosen through the NIC's option ROM: ours, none (OVMF's own
// drivers and NetworkPkg), or QEMU's default for the model (iPXE's efi-*.rom).
std::vector<std::string> nic_args(const RunOptions& o, const QemuPlan& plan) {
  const NicModel& nic = nic_model(o.nic);
  std::string device = std::string(nic.qemu_device) + ",netdev=" + std::string(kNetdevId) +
                       ",bootindex=1" + std::string(nic.qemu_options);
  if (plan.pin_nic || !o.mac.empty()) {
    char mac[32];
    std::snprintf(mac, sizeof mac, ",mac=%02x:%02x:%02x:%02x:%02x:%02x", plan.mac[0], plan.mac[1],
                  plan.mac[2], plan.mac[3], plan.mac[4], plan.mac[5]);
    device += mac;
  }
  if (plan.pin_nic) {
    char slot[16];
    std::snprintf(slot, sizeof slot, ",addr=0x%x", kPinnedPciSlot);
    device += slot;
  }
  switch (o.stack) {
    case Stack::kMpxe:
      device += ",romfile=" + qemu_opt_value(plan.rom);
      break;
    case Stack::kOvmf:
      device += ",romfile=";
      break;
    case Stack::kIpxe:
      break;
  }
  return {"-device", device};
}

std::vector<std::string> capture_args(const RunOptions& o) {
  if (o.pcap.empty()) return {};
  return {"-object", "filter-dump,id=f0,netdev=" + std::string(kNetdevId) +
                         ",file=" + qemu_opt_value(o.pcap)};
}

// Names the guest looks up (src/qemu/fw_cfg.h); etc/edk2/https/cacerts is OVMF's
// name, which mpxe's ROM reads too (src/tls/trust_anchors.h).
std::vector<std::string> fw_cfg_args(const QemuPlan& plan) {
  std::vector<std::string> args;
  if (!plan.cacerts_file.empty() && !plan.cacerts_in_variable)
    append(args, {"-fw_cfg", "name=etc/edk2/https/cacerts,file=" + qemu_opt_value(plan.cacerts_file)});
  if (!plan.shell_cmd_file.empty())
    append(args, {"-fw_cfg", "name=opt/org.mpxe/mpsh-cmd,file=" + qemu_opt_value(plan.shell_cmd_file)});
  if (!plan.sha256_file.empty())
    append(args, {"-fw_cfg", "name=opt/org.mpxe/sha256,file=" + qemu_opt_value(plan.sha256_file)});
  if (!plan.digest_file.empty())
    append(args, {"-fw_cfg", "name=opt/org.mpxe/digest,file=" + qemu_opt_value(plan.digest_file)});
  if (!plan.hash_on_ap_file.empty())
    append(args, {"-fw_cfg", "name=opt/org.mpxe/hash-on-ap,file=" + qemu_opt_value(plan.hash_on_ap_file)});
  if (!plan.http_aps_file.empty())
    append(args, {"-fw_cfg", "name=opt/org.mpxe/http-aps,file=" + qemu_opt_value(plan.http_aps_file)});
  if (!plan.faults_file.empty())
    append(args, {"-fw_cfg", "name=opt/org.mpxe/faults,file=" + qemu_opt_value(plan.faults_file)});
  if (!plan.pxe_menu_file.empty())
    append(args, {"-fw_cfg", "name=opt/org.mpxe/pxe-menu,file=" + qemu_opt_value(plan.pxe_menu_file)});
  if (!plan.ipv6_first_file.empty())
    append(args, {"-fw_cfg", "name=opt/org.mpxe/ipv6-first,file=" + qemu_opt_value(plan.ipv6_first_file)});
  return args;
}

// EDK II's Shell reads no fw_cfg: it runs startup.nsh from a file system. QEMU's
// vvfat shows the folder holding it as a read-only FAT disk. OVMF connects only the
// devices in QEMU's boot order, so the disk gets a place in it, after the NIC: the
// shell maps it (FS0:) and finds startup.nsh there; BDS never gets to boot it.
std::vector<std::string> startup_drive_args(const QemuPlan& plan) {
  if (plan.startup_drive.empty()) return {};
  return {"-drive",
          "file=fat:" + qemu_opt_value(plan.startup_drive) +
              ",format=raw,if=none,id=startup,readonly=on",
          "-device", "virtio-blk-pci,drive=startup,bootindex=2"};
}

// The serial console comes to the runner on QEMU's stdout (stdin goes to the
// guest), or sits on a TCP server with QEMU logging it to a file the runner reads.
// The monitor is never on stdio, so the console's bytes are the guest's alone.
std::vector<std::string> console_args(const RunOptions& o, const QemuPlan& plan) {
  std::string serial = "stdio,id=" + std::string(kSerialId);
  if (o.serial_port) {
    serial = "socket,id=" + std::string(kSerialId) +
             ",host=127.0.0.1,port=" + std::to_string(*o.serial_port) +
             ",server=on,wait=off,logfile=" + qemu_opt_value(plan.serial_logfile);
  }
  std::vector<std::string> args = {"-chardev", serial, "-serial",
                                   "chardev:" + std::string(kSerialId)};
  if (o.monitor_port)
    append(args, {"-monitor",
                  "tcp:127.0.0.1:" + std::to_string(*o.monitor_port) + ",server=on,wait=off"});
  else
    append(args, {"-monitor", "none"});
  if (!plan.show_display) append(args, {"-display", "none"});
  return args;
}

std::vector<std::string> debug_args(const RunOptions& o) {
  if (!o.gdb_port) return {};
  return {"-gdb", "tcp::" + std::to_string(*o.gdb_port), "-S"};
}

std::vector<std::string> build_qemu_command(const RunOptions& o, const QemuPlan& plan) {
  std::vector<std::string> cmd = {plan.qemu};
  append(cmd, machine_args(o));
  append(cmd, firmware_args(plan));
  append(cmd, platform_args());
  append(cmd, netdev_args(o, plan));
  append(cmd, nic_args(o, plan));
  // After the NIC: a pinned NIC's slot must still be free.
  append(cmd, entropy_args(plan));
  append(cmd, startup_drive_args(plan));
  append(cmd, capture_args(o));
  append(cmd, fw_cfg_args(plan));
  append(cmd, console_args(o, plan));
  append(cmd, debug_args(o));
  append(cmd, o.extra_qemu_args);
  return cmd;
}

std::string shell_quote_command(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) {
    if (!out.empty()) out += ' ';
    bool plain = !word.empty() && word.find_first_not_of(
                                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789_-+=/.,:@%") == std::string::npos;
    if (plain) {
      out += word;
      continue;
    }
    out += '\'';
    for (char c : word) {
      if (c == '\'') out += "'\\''";
      else out += c;
    }
    out += '\'';
  }
  return out;
}

}  // namespace mpxe::runner
