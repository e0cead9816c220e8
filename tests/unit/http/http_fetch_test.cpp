// The multi-connection download (src/net/fetch/http_fetch.*) over real HTTP
// clients and TCP machines, against a scripted server that serves byte ranges of
// one file, at explicit times.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "net/fetch/http_connection.h"
#include "net/fetch/http_fetch.h"
#include "sim_server.h"

namespace mpxe::net {
namespace {

using test::SimServer;
using test::file_byte;

constexpr uint64_t kFileSize = 100 * 1024 + 123;
constexpr char kUrl[] = "http://10.77.0.1/image.img";

// Answers a GET of the file: 206 for a range, 200 without one.
std::string file_response(const std::string& head, bool keep_alive = true) {
  uint64_t first = 0, last = kFileSize - 1;
  bool range = false;
  size_t at = head.find("Range: bytes=");
  if (at != std::string::npos) {
    unsigned long long a = 0, b = 0;
    range = std::sscanf(head.c_str() + at, "Range: bytes=%llu-%llu", &a, &b) == 2;
    first = a;
    last = b;
  }
  std::string body;
  for (uint64_t i = first; i <= last; ++i) body.push_back(static_cast<char>(file_byte(i)));
  std::string text = range ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n";
  text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (range)
    text += "Content-Range: bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
            std::to_string(kFileSize) + "\r\n";
  text += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  return text + body;
}

// Records what the fetch reports.
struct Recorder final : FetchObserver {
  void fetch_final(uint64_t offset, uint64_t length) override { finals.push_back({offset, length}); }
  void fetch_progress(const HttpFetch& fetch, Millis elapsed) override {
    progress.push_back({fetch.received(), elapsed});
  }
  void fetch_cannot_start(uint32_t, Error) override { ++cannot_start; }

  std::vector<std::pair<uint64_t, uint64_t>> finals;    // offset, length
  std::vector<std::pair<uint64_t, Millis>> progress;    // received, elapsed
  int cannot_start = 0;
};

class HttpFetchTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kConnections = 4;

  HttpFetchTest() {
    for (uint32_t i = 0; i < kConnections; ++i) {
      scratch.emplace_back(16384);
      conns.push_back(std::make_unique<HttpConnection>(MutableBytes(scratch.back().data(), 16384)));
      conns.back()->stream.attach(server);
      clients[i] = &conns.back()->client;
    }
    fetch_storage = std::make_unique<HttpFetch>(clients, kConnections);
    server.responder = [](const std::string& head) { return file_response(head); };
    policy.min_range = 8 * 1024;
    policy.chunk = 16 * 1024;
  }

  HttpFetch::Request request(uint32_t connections) {
    HttpFetch::Request r;
    r.url = Bytes(reinterpret_cast<const uint8_t*>(kUrl), sizeof(kUrl) - 1);
    r.buffer = MutableBytes(image.data(), image.size());
    r.connections = connections;
    r.accept_ranges = true;
    return r;
  }

  // The caller's loop: the server's side, the connections' timers, the fetch.
  void run(Millis limit = 120000) {
    Millis end = now + limit;
    server.run(now);
    while (!fetch().finished() && now < end) {
      fetch().poll(now);
      for (auto& p : server.peers) p.conn->poll(now, server);
      server.tick(now);
      server.run(now);
      if (fetch().finished()) break;
      Millis next = fetch().next_deadline();
      for (auto& p : server.peers) next = std::min(next, p.conn->next_deadline());
      next = std::min(next, server.next_deadline());
      now = std::max(now + 1, std::min(next, end));
    }
  }

  // A runner of the connections away from the fetch (the ROM's APs), here the
  // test's own loop: run_elsewhere_until_recalled() polls the clients itself.
  struct ClientRunner final : FetchRunner {
    explicit ClientRunner(HttpClient* const* c) : clients(c) {}
    uint64_t body_bytes(uint32_t i) const override { return clients[i]->body_bytes(); }
    bool finished(uint32_t i) const override { return clients[i]->finished(); }
    HttpClient* const* clients;
  };

  // The fetch's connections run elsewhere, in 10 ms steps, until it wants them
  // back or has finished (a minute at most).
  void run_elsewhere_until_recalled() {
    fetch().run_elsewhere(&elsewhere);
    server.run(now);
    for (Millis end = now + 60000; !fetch().needs_local() && !fetch().finished() && now < end;
         now += 10) {
      for (uint32_t i = 0; i < fetch().connections(); ++i) clients[i]->poll(now);
      for (auto& p : server.peers) p.conn->poll(now, server);
      server.tick(now);
      server.run(now);
      fetch().poll(now);
    }
  }

  void trickle_first_range_after(size_t bytes);

  // Every byte of the file is in place, and was announced final exactly once, in order.
  void expect_whole_file() {
    size_t wrong = 0;
    for (size_t i = 0; i < kFileSize; ++i) wrong += image[i] != file_byte(i);
    EXPECT_EQ(wrong, 0u);
    uint64_t next = 0;
    for (auto [offset, length] : recorder.finals) {
      EXPECT_EQ(offset, next);
      EXPECT_GT(length, 0u);
      next = offset + length;
    }
    EXPECT_EQ(next, kFileSize);
  }

  std::vector<std::vector<uint8_t>> scratch;
  std::vector<std::unique_ptr<HttpConnection>> conns;
  HttpClient* clients[kConnections] = {};
  ClientRunner elsewhere{clients};
  SimServer server;
  std::unique_ptr<HttpFetch> fetch_storage;  // made once the clients are
  HttpFetch& fetch() { return *fetch_storage; }
  FetchPolicy policy;
  Recorder recorder;
  std::vector<uint8_t> image = std::vector<uint8_t>(kFileSize, 0xEE);
  Millis now = 1000;
};

TEST_F(HttpFetchTest, ChunksGoInOrderOverKeptAliveConnections) {
  ASSERT_TRUE(fetch().start(request(3), policy, recorder, now));
  EXPECT_EQ(fetch().connections(), 3u);
  EXPECT_EQ(fetch().plan().chunk_count(), 7u);  // 100 KiB in 16 KiB chunks
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  EXPECT_EQ(server.requests.size(), 7u);
  EXPECT_EQ(server.peers.size(), 3u) << "later chunks reuse their connection";
  uint32_t reused = 0;
  for (uint32_t i = 0; i < 3; ++i) reused += fetch().client(i).stats().reused;
  EXPECT_EQ(reused, 4u);
  EXPECT_EQ(fetch().received(), kFileSize);
  EXPECT_EQ(server.requests[0].find("Range: bytes=0-16383\r\n") != std::string::npos, true);
}

TEST_F(HttpFetchTest, WithoutRangesOneConnectionTakesTheWholeFile) {
  HttpFetch::Request r = request(4);
  r.accept_ranges = false;
  ASSERT_TRUE(fetch().start(r, policy, recorder, now));
  EXPECT_EQ(fetch().connections(), 1u);
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  ASSERT_EQ(server.requests.size(), 1u);
  EXPECT_EQ(server.requests[0].find("Range:"), std::string::npos);
}

TEST_F(HttpFetchTest, RangesNeverGoBelowTheMinimum) {
  policy.min_range = 40 * 1024;  // 100 KiB: two ranges of at least 40 KiB, not four
  ASSERT_TRUE(fetch().start(request(4), policy, recorder, now));
  EXPECT_EQ(fetch().connections(), 2u);
  EXPECT_EQ(fetch_connection_count(FetchPolicy{}, 3u << 20, 4, 4, true), 3u)
      << "the ROM's policy: 1 MiB a range at least";
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
}

TEST_F(HttpFetchTest, ADroppedKeepAliveConnectionIsReopened) {
  server.max_responses_per_connection = 1;
  ASSERT_TRUE(fetch().start(request(2), policy, recorder, now));
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  // 7 chunks, each on a connection of its own: the server closed every one after
  // its first response, as the next request went out.
  EXPECT_EQ(server.peers.size(), 7u);
}

TEST_F(HttpFetchTest, AFailedChunkFailsTheFetchOnceTheOthersStop) {
  int answered = 0;
  server.responder = [&](const std::string& head) {
    if (++answered == 4) return std::string("HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n");
    return file_response(head);
  };
  ASSERT_TRUE(fetch().start(request(3), policy, recorder, now));
  run();
  ASSERT_TRUE(fetch().finished());
  EXPECT_FALSE(fetch().succeeded());
  uint32_t failed = 0;
  for (uint32_t i = 0; i < 3; ++i) failed += fetch().client(i).failure() == HttpFailure::Status;
  EXPECT_EQ(failed, 1u);
  EXPECT_LT(server.requests.size(), 7u) << "no new chunk after the failure";
  uint64_t announced = 0;
  for (auto [offset, length] : recorder.finals) announced = offset + length;
  EXPECT_LT(announced, kFileSize) << "the part after the failed chunk is not final";
}

TEST_F(HttpFetchTest, ProgressComesOnTimeAndCountsEveryConnection) {
  server.hold = true;
  ASSERT_TRUE(fetch().start(request(2), policy, recorder, now));
  server.run(now);
  fetch().poll(now);
  EXPECT_TRUE(recorder.progress.empty());
  EXPECT_EQ(fetch().next_deadline(), now + policy.progress_every_ms);
  now += policy.progress_every_ms;
  fetch().poll(now);
  ASSERT_EQ(recorder.progress.size(), 1u);
  EXPECT_EQ(recorder.progress[0], std::make_pair(uint64_t{0}, policy.progress_every_ms));
  server.release(now);
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  fetch().report_progress(now);
  EXPECT_EQ(recorder.progress.back().first, kFileSize);
}

// A runner elsewhere owns the clients: the fetch reads it and polls nobody.
TEST_F(HttpFetchTest, ConnectionsRunElsewhereAreReadNotPolled) {
  struct Runner final : FetchRunner {
    uint64_t body_bytes(uint32_t) const override { return bytes; }
    bool finished(uint32_t) const override { return done; }
    uint64_t bytes = 0;
    bool done = false;
  } runner;
  HttpFetch::Request r = request(2);
  r.one_range_each = true;
  ASSERT_TRUE(fetch().start(r, policy, recorder, now));
  EXPECT_EQ(fetch().plan().chunk_count(), 2u);
  fetch().run_elsewhere(&runner);
  runner.bytes = 1000;
  fetch().poll(now);
  EXPECT_EQ(fetch().received(), 2000u);
  ASSERT_EQ(recorder.finals.size(), 1u);
  EXPECT_EQ(recorder.finals[0], std::make_pair(uint64_t{0}, uint64_t{1000}));
  EXPECT_EQ(server.requests.size(), 0u) << "nothing polled the clients: no request went out";
}


// The first byte of the range a request head asks for, and its last (the whole
// file without a Range).
std::pair<uint64_t, uint64_t> asked(const std::string& head) {
  unsigned long long a = 0, b = kFileSize - 1;
  size_t at = head.find("Range: bytes=");
  if (at != std::string::npos) std::sscanf(head.c_str() + at, "Range: bytes=%llu-%llu", &a, &b);
  return {a, b};
}

size_t head_length(const std::string& head) { return file_response(head).find("\r\n\r\n") + 4; }

// The first answer for the range from byte 0 sends `bytes` of its body, then
// trickles the rest (server.trickle_bytes every server.trickle_every_ms).
void HttpFetchTest::trickle_first_range_after(size_t bytes) {
  server.trickle_for = [bytes, slow = false](const std::string& head) mutable -> size_t {
    if (slow || asked(head).first != 0) return 0;
    slow = true;
    return head_length(head) + bytes;
  };
}

TEST_F(HttpFetchTest, ACutRangeIsAskedAgainFromWhereItStopped) {
  // The first answer for each range is cut 3000 bytes into its body.
  std::vector<uint64_t> cut_ends;
  server.cut_for = [&](const std::string& head) -> size_t {
    const uint64_t last = asked(head).second;
    if (std::find(cut_ends.begin(), cut_ends.end(), last) != cut_ends.end()) return 0;
    cut_ends.push_back(last);
    return head_length(head) + 3000;
  };
  ASSERT_TRUE(fetch().start(request(3), policy, recorder, now));
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  EXPECT_EQ(fetch().resumes(), 7u) << "each of the 7 chunks once";
  EXPECT_EQ(server.requests.size(), 14u);
  uint32_t resumed = 0;
  for (const std::string& head : server.requests) {
    auto [first, last] = asked(head);
    if (first % policy.chunk == 3000) {
      ++resumed;
      EXPECT_EQ(last + 1, std::min<uint64_t>(first - 3000 + policy.chunk, kFileSize)) << head;
    }
  }
  EXPECT_EQ(resumed, 7u) << "every second request starts where the first stopped";
  EXPECT_EQ(fetch().received(), kFileSize) << "no byte counted twice";
}

TEST_F(HttpFetchTest, OneConnectionWithRangesResumesWithARangeOfTheRest) {
  bool cut = false;
  server.cut_for = [&](const std::string& head) -> size_t {
    if (cut) return 0;
    cut = true;
    return head_length(head) + 30000;
  };
  ASSERT_TRUE(fetch().start(request(1), policy, recorder, now));
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  ASSERT_EQ(server.requests.size(), 2u);
  EXPECT_EQ(server.requests[0].find("Range:"), std::string::npos);
  EXPECT_NE(server.requests[1].find("Range: bytes=30000-" + std::to_string(kFileSize - 1) + "\r\n"),
            std::string::npos)
      << server.requests[1];
}

TEST_F(HttpFetchTest, WithoutRangesACutBodyIsFetchedAgainFromTheStart) {
  bool cut = false;
  server.cut_for = [&](const std::string& head) -> size_t {
    if (cut) return 0;
    cut = true;
    return head_length(head) + 30000;
  };
  HttpFetch::Request r = request(4);
  r.accept_ranges = false;
  ASSERT_TRUE(fetch().start(r, policy, recorder, now));
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  ASSERT_EQ(server.requests.size(), 2u);
  EXPECT_EQ(server.requests[1].find("Range:"), std::string::npos);
}

TEST_F(HttpFetchTest, AServerThatTruncatesEveryResponseEndsInANamedError) {
  server.cut_for = [&](const std::string& head) { return head_length(head) + 1000; };
  ASSERT_TRUE(fetch().start(request(1), policy, recorder, now));
  const Millis started = now;
  run();
  ASSERT_TRUE(fetch().finished());
  EXPECT_FALSE(fetch().succeeded());
  EXPECT_EQ(server.requests.size(), 1u + policy.max_resumes);
  // The backoffs (0.5 + 1 + 2 s) and little else.
  EXPECT_LE(now - started, 4000u);
  char text[256];
  fetch().describe_failure(text, sizeof(text));
  EXPECT_STREQ(text,
               "truncated every time: bytes 0-102522 in 4 tries, each resumed where the last "
               "stopped; the last: server closed the connection before the end of the body (1000 "
               "of 99523 bytes)");
  uint64_t announced = 0;
  for (auto [offset, length] : recorder.finals) announced = offset + length;
  EXPECT_EQ(announced, 4000u) << "what did arrive, in order, is final";
}

TEST_F(HttpFetchTest, WithoutRangesATruncatingServerGetsOneFreshGet) {
  server.cut_for = [&](const std::string& head) { return head_length(head) + 1000; };
  HttpFetch::Request r = request(1);
  r.accept_ranges = false;
  ASSERT_TRUE(fetch().start(r, policy, recorder, now));
  run();
  ASSERT_TRUE(fetch().finished());
  EXPECT_FALSE(fetch().succeeded());
  EXPECT_EQ(server.requests.size(), 2u);
  char text[256];
  fetch().describe_failure(text, sizeof(text));
  EXPECT_STREQ(text,
               "truncated every time: bytes 0-102522 in 2 tries, each from byte 0; the last: server "
               "closed the connection before the end of the body (1000 of 102523 bytes)");
}

TEST_F(HttpFetchTest, ATricklingServerEndsTooSlowInBoundedTime) {
  server.trickle_for = [&](const std::string& head) { return head_length(head) + 10; };
  HttpFetch::Request r = request(1);
  r.accept_ranges = false;
  ASSERT_TRUE(fetch().start(r, policy, recorder, now));
  const Millis started = now;
  run(600000);
  ASSERT_TRUE(fetch().finished());
  EXPECT_FALSE(fetch().succeeded());
  EXPECT_EQ(server.requests.size(), 2u);
  // Two requests of one rate window each, and a backoff.
  EXPECT_LE(now - started, 2 * (policy.rate_window_ms + 1000) + policy.resume_backoff_ms);
  char text[256];
  fetch().describe_failure(text, sizeof(text));
  EXPECT_NE(std::string(text).find("cut short every time: bytes 0-102522 in 2 tries, each from "
                                   "byte 0; the last: server too slow: "),
            std::string::npos)
      << text;
}

TEST_F(HttpFetchTest, ATooSlowConnectionsChunkIsTakenOverByAnother) {
  policy.chunk = 0;  // one range each: connection 0 has 0-51261, connection 1 the rest
  policy.overtake_gain_ms = 0;  // the rate rule's way, not overtaking's (below)
  trickle_first_range_after(5000);
  ASSERT_TRUE(fetch().start(request(2), policy, recorder, now));
  run(600000);
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  EXPECT_EQ(fetch().resumes(), 1u);
  ASSERT_EQ(server.requests.size(), 3u);
  EXPECT_NE(server.requests[2].find("Range: bytes="), std::string::npos);
  // From where the slow one stopped: 5000 bytes, then a byte a second for a window.
  EXPECT_GE(asked(server.requests[2]).first, 5000u + policy.rate_window_ms / 1000 - 2);
  EXPECT_LE(asked(server.requests[2]).first, 5000u + policy.rate_window_ms / 1000 + 2);
  EXPECT_EQ(server.peers.size(), 2u) << "the rest went on connection 1's kept-alive connection";
  EXPECT_EQ(fetch().client(1).stats().reused, 1u);
}

// Within every rule but far slower than a connection that has finished: the
// finished one takes the rest, and the download does not wait on the slow one.
TEST_F(HttpFetchTest, ASlowConnectionWithinItsRulesIsOvertakenByAFinishedOne) {
  policy.chunk = 0;  // one range each: connection 0 has 0-51261, connection 1 the rest
  server.trickle_bytes = 2000;  // 2000 bytes/s: above min_rate, so never too slow
  trickle_first_range_after(5000);
  ASSERT_TRUE(fetch().start(request(2), policy, recorder, now));
  const Millis started = now;
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  EXPECT_EQ(fetch().overtakes(), 1u);
  EXPECT_EQ(fetch().resumes(), 0u);
  // At 2000 bytes/s the slow range had 23 s to go; measured for a second, then
  // taken over.
  EXPECT_LT(now - started, 3000u);
  ASSERT_EQ(server.requests.size(), 3u);
  const uint64_t from = asked(server.requests[2]).first;
  EXPECT_GE(from, 5000u);
  EXPECT_LE(from, 5000u + 2 * server.trickle_bytes);
  EXPECT_EQ(asked(server.requests[2]).second, 51261u);
  EXPECT_EQ(server.peers.size(), 2u) << "on connection 1's kept-alive connection";
  EXPECT_EQ(fetch().client(0).failure(), HttpFailure::Connection) << "the slow request was closed";
}

// A slow connection near its end is left to finish: taking over would not bring
// the end forward by overtake_gain_ms.
TEST_F(HttpFetchTest, ASlowConnectionNearItsEndIsLeftToFinish) {
  policy.chunk = 0;
  server.trickle_bytes = 2000;
  trickle_first_range_after(51262 - 3000);  // 3000 bytes left: 1.5 s at 2000 bytes/s
  ASSERT_TRUE(fetch().start(request(2), policy, recorder, now));
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  EXPECT_EQ(fetch().overtakes(), 0u);
  EXPECT_EQ(server.requests.size(), 2u);
}

TEST_F(HttpFetchTest, ADownloadUnderItsRateRuleEndsNamed) {
  // Each connection's own rate rule is off: only the download's can end it.
  policy.min_rate = 0;
  policy.download_min_rate = 4096;
  policy.download_rate_window_ms = 10000;
  server.trickle_bytes = 1000;  // 2000 bytes/s over both connections
  server.trickle_for = [&](const std::string& head) { return head_length(head) + 100; };
  ASSERT_TRUE(fetch().start(request(2), policy, recorder, now));
  const Millis started = now;
  run();
  ASSERT_TRUE(fetch().finished());
  EXPECT_FALSE(fetch().succeeded());
  EXPECT_TRUE(fetch().too_slow());
  EXPECT_FALSE(fetch().stalled());
  EXPECT_EQ(fetch().failed_client(), nullptr);
  EXPECT_EQ(now - started, 10000u);
  char text[256];
  fetch().describe_failure(text, sizeof(text));
  // Each connection: 100 bytes at once, then 1000 a second for 9 s.
  EXPECT_STREQ(text,
               "download too slow: 18200 bytes in 10000 ms over every connection, under 4096 "
               "bytes/s (9100 of 102523 bytes final)");
  for (uint32_t i = 0; i < 2; ++i) EXPECT_TRUE(fetch().client(i).finished());
}

TEST_F(HttpFetchTest, AnHonestDownloadAboveItsRateRuleGoesOn) {
  policy.min_rate = 0;
  policy.download_min_rate = 1500;
  policy.download_rate_window_ms = 10000;
  server.trickle_bytes = 1000;  // 2000 bytes/s over both connections: slow, enough
  server.trickle_for = [&](const std::string& head) -> size_t {
    return asked(head).first == 0 || asked(head).first == 51262 ? head_length(head) + 30000 : 0;
  };
  policy.chunk = 0;
  ASSERT_TRUE(fetch().start(request(2), policy, recorder, now));
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  EXPECT_FALSE(fetch().too_slow());
}

TEST_F(HttpFetchTest, NoByteForTheDownloadsBoundEndsEveryConnection) {
  // Each connection's own rules would wait longer: the download's bound ends it.
  policy.min_rate = 0;
  policy.download_stall_ms = 5000;
  server.trickle_for = [&](const std::string& head) { return head_length(head) + 100; };
  server.trickle_every_ms = 1000000;
  ASSERT_TRUE(fetch().start(request(2), policy, recorder, now));
  const Millis started = now;
  run();
  ASSERT_TRUE(fetch().finished());
  EXPECT_FALSE(fetch().succeeded());
  EXPECT_TRUE(fetch().stalled());
  EXPECT_GE(now - started, 5000u);
  EXPECT_LE(now - started, 5001u);
  char text[256];
  fetch().describe_failure(text, sizeof(text));
  EXPECT_STREQ(text, "no byte of the download arrived for 5000 ms (100 of 102523 bytes final)");
  for (uint32_t i = 0; i < 2; ++i) EXPECT_TRUE(fetch().client(i).finished());
}

// Connections run elsewhere cannot start a request: a cut one is resumed once
// they are all back.
TEST_F(HttpFetchTest, ACutRangeRunElsewhereIsResumedOnceTheConnectionsAreBack) {
  bool cut = false;
  server.cut_for = [&](const std::string& head) -> size_t {
    if (cut) return 0;
    cut = true;
    return head_length(head) + 2000;
  };
  HttpFetch::Request r = request(2);
  r.one_range_each = true;
  ASSERT_TRUE(fetch().start(r, policy, recorder, now));
  run_elsewhere_until_recalled();
  ASSERT_TRUE(fetch().needs_local());
  EXPECT_EQ(server.requests.size(), 2u) << "nothing was started while they ran elsewhere";
  fetch().run_elsewhere(nullptr);
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  ASSERT_EQ(server.requests.size(), 3u);
  EXPECT_EQ(asked(server.requests[2]).first, 2000u);
}

// Connections run elsewhere are taken back for what only the fetch's side can
// do: overtake a slow one, end a download under its rate rule.
TEST_F(HttpFetchTest, RunElsewhereASlowConnectionIsOvertakenOnceTheyAreBack) {
  server.trickle_bytes = 2000;
  trickle_first_range_after(5000);
  HttpFetch::Request r = request(2);
  r.one_range_each = true;
  ASSERT_TRUE(fetch().start(r, policy, recorder, now));
  run_elsewhere_until_recalled();
  ASSERT_TRUE(fetch().needs_local());
  EXPECT_EQ(fetch().recall(), HttpFetch::Recall::Overtake);
  EXPECT_EQ(server.requests.size(), 2u) << "nothing was started while they ran elsewhere";
  fetch().run_elsewhere(nullptr);
  run();
  ASSERT_TRUE(fetch().succeeded());
  expect_whole_file();
  EXPECT_EQ(fetch().overtakes(), 1u);
  ASSERT_EQ(server.requests.size(), 3u);
  EXPECT_GE(asked(server.requests[2]).first, 5000u);
}

TEST_F(HttpFetchTest, RunElsewhereADownloadUnderItsRateRuleIsEndedOnceTheyAreBack) {
  policy.min_rate = 0;
  policy.download_rate_window_ms = 10000;
  server.trickle_bytes = 100;
  server.trickle_for = [&](const std::string& head) { return head_length(head) + 100; };
  HttpFetch::Request r = request(2);
  r.one_range_each = true;
  ASSERT_TRUE(fetch().start(r, policy, recorder, now));
  run_elsewhere_until_recalled();
  ASSERT_TRUE(fetch().needs_local());
  EXPECT_EQ(fetch().recall(), HttpFetch::Recall::GiveUp);
  EXPECT_FALSE(fetch().finished()) << "its connections are not its to end yet";
  fetch().run_elsewhere(nullptr);
  fetch().poll(now);
  ASSERT_TRUE(fetch().finished());
  EXPECT_FALSE(fetch().succeeded());
  EXPECT_TRUE(fetch().too_slow());
  for (uint32_t i = 0; i < 2; ++i) EXPECT_TRUE(fetch().client(i).finished());
}

}  // namespace
}  // namespace mpxe::net
