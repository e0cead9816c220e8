#include "console_stream.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>

namespace mpxe::runner {

using Clock = std::chrono::steady_clock;

void say(const std::string& line) { std::fprintf(stderr, "mpxe: %s\n", line.c_str()); }

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return;  // the reader went away; keep running, the log still gets it
    }
  }
}

int QemuChild::start(const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return errno;
  if (::pipe2(err, O_CLOEXEC) != 0) {
    int error = errno;
    for (int fd : out) ::close(fd);
    return error;
  }
  ChildSetup setup;
  setup.argv = argv;
  setup.search_path = true;
  setup.stdout_fd = out[1];
  setup.stderr_fd = err[1];
  // QEMU shuts down cleanly on SIGTERM and restores the terminal.
  setup.stop_grace = std::chrono::seconds(5);
  int error = process_.start(setup);
  ::close(out[1]);
  ::close(err[1]);
  if (error != 0) {
    ::close(out[0]);
    ::close(err[0]);
    return error;
  }
  out_ = out[0];
  err_ = err[0];
  return 0;
}

QemuChild::~QemuChild() {
  process_.stop();
  close_out();
  close_err();
}

void QemuChild::close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

void ConsoleSink::write(std::string_view bytes) {
  if (bytes.empty()) return;
  if (to_stdout) write_all(STDOUT_FILENO, bytes);
  if (log.is_open()) log.write(bytes.data(), static_cast<std::streamsize>(bytes.size())).flush();
  last = bytes.back();
}

void ConsoleSink::settle() {
  if (!to_stdout) return;
  if (::isatty(STDOUT_FILENO)) write_all(STDOUT_FILENO, "\x1b[0m");
  if (last != '\n') write_all(STDOUT_FILENO, "\r\n");
  last = '\n';
}

namespace {

std::string read_some(int fd, bool& open) {
  char buf[16384];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) return std::string(buf, static_cast<size_t>(n));
  if (n == 0 || (errno != EINTR && errno != EAGAIN)) open = false;
  return {};
}

class Streamer {
 public:
  Streamer(QemuChild& qemu, const RunOptions& o, const HostPaths& paths, const QemuPlan& plan,
           ConsoleSink& console, SerialScanner& scanner)
      : qemu_(qemu), o_(o), paths_(paths), plan_(plan), console_(console), scanner_(scanner) {}
  ~Streamer() {
    if (tail_fd_ >= 0) ::close(tail_fd_);
  }

  StreamResult run(const SignalPipe& signals) {
    const auto deadline = Clock::now() + std::chrono::seconds(o_.timeout_s);
    while (!ended_) {
      if (o_.timeout_s > 0 && Clock::now() >= deadline) return {StreamResult::Why::kTimeout, "", 0};
      pollfd fds[3] = {{signals.fd(), POLLIN, 0},
                       {out_open_ ? qemu_.out_fd() : -1, POLLIN, 0},
                       {err_open_ ? qemu_.err_fd() : -1, POLLIN, 0}};
      ::poll(fds, 3, tcp_console() ? 100 : 1000);
      if (fds[0].revents & POLLIN)
        if (int sig = signals.take()) return {StreamResult::Why::kSignal, "", sig};
      if (fds[1].revents) pump_out();
      if (fds[2].revents) pump_err();
      if (tcp_console()) pump_tail();
      if (ended_) break;
      // QEMU gone (even if something else holds its pipes): take what is left.
      if (!out_open_ && !err_open_) qemu_.process().wait_for_end();
      if (qemu_.process().has_ended()) {
        drain();
        break;
      }
    }
    return result_;
  }

 private:
  bool tcp_console() const { return !plan_.serial_logfile.empty(); }

  void console_bytes(std::string_view bytes) {
    if (ended_) return;
    for (const auto& event : scanner_.feed(bytes)) {
      if (event.kind == SerialEventKind::kBootOptionFailed && first_failure_.empty())
        first_failure_ = event.detail;
      if (event.kind == SerialEventKind::kRomGaveUp) rom_cause_ = event.detail;
      if (event.kind == SerialEventKind::kDriverLoaded && o_.gdb_port) {
        console_.settle();
        say("symbols: add-symbol-file " + paths_.build_dir + "/firmware/mpxe.debug.efi -o " +
            event.detail);
      }
      if (ends_boot(event, o_.tap.empty(), o_.ipv6)) {
        result_ = {StreamResult::Why::kBootFailed,
                   describe_boot_failure(event, first_failure_, rom_cause_, plan_.boot_url), 0};
        ended_ = true;
        return;
      }
    }
  }

  bool pump_out() {
    if (!out_open_) return false;
    std::string bytes = read_some(qemu_.out_fd(), out_open_);
    if (!out_open_) qemu_.close_out();
    if (tcp_console()) {
      write_all(STDOUT_FILENO, bytes);  // QEMU's own chatter, not the console
    } else {
      console_.write(bytes);
      console_bytes(bytes);
    }
    return !bytes.empty();
  }

  bool pump_err() {
    if (!err_open_) return false;
    std::string bytes = read_some(qemu_.err_fd(), err_open_);
    if (!err_open_) qemu_.close_err();
    write_all(STDERR_FILENO, bytes);
    std::vector<std::string> lines;
    err_lines_.feed(bytes, lines);
    for (const auto& line : lines) {
      if (auto fatal = qemu_fatal_error(line); fatal && !ended_) {
        result_ = {StreamResult::Why::kQemuFatal, *fatal, 0};
        ended_ = true;
      }
    }
    return !bytes.empty();
  }

  bool pump_tail() {
    if (tail_fd_ < 0) tail_fd_ = ::open(plan_.serial_logfile.c_str(), O_RDONLY | O_CLOEXEC);
    if (tail_fd_ < 0) return false;
    bool open = true;
    std::string bytes = read_some(tail_fd_, open);
    console_bytes(bytes);
    return !bytes.empty();
  }

  void drain() {
    for (;;) {
      pollfd fds[2] = {{out_open_ ? qemu_.out_fd() : -1, POLLIN, 0},
                       {err_open_ ? qemu_.err_fd() : -1, POLLIN, 0}};
      if (::poll(fds, 2, 0) <= 0) break;
      bool more = false;
      if (fds[0].revents) more |= pump_out();
      if (fds[1].revents) more |= pump_err();
      if (!more) break;
    }
    while (tcp_console() && pump_tail()) {
    }
  }

  QemuChild& qemu_;
  const RunOptions& o_;
  const HostPaths& paths_;
  const QemuPlan& plan_;
  ConsoleSink& console_;
  SerialScanner& scanner_;
  bool out_open_ = true;
  bool err_open_ = true;
  int tail_fd_ = -1;  // TCP mode: QEMU's log of the console, read as it grows
  bool ended_ = false;
  std::string first_failure_;
  std::string rom_cause_;  // the ROM's last "cannot boot" cause
  LineCleaner err_lines_;
  StreamResult result_;
};

}  // namespace

StreamResult stream_console(QemuChild& qemu, const RunOptions& o, const HostPaths& paths,
                            const QemuPlan& plan, ConsoleSink& console, SerialScanner& scanner,
                            const SignalPipe& signals) {
  return Streamer(qemu, o, paths, plan, console, scanner).run(signals);
}

}  // namespace mpxe::runner
