// QEMU's side of a run: QEMU as the runner's child with its output on pipes, and the
// loop that streams its serial console (to the terminal and --serial-log, through the
// scanner) and its errors until QEMU ends, the boot fails, time runs out or a signal
// arrives.
#pragma once

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "child_process.h"
#include "options.h"
#include "qemu_command.h"
#include "serial_scanner.h"
#include "signal_pipe.h"

namespace mpxe::runner {

// The runner's own line on stderr: "mpxe: LINE".
void say(const std::string& line);

// Writes everything, waiting out EAGAIN: QEMU's stdio chardev makes the terminal's
// shared file description non-blocking, and stdout is often that same terminal.
void write_all(int fd, std::string_view data);

// QEMU with stdin inherited and stdout/stderr on pipes.
class QemuChild {
 public:
  QemuChild() = default;
  QemuChild(const QemuChild&) = delete;
  QemuChild& operator=(const QemuChild&) = delete;
  ~QemuChild();

  // Starts ARGV; returns 0, or the errno of what failed.
  int start(const std::vector<std::string>& argv);

  int out_fd() const { return out_; }
  int err_fd() const { return err_; }
  void close_out() { close_fd(out_); }
  void close_err() { close_fd(err_); }
  ChildProcess& process() { return process_; }

 private:
  static void close_fd(int& fd);
  ChildProcess process_;
  int out_ = -1;
  int err_ = -1;
};

// Where the console's bytes go besides the scanner: this terminal and --serial-log
// (stdio mode), or nowhere else (TCP mode: QEMU logs them itself).
struct ConsoleSink {
  bool to_stdout = true;
  std::ofstream log;
  char last = '\n';

  void write(std::string_view bytes);
  // Before the runner's own line: end the console's line and its colours.
  void settle();
};

struct StreamResult {
  enum class Why { kQemuEnded, kBootFailed, kQemuFatal, kTimeout, kSignal } why = Why::kQemuEnded;
  std::string detail;
  int signal = 0;
};

// Streams QEMU's console and errors until one of the ends above (QEMU is reaped when
// it ended by itself).
StreamResult stream_console(QemuChild& qemu, const RunOptions& o, const HostPaths& paths,
                            const QemuPlan& plan, ConsoleSink& console, SerialScanner& scanner,
                            const SignalPipe& signals);

}  // namespace mpxe::runner
