// Stand-ins for subcommands whose files are not in the tree yet: weak, so the
// definition in cmd_dhcp.cpp / cmd_tftp.cpp / cmd_dns.cpp wins once it is linked
// in (they are linked as object files, not from an archive, for exactly that
// reason).
#include "host/net/net_app.h"

namespace mpxe::host {

__attribute__((weak)) void add_dhcp_command(CLI::App&, NetApp&) {}
__attribute__((weak)) void add_tftp_command(CLI::App&, NetApp&) {}
__attribute__((weak)) void add_dns_command(CLI::App&, NetApp&) {}
__attribute__((weak)) void add_http_command(CLI::App&, NetApp&) {}

}  // namespace mpxe::host
