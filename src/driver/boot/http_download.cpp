#include "driver/boot/http_download.h"

#include "core/byte_ops.h"
#include "core/format.h"
#include "driver/boot/platform.h"
#include "driver/boot/trust_store.h"
#include "driver/efi/efi_status.h"
#include "driver/tls/platform.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"
#include "uefi/runtime/memory.h"

namespace mpxe::driver {

using namespace uefi;
using net::Millis;

namespace {

constexpr Millis kCloseWaitMs = 2000;

Bytes text_bytes(const char* text, size_t n) {
  return Bytes(reinterpret_cast<const uint8_t*>(text), n);
}

// What the download tells the console and the hasher.
class FetchConsole final : public net::FetchObserver {
 public:
  FetchConsole(const char* url, ImageHasher& hasher, const StackSession::FetchHooks& hooks)
      : url_(url), hasher_(hasher), hooks_(hooks) {}

  void fetch_final(uint64_t offset, uint64_t length) override { hasher_.add(offset, length); }

  // The bar, and each connection's share of the image at the end of the line, in
  // the bar's unit: "4 conns 61.2 58.0 64.0 60.5 MiB" (one connection says nothing
  // more than the bar).
  void fetch_progress(const net::HttpFetch& fetch, Millis elapsed) override {
    if (hooks_.progress == nullptr) return;
    const uint32_t n = fetch.connections();
    const SizeUnit unit = size_unit_for(fetch.plan().size());
    char detail[16 + HttpDownload::kMaxConnections * 24];
    size_t length = format(detail, sizeof(detail), "%u conns", n);
    for (uint32_t i = 0; i < n; ++i) {
      char share[24];
      format_in_unit(fetch.delivered(i), unit, share, sizeof(share));
      format_append(detail, sizeof(detail), length, " %s", share);
    }
    format_append(detail, sizeof(detail), length, " %s", size_unit_name(unit));
    hooks_.progress(hooks_.context, fetch.received(), fetch.plan().size(), elapsed,
                    n == 1 ? nullptr : detail);
  }

  void fetch_cannot_start(uint32_t connection, net::Error error) override {
    char text[64];
    net::error_format(error, text, sizeof(text));
    log("mpxe: %s: cannot start connection %u: %s\n", url_, connection, text);
  }

 private:
  const char* url_;
  ImageHasher& hasher_;
  const StackSession::FetchHooks& hooks_;
};

}  // namespace

Status HttpDownload::init() {
  for (auto*& conn : conns_) {
    if (conn != nullptr) continue;
    auto* scratch = static_cast<uint8_t*>(allocate(kScratchSize));
    if (scratch == nullptr) return kOutOfResources;
    conn = new (std::nothrow) net::HttpConnection(MutableBytes(scratch, kScratchSize));
    if (conn == nullptr) return kOutOfResources;
  }
  return kSuccess;
}

bool HttpDownload::poll_network(StackSession& session) {
  if (!sharded_) return session.poll_once();
  // The time first, then the interface puts the connections' segments on their
  // rings; the APs (or, while none is in, the BSP) run them; what they queued
  // goes out.
  shards_->publish_now(session.now());
  bool frames = session.poll_once();
  if (shards_->running_workers() == 0) frames = shards_->run_inline() != 0 || frames;
  shards_->drain(session.iface());
  return frames;
}

bool HttpDownload::poll_clients(StackSession& session, uint32_t n) {
  bool frames = poll_network(session);
  if (sharded_) return frames;
  Millis now = session.now();
  for (uint32_t i = 0; i < n; ++i)
    if (!abandoned(i)) client(i).poll(now);
  return frames;
}

namespace {

Status http_status(const net::HttpClient& client) {
  return efi_status(client.failure(), client.status(), client.error());
}

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
    const net::IpFamily family = tcp(i).connection().tuple().remote.family();
    shards_->assign(i, client(i), tcp(i), iface.tcp_mss(family));
    (void)iface.tcp_divert(tcp(i).connection(), *shards_, i);
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
    session.iface().tcp_undivert(tcp(i).connection());
    tcp(i).attach(session.iface());
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
  for (uint32_t i = 0; i < n; ++i)
    if (!abandoned(i)) client(i).close();
  Millis until = session.now() + kCloseWaitMs;
  for (;;) {
    bool closed = true;
    for (uint32_t i = 0; i < n; ++i)
      closed = closed && (abandoned(i) || client(i).connection_closed() || fin_acked(i));
    if (closed || session.now() >= until) break;
    poll_clients(session, n);
  }
  for (uint32_t i = 0; i < n; ++i)
    if (!abandoned(i)) client(i).release();
}

namespace {

// "[fd77::1]:8080 over IPv6": where the client's requests go (the URL's literal,
// or what DNS gave for its name; after redirects, the last hop's).
void format_peer(const net::HttpClient& client, char* out, size_t size) {
  const net::HttpUrl& url = client.url();
  char endpoint[net::IpAddress::kMaxEndpointTextLen + 1];
  url.address.format_with_port(url.port, endpoint, sizeof(endpoint));
  format(out, size, "%s over IPv%u", endpoint, url.address.is_v6() ? 6u : 4u);
}

}  // namespace

void HttpDownload::report_failure(const net::HttpClient& client) {
  if (client.failure() == net::HttpFailure::Status) {
    format(cause_, sizeof(cause_), "HTTP %u %s", client.status(), client.reason());
    log("mpxe: %s from %s\n", cause_, url_);
    return;
  }
  size_t length = client.describe_failure(cause_, sizeof(cause_));
  // Which server and family refused or never answered: for a host name, what DNS gave.
  if (client.failure() == net::HttpFailure::Connection && client.url().has_address) {
    char peer[net::IpAddress::kMaxEndpointTextLen + 16];
    format_peer(client, peer, sizeof(peer));
    format_append(cause_, sizeof(cause_), length, ", to %s", peer);
  }
  log("mpxe: %s: %s\n", url_, cause_);
}

Status HttpDownload::size(StackSession& session, const char* url, uint64_t* size) {
  if (conns_[0] == nullptr) return kNotReady;
  if (abandoned_ != 0) {
    log("mpxe: http: a connection was lost with its AP; no more HTTP downloads this boot\n");
    return kDeviceError;
  }
  cause_[0] = '\0';
  Bytes given = bytes_of(url);
  if (given.size() >= sizeof(url_)) return kInvalidParameter;
  url_len_ = copy_bytes(MutableBytes(reinterpret_cast<uint8_t*>(url_), given.size()), given);
  url_[url_len_] = '\0';
  net::HttpGetRequest head;
  head.tcp.max_window = net::FetchPolicy{}.window_budget;
  head.url = text_bytes(url_, url_len_);
  head.head = true;
  has_address_ = false;
  net::Result<net::HttpUrl> parsed = net::HttpUrl::parse(head.url);
  // A URL that does not parse goes to the plain client, whose start() names why.
  Status scheme = use_scheme(session, parsed.ok() && parsed.value().secure);
  if (is_error(scheme)) return scheme;
  if (parsed.ok() && !parsed.value().has_address) {
    const char* why = nullptr;
    Millis start = session.now();
    Status found = session.resolve(parsed.value().host_bytes(), &address_, &why);
    if (is_error(found)) {
      format(cause_, sizeof(cause_), "cannot resolve %s: %s", parsed.value().host,
             why != nullptr ? why : status_text(found));
      log("mpxe: %s\n", cause_);
      return found;
    }
    char ip[net::IpAddress::kMaxTextLen + 1];
    address_.format(ip, sizeof(ip));
    log("mpxe: %s is %s (DNS, %llu ms)\n", parsed.value().host, ip,
        static_cast<unsigned long long>(session.now() - start));
    has_address_ = true;
  }
  head.has_address = has_address_;
  head.address = address_;
  // An IPv6 server off the link with no router to it: named now, not after the
  // SYNs time out.
  const net::IpAddress* target = has_address_ ? &address_
                                 : parsed.ok() && parsed.value().has_address ? &parsed.value().address
                                                                             : nullptr;
  const char* unroutable =
      target != nullptr && target->is_v6() ? session.ipv6_unroutable(target->v6()) : nullptr;
  if (unroutable != nullptr) {
    char endpoint[net::IpAddress::kMaxEndpointTextLen + 1];
    target->format_with_port(parsed.value().port, endpoint, sizeof(endpoint));
    format(cause_, sizeof(cause_), "no route to %s over IPv6: %s", endpoint, unroutable);
    log("mpxe: %s: %s\n", url_, cause_);
    return kNoMapping;
  }
  media_type_[0] = '\0';
  tcp(0).attach(session.iface());
  net::HttpClient& client = this->client(0);
  net::Result<void> started = client.start(head, session.now());
  if (!started.ok()) {
    char error[64];
    net::error_format(started.error(), error, sizeof(error));
    const char* why = nullptr;
    (void)net::HttpUrl::parse(head.url, &why);  // a URL it refuses says what
    format(cause_, sizeof(cause_), "cannot fetch %s: %s", url_, why != nullptr ? why : error);
    log("mpxe: %s\n", cause_);
    return kInvalidParameter;
  }
  while (!client.finished()) poll_clients(session, 1);
  Status s = kSuccess;
  if (!client.succeeded()) {
    const bool not_found =
        client.failure() == net::HttpFailure::Status && client.status() == 404;
    if (!(not_found && quiet_not_found_)) report_failure(client);
    s = http_status(client);
  } else if (!client.has_content_length()) {
    format(cause_, sizeof(cause_), "%s: the server gives no size (Content-Length)", url_);
    log("mpxe: %s\n", cause_);
    s = kUnsupported;
  } else {
    *size = client.content_length();
    char peer[net::IpAddress::kMaxEndpointTextLen + 16];
    char local[net::IpAddress::kMaxTextLen + 1];
    format_peer(client, peer, sizeof(peer));
    tcp(0).connection().tuple().local.format(local, sizeof(local));
    log("mpxe: http: %s answered (from %s)\n", peer, local);
    accept_ranges_ = client.accept_ranges();
    format(media_type_, sizeof(media_type_), "%s", client.media_type());
    // Later requests go where the redirects led.
    client.url().format(url_, sizeof(url_));
    url_len_ = bytes_of(url_).size();
    if (secure_ && !tls_described_) {
      const tls::TlsStream& stream = tls_conns_[0]->tls;
      log("mpxe: https: %s, %s%s\n", stream.version(), stream.cipher(),
          stream.resumed() ? ", resumed" : "");
      tls_described_ = true;
    }
  }
  close_all(session, 1);
  return s;
}

Status HttpDownload::use_scheme(StackSession& session, bool https) {
  if (https && tls_context_ == nullptr) {
    // A refusal is final for the boot: said once, kept as the cause after.
    if (tls_refused_ == kSuccess) tls_refused_ = init_tls(session);
    if (is_error(tls_refused_)) {
      format(cause_, sizeof(cause_), "%s", tls_refusal_);
      return tls_refused_;
    }
  }
  secure_ = https;
  return kSuccess;
}

// Everything https needs, once: the trust anchors the driver read at start, the
// TLS platform (heap, entropy, clock) and the connections. A refusal's line
// (tls_refusal_) says what to give the VM.
Status HttpDownload::init_tls(StackSession& session) {
  const TrustStore& trust = trust_store();
  if (trust.anchor_list().size() == 0 || trust.ciphers().malformed()) {
    if (trust.ciphers().malformed()) trust.ciphers().describe(tls_refusal_, sizeof(tls_refusal_));
    else trust.anchors().describe(tls_refusal_, sizeof(tls_refusal_));
    log("mpxe: %s\n", tls_refusal_);
    return kSecurityViolation;
  }
  Status s = TlsPlatform::start(session.ticks_per_ms());  // logs its own refusal
  if (s == kNotFound) {
    format(tls_refusal_, sizeof(tls_refusal_), "%s", TlsPlatform::no_entropy_line());
    return kSecurityViolation;
  }
  if (is_error(s)) {
    format(tls_refusal_, sizeof(tls_refusal_), "https: no memory for the TLS heap");
    return s;
  }
  const Span<const tls::TrustAnchor> anchors = trust.anchor_list();
  auto* ders = static_cast<Bytes*>(allocate(anchors.size() * sizeof(Bytes)));
  auto* context = new (std::nothrow) tls::TlsContext();
  if (ders == nullptr || context == nullptr) {
    format(tls_refusal_, sizeof(tls_refusal_), "https: no memory for the TLS context");
    return kOutOfResources;
  }
  for (size_t i = 0; i < anchors.size(); ++i) ders[i] = Bytes(anchors[i].der, anchors[i].length);
  tls::TlsConfig config;
  config.trust_anchors = ders;
  config.trust_anchor_count = anchors.size();
  config.cpu_has_aes = cpu_has_aes();
  if (!config.cpu_has_aes) tls::CipherSuites::keep_aes_in_c();
  config.cipher_ids = trust.ciphers().ids();  // empty when there is no file: mpxe's order
  config.cipher_source = "fw_cfg etc/edk2/https/ciphers";
  net::Result<void> made = context->init(config);
  if (!made.ok()) {
    if (context->suites().count() == 0) {
      context->suites().describe(tls_refusal_, sizeof(tls_refusal_));
    } else {
      format(tls_refusal_, sizeof(tls_refusal_),
             "https: trust anchor %u is not a certificate wolfSSL takes",
             static_cast<unsigned>(context->bad_anchor() + 1));
    }
    log("mpxe: %s\n", tls_refusal_);
    return kSecurityViolation;
  }
  char line[256];
  trust.anchors().describe(line, sizeof(line));
  log("mpxe: %s\n", line);
  context->suites().describe(line, sizeof(line));
  log("mpxe: %s\n", line);
  for (auto*& conn : tls_conns_) {
    auto* ring = static_cast<uint8_t*>(allocate(kCipherRing));
    auto* scratch = static_cast<uint8_t*>(allocate(kScratchSize));
    if (ring != nullptr && scratch != nullptr)
      conn = new (std::nothrow) HttpsConnection(*context, MutableBytes(ring, kCipherRing),
                                                MutableBytes(scratch, kScratchSize));
    if (conn == nullptr) {
      format(tls_refusal_, sizeof(tls_refusal_), "https: no memory for the connections");
      return kOutOfResources;
    }
  }
  tls_context_ = context;
  return kSuccess;
}

Status HttpDownload::size_if_present(StackSession& session, const char* url, uint64_t* size) {
  quiet_not_found_ = true;
  Status s = this->size(session, url, size);
  quiet_not_found_ = false;
  return s;
}

Status HttpDownload::fetch(StackSession& session, uint8_t* buffer, uint64_t size,
                           uint32_t connections, ImageHasher& hasher,
                           const StackSession::FetchHooks& hooks, MpEngine& mp, uint32_t aps) {
  if (conns_[0] == nullptr || url_len_ == 0) return kNotReady;
  if (abandoned_ != 0) return kDeviceError;
  cause_[0] = '\0';
  net::HttpClient* clients[kMaxConnections];
  for (uint32_t i = 0; i < kMaxConnections; ++i) {
    tcp(i).attach(session.iface());
    clients[i] = &client(i);
  }
  net::HttpFetch download(clients, kMaxConnections);
  net::FetchPolicy policy;
  if (aps > 0) policy.max_window = mp::HttpShards::kMaxWindow;
  net::HttpFetch::Request request;
  request.url = text_bytes(url_, url_len_);
  request.has_address = has_address_;
  request.address = address_;
  request.buffer = MutableBytes(buffer, size);
  request.connections = connections;
  request.accept_ranges = accept_ranges_;
  // On APs each connection keeps one range: a new request there would be the AP's
  // to start.
  request.one_range_each = aps > 0;
  FetchConsole console(url_, hasher, hooks);
  net::Result<void> started = download.start(request, policy, console, session.now());
  used_ = download.plan().connections();
  if (download.plan().chunk_count() > used_) {
    char chunk_text[16];
    format_mib(download.plan().chunk_size(), chunk_text, sizeof(chunk_text));
    log("mpxe: http: %u chunks of %s over %u connections\n", download.plan().chunk_count(),
        chunk_text, used_);
  }
  const uint32_t n = download.connections();
  if (!started.ok()) {
    close_all(session, n);
    return efi_status(started.error());
  }
  if (aps > 0) start_shards(session, n, mp, aps);
  if (sharded_) download.run_elsewhere(shards_);
  for (;;) {
    bool frames = poll_network(session);
    download.poll(session.now());
    if (download.finished()) break;
    if (sharded_ && download.needs_local()) {
      // The APs can neither start nor end a request: a range cut short there is
      // resumed here once every connection is back, a slow one overtaken here,
      // a download too slow ended here.
      const net::HttpFetch::Recall why = download.recall();
      stop_shards(session, n, mp);
      if (abandoned_ != 0) break;
      if (why == net::HttpFetch::Recall::Resume)
        log("mpxe: http: resuming %u cut range%s on the BSP\n", download.resumes(),
            download.resumes() == 1 ? "" : "s");
      else if (why == net::HttpFetch::Recall::Overtake)
        log("mpxe: http: a connection runs far slower than one that has finished; the rest "
            "runs on the BSP\n");
      download.run_elsewhere(nullptr);
    }
    if (!frames) hasher.idle();
  }
  if (sharded_) stop_shards(session, n, mp);
  Status s = kSuccess;
  if (abandoned_ != 0) {
    // An AP that never gave a connection back, not the network.
    format(cause_, sizeof(cause_), "a connection was lost with its AP");
    s = kDeviceError;
  } else if (!download.succeeded()) {
    download.describe_failure(cause_, sizeof(cause_));
    log("\nmpxe: %s: %s\n", url_, cause_);  // off the progress bar's line
    const net::HttpClient* failed = download.failed_client();
    s = failed != nullptr ? http_status(*failed) : download.stalled() ? kTimeout : kAborted;
    if (!is_error(s)) s = kAborted;
  } else {
    if (download.resumes() != 0)
      log("\nmpxe: http: %u cut range%s resumed\n", download.resumes(),
          download.resumes() == 1 ? "" : "s");
    if (download.overtakes() != 0)
      log("\nmpxe: http: %u slow range%s taken over by a faster connection\n",
          download.overtakes(), download.overtakes() == 1 ? "" : "s");
  }
  download.report_progress(session.now());
  close_all(session, n);
  return s;
}

}  // namespace mpxe::driver
