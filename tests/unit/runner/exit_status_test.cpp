// How QEMU's end maps to the runner's exit status.
#include <gtest/gtest.h>

#include <csignal>
#include <set>

#include "exit_status.h"

namespace mpxe::runner {
namespace {

int status(RunnerStatus s) { return static_cast<int>(s); }

TEST(ExitStatus, DebugExitCarriesThePayloadStatus) {
  // The payload writes N to isa-debug-exit; QEMU exits with (N << 1) | 1.
  for (int n : {0, 1, 7, 42, 99, 127}) {
    EXPECT_EQ(debug_exit_payload_status((n << 1) | 1), n);
    Outcome o = map_qemu_end({.exited = true, .code = (n << 1) | 1, .guest_ran = true});
    EXPECT_EQ(o.status, n);
    EXPECT_TRUE(o.reason.empty());
  }
  EXPECT_FALSE(debug_exit_payload_status(0));
  EXPECT_FALSE(debug_exit_payload_status(2));
}

TEST(ExitStatus, StatusOneBeforeAnyOutputIsAFailedStart) {
  Outcome o = map_qemu_end({.exited = true, .code = 1, .guest_ran = false});
  EXPECT_EQ(o.status, status(RunnerStatus::kQemuStartFailed));
  EXPECT_NE(o.reason.find("failed to start"), std::string::npos);
}

TEST(ExitStatus, PowerOffOrResetHasNoStatus) {
  Outcome o = map_qemu_end({.exited = true, .code = 0, .guest_ran = true});
  EXPECT_EQ(o.status, status(RunnerStatus::kNoExitStatus));
  EXPECT_FALSE(o.reason.empty());
}

TEST(ExitStatus, SignalsAndOddStatusesAreCrashes) {
  Outcome o = map_qemu_end({.exited = false, .code = SIGSEGV, .guest_ran = true});
  EXPECT_EQ(o.status, status(RunnerStatus::kQemuCrashed));
  EXPECT_NE(o.reason.find("SIGSEGV"), std::string::npos) << o.reason;
  EXPECT_EQ(map_qemu_end({.exited = true, .code = 2, .guest_ran = true}).status,
            status(RunnerStatus::kQemuCrashed));
}

TEST(ExitStatus, RunnerStatusesAreDistinctAboveShellCodes) {
  std::set<int> seen;
  for (const auto& s : runner_statuses()) {
    EXPECT_GE(s.status, 100);
    EXPECT_LT(s.status, 256);
    EXPECT_TRUE(seen.insert(s.status).second) << s.status;
    EXPECT_FALSE(s.meaning.empty());
  }
  EXPECT_EQ(seen.size(), 14u);
}

}  // namespace
}  // namespace mpxe::runner
