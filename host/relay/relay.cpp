#include "host/relay/relay.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

namespace mpxe::host {
namespace {

// Frames taken from one leg before the other gets its turn.
constexpr int kBatch = 64;

int64_t monotonic_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace

Relay::Direction::Direction(const char* label, PacketLeg& from, PacketLeg& to, uint64_t seed,
                            phy::FaultRates rates)
    : label(label), from(from), to(to), hold(PacketLeg::kMaxFrame),
      scratch(PacketLeg::kMaxFrame),
      line(seed, rates, MutableBytes(hold.data(), hold.size()),
           MutableBytes(scratch.data(), scratch.size())) {}

Relay::Relay(PacketLeg& a, PacketLeg& b, const RelaySettings& settings)
    : settings_(settings),
      a_to_b_("a-to-b", a, b, a_to_b_seed(settings.seed), settings.a_to_b),
      b_to_a_("b-to-a", b, a, b_to_a_seed(settings.seed), settings.b_to_a) {}

void Relay::forward(Direction& d, int64_t now_ms) {
  phy::RxFrame frame;
  for (int i = 0; i < kBatch && d.from.receive(frame); ++i) {
    bool was_holding = d.line.holding();
    Bytes bytes(frame.data, frame.size);
    bool may_corrupt = settings_.corrupt_any || phy::receiver_checks(bytes);
    (void)d.line.pass(bytes, d.to, may_corrupt);  // a leg never refuses
    d.from.release(frame);
    if (!was_holding && d.line.holding()) d.held_since_ms = now_ms;
  }
}

void Relay::release_overdue(Direction& d, int64_t now_ms) {
  if (!d.line.holding() || now_ms < d.held_since_ms + settings_.hold_ms) return;
  (void)d.line.release_held(d.to);
  ++d.released_late;
}

bool Relay::run(FILE* out) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  if (sigprocmask(SIG_BLOCK, &signals, nullptr) != 0) return false;
  int sigfd = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0) {
    fprintf(stderr, "mpxe-relay: signalfd: %s\n", strerror(errno));
    return false;
  }
  const int64_t stats_every_ms = static_cast<int64_t>(settings_.stats_every_s * 1000.0);
  int64_t next_stats = stats_every_ms > 0 ? monotonic_ms() + stats_every_ms : INT64_MAX;
  for (;;) {
    int64_t now = monotonic_ms();
    release_overdue(a_to_b_, now);
    release_overdue(b_to_a_, now);
    if (now >= next_stats) {
      print_stats(out);
      next_stats = now + stats_every_ms;
    }
    int64_t wake = next_stats;
    for (Direction* d : {&a_to_b_, &b_to_a_})
      if (d->line.holding()) wake = std::min(wake, d->held_since_ms + settings_.hold_ms);
    int timeout =
        wake == INT64_MAX ? -1 : static_cast<int>(std::clamp<int64_t>(wake - now, 0, 60'000));
    struct pollfd fds[3] = {{a_to_b_.from.fd(), POLLIN, 0},
                            {b_to_a_.from.fd(), POLLIN, 0},
                            {sigfd, POLLIN, 0}};
    if (::poll(fds, 3, timeout) < 0 && errno != EINTR) {
      fprintf(stderr, "mpxe-relay: poll: %s\n", strerror(errno));
      break;
    }
    if ((fds[2].revents & POLLIN) != 0) {
      struct signalfd_siginfo info;
      bool stop = false;
      while (::read(sigfd, &info, sizeof info) == sizeof info)
        if (info.ssi_signo != SIGUSR1) stop = true;
      if (stop) break;
      print_stats(out);
    }
    now = monotonic_ms();
    // Not only POLLIN: a socket error (the interface went down) is read and
    // cleared by the receive, or poll() would report it again at once.
    if (fds[0].revents != 0) forward(a_to_b_, now);
    if (fds[1].revents != 0) forward(b_to_a_, now);
  }
  // Whatever is still held goes out: stopping the relay loses no frame.
  (void)a_to_b_.line.release_held(a_to_b_.to);
  (void)b_to_a_.line.release_held(b_to_a_.to);
  print_stats(out);
  ::close(sigfd);
  return true;
}

void Relay::print_stats(FILE* out) {
  for (Direction* d : {&a_to_b_, &b_to_a_}) {
    d->from.update_kernel_drops();
    const phy::FaultCounters& f = d->line.counters();
    const LegCounters& in = d->from.counters();
    const LegCounters& sent = d->to.counters();
    fprintf(out,
            "%s %s -> %s: in %llu, out %llu, dropped %u, duplicated %u, reordered %u, "
            "corrupted %u, spared %u, skipped %u, released-late %llu, send-errors %llu, "
            "truncated %llu, checksum-partial %llu, kernel-drops %llu\n",
            d->label, d->from.name().c_str(), d->to.name().c_str(),
            static_cast<unsigned long long>(f.frames), static_cast<unsigned long long>(sent.sent),
            f.dropped, f.duplicated, f.reordered, f.corrupted, f.spared, f.skipped,
            static_cast<unsigned long long>(d->released_late),
            static_cast<unsigned long long>(sent.send_errors),
            static_cast<unsigned long long>(in.truncated),
            static_cast<unsigned long long>(in.checksum_partial),
            static_cast<unsigned long long>(in.kernel_drops));
  }
  fflush(out);
}

}  // namespace mpxe::host
