// nginx as the runner's child, serving the PXE folder for one run (--http): a single
// foreground process with its config, logs and temp files in the run's folder, on a
// free port of 127.0.0.1, stopped with QEMU (http_boot.h holds its config and command).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "child_process.h"
#include "http_boot.h"

namespace mpxe::runner {

class NginxChild {
 public:
  // Starts NGINX serving ROOT and waits until it accepts connections; a port taken
  // between picking and binding is retried with another.
  // With TLS (--https), the port speaks only TLS.
  bool start(const std::string& nginx, const std::string& dir, const std::string& root,
             const std::optional<NginxTls>& tls, std::string& error);

  uint16_t port() const { return port_; }

  // SIGTERM (nginx's fast shutdown), SIGKILL after 3 s.
  void stop() { process_.stop(); }

 private:
  bool launch(const std::string& nginx, const std::string& dir, const NginxSetup& setup,
              std::string& error, bool& port_taken);

  ChildProcess process_;
  uint16_t port_ = 0;
};

}  // namespace mpxe::runner
