#include "host/net/net_app.h"

#include <poll.h>
#include <stdarg.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <climits>

#include "core/byte_ops.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/mac_address.h"

namespace mpxe::host {
namespace {

Bytes text_bytes(const std::string& s) {
  return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

bool parse_prefix(const std::string& text, net::Ipv4Address& address, net::Ipv4Address& mask) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  auto parsed = net::Ipv4Address::parse(text_bytes(text.substr(0, slash)));
  if (!parsed) return false;
  std::string bits = text.substr(slash + 1);
  if (bits.empty() || bits.size() > 2 ||
      !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  int n = std::stoi(bits);
  if (n > 32) return false;
  address = parsed.value();
  mask = net::Ipv4Address::from_u32(n == 0 ? 0 : ~uint32_t{0} << (32 - n));
  return true;
}

}  // namespace

NetApp::NetApp() = default;
NetApp::~NetApp() = default;

void NetApp::add_global_options(CLI::App& app) {
  app.add_option("--tap", options.tap, "TAP interface to attach to (created if absent)")
      ->required();
  app.add_option("--ip", options.ip, "Our address and prefix length, A.B.C.D/N");
  app.add_option("--gateway", options.gateway, "Default gateway, A.B.C.D");
  app.add_option("--mac", options.mac, "Our MAC address (default: random, locally administered)");
  app.add_option("--pcap", options.pcap, "Write every frame the stack sees and sends to FILE");
  app.add_option("--drop", options.drop, "Drop this many frames per mille, both ways")
      ->check(CLI::Range(0, 1000));
  app.add_option("--dup", options.duplicate, "Duplicate this many frames per mille, both ways")
      ->check(CLI::Range(0, 1000));
  app.add_option("--reorder", options.reorder, "Swap this many frames per mille with the next")
      ->check(CLI::Range(0, 1000));
  app.add_option("--corrupt", options.corrupt, "Flip a bit in this many frames per mille")
      ->check(CLI::Range(0, 1000));
  app.add_option("--faults-way", options.faults_way,
                 "Apply the faults to frames received (rx), sent (tx) or both")
      ->check(CLI::IsMember({"both", "rx", "tx"}));
  app.add_option("--seed", options.seed, "Seed of the fault injector (replays a run)");
  app.add_flag("--ipv6", options.ipv6,
               "Turn IPv6 on: SLAAC and router discovery settle before the command");
  app.add_option("--timeout", options.timeout, "Give up after this many seconds")
      ->check(CLI::PositiveNumber);
  app.add_flag("-v,--verbose", options.verbose, "Log what happens, print counters at the end");
}

void NetApp::on_command(CLI::App* sub, Command run) { commands_.emplace_back(sub, std::move(run)); }

int NetApp::run_selected() {
  for (auto& [sub, run] : commands_) {
    if (!sub->parsed()) continue;
    if (!open()) return kExitUsage;
    int status = run(*this);
    if (pcap_file_) pcap_file_->flush();
    if (options.verbose) print_counters(stderr);
    return status;
  }
  fprintf(stderr, "mpxe-net: no command given (try --help)\n");
  return kExitUsage;
}

bool NetApp::parse_config(net::Ipv4Config& config, uint8_t (&mac)[6]) {
  if (!options.ip.empty() && !parse_prefix(options.ip, config.address, config.netmask)) {
    fprintf(stderr, "mpxe-net: --ip %s: expected A.B.C.D/N\n", options.ip.c_str());
    return false;
  }
  if (!options.gateway.empty()) {
    auto gateway = net::Ipv4Address::parse(text_bytes(options.gateway));
    if (!gateway) {
      fprintf(stderr, "mpxe-net: --gateway %s: expected A.B.C.D\n", options.gateway.c_str());
      return false;
    }
    config.gateway = gateway.value();
  }
  net::MacAddress address;
  if (!options.mac.empty()) {
    auto parsed = net::MacAddress::parse(text_bytes(options.mac));
    if (!parsed || !parsed.value().is_unicast()) {
      fprintf(stderr, "mpxe-net: --mac %s: expected a unicast xx:xx:xx:xx:xx:xx\n",
              options.mac.c_str());
      return false;
    }
    address = parsed.value();
  } else {
    for (uint8_t& octet : address.octets) octet = static_cast<uint8_t>(random.next_u32());
    address.octets[0] = static_cast<uint8_t>((address.octets[0] & 0xFC) | 0x02);  // local, unicast
  }
  address.write(mac);
  return true;
}

bool NetApp::open() {
  net::Ipv4Config config;
  uint8_t mac[6];
  if (!parse_config(config, mac)) return false;

  std::string error;
  tap_ = TapDevice::open(options.tap, mac, error);
  if (!tap_) {
    fprintf(stderr, "mpxe-net: %s\n", error.c_str());
    return false;
  }
  phy::FaultRates rates{options.drop, options.duplicate, options.reorder, options.corrupt};
  phy::FaultRates none;
  faults_ = std::make_unique<phy::FaultInjector>(*tap_, options.seed,
                                                 options.faults_way == "tx" ? none : rates,
                                                 options.faults_way == "rx" ? none : rates);
  top_ = faults_.get();
  if (!options.pcap.empty()) {
    pcap_file_ = std::make_unique<FileSink>();
    if (!pcap_file_->open(options.pcap)) {
      fprintf(stderr, "mpxe-net: --pcap %s: cannot create\n", options.pcap.c_str());
      return false;
    }
    pcap_ = std::make_unique<phy::PcapWriter>(*top_, *pcap_file_, clock);
    top_ = pcap_.get();
  }

  // Sized once, as the firmware would: any datagram up to 64 KiB reassembles.
  reassembly_storage_.assign(net::Reassembler::kMaxSlots,
                             std::vector<uint8_t>(net::Reassembler::kMaxPayload));
  reassembly_buffers_.clear();
  for (auto& storage : reassembly_storage_)
    reassembly_buffers_.emplace_back(storage.data(), storage.size());
  iface_ = std::make_unique<net::Interface>(
      *top_, Span<const MutableBytes>(reassembly_buffers_.data(), reassembly_buffers_.size()));
  iface_->set_ipv4(config);
  iface_->set_random(random);  // TCP's ephemeral ports and ISN secret

  char mac_text[18], ip_text[16];
  iface_->mac().format(mac_text, sizeof mac_text);
  config.address.format(ip_text, sizeof ip_text);
  log("attached to %s as %s, %s, mtu %u, fault seed %llu", tap_->name().c_str(), mac_text,
      config.configured() ? ip_text : "unconfigured", iface_->mtu(),
      static_cast<unsigned long long>(options.seed));
  if (config.configured()) {
    iface_->poll(now());
    (void)iface_->announce();
  }
  if (options.ipv6 && !start_ipv6()) return false;
  return true;
}

namespace {

std::string text6(const net::Ipv6Address& address) {
  char out[net::Ipv6Address::kMaxTextLen + 1];
  address.format(out, sizeof out);
  return out;
}

}  // namespace

bool NetApp::start_ipv6() {
  const net::Millis start = now();
  iface_->enable_ipv6(start);
  const net::Slaac& slaac = iface_->slaac();
  auto settled = [&] {
    if (slaac.failure() != net::SlaacFailure::None) return true;
    if (!slaac.link_local_ready()) return false;
    if (!slaac.ra_received() && !slaac.routers_settled(now())) return false;
    for (size_t i = 0; i < net::Slaac::kMaxAddresses; ++i)
      if (slaac.address(i).dad_running()) return false;
    return true;
  };
  bool done = run_until(settled, deadline());
  if (slaac.failure() != net::SlaacFailure::None) {
    fprintf(stderr, "mpxe-net: ipv6: %s\n", net::slaac_failure_text(slaac.failure()));
    return false;
  }
  if (!done) {
    fprintf(stderr, "mpxe-net: ipv6: SLAAC did not settle within --timeout\n");
    return false;
  }
  log("ipv6: settled in %.3f s: %s, link-local %s", static_cast<double>(now() - start) / 1000.0,
      slaac.ra_received() ? "router advertisement taken" : "no router answered",
      text6(slaac.link_local()).c_str());
  return true;
}

void NetApp::print_ipv6(FILE* out) const {
  if (!iface_ || !iface_->ipv6_enabled()) return;
  const net::Slaac& slaac = iface_->slaac();
  net::Millis t = now();
  fprintf(out, "link-local: %s\n", text6(slaac.link_local()).c_str());
  for (size_t i = 1; i < net::Slaac::kDhcpv6Slot; ++i) {
    const net::SlaacAddress& a = slaac.address(i);
    if (a.state == net::SlaacAddressState::Empty) continue;
    fprintf(out, "slaac: %s %s\n", text6(a.address).c_str(), net::slaac_address_state_text(a.state));
  }
  net::Ipv6Address router;
  if (slaac.default_router(t, router)) fprintf(out, "router: %s\n", text6(router).c_str());
  fprintf(out, "ra: %s, managed %d, other %d, mtu %u\n", slaac.ra_received() ? "yes" : "no",
          slaac.managed() ? 1 : 0, slaac.other_config() ? 1 : 0, slaac.mtu());
  net::Ipv6Address dns[net::Slaac::kMaxDnsServers];
  size_t n = slaac.dns_servers(t, dns, net::Slaac::kMaxDnsServers);
  for (size_t i = 0; i < n; ++i) fprintf(out, "rdnss: %s\n", text6(dns[i]).c_str());
}

net::Millis NetApp::deadline() const {
  return now() + static_cast<net::Millis>(options.timeout * 1000.0);
}

bool NetApp::run_until(const std::function<bool()>& done, net::Millis deadline,
                       const std::function<net::Millis(net::Millis)>& step) {
  for (;;) {
    net::Millis now = clock.now_ms();
    size_t handled = iface_->poll(now);
    net::Millis wake = deadline;
    if (step) wake = std::min(wake, step(now));
    if (done()) return true;
    now = clock.now_ms();
    if (now >= deadline) return false;
    // More frames than one batch, or frames the fault injector holds: go again.
    if (handled == net::Interface::kRxBatch || faults_->has_pending()) continue;
    wake = std::min(wake, iface_->next_deadline());
    int timeout_ms = wake <= now ? 0 : static_cast<int>(std::min<net::Millis>(wake - now, INT_MAX));
    struct pollfd pfd {tap_->fd(), POLLIN, 0};
    ::poll(&pfd, 1, timeout_ms);  // EINTR and errors: just go round again
  }
}

void NetApp::log(const char* format, ...) {
  if (!options.verbose) return;
  fprintf(stderr, "[%8.3f] ", static_cast<double>(clock.now_ms()) / 1000.0);
  va_list args;
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  fputc('\n', stderr);
}

void NetApp::print_counters(FILE* out) const {
  if (!iface_) return;
  const net::InterfaceCounters& c = iface_->counters();
  fprintf(out, "iface: rx %llu frames %llu bytes, tx %llu frames %llu bytes, tx full %u\n",
          static_cast<unsigned long long>(c.rx_frames), static_cast<unsigned long long>(c.rx_bytes),
          static_cast<unsigned long long>(c.tx_frames), static_cast<unsigned long long>(c.tx_bytes),
          c.tx_full);
  fprintf(out, "iface: arp requests %u, arp replies %u, echo replies %u, icmp errors %u, tcp resets %u\n",
          c.arp_requests, c.arp_replies, c.echo_replies, c.icmp_errors, c.tcp_resets);
  for (size_t i = 0; i < net::kDropReasons; ++i)
    if (c.drops[i] != 0)
      fprintf(out, "iface: dropped %u: %s\n", c.drops[i], net::drop_text(static_cast<net::Drop>(i)));
  if (c.last_drop_error.is_error()) {
    char text[64];
    net::error_format(c.last_drop_error, text, sizeof text);
    fprintf(out, "iface: last drop error: %s\n", text);
  }
  const net::Reassembler::Stats& r = iface_->reassembler().stats();
  if (r.completed || r.duplicates || r.timed_out || r.refused)
    fprintf(out, "reassembly: %u completed, %u duplicate fragments, %u timed out, %u refused\n",
            r.completed, r.duplicates, r.timed_out, r.refused);
  for (int dir = 0; dir < 2; ++dir) {
    const phy::FaultCounters& f = dir == 0 ? faults_->rx_counters() : faults_->tx_counters();
    fprintf(out,
            "faults %s: %llu frames, %u dropped, %u duplicated, %u reordered, %u corrupted, "
            "%u skipped\n",
            dir == 0 ? "rx" : "tx", static_cast<unsigned long long>(f.frames), f.dropped,
            f.duplicated, f.reordered, f.corrupted, f.skipped);
  }
  if (pcap_)
    fprintf(out, "pcap: %llu records, %u write errors\n",
            static_cast<unsigned long long>(pcap_->counters().records),
            pcap_->counters().write_errors);
}

}  // namespace mpxe::host
