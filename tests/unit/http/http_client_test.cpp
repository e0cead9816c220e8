// The HTTP client (src/net/socket/http_client.*) over the real TCP machine,
// against a scripted server that answers with the bytes nginx really sent
// (http_responses.h), delivered in order or shuffled, whole or cut short.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "core/byte_ops.h"
#include "http_responses.h"
#include "net/socket/http_client.h"

namespace mpxe::net {
namespace {

using namespace tcp_flags;

const Ipv4Address kClient{{10, 77, 0, 2}};

template <size_t N>
std::string response(const uint8_t (&a)[N]) {
  return std::string(a, a + N);
}
uint8_t file_byte(size_t i) { return static_cast<uint8_t>((i * 7 + 3) & 0xFF); }

enum class Delivery { InOrder, Reversed, DropFirstOnce };

// Plays the server side of every connection the client opens: SYN,ACK to a
// SYN, then, once a whole request head has arrived, the next scripted response
// in MSS-sized segments, and FIN after it when the response says close.
class SimServer final : public TcpHost {
 public:
  struct Peer {
    TcpConnection* conn = nullptr;
    TcpTuple tuple;
    uint32_t nxt = 0;       // our next sequence number
    uint32_t ack = 0;       // what we acknowledge of the client
    std::string request;
    bool fin_sent = false;
  };
  struct Out {
    TcpTuple tuple;
    TcpRepr repr;
    std::string payload;
  };

  Status tcp_connect(TcpConnection& connection, IpAddress remote, uint16_t port,
                     TcpReceiver& receiver, const TcpConfig& config, Millis now) override {
    TcpTuple tuple{kClient, static_cast<uint16_t>(50000 + peers.size()), remote, port};
    Peer peer;
    peer.conn = &connection;
    peer.tuple = tuple;
    peer.nxt = 0xFFFFF000u + static_cast<uint32_t>(peers.size()) * 7777u;  // wraps mid-body
    peers.push_back(peer);
    return connection.connect(tuple, 0x7000 * static_cast<uint32_t>(peers.size()), receiver, config, now, *this);
  }
  void tcp_release(TcpConnection&) override {}
  uint16_t tcp_mss() const override { return 1460; }
  Status send_tcp(const TcpTuple& tuple, const TcpRepr& header, Bytes payload) override {
    outbox.push_back({tuple, header, std::string(payload.begin(), payload.end())});
    return {};
  }

  // Handles what the client sent until it goes quiet.
  void run(Millis now) {
    while (!outbox.empty()) {
      Out out = outbox.front();
      outbox.pop_front();
      segments_from_client.push_back(out.repr);
      Peer* peer = nullptr;
      for (Peer& p : peers)
        if (p.tuple == out.tuple) peer = &p;
      if (peer == nullptr || out.repr.has(kRst)) continue;
      if (out.repr.has(kSyn)) {
        peer->ack = out.repr.seq + 1;
        TcpRepr sa = segment(*peer, kSyn | kAck);
        sa.options.has_mss = true;
        sa.options.mss = 1460;
        sa.options.has_window_scale = true;
        sa.options.window_shift = 7;
        sa.options.sack_permitted = true;
        peer->nxt += 1;
        sa.seq = peer->nxt - 1;
        if (!silent) deliver(*peer, sa, "", now);
        continue;
      }
      if (!out.payload.empty() && out.repr.seq == peer->ack) {
        peer->request += out.payload;
        peer->ack += static_cast<uint32_t>(out.payload.size());
        requests.push_back(out.payload);
        size_t end = peer->request.find("\r\n\r\n");
        if (end != std::string::npos && !silent) {
          peer->request.erase(0, end + 4);
          answer(*peer, now);
        }
      }
      if (out.repr.has(kFin)) {
        peer->ack = out.repr.seq + static_cast<uint32_t>(out.payload.size()) + 1;
        if (!peer->fin_sent) {
          peer->fin_sent = true;
          deliver(*peer, segment(*peer, kAck | kFin), "", now);
          peer->nxt += 1;
        }
      }
    }
  }

  TcpRepr segment(const Peer& peer, uint8_t flags) const {
    TcpRepr r;
    r.src_port = peer.tuple.remote_port;
    r.dst_port = peer.tuple.local_port;
    r.seq = peer.nxt;
    r.ack = peer.ack;
    r.flags = flags;
    r.window = 512;
    return r;
  }
  void deliver(Peer& peer, TcpRepr repr, const std::string& payload, Millis now) {
    repr.payload_len = payload.size();
    peer.conn->on_segment(repr, Bytes(reinterpret_cast<const uint8_t*>(payload.data()), payload.size()), now, *this);
  }

  void answer(Peer& peer, Millis now) {
    if (responses.empty()) return;
    std::string text = responses.front();
    responses.pop_front();
    size_t cut = text.size();
    if (cut_after != 0 && cut_after < cut) cut = cut_after;
    std::vector<std::pair<uint32_t, std::string>> segs;
    for (size_t off = 0; off < cut; off += 1448)
      segs.push_back({peer.nxt + static_cast<uint32_t>(off), text.substr(off, std::min<size_t>(1448, cut - off))});
    uint32_t start = peer.nxt;
    peer.nxt += static_cast<uint32_t>(cut);
    if (delivery == Delivery::Reversed) std::reverse(segs.begin(), segs.end());
    bool dropped = false;
    for (auto& [seq, data] : segs) {
      if (delivery == Delivery::DropFirstOnce && !dropped && seq == start) {
        dropped = true;
        continue;
      }
      TcpRepr r = segment(peer, kAck);
      r.seq = seq;
      deliver(peer, r, data, now);
    }
    if (dropped) {
      TcpRepr r = segment(peer, kAck);
      r.seq = start;
      deliver(peer, r, segs.front().second, now);
    }
    bool close = text.find("Connection: close") != std::string::npos || cut != text.size();
    if (close && !peer.fin_sent) {
      peer.fin_sent = true;
      TcpRepr fin = segment(peer, kAck | kFin);
      deliver(peer, fin, "", now);
      peer.nxt += 1;
    }
  }

  std::vector<Peer> peers;
  std::deque<Out> outbox;
  std::deque<std::string> responses;
  std::vector<std::string> requests;
  std::vector<TcpRepr> segments_from_client;
  Delivery delivery = Delivery::InOrder;
  size_t cut_after = 0;  // close after this many bytes of the response
  bool silent = false;   // never answer
};

class HttpClientTest : public ::testing::Test {
 protected:
  std::vector<uint8_t> scratch = std::vector<uint8_t>(16384);
  std::vector<uint8_t> body = std::vector<uint8_t>(8192, 0xEE);
  HttpClient client{MutableBytes(scratch.data(), scratch.size())};
  SimServer server;
  Millis now = 1000;

  HttpGetRequest request(const char* url, size_t body_len = 8192) {
    HttpGetRequest r;
    r.url = bytes_of(url);
    r.body = MutableBytes(body.data(), body_len);
    return r;
  }
  void run(Millis limit = 60000) {
    Millis end = now + limit;
    server.run(now);
    while (!client.finished() && now < end) {
      client.poll(now, server);
      for (auto& p : server.peers) p.conn->poll(now, server);
      server.run(now);
      if (client.finished()) break;
      Millis next = client.next_deadline();
      for (auto& p : server.peers) next = std::min(next, p.conn->next_deadline());
      now = std::max(now + 1, std::min(next, end));
    }
    // Deferred actions (a reset after a failure) happen at the next poll.
    client.poll(now, server);
    server.run(now);
  }
};

TEST_F(HttpClientTest, GetsTheNginxFile) {
  server.responses.push_back(response(nginx::kStatus200));
  ASSERT_TRUE(client.start(request("http://10.77.0.1/file4000"), now, server));
  run();
  ASSERT_TRUE(client.succeeded()) << http_failure_text(client.failure());
  EXPECT_EQ(client.status(), 200);
  EXPECT_EQ(client.content_length(), 4000u);
  EXPECT_EQ(client.body_bytes(), 4000u);
  for (size_t i = 0; i < 4000; ++i) ASSERT_EQ(body[i], file_byte(i)) << i;
  EXPECT_EQ(body[4000], 0xEE);
  ASSERT_EQ(server.requests.size(), 1u);
  EXPECT_EQ(server.requests[0].rfind("GET /file4000 HTTP/1.1\r\nHost: 10.77.0.1\r\n", 0), 0u);
}

TEST_F(HttpClientTest, AHostNameConnectsToTheCallersAddressAndKeepsTheName) {
  HttpGetRequest named = request("http://boot.example:8080/file4000");
  EXPECT_FALSE(client.start(named, now, server)) << "a name without an address needs DNS";
  named.has_address = true;
  named.address = Ipv4Address::of(10, 77, 0, 1);
  server.responses.push_back(response(nginx::kStatus200));
  ASSERT_TRUE(client.start(named, now, server));
  run();
  ASSERT_TRUE(client.succeeded()) << http_failure_text(client.failure());
  ASSERT_EQ(server.peers.size(), 1u);
  EXPECT_EQ(server.peers[0].tuple.remote, Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(server.peers[0].tuple.remote_port, 8080);
  ASSERT_EQ(server.requests.size(), 1u);
  EXPECT_EQ(server.requests[0].rfind("GET /file4000 HTTP/1.1\r\nHost: boot.example:8080\r\n", 0), 0u);
  for (size_t i = 0; i < 4000; ++i) ASSERT_EQ(body[i], file_byte(i)) << i;
}

TEST_F(HttpClientTest, ShuffledSegmentsLandInPlace) {
  for (Delivery d : {Delivery::Reversed, Delivery::DropFirstOnce}) {
    std::fill(body.begin(), body.end(), 0xEE);
    HttpClient fresh(MutableBytes(scratch.data(), scratch.size()));
    SimServer sim;
    sim.delivery = d;
    sim.responses.push_back(response(nginx::kStatus200));
    ASSERT_TRUE(fresh.start(request("http://10.77.0.1/file4000"), now, sim));
    sim.run(now);
    fresh.poll(now, sim);
    ASSERT_TRUE(fresh.succeeded()) << http_failure_text(fresh.failure());
    for (size_t i = 0; i < 4000; ++i) ASSERT_EQ(body[i], file_byte(i)) << i;
    EXPECT_GT(sim.peers[0].conn->stats().out_of_order, 0u);
    fresh.release(sim);
  }
}

TEST_F(HttpClientTest, RangeGoesToItsSlice) {
  server.responses.push_back(response(nginx::kStatus206));
  HttpGetRequest r = request("http://10.77.0.1/file4000", 1000);
  r.has_range = true;
  r.range = {1000, 1999};
  ASSERT_TRUE(client.start(r, now, server));
  run();
  ASSERT_TRUE(client.succeeded()) << http_failure_text(client.failure());
  EXPECT_EQ(client.status(), 206);
  EXPECT_EQ(client.total_size(), 4000u);
  for (size_t i = 0; i < 1000; ++i) ASSERT_EQ(body[i], file_byte(1000 + i));
  EXPECT_NE(server.requests[0].find("Range: bytes=1000-1999\r\n"), std::string::npos);
}

TEST_F(HttpClientTest, ServerIgnoringTheRangeIsAnError) {
  server.responses.push_back(response(nginx::kStatus200));
  HttpGetRequest r = request("http://10.77.0.1/file4000", 1000);
  r.has_range = true;
  r.range = {1000, 1999};
  ASSERT_TRUE(client.start(r, now, server));
  run();
  EXPECT_EQ(client.failure(), HttpFailure::RangeIgnored);
}

TEST_F(HttpClientTest, FollowsRelativeAndAbsoluteRedirects) {
  server.responses.push_back(response(nginx::kStatus301));
  server.responses.push_back(response(nginx::kStatus302));
  server.responses.push_back(response(nginx::kStatus200));
  ASSERT_TRUE(client.start(request("http://10.77.0.1/moved"), now, server));
  run();
  ASSERT_TRUE(client.succeeded()) << http_failure_text(client.failure());
  EXPECT_EQ(client.stats().redirects, 2u);
  EXPECT_EQ(client.stats().connections, 3u);  // each answer said Connection: close
  ASSERT_EQ(server.requests.size(), 3u);
  EXPECT_EQ(server.requests[1].rfind("GET /file4000 ", 0), 0u);
  for (size_t i = 0; i < 4000; ++i) ASSERT_EQ(body[i], file_byte(i));
}

TEST_F(HttpClientTest, RedirectLoopsAreBounded) {
  for (int i = 0; i < 10; ++i) server.responses.push_back(response(nginx::kStatus302));
  HttpGetRequest r = request("http://10.77.0.1/found");
  r.max_redirects = 3;
  ASSERT_TRUE(client.start(r, now, server));
  run();
  EXPECT_EQ(client.failure(), HttpFailure::TooManyRedirects);
  EXPECT_EQ(server.requests.size(), 4u);
}

TEST_F(HttpClientTest, ErrorStatusIsSurfacedWithItsText) {
  server.responses.push_back(response(nginx::kStatus404));
  ASSERT_TRUE(client.start(request("http://10.77.0.1/missing.efi"), now, server));
  run();
  EXPECT_EQ(client.failure(), HttpFailure::Status);
  EXPECT_EQ(client.error(), Error(Layer::Http, Errc::Rejected));
  EXPECT_EQ(client.status(), 404);
  EXPECT_STREQ(client.reason(), "Not Found");
}

TEST_F(HttpClientTest, ChunkedBodyIsDecoded) {
  server.responses.push_back(response(nginx::kChunked));
  ASSERT_TRUE(client.start(request("http://10.77.0.1/ssi/page.html"), now, server));
  run();
  ASSERT_TRUE(client.succeeded()) << http_failure_text(client.failure());
  std::string want = "<p>first part</p>\n10.77.0.1\n<p>after the include</p>\n";
  EXPECT_EQ(client.body_bytes(), want.size());
  EXPECT_EQ(std::string(body.begin(), body.begin() + want.size()), want);
}

TEST_F(HttpClientTest, ServerClosingMidBodyIsAClearError) {
  server.responses.push_back(response(nginx::kStatus200));
  server.cut_after = 2500;
  ASSERT_TRUE(client.start(request("http://10.77.0.1/file4000"), now, server));
  run();
  EXPECT_EQ(client.failure(), HttpFailure::ClosedEarly);
  EXPECT_EQ(client.error(), Error(Layer::Http, Errc::Closed));
  EXPECT_EQ(client.content_length(), 4000u);
  EXPECT_LT(client.body_bytes(), 4000u);
  EXPECT_GT(client.body_bytes(), 2000u);
}

TEST_F(HttpClientTest, BodyLargerThanTheBufferSaysItsSize) {
  server.responses.push_back(response(nginx::kStatus200));
  ASSERT_TRUE(client.start(request("http://10.77.0.1/file4000", 100), now, server));
  run();
  EXPECT_EQ(client.failure(), HttpFailure::TooBig);
  EXPECT_EQ(client.content_length(), 4000u);
  // The connection was reset, not left open.
  std::string flags;
  for (auto& seg : server.segments_from_client) flags += std::to_string(seg.flags) + " ";
  EXPECT_TRUE(server.segments_from_client.back().has(kRst)) << flags;
}

TEST_F(HttpClientTest, SilentServerStalls) {
  server.silent = true;
  HttpGetRequest r = request("http://10.77.0.1/file4000");
  r.stall_ms = 5000;
  ASSERT_TRUE(client.start(r, now, server));
  Millis started = now;
  run();
  EXPECT_EQ(client.failure(), HttpFailure::Stalled);
  EXPECT_EQ(client.error(), Error(Layer::Http, Errc::TimedOut));
  EXPECT_LE(now - started, 5001u);
}

TEST_F(HttpClientTest, KeepAliveCarriesTheNextRequestAndHead) {
  std::string keep = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nAccept-Ranges: bytes\r\n\r\nhello";
  std::string head =
      "HTTP/1.1 200 OK\r\nContent-Length: 4000\r\nAccept-Ranges: bytes\r\n"
      "Content-Type: Application/VND.efi-IMG; x=1\r\n\r\n";
  server.responses.push_back(keep);
  server.responses.push_back(head);
  server.responses.push_back(keep);
  ASSERT_TRUE(client.start(request("http://10.77.0.1/a"), now, server));
  run();
  ASSERT_TRUE(client.succeeded());
  EXPECT_EQ(std::string(body.begin(), body.begin() + 5), "hello");
  HttpGetRequest h = request("http://10.77.0.1/big", 0);
  h.head = true;
  ASSERT_TRUE(client.start(h, now, server));
  run();
  ASSERT_TRUE(client.succeeded());
  EXPECT_EQ(client.content_length(), 4000u);
  EXPECT_TRUE(client.accept_ranges());
  EXPECT_STREQ(client.media_type(), "application/vnd.efi-img");
  EXPECT_EQ(server.requests[1].rfind("HEAD /big ", 0), 0u);
  ASSERT_TRUE(client.start(request("http://10.77.0.1/a"), now, server));
  run();
  ASSERT_TRUE(client.succeeded());
  EXPECT_STREQ(client.media_type(), "");  // each response says its own
  EXPECT_EQ(client.stats().connections, 1u);
  EXPECT_EQ(server.peers.size(), 1u);
  // A graceful close at the end.
  client.close(server);
  server.run(now);
  EXPECT_TRUE(client.connection_closed());
}

TEST_F(HttpClientTest, RefusesWhatItCannotFetch) {
  EXPECT_EQ(client.start(request("https://10.77.0.1/"), now, server).error(),
            Error(Layer::Http, Errc::Unsupported));
  EXPECT_EQ(client.start(request("http://boot.example/"), now, server).error(),
            Error(Layer::Http, Errc::Unsupported));
  EXPECT_EQ(client.state(), HttpClient::State::Idle);
}

}  // namespace
}  // namespace mpxe::net
