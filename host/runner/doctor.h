// mpxe doctor: one screen of what the runner, its options and the tests find on
// this host, and the Debian package (or build step) for each thing missing. The
// checks are pure: the host is reached through a probe so tests can stand in.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "preflight.h"
#include "qemu_command.h"

namespace mpxe::runner {

struct DoctorProbe {
  FileProbe files;
  // The first line PROGRAM ARGS prints (stdout or stderr); empty when none.
  std::function<std::string(const std::string& program, const std::vector<std::string>& args)>
      first_line;
  std::function<bool()> can_open_tun;  // /dev/net/tun opens read-write
  std::function<bool()> is_root;       // may make network namespaces and TAP devices

  static DoctorProbe real(const Environment& env);
};

struct DoctorLine {
  std::string what;        // "QEMU", "nginx", ...
  std::string needed_for;  // "mpxe run", "--http", "tests, bench"
  bool required = false;   // the default `mpxe run` cannot boot without it
  bool found = false;
  std::string detail;      // found: where, and its version; missing: what was looked for
  std::string fix;         // missing: the package to install or the step to take
};

std::vector<DoctorLine> doctor_checks(const HostPaths& paths, const DoctorProbe& probe);

// The screen: one line per check, then a verdict.
std::string doctor_report(const std::vector<DoctorLine>& lines);

// 0 when every required check passed (the default `mpxe run`: QEMU, OVMF's code and
// variable store, the virtio ROM, mpsh.efi), else 1. Optional ones only report.
int doctor_status(const std::vector<DoctorLine>& lines);

}  // namespace mpxe::runner
