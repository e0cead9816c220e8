// TlsStream against OpenSSL's server, over an in-memory stream: handshakes in
// TLS 1.3 and 1.2, bytes exact however the ciphertext is cut, HTTP over it
// unchanged, and every way a connection is refused named with its figures.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "net/socket/http_client.h"
#include "tls/tls_context.h"
#include "tls/tls_stream.h"
#include "tls_peer.h"

namespace mpxe::tls {
namespace {

using test::CertSpec;
using test::Identity;
using test::MemoryStream;
using test::TlsServer;

constexpr const char* kHostName = "boot.example";
const net::Ipv4Address kServerAddress{{10, 0, 0, 2}};

std::vector<uint8_t> pattern(size_t size, uint32_t seed) {
  std::vector<uint8_t> bytes(size);
  std::mt19937 rng(seed);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  return bytes;
}

// The plaintext receiver: one flat buffer, with an optional window.
class Sink final : public net::StreamReceiver {
 public:
  explicit Sink(size_t size) : data(size) {}
  MutableBytes stream_rx_space(uint64_t offset, size_t len) override {
    if (offset >= stream_rx_limit()) return MutableBytes();
    return MutableBytes(data.data() + offset, std::min<uint64_t>(len, stream_rx_limit() - offset));
  }
  uint64_t stream_rx_limit() const override { return std::min<uint64_t>(data.size(), end + window); }
  void stream_rx_data(uint64_t e) override {
    EXPECT_GE(e, end);
    end = e;
  }
  void stream_rx_fin(uint64_t e) override {
    fin = true;
    end = e;
  }
  std::vector<uint8_t> data;
  uint64_t end = 0;
  uint64_t window = ~uint64_t{0} >> 1;
  bool fin = false;
};

// The test CA, the server's certificate it signed, and what the client trusts.
struct Pki {
  Identity ca = test::make_identity({.cn = "mpxe test CA", .ca = true}, nullptr);
  Identity leaf = test::make_identity({.cn = kHostName, .san = "DNS:boot.example,IP:10.0.0.2"}, &ca);
};

class TlsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { ring.resize(32 << 10); }

  // The context trusting `anchors`, and a stream over the in-memory link.
  void make_client(const std::vector<const Identity*>& anchors, TlsConfig config = {}) {
    ders.clear();
    for (const Identity* a : anchors) ders.push_back(a->der());
    views.clear();
    for (auto& d : ders) views.emplace_back(d.data(), d.size());
    config.trust_anchors = views.data();
    config.trust_anchor_count = views.size();
    context = std::make_unique<TlsContext>();
    ASSERT_TRUE(context->init(config));
    stream = std::make_unique<TlsStream>(link, *context, MutableBytes(ring.data(), ring.size()));
  }

  net::Result<void> open(Sink& sink, const char* host = kHostName) {
    stream->set_peer_name(host);
    return stream->open(kServerAddress, 443, sink, net::TcpConfig{}, now);
  }

  // Alternates the server, the link (ciphertext in pieces of `piece` bytes)
  // and the client's poll until `done` or nothing moves any more.
  void run(TlsServer& server, size_t piece, const std::function<bool()>& done, bool silent = false) {
    for (int idle = 0; idle < 4 && !done();) {
      server.step(link, silent);
      bool moved = link.deliver(piece);
      stream->poll(now);
      idle = moved || !link.to_server.empty() ? 0 : idle + 1;
    }
  }

  bool opened() const { return stream->state() == net::StreamState::Open; }
  // Both ends through the handshake (in TLS 1.3 the client is first), or failed.
  void handshake(TlsServer& server, size_t piece = 4096) {
    run(server, piece, [&] { return (opened() && server.handshake_done) || closed(); });
  }
  bool closed() const { return stream->is_closed(); }

  std::string line() const {
    char text[512];
    stream->describe_error(text, sizeof text);
    return text;
  }

  // Handshake, then `size` bytes from the server read through the stream, the
  // ciphertext cut into pieces of `piece` bytes.
  void expect_exact_transfer(TlsServer& server, size_t size, size_t piece) {
    Sink sink(size);
    server.accept();
    ASSERT_TRUE(open(sink));
    handshake(server, piece);
    ASSERT_TRUE(opened()) << line();
    std::vector<uint8_t> body = pattern(size, static_cast<uint32_t>(size + piece));
    server.write(body.data(), body.size(), link);
    run(server, piece, [&] { return sink.end == size || closed(); });
    ASSERT_EQ(sink.end, size) << line();
    EXPECT_EQ(sink.data, body);
    EXPECT_LE(link.max_window, ring.size());  // TCP never offered more than the ring holds
  }

  Pki pki;
  MemoryStream link;
  std::vector<uint8_t> ring;
  std::vector<std::vector<uint8_t>> ders;
  std::vector<Bytes> views;
  std::unique_ptr<TlsContext> context;
  std::unique_ptr<TlsStream> stream;
  net::Millis now = 1000;
};

TEST_F(TlsStreamTest, Tls13CarriesAMebibyteByteExact) {
  make_client({&pki.ca});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  expect_exact_transfer(server, 1 << 20, 64 << 10);
  EXPECT_STREQ(stream->version(), "TLSv1.3");
  EXPECT_EQ(server.version, "TLSv1.3");
  EXPECT_EQ(stream->failure(), TlsFailure::None);
}

TEST_F(TlsStreamTest, Tls12WhenTheServerHasNoMore) {
  make_client({&pki.ca});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_2_VERSION);
  expect_exact_transfer(server, 1 << 20, 64 << 10);
  EXPECT_STREQ(stream->version(), "TLSv1.2");
  EXPECT_EQ(server.version, "TLSv1.2");
}

TEST_F(TlsStreamTest, RecordsSplitAtEveryByte) {
  make_client({&pki.ca});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  // One byte per delivery: every record header and body boundary falls
  // between two calls, the handshake's included.
  expect_exact_transfer(server, 100 << 10, 1);
}

TEST_F(TlsStreamTest, RecordsInOddPiecesAndAcrossTheRingsEnd) {
  for (size_t piece : {7u, 5u + 16384u, 16384u + 29u, 32768u}) {
    SCOPED_TRACE(piece);
    make_client({&pki.ca});
    TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
    expect_exact_transfer(server, 300 << 10, piece);
  }
}

TEST_F(TlsStreamTest, AReceiverWithASmallWindowGetsEveryByteInOrder) {
  make_client({&pki.ca});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  const size_t size = 200 << 10;
  Sink sink(size);
  sink.window = 1000;  // less than a record: wolfSSL hands out the rest later
  server.accept();
  ASSERT_TRUE(open(sink));
  handshake(server);
  ASSERT_TRUE(opened()) << line();
  std::vector<uint8_t> body = pattern(size, 3);
  server.write(body.data(), body.size(), link);
  run(server, 4096, [&] { return sink.end == size || closed(); });
  ASSERT_EQ(sink.end, size);
  EXPECT_EQ(sink.data, body);
}

TEST_F(TlsStreamTest, SendQueuedDuringTheHandshakeLeavesAfterIt) {
  make_client({&pki.ca});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink));
  const std::string request = "GET / HTTP/1.1\r\n\r\n";
  auto queued = stream->send(Bytes(reinterpret_cast<const uint8_t*>(request.data()), request.size()));
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued.value(), request.size());
  EXPECT_EQ(stream->state(), net::StreamState::Opening);
  run(server, 4096, [&] { return server.request.size() == request.size() || closed(); });
  EXPECT_EQ(server.request, request);
}

TEST_F(TlsStreamTest, CloseNotifyEndsTheStreamAndCloseSendsOurs) {
  make_client({&pki.ca});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  Sink sink(64);
  server.accept();
  ASSERT_TRUE(open(sink));
  handshake(server);
  ASSERT_TRUE(opened());
  const uint8_t last[] = "bye";
  server.write(last, 3, link);
  server.shutdown(link);
  run(server, 4096, [&] { return sink.fin; });
  EXPECT_TRUE(sink.fin);
  EXPECT_EQ(sink.end, 3u);
  EXPECT_TRUE(stream->peer_closed());
  EXPECT_FALSE(closed());
  stream->close();
  EXPECT_TRUE(link.closed_by_us);
  EXPECT_EQ(stream->failure(), TlsFailure::None);
}

TEST_F(TlsStreamTest, TheSecondConnectionResumesTheFirstsSession) {
  make_client({&pki.ca});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  expect_exact_transfer(server, 4096, 4096);
  EXPECT_FALSE(stream->resumed());
  stream->abort();
  expect_exact_transfer(server, 4096, 4096);
  EXPECT_TRUE(stream->resumed());
  EXPECT_TRUE(server.session_reused());
}

// ---------------------------------------------------------------------------
// HTTP over it, unchanged

TEST_F(TlsStreamTest, HttpClientFetchesAMebibyteOverIt) {
  make_client({&pki.ca});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  server.accept();
  std::vector<uint8_t> scratch(net::HttpClient::kMinScratch * 2);
  net::HttpClient client(*stream, MutableBytes(scratch.data(), scratch.size()));
  const size_t size = 1 << 20;
  std::vector<uint8_t> body(size);
  const std::string url = "https://boot.example/boot.efi";
  net::HttpGetRequest request;
  request.url = Bytes(reinterpret_cast<const uint8_t*>(url.data()), url.size());
  request.has_address = true;
  request.address = kServerAddress;
  request.body = MutableBytes(body.data(), body.size());
  ASSERT_TRUE(client.start(request, now));
  std::vector<uint8_t> content = pattern(size, 9);
  bool answered = false;
  for (int idle = 0; idle < 4 && !client.finished();) {
    server.step(link);
    if (!answered && server.request.find("\r\n\r\n") != std::string::npos) {
      answered = true;
      std::string head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n";
      server.write(reinterpret_cast<const uint8_t*>(head.data()), head.size(), link);
      server.write(content.data(), content.size(), link);
    }
    bool moved = link.deliver(8192);
    client.poll(now);
    idle = moved || !link.to_server.empty() ? 0 : idle + 1;
  }
  char failure[256];
  client.describe_failure(failure, sizeof failure);
  ASSERT_TRUE(client.succeeded()) << failure;
  EXPECT_EQ(body, content);
  EXPECT_NE(server.request.find("GET /boot.efi HTTP/1.1\r\nHost: boot.example\r\n"), std::string::npos)
      << server.request;
  EXPECT_LE(link.max_window, ring.size());
}

TEST_F(TlsStreamTest, HttpClientRefusesHttpsOverPlainAndHttpOverTls) {
  make_client({&pki.ca});
  std::vector<uint8_t> scratch(net::HttpClient::kMinScratch);
  net::HttpClient client(*stream, MutableBytes(scratch.data(), scratch.size()));
  const std::string url = "http://10.0.0.2/boot.efi";
  net::HttpGetRequest request;
  request.url = Bytes(reinterpret_cast<const uint8_t*>(url.data()), url.size());
  EXPECT_EQ(client.start(request, now).error(), net::Error(net::Layer::Http, net::Errc::Unsupported));
}

// ---------------------------------------------------------------------------
// Refusals, each named

TEST_F(TlsStreamTest, NoTrustAnchorsRefusesToOpen) {
  make_client({});
  Sink sink(16);
  auto opened_ = open(sink);
  ASSERT_FALSE(opened_);
  EXPECT_EQ(opened_.error(), net::Error(net::Layer::Tls, net::Errc::NotFound));
  EXPECT_EQ(stream->failure(), TlsFailure::NoTrustAnchors);
  EXPECT_EQ(link.opens, 0);  // not a byte to the server
  EXPECT_NE(line().find("no trust anchors"), std::string::npos) << line();
}

TEST_F(TlsStreamTest, UnknownCaNamesTheCertificateAndItsIssuer) {
  Identity other = test::make_identity({.cn = "another CA", .ca = true}, nullptr);
  make_client({&other});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink));
  handshake(server);
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::UnknownCa) << line();
  EXPECT_EQ(stream->error(), net::Error(net::Layer::Tls, net::Errc::Rejected));
  EXPECT_NE(line().find("CN=boot.example"), std::string::npos) << line();
  EXPECT_NE(line().find("CN=mpxe test CA"), std::string::npos) << line();
  EXPECT_TRUE(link.aborted);
}

TEST_F(TlsStreamTest, AnUnknownCaOutranksAWrongName) {
  // Both wrong: the chain is what fails first in meaning (a name vouched for by
  // nobody says nothing), whatever order the library reports them in.
  Identity other = test::make_identity({.cn = "another CA", .ca = true}, nullptr);
  make_client({&other});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink, "other.example"));
  handshake(server);
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::UnknownCa) << line();
  EXPECT_NE(line().find("CN=mpxe test CA"), std::string::npos) << line();
}

TEST_F(TlsStreamTest, SelfSignedIsAnUnknownCa) {
  Identity self = test::make_identity({.cn = kHostName, .san = "DNS:boot.example"}, nullptr);
  make_client({&pki.ca});
  TlsServer server(self, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink));
  handshake(server);
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::UnknownCa) << line();
  EXPECT_NE(line().find("/O=mpxe test/CN=boot.example issued by /O=mpxe test/CN=boot.example"),
            std::string::npos)
      << line();
}

TEST_F(TlsStreamTest, NameMismatchSaysTheNameAskedAndTheNamesHeld) {
  make_client({&pki.ca});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink, "other.example"));
  handshake(server);
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::NameMismatch) << line();
  EXPECT_NE(line().find("asked for other.example, the certificate names "), std::string::npos) << line();
  EXPECT_NE(line().find("boot.example"), std::string::npos) << line();
  EXPECT_NE(line().find("10.0.0.2"), std::string::npos) << line();
}

TEST_F(TlsStreamTest, AnAddressMatchesTheCertificatesIpEntryOnly) {
  make_client({&pki.ca});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  {
    Sink sink(16);
    server.accept();
    ASSERT_TRUE(open(sink, "10.0.0.2"));
    handshake(server);
    EXPECT_TRUE(opened()) << line();
  }
  stream->abort();
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink, "10.0.0.3"));
  handshake(server);
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::NameMismatch) << line();
  EXPECT_NE(line().find("asked for 10.0.0.3"), std::string::npos) << line();
}

TEST_F(TlsStreamTest, AnIpv6AddressMatchesTheCertificatesIpv6EntryHoweverWritten) {
  Identity leaf6 = test::make_identity({.cn = kHostName, .san = "DNS:boot.example,IP:fd00::2"}, &pki.ca);
  make_client({&pki.ca});
  TlsServer server(leaf6, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  for (const char* host : {"fd00::2", "FD00:0:0:0::0002"}) {
    SCOPED_TRACE(host);
    Sink sink(16);
    server.accept();
    ASSERT_TRUE(open(sink, host));
    handshake(server);
    EXPECT_TRUE(opened()) << line();
    stream->abort();
  }
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink, "fd00::3"));
  handshake(server);
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::NameMismatch) << line();
  EXPECT_NE(line().find("asked for fd00::3"), std::string::npos) << line();
}

TEST_F(TlsStreamTest, ExpiredSaysTheDatesAndOurClock) {
  Identity old = test::make_identity(
      {.cn = kHostName, .san = "DNS:boot.example", .not_before = -10 * 86400, .not_after = -86400}, &pki.ca);
  make_client({&pki.ca});
  TlsServer server(old, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink));
  handshake(server);
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::Expired) << line();
  const TlsCertificateInfo& cert = stream->refused_certificate();
  EXPECT_EQ(std::string(cert.not_after).size(), 23u) << cert.not_after;
  EXPECT_NE(line().find("valid from 20"), std::string::npos) << line();
  EXPECT_NE(line().find("our clock says 20"), std::string::npos) << line();
}

TEST_F(TlsStreamTest, NotYetValidSaysTheDates) {
  Identity early = test::make_identity(
      {.cn = kHostName, .san = "DNS:boot.example", .not_before = 86400, .not_after = 10 * 86400}, &pki.ca);
  make_client({&pki.ca});
  TlsServer server(early, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink));
  handshake(server);
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::NotYetValid) << line();
}

TEST_F(TlsStreamTest, NoCommonVersionNamesTheServersAlert) {
  TlsConfig only13;
  only13.allow_tls12 = false;
  make_client({&pki.ca}, only13);
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_2_VERSION);
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink));
  handshake(server);
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::NoCommonVersion) << line();
  EXPECT_EQ(stream->error(), net::Error(net::Layer::Tls, net::Errc::Unsupported));
}

TEST_F(TlsStreamTest, GarbageAfterTheHandshakeIsNamed) {
  make_client({&pki.ca});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  Sink sink(1024);
  server.accept();
  ASSERT_TRUE(open(sink));
  handshake(server);
  ASSERT_TRUE(opened());
  const std::string junk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  link.to_client.insert(link.to_client.end(), junk.begin(), junk.end());
  run(server, 4096, [&] { return closed(); });
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::Garbage) << line();
  EXPECT_EQ(stream->error(), net::Error(net::Layer::Tls, net::Errc::BadValue));
  EXPECT_NE(line().find("after the handshake"), std::string::npos) << line();
  EXPECT_EQ(sink.end, 0u);
}

TEST_F(TlsStreamTest, ATransportCloseWithoutCloseNotifyIsTruncation) {
  make_client({&pki.ca});
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  Sink sink(1024);
  server.accept();
  ASSERT_TRUE(open(sink));
  handshake(server);
  const uint8_t some[] = "partial";
  server.write(some, 7, link);
  run(server, 4096, [&] { return sink.end == 7; });
  link.deliver_fin();
  stream->poll(now);
  ASSERT_TRUE(closed());
  EXPECT_FALSE(sink.fin);
  EXPECT_EQ(stream->failure(), TlsFailure::Truncated) << line();
}

TEST_F(TlsStreamTest, AStalledHandshakeEndsAtItsBound) {
  TlsConfig config;
  config.handshake_ms = 30000;
  make_client({&pki.ca}, config);
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_3_VERSION);
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink));
  const net::Millis began = now;
  run(server, 4096, [] { return false; }, /*silent=*/true);
  EXPECT_EQ(stream->state(), net::StreamState::Opening);
  EXPECT_EQ(stream->next_deadline(), began + 30000);
  now = began + 29999;
  stream->poll(now);
  EXPECT_EQ(stream->state(), net::StreamState::Opening);
  now = began + 30000;
  stream->poll(now);
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::HandshakeTimeout);
  EXPECT_EQ(stream->error(), net::Error(net::Layer::Tls, net::Errc::TimedOut));
  EXPECT_NE(line().find("30000 ms"), std::string::npos) << line();
  EXPECT_TRUE(link.aborted);
}

// The suite is the client's choice: OpenSSL, as nginx runs it (no server
// preference), takes the first of the client's suites it has.
class TlsSuiteTest : public TlsStreamTest {
 protected:
  // A handshake with a server of `max_version`, and a few records through it.
  void agree(TlsConfig config, int max_version) {
    make_client({&pki.ca}, config);
    TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, max_version);
    expect_exact_transfer(server, 64 << 10, 4096);
    server_cipher = server.cipher;
  }
  static TlsConfig with_ids(const std::vector<uint8_t>& ids) {
    TlsConfig config;
    config.cipher_ids = Bytes(ids.data(), ids.size());
    config.cipher_source = "fw_cfg etc/edk2/https/ciphers";
    return config;
  }
  std::string server_cipher;
};

TEST_F(TlsSuiteTest, WithoutAesInstructionsTls13AgreesOnChacha20) {
  TlsConfig config;
  config.cpu_has_aes = false;
  agree(config, TLS1_3_VERSION);
  EXPECT_STREQ(stream->cipher(), "TLS13-CHACHA20-POLY1305-SHA256");
  EXPECT_EQ(server_cipher, "TLS_CHACHA20_POLY1305_SHA256");
}

TEST_F(TlsSuiteTest, WithoutAesInstructionsTls12AgreesOnChacha20) {
  TlsConfig config;
  config.cpu_has_aes = false;
  agree(config, TLS1_2_VERSION);
  EXPECT_STREQ(stream->cipher(), "ECDHE-ECDSA-CHACHA20-POLY1305");
  EXPECT_EQ(server_cipher, "ECDHE-ECDSA-CHACHA20-POLY1305");
}

TEST_F(TlsSuiteTest, WithAesInstructionsAesGcmWhereTheLibraryUsesThem) {
  TlsConfig config;
  config.cpu_has_aes = true;
  agree(config, TLS1_3_VERSION);
  EXPECT_STREQ(stream->cipher(), CipherSuites::aes_uses_cpu_instructions()
                                     ? "TLS13-AES128-GCM-SHA256"
                                     : "TLS13-CHACHA20-POLY1305-SHA256");
}

TEST_F(TlsSuiteTest, TheAesFirstOrderAgreesOnAesGcmInBothVersions) {
  const CipherSuites aes_first = CipherSuites::ordered(true);
  const std::vector<uint8_t> ids(aes_first.bytes().begin(), aes_first.bytes().end());
  agree(with_ids(ids), TLS1_3_VERSION);
  EXPECT_STREQ(stream->cipher(), "TLS13-AES128-GCM-SHA256");
  EXPECT_EQ(server_cipher, "TLS_AES_128_GCM_SHA256");
  agree(with_ids(ids), TLS1_2_VERSION);
  EXPECT_STREQ(stream->cipher(), "ECDHE-ECDSA-AES128-GCM-SHA256");
}

TEST_F(TlsSuiteTest, TheFilesSuiteIsTheOneAgreedOn) {
  // TLS_AES_128_CCM_8_SHA256 is not built: skipped; TLS_AES_256_GCM_SHA384 is taken.
  agree(with_ids({0x13, 0x05, 0x13, 0x02}), TLS1_3_VERSION);
  EXPECT_STREQ(stream->cipher(), "TLS13-AES256-GCM-SHA384");
  EXPECT_EQ(server_cipher, "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(context->suites().count(), 1u);
  EXPECT_EQ(context->suites().skipped(), 1u);
}

TEST_F(TlsSuiteTest, AFileOfTls12SuitesOnlyAgreesOnTls12) {
  agree(with_ids({0xc0, 0x2b}), TLS1_3_VERSION);
  EXPECT_STREQ(stream->version(), "TLSv1.2");
  EXPECT_STREQ(stream->cipher(), "ECDHE-ECDSA-AES128-GCM-SHA256");
}

TEST_F(TlsSuiteTest, AFileOfTls13SuitesOnlyRefusesATls12Server) {
  make_client({&pki.ca}, with_ids({0x13, 0x03}));
  TlsServer server(pki.leaf, nullptr, TLS1_2_VERSION, TLS1_2_VERSION);
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink));
  handshake(server);
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::NoCommonVersion) << line();
}

TEST_F(TlsSuiteTest, AFileWithNoSupportedSuiteMakesNoContext) {
  const std::vector<uint8_t> ids = {0x00, 0x9d, 0x13, 0x05};
  TlsContext refused;
  net::Result<void> made = refused.init(with_ids(ids));
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error(), net::Error(net::Layer::Tls, net::Errc::Unsupported));
  EXPECT_EQ(refused.suites().count(), 0u);
  char text[256];
  refused.suites().describe(text, sizeof text);
  EXPECT_STREQ(text,
               "tls: fw_cfg etc/edk2/https/ciphers names no cipher suite mpxe supports "
               "(0x009d 0x1305); https is refused");
}

TEST_F(TlsSuiteTest, AServerWithoutTheFilesSuiteIsNoCommonSuite) {
  make_client({&pki.ca}, with_ids({0x13, 0x01}));
  TlsServer server(pki.leaf, nullptr, TLS1_3_VERSION, TLS1_3_VERSION);
  server.set_tls13_suites("TLS_AES_256_GCM_SHA384");
  Sink sink(16);
  server.accept();
  ASSERT_TRUE(open(sink));
  handshake(server);
  ASSERT_TRUE(closed());
  EXPECT_EQ(stream->failure(), TlsFailure::NoCommonVersion) << line();
}

TEST(TlsFailureText, AlertsByNameAndDatesInUtc) {
  EXPECT_STREQ(tls_alert_name(40), "handshake_failure");
  EXPECT_STREQ(tls_alert_name(48), "unknown_ca");
  EXPECT_STREQ(tls_alert_name(70), "protocol_version");
  EXPECT_EQ(tls_alert_name(200), nullptr);
  char text[32];
  tls_format_time(0, text, sizeof text);
  EXPECT_STREQ(text, "1970-01-01 00:00:00 UTC");
  tls_format_time(1795608000, text, sizeof text);
  EXPECT_STREQ(text, "2026-11-25 12:00:00 UTC");
  tls_format_time(951782400, text, sizeof text);  // a leap day
  EXPECT_STREQ(text, "2000-02-29 00:00:00 UTC");
}

}  // namespace
}  // namespace mpxe::tls
