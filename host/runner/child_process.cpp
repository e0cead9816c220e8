#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace mpxe::runner {

namespace {

using Clock = std::chrono::steady_clock;

// In the forked child: FROM becomes TARGET for the program. dup2 onto itself would
// leave the close-on-exec flag set, so that case clears it instead.
void hand_over_fd(int from, int target) {
  if (from < 0) return;
  if (from == target) {
    ::fcntl(target, F_SETFD, 0);
  } else {
    ::dup2(from, target);
  }
}

// In the forked child, which must stay async-signal-safe: set it up, exec, and on
// failure report errno on REPORT_FD (close-on-exec, so a successful exec closes it).
[[noreturn]] void exec_child(const ChildSetup& setup, char* const argv[], pid_t parent,
                             int report_fd) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  // The parent may have died before prctl took effect; then no signal will come.
  if (::getppid() != parent) ::_exit(127);
  hand_over_fd(setup.stdin_fd, STDIN_FILENO);
  hand_over_fd(setup.stdout_fd, STDOUT_FILENO);
  hand_over_fd(setup.stderr_fd, STDERR_FILENO);
  // The runner ignores SIGPIPE and catches these; the program expects the defaults.
  ::signal(SIGPIPE, SIG_DFL);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::signal(sig, SIG_DFL);
  if (setup.search_path) {
    ::execvp(argv[0], argv);
  } else {
    ::execv(argv[0], argv);
  }
  int error = errno;
  ssize_t n = ::write(report_fd, &error, sizeof error);
  (void)n;
  ::_exit(127);
}

}  // namespace

int ChildProcess::start(const ChildSetup& setup) {
  stop();
  end_ = {};
  stop_grace_ = setup.stop_grace;
  if (setup.argv.empty()) return EINVAL;
  std::vector<char*> argv;
  for (const auto& arg : setup.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  int exec_report[2];
  if (::pipe2(exec_report, O_CLOEXEC) != 0) return errno;
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) exec_child(setup, argv.data(), parent, exec_report[1]);
  int fork_error = errno;
  ::close(exec_report[1]);
  if (pid < 0) {
    ::close(exec_report[0]);
    return fork_error;
  }
  int exec_error = 0;
  ssize_t n;
  do {
    n = ::read(exec_report[0], &exec_error, sizeof exec_error);
  } while (n < 0 && errno == EINTR);
  ::close(exec_report[0]);
  pid_ = pid;
  if (n == static_cast<ssize_t>(sizeof exec_error)) {
    wait_for_end();
    return exec_error;
  }
  return 0;
}

bool ChildProcess::reap(int waitpid_flags) {
  if (pid_ < 0) return true;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, waitpid_flags);
  if (r == pid_) {
    pid_ = -1;
    end_.exited = WIFEXITED(status);
    end_.code = end_.exited ? WEXITSTATUS(status) : WTERMSIG(status);
    return true;
  }
  // Not ours to wait for any more (ECHILD): nothing is left to stop.
  if (r < 0 && errno != EINTR) pid_ = -1;
  return pid_ < 0;
}

bool ChildProcess::has_ended() { return reap(WNOHANG); }

void ChildProcess::wait_for_end() {
  while (!reap(0)) {
  }
}

void ChildProcess::stop() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + stop_grace_;
  while (!has_ended()) {
    if (Clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      wait_for_end();
      return;
    }
    ::usleep(10'000);
  }
}

}  // namespace mpxe::runner
