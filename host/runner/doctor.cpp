#include "doctor.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

namespace mpxe::runner {

namespace {

constexpr std::string_view kMain = "mpxe run";

DoctorLine found(std::string what, std::string_view needed_for, bool required,
                 std::string detail) {
  return {std::move(what), std::string(needed_for), required, true, std::move(detail), {}};
}

DoctorLine missing(std::string what, std::string_view needed_for, bool required,
                   std::string detail, std::string fix) {
  return {std::move(what), std::string(needed_for), required, false, std::move(detail),
          std::move(fix)};
}

// A program from PATH, else from /usr/sbin (Debian's place for daemons, not in a
// user's PATH).
std::optional<std::string> find_daemon(const FileProbe& files, const std::string& name) {
  if (auto path = files.find_program(name)) return path;
  return files.find_program("/usr/sbin/" + name);
}

std::string with_version(const std::string& path, const std::string& version) {
  return version.empty() ? path : path + " (" + version + ")";
}

void check_program(std::vector<DoctorLine>& lines, const DoctorProbe& probe, std::string what,
                   std::string_view needed_for, std::optional<std::string> path,
                   std::vector<std::string> version_args, std::string looked_for,
                   std::string fix) {
  if (path)
    lines.push_back(found(std::move(what), needed_for, false,
                          with_version(*path, probe.first_line(*path, version_args))));
  else
    lines.push_back(missing(std::move(what), needed_for, false, looked_for + " not found",
                            std::move(fix)));
}

// QEMU's iPXE ROM for a NIC model (its romfile default): efi-virtio.rom for
// virtio-net-pci, efi-e1000.rom, efi-e1000e.rom.
std::string ipxe_rom(std::string_view qemu_device) {
  std::string model(qemu_device);
  if (model.starts_with("virtio")) model = "virtio";
  return "/usr/lib/ipxe/qemu/efi-" + model + ".rom";
}

}  // namespace

std::vector<DoctorLine> doctor_checks(const HostPaths& paths, const DoctorProbe& probe) {
  const FileProbe& files = probe.files;
  std::vector<DoctorLine> lines;

  if (auto qemu = files.find_program(paths.qemu))
    lines.push_back(found("QEMU", kMain, true,
                          with_version(*qemu, probe.first_line(*qemu, {"--version"}))));
  else
    lines.push_back(missing("QEMU", kMain, true, paths.qemu + " not found",
                            install_hint(package::kQemu) + " (or set MPXE_QEMU)"));

  for (const auto& [what, image, variable] :
       {std::tuple{"OVMF code", paths.ovmf_code, "MPXE_OVMF_CODE"},
        std::tuple{"OVMF variables", paths.ovmf_vars, "MPXE_OVMF_VARS"}}) {
    if (files.is_file(image))
      lines.push_back(found(what, kMain, true, image));
    else
      lines.push_back(missing(what, kMain, true, image + " not found",
                              install_hint(package::kOvmf) + " (or set " + variable + ")"));
  }

  for (const auto& [what, image, variable] :
       {std::tuple{"OVMF Secure Boot code", paths.ovmf_code_secboot, "MPXE_OVMF_CODE_SECBOOT"},
        std::tuple{"OVMF Microsoft keys", paths.ovmf_vars_ms, "MPXE_OVMF_VARS_MS"}}) {
    if (files.is_file(image))
      lines.push_back(found(what, "--secure-boot", false, image));
    else
      lines.push_back(missing(what, "--secure-boot", false, image + " not found",
                              install_hint(package::kOvmf) + " (or set " + variable + ")"));
  }
  const std::string signing_cert = secure_boot_cert_path(paths, RunOptions{});
  if (files.is_file(signing_cert))
    lines.push_back(found("signing certificate", "--secure-boot", false, signing_cert));
  else
    lines.push_back(missing("signing certificate", "--secure-boot", false,
                            signing_cert + " not found", std::string(kSigningCertHint)));

  // Our ROM for each NIC model; the default run needs virtio's.
  for (const NicModel& model : nic_models()) {
    const Nic nic = model.nic;
    const bool required = nic == RunOptions{}.nic;
    const std::string what = "mpxe ROM " + std::string(model.name);
    const std::string rom = rom_path(paths, nic);
    const std::string needed_for =
        required ? std::string(kMain) : "--nic " + std::string(model.name);
    if (files.is_file(rom))
      lines.push_back(found(what, needed_for, required, rom));
    else
      lines.push_back(missing(what, needed_for, required, rom + " not found",
                              std::string(kRomHint)));
  }

  const std::string payload = payload_path(paths, Payload::kMpsh);
  if (files.is_file(payload))
    lines.push_back(found("mpsh (payload)", kMain, true, payload));
  else
    lines.push_back(missing("mpsh (payload)", kMain, true, payload + " not found",
                            std::string(kPayloadHint)));
  const std::string shell = payload_path(paths, Payload::kUefiShell);
  if (files.is_file(shell))
    lines.push_back(found("UEFI Shell (payload)", "--payload uefi-shell", false, shell));
  else
    lines.push_back(missing("UEFI Shell (payload)", "--payload uefi-shell", false,
                            shell + " not found", std::string(kUefiShellHint)));

  // QEMU's iPXE ROMs, one per distinct model file.
  std::set<std::string> roms;
  for (const NicModel& model : nic_models()) roms.insert(ipxe_rom(model.qemu_device));
  for (const std::string& rom : roms) {
    std::string what = "iPXE " + rom.substr(rom.rfind('/') + 1);
    if (files.is_file(rom))
      lines.push_back(found(what, "--stack ipxe", false, rom));
    else
      lines.push_back(missing(what, "--stack ipxe", false, rom + " not found",
                              install_hint(package::kIpxeRoms)));
  }

  check_program(lines, probe, "nginx", "--http", find_nginx(paths, files), {"-v"},
                paths.nginx.empty() ? "nginx" : paths.nginx,
                install_hint(package::kNginx) + " (or set MPXE_NGINX)");
  check_program(lines, probe, "openssl", "--https", files.find_program(paths.openssl),
                {"version"}, paths.openssl,
                install_hint(package::kOpenssl) + " (or set MPXE_OPENSSL)");
  check_program(lines, probe, "dnsmasq", "tests, bench",
                find_daemon(files, "dnsmasq"), {"--version"}, "dnsmasq",
                install_hint(package::kDnsmasq));
  check_program(lines, probe, "atftpd", "tests, bench", find_daemon(files, "atftpd"),
                {"--version"}, "atftpd", install_hint(package::kAtftpd));
  check_program(lines, probe, "ip", "--tap, tests, bench", find_daemon(files, "ip"),
                {"-V"}, "ip", install_hint(package::kIproute2));

  const bool root = probe.is_root();
  if (root)
    lines.push_back(found("network namespaces", "tests, bench", false,
                            "running as root (ip netns add, TAP devices)"));
  else
    lines.push_back(missing("network namespaces", "tests, bench", false,
                            "not root: ip netns add and TAP devices need it",
                            "run the tests and bench as root (sudo)"));
  if (probe.can_open_tun())
    lines.push_back(found("/dev/net/tun", "--tap, tests, bench", false, "opens read-write"));
  else
    lines.push_back(missing("/dev/net/tun", "--tap, tests, bench", false,
                            "cannot open it read-write",
                            "modprobe tun, and run as root (or with CAP_NET_ADMIN)"));
  return lines;
}

std::string doctor_report(const std::vector<DoctorLine>& lines) {
  std::string text = "mpxe doctor: what mpxe run, its options and the tests find here\n";
  size_t required_missing = 0;
  size_t optional_missing = 0;
  int what_width = 0;
  int for_width = 0;
  for (const DoctorLine& line : lines) {
    what_width = std::max(what_width, static_cast<int>(line.what.size()));
    for_width = std::max(for_width, static_cast<int>(line.needed_for.size()) + 2);
  }
  for (const DoctorLine& line : lines) {
    const char* mark = line.found ? "ok" : line.required ? "MISSING" : "missing";
    char head[200];
    std::snprintf(head, sizeof head, "  %-7s  %-*s  %-*s  ", mark, what_width, line.what.c_str(),
                  for_width, ("[" + line.needed_for + "]").c_str());
    text += head + line.detail;
    if (!line.found) {
      text += "; " + line.fix;
      ++(line.required ? required_missing : optional_missing);
    }
    text += "\n";
  }
  if (required_missing == 0)
    text += "mpxe run is ready (--stack mpxe, --nic virtio, the built mpsh)";
  else
    text += "mpxe run cannot boot: " + std::to_string(required_missing) +
            " MISSING above (status 1)";
  if (optional_missing > 0)
    text += "; " + std::to_string(optional_missing) + " optional part" +
            (optional_missing == 1 ? "" : "s") + " missing, for the options named";
  return text + "\n";
}

int doctor_status(const std::vector<DoctorLine>& lines) {
  for (const DoctorLine& line : lines)
    if (line.required && !line.found) return 1;
  return 0;
}

}  // namespace mpxe::runner
