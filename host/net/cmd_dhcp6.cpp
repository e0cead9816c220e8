// mpxe-net dhcp6 [--mode auto|stateful|stateless] [--http] [--guid HEX]: DHCPv6
// (src/net/socket/dhcpv6_client.h) through our own stack, as the router
// advertisement says (RFC 4861 4.2: M set, stateful with IA_NA; O set or
// neither, a stateless Information-Request, as the ROM does). A stateful
// address goes to the interface (DAD first, RFC 8415 18.2.10.1; a duplicate is
// declined and another asked for). Implies --ipv6. Prints one "name: value"
// line each, the SLAAC side first:
//
//   link-local: fe80::5054:ff:fe12:3456
//   slaac: fd00:6d70::5054:ff:fe12:3456 preferred
//   ra: yes, managed 1, other 1, mtu 1500
//   mode: stateful
//   address: fd00:6d70::1a2 preferred 3600 s valid 3600 s
//   dad: ok
//   dns: fd00:6d70::1
//   boot-file-url: tftp://[fd00:6d70::1]/boot.efi
//   server-duid: 0001000130...
//
// Exits 0 when bound (and, stateful, the address passed DAD), 1 when not.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "host/net/net_app.h"
#include "net/socket/dhcpv6_binding.h"
#include "net/socket/dhcpv6_client.h"
#include "net/wire/dhcpv6.h"

namespace mpxe::host {
namespace {

struct Dhcp6Options {
  std::string mode = "auto";
  bool http = false;
  std::string guid;  // 32 hex digits: DUID-UUID; else DUID-LLT from the MAC
};

std::string text(net::IpAddress address) {
  char out[net::IpAddress::kMaxTextLen + 1];
  address.format(out, sizeof out);
  return out;
}

std::string lifetime(uint32_t seconds) {
  if (seconds == net::Dhcpv6Lease::kInfinite) return "infinite";
  return std::to_string(seconds) + " s";
}

bool parse_uuid(const std::string& hex, uint8_t (&out)[16]) {
  std::string digits;
  for (char c : hex)
    if (c != '-') digits += c;
  if (digits.size() != 32) return false;
  for (size_t i = 0; i < 16; ++i) {
    unsigned value = 0;
    if (sscanf(digits.c_str() + 2 * i, "%2x", &value) != 1) return false;
    out[i] = static_cast<uint8_t>(value);
  }
  return true;
}

void print_lease(const net::Dhcpv6Client& client, const net::Interface& iface) {
  const net::Dhcpv6Lease& lease = client.lease();
  if (lease.has_address) {
    printf("address: %s preferred %s valid %s\n", text(lease.address).c_str(),
           lifetime(lease.preferred_lifetime).c_str(), lifetime(lease.valid_lifetime).c_str());
    printf("t1: %s\nt2: %s\n", lifetime(lease.t1).c_str(), lifetime(lease.t2).c_str());
    const net::SlaacAddress& held = iface.slaac().dhcpv6_address();
    printf("dad: %s\n", held.dad_passed() ? "ok" : net::slaac_address_state_text(held.state));
  } else {
    printf("address: none\n");
  }
  for (size_t i = 0; i < lease.dns_server_count; ++i)
    printf("dns: %s\n", text(lease.dns_servers[i]).c_str());
  printf("domain: %s\n", lease.domain.text);
  printf("boot-file-url: %s\n", lease.boot_file_url.text);
  for (size_t i = 0; i < lease.boot_file_param_count; ++i)
    printf("boot-file-param: %s\n", lease.boot_file_params[i].text);
  std::string duid;
  char hex[3];
  for (uint8_t b : lease.server_duid.view()) {
    snprintf(hex, sizeof hex, "%02x", b);
    duid += hex;
  }
  printf("server-duid: %s\n", duid.empty() ? "none" : duid.c_str());
  printf("server: %s\n", text(lease.server).c_str());
  printf("preference: %u\n", lease.preference);
}

void print_stats(const net::Dhcpv6Client& client) {
  const net::Dhcpv6Stats& s = client.stats();
  printf("sent: %u solicit, %u request, %u information-request, %u decline, %u refused; "
         "seen: %u advertises, %u restarts\n",
         s.solicits_sent, s.requests_sent, s.information_requests_sent, s.declines_sent,
         s.send_failures, s.advertises, s.restarts);
  for (size_t i = 0; i < net::kDhcpv6DropReasons; ++i)
    if (s.dropped[i] != 0)
      printf("dropped: %u %s (first from %s)\n", s.dropped[i],
             net::dhcpv6_drop_text(static_cast<net::Dhcpv6Drop>(i)), text(s.first_from[i]).c_str());
}

int run_dhcp6(NetApp& net, const Dhcp6Options& options) {
  net::Interface& iface = net.iface();
  const net::Slaac& slaac = iface.slaac();
  net::Dhcpv6Config config;
  config.mac = iface.mac();
  config.link_local = slaac.link_local();
  config.boot = options.http ? net::DhcpMode::Http : net::DhcpMode::Pxe;
  if (!options.guid.empty()) {
    if (!parse_uuid(options.guid, config.uuid)) {
      fprintf(stderr, "mpxe-net dhcp6: --guid %s: expected 32 hex digits\n", options.guid.c_str());
      return NetApp::kExitUsage;
    }
    config.has_uuid = true;
  }
  // RFC 4861 4.2: M, addresses from DHCPv6; O (or neither, as on QEMU's user
  // network, whose server still answers), other configuration only.
  bool stateful = options.mode == "stateful" || (options.mode == "auto" && slaac.managed());
  config.mode = stateful ? net::Dhcpv6Mode::Stateful : net::Dhcpv6Mode::Stateless;
  net.print_ipv6(stdout);
  printf("mode: %s\n", stateful ? "stateful" : "stateless");

  // ~6 KiB of packets: on the heap here, where the firmware keeps it in its session.
  auto client = std::make_unique<net::Dhcpv6Client>(config, net.random);
  if (auto bound = iface.bind(net::kDhcpv6ClientPort, *client); !bound) {
    fprintf(stderr, "mpxe-net dhcp6: cannot bind port %u\n", net::kDhcpv6ClientPort);
    return NetApp::kExitUsage;
  }
  // Done when the client gave up, or is bound and its address (if any) has
  // passed DAD; a duplicate is declined and the client asks again.
  net::Dhcpv6Binding binding(*client, iface);
  const net::Millis start = net.now();
  binding.start(start);
  net::Dhcpv6State last = net::Dhcpv6State::Idle;
  net::Dhcpv6BindingState last_binding = net::Dhcpv6BindingState::Running;
  size_t declines_logged = 0;
  bool finished = net.run_until([&] { return binding.done(); }, net.deadline(), [&](net::Millis now) {
    binding.poll(now, iface);
    if (binding.state() != last_binding) {
      last_binding = binding.state();
      if (last_binding == net::Dhcpv6BindingState::Testing)
        net.log("dhcp6: %s assigned, DAD", text(client->lease().address).c_str());
    }
    for (; declines_logged < binding.decline_count() &&
           declines_logged < net::Dhcpv6Binding::kMaxDeclines;
         ++declines_logged) {
      const net::Dhcpv6Decline& declined = binding.decline(declines_logged);
      net.log("dhcp6: %s is in use on the link (%s): Decline", text(declined.address).c_str(),
              net::dad_conflict_text(declined.conflict));
    }
    if (client->state() != last) {
      last = client->state();
      net.log("dhcp6: %s at %.3f s", net::dhcpv6_state_text(last),
              static_cast<double>(now - start) / 1000.0);
    }
    return binding.next_deadline();
  });
  iface.unbind(net::kDhcpv6ClientPort);
  if (!finished) {
    printf("dhcp6: gave up after --timeout in state %s\n", net::dhcpv6_state_text(client->state()));
    print_stats(*client);
    return NetApp::kExitFailed;
  }
  if (binding.state() == net::Dhcpv6BindingState::Failed) {
    char error[64];
    net::error_format(binding.error(), error, sizeof error);
    printf("dhcp6: failed: %s (%s)",
           binding.failure() == net::Dhcpv6BindingFailure::Client
               ? net::dhcpv6_failure_text(client->failure())
               : net::dhcpv6_binding_failure_text(binding.failure()),
           error);
    const net::Dhcpv6StatusNote& status = client->last_status();
    if (status.valid)
      printf(": %s \"%s\" from %s", net::dhcpv6_status_text(status.code), status.message.text,
             text(status.from).c_str());
    printf("\n");
    print_stats(*client);
    return NetApp::kExitFailed;
  }
  printf("dhcp6: bound in %.3f s\n", static_cast<double>(net.now() - start) / 1000.0);
  print_lease(*client, iface);
  print_stats(*client);
  fflush(stdout);
  return 0;
}

}  // namespace

void add_dhcp6_command(CLI::App& app, NetApp& net) {
  auto options = std::make_shared<Dhcp6Options>();
  CLI::App* sub = app.add_subcommand("dhcp6", "Run DHCPv6 as the router advertisement says, print the lease");
  sub->add_option("--mode", options->mode,
                  "auto (the RA's M flag: stateful, else stateless), stateful or stateless")
      ->check(CLI::IsMember({"auto", "stateful", "stateless"}));
  sub->add_flag("--http", options->http, "Ask as a UEFI HTTP boot client (HTTPClient, arch 16)");
  sub->add_option("--guid", options->guid, "SMBIOS UUID for DUID-UUID, 32 hex digits");
  // DHCPv6 needs the IPv6 side: the command turns it on as --ipv6 would.
  sub->preparse_callback([&net](size_t) { net.options.ipv6 = true; });
  net.on_command(sub, [options](NetApp& net) { return run_dhcp6(net, *options); });
}

}  // namespace mpxe::host
