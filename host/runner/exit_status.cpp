#include "exit_status.h"

#include <array>
#include <csignal>
#include <cstring>

namespace mpxe::runner {

namespace {

constexpr int s(RunnerStatus status) { return static_cast<int>(status); }

constexpr std::array kStatuses = {
    StatusMeaning{s(RunnerStatus::kUsage), "bad option, value or combination"},
    StatusMeaning{s(RunnerStatus::kTimeout), "--timeout expired; QEMU was stopped"},
    StatusMeaning{s(RunnerStatus::kQemuStartFailed), "QEMU failed to start"},
    StatusMeaning{s(RunnerStatus::kQemuCrashed), "QEMU crashed or ended unexpectedly"},
    StatusMeaning{s(RunnerStatus::kMissingFolder), "the PXE folder does not exist"},
    StatusMeaning{s(RunnerStatus::kMissingBootFile), "the boot file is not in the PXE folder"},
    StatusMeaning{s(RunnerStatus::kMissingOvmf), "OVMF code or vars image not found or unusable"},
    StatusMeaning{s(RunnerStatus::kMissingQemu), "qemu-system-x86_64 not found"},
    StatusMeaning{s(RunnerStatus::kMissingRom), "--stack mpxe: the option ROM is not built"},
    StatusMeaning{s(RunnerStatus::kBootFailed),
                  "the firmware gave up the network boot (seen on the serial console)"},
    StatusMeaning{s(RunnerStatus::kNoExitStatus),
                  "the VM powered off or reset without an exit status"},
    StatusMeaning{s(RunnerStatus::kMissingPayload),
                  "the payload is not built (mpsh.efi, or --payload uefi-shell's Shell.efi)"},
    StatusMeaning{s(RunnerStatus::kHttpServerFailed),
                  "--http: nginx is missing or did not start serving"},
    StatusMeaning{s(RunnerStatus::kInterrupted), "interrupted by SIGINT (SIGTERM: 143)"},
};

}  // namespace

std::span<const StatusMeaning> runner_statuses() { return kStatuses; }

std::optional<int> debug_exit_payload_status(int qemu_code) {
  if ((qemu_code & 1) == 0) return std::nullopt;
  return qemu_code >> 1;
}

Outcome map_qemu_end(const QemuEnd& end) {
  if (!end.exited) {
    const char* name = sigabbrev_np(end.code);
    return {s(RunnerStatus::kQemuCrashed),
            "QEMU died from signal " + std::to_string(end.code) +
                (name ? std::string(" (SIG") + name + ")" : std::string())};
  }
  if (end.code == 1 && !end.guest_ran)
    return {s(RunnerStatus::kQemuStartFailed),
            "QEMU failed to start (it exited with status 1 before any serial output; its message is above)"};
  if (auto payload = debug_exit_payload_status(end.code)) return {*payload, ""};
  if (end.code == 0)
    return {s(RunnerStatus::kNoExitStatus),
            "the VM powered off or reset without an exit status (-no-reboot)"};
  return {s(RunnerStatus::kQemuCrashed),
          "QEMU exited with status " + std::to_string(end.code)};
}

}  // namespace mpxe::runner
