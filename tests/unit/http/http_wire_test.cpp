// HTTP/1.1 syntax (src/net/wire/http.*) against what nginx 1.22 really sent
// (http_responses.h) and hand-made hostile variations.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/byte_ops.h"
#include "http_responses.h"
#include "net/wire/http.h"

namespace mpxe::net {
namespace {

template <size_t N>
Bytes bytes(const uint8_t (&a)[N]) {
  return Bytes(a, N);
}
Bytes text(const std::string& s) { return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
std::string str(Bytes b) { return std::string(b.begin(), b.end()); }

uint8_t file_byte(size_t i) { return static_cast<uint8_t>((i * 7 + 3) & 0xFF); }

HttpResponseHead head_of(Bytes response) {
  auto head = HttpResponseHead::parse(response);
  EXPECT_TRUE(head.ok()) << error_text(head.error());
  return head.ok() ? head.value() : HttpResponseHead{};
}

TEST(HttpHead, Nginx200WithContentLength) {
  Bytes r = bytes(nginx::kStatus200);
  HttpResponseHead h = head_of(r);
  EXPECT_EQ(h.version_minor, 1);
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(str(h.reason), "OK");
  EXPECT_TRUE(h.has_content_length);
  EXPECT_EQ(h.content_length, 4000u);
  EXPECT_FALSE(h.chunked);
  EXPECT_FALSE(h.keep_alive);  // "Connection: close"
  EXPECT_TRUE(h.accept_ranges);
  EXPECT_EQ(r.size() - h.header_len, 4000u);
  for (size_t i = 0; i < 4000; ++i) ASSERT_EQ(r[h.header_len + i], file_byte(i));
}

TEST(HttpHead, MediaTypeLeavesItsParametersOut) {
  auto media = [](const char* text) {
    auto head = HttpResponseHead::parse(Bytes(reinterpret_cast<const uint8_t*>(text), strlen(text)));
    EXPECT_TRUE(head.ok());
    return head.ok() ? str(head.value().media_type) : std::string("(error)");
  };
  EXPECT_EQ(media("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.efi-iso\r\n\r\n"),
            "application/vnd.efi-iso");
  EXPECT_EQ(media("HTTP/1.1 200 OK\r\ncontent-type:  Text/HTML ; charset=utf-8\r\n\r\n"), "Text/HTML");
  EXPECT_EQ(media("HTTP/1.1 200 OK\r\nContent-Type:\r\n\r\n"), "");
  EXPECT_EQ(media("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), "");
}

TEST(HttpHead, EveryPrefixIsTruncated) {
  Bytes r = bytes(nginx::kStatus200);
  size_t header_len = head_of(r).header_len;
  for (size_t n = 0; n < header_len; ++n)
    ASSERT_EQ(HttpResponseHead::parse(r.first(n)).error(), Error(Layer::Http, Errc::Truncated)) << n;
}

TEST(HttpHead, Nginx206CarriesItsRange) {
  Bytes r = bytes(nginx::kStatus206);
  HttpResponseHead h = head_of(r);
  EXPECT_EQ(h.status, 206);
  EXPECT_EQ(str(h.reason), "Partial Content");
  EXPECT_EQ(h.content_length, 1000u);
  ASSERT_TRUE(h.has_content_range);
  EXPECT_TRUE(h.content_range.satisfied);
  EXPECT_EQ(h.content_range.first, 1000u);
  EXPECT_EQ(h.content_range.last, 1999u);
  EXPECT_EQ(h.content_range.complete, 4000u);
  for (size_t i = 0; i < 1000; ++i) ASSERT_EQ(r[h.header_len + i], file_byte(1000 + i));
}

TEST(HttpHead, Nginx416SaysTheSize) {
  HttpResponseHead h = head_of(bytes(nginx::kStatus416));
  EXPECT_EQ(h.status, 416);
  EXPECT_EQ(str(h.reason), "Requested Range Not Satisfiable");
  ASSERT_TRUE(h.has_content_range);
  EXPECT_FALSE(h.content_range.satisfied);
  EXPECT_EQ(h.content_range.complete, 4000u);
}

TEST(HttpHead, NginxRedirects) {
  HttpResponseHead moved = head_of(bytes(nginx::kStatus301));
  EXPECT_EQ(moved.status, 301);
  EXPECT_TRUE(moved.is_redirect());
  EXPECT_EQ(str(moved.location), "/file4000");
  HttpResponseHead found = head_of(bytes(nginx::kStatus302));
  EXPECT_EQ(found.status, 302);
  EXPECT_EQ(str(found.reason), "Moved Temporarily");
  EXPECT_EQ(str(found.location), "http://10.77.0.1/file4000");

  auto base = HttpUrl::parse(text("http://10.77.0.1:8080/boot/moved?x=1"));
  ASSERT_TRUE(base);
  auto next = base.value().resolve(moved.location);
  ASSERT_TRUE(next);
  EXPECT_EQ(str(next.value().path_bytes()), "/file4000");
  EXPECT_EQ(next.value().port, 8080);
  auto absolute = base.value().resolve(found.location);
  ASSERT_TRUE(absolute);
  EXPECT_EQ(absolute.value().port, 80);
  EXPECT_TRUE(absolute.value().has_address);
}

TEST(HttpHead, Nginx404KeepsItsText) {
  HttpResponseHead h = head_of(bytes(nginx::kStatus404));
  EXPECT_EQ(h.status, 404);
  EXPECT_EQ(str(h.reason), "Not Found");
  EXPECT_EQ(h.content_length, 153u);
}

TEST(HttpChunked, NginxSsiPageDecodes) {
  Bytes r = bytes(nginx::kChunked);
  HttpResponseHead h = head_of(r);
  EXPECT_TRUE(h.chunked);
  EXPECT_FALSE(h.has_content_length);
  std::string want = "<p>first part</p>\n10.77.0.1\n<p>after the include</p>\n";
  // Whole, and fed one byte at a time.
  for (size_t piece : {r.size(), size_t{1}, size_t{3}}) {
    HttpChunkDecoder decoder;
    std::string body;
    Bytes rest = r.subspan(h.header_len);
    while (!rest.empty() && !decoder.done()) {
      Bytes chunk = rest.first(piece);
      while (!chunk.empty()) {
        auto step = decoder.feed(chunk);
        ASSERT_TRUE(step);
        body += str(step.value().data);
        chunk = chunk.subspan(step.value().consumed);
        rest = rest.subspan(step.value().consumed);
        if (step.value().consumed == 0) break;
      }
    }
    EXPECT_TRUE(decoder.done());
    EXPECT_TRUE(rest.empty());
    EXPECT_EQ(body, want);
  }
}

TEST(HttpChunked, ExtensionsTrailersAndBareLf) {
  std::string coded = "4;name=value\r\nWiki\r\n5\npedia\n0\r\nExpires: never\r\nX: y\r\n\r\nNEXT";
  HttpChunkDecoder decoder;
  std::string body;
  Bytes rest = text(coded);
  while (!decoder.done()) {
    auto step = decoder.feed(rest);
    ASSERT_TRUE(step);
    body += str(step.value().data);
    rest = rest.subspan(step.value().consumed);
  }
  EXPECT_EQ(body, "Wikipedia");
  EXPECT_EQ(str(rest), "NEXT");  // the decoder stops at the end of the message
}

TEST(HttpChunked, RejectsMalformedFraming) {
  for (const char* bad : {"x\r\n", "\r\n", "4\r\nWikiX\r\n", "11111111111111111\r\n", "4 \r\nab"}) {
    HttpChunkDecoder decoder;
    const std::string input(bad);  // outlives the view below
    Bytes rest = text(input);
    bool failed = false;
    while (!rest.empty()) {
      auto step = decoder.feed(rest);
      if (!step) {
        failed = true;
        break;
      }
      if (step.value().consumed == 0) break;
      rest = rest.subspan(step.value().consumed);
    }
    if (std::string(bad) == "4 \r\nab") {
      EXPECT_FALSE(failed);  // whitespace before an extension is tolerated
    } else {
      EXPECT_TRUE(failed) << bad;
    }
  }
}

TEST(HttpHead, RejectsHostileHeads) {
  struct Case {
    const char* head;
    Errc why;
  } cases[] = {
      {"HTTP/2.0 200 OK\r\n\r\n", Errc::BadVersion},
      {"ICY 200 OK\r\n\r\n", Errc::BadVersion},
      {"HTTP/1.1 2000 OK\r\n\r\n", Errc::BadValue},
      {"HTTP/1.1 099 Low\r\n\r\n", Errc::BadValue},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", Errc::BadValue},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", Errc::BadValue},
      {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", Errc::BadValue},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Errc::Unsupported},
      {"HTTP/1.1 200 OK\r\nX-Long: a\r\n  folded\r\n\r\n", Errc::Unsupported},
      {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", Errc::BadValue},
      {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", Errc::BadValue},
      {"HTTP/1.1 206 Partial\r\nContent-Range: bytes 9-3/10\r\n\r\n", Errc::BadValue},
      {"HTTP/1.1 206 Partial\r\nContent-Range: bytes 0-10/10\r\n\r\n", Errc::BadValue},
  };
  for (const Case& c : cases)
    EXPECT_EQ(HttpResponseHead::parse(text(c.head)).error(), Error(Layer::Http, c.why)) << c.head;
}

TEST(HttpHead, LenientWhereTheRfcAllows) {
  auto h = HttpResponseHead::parse(text("HTTP/1.0 200\nContent-Length: 7, 7\nConnection: Keep-Alive\n\nbody"));
  ASSERT_TRUE(h);
  EXPECT_EQ(h.value().status, 200);
  EXPECT_TRUE(h.value().reason.empty());
  EXPECT_EQ(h.value().content_length, 7u);
  EXPECT_TRUE(h.value().keep_alive);
  auto h10 = HttpResponseHead::parse(text("HTTP/1.0 200 OK\r\n\r\n"));
  ASSERT_TRUE(h10);
  EXPECT_FALSE(h10.value().keep_alive);
  // Transfer-Encoding wins over Content-Length, and the connection is not reused.
  auto both = HttpResponseHead::parse(
      text("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n"));
  ASSERT_TRUE(both);
  EXPECT_TRUE(both.value().chunked);
  EXPECT_FALSE(both.value().has_content_length);
  EXPECT_FALSE(both.value().keep_alive);
}

TEST(HttpUrl, ParsesWhatBootConfigsHold) {
  auto u = HttpUrl::parse(text("HTTP://10.77.0.1:8080/images/boot.efi?arch=x64#frag"));
  ASSERT_TRUE(u);
  EXPECT_EQ(str(u.value().host_bytes()), "10.77.0.1");
  EXPECT_TRUE(u.value().has_address);
  EXPECT_EQ(u.value().address, (Ipv4Address{{10, 77, 0, 1}}));
  EXPECT_EQ(u.value().port, 8080);
  EXPECT_EQ(str(u.value().path_bytes()), "/images/boot.efi?arch=x64");
  auto bare = HttpUrl::parse(text("http://boot.example"));
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare.value().has_address);
  EXPECT_EQ(str(bare.value().path_bytes()), "/");
  EXPECT_EQ(bare.value().port, 80);
  EXPECT_EQ(HttpUrl::parse(text("ftp://10.0.0.1/")).error(), Error(Layer::Http, Errc::Unsupported));
  EXPECT_EQ(HttpUrl::parse(text("http://u:p@10.0.0.1/")).error(), Error(Layer::Http, Errc::BadValue));
  EXPECT_EQ(HttpUrl::parse(text("http://10.0.0.1:99999/")).error(), Error(Layer::Http, Errc::BadValue));
  EXPECT_EQ(HttpUrl::parse(text("http://10.0.0.1/a b")).error(), Error(Layer::Http, Errc::BadValue));
  EXPECT_EQ(HttpUrl::parse(text("10.0.0.1/file")).error(), Error(Layer::Http, Errc::BadValue));
  std::string long_path = "http://10.0.0.1/" + std::string(2000, 'a');
  EXPECT_EQ(HttpUrl::parse(text(long_path)).error(), Error(Layer::Http, Errc::TooBig));
}

TEST(HttpUrl, HttpsDefaultsToPort443AndKeepsItsScheme) {
  auto u = HttpUrl::parse(text("HTTPS://boot.example/a/boot.efi"));
  ASSERT_TRUE(u);
  EXPECT_TRUE(u.value().secure);
  EXPECT_EQ(u.value().port, 443);
  EXPECT_EQ(str(u.value().host_bytes()), "boot.example");
  char back[64];
  u.value().format(back, sizeof back);
  EXPECT_STREQ(back, "https://boot.example/a/boot.efi");
  // A relative redirect stays on https; an absolute one says its own scheme.
  auto next = u.value().resolve(text("b.efi"));
  ASSERT_TRUE(next);
  EXPECT_TRUE(next.value().secure);
  EXPECT_EQ(next.value().port, 443);
  EXPECT_EQ(str(next.value().path_bytes()), "/a/b.efi");
  EXPECT_FALSE(u.value().resolve(text("http://boot.example/x")).value().secure);
  // Same host and port, another scheme: another origin.
  auto plain = HttpUrl::parse(text("http://boot.example:443/")).value();
  EXPECT_FALSE(u.value().same_origin(plain));
  auto odd = HttpUrl::parse(text("https://10.0.0.1:8443/x")).value();
  odd.format(back, sizeof back);
  EXPECT_STREQ(back, "https://10.0.0.1:8443/x");
  uint8_t out[256];
  auto len = http_emit_request(MutableBytes(out), u.value(), false, nullptr, true);
  ASSERT_TRUE(len);
  EXPECT_NE(std::string(reinterpret_cast<char*>(out), len.value()).find("Host: boot.example\r\n"),
            std::string::npos);
}

TEST(HttpUrl, ResolvesRelativeLocations) {
  auto base = HttpUrl::parse(text("http://10.0.0.1/a/b/c.efi?q")).value();
  EXPECT_EQ(str(base.resolve(text("d.efi")).value().path_bytes()), "/a/b/d.efi");
  EXPECT_EQ(str(base.resolve(text("/x")).value().path_bytes()), "/x");
  auto other = base.resolve(text("//10.0.0.9:81/y"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other.value().port, 81);
  EXPECT_FALSE(other.value().same_origin(base));
  EXPECT_TRUE(base.resolve(text("/x")).value().same_origin(base));
}

TEST(HttpUrl, FormatsWhatParseReadsBack) {
  char out[128];
  auto plain = HttpUrl::parse(text("HTTP://Boot.Example:80/a/b.efi?x=1#frag")).value();
  EXPECT_EQ(plain.format(out, sizeof(out)), 31u);
  EXPECT_STREQ(out, "http://Boot.Example/a/b.efi?x=1");
  auto ported = HttpUrl::parse(text("http://10.0.2.2:8080")).value();
  ported.format(out, sizeof(out));
  EXPECT_STREQ(out, "http://10.0.2.2:8080/");
  auto again = HttpUrl::parse(text(out)).value();
  EXPECT_EQ(again.port, 8080);
  EXPECT_EQ(str(again.path_bytes()), "/");
  char small[12];
  EXPECT_EQ(ported.format(small, sizeof(small)), 21u) << "the full length, as format() says";
  EXPECT_STREQ(small, "http://10.0");
  EXPECT_EQ(ported.format(nullptr, 0), 21u);
}

// RFC 3986 3.2.2: IP-literal = "[" ( IPv6address / IPvFuture ) "]"; RFC 6874's
// zone identifiers are refused, as is IPvFuture.
TEST(HttpUrl, Ipv6LiteralsKeepTheirBrackets) {
  struct Good {
    const char* url;
    const char* host;
    IpAddress address;
    uint16_t port;
    const char* path;
    const char* formatted;
  };
  const Good good[] = {
      {"http://[fd00::1]:8080/boot.efi", "[fd00::1]", Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 1), 8080,
       "/boot.efi", "http://[fd00::1]:8080/boot.efi"},
      {"https://[2001:db8::5]/x", "[2001:db8::5]", Ipv6Address::of(0x2001, 0xdb8, 0, 0, 0, 0, 0, 5), 443,
       "/x", "https://[2001:db8::5]/x"},
      {"HTTP://[FD00:0:0::1]", "[FD00:0:0::1]", Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 1), 80, "/",
       "http://[FD00:0:0::1]/"},
      {"http://[fd00::1]:/a?q#f", "[fd00::1]", Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 1), 80, "/a?q",
       "http://[fd00::1]/a?q"},
      {"http://[fe80::5054:ff:fe12:3456]?x", "[fe80::5054:ff:fe12:3456]",
       Ipv6Address::of(0xfe80, 0, 0, 0, 0x5054, 0xff, 0xfe12, 0x3456), 80, "/?x",
       "http://[fe80::5054:ff:fe12:3456]/?x"},
      // An IPv4-mapped literal names an IPv4 host.
      {"http://[::ffff:10.0.0.1]:81/a", "[::ffff:10.0.0.1]", Ipv4Address::of(10, 0, 0, 1), 81, "/a",
       "http://[::ffff:10.0.0.1]:81/a"},
  };
  for (const Good& g : good) {
    SCOPED_TRACE(g.url);
    auto u = HttpUrl::parse(text(g.url));
    ASSERT_TRUE(u) << error_text(u.error());
    EXPECT_EQ(str(u.value().host_bytes()), g.host);
    EXPECT_TRUE(u.value().has_address);
    EXPECT_TRUE(u.value().is_ipv6_literal());
    EXPECT_EQ(u.value().address, g.address);
    EXPECT_EQ(u.value().port, g.port);
    EXPECT_EQ(str(u.value().path_bytes()), g.path);
    char out[128];
    EXPECT_EQ(u.value().format(out, sizeof out), strlen(g.formatted));
    EXPECT_STREQ(out, g.formatted);
    auto again = HttpUrl::parse(text(out));
    ASSERT_TRUE(again);
    EXPECT_EQ(again.value().address, g.address);
    EXPECT_TRUE(again.value().same_origin(u.value()));
  }
  EXPECT_FALSE(HttpUrl::parse(text("http://10.0.0.1/")).value().is_ipv6_literal());

  struct Bad {
    const char* url;
    Errc reason;
    const char* why;
  };
  const Bad bad[] = {
      {"http://[fe80::1%25eth0]/", Errc::Unsupported, "an IPv6 zone index ([...%25zone], RFC 6874)"},
      {"http://[fe80::1%eth0]:80/", Errc::Unsupported, "an IPv6 zone index ([...%25zone], RFC 6874)"},
      {"http://[v1.fe80::a+en1]/", Errc::Unsupported, "an IPvFuture literal ([v...])"},
      {"http://[V7.x]/", Errc::Unsupported, "an IPvFuture literal ([v...])"},
      {"http://[fd00::1/boot.efi", Errc::BadValue, "an IPv6 literal without its ']'"},
      {"http://[fd00::g]/", Errc::BadAddress, "a malformed IPv6 literal"},
      {"http://[]/", Errc::BadAddress, "a malformed IPv6 literal"},
      {"http://[10.0.0.1]/", Errc::BadAddress, "a malformed IPv6 literal"},
      {"http://[1:2:3:4:5:6:7:8:9]/", Errc::BadAddress, "a malformed IPv6 literal"},
      {"http://[fd00::1]x/", Errc::BadValue, "text after the IPv6 literal's ']' that is no :port"},
      {"http://[fd00::1]:0/", Errc::BadValue, "a port that is not 1-65535"},
      {"http://[fd00::1]:65536/", Errc::BadValue, "a port that is not 1-65535"},
      {"http://fd00::1/", Errc::BadValue, "a port that is not 1-65535"},
      {"http://a[b]/", Errc::BadValue, "a host character other than a letter, digit, '-', '.' or '_'"},
      {"http://u@[fd00::1]/", Errc::BadValue, "user information (user@) in the URL"},
      {"tftp://[fd00::1]/boot.efi", Errc::Unsupported, "a scheme other than http:// or https://"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.url);
    const char* why = nullptr;
    auto u = HttpUrl::parse(text(b.url), &why);
    ASSERT_FALSE(u);
    EXPECT_EQ(u.error(), Error(Layer::Http, b.reason));
    ASSERT_NE(why, nullptr);
    EXPECT_STREQ(why, b.why);
  }
}

TEST(HttpUrl, Ipv6LiteralsResolveAndCompareByAddress) {
  auto base = HttpUrl::parse(text("http://[fd00::1]:8080/a/b.efi")).value();
  char out[128];
  auto relative = base.resolve(text("c.efi"));
  ASSERT_TRUE(relative);
  relative.value().format(out, sizeof out);
  EXPECT_STREQ(out, "http://[fd00::1]:8080/a/c.efi");
  EXPECT_TRUE(relative.value().same_origin(base));
  auto absolute_path = base.resolve(text("/x?y"));
  ASSERT_TRUE(absolute_path);
  absolute_path.value().format(out, sizeof out);
  EXPECT_STREQ(out, "http://[fd00::1]:8080/x?y");
  auto other = base.resolve(text("//[fd00::2]/y"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other.value().address, IpAddress(Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 2)));
  EXPECT_EQ(other.value().port, 80);
  EXPECT_FALSE(other.value().same_origin(base));
  // Another spelling of the same address is the same origin; a name is not.
  EXPECT_TRUE(base.resolve(text("http://[FD00:0::0:1]:8080/z")).value().same_origin(base));
  EXPECT_FALSE(base.resolve(text("http://fd00.example:8080/z")).value().same_origin(base));
  EXPECT_FALSE(base.resolve(text("http://[fd00::1]/z")).value().same_origin(base));
  EXPECT_EQ(base.resolve(text("//[fe80::1%25eth0]/")).error(), Error(Layer::Http, Errc::Unsupported));
}

// RFC 9112 7.2 (and RFC 3986 3.2.2): Host = uri-host [ ":" port ], the literal
// in its brackets.
TEST(HttpRequest, HostHeaderCarriesTheBracketedLiteral) {
  uint8_t out[512];
  auto ported = HttpUrl::parse(text("http://[fd00::1]:8080/boot.efi")).value();
  auto len = http_emit_request(MutableBytes(out), ported, false, nullptr, true);
  ASSERT_TRUE(len);
  EXPECT_EQ(str(Bytes(out, len.value())),
            "GET /boot.efi HTTP/1.1\r\nHost: [fd00::1]:8080\r\nUser-Agent: mpxe\r\nAccept: */*\r\n\r\n");
  auto secure = HttpUrl::parse(text("https://[2001:db8::5]/x")).value();
  len = http_emit_request(MutableBytes(out), secure, true, nullptr, false);
  ASSERT_TRUE(len);
  EXPECT_EQ(str(Bytes(out, len.value())),
            "HEAD /x HTTP/1.1\r\nHost: [2001:db8::5]\r\nUser-Agent: mpxe\r\nAccept: */*\r\n"
            "Connection: close\r\n\r\n");
}

TEST(HttpRequest, BuildsGetAndHead) {
  auto url = HttpUrl::parse(text("http://10.77.0.1:8080/boot.efi")).value();
  uint8_t out[512];
  HttpRange range{100, 199};
  auto len = http_emit_request(MutableBytes(out), url, false, &range, true);
  ASSERT_TRUE(len);
  EXPECT_EQ(str(Bytes(out, len.value())),
            "GET /boot.efi HTTP/1.1\r\nHost: 10.77.0.1:8080\r\nUser-Agent: mpxe\r\nAccept: */*\r\n"
            "Range: bytes=100-199\r\n\r\n");
  len = http_emit_request(MutableBytes(out), url, true, nullptr, false);
  ASSERT_TRUE(len);
  EXPECT_EQ(str(Bytes(out, len.value())),
            "HEAD /boot.efi HTTP/1.1\r\nHost: 10.77.0.1:8080\r\nUser-Agent: mpxe\r\nAccept: */*\r\n"
            "Connection: close\r\n\r\n");
  EXPECT_EQ(http_emit_request(MutableBytes(out, 20), url, true, nullptr, false).error(),
            Error(Layer::Http, Errc::NoSpace));
}

}  // namespace
}  // namespace mpxe::net
