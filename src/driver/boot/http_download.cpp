#include "driver/boot/http_download.h"

#include "core/byte_ops.h"
#include "core/format.h"
#include "driver/boot/platform.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"
#include "uefi/runtime/memory.h"

namespace mpxe::driver {

using namespace uefi;
using net::Millis;

namespace {

constexpr Millis kProgressEveryMs = 200;
constexpr Millis kCloseWaitMs = 2000;

Bytes text_bytes(const char* text, size_t n) {
  return Bytes(reinterpret_cast<const uint8_t*>(text), n);
}

net::HttpGetRequest base_request(uint32_t connections) {
  net::HttpGetRequest request;
  request.tcp.max_window = HttpDownload::kWindowBudget / connections;
  return request;
}

}  // namespace

Status HttpDownload::init() {
  for (auto*& client : clients_) {
    if (client != nullptr) continue;
    auto* scratch = static_cast<uint8_t*>(allocate(kScratchSize));
    if (scratch == nullptr) return kOutOfResources;
    client = new (std::nothrow) net::HttpClient(MutableBytes(scratch, kScratchSize));
    if (client == nullptr) return kOutOfResources;
  }
  return kSuccess;
}

bool HttpDownload::poll_clients(StackSession& session, uint32_t n) {
  if (sharded_) {
    // The time first, then the interface puts the connections' segments on their
    // rings; the APs (or, while none is in, the BSP) run them; what they queued
    // goes out.
    shards_->publish_now(session.now());
    bool frames = session.poll_once();
    if (shards_->running_workers() == 0) frames = shards_->run_inline() != 0 || frames;
    shards_->drain(session.iface());
    return frames;
  }
  bool frames = session.poll_once();
  Millis now = session.now();
  for (uint32_t i = 0; i < n; ++i)
    if (!abandoned(i)) clients_[i]->poll(now, session.iface());
  return frames;
}

namespace {

// What every AP runs during a sharded fetch: src/mp only (docs/mp.md's rules).
void shard_procedure(void* shards) { static_cast<mp::HttpShards*>(shards)->serve(); }

constexpr uint64_t kShardPages = (sizeof(mp::HttpShards) + 4095) / 4096;

}  // namespace

void HttpDownload::start_shards(StackSession& session, uint32_t n, MpEngine& mp, uint32_t aps) {
  if (shards_ == nullptr) {
    PhysicalAddress pages = 0;
    Status s = bs()->AllocatePages(AllocateType::AnyPages, MemoryType::BootServicesData,
                                   kShardPages, &pages);
    if (is_error(s)) {
      log("mpxe: http: no memory for connections on APs (%llu pages): %s; running them on the BSP\n",
          static_cast<unsigned long long>(kShardPages), status_text(s));
      return;
    }
    shards_ = new (reinterpret_cast<void*>(pages)) mp::HttpShards();
  }
  uint32_t processors = mp.enabled_processors();
  uint32_t workers = processors > 1 ? processors - 1 : 0;
  if (workers > n) workers = n;
  if (workers > aps) workers = aps;
  shards_->reset(workers, session.now());
  net::Interface& iface = session.iface();
  for (uint32_t i = 0; i < n; ++i) {
    shards_->assign(i, *clients_[i], iface.tcp_mss());
    (void)iface.tcp_divert(clients_[i]->connection(), *shards_, i);
  }
  sharded_ = true;
  const uint32_t on = workers != 0 && mp.run_on_aps(shard_procedure, shards_) ? workers : 0;
  log("mpxe: http: %u connection%s on %u AP%s\n", n, n == 1 ? "" : "s", on, on == 1 ? "" : "s");
}

void HttpDownload::stop_shards(StackSession& session, uint32_t n, MpEngine& mp) {
  shards_->request_stop();
  mp.stop();
  shards_->drain(session.iface());
  for (uint32_t i = 0; i < n; ++i) {
    if (!shards_->reclaim(i)) {
      abandoned_ |= 1u << i;
      log("\nmpxe: http: connection %u was still on an AP that did not come back; "
          "leaving it\n", i);
      continue;
    }
    session.iface().tcp_undivert(clients_[i]->connection());
  }
  sharded_ = false;
  const mp::HttpShards::Stats total = shards_->totals();
  log("\nmpxe: http: connections on APs: %llu segments, %llu bad, %llu dropped on full rings, "
      "%llu sends refused; %llu of %llu passes on the BSP\n",
      static_cast<unsigned long long>(total.segments),
      static_cast<unsigned long long>(total.bad_segments),
      static_cast<unsigned long long>(total.inbound_full),
      static_cast<unsigned long long>(total.outbound_full),
      static_cast<unsigned long long>(total.inline_passes),
      static_cast<unsigned long long>(total.passes));
}

void HttpDownload::close_all(StackSession& session, uint32_t n) {
  net::Interface& iface = session.iface();
  for (uint32_t i = 0; i < n; ++i)
    if (!abandoned(i)) clients_[i]->close(iface);
  Millis until = session.now() + kCloseWaitMs;
  for (;;) {
    bool closed = true;
    for (uint32_t i = 0; i < n; ++i)
      closed = closed && (abandoned(i) || clients_[i]->connection_closed());
    if (closed || session.now() >= until) break;
    poll_clients(session, n);
  }
  for (uint32_t i = 0; i < n; ++i)
    if (!abandoned(i)) clients_[i]->release(iface);
}

void HttpDownload::report_failure(const net::HttpClient& client) const {
  char error[64];
  net::error_format(client.error(), error, sizeof(error));
  const char* what = net::http_failure_text(client.failure());
  switch (client.failure()) {
    case net::HttpFailure::Status:
      log("mpxe: HTTP %u %s from %s\n", client.status(), client.reason(), url_);
      break;
    case net::HttpFailure::ClosedEarly:
      log("mpxe: %s: %s (%llu of %llu bytes)\n", url_, what,
          static_cast<unsigned long long>(client.body_bytes()),
          static_cast<unsigned long long>(client.content_length()));
      break;
    default:
      log("mpxe: %s: %s (%s)\n", url_, what, error);
      break;
  }
}

Status HttpDownload::size(StackSession& session, const char* url, uint64_t* size) {
  if (clients_[0] == nullptr) return kNotReady;
  if (abandoned_ != 0) {
    log("mpxe: http: a connection was lost with its AP; no more HTTP downloads this boot\n");
    return kDeviceError;
  }
  Bytes given = bytes_of(url);
  if (given.size() >= sizeof(url_)) return kInvalidParameter;
  url_len_ = copy_bytes(MutableBytes(reinterpret_cast<uint8_t*>(url_), given.size()), given);
  url_[url_len_] = '\0';
  net::HttpGetRequest head = base_request(1);
  head.url = text_bytes(url_, url_len_);
  head.head = true;
  has_address_ = false;
  net::Result<net::HttpUrl> parsed = net::HttpUrl::parse(head.url);
  if (parsed.ok() && !parsed.value().has_address) {
    const char* why = nullptr;
    Millis start = session.now();
    Status found = session.resolve(parsed.value().host_bytes(), &address_, &why);
    if (is_error(found)) {
      log("mpxe: cannot resolve %s: %s\n", parsed.value().host,
          why != nullptr ? why : status_text(found));
      return found;
    }
    char ip[16];
    address_.format(ip, sizeof(ip));
    log("mpxe: %s is %s (DNS, %llu ms)\n", parsed.value().host, ip,
        static_cast<unsigned long long>(session.now() - start));
    has_address_ = true;
  }
  head.has_address = has_address_;
  head.address = address_;
  media_type_[0] = '\0';
  net::HttpClient& client = *clients_[0];
  net::Status started = client.start(head, session.now(), session.iface());
  if (!started.ok()) {
    char error[64];
    net::error_format(started.error(), error, sizeof(error));
    log("mpxe: cannot fetch %s: %s\n", url_,
        started.error() == net::Error(net::Layer::Http, net::Errc::Unsupported)
            ? "only http:// URLs are supported"
            : error);
    return kInvalidParameter;
  }
  while (!client.finished()) poll_clients(session, 1);
  Status s = kSuccess;
  if (!client.succeeded()) {
    const bool not_found =
        client.failure() == net::HttpFailure::Status && client.status() == 404;
    if (!(not_found && quiet_not_found_)) report_failure(client);
    s = not_found ? kNotFound : kDeviceError;
  } else if (!client.has_content_length()) {
    log("mpxe: %s: the server gives no size (Content-Length)\n", url_);
    s = kUnsupported;
  } else {
    *size = client.content_length();
    accept_ranges_ = client.accept_ranges();
    format(media_type_, sizeof(media_type_), "%s", client.media_type());
    // Later requests go where the redirects led.
    const net::HttpUrl& final_url = client.url();
    size_t n = format(url_, sizeof(url_), "http://%s", final_url.host);
    if (final_url.port != net::kHttpDefaultPort)
      n += format(url_ + n, sizeof(url_) - n, ":%u", final_url.port);
    format(url_ + n, sizeof(url_) - n, "%s", final_url.path);
    url_len_ = bytes_of(url_).size();
  }
  close_all(session, 1);
  return s;
}

Status HttpDownload::size_if_present(StackSession& session, const char* url, uint64_t* size) {
  quiet_not_found_ = true;
  Status s = this->size(session, url, size);
  quiet_not_found_ = false;
  return s;
}

Status HttpDownload::take_chunk(StackSession& session, uint32_t connection, uint8_t* buffer) {
  net::ChunkPlan::Chunk chunk;
  if (!plan_.take(connection, &chunk)) return kSuccess;
  net::HttpGetRequest get = base_;
  get.body = MutableBytes(buffer + chunk.from, static_cast<size_t>(chunk.to - chunk.from));
  if (plan_.chunk_count() > 1) {
    get.has_range = true;
    get.range = net::HttpRange{chunk.from, chunk.to - 1};
  }
  net::Status started = clients_[connection]->start(get, session.now(), session.iface());
  if (!started.ok()) {
    char error[64];
    net::error_format(started.error(), error, sizeof(error));
    log("mpxe: %s: cannot start connection %u: %s\n", url_, connection, error);
    return kDeviceError;
  }
  return kSuccess;
}

Status HttpDownload::fetch(StackSession& session, uint8_t* buffer, uint64_t size,
                           uint32_t connections, ImageHasher& hasher,
                           const StackSession::FetchHooks& hooks, MpEngine& mp, uint32_t aps) {
  if (clients_[0] == nullptr || url_len_ == 0) return kNotReady;
  if (abandoned_ != 0) return kDeviceError;
  uint32_t n = connections < 1 ? 1 : connections;
  if (n > kMaxConnections) n = kMaxConnections;
  if (!accept_ranges_) n = 1;
  while (n > 1 && size / n < kMinRange) --n;
  used_ = n;
  base_ = base_request(n);
  if (aps > 0 && base_.tcp.max_window > mp::HttpShards::kMaxWindow)
    base_.tcp.max_window = mp::HttpShards::kMaxWindow;
  base_.url = text_bytes(url_, url_len_);
  base_.has_address = has_address_;
  base_.address = address_;
  // Several connections take the image in chunks, each the next one not yet
  // taken (net::ChunkPlan), so the part complete from byte 0 -- what the hash can
  // take -- grows as the whole transfer does. On APs each connection keeps one
  // range: a new request there would be the AP's to start.
  plan_.reset(size, n, n > 1 && aps == 0 ? kChunk : 0);
  if (plan_.chunk_count() > n) {
    char chunk_text[16];
    format_mib(plan_.chunk_size(), chunk_text, sizeof(chunk_text));
    log("mpxe: http: %u chunks of %s over %u connections\n", plan_.chunk_count(), chunk_text, n);
  }
  uint32_t started = 0;
  for (; started < n && !plan_.all_taken(); ++started) {
    if (is_error(take_chunk(session, started, buffer))) {
      close_all(session, started);
      return kDeviceError;
    }
  }
  if (aps > 0) start_shards(session, started, mp, aps);
  // What a connection has in order of its current chunk, and whether that chunk
  // arrived: from the shards while the connections are theirs (the client object
  // is then off limits).
  auto body_bytes = [&](uint32_t i) {
    return sharded_ ? shards_->body_bytes(i) : clients_[i]->body_bytes();
  };
  auto finished = [&](uint32_t i) {
    return sharded_ ? shards_->finished(i) : clients_[i]->finished();
  };
  auto connection_total = [&](uint32_t i) { return plan_.delivered(i, body_bytes(i)); };
  auto received = [&] {
    uint64_t got = 0;
    for (uint32_t i = 0; i < started; ++i) got += connection_total(i);
    return got;
  };
  // Each connection's share of the image so far, for the end of the progress
  // line: "4 conns 61 58 64 60 MiB" (one connection says nothing more than the bar).
  char detail_text[8 + kMaxConnections * 6 + 6];
  auto detail = [&]() -> const char* {
    if (started == 1) return nullptr;
    size_t at = format(detail_text, sizeof(detail_text), "%u conns", started);
    for (uint32_t i = 0; i < started; ++i)
      at += format(detail_text + at, sizeof(detail_text) - at, " %llu",
                   static_cast<unsigned long long>(connection_total(i) >> 20));
    format(detail_text + at, sizeof(detail_text) - at, " MiB");
    return detail_text;
  };
  uint64_t hashed_to = 0;
  bool failed = false;
  Millis start = session.now();
  Millis next_report = start + kProgressEveryMs;
  for (;;) {
    bool frames = poll_clients(session, started);
    // Connections done with their chunk take the next one, on the same connection.
    bool busy = false;
    uint64_t in_order[kMaxConnections] = {};
    for (uint32_t i = 0; i < started; ++i) {
      if (!plan_.holding(i)) continue;
      if (!finished(i)) {
        in_order[i] = body_bytes(i);
        busy = true;
        continue;
      }
      if (!clients_[i]->succeeded()) {
        failed = true;
        continue;
      }
      plan_.complete(i);
      if (failed || plan_.all_taken()) continue;
      if (is_error(take_chunk(session, i, buffer))) {
        failed = true;
        continue;
      }
      busy = true;
    }
    // The image is final from byte 0 to the first chunk still arriving, plus what
    // that chunk has in order: that prefix goes to the hasher as it grows.
    uint64_t done_to = plan_.complete_to(hashed_to, in_order);
    if (done_to > hashed_to) {
      hasher.add(hashed_to, done_to - hashed_to);
      hashed_to = done_to;
    }
    if (!busy) break;
    if (!frames) hasher.idle();
    Millis now = session.now();
    if (hooks.progress != nullptr && now >= next_report) {
      next_report += kProgressEveryMs;
      hooks.progress(hooks.context, received(), size, now - start, detail());
    }
  }
  if (sharded_) stop_shards(session, started, mp);
  Status s = failed || !plan_.all_taken() ? kDeviceError : kSuccess;
  for (uint32_t i = 0; i < started; ++i) {
    if (abandoned(i)) {
      s = kDeviceError;
      continue;
    }
    if (clients_[i]->succeeded()) continue;
    report_failure(*clients_[i]);
    s = kDeviceError;
  }
  if (s == kSuccess && hashed_to != size) {
    // Every chunk arrived: the rest is final too.
    hasher.add(hashed_to, size - hashed_to);
  }
  if (hooks.progress != nullptr)
    hooks.progress(hooks.context, received(), size, session.now() - start, detail());
  close_all(session, started);
  return s;
}

}  // namespace mpxe::driver
