#include "mp/http_shards.h"

#include "core/byte_ops.h"
#include "net/wire/tcp.h"

namespace mpxe::mp {

using net::Millis;

namespace {

bool try_claim(uint32_t* claim) { return __atomic_exchange_n(claim, 1u, __ATOMIC_ACQUIRE) == 0; }
void unclaim(uint32_t* claim) { store_release(claim, 0u); }

}  // namespace

net::Result<void> HttpShards::RingHost::send_tcp(const net::TcpTuple& tuple, const net::TcpRepr& header,
                                                 Bytes payload) {
  if (payload.size() > kMaxSegment) return net::Error(net::Layer::Tcp, net::Errc::TooBig);
  Outbound* slot = ring->producer_slot();
  if (slot == nullptr) {
    add_relaxed(full, uint64_t{1});
    return net::Error(net::Layer::Iface, net::Errc::WouldBlock);
  }
  slot->tuple = tuple;
  slot->header = header;
  slot->length = static_cast<uint16_t>(copy_bytes(MutableBytes(slot->payload, payload.size()), payload));
  ring->commit();
  return {};
}

net::Result<void> HttpShards::RingHost::tcp_connect(net::TcpConnection&, net::IpAddress, uint16_t,
                                                    net::StreamReceiver&, const net::TcpConfig&,
                                                    net::Millis) {
  return net::Error(net::Layer::Tcp, net::Errc::Unsupported);
}

void HttpShards::reset(uint32_t workers, net::Millis now) {
  for (Shard& shard : shards_storage_) {
    shard.client = nullptr;
    shard.stream = nullptr;
    shard.claim = 0;
    shard.body_bytes = 0;
    shard.finished = 0;
    shard.stats = Stats{};
    shard.inbound_full = 0;
    shard.inbound.reset();
    shard.outbound.reset();
    shard.host.ring = &shard.outbound;
    shard.host.full = &shard.stats.outbound_full;
  }
  shards_ = 0;
  workers_allowed_ = workers < kMaxWorkers ? workers : kMaxWorkers;
  now_ = now;
  stop_ = 0;
  next_worker_ = 0;
  running_ = 0;
}

bool HttpShards::assign(uint32_t index, net::HttpClient& client, net::TcpStream& stream,
                        uint16_t mss) {
  if (index != shards_ || index >= kMaxShards) return false;
  Shard& shard = shards_storage_[index];
  shard.client = &client;
  shard.stream = &stream;
  shard.host.mss = mss;
  stream.attach(shard.host);
  shard.body_bytes = client.body_bytes();
  shard.finished = client.finished() ? 1 : 0;
  // Published to workers by the release store of shards_ (they read it with acquire).
  store_release(&shards_, index + 1);
  return true;
}

void HttpShards::tcp_segment(uint32_t cookie, net::IpAddress src, net::IpAddress dst,
                             Bytes segment) {
  if (cookie >= shards_ || segment.size() > kMaxSegment) return;
  // The worker checks the segment over the pseudo header of its family.
  Shard& shard = shards_storage_[cookie];
  Inbound* slot = shard.inbound.producer_slot();
  if (slot == nullptr) {
    ++shard.inbound_full;
    return;
  }
  slot->src = src;
  slot->dst = dst;
  slot->length = static_cast<uint16_t>(copy_bytes(MutableBytes(slot->bytes, segment.size()), segment));
  shard.inbound.commit();
}

size_t HttpShards::drain(net::TcpSender& tx) {
  size_t sent = 0;
  for (uint32_t i = 0; i < shards_; ++i) {
    auto& ring = shards_storage_[i].outbound;
    while (const Outbound* item = ring.consumer_slot()) {
      if (tx.send_tcp(item->tuple, item->header, Bytes(item->payload, item->length))) ++sent;
      ring.consume();
    }
  }
  return sent;
}

size_t HttpShards::run_shard(Shard& shard, uint32_t budget, bool on_bsp) {
  if (load_acquire(&shard.finished) != 0 || !try_claim(&shard.claim)) return 0;
  if (shard.finished != 0) {  // it finished between the check and the claim
    unclaim(&shard.claim);
    return 0;
  }
  net::HttpClient& client = *shard.client;
  net::TcpConnection& connection = shard.stream->connection();
  const Millis now = load_acquire(&now_);
  size_t handled = 0;
  while (handled < budget) {
    const Inbound* item = shard.inbound.consumer_slot();
    if (item == nullptr) break;
    ++handled;
    net::Result<net::TcpSegment> segment = net::TcpSegment::check(Bytes(item->bytes, item->length));
    net::Result<net::TcpRepr> parsed = segment ? net::TcpRepr::parse(segment.value(), item->src, item->dst)
                                          : net::Result<net::TcpRepr>(segment.error());
    if (parsed) {
      add_relaxed(&shard.stats.segments, uint64_t{1});
      if (connection.matches(net::TcpTuple{item->dst, parsed.value().dst_port, item->src,
                                           parsed.value().src_port}))
        connection.on_segment(parsed.value(), segment.value().payload(), now, shard.host);
    } else {
      add_relaxed(&shard.stats.bad_segments, uint64_t{1});
    }
    shard.inbound.consume();
  }
  // After the batch, as the interface does for the connections it runs: timers
  // and one ACK for everything the batch brought; then the client's own timers.
  connection.poll(now, shard.host);
  client.poll(now);
  add_relaxed(&shard.stats.passes, uint64_t{1});
  if (on_bsp) add_relaxed(&shard.stats.inline_passes, uint64_t{1});
  store_release(&shard.body_bytes, client.body_bytes());
  if (client.finished()) store_release(&shard.finished, 1u);
  unclaim(&shard.claim);
  return handled;
}

size_t HttpShards::run_inline(uint32_t budget) {
  size_t handled = 0;
  for (uint32_t i = 0; i < shards_; ++i) handled += run_shard(shards_storage_[i], budget, true);
  return handled;
}

bool HttpShards::reclaim(uint32_t index) {
  return index < shards_ && try_claim(&shards_storage_[index].claim);
}

uint64_t HttpShards::body_bytes(uint32_t index) const {
  return index < shards_ ? load_acquire(&shards_storage_[index].body_bytes) : 0;
}

bool HttpShards::finished(uint32_t index) const {
  return index >= shards_ || load_acquire(&shards_storage_[index].finished) != 0;
}

bool HttpShards::all_finished() const {
  for (uint32_t i = 0; i < shards_; ++i)
    if (!finished(i)) return false;
  return true;
}

HttpShards::Stats HttpShards::stats(uint32_t index) const {
  if (index >= shards_) return Stats{};
  const Shard& shard = shards_storage_[index];
  Stats s;
  s.segments = load_relaxed(&shard.stats.segments);
  s.bad_segments = load_relaxed(&shard.stats.bad_segments);
  s.outbound_full = load_relaxed(&shard.stats.outbound_full);
  s.passes = load_relaxed(&shard.stats.passes);
  s.inline_passes = load_relaxed(&shard.stats.inline_passes);
  s.inbound_full = shard.inbound_full;
  return s;
}

HttpShards::Stats HttpShards::totals() const {
  Stats total = {};
  for (uint32_t i = 0; i < shards_; ++i) {
    Stats s = stats(i);
    total.segments += s.segments;
    total.bad_segments += s.bad_segments;
    total.inbound_full += s.inbound_full;
    total.outbound_full += s.outbound_full;
    total.passes += s.passes;
    total.inline_passes += s.inline_passes;
  }
  return total;
}

void HttpShards::serve(uint32_t budget) {
  const uint32_t limit = workers_allowed_;
  uint32_t me = load_relaxed(&next_worker_);
  do {
    if (me >= limit) return;
  } while (!__atomic_compare_exchange_n(&next_worker_, &me, me + 1, true, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED));
  __atomic_fetch_add(&running_, 1u, __ATOMIC_ACQ_REL);
  Backoff backoff;
  while (load_acquire(&stop_) == 0) {
    const uint32_t shards = load_acquire(&shards_);
    bool open = false;
    size_t handled = 0;
    for (uint32_t i = me; i < shards; i += limit) {
      Shard& shard = shards_storage_[i];
      handled += run_shard(shard, budget, false);
      open = open || load_acquire(&shard.finished) == 0;
    }
    if (!open && shards != 0) break;
    if (handled != 0) backoff.reset();
    else backoff.idle();
  }
  __atomic_fetch_sub(&running_, 1u, __ATOMIC_RELEASE);
}

}  // namespace mpxe::mp
