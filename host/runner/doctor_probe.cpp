// mpxe doctor's view of the real host: files and PATH as preflight sees them, a
// program's version line from a short-lived child, /dev/net/tun, the effective user.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>

#include "child_process.h"
#include "doctor.h"

namespace mpxe::runner {

namespace {

// PROGRAM ARGS's first line of output, stdout and stderr together (nginx -v writes
// to stderr); empty if it prints nothing within a few seconds.
std::string first_output_line(const std::string& program, const std::vector<std::string>& args) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return {};
  // Nothing to read: a daemon started without its flags (atftpd in inetd mode) must
  // not take the terminal's input.
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ChildSetup setup;
  setup.stdin_fd = null_fd;
  setup.argv.push_back(program);
  setup.argv.insert(setup.argv.end(), args.begin(), args.end());
  setup.stdout_fd = fds[1];
  setup.stderr_fd = fds[1];
  setup.stop_grace = std::chrono::milliseconds(500);
  ChildProcess child;
  int error = child.start(setup);
  close(fds[1]);
  if (null_fd >= 0) close(null_fd);
  std::string text;
  if (error == 0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    char buffer[512];
    while (text.find('\n') == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fds[0], POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      ssize_t n = read(fds[0], buffer, sizeof buffer);
      if (n <= 0) break;
      text.append(buffer, static_cast<size_t>(n));
    }
    child.stop();
  }
  close(fds[0]);
  text = text.substr(0, text.find('\n'));
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

DoctorProbe DoctorProbe::real(const Environment& env) {
  DoctorProbe probe;
  probe.files = FileProbe::real(env);
  probe.first_line = first_output_line;
  probe.can_open_tun = [] {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    close(fd);
    return true;
  };
  probe.is_root = [] { return geteuid() == 0; };
  return probe;
}

}  // namespace mpxe::runner
