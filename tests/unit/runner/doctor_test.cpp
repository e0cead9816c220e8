// mpxe doctor against a fake host: what it reports found and missing, the package
// named for each missing thing, and its status.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "doctor.h"

namespace mpxe::runner {
namespace {

// A host with everything mpxe run, its options and the tests use.
struct FakeHost {
  std::set<std::string> files = {
      "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd",
      "/b/firmware/mpsh.efi",            "/b/rom/mpxe-virtio.rom",
      "/b/rom/mpxe-virtio-modern.rom",   "/b/rom/mpxe-e1000.rom",
      "/b/rom/mpxe-e1000e.rom",          "/usr/lib/ipxe/qemu/efi-virtio.rom",
      "/usr/lib/ipxe/qemu/efi-e1000.rom", "/usr/lib/ipxe/qemu/efi-e1000e.rom",
      "/s/.tools/uefi-shell/Shell.efi",  "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd",
      "/usr/share/OVMF/OVMF_VARS_4M.ms.fd", "/b/firmware/signing-cert.pem"};
  // On PATH (name -> path) and in /usr/sbin.
  std::map<std::string, std::string> path = {{"qemu-system-x86_64", "/usr/bin/qemu-system-x86_64"},
                                             {"openssl", "/usr/bin/openssl"}};
  std::set<std::string> sbin = {"nginx", "dnsmasq", "atftpd", "ip"};
  bool root = true;
  bool tun = true;

  DoctorProbe probe() const {
    DoctorProbe p;
    p.files.is_file = [this](const std::string& f) { return files.count(f) > 0; };
    p.files.is_dir = [](const std::string&) { return false; };
    p.files.find_program = [this](const std::string& name) -> std::optional<std::string> {
      if (auto it = path.find(name); it != path.end()) return it->second;
      if (name.starts_with("/usr/sbin/") && sbin.count(name.substr(10))) return name;
      return std::nullopt;
    };
    p.first_line = [](const std::string& program, const std::vector<std::string>& args) {
      return program.ends_with("qemu-system-x86_64") && args == std::vector<std::string>{"--version"}
                 ? "QEMU emulator version 7.2.22"
                 : "";
    };
    p.can_open_tun = [this] { return tun; };
    p.is_root = [this] { return root; };
    return p;
  }
};

HostPaths paths() {
  HostPaths p;
  p.build_dir = "/b";
  p.uefi_shell = "/s/.tools/uefi-shell/Shell.efi";
  return p;
}

std::vector<DoctorLine> checks(const FakeHost& host) { return doctor_checks(paths(), host.probe()); }

const DoctorLine& line(const std::vector<DoctorLine>& lines, const std::string& what) {
  for (const DoctorLine& l : lines)
    if (l.what == what) return l;
  ADD_FAILURE() << "no line for " << what;
  static const DoctorLine none;
  return none;
}

TEST(Doctor, AllThereIsStatusZeroAndShowsWhereAndWhichVersion) {
  auto lines = checks(FakeHost{});
  for (const DoctorLine& l : lines) EXPECT_TRUE(l.found) << l.what << ": " << l.detail;
  EXPECT_EQ(doctor_status(lines), 0);
  std::string report = doctor_report(lines);
  EXPECT_NE(report.find("/usr/bin/qemu-system-x86_64 (QEMU emulator version 7.2.22)"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("/usr/sbin/nginx"), std::string::npos) << report;
  EXPECT_NE(report.find("mpxe run is ready"), std::string::npos) << report;
  for (const char* what : {"QEMU", "OVMF code", "OVMF variables", "mpxe ROM virtio",
                           "mpxe ROM e1000e", "mpsh (payload)", "UEFI Shell (payload)",
                           "iPXE efi-virtio.rom",
                           "iPXE efi-e1000.rom", "iPXE efi-e1000e.rom", "nginx", "openssl",
                           "dnsmasq", "atftpd", "ip", "network namespaces", "/dev/net/tun",
                           "OVMF Secure Boot code", "OVMF Microsoft keys", "signing certificate"})
    EXPECT_TRUE(line(lines, what).found) << what;
}

// Each missing tool is named with the package that brings it; only what the
// default run needs makes the status nonzero.
TEST(Doctor, EachMissingToolNamesItsPackage) {
  struct Case {
    std::string what;
    std::function<void(FakeHost&)> remove;
    std::string fix;
    bool required;
  };
  const std::vector<Case> cases = {
      {"QEMU", [](FakeHost& h) { h.path.erase("qemu-system-x86_64"); },
       "apt-get install qemu-system-x86", true},
      {"OVMF code", [](FakeHost& h) { h.files.erase("/usr/share/OVMF/OVMF_CODE_4M.fd"); },
       "apt-get install ovmf", true},
      {"OVMF variables", [](FakeHost& h) { h.files.erase("/usr/share/OVMF/OVMF_VARS_4M.fd"); },
       "apt-get install ovmf", true},
      {"OVMF Secure Boot code",
       [](FakeHost& h) { h.files.erase("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"); },
       "apt-get install ovmf (or set MPXE_OVMF_CODE_SECBOOT)", false},
      {"OVMF Microsoft keys",
       [](FakeHost& h) { h.files.erase("/usr/share/OVMF/OVMF_VARS_4M.ms.fd"); },
       "apt-get install ovmf (or set MPXE_OVMF_VARS_MS)", false},
      {"signing certificate", [](FakeHost& h) { h.files.erase("/b/firmware/signing-cert.pem"); },
       "--secure-boot-cert", false},
      {"mpxe ROM virtio", [](FakeHost& h) { h.files.erase("/b/rom/mpxe-virtio.rom"); },
       "build the 'roms' target", true},
      {"mpxe ROM e1000", [](FakeHost& h) { h.files.erase("/b/rom/mpxe-e1000.rom"); },
       "build the 'roms' target", false},
      {"mpsh (payload)", [](FakeHost& h) { h.files.erase("/b/firmware/mpsh.efi"); },
       "build the 'firmware' target", true},
      {"UEFI Shell (payload)",
       [](FakeHost& h) { h.files.erase("/s/.tools/uefi-shell/Shell.efi"); },
       "scripts/setup --uefi-shell", false},
      {"iPXE efi-e1000.rom",
       [](FakeHost& h) { h.files.erase("/usr/lib/ipxe/qemu/efi-e1000.rom"); },
       "apt-get install ipxe-qemu", false},
      {"nginx", [](FakeHost& h) { h.sbin.erase("nginx"); }, "apt-get install nginx", false},
      {"openssl", [](FakeHost& h) { h.path.erase("openssl"); }, "apt-get install openssl", false},
      {"dnsmasq", [](FakeHost& h) { h.sbin.erase("dnsmasq"); }, "apt-get install dnsmasq", false},
      {"atftpd", [](FakeHost& h) { h.sbin.erase("atftpd"); }, "apt-get install atftpd", false},
      {"ip", [](FakeHost& h) { h.sbin.erase("ip"); }, "apt-get install iproute2", false},
      {"network namespaces", [](FakeHost& h) { h.root = false; }, "as root", false},
      {"/dev/net/tun", [](FakeHost& h) { h.tun = false; }, "modprobe tun", false},
  };
  for (const Case& c : cases) {
    FakeHost host;
    c.remove(host);
    auto lines = checks(host);
    const DoctorLine& l = line(lines, c.what);
    EXPECT_FALSE(l.found) << c.what;
    EXPECT_EQ(l.required, c.required) << c.what;
    EXPECT_NE(l.fix.find(c.fix), std::string::npos) << c.what << ": " << l.fix;
    size_t missing = 0;
    for (const DoctorLine& other : lines) missing += other.found ? 0 : 1;
    EXPECT_EQ(missing, 1u) << c.what << " took another line with it";
    EXPECT_EQ(doctor_status(lines), c.required ? 1 : 0) << c.what;
    std::string report = doctor_report(lines);
    std::string mark = c.required ? "MISSING" : "missing";
    EXPECT_NE(report.find("  " + mark + " "), std::string::npos) << report;
    EXPECT_NE(report.find(c.fix), std::string::npos) << report;
    EXPECT_NE(report.find(c.required ? "cannot boot" : "1 optional part missing"),
              std::string::npos)
        << report;
  }
}

TEST(Doctor, LooksWhereTheRunnerLooks) {
  FakeHost host;
  host.files.insert("/opt/ovmf/CODE.fd");
  host.path["my-qemu"] = "/opt/bin/my-qemu";
  host.sbin.erase("nginx");
  host.path["/opt/nginx"] = "/opt/nginx";
  HostPaths p = paths();
  p.qemu = "my-qemu";
  p.ovmf_code = "/opt/ovmf/CODE.fd";
  p.nginx = "/opt/nginx";
  p.build_dir = "/elsewhere";
  auto lines = doctor_checks(p, host.probe());
  EXPECT_TRUE(line(lines, "QEMU").found);
  EXPECT_EQ(line(lines, "QEMU").detail, "/opt/bin/my-qemu");
  EXPECT_EQ(line(lines, "OVMF code").detail, "/opt/ovmf/CODE.fd");
  EXPECT_EQ(line(lines, "nginx").detail, "/opt/nginx");
  EXPECT_FALSE(line(lines, "mpsh (payload)").found);
  EXPECT_EQ(line(lines, "mpsh (payload)").detail, "/elsewhere/firmware/mpsh.efi not found");
}

}  // namespace
}  // namespace mpxe::runner
