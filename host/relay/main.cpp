// mpxe-relay: a lossy link in user space between two Linux interfaces (a TAP
// and a veth, say), for testing real servers across a bad link in both
// directions where the kernel has no netem. Every frame received on one leg is
// sent out of the other, through the fault injector's decisions, seeded.
//
//   mpxe-relay tap0 vrelay --drop 20 --dup 10 --reorder 50 --corrupt 5 --seed 7
//   mpxe-relay tap0 vrelay --b-to-a-drop 100 --stats-every 5
//
// Counters per direction go to stdout on SIGTERM or SIGINT (then it exits 0),
// on SIGUSR1, and every --stats-every seconds.
#include <stdio.h>

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "host/relay/packet_leg.h"
#include "host/relay/relay.h"

namespace {

using mpxe::phy::FaultRates;

// --drop and the like for both directions, --a-to-b-drop and the like for one.
struct RateOptions {
  uint16_t both[4] = {};
  std::optional<uint16_t> a_to_b[4];
  std::optional<uint16_t> b_to_a[4];

  static FaultRates rates(const uint16_t (&both)[4], const std::optional<uint16_t> (&one)[4]) {
    uint16_t r[4];
    for (int i = 0; i < 4; ++i) r[i] = one[i].value_or(both[i]);
    return FaultRates{r[0], r[1], r[2], r[3]};
  }
};

constexpr const char* kFaultNames[4] = {"drop", "dup", "reorder", "corrupt"};
constexpr const char* kFaultHelp[4] = {"Frames lost", "Frames delivered twice",
                                       "Frames sent after the next one",
                                       "Frames with one bit flipped"};

void print_rates(const char* label, const FaultRates& r) {
  printf("%s drop %u, dup %u, reorder %u, corrupt %u per mille\n", label, r.drop, r.duplicate,
         r.reorder, r.corrupt);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mpxe-relay: a seeded lossy link between two interfaces", "mpxe-relay"};
  std::string leg_a, leg_b;
  RateOptions rates;
  mpxe::host::RelaySettings settings;
  app.add_option("leg-a", leg_a, "Interface of leg A (e.g. the client's TAP)")->required();
  app.add_option("leg-b", leg_b, "Interface of leg B (e.g. a veth to the servers)")->required();
  for (int i = 0; i < 4; ++i) {
    std::string name = kFaultNames[i];
    std::string help = kFaultHelp[i];
    app.add_option("--" + name, rates.both[i], help + ", per mille, both directions")
        ->check(CLI::Range(0, 1000));
    std::string overrides = " (overrides --" + name + ")";
    app.add_option("--a-to-b-" + name, rates.a_to_b[i], help + " from A to B" + overrides)
        ->check(CLI::Range(0, 1000));
    app.add_option("--b-to-a-" + name, rates.b_to_a[i], help + " from B to A" + overrides)
        ->check(CLI::Range(0, 1000));
  }
  app.add_flag("--corrupt-any", settings.corrupt_any,
               "Corrupt frames of any kind; by default only IP ones (a flipped bit in ARP, "
               "which has no checksum, poisons a cache instead of testing a receiver)");
  app.add_option("--seed", settings.seed, "Seed of the fault decisions (replays a run's faults)");
  app.add_option("--hold-ms", settings.hold_ms,
                 "Longest a frame held for reordering waits for its neighbour")
      ->check(CLI::Range(0, 10'000));
  app.add_option("--stats-every", settings.stats_every_s, "Print the counters every S seconds")
      ->check(CLI::Range(0.0, 86'400.0));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);
    return status == 0 ? 0 : 2;
  }
  settings.a_to_b = RateOptions::rates(rates.both, rates.a_to_b);
  settings.b_to_a = RateOptions::rates(rates.both, rates.b_to_a);
  if (leg_a == leg_b) {
    fprintf(stderr, "mpxe-relay: the two legs must be different interfaces\n");
    return 2;
  }

  std::string error;
  auto a = mpxe::host::PacketLeg::open(leg_a, error);
  auto b = a ? mpxe::host::PacketLeg::open(leg_b, error) : nullptr;
  if (!a || !b) {
    fprintf(stderr, "mpxe-relay: %s\n", error.c_str());
    return 1;
  }
  mpxe::host::Relay relay(*a, *b, settings);
  printf("relay %s (mtu %u) <-> %s (mtu %u), seed %llu, hold %d ms\n", leg_a.c_str(),
         a->info().mtu, leg_b.c_str(), b->info().mtu,
         static_cast<unsigned long long>(settings.seed), settings.hold_ms);
  print_rates("a-to-b", settings.a_to_b);
  print_rates("b-to-a", settings.b_to_a);
  printf("ready\n");
  fflush(stdout);
  return relay.run(stdout) ? 0 : 1;
}
