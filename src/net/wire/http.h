// HTTP/1.1 message syntax for a client (RFC 9110, RFC 9112): URLs, the GET/HEAD
// request it sends, the response head it reads (status line, the header fields
// that frame the body or redirect it), Content-Range, and the chunked coding.
// Nothing here allocates or keeps pointers beyond what a view says.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ip_address.h"

namespace mpxe::net {

inline constexpr uint16_t kHttpDefaultPort = 80;
inline constexpr uint16_t kHttpsDefaultPort = 443;

// An http:// or https:// URL. A host that is a name parses with has_address
// false: the caller looks it up. An IP literal (A.B.C.D, or [IPv6] as RFC 3986
// 3.2.2 writes it) fills address; the host text keeps the brackets, so format(),
// resolve() and the Host header (RFC 9112 7.2) write "[fd00::1]:8080".
struct HttpUrl {
  static constexpr size_t kMaxHost = 253;
  static constexpr size_t kMaxPath = 1024;

  bool secure = false;           // https: over TLS
  char host[kMaxHost + 1] = {};  // NUL-terminated, as written (a name, A.B.C.D or [IPv6])
  size_t host_len = 0;
  uint16_t port = kHttpDefaultPort;
  bool explicit_port = false;
  char path[kMaxPath + 1] = {};  // from the first '/', query included, fragment dropped; "/" when empty
  size_t path_len = 0;
  bool has_address = false;
  IpAddress address;  // either family; an IPv4-mapped literal ([::ffff:a.b.c.d]) is IPv4

  // ("http://" | "https://") host [":" port] [path-abempty ["?" query]] ["#" fragment].
  // Http/Unsupported for another scheme, an IPv6 zone index ("[fe80::1%25eth0]",
  // RFC 6874) or an IPvFuture literal ("[v1.x]"); Http/BadAddress for a
  // malformed IPv6 literal; Http/BadValue for another malformed URL, Http/TooBig
  // past the limits above. The scheme is case-insensitive. `why` (when given)
  // gets a sentence naming what was refused, for the caller to print.
  static Result<HttpUrl> parse(Bytes text, const char** why = nullptr);
  // A Location value resolved against this URL (RFC 3986 5.2, the forms servers
  // send): an absolute URL, "//authority/path", an absolute path, or a path
  // relative to this one's directory. Query and fragment of a relative path are
  // kept as written.
  Result<HttpUrl> resolve(Bytes location) const;

  Bytes host_bytes() const { return Bytes(reinterpret_cast<const uint8_t*>(host), host_len); }
  Bytes path_bytes() const { return Bytes(reinterpret_cast<const uint8_t*>(path), path_len); }
  // The host is an IPv6 literal: host holds "[...]".
  bool is_ipv6_literal() const { return host_len != 0 && host[0] == '['; }
  // Scheme, port and host: two IPv6 literals by their address, anything else by
  // its text without regard to case.
  bool same_origin(const HttpUrl& other) const;
  uint16_t default_port() const { return secure ? kHttpsDefaultPort : kHttpDefaultPort; }
  const char* scheme() const { return secure ? "https" : "http"; }
  // scheme "://" host [":" port] path, the port only when not the scheme's: what parse() reads
  // back as this URL. Returns the full length, as format() does; out is cut short
  // and NUL-terminated when capacity is less.
  size_t format(char* out, size_t capacity) const;
};

struct HttpRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive, as on the wire
  uint64_t length() const { return last - first + 1; }
};

// "GET /path HTTP/1.1" with Host, User-Agent, Accept, an optional Range and,
// unless keep_alive, "Connection: close". Returns the length written; Http/NoSpace
// when `out` is too small.
Result<size_t> http_emit_request(MutableBytes out, const HttpUrl& url, bool head,
                                 const HttpRange* range, bool keep_alive);

// Content-Range (RFC 9110 14.4): "bytes FIRST-LAST/COMPLETE", "bytes FIRST-LAST/*",
// or, in a 416, "bytes */COMPLETE".
struct HttpContentRange {
  bool satisfied = false;  // FIRST-LAST present
  uint64_t first = 0;
  uint64_t last = 0;
  bool has_complete = false;
  uint64_t complete = 0;
  static Result<HttpContentRange> parse(Bytes value);
  constexpr bool operator==(const HttpContentRange&) const = default;
};

// A response's status line and header section (RFC 9112 2-6).
struct HttpResponseHead {
  static constexpr size_t kMaxReason = 63;

  uint8_t version_minor = 1;  // HTTP/1.x
  uint16_t status = 0;
  Bytes reason;               // into the parsed bytes
  size_t header_len = 0;      // through the empty line that ends the head
  bool has_content_length = false;
  uint64_t content_length = 0;
  bool chunked = false;       // Transfer-Encoding ends in chunked
  bool keep_alive = true;     // HTTP/1.1 without "Connection: close", or 1.0 with keep-alive
  bool has_content_range = false;
  HttpContentRange content_range;
  bool accept_ranges = false;  // "Accept-Ranges: bytes"
  Bytes location;              // into the parsed bytes; empty when absent
  // Content-Type's media type (RFC 9110 8.3.1), without its parameters: into the
  // parsed bytes; empty when absent.
  Bytes media_type;

  // Parses the head at the start of `bytes`. Http/Truncated until the empty line
  // that ends it is there (feed more and try again); Http/BadVersion for a
  // status line that is not HTTP/1.x; Http/BadValue for a malformed line, a bad
  // or conflicting Content-Length, or a Transfer-Encoding other than chunked
  // (this client takes no compressed images); Http/Unsupported for obs-fold
  // continuation lines. Lines may end in CRLF or a bare LF (RFC 9112 2.2).
  static Result<HttpResponseHead> parse(Bytes bytes);

  bool is_redirect() const {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }
  // RFC 9112 6.3: no body after 1xx, 204 and 304 (and none for HEAD, which the
  // head cannot tell; the client knows).
  bool has_body() const { return status >= 200 && status != 204 && status != 304; }
};

// The chunked transfer coding (RFC 9112 7.1), incrementally: feed() it the
// received bytes in order, any split; it returns how many it consumed and the
// chunk data among them (a sub-span of the input). Chunk extensions and
// trailer fields are skipped. A chunk-size over 16 hex digits, a missing CRLF
// after the data, or a malformed line fails with Http/BadValue; a line longer
// than kMaxLine fails with Http/TooBig.
class HttpChunkDecoder {
 public:
  static constexpr size_t kMaxLine = 4096;

  struct Step {
    size_t consumed = 0;
    Bytes data;
  };
  Result<Step> feed(Bytes input);
  bool done() const { return state_ == State::Done; }

 private:
  enum class State : uint8_t { Size, Extension, SizeLf, Data, DataCr, DataLf, Trailer, TrailerLf, Done };
  State state_ = State::Size;
  uint64_t remaining_ = 0;
  uint8_t digits_ = 0;
  size_t line_len_ = 0;
  bool trailer_empty_ = true;  // the trailer line being read is empty so far
};

}  // namespace mpxe::net
