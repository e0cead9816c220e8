// One retransmission phase of a request/reply exchange (DHCP, PXE boot server
// discovery): a bounded number of sends, each followed by a wait that doubles,
// every wait jittered by +-12.5% so a rack of machines powered on together does
// not send in step. The phase ends after its last wait, or at `end` however many
// sends the link refused: a refused send (ARP pending, ring full) is retried after
// `retry` ms without spending an attempt.
#pragma once

#include <stdint.h>

#include "net/clock.h"

namespace mpxe::net {

struct Backoff {
  enum class Step : uint8_t { Wait, Send, Over };

  Millis due = 0;          // next send (or, with no sends left, the give-up time)
  Millis timeout = 0;      // the un-jittered wait after the next send
  Millis end = kNever;     // the phase is over then
  uint8_t sends_left = 0;
  bool sent_once = false;  // at least one send went out in this phase

  // A phase whose first send is due at `now`. `end` allows the whole schedule
  // (first * (2^sends - 1)) with every wait at its longest jitter.
  static Backoff begin(Millis now, Millis first_timeout, uint8_t sends) {
    Backoff b;
    b.due = now;
    b.timeout = first_timeout;
    b.sends_left = sends;
    Millis total = first_timeout * ((Millis{1} << sends) - 1);
    b.end = saturating_add(now, total + total / 8);
    return b;
  }

  Step step(Millis now) const {
    if (now >= end) return Step::Over;
    if (now < due) return Step::Wait;
    return sends_left == 0 ? Step::Over : Step::Send;
  }

  // After a send went out.
  void sent(Millis now, Random& random) {
    sent_once = true;
    --sends_left;
    due = clamp(saturating_add(now, jittered(timeout, random)));
    timeout *= 2;
  }

  // After the link refused a send.
  void refused(Millis now, Millis retry) { due = clamp(saturating_add(now, retry)); }

  static Millis jittered(Millis timeout, Random& random) {
    // A random value of 0x80000000 gives exactly `timeout`.
    Millis span = timeout / 4;
    Millis offset = ((random.next_u32() >> 16) * span) >> 16;
    return timeout - span / 2 + offset;
  }

  static Millis saturating_add(Millis a, Millis b) { return a > kNever - b ? kNever : a + b; }

 private:
  Millis clamp(Millis t) const { return t > end ? end : t; }
};

}  // namespace mpxe::net
