// The HTTP client (src/net/socket/http_client.*) over the real TCP machine,
// against a scripted server that answers with the bytes nginx really sent
// (http_responses.h), delivered in order or shuffled, whole or cut short.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/byte_ops.h"
#include "http_responses.h"
#include "sim_server.h"
#include "net/socket/http_client.h"
#include "net/stream/tcp_stream.h"

namespace mpxe::net {
namespace {

using namespace tcp_flags;
using test::Delivery;
using test::SimServer;
using test::file_byte;

template <size_t N>
std::string response(const uint8_t (&a)[N]) {
  return std::string(a, a + N);
}

class HttpClientTest : public ::testing::Test {
 protected:
  std::vector<uint8_t> scratch = std::vector<uint8_t>(16384);
  std::vector<uint8_t> body = std::vector<uint8_t>(8192, 0xEE);
  TcpStream stream;
  HttpClient client{stream, MutableBytes(scratch.data(), scratch.size())};
  SimServer server;
  Millis now = 1000;

  HttpClientTest() { stream.attach(server); }

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
      client.poll(now);
      for (auto& p : server.peers) p.conn->poll(now, server);
      server.tick(now);
      server.run(now);
      if (client.finished()) break;
      Millis next = client.next_deadline();
      for (auto& p : server.peers) next = std::min(next, p.conn->next_deadline());
      next = std::min(next, server.next_deadline());
      now = std::max(now + 1, std::min(next, end));
    }
    // Deferred actions (a reset after a failure) happen at the next poll.
    client.poll(now);
    server.run(now);
  }
};

TEST_F(HttpClientTest, GetsTheNginxFile) {
  server.responses.push_back(response(nginx::kStatus200));
  ASSERT_TRUE(client.start(request("http://10.77.0.1/file4000"), now));
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
  EXPECT_FALSE(client.start(named, now)) << "a name without an address needs DNS";
  named.has_address = true;
  named.address = Ipv4Address::of(10, 77, 0, 1);
  server.responses.push_back(response(nginx::kStatus200));
  ASSERT_TRUE(client.start(named, now));
  run();
  ASSERT_TRUE(client.succeeded()) << http_failure_text(client.failure());
  ASSERT_EQ(server.peers.size(), 1u);
  EXPECT_EQ(server.peers[0].tuple.remote, Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(server.peers[0].tuple.remote_port, 8080);
  ASSERT_EQ(server.requests.size(), 1u);
  EXPECT_EQ(server.requests[0].rfind("GET /file4000 HTTP/1.1\r\nHost: boot.example:8080\r\n", 0), 0u);
  for (size_t i = 0; i < 4000; ++i) ASSERT_EQ(body[i], file_byte(i)) << i;
}

TEST_F(HttpClientTest, AnIpv6LiteralConnectsToItsAddressAndSendsItInBrackets) {
  const IpAddress fd00_1 = Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 1);
  server.responses.push_back(response(nginx::kStatus200));
  ASSERT_TRUE(client.start(request("http://[fd00::1]:8080/file4000"), now));
  run();
  ASSERT_TRUE(client.succeeded()) << http_failure_text(client.failure());
  ASSERT_EQ(server.peers.size(), 1u);
  EXPECT_EQ(server.peers[0].tuple.remote, fd00_1);
  EXPECT_EQ(server.peers[0].tuple.remote_port, 8080);
  ASSERT_EQ(server.requests.size(), 1u);
  EXPECT_EQ(server.requests[0].rfind("GET /file4000 HTTP/1.1\r\nHost: [fd00::1]:8080\r\n", 0), 0u);
  for (size_t i = 0; i < 4000; ++i) ASSERT_EQ(body[i], file_byte(i)) << i;
}

TEST_F(HttpClientTest, ANameTheCallerFoundAnIpv6AddressForConnectsThere) {
  const IpAddress fd00_7 = Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 7);
  HttpGetRequest named = request("http://boot.example/file4000");
  named.has_address = true;
  named.address = fd00_7;
  server.responses.push_back(response(nginx::kStatus200));
  ASSERT_TRUE(client.start(named, now));
  run();
  ASSERT_TRUE(client.succeeded()) << http_failure_text(client.failure());
  ASSERT_EQ(server.peers.size(), 1u);
  EXPECT_EQ(server.peers[0].tuple.remote, fd00_7);
  EXPECT_EQ(server.requests[0].rfind("GET /file4000 HTTP/1.1\r\nHost: boot.example\r\n", 0), 0u);
}

TEST_F(HttpClientTest, ShuffledSegmentsLandInPlace) {
  for (Delivery d : {Delivery::Reversed, Delivery::DropFirstOnce}) {
    std::fill(body.begin(), body.end(), 0xEE);
    SimServer sim;
    TcpStream fresh_stream;
    fresh_stream.attach(sim);
    HttpClient fresh(fresh_stream, MutableBytes(scratch.data(), scratch.size()));
    sim.delivery = d;
    sim.responses.push_back(response(nginx::kStatus200));
    ASSERT_TRUE(fresh.start(request("http://10.77.0.1/file4000"), now));
    sim.run(now);
    fresh.poll(now);
    ASSERT_TRUE(fresh.succeeded()) << http_failure_text(fresh.failure());
    for (size_t i = 0; i < 4000; ++i) ASSERT_EQ(body[i], file_byte(i)) << i;
    EXPECT_GT(sim.peers[0].conn->stats().out_of_order, 0u);
    fresh.release();
  }
}

TEST_F(HttpClientTest, RangeGoesToItsSlice) {
  server.responses.push_back(response(nginx::kStatus206));
  HttpGetRequest r = request("http://10.77.0.1/file4000", 1000);
  r.has_range = true;
  r.range = {1000, 1999};
  ASSERT_TRUE(client.start(r, now));
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
  ASSERT_TRUE(client.start(r, now));
  run();
  EXPECT_EQ(client.failure(), HttpFailure::RangeIgnored);
}

TEST_F(HttpClientTest, FollowsRelativeAndAbsoluteRedirects) {
  server.responses.push_back(response(nginx::kStatus301));
  server.responses.push_back(response(nginx::kStatus302));
  server.responses.push_back(response(nginx::kStatus200));
  ASSERT_TRUE(client.start(request("http://10.77.0.1/moved"), now));
  run();
  ASSERT_TRUE(client.succeeded()) << http_failure_text(client.failure());
  EXPECT_EQ(client.stats().redirects, 2u);
  EXPECT_EQ(client.stats().connections, 3u);  // each answer said Connection: close
  ASSERT_EQ(server.requests.size(), 3u);
  EXPECT_EQ(server.requests[1].rfind("GET /file4000 ", 0), 0u);
  for (size_t i = 0; i < 4000; ++i) ASSERT_EQ(body[i], file_byte(i));
}

TEST_F(HttpClientTest, ARedirectOnTheSameNameGoesToTheCallersAddress) {
  const IpAddress fd00_7 = Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 7);
  server.responses.push_back(response(nginx::kStatus301));  // Location: /file4000
  server.responses.push_back(response(nginx::kStatus200));
  HttpGetRequest named = request("http://Boot.Example/moved");
  named.has_address = true;
  named.address = fd00_7;
  ASSERT_TRUE(client.start(named, now));
  run();
  ASSERT_TRUE(client.succeeded()) << http_failure_text(client.failure());
  EXPECT_EQ(client.stats().redirects, 1u);
  ASSERT_EQ(server.peers.size(), 2u);
  for (const auto& peer : server.peers) EXPECT_EQ(peer.tuple.remote, fd00_7);
  ASSERT_EQ(server.requests.size(), 2u);
  EXPECT_EQ(server.requests[1].rfind("GET /file4000 HTTP/1.1\r\nHost: Boot.Example\r\n", 0), 0u);
  for (size_t i = 0; i < 4000; ++i) ASSERT_EQ(body[i], file_byte(i)) << i;
}

TEST_F(HttpClientTest, RedirectLoopsAreBounded) {
  for (int i = 0; i < 10; ++i) server.responses.push_back(response(nginx::kStatus302));
  HttpGetRequest r = request("http://10.77.0.1/found");
  r.max_redirects = 3;
  ASSERT_TRUE(client.start(r, now));
  run();
  EXPECT_EQ(client.failure(), HttpFailure::TooManyRedirects);
  EXPECT_EQ(server.requests.size(), 4u);
}

TEST_F(HttpClientTest, ErrorStatusIsSurfacedWithItsText) {
  server.responses.push_back(response(nginx::kStatus404));
  ASSERT_TRUE(client.start(request("http://10.77.0.1/missing.efi"), now));
  run();
  EXPECT_EQ(client.failure(), HttpFailure::Status);
  EXPECT_EQ(client.error(), Error(Layer::Http, Errc::Rejected));
  EXPECT_EQ(client.status(), 404);
  EXPECT_STREQ(client.reason(), "Not Found");
}

TEST_F(HttpClientTest, ChunkedBodyIsDecoded) {
  server.responses.push_back(response(nginx::kChunked));
  ASSERT_TRUE(client.start(request("http://10.77.0.1/ssi/page.html"), now));
  run();
  ASSERT_TRUE(client.succeeded()) << http_failure_text(client.failure());
  std::string want = "<p>first part</p>\n10.77.0.1\n<p>after the include</p>\n";
  EXPECT_EQ(client.body_bytes(), want.size());
  EXPECT_EQ(std::string(body.begin(), body.begin() + want.size()), want);
}

TEST_F(HttpClientTest, ServerClosingMidBodyIsAClearError) {
  server.responses.push_back(response(nginx::kStatus200));
  server.cut_after = 2500;
  ASSERT_TRUE(client.start(request("http://10.77.0.1/file4000"), now));
  run();
  EXPECT_EQ(client.failure(), HttpFailure::ClosedEarly);
  EXPECT_EQ(client.error(), Error(Layer::Http, Errc::Closed));
  EXPECT_EQ(client.content_length(), 4000u);
  EXPECT_LT(client.body_bytes(), 4000u);
  EXPECT_GT(client.body_bytes(), 2000u);
}

TEST_F(HttpClientTest, BodyLargerThanTheBufferSaysItsSize) {
  server.responses.push_back(response(nginx::kStatus200));
  ASSERT_TRUE(client.start(request("http://10.77.0.1/file4000", 100), now));
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
  ASSERT_TRUE(client.start(r, now));
  Millis started = now;
  run();
  EXPECT_EQ(client.failure(), HttpFailure::Stalled);
  EXPECT_EQ(client.error(), Error(Layer::Http, Errc::TimedOut));
  EXPECT_LE(now - started, 5001u);
}

// A response of `length` bytes of file_byte(), with its head.
std::string file_response(size_t length) {
  std::string text = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
  for (size_t i = 0; i < length; ++i) text.push_back(static_cast<char>(file_byte(i)));
  return text;
}

TEST_F(HttpClientTest, AClosedDelimitedBodyLargerThanTheBufferIsTooBigEvenWithItsHead) {
  server.responses.push_back("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(300, 'x'));
  ASSERT_TRUE(client.start(request("http://10.77.0.1/file", 100), now));
  run();
  EXPECT_EQ(client.failure(), HttpFailure::TooBig);
}

TEST_F(HttpClientTest, AHeadTrickledAByteASecondTimesOut) {
  server.responses.push_back(file_response(4000));
  server.trickle_for = [](const std::string&) { return size_t{3}; };
  HttpGetRequest r = request("http://10.77.0.1/file4000");
  r.stall_ms = 5000;  // never trips: a byte comes every second
  r.head_ms = 10000;
  ASSERT_TRUE(client.start(r, now));
  const Millis started = now;
  run(120000);
  EXPECT_EQ(client.failure(), HttpFailure::HeadTimeout);
  EXPECT_GE(now - started, 10000u);
  EXPECT_LE(now - started, 10001u);
  char text[160];
  client.describe_failure(text, sizeof(text));
  EXPECT_STREQ(text, "no whole response head in time: not within 10000 ms of the request");
}

TEST_F(HttpClientTest, ABodyTrickledAByteASecondIsTooSlowWithTheFigures) {
  const std::string response = file_response(4000);
  const size_t head = response.find("\r\n\r\n") + 4;
  server.responses.push_back(response);
  server.trickle_for = [&](const std::string&) { return head + 100; };
  HttpGetRequest r = request("http://10.77.0.1/file4000");  // the default rules
  ASSERT_TRUE(client.start(r, now));
  const Millis started = now;
  run(600000);
  ASSERT_EQ(client.failure(), HttpFailure::TooSlow);
  // One window of the default rule after the head, give or take a poll.
  EXPECT_GE(now - started, r.rate_window_ms);
  EXPECT_LE(now - started, r.rate_window_ms + 1001);
  EXPECT_EQ(client.slow_window_ms(), now - started);
  EXPECT_GE(client.slow_bytes(), 19u);
  EXPECT_LE(client.slow_bytes(), 21u);
  char text[160];
  client.describe_failure(text, sizeof(text));
  char want[160];
  std::snprintf(want, sizeof(want), "server too slow: %llu bytes in %llu ms, under 1024 bytes/s",
                static_cast<unsigned long long>(client.slow_bytes()),
                static_cast<unsigned long long>(client.slow_window_ms()));
  EXPECT_STREQ(text, want);
  EXPECT_TRUE(server.segments_from_client.back().has(kRst)) << "the connection is reset";
}

TEST_F(HttpClientTest, ASlowButHonestLinkNeverTrips) {
  // 1.5 KB/s, a hundredth of a 1 Mbit/s link, for over three rate windows.
  body.resize(100000);
  server.responses.push_back(file_response(100000));
  server.trickle_for = [](const std::string&) { return size_t{1}; };
  server.trickle_every_ms = 1000;
  server.trickle_bytes = 1500;
  HttpGetRequest r = request("http://10.77.0.1/file", 100000);
  ASSERT_TRUE(client.start(r, now));
  const Millis started = now;
  run(600000);
  ASSERT_TRUE(client.succeeded()) << http_failure_text(client.failure());
  EXPECT_GT(now - started, 3 * r.rate_window_ms);
  for (size_t i = 0; i < body.size(); ++i) ASSERT_EQ(body[i], file_byte(i)) << i;
}

TEST_F(HttpClientTest, KeepAliveCarriesTheNextRequestAndHead) {
  std::string keep = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nAccept-Ranges: bytes\r\n\r\nhello";
  std::string head =
      "HTTP/1.1 200 OK\r\nContent-Length: 4000\r\nAccept-Ranges: bytes\r\n"
      "Content-Type: Application/VND.efi-IMG; x=1\r\n\r\n";
  server.responses.push_back(keep);
  server.responses.push_back(head);
  server.responses.push_back(keep);
  ASSERT_TRUE(client.start(request("http://10.77.0.1/a"), now));
  run();
  ASSERT_TRUE(client.succeeded());
  EXPECT_EQ(std::string(body.begin(), body.begin() + 5), "hello");
  HttpGetRequest h = request("http://10.77.0.1/big", 0);
  h.head = true;
  ASSERT_TRUE(client.start(h, now));
  run();
  ASSERT_TRUE(client.succeeded());
  EXPECT_EQ(client.content_length(), 4000u);
  EXPECT_TRUE(client.accept_ranges());
  EXPECT_STREQ(client.media_type(), "application/vnd.efi-img");
  EXPECT_EQ(server.requests[1].rfind("HEAD /big ", 0), 0u);
  ASSERT_TRUE(client.start(request("http://10.77.0.1/a"), now));
  run();
  ASSERT_TRUE(client.succeeded());
  EXPECT_STREQ(client.media_type(), "");  // each response says its own
  EXPECT_EQ(client.stats().connections, 1u);
  EXPECT_EQ(server.peers.size(), 1u);
  // A graceful close at the end.
  client.close();
  server.run(now);
  EXPECT_TRUE(client.connection_closed());
}

TEST_F(HttpClientTest, RefusesWhatItCannotFetch) {
  EXPECT_EQ(client.start(request("https://10.77.0.1/"), now).error(),
            Error(Layer::Http, Errc::Unsupported));
  EXPECT_EQ(client.start(request("http://boot.example/"), now).error(),
            Error(Layer::Http, Errc::Unsupported));
  EXPECT_EQ(client.start(request("http://[fe80::1%25eth0]/"), now).error(),
            Error(Layer::Http, Errc::Unsupported));
  EXPECT_EQ(client.state(), HttpClient::State::Idle);
}

}  // namespace
}  // namespace mpxe::net
