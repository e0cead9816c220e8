// HTTP connections spread over processors, share-nothing: between assign() and
// its finish, each connection (an HttpClient over its TcpStream) is run by
// one processor at a time and touched by no other. The BSP keeps the NIC and the
// interface: the interface diverts each connection's segments here, unchecked
// (Interface::tcp_divert), and tcp_segment() copies them onto the connection's
// inbound ring; the BSP sends whatever the connection's outbound ring holds
// (drain()). Whoever runs the connection checks each segment (checksum, options),
// runs the TCP and HTTP machines, which place the payload straight into the
// image buffer, and publishes how far the body is complete in order with a
// release store: the BSP's hasher reads the image up to there after an acquire
// load of body_bytes(). Time comes from the BSP (publish_now()), so workers need
// no clock.
//
//   BSP:     reset, assign (+ Interface::tcp_divert), then per poll pass:
//            publish_now, run_inline when no worker is in, drain, body_bytes,
//            finished; at the end request_stop, wait for the workers, drain.
//   worker:  serve(), from an AP procedure or a host thread.
//
// Who runs a connection: a claim flag per shard, taken with one atomic exchange
// and never waited on (as the copy pipeline's hash claim). Worker w serves shards
// w, w + W, ...; the BSP's run_inline() serves any shard nobody holds, so a worker
// that never started costs speed, not correctness. The claim's acquire/release
// also hands the consumer side of the inbound ring and the producer side of the
// outbound ring from one processor to the next.
//
// A connection is finished when its HttpClient is (success or failure); after
// finished() says so the BSP owns it again (reclaim, tcp_undivert, attach the
// stream back to the interface, close). Freestanding:
// no heap, no globals; the owner places the object (a few MiB, 64-byte aligned).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "mp/atomic.h"
#include "mp/spsc_ring.h"
#include "net/fetch/http_fetch.h"
#include "net/iface/interface.h"
#include "net/socket/http_client.h"
#include "net/stream/tcp_stream.h"

namespace mpxe::mp {

class HttpShards final : public net::TcpSegmentSink, public net::FetchRunner {
 public:
  static constexpr uint32_t kMaxShards = 4;
  static constexpr uint32_t kMaxWorkers = kMaxShards;
  // A TCP segment in an MTU of 1500 (IPv4 header at least 20 bytes).
  static constexpr size_t kMaxSegment = 1480;
  static constexpr uint32_t kInboundSlots = 512;
  static constexpr uint32_t kOutboundSlots = 64;
  // The largest receive window worth advertising per connection: what its inbound
  // ring holds at the link's MSS, less a quarter of slack for the worker's delay.
  static constexpr uint32_t kMaxWindow = kInboundSlots * 1460 / 4 * 3;
  static constexpr uint32_t kDefaultBudget = 64;  // segments per shard per pass

  struct Stats {
    uint64_t segments;       // checked and handed to TCP
    uint64_t bad_segments;   // failed the checksum or option parse
    uint64_t inbound_full;   // dropped on arrival: the ring was full (TCP resends)
    uint64_t outbound_full;  // refused to TCP: the ring was full (TCP retries)
    uint64_t passes;         // batches run (by any processor)
    uint64_t inline_passes;  // ... of which on the BSP
  };

  HttpShards() = default;
  HttpShards(const HttpShards&) = delete;
  HttpShards& operator=(const HttpShards&) = delete;

  // ---- BSP ----

  // Forgets earlier shards and allows `workers` (capped at kMaxWorkers) to check
  // in; `now` is the time until the first publish_now(). Only while no worker runs.
  void reset(uint32_t workers, net::Millis now);
  // Hands `client`, whose request has started on `stream`, to shard `index` (the
  // cookie to give Interface::tcp_divert); `mss` is the link's for the stream's
  // peer. Indices from 0 upwards. The stream sends through the shard's ring from
  // here on.
  bool assign(uint32_t index, net::HttpClient& client, net::TcpStream& stream, uint16_t mss);
  uint32_t shards() const { return shards_; }
  // The time the connections run on. Before each poll of the interface, so that
  // no segment reaches a worker with an older time than the one it was sent
  // with (TCP timestamps and RTT samples must not go backwards).
  void publish_now(net::Millis now) { store_release(&now_, now); }
  // What the connections queued to send, out through `tx` (the interface). A
  // segment the interface refuses is dropped; TCP's own timer sends it again.
  size_t drain(net::TcpSender& tx);
  // One batch of every shard no one else holds, on the calling processor: the
  // BSP does this while no worker is checked in. Returns segments handled.
  size_t run_inline(uint32_t budget = kDefaultBudget);
  // Body bytes in place, in order, from the range's start (acquire).
  uint64_t body_bytes(uint32_t index) const override;
  // The connection's HttpClient has finished: from here on it is the BSP's.
  bool finished(uint32_t index) const override;
  bool all_finished() const;
  void request_stop() { store_release(&stop_, 1u); }
  // After the stop: takes shard `index` for the BSP for good (until reset()).
  // False when a processor still holds it -- an AP that never came back -- and
  // then the BSP must leave that connection alone.
  bool reclaim(uint32_t index);
  uint32_t running_workers() const { return load_acquire(&running_); }
  Stats stats(uint32_t index) const;
  // Every shard's stats added up.
  Stats totals() const;

  // TcpSegmentSink, on the BSP inside Interface::poll.
  void tcp_segment(uint32_t cookie, net::IpAddress src, net::IpAddress dst,
                   Bytes segment) override;

  // ---- worker ----

  // Checks in as the next worker, serves its shards until they have finished or
  // a stop is requested, and checks out. Returns at once when every worker index
  // is taken. `budget`: segments per shard per batch.
  void serve(uint32_t budget = kDefaultBudget);

 private:
  struct Inbound {
    net::IpAddress src;
    net::IpAddress dst;
    uint16_t length;
    uint8_t bytes[kMaxSegment];
  };
  struct Outbound {
    net::TcpTuple tuple;
    net::TcpRepr header;
    uint16_t length;
    uint8_t payload[kMaxSegment];
  };

  // What a connection sends through while it runs away from the interface: its
  // outbound ring. Opening connections is the BSP's (ports, ISNs): a redirect to
  // another server fails the request here.
  class RingHost final : public net::TcpHost {
   public:
    net::Result<void> send_tcp(const net::TcpTuple& tuple, const net::TcpRepr& header,
                               Bytes payload) override;
    net::Result<void> tcp_connect(net::TcpConnection&, net::IpAddress, uint16_t,
                                  net::StreamReceiver&, const net::TcpConfig&, net::Millis) override;
    void tcp_release(net::TcpConnection&) override {}
    uint16_t tcp_mss(net::IpFamily) const override { return mss; }

    SpscRing<Outbound, kOutboundSlots>* ring = nullptr;
    uint64_t* full = nullptr;
    uint16_t mss = 1460;
  };

  struct alignas(kCacheLine) Shard {
    // Set by assign(), read-only while the shard runs.
    net::HttpClient* client = nullptr;
    net::TcpStream* stream = nullptr;
    // Held by whoever runs the connection now.
    alignas(kCacheLine) uint32_t claim = 0;
    // Written by the runner (under the claim), read by the BSP.
    uint64_t body_bytes = 0;
    uint32_t finished = 0;
    Stats stats = {};
    RingHost host;
    // Written by the BSP only.
    alignas(kCacheLine) uint64_t inbound_full = 0;
    SpscRing<Inbound, kInboundSlots> inbound;
    SpscRing<Outbound, kOutboundSlots> outbound;
  };

  // One batch of shard `s` if its claim is free; segments handled.
  size_t run_shard(Shard& shard, uint32_t budget, bool on_bsp);

  Shard shards_storage_[kMaxShards];
  uint32_t shards_ = 0;
  uint32_t workers_allowed_ = 0;
  alignas(kCacheLine) net::Millis now_ = 0;
  uint32_t stop_ = 0;
  alignas(kCacheLine) uint32_t next_worker_ = 0;
  uint32_t running_ = 0;
};

}  // namespace mpxe::mp
