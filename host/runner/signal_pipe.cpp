#include "signal_pipe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <initializer_list>

namespace mpxe::runner {

SignalPipe::SignalPipe() {
  if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) fds_[0] = fds_[1] = -1;
  write_fd_ = fds_[1];
  struct sigaction sa {};
  sa.sa_handler = &SignalPipe::on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

SignalPipe::~SignalPipe() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::signal(sig, SIG_DFL);
  write_fd_ = -1;
  for (int fd : fds_)
    if (fd >= 0) ::close(fd);
}

int SignalPipe::take() const {
  unsigned char sig = 0;
  return ::read(fds_[0], &sig, 1) == 1 ? sig : 0;
}

void SignalPipe::on_signal(int sig) {
  int saved = errno;
  unsigned char byte = static_cast<unsigned char>(sig);
  if (write_fd_ >= 0) {
    ssize_t n = ::write(write_fd_, &byte, 1);
    (void)n;
  }
  errno = saved;
}

}  // namespace mpxe::runner
