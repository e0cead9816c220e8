// mpxe-net ping ADDR [-c COUNT] [-s SIZE] [-i SECONDS]: ICMP echo through our
// own stack, one line per reply, like ping(8). Exits 0 when any reply came.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "host/net/net_app.h"
#include "net/wire/ipv4_address.h"

namespace mpxe::host {
namespace {

struct PingOptions {
  std::string address;
  unsigned count = 4;
  unsigned size = 56;
  double interval = 1.0;
};

class PingSession final : public net::EchoListener {
 public:
  PingSession(NetApp& net, net::Ipv4Address target, uint16_t ident, Bytes data)
      : net_(net), target_(target), ident_(ident), data_(data.begin(), data.end()) {}

  void on_echo_reply(net::Ipv4Address from, uint16_t ident, uint16_t seq, Bytes data,
                     net::Millis) override {
    if (ident != ident_ || from != target_) return;
    auto sent = sent_at_.find(seq);
    if (sent == sent_at_.end()) return;
    bool duplicate = !replied_.insert(seq).second;
    bool intact = std::equal(data.begin(), data.end(), data_.begin(), data_.end());
    double ms = static_cast<double>(net_.clock.steady_micros() - sent->second) / 1000.0;
    char from_text[16];
    from.format(from_text, sizeof from_text);
    printf("%zu bytes from %s: icmp_seq=%u time=%.3f ms%s%s\n", data.size() + 8, from_text, seq,
           ms, duplicate ? " (DUP!)" : "", intact ? "" : " (wrong data)");
    fflush(stdout);
  }

  // Sends request `seq`, retrying while the next hop's MAC is being resolved
  // until `give_up`. False when it could not go out.
  bool send(uint16_t seq, net::Millis give_up) {
    net::Result<void> status = net::Error(net::Layer::Iface, net::Errc::WouldBlock);
    uint64_t started = 0;
    bool sent = net_.run_until(
        [&] {
          started = net_.clock.steady_micros();
          // The reply may be handled before send_ping() returns (the next poll
          // runs first, but be safe): note the time before.
          sent_at_[seq] = started;
          status = net_.iface().send_ping(target_, ident_, seq, Bytes(data_.data(), data_.size()));
          if (!status) sent_at_.erase(seq);
          return status.ok() || status.error().reason() != net::Errc::WouldBlock;
        },
        give_up);
    if (sent && status.ok()) return true;
    char text[64];
    net::error_format(status.error(), text, sizeof text);
    printf("icmp_seq=%u not sent: %s\n", seq, text);
    fflush(stdout);
    return false;
  }

  size_t transmitted() const { return sent_at_.size(); }
  size_t received() const { return replied_.size(); }

 private:
  NetApp& net_;
  net::Ipv4Address target_;
  uint16_t ident_;
  std::vector<uint8_t> data_;
  std::map<uint16_t, uint64_t> sent_at_;
  std::set<uint16_t> replied_;
};

int run_ping(NetApp& net, const PingOptions& options) {
  auto target = net::Ipv4Address::parse(options.address.c_str());
  if (!target) {
    fprintf(stderr, "mpxe-net ping: %s: expected A.B.C.D\n", options.address.c_str());
    return NetApp::kExitUsage;
  }
  std::vector<uint8_t> data(options.size);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i);
  auto ident = static_cast<uint16_t>(net.random.next_u32());
  PingSession session(net, target.value(), ident, Bytes(data.data(), data.size()));
  net.iface().set_echo_listener(&session);

  printf("PING %s: %u data bytes\n", options.address.c_str(), options.size);
  const net::Millis deadline = net.deadline();
  const auto interval = static_cast<net::Millis>(options.interval * 1000.0);
  net::Millis next_send = net.now();
  for (unsigned i = 0; i < options.count && net.now() < deadline; ++i) {
    auto seq = static_cast<uint16_t>(i + 1);
    net.run_until([] { return false; }, std::min(next_send, deadline));
    next_send += interval;
    session.send(seq, std::min(next_send, deadline));
  }
  // The last request gets a full interval (at least a second) to be answered.
  net.run_until([&] { return session.received() >= session.transmitted(); },
                std::min(net.now() + std::max<net::Millis>(interval, 1000), deadline));
  net.iface().set_echo_listener(nullptr);

  size_t sent = session.transmitted(), got = session.received();
  printf("--- %s ping statistics ---\n", options.address.c_str());
  printf("%zu packets transmitted, %zu received, %.0f%% packet loss\n", sent, got,
         sent == 0 ? 100.0 : 100.0 * static_cast<double>(sent - std::min(got, sent)) / static_cast<double>(sent));
  return got > 0 ? 0 : NetApp::kExitFailed;
}

}  // namespace

void add_ping_command(CLI::App& app, NetApp& net) {
  auto options = std::make_shared<PingOptions>();
  CLI::App* sub = app.add_subcommand("ping", "Send ICMP echo requests, print the replies");
  sub->add_option("address", options->address, "Address to ping, A.B.C.D")->required();
  sub->add_option("-c,--count", options->count, "Number of requests")->check(CLI::Range(1, 65535));
  sub->add_option("-s,--size", options->size, "Data bytes per request")
      ->check(CLI::Range(0, 1472));
  sub->add_option("-i,--interval", options->interval, "Seconds between requests")
      ->check(CLI::PositiveNumber);
  net.on_command(sub, [options](NetApp& net) { return run_ping(net, *options); });
}

}  // namespace mpxe::host
