// What an ordered byte stream delivers into: the placement interface TCP fills
// segment by segment and any stream over it (TLS) fills record by record.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

namespace mpxe::net {

// Offset 0 is the stream's first byte (over TCP, the first after the peer's SYN);
// offsets are 64-bit and never wrap.
class StreamReceiver {
 public:
  // Room for the bytes from `offset` on: at most `len` bytes, fewer where the
  // receiver's storage breaks, empty for none. Asked for in-order and out-of-order
  // data alike, always below stream_rx_limit().
  virtual MutableBytes stream_rx_space(uint64_t offset, size_t len) = 0;
  // The offset up to which (exclusive) the receiver takes bytes now: over TCP, the
  // right edge of the window we advertise (capped by TcpConfig::max_window).
  virtual uint64_t stream_rx_limit() const = 0;
  // Every byte before `end` is in place. `end` only grows.
  virtual void stream_rx_data(uint64_t end) = 0;
  // The peer will send nothing after `end`.
  virtual void stream_rx_fin(uint64_t end) = 0;

 protected:
  ~StreamReceiver() = default;
};

}  // namespace mpxe::net
