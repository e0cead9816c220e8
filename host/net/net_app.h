// mpxe-net: the host port of the stack as a command-line tool. This header is
// the seam between main() and the subcommands, one file each:
//
//   cmd_ping.cpp   ping ADDR [-c COUNT]          (here)
//   cmd_dhcp.cpp   dhcp                          (add_dhcp_command)
//   cmd_dhcp6.cpp  dhcp6 [--mode M]              (add_dhcp6_command)
//   cmd_tftp.cpp   tftp get FILE                 (add_tftp_command)
//   cmd_dns.cpp    dns NAME...                   (add_dns_command)
//   cmd_http.cpp   http get URL [--connections N] (add_http_command)
//
// A subcommand file defines its add_*_command(), which adds a CLI11 subcommand
// and registers what it does with NetApp::on_command(). By the time that runs,
// the global options are parsed and the stack is up:
//
//   TapDevice -> FaultInjector -> PcapWriter (with --pcap) -> net::Interface
//
// so the capture shows what the stack saw and sent, faults included. With --ipv6
// the IPv6 side is on and SLAAC has settled (the link-local address, the RA and
// its addresses, or no router after the solicitations) before the command runs.
// Drive the
// stack with run_until(), which polls it and sleeps on the TAP descriptor until
// the earliest deadline.
//
//   void add_dhcp_command(CLI::App& app, NetApp& net) {
//     CLI::App* sub = app.add_subcommand("dhcp", "Acquire a lease and print it");
//     net.on_command(sub, [](NetApp& net) {
//       DhcpClient client(...);
//       net.iface().bind(kDhcpClientPort, client);
//       bool ok = net.run_until([&] { return client.done(); }, net.deadline(),
//                               [&](Millis now) { return client.poll(now, net.iface()); });
//       return ok ? 0 : 1;
//     });
//   }
#pragma once

#include <stdint.h>
#include <stdio.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/net/host_env.h"
#include "host/net/tap_device.h"
#include "net/clock.h"
#include "net/iface/interface.h"
#include "phy/fault_injector.h"
#include "phy/pcap_writer.h"

namespace CLI {
class App;
}

namespace mpxe::host {

struct NetOptions {
  std::string tap;
  std::string ip;       // A.B.C.D/N; empty: unconfigured (for dhcp)
  std::string gateway;  // A.B.C.D
  std::string mac;      // our MAC on the link; empty: a random locally administered one
  std::string pcap;     // capture file
  uint16_t drop = 0;    // per mille, both directions
  uint16_t duplicate = 0;
  uint16_t reorder = 0;
  uint16_t corrupt = 0;
  // Which way the faults above apply: "both", "rx" (to what the stack receives)
  // or "tx" (to what it sends).
  std::string faults_way = "both";
  uint64_t seed = 1;
  bool ipv6 = false;    // enable IPv6 and wait for SLAAC/router discovery first
  double timeout = 30;  // seconds: the longest a command runs
  int verbose = 0;
};

class NetApp {
 public:
  using Command = std::function<int(NetApp&)>;
  // Exit statuses: 0 success, 1 the command ran and failed (no reply, no lease,
  // transfer error), 2 bad usage or no stack (TAP missing, bad address).
  static constexpr int kExitFailed = 1;
  static constexpr int kExitUsage = 2;

  NetOptions options;
  HostClock clock;
  HostRandom random;

  NetApp();
  ~NetApp();
  NetApp(const NetApp&) = delete;
  NetApp& operator=(const NetApp&) = delete;

  // The global options (--tap, --ip, ...), on the top-level app.
  void add_global_options(CLI::App& app);
  // Makes `run` what subcommand `sub` does; its return value is the exit status.
  void on_command(CLI::App* sub, Command run);
  // After parsing: brings the stack up and runs the subcommand that was given.
  int run_selected();

  // Brings the stack up from the options; false with a message on stderr.
  bool open();
  net::Interface& iface() { return *iface_; }
  // The device the interface polls (the top of the wrapper stack).
  phy::Device& device() { return *top_; }
  phy::FaultInjector& faults() { return *faults_; }

  net::Millis now() const { return clock.now_ms(); }
  // now + --timeout: when the command must give up.
  net::Millis deadline() const;

  // Polls the interface until done() holds or `deadline` passes; returns
  // done(). `step`, when given, runs after every poll with the time and
  // returns its own next deadline (a state machine's retransmission timer),
  // which the loop also wakes up for. Sleeps in poll(2) on the TAP descriptor.
  bool run_until(const std::function<bool()>& done, net::Millis deadline,
                 const std::function<net::Millis(net::Millis now)>& step = nullptr);

  // -v: a line to stderr, printf-style.
  void log(const char* format, ...) __attribute__((format(printf, 2, 3)));
  // With --ipv6: the SLAAC addresses, router and flags, one "name: value" line each.
  void print_ipv6(FILE* out) const;
  // The interface, fault and capture counters, to `out`.
  void print_counters(FILE* out) const;

 private:
  bool parse_config(net::Ipv4Config& config, uint8_t (&mac)[6]);
  // Turns IPv6 on and waits (bounded by --timeout) until the link-local address
  // and every address an RA gave have passed DAD, or no router answered; false
  // when our link-local address is another node's.
  bool start_ipv6();

  std::vector<std::pair<CLI::App*, Command>> commands_;
  std::unique_ptr<TapDevice> tap_;
  std::unique_ptr<phy::FaultInjector> faults_;
  std::unique_ptr<FileSink> pcap_file_;
  std::unique_ptr<phy::PcapWriter> pcap_;
  phy::Device* top_ = nullptr;
  std::vector<std::vector<uint8_t>> reassembly_storage_;
  std::vector<MutableBytes> reassembly_buffers_;
  std::unique_ptr<net::Interface> iface_;
};

// Subcommands, one cmd_*.cpp each; main() calls each.
void add_ping_command(CLI::App& app, NetApp& net);
void add_dhcp_command(CLI::App& app, NetApp& net);
void add_dhcp6_command(CLI::App& app, NetApp& net);
void add_tftp_command(CLI::App& app, NetApp& net);
void add_dns_command(CLI::App& app, NetApp& net);
void add_http_command(CLI::App& app, NetApp& net);

}  // namespace mpxe::host
