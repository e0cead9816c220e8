// mpxe-net http get URL [--connections N] [--out PATH] [--stall SECONDS]
//
// Fetches URL with our HTTP client (src/net/socket/http_client.h) over our TCP
// (src/net/stream/tcp_stream.h), with the option ROM's own download
// (src/net/fetch/http_fetch.h): a HEAD first for the size (following redirects,
// keeping the connection), one buffer of that size, then either one GET into it
// or GETs of byte ranges over N connections (each range 1 MiB at least), each
// free connection taking the next 4 MiB chunk (--chunk) in order on its
// kept-alive connection, all driven from one poll loop. The digest follows the
// final prefix as the ROM's hasher does.
// Prints what a person comparing servers and stacks wants:
//
//   http://10.77.0.1/boot.efi: 268435456 bytes in 2.104 s, 127.58 MB/s (4 connections)
//   tcp: segments 185420, out of order 12, duplicates 3, acks out 23512, retransmits 0
//   sha256=<hex>
//
// The time runs from the first GET to the last byte. A range cut short is asked
// again from where it stopped (--resumes times per chunk; without ranges the
// whole file once more). A failure says what the server did: its status and
// text, a reset, a stall, a trickle (--min-rate over --rate-window, a head not
// in within --head-timeout), or an early close with the byte counts, and how
// many tries it took; all connections together under --download-min-rate over
// --download-rate-window end the download too. Once every chunk is taken, a
// connection that has finished takes over the rest of a far slower one's (the
// summary line counts them). Exits 0 on success, 1 when the transfer failed.
//
// The URL's host is an IPv4 address (with --ip), an IPv6 literal in brackets
// (with --ipv6: http://[fd00::1]/boot.efi) or a name, looked up as the ROM looks
// it up (src/net/socket/dns_resolver.h): at the --dns servers, else (with --ipv6)
// at the RA's RDNSS ones; AAAA records, A records or AAAA then A, as the stack
// has IPv6, IPv4 or both; the first address of a family the stack has. The
// Host header and TLS keep the name.
//
// An https:// URL goes over TLS (src/tls/tls_stream.h) under the same client,
// verified against the --ca-cert certificates (PEM or DER, repeatable; none:
// refused, with the reason); the connections after the first resume its session.
// The suites are the ROM's order for this CPU, or --ciphers' IANA ids in their
// order (as etc/edk2/https/ciphers gives them to the ROM).
//
// --threads N runs the connections the way the option ROM runs them on its
// application processors (src/mp/http_shards.h): N worker threads own them, the
// main thread keeps the TAP, diverts each connection's segments to its worker
// and sends what the workers queue.
#include <CLI/CLI.hpp>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <strings.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "host/net/net_app.h"
#include "mp/http_shards.h"
#include "net/fetch/http_fetch.h"
#include "net/fetch/http_connection.h"
#include "net/socket/dns_resolver.h"
#include "net/socket/http_client.h"
#include "net/stream/tcp_stream.h"
#include "tls/tls_context.h"
#include "tls/tls_stream.h"

namespace mpxe::host {
namespace {

struct HttpGetOptions {
  std::string url;
  unsigned connections = 1;
  std::string out;
  double stall = 20;
  double head_timeout = 30;
  unsigned min_rate = 1024;  // bytes/s, 0: no rate rule
  double rate_window = 20;
  unsigned resumes = 3;
  unsigned download_min_rate = 4096;  // bytes/s over all connections, 0: no such rule
  double download_rate_window = 60;
  // The receive windows of all connections together, KiB: split evenly. Over a
  // TAP link the kernel's queue (1000 frames) is the bottleneck buffer: four
  // connections of 4 MiB each overflow it and lose frames by the hundred, four
  // of 256 KiB fill it without loss (256 MiB: 91 vs 302 MB/s on one run here).
  unsigned window_kib = 1024;
  bool sha256 = true;
  unsigned threads = 0;  // 0: every connection on the main thread
  unsigned chunk_kib = 4096;  // several connections: each takes the next chunk this big
  std::vector<std::string> ca_certs;  // https: trust anchors, PEM or DER files
  double tls_timeout = 30;            // https: the handshake's bound, seconds
  std::vector<std::string> ciphers;   // https: IANA suite ids, most preferred first
  std::vector<std::string> dns;       // a host name: ask these servers (default: the RA's RDNSS)
};

// "0x1303,0xc02f" (CLI splits at commas): big-endian bytes, as the fw_cfg file.
bool parse_cipher_ids(const std::vector<std::string>& texts, std::vector<uint8_t>& out) {
  for (const std::string& text : texts) {
    char* end = nullptr;
    const unsigned long id = strtoul(text.c_str(), &end, 16);
    if (text.empty() || *end != 0 || id > 0xffff) return false;
    out.push_back(static_cast<uint8_t>(id >> 8));
    out.push_back(static_cast<uint8_t>(id));
  }
  return true;
}

// Each client's ring for heads and chunk framing: sized once, as in firmware.
constexpr size_t kScratchSize = 64 << 10;

// One connection: TCP, TLS over it for https (its ciphertext ring as large as
// the TCP window, which it then bounds), and the client over the top one.
struct Fetch {
  Fetch(net::TcpHost& host, tls::TlsContext* tls_context, size_t cipher_ring) {
    tcp.attach(host);
    net::ByteStream* top = &tcp;
    if (tls_context != nullptr) {
      cipher.resize(std::max(cipher_ring, tls::TlsStream::kMinCipherRing));
      tls = std::make_unique<tls::TlsStream>(tcp, *tls_context, MutableBytes(cipher.data(), cipher.size()));
      top = tls.get();
    }
    client = std::make_unique<net::HttpClient>(*top, MutableBytes(scratch.data(), scratch.size()));
  }
  net::TcpStream tcp;
  std::vector<uint8_t> cipher;
  std::unique_ptr<tls::TlsStream> tls;
  std::vector<uint8_t> scratch = std::vector<uint8_t>(kScratchSize);
  std::unique_ptr<net::HttpClient> client;
};

// Every certificate in `path`: PEM (any number) or one DER.
bool read_certificates(const std::string& path, std::vector<std::vector<uint8_t>>& out) {
  FILE* file = fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  std::vector<uint8_t> bytes;
  uint8_t block[4096];
  size_t n;
  while ((n = fread(block, 1, sizeof block, file)) > 0) bytes.insert(bytes.end(), block, block + n);
  fclose(file);
  const size_t before = out.size();
  BIO* bio = BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size()));
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert, &der);
    if (len > 0) out.emplace_back(der, der + len);
    OPENSSL_free(der);
    X509_free(cert);
  }
  BIO_free(bio);
  if (out.size() > before) return true;
  const unsigned char* p = bytes.data();
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(bytes.size()));
  if (cert == nullptr) return false;
  X509_free(cert);
  out.push_back(bytes);
  return true;
}

bool is_https(const std::string& url) {
  return url.size() >= 8 && strncasecmp(url.c_str(), "https://", 8) == 0;
}

Bytes text_bytes(const std::string& s) { return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

void print_failure(const net::HttpClient& client, const std::string& url) {
  char text[256];
  client.describe_failure(text, sizeof text);
  fprintf(stderr, "mpxe-net http: %s: %s\n", url.c_str(), text);
}

// What the download tells us: the final prefix goes to the digest as it grows.
class FetchDigest final : public net::FetchObserver {
 public:
  FetchDigest(const uint8_t* buffer, bool enabled) : buffer_(buffer), enabled_(enabled) {}
  void fetch_final(uint64_t offset, uint64_t length) override {
    if (enabled_) sha_.update(buffer_ + offset, length);
  }
  void fetch_progress(const net::HttpFetch&, net::Millis) override {}
  void fetch_cannot_start(uint32_t connection, net::Error error) override {
    char text[64];
    net::error_format(error, text, sizeof text);
    fprintf(stderr, "mpxe-net http: cannot start connection %u: %s\n", connection, text);
  }
  void finish_hex(char* hex) { sha_.finish_hex(hex); }

 private:
  const uint8_t* buffer_;
  bool enabled_;
  Sha256 sha_;
};

std::string address_text(const net::IpAddress& address) {
  char out[net::IpAddress::kMaxTextLen + 1];
  address.format(out, sizeof out);
  return out;
}

bool has_family(NetApp& net, const net::IpAddress& address) {
  return address.is_v4() ? net.iface().ipv4().configured() : net.iface().ipv6_enabled();
}

// The URL's host name to an address the stack can reach (see the top of the
// file); false with the reason on stderr.
bool lookup_host(NetApp& net, const HttpGetOptions& options, const net::HttpUrl& url,
                 net::IpAddress& out) {
  std::vector<net::IpAddress> servers;
  for (const std::string& s : options.dns) {
    auto parsed = net::IpAddress::parse(s.c_str());
    if (!parsed || !has_family(net, parsed.value())) {
      fprintf(stderr, "mpxe-net http: --dns %s: not an address of a family the stack has\n", s.c_str());
      return false;
    }
    servers.push_back(parsed.value());
  }
  if (servers.empty() && net.iface().ipv6_enabled()) {
    net::Ipv6Address rdnss[net::Slaac::kMaxDnsServers];
    const size_t n = net.iface().slaac().dns_servers(net.now(), rdnss, net::Slaac::kMaxDnsServers);
    for (size_t i = 0; i < n; ++i) servers.emplace_back(rdnss[i]);
  }
  if (servers.empty()) {
    fprintf(stderr, "mpxe-net http: %s is a name: give --dns (or --ipv6 on a link whose RA names a server)\n",
            url.host);
    return false;
  }
  const bool v4 = net.iface().ipv4().configured(), v6 = net.iface().ipv6_enabled();
  const net::DnsFamily family = v4 && v6 ? net::DnsFamily::PreferV6 : v6 ? net::DnsFamily::V6 : net::DnsFamily::V4;
  net::DnsResolverConfig config;
  config.set_servers(servers.data(), servers.size());
  auto resolver = std::make_unique<net::DnsResolver>(config, net.random);
  // A fresh random port for the lookup (RFC 5452), bound only while it runs.
  auto port = net.iface().allocate_port(net.random);
  if (!port || !net.iface().bind(port.value(), *resolver)) {
    fprintf(stderr, "mpxe-net http: no free local port for DNS\n");
    return false;
  }
  const bool started = static_cast<bool>(resolver->start(url.host_bytes(), port.value(), net.now(), family));
  if (started)
    net.run_until([&] { return resolver->done(); }, net.deadline(), [&](net::Millis now) {
      resolver->poll(now, net.iface());
      return resolver->next_deadline();
    });
  net.iface().unbind(port.value());
  if (!started || !resolver->done() || resolver->state() != net::DnsResolverState::Done) {
    if (started && !resolver->done()) resolver->cancel(net.now());
    fprintf(stderr, "mpxe-net http: %s: %s\n", url.host,
            !started               ? "not a host name"
            : !resolver->done()    ? "no DNS answer within --timeout"
                                   : net::dns_failure_text(resolver->failure(), family));
    return false;
  }
  const net::DnsAnswer& answer = resolver->answer();
  for (uint8_t i = 0; i < answer.count; ++i) {
    if (!has_family(net, answer.addresses[i])) continue;
    out = answer.addresses[i];
    net.log("dns: %s (%s) is %s, from %s", url.host, net::dns_family_text(family),
            address_text(out).c_str(), address_text(answer.server).c_str());
    return true;
  }
  fprintf(stderr, "mpxe-net http: %s: no address of a family the stack has\n", url.host);
  return false;
}

// Polls every client until all are finished or the command's time is up.
bool run_all(NetApp& net, std::vector<std::unique_ptr<Fetch>>& fetches) {
  return net.run_until(
      [&] {
        return std::all_of(fetches.begin(), fetches.end(),
                           [](const auto& f) { return f->client->finished(); });
      },
      net.deadline(),
      [&](net::Millis now) {
        net::Millis next = net::kNever;
        for (auto& f : fetches) {
          f->client->poll(now);
          next = std::min(next, f->client->next_deadline());
        }
        return next;
      });
}

// The download with its connections on worker threads: this thread moves
// segments between the TAP and the shards' rings until the download is over, or
// until the download wants its connections back here (*why says for what).
bool run_on_threads(NetApp& net, std::vector<std::unique_ptr<Fetch>>& fetches,
                    net::HttpFetch& download, unsigned threads, net::HttpFetch::Recall* why) {
  auto shards = std::make_unique<mp::HttpShards>();
  shards->reset(threads, net.now());
  for (size_t i = 0; i < download.connections(); ++i) {
    net::HttpClient& client = *fetches[i]->client;
    const net::IpFamily family = fetches[i]->tcp.connection().tuple().remote.family();
    shards->assign(static_cast<uint32_t>(i), client, fetches[i]->tcp, net.iface().tcp_mss(family));
    if (!client.finished())
      (void)net.iface().tcp_divert(fetches[i]->tcp.connection(), *shards, static_cast<uint32_t>(i));
  }
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < threads; ++w) workers.emplace_back([&shards] { shards->serve(); });
  download.run_elsewhere(shards.get());
  bool done = net.run_until([&] { return download.finished() || download.needs_local(); },
                            net.deadline(),
                            [&](net::Millis now) {
                              shards->publish_now(now);
                              shards->drain(net.iface());
                              download.poll(now);
                              return now + 1;  // the workers' timers are theirs: look often
                            });
  shards->request_stop();
  for (auto& worker : workers) worker.join();
  shards->drain(net.iface());
  *why = download.recall();
  download.run_elsewhere(nullptr);
  for (size_t i = 0; i < download.connections(); ++i) {
    net.iface().tcp_undivert(fetches[i]->tcp.connection());
    fetches[i]->tcp.attach(net.iface());
  }
  const mp::HttpShards::Stats total = shards->totals();
  net.log("http: %u worker threads; %llu segments dropped on full rings, %llu bad", threads,
          static_cast<unsigned long long>(total.inbound_full),
          static_cast<unsigned long long>(total.bad_segments));
  return done;
}

void close_all(NetApp& net, std::vector<std::unique_ptr<Fetch>>& fetches) {
  for (auto& f : fetches) f->client->close();
  net::Millis until = std::min(net.deadline(), net.now() + 2000);
  net.run_until(
      [&] {
        return std::all_of(fetches.begin(), fetches.end(),
                           [](const auto& f) { return f->client->connection_closed(); });
      },
      until);
  for (auto& f : fetches) f->client->release();
}

int run_http_get(NetApp& net, const HttpGetOptions& options) {
  if (!net.iface().ipv4().configured() && !net.iface().ipv6_enabled()) {
    fprintf(stderr, "mpxe-net http: the stack has no address (give --ip or --ipv6)\n");
    return NetApp::kExitUsage;
  }
  // Where the URL's host is: its literal, or its name looked up.
  bool named = false;
  net::IpAddress named_address;
  if (net::Result<net::HttpUrl> parsed = net::HttpUrl::parse(text_bytes(options.url))) {
    if (!parsed.value().has_address) {
      if (!lookup_host(net, options, parsed.value(), named_address)) return NetApp::kExitFailed;
      named = true;
    } else if (!has_family(net, parsed.value().address)) {
      fprintf(stderr, "mpxe-net http: %s: an %s address needs %s\n", options.url.c_str(),
              parsed.value().address.is_v4() ? "IPv4" : "IPv6", parsed.value().address.is_v4() ? "--ip" : "--ipv6");
      return NetApp::kExitUsage;
    }
  }
  if (options.threads > 0 && options.connections > mp::HttpShards::kMaxShards) {
    fprintf(stderr, "mpxe-net http: --threads takes at most %u connections\n", mp::HttpShards::kMaxShards);
    return NetApp::kExitUsage;
  }
  net::HttpGetRequest base;
  base.stall_ms = static_cast<net::Millis>(options.stall * 1000.0);
  base.head_ms = static_cast<net::Millis>(options.head_timeout * 1000.0);
  base.min_rate = options.min_rate;
  base.rate_window_ms = static_cast<net::Millis>(options.rate_window * 1000.0);
  base.tcp.max_window = std::max(64u, options.window_kib / std::max(1u, options.connections)) << 10;
  if (options.threads > 0)
    base.tcp.max_window = std::min<uint32_t>(base.tcp.max_window, mp::HttpShards::kMaxWindow);

  // https: the trust anchors, and one TLS context for every connection.
  std::unique_ptr<tls::TlsContext> tls_context;
  if (is_https(options.url)) {
    if (options.threads > 0) {
      fprintf(stderr, "mpxe-net http: --threads does not run https connections yet\n");
      return NetApp::kExitUsage;
    }
    std::vector<std::vector<uint8_t>> anchors;
    for (const std::string& path : options.ca_certs) {
      if (!read_certificates(path, anchors)) {
        fprintf(stderr, "mpxe-net http: --ca-cert %s: no PEM or DER certificate there\n", path.c_str());
        return NetApp::kExitUsage;
      }
    }
    std::vector<Bytes> views;
    for (const auto& der : anchors) views.emplace_back(der.data(), der.size());
    std::vector<uint8_t> cipher_ids;
    if (!parse_cipher_ids(options.ciphers, cipher_ids)) {
      fprintf(stderr, "mpxe-net http: --ciphers takes hexadecimal suite ids (0x1303,0xc02f)\n");
      return NetApp::kExitUsage;
    }
    tls::TlsConfig config;
    config.trust_anchors = views.data();
    config.trust_anchor_count = views.size();
    config.handshake_ms = static_cast<net::Millis>(options.tls_timeout * 1000.0);
    config.cpu_has_aes = __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul") &&
                         __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3");
    if (!config.cpu_has_aes) tls::CipherSuites::keep_aes_in_c();
    config.cipher_ids = Bytes(cipher_ids.data(), cipher_ids.size());
    config.cipher_source = "--ciphers";
    tls_context = std::make_unique<tls::TlsContext>();
    const bool made = static_cast<bool>(tls_context->init(config));
    char suites[256];
    tls_context->suites().describe(suites, sizeof suites);
    if (!made) {
      if (tls_context->suites().count() == 0) fprintf(stderr, "mpxe-net http: %s\n", suites);
      else fprintf(stderr, "mpxe-net http: CA certificate %zu is not one wolfSSL takes\n", tls_context->bad_anchor() + 1);
      return NetApp::kExitUsage;
    }
    net.log("%s", suites);
  }
  const size_t cipher_ring = base.tcp.max_window;

  std::vector<std::unique_ptr<Fetch>> fetches;
  fetches.push_back(std::make_unique<Fetch>(net.iface(), tls_context.get(), cipher_ring));
  net::HttpClient& first = *fetches[0]->client;

  // 1. HEAD: the size, whether ranges work, and where redirects end.
  net::HttpGetRequest head = base;
  head.url = text_bytes(options.url);
  head.head = true;
  head.has_address = named;
  head.address = named_address;
  net::Result<void> started = first.start(head, net.now());
  if (!started) {
    char error[64];
    net::error_format(started.error(), error, sizeof error);
    const char* why = nullptr;
    (void)net::HttpUrl::parse(head.url, &why);  // a URL it refuses says what
    fprintf(stderr, "mpxe-net http: %s: %s\n", options.url.c_str(), why != nullptr ? why : error);
    return NetApp::kExitUsage;
  }
  run_all(net, fetches);
  if (!first.succeeded()) {
    if (!first.finished()) fprintf(stderr, "mpxe-net http: %s: no answer within --timeout\n", options.url.c_str());
    else print_failure(first, options.url);
    close_all(net, fetches);
    return NetApp::kExitFailed;
  }
  if (!first.has_content_length()) {
    fprintf(stderr, "mpxe-net http: %s: the server gives no size\n", options.url.c_str());
    close_all(net, fetches);
    return NetApp::kExitFailed;
  }
  const uint64_t size = first.content_length();
  std::string url(first.url().format(nullptr, 0) + 1, '\0');
  url.resize(first.url().format(url.data(), url.size()));
  net.log("http: %s is %llu bytes%s", url.c_str(), static_cast<unsigned long long>(size),
          first.accept_ranges() ? ", ranges accepted" : "");
  if (fetches[0]->tls) net.log("tls: %s, %s", fetches[0]->tls->version(), fetches[0]->tls->cipher());

  // 2. One buffer for the whole body, and the download as the ROM runs it.
  std::unique_ptr<uint8_t[]> buffer(new uint8_t[size == 0 ? 1 : size]);
  net::FetchPolicy policy;
  policy.stall_ms = base.stall_ms;
  policy.head_ms = base.head_ms;
  policy.min_rate = base.min_rate;
  policy.rate_window_ms = base.rate_window_ms;
  policy.max_resumes = options.resumes;
  policy.download_min_rate = options.download_min_rate;
  policy.download_rate_window_ms = static_cast<net::Millis>(options.download_rate_window * 1000);
  policy.window_budget = options.window_kib << 10;
  policy.chunk = uint64_t{options.chunk_kib} << 10;
  if (options.threads > 0) policy.max_window = mp::HttpShards::kMaxWindow;
  const uint32_t n = net::fetch_connection_count(policy, size, options.connections,
                                                 net::HttpFetch::kMaxConnections,
                                                 first.accept_ranges());
  while (fetches.size() < n)
    fetches.push_back(std::make_unique<Fetch>(net.iface(), tls_context.get(), cipher_ring));
  std::vector<net::HttpClient*> clients;
  for (auto& f : fetches) clients.push_back(f->client.get());
  net::HttpFetch download(clients.data(), n);
  net::HttpFetch::Request request;
  request.url = text_bytes(url);
  request.has_address = named;
  request.address = named_address;
  request.buffer = MutableBytes(buffer.get(), size);
  request.connections = options.connections;
  request.accept_ranges = first.accept_ranges();
  request.one_range_each = options.threads > 0;
  FetchDigest digest(buffer.get(), options.sha256);
  const uint64_t started_us = net.clock.steady_micros();
  const bool fetching = static_cast<bool>(download.start(request, policy, digest, net.now()));
  net.log("http: %u chunk%s over %u connection%s", download.plan().chunk_count(),
          download.plan().chunk_count() == 1 ? "" : "s", n, n == 1 ? "" : "s");
  if (!fetching) {
    close_all(net, fetches);
    return NetApp::kExitFailed;
  }
  bool done = true;
  if (options.threads > 0) {
    net::HttpFetch::Recall why = net::HttpFetch::Recall::None;
    done = run_on_threads(net, fetches, download, options.threads, &why);
    if (done && !download.finished() && why == net::HttpFetch::Recall::Resume)
      net.log("http: resuming %u cut chunk%s on this thread", download.resumes(),
              download.resumes() == 1 ? "" : "s");
    else if (done && !download.finished() && why == net::HttpFetch::Recall::Overtake)
      net.log("http: a connection runs far slower than one that has finished; the rest runs "
              "on this thread");
  }
  if (done && !download.finished())
    done = net.run_until([&] { return download.finished(); }, net.deadline(),
                         [&](net::Millis now) {
                           download.poll(now);
                           return download.next_deadline();
                         });
  if (!download.succeeded()) done = false;
  const uint64_t finished_us = net.clock.steady_micros();
  net::TcpStats total;
  for (auto& f : fetches) {
    const net::TcpStats& s = f->tcp.connection().stats();
    total.segments_in += s.segments_in;
    total.out_of_order += s.out_of_order;
    total.duplicates += s.duplicates;
    total.acks_out += s.acks_out;
    total.retransmits += s.retransmits;
    total.out_of_window += s.out_of_window;
  }
  int status = 0;
  if (!download.finished()) {
    fprintf(stderr, "mpxe-net http: %s: no result within --timeout\n", url.c_str());
    status = NetApp::kExitFailed;
  } else if (!download.succeeded()) {
    char text[384];
    download.describe_failure(text, sizeof text);
    fprintf(stderr, "mpxe-net http: %s: %s\n", url.c_str(), text);
    status = NetApp::kExitFailed;
  }
  for (auto& f : fetches) {
    if (status == 0 || f->client->succeeded()) continue;
    const net::TcpConnection& c = f->tcp.connection();
    net.log("http: connection %s, %llu of %llu body bytes, received %llu, ranges %zu, segments %llu, "
            "ooo %llu, dup %llu, out of window %llu, no range %llu, paws %llu",
            net::tcp_state_text(c.state()), static_cast<unsigned long long>(f->client->body_bytes()),
            static_cast<unsigned long long>(f->client->content_length()),
            static_cast<unsigned long long>(c.received()), c.ranges(),
            static_cast<unsigned long long>(c.stats().segments_in),
            static_cast<unsigned long long>(c.stats().out_of_order),
            static_cast<unsigned long long>(c.stats().duplicates),
            static_cast<unsigned long long>(c.stats().out_of_window),
            static_cast<unsigned long long>(c.stats().dropped_no_range),
            static_cast<unsigned long long>(c.stats().paws_rejected));
    status = NetApp::kExitFailed;
  }
  char tls_summary[160] = "";
  if (tls_context) {
    unsigned resumed_count = 0;
    for (auto& f : fetches) resumed_count += f->tls->resumed() ? 1 : 0;
    snprintf(tls_summary, sizeof tls_summary, "tls: %s, %s, %u of %zu connection%s resumed",
             fetches[0]->tls->version(), fetches[0]->tls->cipher(), resumed_count, fetches.size(),
             fetches.size() == 1 ? "" : "s");
  }
  close_all(net, fetches);
  if (!done || status != 0) return NetApp::kExitFailed;

  double seconds = static_cast<double>(finished_us - started_us) / 1e6;
  double rate = seconds > 0 ? static_cast<double>(size) / 1e6 / seconds : 0;
  char resumed[96] = "";
  int at = 0;
  if (download.resumes() != 0)
    at = snprintf(resumed, sizeof resumed, ", %u chunk%s resumed", download.resumes(),
                  download.resumes() == 1 ? "" : "s");
  if (download.overtakes() != 0)
    snprintf(resumed + at, sizeof resumed - at, ", %u taken over from a slow connection",
             download.overtakes());
  printf("%s: %llu bytes in %.3f s, %.2f MB/s (%llu connection%s%s)\n", url.c_str(),
         static_cast<unsigned long long>(size), seconds, rate, static_cast<unsigned long long>(n),
         n == 1 ? "" : "s", resumed);
  printf("tcp: segments %llu, out of order %llu, duplicates %llu, out of window %llu, acks out %llu, "
         "retransmits %llu\n",
         static_cast<unsigned long long>(total.segments_in),
         static_cast<unsigned long long>(total.out_of_order),
         static_cast<unsigned long long>(total.duplicates),
         static_cast<unsigned long long>(total.out_of_window),
         static_cast<unsigned long long>(total.acks_out),
         static_cast<unsigned long long>(total.retransmits));
  if (!options.out.empty()) {
    FILE* file = fopen(options.out.c_str(), "wb");
    bool ok = file != nullptr && fwrite(buffer.get(), 1, size, file) == size;
    if (file != nullptr) ok = fclose(file) == 0 && ok;
    if (!ok) {
      fprintf(stderr, "mpxe-net http: --out %s: write failed\n", options.out.c_str());
      return NetApp::kExitFailed;
    }
  }
  if (tls_summary[0] != 0) printf("%s\n", tls_summary);
  if (options.sha256) {
    char hex[Sha256::kHexSize];
    digest.finish_hex(hex);
    printf("sha256=%s\n", hex);
  }
  return 0;
}

}  // namespace

void add_http_command(CLI::App& app, NetApp& net) {
  auto options = std::make_shared<HttpGetOptions>();
  CLI::App* http = app.add_subcommand("http", "HTTP/1.1 client over our TCP (RFC 9110, 9112, 9293)");
  http->require_subcommand(1);
  CLI::App* get = http->add_subcommand("get", "Fetch a URL; print its size, rate and SHA-256");
  get->add_option("url", options->url, "http[s]://HOST[:PORT]/PATH, HOST A.B.C.D, [IPv6] or a name")->required();
  get->add_option("--dns", options->dns,
                  "A host name: ask this DNS server, A.B.C.D or IPv6 (repeatable; default: the RA's RDNSS)");
  get->add_option("--ca-cert", options->ca_certs,
                  "https: trust this CA certificate (PEM or DER file; repeatable). None: https is refused");
  get->add_option("--tls-timeout", options->tls_timeout,
                  "https: fail a TLS handshake not complete this many seconds after the connection began")
      ->check(CLI::PositiveNumber);
  get->add_option("--ciphers", options->ciphers,
                  "https: offer these cipher suites, IANA ids most preferred first (0x1303,0xc02f); "
                  "ids wolfSSL lacks are skipped. Default: ChaCha20-Poly1305 first unless AES-GCM "
                  "runs on AES instructions")
      ->delimiter(',');
  get->add_option("--connections", options->connections,
                  "Fetch in this many byte ranges at once, one connection each")
      ->check(CLI::Range(1u, net::HttpFetch::kMaxConnections));
  get->add_option("--out", options->out, "Write the body here");
  get->add_option("--stall", options->stall, "Fail when nothing arrives for this many seconds")
      ->check(CLI::PositiveNumber);
  get->add_option("--head-timeout", options->head_timeout,
                  "Fail a request whose response head is not in this many seconds after it")
      ->check(CLI::PositiveNumber);
  get->add_option("--min-rate", options->min_rate,
                  "Fail a request that brings fewer bytes a second than this over --rate-window "
                  "(0: no such rule)");
  get->add_option("--rate-window", options->rate_window, "Seconds over which --min-rate is measured")
      ->check(CLI::PositiveNumber);
  get->add_option("--download-min-rate", options->download_min_rate,
                  "Fail the download when all its connections together bring fewer bytes a "
                  "second than this over --download-rate-window (0: no such rule)");
  get->add_option("--download-rate-window", options->download_rate_window,
                  "Seconds over which --download-min-rate is measured")
      ->check(CLI::PositiveNumber);
  get->add_option("--resumes", options->resumes,
                  "Ask a range cut short again from where it stopped at most this many times")
      ->check(CLI::Range(0u, 100u));
  get->add_option("--window", options->window_kib,
                  "TCP receive window of all connections together, KiB (split evenly)")
      ->check(CLI::Range(64, 1 << 20));
  get->add_option("--chunk", options->chunk_kib,
                  "With several connections, KiB each free one takes next, in order, as the ROM "
                  "does (0: one range per connection; --threads: always one range)")
      ->check(CLI::Range(0u, 1u << 22));
  get->add_option("--threads", options->threads,
                  "Run the connections on this many worker threads, as the ROM runs them on its APs")
      ->check(CLI::Range(1u, mp::HttpShards::kMaxWorkers));
  get->add_flag("--sha256,!--no-sha256", options->sha256, "Print the body's SHA-256 (default on)");
  net.on_command(get, [options](NetApp& net) { return run_http_get(net, *options); });
}

}  // namespace mpxe::host
