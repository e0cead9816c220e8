// The runner's child processes, with /bin/sh scripts standing in for QEMU and nginx.
#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace mpxe::runner {
namespace {

using namespace std::chrono_literals;

ChildSetup program(std::vector<std::string> argv) {
  ChildSetup setup;
  setup.argv = std::move(argv);
  return setup;
}

ChildSetup shell(const std::string& script) { return program({"/bin/sh", "-c", script}); }

// A pipe whose ends close with the test.
struct Pipe {
  Pipe() { EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0); }
  ~Pipe() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  void close_write() {
    ::close(fds[1]);
    fds[1] = -1;
  }
  // Everything until end of file.
  std::string read_all() {
    std::string text;
    char buf[256];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
    return text;
  }
  int fds[2] = {-1, -1};
};

TEST(ChildProcess, ExecOfAMissingProgramReportsItsErrno) {
  ChildProcess child;
  EXPECT_EQ(child.start(program({"/nonexistent/mpxe-no-such-program"})), ENOENT);
  EXPECT_FALSE(child.running());
}

TEST(ChildProcess, ExecOfAFileThatIsNoProgramReportsItsErrno) {
  ChildProcess child;
  EXPECT_EQ(child.start(program({"/dev/null"})), EACCES);
}

TEST(ChildProcess, WithoutPathSearchABareNameIsNotFound) {
  ChildProcess child;
  ChildSetup setup = program({"sh", "-c", "exit 0"});
  EXPECT_EQ(child.start(setup), ENOENT);
  setup.search_path = true;
  EXPECT_EQ(child.start(setup), 0);
  child.wait_for_end();
  EXPECT_TRUE(child.end().exited);
}

TEST(ChildProcess, ReturnsTheExitStatus) {
  ChildProcess child;
  ASSERT_EQ(child.start(shell("exit 7")), 0);
  EXPECT_TRUE(child.running());
  child.wait_for_end();
  EXPECT_FALSE(child.running());
  EXPECT_TRUE(child.has_ended());
  EXPECT_TRUE(child.end().exited);
  EXPECT_EQ(child.end().code, 7);
}

TEST(ChildProcess, ReportsTheSignalThatEndedIt) {
  ChildProcess child;
  ASSERT_EQ(child.start(shell("kill -USR1 $$")), 0);
  child.wait_for_end();
  EXPECT_FALSE(child.end().exited);
  EXPECT_EQ(child.end().code, SIGUSR1);
}

TEST(ChildProcess, HasEndedDoesNotWaitForARunningChild) {
  ChildProcess child;
  ASSERT_EQ(child.start(shell("exec sleep 30")), 0);
  EXPECT_FALSE(child.has_ended());
  EXPECT_TRUE(child.running());
  child.stop();
}

TEST(ChildProcess, GetsTheDescriptorsItIsGiven) {
  Pipe in, out, err;
  ASSERT_EQ(::write(in.fds[1], "ping\n", 5), 5);
  in.close_write();
  ChildProcess child;
  ChildSetup setup = shell("read line; echo \"out $line\"; echo \"err $line\" >&2");
  setup.stdin_fd = in.fds[0];
  setup.stdout_fd = out.fds[1];
  setup.stderr_fd = err.fds[1];
  ASSERT_EQ(child.start(setup), 0);
  out.close_write();
  err.close_write();
  EXPECT_EQ(out.read_all(), "out ping\n");
  EXPECT_EQ(err.read_all(), "err ping\n");
  child.wait_for_end();
  EXPECT_EQ(child.end().code, 0);
}

TEST(ChildProcess, StopEndsAChildWithSigterm) {
  ChildProcess child;
  ChildSetup setup = shell("exec sleep 30");
  setup.stop_grace = 10s;
  ASSERT_EQ(child.start(setup), 0);
  child.stop();
  EXPECT_FALSE(child.running());
  EXPECT_FALSE(child.end().exited);
  EXPECT_EQ(child.end().code, SIGTERM);
}

TEST(ChildProcess, StopKillsAChildThatIgnoresSigtermOnceTheGraceIsOver) {
  Pipe ready;
  ChildProcess child;
  // The ignored SIGTERM survives the exec into sleep; "ready" says the trap is set.
  ChildSetup setup = shell("trap '' TERM; echo ready; exec sleep 30");
  setup.stdout_fd = ready.fds[1];
  setup.stop_grace = 200ms;
  ASSERT_EQ(child.start(setup), 0);
  ready.close_write();
  char buf[6] = {};
  ASSERT_EQ(::read(ready.fds[0], buf, 5), 5);
  auto started = std::chrono::steady_clock::now();
  child.stop();
  EXPECT_FALSE(child.running());
  EXPECT_FALSE(child.end().exited);
  EXPECT_EQ(child.end().code, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);  // not sleep's 30 s
}

TEST(ChildProcess, StopWithNothingRunningDoesNothing) {
  ChildProcess child;
  child.stop();
  ASSERT_EQ(child.start(shell("exit 3")), 0);
  child.wait_for_end();
  child.stop();
  EXPECT_EQ(child.end().code, 3);
}

// The runner's own death is simulated with an intermediate process that starts the
// child and exits without stopping it. This test process becomes a subreaper so the
// orphaned child is reparented to it and its end can be read.
TEST(ChildProcess, GetsSigtermWhenTheRunnerDies) {
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  Pipe report;
  pid_t runner = ::fork();
  ASSERT_GE(runner, 0);
  if (runner == 0) {
    ChildProcess child;
    pid_t pid = child.start(shell("exec sleep 30")) == 0 ? child.pid() : -1;
    ssize_t n = ::write(report.fds[1], &pid, sizeof pid);
    ::_exit(n == sizeof pid ? 0 : 1);  // no destructor: the child is left running
  }
  report.close_write();
  pid_t orphan = -1;
  ASSERT_EQ(::read(report.fds[0], &orphan, sizeof orphan), static_cast<ssize_t>(sizeof orphan));
  ASSERT_EQ(::waitpid(runner, nullptr, 0), runner);
  ASSERT_GT(orphan, 0);

  int status = 0;
  pid_t reaped = 0;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while ((reaped = ::waitpid(orphan, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() < deadline)
    ::usleep(10'000);
  if (reaped == 0) {
    ::kill(orphan, SIGKILL);
    ::waitpid(orphan, nullptr, 0);
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  ASSERT_EQ(reaped, orphan) << "the child outlived its parent";
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

}  // namespace
}  // namespace mpxe::runner
