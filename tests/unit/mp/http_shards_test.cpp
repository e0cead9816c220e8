// HttpShards (src/mp/http_shards.*): HTTP range downloads whose connections run
// on worker threads standing in for the APs, while this thread plays the BSP
// (publishing time, moving segments between the server and the rings) and the
// server, which answers on the wire: every segment a worker sees is real TCP
// bytes with a real checksum, shuffled, duplicated or corrupted on the way.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../tcp/peer_segment.h"
#include "mp/http_shards.h"
#include "mp_test_util.h"

namespace mpxe::mp {
namespace {

using namespace net::tcp_flags;

using net::Ipv4Address;
using net::Millis;
using net::TcpRepr;
using net::TcpTuple;

const Ipv4Address kClient{{10, 77, 0, 2}};
const Ipv4Address kServer{{10, 77, 0, 1}};
const net::Ipv6Address kClient6 = net::Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0x5054, 0xff, 0xfe12, 0x3456);
const net::Ipv6Address kServer6 = net::Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 1);
constexpr size_t kFileSize = 600 * 1000 + 17;

uint8_t file_byte(size_t i) { return static_cast<uint8_t>((i * 13 + 5) ^ (i >> 9)); }

struct Faults {
  bool shuffle = false;
  bool duplicate = false;
  bool corrupt = false;  // every 7th segment arrives once with a bad checksum first
};

// The server of every connection, speaking through wire bytes into the shards.
class WireServer final : public net::TcpHost {
 public:
  explicit WireServer(Faults faults) : faults_(faults) {}
  // Over IPv6: the URL's host (HttpClient takes no IPv6 literal) stands for `server`.
  WireServer(Faults faults, const net::Ipv6Address& client, const net::Ipv6Address& server)
      : faults_(faults), client_(client), server_(server) {}

  net::Result<void> tcp_connect(net::TcpConnection& connection, net::IpAddress remote, uint16_t port,
                                net::StreamReceiver& receiver, const net::TcpConfig& config,
                                Millis now) override {
    Peer peer;
    if (server_.is_v6()) remote = server_;
    peer.tuple = TcpTuple{client_, static_cast<uint16_t>(50000 + peers_.size()), remote, port};
    peer.nxt = 0xFFFFF000u - static_cast<uint32_t>(peers_.size()) * 100000u;  // wraps mid-body
    peers_.push_back(peer);
    return connection.connect(peer.tuple, 1000u * static_cast<uint32_t>(peers_.size()), receiver,
                              config, now, *this);
  }
  void tcp_release(net::TcpConnection&) override {}
  uint16_t tcp_mss(net::IpFamily) const override { return 1460; }
  net::Result<void> send_tcp(const TcpTuple& tuple, const TcpRepr& header, Bytes payload) override {
    inbox_.push_back({tuple, header, std::string(payload.begin(), payload.end())});
    return {};
  }

  // Answers what the clients sent; the answers go to shard i for peer i.
  void pump(HttpShards& shards) {
    while (!inbox_.empty()) {
      Sent sent = inbox_.front();
      inbox_.pop_front();
      size_t i = 0;
      while (i < peers_.size() && !(peers_[i].tuple == sent.tuple)) ++i;
      if (i == peers_.size() || sent.header.has(kRst)) continue;
      Peer& peer = peers_[i];
      if (sent.header.has(kSyn)) {
        peer.ack = sent.header.seq + 1;
        TcpRepr synack = header(peer, kSyn | kAck);
        synack.options.has_mss = true;
        synack.options.mss = 1460;
        synack.options.has_window_scale = true;
        synack.options.window_shift = 7;
        synack.options.sack_permitted = true;
        send(shards, i, synack, "");
        peer.nxt += 1;
        continue;
      }
      if (!sent.payload.empty() && sent.header.seq == peer.ack) {
        peer.request += sent.payload;
        peer.ack += static_cast<uint32_t>(sent.payload.size());
        if (!peer.answered && peer.request.find("\r\n\r\n") != std::string::npos) {
          peer.answered = true;
          answer(shards, i);
        }
      }
    }
  }

  size_t requests() const {
    return static_cast<size_t>(std::count_if(peers_.begin(), peers_.end(),
                                             [](const Peer& p) { return p.answered; }));
  }

 private:
  struct Peer {
    TcpTuple tuple;
    uint32_t nxt = 0;
    uint32_t ack = 0;
    std::string request;
    bool answered = false;
  };
  struct Sent {
    TcpTuple tuple;
    TcpRepr header;
    std::string payload;
  };

  TcpRepr header(const Peer& peer, uint8_t flags) const {
    return net::test::peer_segment(peer.tuple, peer.nxt, peer.ack, flags, 2048);
  }

  std::vector<uint8_t> wire(TcpRepr repr, const std::string& payload) const {
    repr.payload_len = payload.size();
    std::vector<uint8_t> bytes(repr.buffer_len());
    std::copy(payload.begin(), payload.end(), bytes.begin() + static_cast<long>(repr.header_len()));
    EXPECT_TRUE(repr.emit(MutableBytes(bytes.data(), bytes.size()), server_, client_));
    return bytes;
  }

  void send(HttpShards& shards, size_t i, const TcpRepr& repr, const std::string& payload) {
    std::vector<uint8_t> bytes = wire(repr, payload);
    shards.tcp_segment(static_cast<uint32_t>(i), server_, client_, Bytes(bytes.data(), bytes.size()));
  }

  // The range the request asked for, as nginx answers it: 206 with Content-Range.
  void answer(HttpShards& shards, size_t i) {
    Peer& peer = peers_[i];
    size_t at = peer.request.find("Range: bytes=");
    ASSERT_NE(at, std::string::npos) << peer.request;
    size_t first = std::stoul(peer.request.substr(at + 13));
    size_t last = std::stoul(peer.request.substr(peer.request.find('-', at) + 1));
    std::string body;
    for (size_t b = first; b <= last; ++b) body.push_back(static_cast<char>(file_byte(b)));
    std::string text = "HTTP/1.1 206 Partial Content\r\nServer: nginx\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\nContent-Range: bytes " +
                       std::to_string(first) + "-" + std::to_string(last) + "/" +
                       std::to_string(kFileSize) + "\r\n\r\n" + body;
    std::vector<std::pair<TcpRepr, std::string>> segments;
    for (size_t off = 0; off < text.size(); off += 1448) {
      TcpRepr r = header(peer, kAck | kPsh);
      r.seq = peer.nxt + static_cast<uint32_t>(off);
      segments.push_back({r, text.substr(off, 1448)});
    }
    peer.nxt += static_cast<uint32_t>(text.size());
    std::mt19937 random(static_cast<uint32_t>(i) + 1);
    // Reordered within runs of 6: this server never resends, and the client keeps
    // at most TcpConnection::kMaxRanges holes. The head goes first: until it is
    // parsed, the window is the scratch ring's.
    if (faults_.shuffle) {
      for (size_t k = 1; k < segments.size(); k += 6)
        std::shuffle(segments.begin() + static_cast<long>(k),
                     segments.begin() + static_cast<long>(std::min(k + 6, segments.size())), random);
    }
    for (size_t k = 0; k < segments.size(); ++k) {
      auto& [repr, payload] = segments[k];
      if (faults_.corrupt && k % 7 == 3) {
        std::vector<uint8_t> bad = wire(repr, payload);
        bad.back() ^= 0x40;
        shards.tcp_segment(static_cast<uint32_t>(i), server_, client_, Bytes(bad.data(), bad.size()));
      }
      send(shards, i, repr, payload);
      if (faults_.duplicate && k % 5 == 1) send(shards, i, repr, payload);
    }
  }

  Faults faults_;
  net::IpAddress client_ = kClient;
  net::IpAddress server_ = kServer;
  std::vector<Peer> peers_;
  std::deque<Sent> inbox_;
};

struct Download {
  std::vector<uint8_t> image = std::vector<uint8_t>(kFileSize);
  std::vector<std::vector<uint8_t>> scratch;
  std::vector<std::unique_ptr<net::TcpStream>> streams;
  std::vector<std::unique_ptr<net::HttpClient>> clients;
  std::unique_ptr<HttpShards> shards = std::make_unique<HttpShards>();
};

// Starts `n` range requests on the BSP and hands each connection to a shard.
void start(Download& d, WireServer& server, uint32_t n, uint32_t workers) {
  d.shards->reset(workers, 0);
  for (uint32_t i = 0; i < n; ++i) {
    d.scratch.emplace_back(16 * 1024);
    d.streams.push_back(std::make_unique<net::TcpStream>());
    d.streams.back()->attach(server);
    d.clients.push_back(std::make_unique<net::HttpClient>(
        *d.streams.back(), MutableBytes(d.scratch.back().data(), d.scratch.back().size())));
    uint64_t from = kFileSize * i / n;
    uint64_t to = kFileSize * (i + 1) / n;
    net::HttpGetRequest get;
    static const char kUrl[] = "http://10.77.0.1/image.img";
    get.url = Bytes(reinterpret_cast<const uint8_t*>(kUrl), sizeof(kUrl) - 1);
    get.body = MutableBytes(d.image.data() + from, static_cast<size_t>(to - from));
    get.has_range = true;
    get.range = net::HttpRange{from, to - 1};
    get.tcp.max_window = HttpShards::kMaxWindow;
    ASSERT_TRUE(d.clients[i]->start(get, 0));
    ASSERT_TRUE(d.shards->assign(i, *d.clients[i], *d.streams[i], 1460));
  }
}

// The BSP's loop: time, segments both ways, inline work when no worker is in.
// Returns the passes it took (bounded: a hang fails the test instead).
// The clock the BSP publishes follows the host's: with workers on threads, a clock
// that moved a millisecond per BSP pass ran far ahead of a worker the host left
// unscheduled (seen at load 20), and the connections' progress rules fired on
// time that had not passed for them.
Millis host_ms_since(std::chrono::steady_clock::time_point start) {
  return 1 + static_cast<Millis>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - start)
                                     .count());
}

uint64_t run_bsp(Download& d, WireServer& server, bool inline_when_alone) {
  uint64_t pass = 0;
  auto start = std::chrono::steady_clock::now();
  for (; !d.shards->all_finished() && pass < 20000000; ++pass) {
    Millis now = host_ms_since(start);
    if (now > 120000) break;
    d.shards->publish_now(now);
    server.pump(*d.shards);
    if (inline_when_alone && d.shards->running_workers() == 0) d.shards->run_inline();
    d.shards->drain(server);
    test::relax();
  }
  return pass;
}

void expect_image(const Download& d, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    EXPECT_TRUE(d.clients[i]->succeeded()) << "connection " << i << ": "
                                           << net::http_failure_text(d.clients[i]->failure());
    EXPECT_EQ(d.shards->body_bytes(i), d.clients[i]->body_bytes());
  }
  size_t wrong = 0;
  for (size_t b = 0; b < kFileSize; ++b) wrong += d.image[b] != file_byte(b);
  EXPECT_EQ(wrong, 0u);
}

void download_on_threads(uint32_t n, uint32_t workers, Faults faults) {
  WireServer server(faults);
  Download d;
  start(d, server, n, workers);
  std::vector<std::thread> threads;
  for (uint32_t w = 0; w < workers; ++w) threads.emplace_back([&] { d.shards->serve(); });
  run_bsp(d, server, false);
  d.shards->request_stop();
  for (auto& t : threads) t.join();
  d.shards->drain(server);
  EXPECT_EQ(server.requests(), n);
  expect_image(d, n);
  // Every worker is out: the BSP takes each connection back, once.
  for (uint32_t i = 0; i < n; ++i) {
    EXPECT_TRUE(d.shards->reclaim(i));
    EXPECT_FALSE(d.shards->reclaim(i));
  }
  EXPECT_FALSE(d.shards->reclaim(n));
  uint64_t inline_passes = 0;
  for (uint32_t i = 0; i < n; ++i) inline_passes += d.shards->stats(i).inline_passes;
  EXPECT_EQ(inline_passes, 0u) << "the BSP ran nothing itself";
}

TEST(HttpShards, FourConnectionsOnFourWorkersAreByteExact) { download_on_threads(4, 4, {}); }

TEST(HttpShards, TwoWorkersShareFourConnections) { download_on_threads(4, 2, {}); }

TEST(HttpShards, ShuffledAndDuplicatedSegmentsLandInPlace) {
  download_on_threads(4, 3, Faults{true, true, false});
}

void corrupt_segments_are_counted(WireServer& server) {
  Download d;
  start(d, server, 2, 2);
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) threads.emplace_back([&] { d.shards->serve(); });
  run_bsp(d, server, false);
  d.shards->request_stop();
  for (auto& t : threads) t.join();
  expect_image(d, 2);
  uint64_t bad = d.shards->stats(0).bad_segments + d.shards->stats(1).bad_segments;
  EXPECT_GT(bad, 0u);
  EXPECT_EQ(d.shards->totals().bad_segments, bad);
  EXPECT_EQ(d.shards->totals().segments,
            d.shards->stats(0).segments + d.shards->stats(1).segments);
}

TEST(HttpShards, CorruptSegmentsAreCountedAndTheGoodCopiesUsed) {
  WireServer server(Faults{false, false, true});
  corrupt_segments_are_counted(server);
}

// The workers check each segment over the IPv6 pseudo header the sink was given.
TEST(HttpShards, OverIpv6TheWorkersCheckTheIpv6PseudoHeader) {
  WireServer server(Faults{false, false, true}, kClient6, kServer6);
  corrupt_segments_are_counted(server);
}

TEST(HttpShards, WithoutWorkersTheBspRunsTheSameCode) {
  WireServer server(Faults{true, true, true});
  Download d;
  start(d, server, 4, 0);
  run_bsp(d, server, true);
  expect_image(d, 4);
  for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(d.shards->stats(i).inline_passes, d.shards->stats(i).passes);
}

TEST(HttpShards, AWorkerThatNeverCameLeavesItsShardsToTheBsp) {
  // Two workers allowed, one started: the BSP serves the other's shards whenever
  // no claim is held, so the download still completes.
  WireServer server(Faults{});
  Download d;
  start(d, server, 4, 2);
  std::thread one([&] { d.shards->serve(); });
  uint64_t pass = 0;
  auto start = std::chrono::steady_clock::now();
  for (; !d.shards->all_finished() && pass < 20000000; ++pass) {
    Millis now = host_ms_since(start);
    if (now > 120000) break;
    d.shards->publish_now(now);
    server.pump(*d.shards);
    d.shards->run_inline();
    d.shards->drain(server);
    test::relax();
  }
  d.shards->request_stop();
  one.join();
  expect_image(d, 4);
}

TEST(HttpShards, AFullInboundRingDropsAndCounts) {
  HttpShards::Stats before{};
  auto shards = std::make_unique<HttpShards>();
  shards->reset(0, 0);
  std::vector<uint8_t> scratch(4096);
  net::TcpStream stream;
  net::HttpClient client(stream, MutableBytes(scratch.data(), scratch.size()));
  ASSERT_TRUE(shards->assign(0, client, stream, 1460));
  uint8_t segment[40] = {};
  for (uint32_t k = 0; k < HttpShards::kInboundSlots + 3; ++k)
    shards->tcp_segment(0, kServer, kClient, Bytes(segment, sizeof(segment)));
  EXPECT_EQ(shards->stats(0).inbound_full, 3u);
  // A segment for no shard, or larger than a frame holds, is ignored.
  shards->tcp_segment(1, kServer, kClient, Bytes(segment, sizeof(segment)));
  EXPECT_EQ(shards->stats(0).inbound_full - before.inbound_full, 3u);
  // The idle client finishes nothing; a stop makes a worker return.
  shards->request_stop();
  std::thread worker([&] { shards->serve(); });
  worker.join();
  EXPECT_EQ(shards->running_workers(), 0u);
}

// Before the BSP's first publish_now(), workers run on the time reset() was given:
// a connection must never see time go back (its timestamps and timers would).
// Here the SYN went out at 0 and reset() says 1500: past the 1 s initial RTO, so
// the worker, with no publish at all, resends the SYN.
TEST(HttpShards, WorkersStartOnTheTimeResetWasGiven) {
  struct SynCounter final : net::TcpSender {
    net::Result<void> send_tcp(const TcpTuple&, const TcpRepr& header, Bytes) override {
      if (header.has(kSyn)) ++syns;
      return {};
    }
    int syns = 0;
  };
  WireServer server(Faults{});
  Download d;
  start(d, server, 1, 1);
  d.shards->reset(1, 1500);
  ASSERT_TRUE(d.shards->assign(0, *d.clients[0], *d.streams[0], 1460));
  std::thread worker([&] { d.shards->serve(); });
  SynCounter wire;
  for (int i = 0; i < 20000 && wire.syns == 0; ++i) {
    d.shards->drain(wire);
    test::relax();
  }
  d.shards->request_stop();
  worker.join();
  d.shards->drain(wire);
  EXPECT_EQ(wire.syns, 1);
}

TEST(HttpShards, AssignInOrderOnly) {
  auto shards = std::make_unique<HttpShards>();
  shards->reset(1, 0);
  std::vector<uint8_t> scratch(4096);
  net::TcpStream stream;
  net::HttpClient client(stream, MutableBytes(scratch.data(), scratch.size()));
  EXPECT_FALSE(shards->assign(1, client, stream, 1460));
  EXPECT_TRUE(shards->assign(0, client, stream, 1460));
  EXPECT_EQ(shards->shards(), 1u);
  for (uint32_t i = 1; i < HttpShards::kMaxShards; ++i) EXPECT_TRUE(shards->assign(i, client, stream, 1460));
  EXPECT_FALSE(shards->assign(HttpShards::kMaxShards, client, stream, 1460));
}

}  // namespace
}  // namespace mpxe::mp
