#include "preflight.h"

#include <unistd.h>

#include <filesystem>

namespace mpxe::runner {

namespace fs = std::filesystem;

namespace {

Outcome fail(RunnerStatus status, std::string reason) {
  return {static_cast<int>(status), std::move(reason)};
}

}  // namespace

std::string install_hint(std::string_view package) {
  return "apt-get install " + std::string(package);
}

FileProbe FileProbe::real(const Environment& env) {
  FileProbe probe;
  probe.is_file = [](const std::string& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
  };
  probe.is_dir = [](const std::string& path) {
    std::error_code ec;
    return fs::is_directory(path, ec);
  };
  std::string search = env.get("PATH").value_or("/usr/local/bin:/usr/bin:/bin");
  probe.find_program = [search](const std::string& name) -> std::optional<std::string> {
    auto executable = [](const std::string& path) {
      std::error_code ec;
      return fs::is_regular_file(path, ec) && access(path.c_str(), X_OK) == 0;
    };
    if (name.find('/') != std::string::npos)
      return executable(name) ? std::optional(name) : std::nullopt;
    size_t start = 0;
    while (start <= search.size()) {
      size_t end = search.find(':', start);
      if (end == std::string::npos) end = search.size();
      std::string dir = search.substr(start, end - start);
      std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
      if (executable(candidate)) return candidate;
      start = end + 1;
    }
    return std::nullopt;
  };
  return probe;
}

std::string boot_file_path(const std::string& folder, const std::string& boot_file) {
  return (fs::path(folder) / boot_file).string();
}

std::optional<std::string> find_nginx(const HostPaths& paths, const FileProbe& probe) {
  if (!paths.nginx.empty()) return probe.find_program(paths.nginx);
  if (auto found = probe.find_program("nginx")) return found;
  return probe.find_program("/usr/sbin/nginx");
}

std::optional<Outcome> preflight(const RunOptions& o, const HostPaths& paths,
                                 const FileProbe& probe) {
  if (!probe.find_program(paths.qemu))
    return fail(RunnerStatus::kMissingQemu,
                paths.qemu + " not found (" + install_hint(package::kQemu) +
                    ", or set MPXE_QEMU)");
  for (const auto& image : {ovmf_code_path(paths, o), paths.ovmf_vars})
    if (!probe.is_file(image))
      return fail(RunnerStatus::kMissingOvmf,
                  "OVMF image " + image + " not found (" + install_hint(package::kOvmf) + ")");
  if (o.secure_boot) {
    const std::string cert = secure_boot_cert_path(paths, o);
    if (!probe.is_file(cert)) {
      if (!o.secure_boot_cert.empty())
        return fail(RunnerStatus::kUsage, "--secure-boot-cert " + cert + " not found");
      return fail(RunnerStatus::kMissingPayload,
                  "--secure-boot: the build's signing certificate " + cert +
                      " not found (" + std::string(kSigningCertHint) + ")");
    }
  }
  if (o.stack == Stack::kMpxe && !probe.is_file(rom_path(paths, o.nic)))
    return fail(RunnerStatus::kMissingRom,
                "--stack mpxe: option ROM " + rom_path(paths, o.nic) +
                    " not found (" + std::string(kRomHint) + ")");
  if (o.http && !find_nginx(paths, probe))
    return fail(RunnerStatus::kHttpServerFailed,
                "--http: " + (paths.nginx.empty() ? std::string("nginx") : paths.nginx) +
                    " not found (" + install_hint(package::kNginx) + ", or set MPXE_NGINX)");
  if (!o.tap.empty()) return std::nullopt;

  std::string folder = o.pxe_folder;
  if (folder.empty()) {
    std::string payload = payload_path(paths, o.payload);
    if (!probe.is_file(payload)) {
      if (o.payload == Payload::kUefiShell)
        return fail(RunnerStatus::kMissingPayload,
                    "--payload uefi-shell: " + payload +
                        " not built (" + std::string(kUefiShellHint) + ")");
      return fail(RunnerStatus::kMissingPayload,
                  "default payload " + payload +
                      " not found (" + std::string(kPayloadHint) + ")");
    }
    // The temp folder will hold exactly the payload, under its own name.
    std::string name(payload_file_name(o.payload));
    if (o.boot_file != name && o.boot_url.empty())
      return fail(RunnerStatus::kMissingBootFile,
                  "boot file " + o.boot_file + " not in the default PXE folder (it holds only " +
                      name + "; pass --pxe-folder)");
    return std::nullopt;
  }
  if (!probe.is_dir(folder))
    return fail(RunnerStatus::kMissingFolder, "PXE folder " + folder + " does not exist");
  if (!o.boot_url.empty()) return std::nullopt;
  if (!probe.is_file(boot_file_path(folder, o.boot_file)))
    return fail(RunnerStatus::kMissingBootFile,
                "boot file " + o.boot_file + " not found in PXE folder " + folder);
  return std::nullopt;
}

}  // namespace mpxe::runner
