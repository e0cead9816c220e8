// Checks made before QEMU starts, against a fake file system.
#include <gtest/gtest.h>

#include <set>

#include "preflight.h"

namespace mpxe::runner {
namespace {

struct FakeFs {
  std::set<std::string> files = {"/usr/share/OVMF/OVMF_CODE_4M.fd",
                                 "/usr/share/OVMF/OVMF_VARS_4M.fd", "/b/firmware/mpsh.efi",
                                 "/b/rom/mpxe-virtio.rom", "/srv/pxe/boot.efi"};
  std::set<std::string> dirs = {"/srv/pxe"};
  std::set<std::string> programs = {"qemu-system-x86_64"};

  FileProbe probe() const {
    return {[this](const std::string& p) { return files.count(p) > 0; },
            [this](const std::string& p) { return dirs.count(p) > 0; },
            [this](const std::string& p) -> std::optional<std::string> {
              if (programs.count(p)) return p.front() == '/' ? p : "/usr/bin/" + p;
              return std::nullopt;
            }};
  }
};

HostPaths paths() {
  HostPaths p;
  p.build_dir = "/b";
  return p;
}

int check(const RunOptions& o, const FakeFs& fs, const HostPaths& p = paths()) {
  auto problem = preflight(o, p, fs.probe());
  if (problem) EXPECT_FALSE(problem->reason.empty());
  return problem ? problem->status : 0;
}

int s(RunnerStatus status) { return static_cast<int>(status); }

TEST(Preflight, DefaultRunIsReady) { EXPECT_EQ(check(RunOptions{}, FakeFs{}), 0); }

TEST(Preflight, MissingQemu) {
  FakeFs fs;
  fs.programs.clear();
  EXPECT_EQ(check(RunOptions{}, fs), s(RunnerStatus::kMissingQemu));
}

TEST(Preflight, MissingOvmf) {
  FakeFs fs;
  fs.files.erase("/usr/share/OVMF/OVMF_VARS_4M.fd");
  EXPECT_EQ(check(RunOptions{}, fs), s(RunnerStatus::kMissingOvmf));
}

// --secure-boot needs OVMF's Secure Boot build (not the plain one) and the
// certificate it enrols: the build's, or the one given.
TEST(Preflight, SecureBootNeedsItsCodeImageAndCertificate) {
  RunOptions o;
  o.secure_boot = true;
  FakeFs fs;
  fs.files.erase("/usr/share/OVMF/OVMF_CODE_4M.fd");
  EXPECT_EQ(check(o, fs), s(RunnerStatus::kMissingOvmf));
  fs.files.insert("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  auto problem = preflight(o, paths(), fs.probe());
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->status, s(RunnerStatus::kMissingPayload));
  EXPECT_NE(problem->reason.find("/b/firmware/signing-cert.pem not found"), std::string::npos)
      << problem->reason;
  fs.files.insert("/b/firmware/signing-cert.pem");
  EXPECT_EQ(check(o, fs), 0);
  o.secure_boot_cert = "/k/mine.pem";
  EXPECT_EQ(check(o, fs), s(RunnerStatus::kUsage));
  fs.files.insert("/k/mine.pem");
  EXPECT_EQ(check(o, fs), 0);
}

TEST(Preflight, MissingRomOnlyMattersForOurStack) {
  RunOptions o;
  o.stack = Stack::kMpxe;
  o.nic = Nic::kE1000;
  EXPECT_EQ(check(o, FakeFs{}), s(RunnerStatus::kMissingRom));
  o.nic = Nic::kVirtio;
  EXPECT_EQ(check(o, FakeFs{}), 0);
  o.stack = Stack::kIpxe;
  o.nic = Nic::kE1000;
  EXPECT_EQ(check(o, FakeFs{}), 0);
}

TEST(Preflight, MissingDefaultPayload) {
  FakeFs fs;
  fs.files.erase("/b/firmware/mpsh.efi");
  EXPECT_EQ(check(RunOptions{}, fs), s(RunnerStatus::kMissingPayload));
}

TEST(Preflight, UefiShellNotBuiltNamesTheSetupFlag) {
  RunOptions o;
  o.payload = Payload::kUefiShell;
  o.boot_file = "Shell.efi";
  HostPaths p = paths();
  p.uefi_shell = "/src/.tools/uefi-shell/Shell.efi";
  auto problem = preflight(o, p, FakeFs{}.probe());
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->status, s(RunnerStatus::kMissingPayload));
  EXPECT_NE(problem->reason.find("scripts/setup --uefi-shell"), std::string::npos)
      << problem->reason;
  EXPECT_NE(problem->reason.find(p.uefi_shell), std::string::npos) << problem->reason;

  FakeFs built;
  built.files.insert(p.uefi_shell);
  EXPECT_EQ(check(o, built, p), 0);
  o.boot_file = "mpsh.efi";  // the runner's folder holds Shell.efi only
  EXPECT_EQ(check(o, built, p), s(RunnerStatus::kMissingBootFile));
  // A folder of the user's: whatever it holds is the user's business.
  o.pxe_folder = "/srv/pxe";
  o.boot_file = "boot.efi";
  EXPECT_EQ(check(o, FakeFs{}, p), 0);
}

TEST(Preflight, MissingBootFileInTheDefaultFolder) {
  RunOptions o;
  o.boot_file = "missing.efi";
  EXPECT_EQ(check(o, FakeFs{}), s(RunnerStatus::kMissingBootFile));
}

TEST(Preflight, UserFolder) {
  RunOptions o;
  o.pxe_folder = "/srv/pxe";
  o.boot_file = "boot.efi";
  EXPECT_EQ(check(o, FakeFs{}), 0);
  o.boot_file = "other.efi";
  EXPECT_EQ(check(o, FakeFs{}), s(RunnerStatus::kMissingBootFile));
  o.pxe_folder = "/srv/none";
  EXPECT_EQ(check(o, FakeFs{}), s(RunnerStatus::kMissingFolder));
}

TEST(Preflight, TapServerIsNotOursToCheck) {
  RunOptions o;
  o.tap = "tap0";
  o.pxe_folder = "/srv/none";
  o.boot_file = "missing.efi";
  EXPECT_EQ(check(o, FakeFs{}), 0);
}

TEST(Preflight, HttpNeedsNginx) {
  RunOptions o;
  o.http = true;
  FakeFs fs;
  EXPECT_EQ(check(o, fs), s(RunnerStatus::kHttpServerFailed));
  fs.programs.insert("nginx");
  EXPECT_EQ(check(o, fs), 0);
  o.http = false;
  fs.programs.erase("nginx");
  EXPECT_EQ(check(o, fs), 0);  // only --http needs it
}

TEST(Preflight, NginxFromTheEnvironmentPathOrSbin) {
  FakeFs fs;
  HostPaths p = paths();
  EXPECT_FALSE(find_nginx(p, fs.probe()));
  fs.programs.insert("/usr/sbin/nginx");  // Debian's place, outside a user's PATH
  EXPECT_EQ(find_nginx(p, fs.probe()), "/usr/sbin/nginx");
  fs.programs.insert("nginx");
  EXPECT_EQ(find_nginx(p, fs.probe()), "/usr/bin/nginx");
  p.nginx = "my-nginx";  // MPXE_NGINX: only that one
  EXPECT_FALSE(find_nginx(p, fs.probe()));
  fs.programs.insert("my-nginx");
  EXPECT_EQ(find_nginx(p, fs.probe()), "/usr/bin/my-nginx");
}

TEST(Preflight, BootUrlLeavesTheBootFileToItsServer) {
  RunOptions o;
  o.boot_url = "http://h/elsewhere.efi";
  o.boot_file = "elsewhere.efi";
  EXPECT_EQ(check(o, FakeFs{}), 0);
  o.pxe_folder = "/srv/pxe";
  EXPECT_EQ(check(o, FakeFs{}), 0);
  o.pxe_folder = "/srv/none";  // TFTP still serves the folder: it must exist
  EXPECT_EQ(check(o, FakeFs{}), s(RunnerStatus::kMissingFolder));
}

TEST(Preflight, QemuIsCheckedFirst) {
  FakeFs fs;
  fs.programs.clear();
  fs.files.clear();
  EXPECT_EQ(check(RunOptions{}, fs), s(RunnerStatus::kMissingQemu));
}

TEST(Preflight, RealProbeFindsPrograms) {
  FileProbe probe = FileProbe::real(Environment({{"PATH", "/nonexistent:/bin:/usr/bin"}}));
  EXPECT_TRUE(probe.find_program("sh"));
  EXPECT_FALSE(probe.find_program("no-such-program-mpxe"));
  EXPECT_TRUE(probe.find_program("/bin/sh"));
  EXPECT_FALSE(probe.find_program("/bin"));
  EXPECT_TRUE(probe.is_dir("/"));
  EXPECT_FALSE(probe.is_file("/"));
}

}  // namespace
}  // namespace mpxe::runner
