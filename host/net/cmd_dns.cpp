// mpxe-net dns NAME... [--server ADDRESS]... [--port N] [--family 4|6|any [--prefer 4|6]]
//
// Resolves each NAME to its addresses (A records; AAAA with --family 6, both
// with any, the --prefer family first) with our stub resolver
// (src/net/socket/dns_resolver.h), one after the other and sharing its cache, and
// prints one line for each:
//
//   www.mpxe.test: 10.77.0.1 (cname boot.mpxe.test, ttl 300 s, server 10.77.0.1) in 1.2 ms
//   www.mpxe.test: 10.77.0.1 (cname boot.mpxe.test, ttl 300 s, cache) in 0.0 ms
//   10.1.2.3: 10.1.2.3 (literal) in 0.0 ms
//   dual.mpxe.test: fd00::7 10.77.0.7 (ttl 300 s, server 10.77.0.1) in 1.9 ms
//   nope.mpxe.test: failed: name does not exist (NXDOMAIN) in 0.9 ms
//
// A server may be IPv6 (the stack's IPv6 side must be on). The servers come from --server, or else from a DHCP lease (option 6), which is
// acquired first when the stack has no address (no --ip), and printed:
//
//   lease: 10.77.0.42 from 10.77.0.1 in 0.013 s
//   dns-servers: 10.77.0.1
//
// The time of a line runs from start() to the answer. Exits 0 when every name
// resolved, 1 when one did not (or no lease came), 2 for bad usage.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "host/net/net_app.h"
#include "net/socket/dhcp_client.h"
#include "net/socket/dns_resolver.h"
#include "net/wire/ip_address.h"

namespace mpxe::host {
namespace {

struct DnsOptions {
  std::vector<std::string> names;
  std::vector<std::string> servers;
  uint16_t port = net::kDnsServerPort;
  std::string family = "4";
  std::string prefer = "6";  // RFC 6724's default order puts IPv6 first
};

std::string text(net::IpAddress address) {
  char out[net::IpAddress::kMaxTextLen + 1];
  address.format(out, sizeof out);
  return out;
}

std::string text(const net::DnsName& name) {
  char out[256];
  name.format(out, sizeof out);
  return out;
}

Bytes bytes(const std::string& s) {
  return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// A lease, through the DHCP client, with the interface configured from it (as
// `mpxe-net dhcp` does, without waiting for ProxyDHCP offers).
bool acquire_lease(NetApp& net, net::DhcpLease& out) {
  net::DhcpConfig config;
  config.mac = net.iface().mac();
  config.offer_wait = 0;
  // ~10 KiB of packets: on the heap here, where the firmware keeps it in its NIC context.
  auto client = std::make_unique<net::DhcpClient>(config, net.random);
  if (!net.iface().bind(net::kDhcpClientPort, *client)) {
    fprintf(stderr, "mpxe-net dns: cannot bind port 68\n");
    return false;
  }
  const net::Millis start = net.now();
  client->start(start);
  bool configured = false;
  bool done = net.run_until(
      [&] { return client->done(); }, net.deadline(),
      [&](net::Millis now) {
        if (client->has_address() && !configured) {
          const net::DhcpLease& lease = client->lease();
          net::Ipv4Config ip;
          ip.address = lease.address;
          ip.netmask = lease.subnet_mask.is_unspecified() ? net::Ipv4Address::of(255, 255, 255, 0)
                                                          : lease.subnet_mask;
          ip.gateway = lease.router_count != 0 ? lease.routers[0] : net::Ipv4Address();
          net.iface().set_ipv4(ip);
          (void)net.iface().announce();
          configured = true;
        }
        client->poll(now, net.iface());
        return client->next_deadline();
      });
  net.iface().unbind(net::kDhcpClientPort);
  if (!done || client->state() != net::DhcpState::Bound) {
    printf("dhcp: failed: %s\n", done ? net::dhcp_failure_text(client->failure())
                                      : "no lease within --timeout");
    return false;
  }
  out = client->lease();
  printf("lease: %s from %s in %.3f s\n", text(out.address).c_str(), text(out.server_id).c_str(),
         static_cast<double>(client->timeline().finished - start) / 1000.0);
  return true;
}

// One NAME: a fresh random port for each lookup (RFC 5452), bound only while it runs.
bool resolve(NetApp& net, net::DnsResolver& resolver, const std::string& name,
             net::DnsFamily family) {
  auto port = net.iface().allocate_port(net.random);
  if (!port || !net.iface().bind(port.value(), resolver)) {
    fprintf(stderr, "mpxe-net dns: no free local port\n");
    return false;
  }
  const uint64_t started = net.clock.steady_micros();
  uint64_t finished = 0;
  net::Result<void> status = resolver.start(bytes(name), port.value(), net.now(), family);
  if (!status) {
    net.iface().unbind(port.value());
    char error[64];
    net::error_format(status.error(), error, sizeof error);
    printf("%s: failed: %s\n", name.c_str(), error);
    return false;
  }
  net.log("dns: %s (%s), id %04x, port %u", name.c_str(), net::dns_family_text(family),
          resolver.query_id(), port.value());
  net.run_until(
      [&] {
        if (finished == 0 && resolver.done()) finished = net.clock.steady_micros();
        return resolver.done();
      },
      net.deadline(),
      [&](net::Millis now) {
        resolver.poll(now, net.iface());
        return resolver.next_deadline();
      });
  net.iface().unbind(port.value());
  if (!resolver.done()) {
    resolver.cancel(net.now());
    printf("%s: failed: no answer within --timeout\n", name.c_str());
    return false;
  }
  double ms = static_cast<double>(finished - started) / 1000.0;
  if (resolver.state() == net::DnsResolverState::Failed) {
    printf("%s: failed: %s", name.c_str(), net::dns_failure_text(resolver.failure(), family));
    if (resolver.failure() == net::DnsFailure::ServerError) printf(" %u", resolver.rcode());
    printf(" in %.1f ms\n", ms);
    return false;
  }
  const net::DnsAnswer& answer = resolver.answer();
  std::string addresses;
  for (size_t i = 0; i < answer.count; ++i) addresses += (i ? " " : "") + text(answer.addresses[i]);
  std::string how;
  if (answer.is_alias()) how += "cname " + text(answer.canonical) + ", ";
  switch (answer.source) {
    case net::DnsSource::Literal: how = "literal"; break;
    case net::DnsSource::Cache: how += "ttl " + std::to_string(answer.ttl_s) + " s, cache"; break;
    case net::DnsSource::Server:
      how += "ttl " + std::to_string(answer.ttl_s) + " s, server " + text(answer.server);
      break;
    case net::DnsSource::None: how += "?"; break;
  }
  printf("%s: %s (%s) in %.1f ms\n", name.c_str(), addresses.c_str(), how.c_str(), ms);
  return true;
}

void print_stats(const net::DnsResolver& resolver) {
  const net::DnsStats& s = resolver.stats();
  fprintf(stderr,
          "dns: %u queries (%u retransmitted, %u refused by the stack); %u datagrams, %u taken; "
          "cache %u hits, %u misses; %u literals\n",
          s.queries, s.retransmits, s.send_failures, s.received, s.accepted, s.cache_hits,
          s.cache_misses, s.literals);
  for (size_t i = 0; i < net::kDnsDropReasons; ++i)
    if (s.dropped[i] != 0)
      fprintf(stderr, "dns: dropped %u: %s\n", s.dropped[i],
              net::dns_drop_text(static_cast<net::DnsDrop>(i)));
  if (s.last_error.is_error()) {
    char error[64];
    net::error_format(s.last_error, error, sizeof error);
    fprintf(stderr, "dns: last malformed: %s\n", error);
  }
}

int run_dns(NetApp& net, const DnsOptions& options) {
  const net::DnsFamily family = options.family == "4"   ? net::DnsFamily::V4
                                : options.family == "6" ? net::DnsFamily::V6
                                : options.prefer == "4" ? net::DnsFamily::PreferV4
                                                        : net::DnsFamily::PreferV6;
  std::vector<net::IpAddress> servers;
  for (const std::string& s : options.servers) {
    auto parsed = net::IpAddress::parse(s.c_str());
    if (!parsed) {
      fprintf(stderr, "mpxe-net dns: --server %s: expected A.B.C.D or an IPv6 address\n", s.c_str());
      return NetApp::kExitUsage;
    }
    if (parsed.value().is_v6() && !net.iface().ipv6_enabled()) {
      fprintf(stderr, "mpxe-net dns: --server %s: the stack's IPv6 side is off\n", s.c_str());
      return NetApp::kExitUsage;
    }
    servers.push_back(parsed.value());
  }
  if (net.iface().ipv4().configured() && servers.empty()) {
    fprintf(stderr, "mpxe-net dns: give --server, or leave out --ip to take the servers from DHCP\n");
    return NetApp::kExitUsage;
  }
  if (!net.iface().ipv4().configured()) {
    net::DhcpLease lease;
    if (!acquire_lease(net, lease)) return NetApp::kExitFailed;
    if (servers.empty())
      for (uint8_t i = 0; i < lease.dns_server_count; ++i) servers.push_back(lease.dns_servers[i]);
  }

  net::DnsResolverConfig config;
  config.set_servers(servers.data(), servers.size());
  config.server_port = options.port;
  std::string list;
  for (size_t i = 0; i < config.server_count; ++i) list += (i ? " " : "") + text(config.servers[i]);
  printf("dns-servers: %s\n", list.c_str());
  fflush(stdout);

  auto resolver = std::make_unique<net::DnsResolver>(config, net.random);
  bool all = true;
  for (const std::string& name : options.names) {
    all = resolve(net, *resolver, name, family) && all;
    fflush(stdout);
  }
  if (net.options.verbose) print_stats(*resolver);
  return all ? 0 : NetApp::kExitFailed;
}

}  // namespace

void add_dns_command(CLI::App& app, NetApp& net) {
  auto options = std::make_shared<DnsOptions>();
  CLI::App* sub = app.add_subcommand(
      "dns", "Resolve names to IP addresses (A and AAAA records); DHCP first unless --ip is given");
  sub->add_option("names", options->names, "Names (or address literals) to resolve, in order")
      ->required();
  sub->add_option("--server", options->servers,
                  "DNS server, A.B.C.D or IPv6 (repeat for more; default: DHCP option 6)");
  sub->add_option("--family", options->family,
                  "Records to ask for: 4 (A, the default), 6 (AAAA) or any (both)")
      ->check(CLI::IsMember({"4", "6", "any"}));
  sub->add_option("--prefer", options->prefer,
                  "With --family any: which family's query goes first and leads the answer "
                  "(default 6)")
      ->check(CLI::IsMember({"4", "6"}));
  sub->add_option("--port", options->port, "DNS server port")->check(CLI::Range(1, 65535));
  net.on_command(sub, [options](NetApp& net) { return run_dns(net, *options); });
}

}  // namespace mpxe::host
