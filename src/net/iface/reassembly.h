// IPv4 fragment reassembly (RFC 791 3.2, "Reassembly") into buffers handed in
// once, at construction: the firmware sizes them when it starts and nothing is
// allocated per packet.
//
// A slot collects the fragments of one datagram, identified as RFC 791 says by
// "the identification, source, destination, and protocol fields". Which bytes
// have arrived is kept as RFC 791 keeps it, a bit table with one bit per
// 8-octet fragment block (its RCVBT), so the holes are exactly the clear bits.
//
// Rules, each with the reason a fragment is refused:
//   - every fragment but the last carries a multiple of 8 octets, and none is
//     empty (BadLength);
//   - no datagram ends past 65535 - 20 octets of payload (the "ping of death",
//     BadLength) or past the slot's buffer (TooBig);
//   - a fragment that overlaps data already held is a duplicate when it covers
//     only held blocks with the same bytes (dropped quietly, the datagram kept);
//     any other overlap discards the whole datagram (Overlap), since overlapping
//     fragments are how filters are evaded (RFC 1858) and no honest sender
//     produces them;
//   - two different ends, or data past the end, discard the datagram (BadValue);
//   - a new datagram when every slot is busy is refused (Exhausted);
//   - a datagram not complete kTimeout after its first fragment is discarded.
// Nothing is ever written outside the slot's buffer or bit table.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/result.h"
#include "net/wire/ipv4.h"

namespace mpxe::net {

class Reassembler {
 public:
  static constexpr size_t kMaxSlots = 4;
  // RFC 791 suggests 15 s for the initial timer; a boot client on one link
  // gives up on a datagram much sooner and frees the slot for the next.
  static constexpr Millis kTimeout = 5'000;
  // The largest payload an IPv4 datagram can carry: the total length is 16 bits,
  // the header at least 20 octets. A buffer this large takes any datagram.
  static constexpr size_t kMaxPayload = 0xFFFF - Ipv4Packet::kMinHeaderLen;

  struct Stats {
    uint32_t completed = 0;
    uint32_t duplicates = 0;  // fragments dropped as exact repeats
    uint32_t timed_out = 0;   // datagrams discarded incomplete
    uint32_t refused = 0;     // fragments refused (and datagrams discarded) with an error
  };

  // A finished datagram: the header of its first fragment, with payload_len the
  // whole payload and the fragment fields cleared, and the payload itself, which
  // stays valid until the next call to add().
  struct Datagram {
    bool complete = false;
    Ipv4Repr header;
    Bytes payload;
  };

  // One slot per buffer, at most kMaxSlots (buffers past that are not used).
  // A buffer of kMaxPayload bytes takes any datagram; smaller ones refuse larger
  // datagrams with TooBig. The buffers must outlive the reassembler.
  explicit Reassembler(Span<const MutableBytes> buffers);

  // Takes one fragment (a datagram with MF set or a non-zero offset; `header` as
  // Ipv4Repr::parse gave it, `payload` its bytes). Returns the whole datagram
  // once its last hole is filled, {complete = false} while holes remain, or why
  // the fragment was refused.
  Result<Datagram> add(const Ipv4Repr& header, Bytes payload, Millis now);

  // Discards datagrams whose time is up; returns how many.
  size_t expire(Millis now);
  // When the oldest incomplete datagram times out; kNever when none is held.
  Millis next_deadline() const;

  size_t slots() const { return slot_count_; }
  size_t in_use() const;
  const Stats& stats() const { return stats_; }

 private:
  static constexpr size_t kBlock = 8;
  static constexpr size_t kBitmapBytes = (kMaxPayload + kBlock - 1) / kBlock / 8 + 1;

  struct Slot {
    MutableBytes buffer;
    bool busy = false;
    bool last_seen = false;  // the fragment with MF clear has arrived
    Ipv4Address src;
    Ipv4Address dst;
    uint16_t ident = 0;
    uint8_t protocol = 0;
    Ipv4Repr header;         // of the fragment at offset 0, else of the first to arrive
    size_t total = 0;        // payload length, known once last_seen
    size_t received = 0;     // octets held (overlaps are refused, so no double count)
    size_t high = 0;         // end of the highest octet held
    Millis started = 0;
    uint8_t blocks[kBitmapBytes] = {};
  };

  Slot* find(const Ipv4Repr& header);
  Slot* claim(const Ipv4Repr& header, Millis now);
  void discard(Slot& slot);
  Result<Datagram> refuse(Slot* slot, Error error);

  Slot slots_[kMaxSlots];
  size_t slot_count_ = 0;
  Stats stats_;
};

}  // namespace mpxe::net
