// mpxe-net: the portable network stack on a Linux TAP interface, for trying it
// against real peers (the kernel, dnsmasq, TFTP servers) from the host.
//
//   mpxe-net --tap tap0 --ip 10.77.0.2/24 ping 10.77.0.1 -c 3
//   mpxe-net --tap tap0 --drop 200 --seed 7 --pcap run.pcap -v ping 10.77.0.1
//   mpxe-net --tap tap0 dns boot.example.com
//   mpxe-net --tap tap0 --ipv6 dhcp6
//   mpxe-net --tap tap0 --ipv6 tftp get boot.efi --server fd00::1
#include <CLI/CLI.hpp>

#include "host/net/net_app.h"

int main(int argc, char** argv) {
  mpxe::host::NetApp net;
  CLI::App app{"mpxe-net: the mpxe network stack on a TAP interface", "mpxe-net"};
  app.require_subcommand(1);
  net.add_global_options(app);
  mpxe::host::add_ping_command(app, net);
  mpxe::host::add_dhcp_command(app, net);
  mpxe::host::add_dhcp6_command(app, net);
  mpxe::host::add_tftp_command(app, net);
  mpxe::host::add_dns_command(app, net);
  mpxe::host::add_http_command(app, net);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);
    return status == 0 ? 0 : mpxe::host::NetApp::kExitUsage;
  }
  return net.run_selected();
}
