// Where the runner finds its inputs, and the QEMU command line it builds from the
// options. Pure: the paths decided at run time (temp copies, the folder) come in
// through QemuPlan, and nothing here touches the file system.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "options.h"
#include "ovmf_vars.h"

namespace mpxe::runner {

// Inputs found on the host, each overridable through the environment.
struct HostPaths {
  std::string build_dir;  // MPXE_BUILD_DIR, else the tree mpxe was built in
  std::string qemu = "qemu-system-x86_64";                     // MPXE_QEMU
  std::string ovmf_code = "/usr/share/OVMF/OVMF_CODE_4M.fd";  // MPXE_OVMF_CODE
  std::string ovmf_vars = "/usr/share/OVMF/OVMF_VARS_4M.fd";  // MPXE_OVMF_VARS
  std::string ovmf_code_secboot = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd";  // MPXE_OVMF_CODE_SECBOOT
  std::string ovmf_vars_ms = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd";  // MPXE_OVMF_VARS_MS
  std::string nginx;  // MPXE_NGINX; empty: nginx from PATH, else /usr/sbin/nginx
  std::string openssl = "openssl";  // MPXE_OPENSSL: --https makes its certificates with it
  std::string uefi_shell;  // MPXE_UEFI_SHELL, else .tools/uefi-shell/Shell.efi in the source tree
  bool has_display = false;  // DISPLAY or WAYLAND_DISPLAY set

  bool operator==(const HostPaths&) const = default;
};

HostPaths resolve_host_paths(const Environment& env, std::string_view compiled_build_dir,
                             std::string_view compiled_source_dir);

// The payload the runner's PXE folder holds: build/firmware/mpsh.efi, or the UEFI
// Shell scripts/setup --uefi-shell builds.
std::string payload_path(const HostPaths& paths, Payload payload);
// build/rom/mpxe-<nic>.rom, the option ROM for --stack mpxe.
std::string rom_path(const HostPaths& paths, Nic nic);
// The certificate --secure-boot enrols unless --secure-boot-cert names another:
// build/firmware/signing-cert.pem, the one the build signs mpsh.efi and the ROMs with.
std::string secure_boot_cert_path(const HostPaths& paths, const RunOptions& options);
// The OVMF code image a run boots: the Secure Boot build for --secure-boot.
std::string ovmf_code_path(const HostPaths& paths, const RunOptions& options);

// Everything the command needs that is decided at run time.
struct QemuPlan {
  std::string qemu;
  std::string ovmf_code;
  std::string ovmf_vars_copy;    // private writable copy of OVMF_VARS
  bool secure_boot = false;      // the flash's variable store writable only from SMM
  std::string pxe_folder;        // served over TFTP (user network only)
  std::string rom;               // --stack mpxe: the option ROM
  std::string shell_cmd_file;    // empty: no --shell-cmd for mpsh
  std::string startup_drive;     // --payload uefi-shell: a folder holding startup.nsh; empty: none
  std::string sha256_file;       // empty: no --sha256
  std::string digest_file;       // empty: no --digest
  std::string hash_on_ap_file;   // empty: no --hash-on-ap
  std::string http_aps_file;     // empty: no --http-aps
  std::string faults_file;       // empty: no --faults
  std::string pxe_menu_file;     // empty: no --pxe-menu
  std::string ipv6_first_file;   // empty: no --ipv6 (the ROM tries IPv4 first)
  std::string cacerts_file;      // --https/--ca-cert: EFI_SIGNATURE_LISTs for etc/edk2/https/cacerts
  bool cacerts_in_variable = false;  // --ca-cert-in-var: they go into the vars copy, not fw_cfg
  std::string serial_logfile;    // --serial-port: where QEMU logs the console
  std::string boot_url;          // --http/--boot-url: the DHCP file field; empty: the boot file
  bool pin_nic = false;          // fixed MAC and PCI slot (an OVMF boot option names them)
  MacAddress mac = kPinnedMac;   // the NIC's, when pinned or given (--mac)
  bool show_display = false;     // a window: a display exists and not --headless
};

// The whole argument vector, QEMU binary first.
std::vector<std::string> build_qemu_command(const RunOptions& options, const QemuPlan& plan);

// One function per concern; build_qemu_command concatenates them in this order.
std::vector<std::string> machine_args(const RunOptions& options);
std::vector<std::string> firmware_args(const QemuPlan& plan);
std::vector<std::string> platform_args();
std::vector<std::string> netdev_args(const RunOptions& options, const QemuPlan& plan);
std::vector<std::string> nic_args(const RunOptions& options, const QemuPlan& plan);
std::vector<std::string> capture_args(const RunOptions& options);
std::vector<std::string> fw_cfg_args(const QemuPlan& plan);
std::vector<std::string> startup_drive_args(const QemuPlan& plan);
std::vector<std::string> console_args(const RunOptions& options, const QemuPlan& plan);
std::vector<std::string> debug_args(const RunOptions& options);

// A value inside a QEMU option list: commas doubled (QemuOpts' escape).
std::string qemu_opt_value(std::string_view value);

// The command as one line a POSIX shell reads back to the same words.
std::string shell_quote_command(const std::vector<std::string>& words);

}  // namespace mpxe::runner
