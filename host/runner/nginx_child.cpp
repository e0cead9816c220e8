#include "nginx_child.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <vector>

namespace mpxe::runner {

namespace {

using Clock = std::chrono::steady_clock;

// A TCP port on 127.0.0.1 nobody listens on right now (bound to 0, then released).
uint16_t pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

bool accepts_connections(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// The last non-empty lines of a small log file, joined with " | ".
std::string log_tail(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) all.push_back(line);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += (out.empty() ? "" : " | ") + all[i];
  return out;
}

}  // namespace

bool NginxChild::start(const std::string& nginx, const std::string& dir, const std::string& root,
                       const std::optional<NginxTls>& tls, std::string& error) {
  constexpr int kAttempts = 3;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    NginxSetup setup{dir, root, pick_free_port(), tls};
    if (setup.port == 0) {
      error = std::string("cannot find a free port on 127.0.0.1: ") + std::strerror(errno);
      return false;
    }
    auto config = nginx_config(setup);
    if (!config) {
      error = "cannot write " + root + " or " + dir + " into an nginx config ('$' or a control character)";
      return false;
    }
    std::ofstream(nginx_config_path(setup)) << *config;
    bool port_taken = false;
    if (launch(nginx, dir, setup, error, port_taken)) {
      port_ = setup.port;
      return true;
    }
    if (!port_taken) return false;
  }
  return false;
}

bool NginxChild::launch(const std::string& nginx, const std::string& dir, const NginxSetup& setup,
                        std::string& error, bool& port_taken) {
  std::string output = dir + "/nginx-stderr.log";
  ChildSetup child;
  child.argv = nginx_command(nginx, setup);
  child.stop_grace = std::chrono::seconds(3);
  child.stdin_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  child.stdout_fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  child.stderr_fd = child.stdout_fd;
  int start_error = process_.start(child);
  for (int fd : {child.stdin_fd, child.stdout_fd})
    if (fd >= 0) ::close(fd);
  if (start_error != 0) {
    error = "cannot start " + child.argv[0] + ": " + std::strerror(start_error);
    return false;
  }
  // Bounded wait for the listening socket; nginx normally needs a few milliseconds.
  constexpr auto kReadyLimit = std::chrono::seconds(10);
  auto deadline = Clock::now() + kReadyLimit;
  std::string where = "127.0.0.1:" + std::to_string(setup.port);
  for (;;) {
    if (process_.has_ended()) {
      const ChildEnd& end = process_.end();
      std::string said = log_tail(nginx_error_log_path(setup), 3);
      if (said.empty()) said = log_tail(output, 3);
      port_taken = said.find("Address already in use") != std::string::npos;
      error = "nginx exited before serving " + where +
              (end.exited ? " (status " + std::to_string(end.code) + ")"
                          : " (signal " + std::to_string(end.code) + ")") +
              (said.empty() ? std::string() : ": " + said);
      return false;
    }
    if (accepts_connections(setup.port)) return true;
    if (Clock::now() > deadline) {
      stop();
      error = "nginx did not accept connections on " + where + " within " +
              std::to_string(kReadyLimit.count()) + " s; it was stopped (log: " +
              log_tail(nginx_error_log_path(setup), 3) + ")";
      return false;
    }
    ::usleep(10'000);
  }
}

}  // namespace mpxe::runner
