#include "session.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "console_stream.h"
#include "exit_status.h"
#include "http_boot.h"
#include "https_certs.h"
#include "nginx_child.h"
#include "ovmf_vars.h"
#include "preflight.h"
#include "secure_boot_store.h"
#include "serial_scanner.h"
#include "signal_pipe.h"
#include "uefi_shell.h"

namespace mpxe::runner {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// QEMU puts a terminal on stdin into raw, non-blocking mode and restores it when it
// exits cleanly; this restores it whatever happened.
class TerminalGuard {
 public:
  TerminalGuard() {
    flags_ = ::fcntl(STDIN_FILENO, F_GETFL);
    saved_ = ::tcgetattr(STDIN_FILENO, &termios_) == 0;
  }
  ~TerminalGuard() {
    if (saved_) ::tcsetattr(STDIN_FILENO, TCSANOW, &termios_);
    if (flags_ >= 0) ::fcntl(STDIN_FILENO, F_SETFL, flags_);
  }

 private:
  struct termios termios_ {};
  bool saved_ = false;
  int flags_ = -1;
};

// A private temp folder for one run, removed at the end.
class Workspace {
 public:
  Workspace() {
    std::string base = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
    std::string tmpl = base + "/mpxe-XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~Workspace() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Decides every run-time path under DIR; with CREATE, also makes the files.
bool make_plan(const RunOptions& o, const HostPaths& paths, const std::string& dir, bool create,
               QemuPlan& plan, std::string& error) {
  plan.qemu = paths.qemu;
  plan.ovmf_code = ovmf_code_path(paths, o);
  plan.secure_boot = o.secure_boot;
  plan.ovmf_vars_copy = dir + "/" + fs::path(paths.ovmf_vars).filename().string();
  if (o.stack == Stack::kMpxe) plan.rom = rom_path(paths, o.nic);
  if (!o.shell_cmd.empty()) {
    if (o.payload == Payload::kUefiShell) plan.startup_drive = dir + "/startup-drive";
    else plan.shell_cmd_file = dir + "/mpsh-cmd";
  }
  if (!o.sha256.empty()) plan.sha256_file = dir + "/sha256";
  if (o.digest) plan.digest_file = dir + "/digest";
  if (o.hash_on_ap) plan.hash_on_ap_file = dir + "/hash-on-ap";
  if (o.http_aps >= 0) plan.http_aps_file = dir + "/http-aps";
  if (!o.faults.empty()) plan.faults_file = dir + "/faults";
  if (o.pxe_menu > 0) plan.pxe_menu_file = dir + "/pxe-menu";
  if (o.ipv6) plan.ipv6_first_file = dir + "/ipv6-first";
  if (o.serial_port) plan.serial_logfile = o.serial_log.empty() ? dir + "/serial.log" : o.serial_log;
  plan.show_display = paths.has_display && !o.headless;
  if (o.tap.empty())
    plan.pxe_folder = o.pxe_folder.empty() ? dir + "/pxe" : fs::absolute(o.pxe_folder).string();
  // --http: the port is known once nginx listens; the runner fills it in then.
  if (!o.boot_url.empty()) plan.boot_url = o.boot_url;
  else if (o.http) plan.boot_url = http_boot_url_template(o.boot_file, o.https);
  if (o.https || !o.ca_certs.empty()) plan.cacerts_file = HttpsFiles{dir}.cacerts();
  plan.cacerts_in_variable = o.ca_cert_in_var;
  plan.pin_nic = o.stack == Stack::kOvmf && !plan.boot_url.empty();
  if (auto mac = parse_mac(o.mac)) plan.mac = *mac;
  if (!create) return true;

  std::error_code ec;
  fs::copy_file(paths.ovmf_vars, plan.ovmf_vars_copy, ec);
  if (ec) {
    error = "cannot copy " + paths.ovmf_vars + ": " + ec.message();
    return false;
  }
  fs::permissions(plan.ovmf_vars_copy, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::add, ec);
  if (o.tap.empty() && o.pxe_folder.empty()) {
    fs::create_directory(plan.pxe_folder, ec);
    if (!ec)
      fs::copy_file(payload_path(paths, o.payload),
                    plan.pxe_folder + "/" + std::string(payload_file_name(o.payload)), ec);
    if (ec) {
      error = "cannot prepare the PXE folder: " + ec.message();
      return false;
    }
  }
  if (!plan.shell_cmd_file.empty()) {
    std::ofstream(plan.shell_cmd_file) << o.shell_cmd << "\n";
  }
  if (!plan.startup_drive.empty()) {
    fs::create_directory(plan.startup_drive, ec);
    std::string path = plan.startup_drive + "/" + std::string(kStartupScriptName);
    std::ofstream script(path, std::ios::binary);
    script << uefi_shell_startup_script(o.shell_cmd);
    if (ec || !script.flush()) {
      error = "cannot write " + path;
      return false;
    }
  }
  if (!plan.sha256_file.empty()) std::ofstream(plan.sha256_file) << o.sha256 << "\n";
  if (!plan.digest_file.empty()) std::ofstream(plan.digest_file) << "1\n";
  if (!plan.hash_on_ap_file.empty()) std::ofstream(plan.hash_on_ap_file) << "1\n";
  if (!plan.http_aps_file.empty()) std::ofstream(plan.http_aps_file) << o.http_aps << "\n";
  if (!plan.faults_file.empty()) std::ofstream(plan.faults_file) << o.faults << "\n";
  if (!plan.pxe_menu_file.empty()) std::ofstream(plan.pxe_menu_file) << o.pxe_menu << "\n";
  if (!plan.ipv6_first_file.empty()) std::ofstream(plan.ipv6_first_file) << "1\n";
  return true;
}

// Applies EDIT (an ovmf_vars.h writer) to the private OVMF vars copy; WHAT names the
// change in the error.
template <typename Edit>
bool edit_ovmf_vars(const QemuPlan& plan, const std::string& what, Edit edit, std::string& error) {
  std::ifstream in(plan.ovmf_vars_copy, std::ios::binary);
  std::vector<uint8_t> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  if (std::optional<std::string> problem = edit(image)) {
    error = "cannot add " + what + " to " + plan.ovmf_vars_copy + ": " + *problem;
    return false;
  }
  std::ofstream out(plan.ovmf_vars_copy, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  if (!out.flush()) {
    error = "cannot write " + plan.ovmf_vars_copy;
    return false;
  }
  return true;
}

// Adds the HTTP boot option for URL to the private OVMF vars copy (ovmf_vars.h says why).
bool write_ovmf_http_boot_option(const QemuPlan& plan, const std::string& url,
                                 std::string& error) {
  auto option = load_option("mpxe HTTP boot " + url,
                            http_boot_device_path(plan.mac, kPinnedPciSlot, url));
  return edit_ovmf_vars(
      plan, "the HTTP boot option",
      [&](std::vector<uint8_t>& image) { return add_boot_option(image, 0, option); }, error);
}

// Runs one openssl command, its output appended to LOG; false with ERROR set when it
// cannot start or fails.
bool run_openssl(const std::vector<std::string>& argv, const std::string& log, std::string& error) {
  ChildSetup child;
  child.argv = argv;
  child.search_path = argv[0].find('/') == std::string::npos;
  child.stdin_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  child.stdout_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  child.stderr_fd = child.stdout_fd;
  ChildProcess process;
  int start_error = process.start(child);
  for (int fd : {child.stdin_fd, child.stdout_fd})
    if (fd >= 0) ::close(fd);
  if (start_error != 0) {
    error = "cannot start " + argv[0] + ": " + std::strerror(start_error);
    return false;
  }
  process.wait_for_end();
  if (process.end().exited && process.end().code == 0) return true;
  std::ifstream in(log);
  std::string said, line;
  while (std::getline(in, line))
    if (!line.empty()) said = line;
  error = argv[0] + " " + argv[1] + " failed" + (said.empty() ? "" : ": " + said);
  return false;
}

// --https: the run's CA and server certificate; --ca-cert: the user's. All of them
// go to the guest in PLAN's cacerts file.
Outcome make_https_material(const RunOptions& o, const HostPaths& paths, const QemuPlan& plan,
                            const HttpsFiles& files) {
  std::vector<Der> trusted;
  if (o.https) {
    std::ofstream(files.ca_config()) << ca_openssl_config();
    std::ofstream(files.server_config()) << server_openssl_config();
    std::string error;
    auto started = Clock::now();
    for (const auto& command : https_openssl_commands(paths.openssl, files))
      if (!run_openssl(command, files.openssl_log(), error))
        return {static_cast<int>(RunnerStatus::kHttpServerFailed),
                "--https: cannot make the certificates: " + error};
    auto ca = read_certificates(files.ca_certificate(), error);
    if (!ca)
      return {static_cast<int>(RunnerStatus::kHttpServerFailed), "--https: " + error};
    trusted = std::move(*ca);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    say("https: a CA and a certificate for " + std::string(kGuestHostAddress) +
        " made with openssl in " + std::to_string(ms.count()) + " ms");
  }
  for (const std::string& path : o.ca_certs) {
    std::string error;
    auto certs = read_certificates(path, error);
    if (!certs) return {static_cast<int>(RunnerStatus::kUsage), "--ca-cert: " + error};
    for (auto& der : *certs) trusted.push_back(std::move(der));
  }
  auto lists = signature_lists(trusted);
  std::string where = "fw_cfg " + std::string(kCaCertsFwCfgName);
  if (plan.cacerts_in_variable) {
    std::string error;
    auto enrol = [&](std::vector<uint8_t>& image) { return enrol_tls_ca_certificates(image, lists); };
    if (!edit_ovmf_vars(plan, "TlsCaCertificate", enrol, error))
      return {static_cast<int>(RunnerStatus::kMissingOvmf), "--ca-cert-in-var: " + error};
    where = "the TlsCaCertificate variable in the run's OVMF variable store";
  } else {
    std::ofstream out(plan.cacerts_file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(lists.data()), static_cast<std::streamsize>(lists.size()));
    if (!out.flush())
      return {static_cast<int>(RunnerStatus::kQemuStartFailed), "cannot write " + plan.cacerts_file};
  }
  say("https: the guest trusts " + std::to_string(trusted.size()) + " certificate" +
      (trusted.size() == 1 ? "" : "s") + " (" + where + ")");
  return {};
}

// --secure-boot: the keys into the run's vars copy, read back, and said.
Outcome enrol_secure_boot(const RunOptions& o, const HostPaths& paths, const QemuPlan& plan) {
  SecureBootStoreFiles files{plan.ovmf_vars_copy, secure_boot_cert_path(paths, o),
                             paths.ovmf_vars_ms};
  SecureBootStoreReport report;
  if (auto problem = write_secure_boot_store(files, report))
    return {static_cast<int>(RunnerStatus::kMissingOvmf), "--secure-boot: " + *problem};
  say("secure boot: " + plan.ovmf_code + ", enforcing; the run's " +
      fs::path(plan.ovmf_vars_copy).filename().string() + " holds (read back):");
  for (const std::string& line : report.lines) say("  " + line);
  if (o.stack == Stack::kIpxe)
    say("secure boot: QEMU's iPXE ROM is not signed; Debian's OVMF runs option ROMs signed or "
        "not (PcdOptionRomImageVerificationPolicy 0), so it runs, and what it boots must still "
        "be signed by a key in db");
  return {};
}

void print_gdb_help(const RunOptions& o, const HostPaths& paths) {
  std::string port = std::to_string(*o.gdb_port);
  say("gdb server on tcp::" + port + "; the CPUs wait for it. In another terminal:");
  say("  gdb -ex 'target remote :" + port + "' -ex continue");
  say("when the driver prints 'mpxe: driver <ver> loaded at 0xADDR', interrupt gdb and:");
  say("  add-symbol-file " + paths.build_dir + "/firmware/mpxe.debug.efi -o 0xADDR");
  say("(symbols: " + paths.build_dir + "/firmware/*.debug.efi; see docs/debugging.md)");
}

int finish(const Outcome& outcome, ConsoleSink& console) {
  console.settle();
  if (!outcome.reason.empty()) say(outcome.reason + " (status " + std::to_string(outcome.status) + ")");
  return outcome.status;
}

}  // namespace

int run_session(const RunOptions& o, const HostPaths& paths, const Environment& env) {
  ConsoleSink console;
  if (o.print_command) {
    QemuPlan plan;
    std::string error;
    make_plan(o, paths, "<tmp>", false, plan, error);
    std::cout << shell_quote_command(build_qemu_command(o, plan)) << "\n";
    return 0;
  }
  if (auto problem = preflight(o, paths, FileProbe::real(env))) return finish(*problem, console);

  SignalPipe signals;
  Workspace workspace;
  if (!workspace.ok())
    return finish({static_cast<int>(RunnerStatus::kQemuStartFailed),
                   std::string("cannot make a temp folder: ") + std::strerror(errno)},
                  console);
  QemuPlan plan;
  std::string error;
  if (!make_plan(o, paths, workspace.path(), true, plan, error))
    return finish({static_cast<int>(RunnerStatus::kQemuStartFailed), error}, console);

  HttpsFiles https_files{workspace.path()};
  if (!plan.cacerts_file.empty()) {
    Outcome made = make_https_material(o, paths, plan, https_files);
    if (made.status != 0) return finish(made, console);
  }
  if (o.secure_boot) {
    Outcome enrolled = enrol_secure_boot(o, paths, plan);
    if (enrolled.status != 0) return finish(enrolled, console);
  }
  std::optional<NginxTls> tls;
  if (o.https) tls = NginxTls{https_files.server_certificate(), https_files.server_key()};

  // Declared after the workspace: stopped before its folder goes, on every way out.
  NginxChild nginx;
  if (o.http) {
    std::string program = find_nginx(paths, FileProbe::real(env)).value_or("nginx");
    auto started = Clock::now();
    std::string option = o.https ? "--https: " : "--http: ";
    if (!nginx.start(program, workspace.path(), plan.pxe_folder, tls, error))
      return finish({static_cast<int>(RunnerStatus::kHttpServerFailed), option + error}, console);
    plan.boot_url = http_boot_url(nginx.port(), o.boot_file, o.https);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    say("nginx (" + program + ") serving " + plan.pxe_folder + (o.https ? " over TLS" : "") +
        " on 127.0.0.1:" + std::to_string(nginx.port()) + ", ready after " +
        std::to_string(ms.count()) + " ms");
  }
  if (plan.pin_nic && !write_ovmf_http_boot_option(plan, plan.boot_url, error))
    return finish({static_cast<int>(RunnerStatus::kMissingOvmf), error}, console);

  console.to_stdout = !o.serial_port;
  if (!o.serial_log.empty() && !o.serial_port) {
    console.log.open(o.serial_log, std::ios::binary | std::ios::trunc);
    if (!console.log)
      return finish({static_cast<int>(RunnerStatus::kUsage), "cannot write " + o.serial_log},
                    console);
  }
  std::string where = !o.tap.empty() ? "whatever the server on TAP " + o.tap + " offers"
                     : !plan.boot_url.empty()
                         ? plan.boot_url + " (QEMU's TFTP serves " + plan.pxe_folder + " too)"
                         : plan.pxe_folder + "/" + o.boot_file + " over QEMU's TFTP";
  say("booting " + where + " (--stack " + std::string(stack_name(o.stack)) + ", --nic " +
      std::string(nic_name(o.nic)) + ", " + std::to_string(o.cores) + " cores, " +
      std::to_string(o.memory_mib) + " MiB" + (o.secure_boot ? ", Secure Boot" : "") +
      (o.timeout_s ? ", timeout " + std::to_string(o.timeout_s) + " s" : "") + ")");
  if (!plan.startup_drive.empty())
    say("--shell-cmd: " + std::string(kStartupScriptName) +
        " on a read-only FAT drive, which the UEFI Shell runs after its 5 s countdown");
  if (o.serial_port)
    say("serial console on tcp 127.0.0.1:" + std::to_string(*o.serial_port) + ", logged to " +
        plan.serial_logfile);
  if (o.gdb_port) print_gdb_help(o, paths);

  TerminalGuard terminal;
  QemuChild qemu;
  if (int start_error = qemu.start(build_qemu_command(o, plan)))
    return finish({static_cast<int>(RunnerStatus::kQemuStartFailed),
                   "cannot start " + paths.qemu + ": " + std::strerror(start_error)},
                  console);
  SerialScanner scanner;
  StreamResult streamed = stream_console(qemu, o, paths, plan, console, scanner, signals);
  qemu.process().stop();
  nginx.stop();

  switch (streamed.why) {
    case StreamResult::Why::kBootFailed:
      return finish({static_cast<int>(RunnerStatus::kBootFailed),
                     "boot failed: " + streamed.detail + "; QEMU stopped"},
                    console);
    case StreamResult::Why::kQemuFatal:
      return finish({static_cast<int>(RunnerStatus::kQemuCrashed), streamed.detail}, console);
    case StreamResult::Why::kTimeout:
      return finish({static_cast<int>(RunnerStatus::kTimeout),
                     "timeout: no end after " + std::to_string(o.timeout_s) +
                         " s (--timeout), QEMU stopped"},
                    console);
    case StreamResult::Why::kSignal:
      return finish({128 + streamed.signal, std::string("interrupted by SIG") +
                                                sigabbrev_np(streamed.signal) +
                                                ", QEMU stopped"},
                    console);
    case StreamResult::Why::kQemuEnded:
      break;
  }
  QemuEnd end{qemu.process().end().exited, qemu.process().end().code};
  end.guest_ran = scanner.bytes_seen() > 0;
  Outcome outcome = map_qemu_end(end);
  if (outcome.reason.empty()) {  // the payload's own status: no "(status N)" echo
    console.settle();
    say("payload exit " + std::to_string(outcome.status));
    return outcome.status;
  }
  return finish(outcome, console);
}

}  // namespace mpxe::runner
