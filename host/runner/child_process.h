// A program the runner starts and owns (QEMU, nginx): it gets SIGTERM if the runner
// dies without cleaning up (SIGKILL, a crash), a failed exec comes back as its errno,
// and stopping it is SIGTERM, then SIGKILL once a grace period is over.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace mpxe::runner {

// How a child ended, as waitpid() saw it.
struct ChildEnd {
  bool exited = true;  // false: killed by a signal
  int code = 0;        // exit code, or the signal's number when !exited
};

struct ChildSetup {
  std::vector<std::string> argv;
  bool search_path = false;  // look argv[0] up on PATH (execvp) rather than as given
  // What the child gets as stdin, stdout and stderr; -1 leaves the runner's own.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  // How long stop() waits after SIGTERM before it sends SIGKILL.
  std::chrono::milliseconds stop_grace{3000};
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { stop(); }

  // Starts SETUP's program. Returns 0 once it runs, or the errno of the pipe, fork or
  // exec that failed (a child whose exec failed is reaped before this returns).
  int start(const ChildSetup& setup);

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Whether the child has ended (or was never started), reaping it if so; never blocks.
  bool has_ended();
  // Blocks until the child has ended and reaps it.
  void wait_for_end();
  // SIGTERM, then SIGKILL once the grace is over; returns with the child reaped.
  void stop();

  // How the child ended; meaningful once has_ended() said so.
  const ChildEnd& end() const { return end_; }

 private:
  bool reap(int waitpid_flags);

  pid_t pid_ = -1;
  std::chrono::milliseconds stop_grace_{0};
  ChildEnd end_;
};

}  // namespace mpxe::runner
