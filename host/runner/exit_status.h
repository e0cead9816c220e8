// The runner's exit statuses and how QEMU's own status maps onto them.
//
// A payload ends QEMU through isa-debug-exit: writing N to port 0xf4 makes QEMU exit
// with (N << 1) | 1, and the runner exits with N. The runner's own statuses start at
// 100 so they do not collide with small payload or shell statuses.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mpxe::runner {

enum class RunnerStatus : int {
  kUsage = 100,            // bad option, value or combination
  kTimeout = 101,          // --timeout expired
  kQemuStartFailed = 102,  // QEMU could not be started or rejected its arguments
  kQemuCrashed = 103,      // QEMU died from a signal or with an unexpected status
  kMissingFolder = 104,    // --pxe-folder does not exist
  kMissingBootFile = 105,  // the boot file is not in the PXE folder
  kMissingOvmf = 106,      // OVMF code or vars image missing (or its vars store unusable)
  kMissingQemu = 107,      // qemu-system-x86_64 not found
  kMissingRom = 108,       // --stack mpxe and build/rom/mpxe-<nic>.rom missing
  kBootFailed = 109,       // the firmware reported the network boot failed
  kNoExitStatus = 110,     // the VM powered off or reset without an exit status
  kMissingPayload = 111,   // the payload (build/firmware/mpsh.efi, or Shell.efi) is not built
  kHttpServerFailed = 112, // --http: nginx is missing or did not start serving
  kInterrupted = 130,      // SIGINT (SIGTERM: 143), as shells report them
};

struct StatusMeaning {
  int status;
  std::string_view meaning;
};

// Every status above with its one-line meaning, in order (for --help).
std::span<const StatusMeaning> runner_statuses();

// How QEMU ended, as waitpid() saw it.
struct QemuEnd {
  bool exited = true;    // false: killed by a signal
  int code = 0;          // exit code, or signal number when !exited
  bool guest_ran = false;  // any serial output was seen
};

struct Outcome {
  int status;
  std::string reason;  // one line, empty when the payload set the status itself
};

// Maps QEMU's end to the runner's status. QEMU exits 1 both when it fails to start
// and when the payload writes 0 to isa-debug-exit; the two are told apart by
// whether the guest produced any serial output.
Outcome map_qemu_end(const QemuEnd& end);

// The payload status encoded in a QEMU exit code through isa-debug-exit, if any.
std::optional<int> debug_exit_payload_status(int qemu_code);

}  // namespace mpxe::runner
