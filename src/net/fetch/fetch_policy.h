// How a download is spread over connections: one policy for the option ROM and
// for mpxe-net (the ROM's values are the defaults; the host tool may override
// the chunk and the window from its command line).
#pragma once

#include <stdint.h>

#include "net/clock.h"

namespace mpxe::net {

struct FetchPolicy {
  // Each range gets at least this much; smaller resources go over fewer
  // connections, down to one.
  uint64_t min_range = uint64_t{1} << 20;
  // Several connections take the resource in chunks of this size, each free one
  // the next chunk in order (0: one range per connection).
  uint64_t chunk = uint64_t{4} << 20;
  // The receive window all connections share: enough to keep QEMU's user network
  // or a LAN server busy, small enough for the NIC's receive ring to absorb.
  uint32_t window_budget = uint32_t{1} << 20;
  // A cap on each connection's window (0: none), for connections run where a
  // bounded ring feeds them (src/mp/http_shards.h).
  uint32_t max_window = 0;
  // A request fails when nothing arrives for this long, when its head is not in
  // head_ms after it went out, or when less than min_rate bytes a second arrive
  // over rate_window_ms (HttpGetRequest says why these never trip on an honest
  // slow link).
  Millis stall_ms = 20000;
  Millis head_ms = 30000;
  uint32_t min_rate = 1024;
  Millis rate_window_ms = 20000;
  // A chunk cut short (the server closed, reset, stalled, was too slow) is asked
  // again from where it stopped at most this many times, the first after
  // resume_backoff_ms and each next after twice as long. Without ranges the
  // whole resource is asked again once.
  uint32_t max_resumes = 3;
  Millis resume_backoff_ms = 500;
  // The whole download fails when no connection brings a byte for this long,
  // whatever each is doing (reconnecting and backing off included).
  Millis download_stall_ms = 60000;
  // ... and when all of them together bring fewer than download_min_rate bytes a
  // second over download_rate_window_ms (0: no such rule). A server can keep each
  // connection just above min_rate for hours; a 64 kbit/s line, the slowest a
  // boot is taken over, still moves nearly twice this.
  uint32_t download_min_rate = 4096;
  Millis download_rate_window_ms = 60000;
  // Once every chunk is taken, a connection that has finished takes the rest of a
  // slower one's chunk when it was at least twice as fast on its last chunk and
  // that brings the end forward by overtake_gain_ms at least (0: never).
  Millis overtake_gain_ms = 2000;
  // How often the observer hears how far the download is.
  Millis progress_every_ms = 200;
};

// How many connections fetch `size` bytes: `wanted`, at most `available`, one
// when the server takes no ranges, and fewer while a range would be under
// min_range.
uint32_t fetch_connection_count(const FetchPolicy& policy, uint64_t size, uint32_t wanted,
                                uint32_t available, bool accept_ranges);

}  // namespace mpxe::net
