// SIGINT/SIGTERM/SIGHUP become a byte on a pipe the stream loop polls, so every
// exit path of a run goes through the same cleanup.
#pragma once

#include <signal.h>

namespace mpxe::runner {

// Installs the handlers for its lifetime (one at a time) and ignores SIGPIPE.
class SignalPipe {
 public:
  SignalPipe();
  ~SignalPipe();
  SignalPipe(const SignalPipe&) = delete;
  SignalPipe& operator=(const SignalPipe&) = delete;

  // Readable when a signal arrived.
  int fd() const { return fds_[0]; }
  // The signal that arrived, or 0.
  int take() const;

 private:
  static void on_signal(int sig);
  static inline volatile sig_atomic_t write_fd_ = -1;
  int fds_[2] = {-1, -1};
};

}  // namespace mpxe::runner
