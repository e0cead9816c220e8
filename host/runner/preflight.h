// Checks made before QEMU starts, each ending the run with its own status and
// one line. The file system is reached through a probe so tests can stand in.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "exit_status.h"
#include "options.h"
#include "qemu_command.h"

namespace mpxe::runner {

// The Debian packages that hold what the runner looks for: preflight's lines and
// `mpxe doctor` name them.
namespace package {
inline constexpr std::string_view kQemu = "qemu-system-x86";
inline constexpr std::string_view kOvmf = "ovmf";
inline constexpr std::string_view kIpxeRoms = "ipxe-qemu";
inline constexpr std::string_view kNginx = "nginx";
inline constexpr std::string_view kOpenssl = "openssl";
inline constexpr std::string_view kDnsmasq = "dnsmasq";
inline constexpr std::string_view kAtftpd = "atftpd";
inline constexpr std::string_view kIproute2 = "iproute2";
}  // namespace package

// "apt-get install PACKAGE".
std::string install_hint(std::string_view package);
// What makes the build tree's parts.
inline constexpr std::string_view kRomHint = "build the 'roms' target, or set MPXE_BUILD_DIR";
inline constexpr std::string_view kPayloadHint =
    "build the 'firmware' target, set MPXE_BUILD_DIR, or pass --pxe-folder";
inline constexpr std::string_view kSigningCertHint =
    "the build writes it when it signs mpsh.efi and the ROMs: build the 'firmware' target, "
    "set MPXE_BUILD_DIR, or pass --secure-boot-cert with the certificate your images are "
    "signed with";
inline constexpr std::string_view kUefiShellHint =
    "run scripts/setup --uefi-shell, or set MPXE_UEFI_SHELL";

struct FileProbe {
  std::function<bool(const std::string&)> is_file;
  std::function<bool(const std::string&)> is_dir;
  // A program name (looked up in PATH) or a path; the full path if executable.
  std::function<std::optional<std::string>(const std::string&)> find_program;

  static FileProbe real(const Environment& env);
};

// The first problem, in this order: QEMU, OVMF (the Secure Boot build for
// --secure-boot), --secure-boot's certificate, ROM (--stack mpxe), nginx (--http),
// PXE folder or default payload, boot file. With --tap the folder and boot file are
// not ours to check: the server is someone else's; with --boot-url the boot file is
// the URL's server's business.
std::optional<Outcome> preflight(const RunOptions& options, const HostPaths& paths,
                                 const FileProbe& probe);

// The nginx --http runs: MPXE_NGINX if set (a name is looked up in PATH), else nginx
// from PATH, else /usr/sbin/nginx (Debian's place, not in a user's PATH); nothing if
// none is executable.
std::optional<std::string> find_nginx(const HostPaths& paths, const FileProbe& probe);

// The boot file's path inside FOLDER.
std::string boot_file_path(const std::string& folder, const std::string& boot_file);

}  // namespace mpxe::runner
