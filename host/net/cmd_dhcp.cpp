// mpxe-net dhcp [--http] [--proxy-wait MS] [--guid HEX] [--pxe-menu N]: a DHCP
// lease (and the ProxyDHCP boot information, when a proxy answers; and the boot
// server's, through PXE 2.1 boot server discovery, when the options hold a menu)
// through our own stack, printed one "name: value" line each, with how long each
// step took. Exits 0 when bound.
//
//   mpxe-net --tap tap0 --mac 52:54:00:12:34:56 dhcp
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "host/net/net_app.h"
#include "net/socket/dhcp_client.h"
#include "net/socket/pxe_discovery.h"
#include "net/wire/dhcp.h"
#include "net/wire/ipv4_address.h"

namespace mpxe::host {
namespace {

struct DhcpOptions {
  bool http = false;
  net::Millis proxy_wait = net::DhcpConfig::kDefaultOfferWait;
  std::string guid;  // 32 hex digits, as option 97 carries them
  size_t pxe_menu = 0;  // 1-based menu item to boot; 0: the first that is not local boot
};

std::string str(Bytes b) { return std::string(b.begin(), b.end()); }

std::string text(net::IpAddress address) {
  char out[net::IpAddress::kMaxTextLen + 1];
  address.format(out, sizeof out);
  return out;
}

bool parse_guid(const std::string& hex, uint8_t (&out)[net::DhcpConfig::kGuidLen]) {
  std::string digits;
  for (char c : hex)
    if (c != '-') digits += c;
  if (digits.size() != 2 * net::DhcpConfig::kGuidLen) return false;
  for (size_t i = 0; i < net::DhcpConfig::kGuidLen; ++i) {
    unsigned value = 0;
    if (sscanf(digits.c_str() + 2 * i, "%2x", &value) != 1) return false;
    out[i] = static_cast<uint8_t>(value);
  }
  return true;
}

const char* source_text(net::DhcpBootSource source) {
  switch (source) {
    case net::DhcpBootSource::None: return "none";
    case net::DhcpBootSource::Ack: return "ack";
    case net::DhcpBootSource::ProxyOffer: return "proxy-offer";
    case net::DhcpBootSource::PxeReply: return "pxe-reply";
  }
  return "?";
}

// "3.005 s" after `start`, or "-" for what did not happen.
std::string at(net::Millis when, net::Millis start) {
  if (when == net::kNever) return "-";
  char out[32];
  snprintf(out, sizeof out, "%.3f s", static_cast<double>(when - start) / 1000.0);
  return out;
}

void print_lease(const net::DhcpClient& client) {
  const net::DhcpLease& lease = client.lease();
  printf("address: %s\n", text(lease.address).c_str());
  printf("netmask: %s\n", text(lease.subnet_mask).c_str());
  std::string list;
  for (size_t i = 0; i < lease.router_count; ++i) list += (i ? " " : "") + text(lease.routers[i]);
  printf("routers: %s\n", list.c_str());
  list.clear();
  for (size_t i = 0; i < lease.dns_server_count; ++i)
    list += (i ? " " : "") + text(lease.dns_servers[i]);
  printf("dns: %s\n", list.c_str());
  printf("domain: %s\n", lease.domain_name.text);
  if (lease.lease_time == net::DhcpLease::kInfinite)
    printf("lease: infinite\n");
  else
    printf("lease: %u s\n", lease.lease_time);
  printf("server: %s\n", text(lease.server_id).c_str());
  printf("boot-source: %s\n", source_text(lease.boot_source));
  printf("boot-server: %s\n", text(lease.boot_server).c_str());
  printf("boot-server-name: %s\n", lease.boot_server_name.text);
  printf("boot-file: %s\n", lease.boot_file.text);
  if (!lease.proxy_server.is_unspecified()) printf("proxy: %s\n", text(lease.proxy_server).c_str());
  if (lease.pxe_options_length != 0) {
    printf("pxe-options:");
    for (size_t i = 0; i < lease.pxe_options_length; ++i) printf(" %02x", lease.pxe_options[i]);
    printf("\n");
  }
  printf("packets: discover %u, ack %u, proxy-offer %u, pxe-discover %u, pxe-reply %u bytes\n",
         lease.discover.length, lease.ack.length, lease.proxy_offer.length,
         lease.pxe_discover.length, lease.pxe_reply.length);
}

void print_menu(const net::PxeBootPlan& plan) {
  const net::PxeVendorOptions& o = plan.options;
  for (size_t i = 0; i < o.menu_count(); ++i) {
    net::PxeMenuItem item = o.menu_item(i);
    printf("menu: %zu type %u %s%s\n", i + 1, item.type, str(item.description).c_str(),
           item.type == plan.item.type ? " (chosen)" : "");
  }
  for (size_t i = 0; i < o.server_entry_count(); ++i) {
    net::PxeBootServerEntry entry = o.server_entry(i);
    printf("boot-servers: type %u", entry.type);
    for (size_t a = 0; a < entry.count(); ++a) printf(" %s", text(entry.address(a)).c_str());
    printf("\n");
  }
  if (o.has_prompt())
    printf("prompt: %s (%u s)\n", str(o.prompt_text()).c_str(), o.prompt_timeout());
  printf("discovery-control: %u\n", o.control());
}

// PXE 2.1 boot server discovery for the item chosen; false when it failed (the
// lease line says why).
bool run_discovery(NetApp& net, net::DhcpClient& client, const net::DhcpConfig& config,
                   const DhcpOptions& options) {
  net::Result<net::PxeBootPlan> planned = net::pxe_plan_boot(client.lease(), options.pxe_menu);
  if (!planned) {
    char error[64];
    net::error_format(planned.error(), error, sizeof error);
    printf("discovery: no menu item to boot (%s)\n", error);
    return false;
  }
  const net::PxeBootPlan& plan = planned.value();
  print_menu(plan);
  if (plan.local_boot) {
    printf("discovery: the item chosen is local boot\n");
    return false;
  }
  if (plan.prompt_wait != 0) {
    net.log("discovery: prompt, %llu ms", static_cast<unsigned long long>(plan.prompt_wait));
    net.run_until([] { return false; }, net.now() + plan.prompt_wait,
                  [](net::Millis now) { return now + 50; });
  }
  net::PxeDiscovery discovery(config, net.random);
  if (!net.iface().bind(net::kDhcpClientPort, discovery)) return false;
  const net::Millis start = net.now();
  discovery.start(plan.request, start);
  net.run_until([&] { return discovery.done(); }, net.deadline(), [&](net::Millis now) {
    discovery.poll(now, net.iface());
    return discovery.next_deadline();
  });
  net.iface().unbind(net::kDhcpClientPort);
  for (size_t i = 0; i < discovery.target_count(); ++i)
    printf("discovery-target: %s:%u\n", text(discovery.target(i).dst).c_str(),
           discovery.target(i).dst_port);
  printf("discovery: %u requests, %s in %s\n", discovery.requests_sent(),
         discovery.state() == net::PxeDiscoveryState::Done ? "answered" : "failed",
         at(net.now(), start).c_str());
  for (size_t i = 0; i < net::kPxeDiscoveryDropReasons; ++i)
    if (discovery.drops(static_cast<net::PxeDiscoveryDrop>(i)) != 0)
      printf("discovery: dropped %u: %s\n", discovery.drops(static_cast<net::PxeDiscoveryDrop>(i)),
             net::pxe_discovery_drop_text(static_cast<net::PxeDiscoveryDrop>(i)));
  if (discovery.state() != net::PxeDiscoveryState::Done) {
    printf("discovery: %s\n", net::pxe_discovery_failure_text(discovery.failure()));
    return false;
  }
  printf("discovery-reply-from: %s\n", text(discovery.replied_from()).c_str());
  printf("discovery-layer: %u\n", discovery.layer());
  client.take_discovery(discovery.request_packet(), discovery.reply_packet(), net.now());
  return true;
}

void print_timeline(const net::DhcpClient& client) {
  const net::DhcpTimeline& t = client.timeline();
  printf("time: offer %s, proxy-offer %s, request %s, ack %s, pxe-reply %s, done %s\n",
         at(t.first_offer, t.started).c_str(), at(t.proxy_offer, t.started).c_str(),
         at(t.requested, t.started).c_str(), at(t.acked, t.started).c_str(),
         at(t.pxe_reply, t.started).c_str(), at(t.finished, t.started).c_str());
  const net::DhcpStats& s = client.stats();
  printf("sent: %u discover, %u request, %u pxe-request, %u refused; seen: %u offers, "
         "%u proxy offers, %u naks, %u restarts\n",
         s.discovers_sent, s.requests_sent, s.pxe_requests_sent, s.send_failures, s.offers,
         s.proxy_offers, s.naks, s.restarts);
}

void print_drops(const net::DhcpClient& client) {
  const net::DhcpStats& s = client.stats();
  fprintf(stderr, "dhcp: %u datagrams, %u taken\n", s.received, s.accepted);
  for (size_t i = 0; i < net::kDhcpDropReasons; ++i)
    if (s.dropped[i] != 0)
      fprintf(stderr, "dhcp: dropped %u: %s\n", s.dropped[i],
              net::dhcp_drop_text(static_cast<net::DhcpDrop>(i)));
  if (s.last_error.is_error()) {
    char error[64];
    net::error_format(s.last_error, error, sizeof error);
    fprintf(stderr, "dhcp: last malformed: %s\n", error);
  }
}

// What broken servers sent, each reason once with its first sender (the ROM's
// console line), whether or not another server gave the lease.
void print_faults(const net::DhcpClient& client) {
  char faults[240];
  if (net::dhcp_fault_summary(client.stats(), faults, sizeof faults) > 0)
    printf("faults: %s\n", faults);
}

int run_dhcp(NetApp& net, const DhcpOptions& options) {
  net::DhcpConfig config;
  config.mac = net.iface().mac();
  config.mode = options.http ? net::DhcpMode::Http : net::DhcpMode::Pxe;
  config.offer_wait = options.proxy_wait;
  if (!options.guid.empty()) {
    if (!parse_guid(options.guid, config.guid)) {
      fprintf(stderr, "mpxe-net dhcp: --guid %s: expected 32 hex digits\n", options.guid.c_str());
      return NetApp::kExitUsage;
    }
    config.has_guid = true;
  }
  // ~10 KiB of packets: on the heap here, where the firmware keeps it in its NIC context.
  auto client = std::make_unique<net::DhcpClient>(config, net.random);
  net::Result<void> bound = net.iface().bind(net::kDhcpClientPort, *client);
  if (!bound) {
    char error[64];
    net::error_format(bound.error(), error, sizeof error);
    fprintf(stderr, "mpxe-net dhcp: cannot bind port 68: %s\n", error);
    return NetApp::kExitUsage;
  }

  const net::Millis start = net.now();
  net::DhcpState last = net::DhcpState::Idle;
  bool configured = false;
  client->start(start);
  net.log("dhcp: %s, xid %08x", options.http ? "HTTPClient" : "PXEClient", client->xid());
  bool done = net.run_until(
      [&] { return client->done(); }, net.deadline(),
      [&](net::Millis now) {
        // The address first, so that the port-4011 request the next poll sends
        // leaves from it and the proxy's ARP for it is answered.
        if (client->has_address() && !configured) {
          const net::DhcpLease& lease = client->lease();
          net::Ipv4Config ip;
          ip.address = lease.address;
          ip.netmask = lease.subnet_mask.is_unspecified()
                           ? net::Ipv4Address::of(255, 255, 255, 0)
                           : lease.subnet_mask;
          ip.gateway = lease.router_count != 0 ? lease.routers[0] : net::Ipv4Address();
          net.iface().set_ipv4(ip);
          (void)net.iface().announce();
          configured = true;
        }
        client->poll(now, net.iface());
        if (client->state() != last) {
          last = client->state();
          net.log("dhcp: %s at %.3f s", net::dhcp_state_text(last),
                  static_cast<double>(now - start) / 1000.0);
        }
        return client->next_deadline();
      });
  net.iface().unbind(net::kDhcpClientPort);
  if (net.options.verbose) print_drops(*client);
  print_faults(*client);

  if (!done) {
    printf("dhcp: gave up after --timeout in state %s\n", net::dhcp_state_text(client->state()));
    print_timeline(*client);
    return NetApp::kExitFailed;
  }
  if (client->state() == net::DhcpState::Failed) {
    char error[64];
    net::error_format(client->error(), error, sizeof error);
    printf("dhcp: failed: %s (%s)\n", net::dhcp_failure_text(client->failure()), error);
    print_timeline(*client);
    return NetApp::kExitFailed;
  }
  printf("dhcp: bound in %s\n", at(client->timeline().finished, start).c_str());
  int status = 0;
  if (client->lease().needs_discovery && !run_discovery(net, *client, config, options))
    status = NetApp::kExitFailed;
  if (client->failure() != net::DhcpFailure::None)
    printf("warning: %s\n", net::dhcp_failure_text(client->failure()));
  print_lease(*client);
  print_timeline(*client);
  fflush(stdout);
  return status;
}

}  // namespace

void add_dhcp_command(CLI::App& app, NetApp& net) {
  auto options = std::make_shared<DhcpOptions>();
  CLI::App* sub = app.add_subcommand("dhcp", "Acquire a DHCP lease (PXE or HTTP boot client), print it");
  sub->add_flag("--http", options->http, "Ask as a UEFI HTTP boot client (HTTPClient, arch 16)");
  sub->add_option("--proxy-wait", options->proxy_wait,
                  "Milliseconds to wait for more offers (ProxyDHCP) after the first")
      ->check(CLI::Range(0, 60000));
  sub->add_option("--guid", options->guid, "Client machine GUID for option 97, 32 hex digits");
  sub->add_option("--pxe-menu", options->pxe_menu,
                  "PXE boot menu item to boot (1-based); default: the first that is not local boot");
  net.on_command(sub, [options](NetApp& net) { return run_dhcp(net, *options); });
}

}  // namespace mpxe::host
