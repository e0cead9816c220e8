#include "net/wire/http.h"

#include "core/byte_ops.h"
#include "core/format.h"

namespace mpxe::net {
namespace {

Error http_error(Errc reason) { return Error(Layer::Http, reason); }

bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
bool is_ows(uint8_t c) { return c == ' ' || c == '\t'; }
// RFC 9110 5.6.2 tchar.
bool is_tchar(uint8_t c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool starts_with_nocase(Bytes text, const char* prefix) {
  Bytes p = bytes_of(prefix);
  return text.size() >= p.size() && bytes_equal_nocase(text.first(p.size()), p);
}

Bytes trim_ows(Bytes b) {
  size_t start = 0, end = b.size();
  while (start < end && is_ows(b[start])) ++start;
  while (end > start && is_ows(b[end - 1])) --end;
  return b.subspan(start, end - start);
}

// A decimal that fits in 63 bits; digits only.
bool parse_u64(Bytes text, uint64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  uint64_t value = 0;
  for (uint8_t c : text) {
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

// Calls f(element) for each comma-separated element of a list value, trimmed;
// empty elements are skipped (RFC 9110 5.6.1).
template <typename F>
void for_each_element(Bytes value, F f) {
  size_t start = 0;
  for (size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || value[i] == ',') {
      Bytes element = trim_ows(value.subspan(start, i - start));
      if (!element.empty()) f(element);
      start = i + 1;
    }
  }
}

// A bounded string builder over a caller's buffer.
class Writer {
 public:
  explicit Writer(MutableBytes out) : out_(out) {}
  void put(Bytes b) {
    if (len_ + b.size() > out_.size()) {
      overflow_ = true;
      return;
    }
    for (size_t i = 0; i < b.size(); ++i) out_[len_ + i] = b[i];
    len_ += b.size();
  }
  void put(const char* s) { put(bytes_of(s)); }
  void put_u64(uint64_t v) {
    char digits[20];
    size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    char text[21];
    for (size_t i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
    text[n] = 0;
    put(text);
  }
  size_t len() const { return len_; }
  bool overflow() const { return overflow_; }

 private:
  MutableBytes out_;
  size_t len_ = 0;
  bool overflow_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------
// URLs

namespace {

// Records why a URL was refused, for callers that print it.
Error url_error(Errc reason, const char** why, const char* text) {
  if (why != nullptr) *why = text;
  return http_error(reason);
}

bool is_host_char(uint8_t c) {
  return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '-' || c == '.' || c == '_';
}

}  // namespace

Result<HttpUrl> HttpUrl::parse(Bytes text, const char** why) {
  const bool secure = starts_with_nocase(text, "https://");
  if (!secure && !starts_with_nocase(text, "http://")) {
    for (size_t i = 0; i + 2 < text.size(); ++i)
      if (text[i] == ':' && text[i + 1] == '/' && text[i + 2] == '/')
        return url_error(Errc::Unsupported, why, "a scheme other than http:// or https://");
    return url_error(Errc::BadValue, why, "not an http:// or https:// URL");
  }
  Bytes rest = text.subspan(secure ? 8 : 7);
  size_t auth_end = 0;
  while (auth_end < rest.size() && rest[auth_end] != '/' && rest[auth_end] != '?' &&
         rest[auth_end] != '#')
    ++auth_end;
  Bytes authority = rest.first(auth_end);
  HttpUrl url;
  url.secure = secure;
  url.port = url.default_port();
  for (uint8_t c : authority)
    if (c == '@') return url_error(Errc::BadValue, why, "user information (user@) in the URL");
  // The host ends at the port's ':', or, for an IP literal (RFC 3986 3.2.2),
  // at its ']'.
  size_t host_end = 0;
  if (!authority.empty() && authority[0] == '[') {
    while (host_end < authority.size() && authority[host_end] != ']') ++host_end;
    if (host_end == authority.size()) return url_error(Errc::BadValue, why, "an IPv6 literal without its ']'");
    ++host_end;
    Bytes literal = authority.subspan(1, host_end - 2);
    if (!literal.empty() && (literal[0] | 0x20) == 'v')
      return url_error(Errc::Unsupported, why, "an IPvFuture literal ([v...])");
    for (uint8_t c : literal)
      if (c == '%') return url_error(Errc::Unsupported, why, "an IPv6 zone index ([...%25zone], RFC 6874)");
    Result<Ipv6Address> v6 = Ipv6Address::parse(literal);
    if (!v6) return url_error(Errc::BadAddress, why, "a malformed IPv6 literal");
    url.has_address = true;
    // ::ffff:a.b.c.d names an IPv4 host (RFC 4291 2.5.5.2): reached over IPv4.
    url.address = v6.value().is_v4_mapped() ? IpAddress(Ipv4Address::from_bytes(v6.value().octets + 12))
                                            : IpAddress(v6.value());
    if (host_end < authority.size() && authority[host_end] != ':')
      return url_error(Errc::BadValue, why, "text after the IPv6 literal's ']' that is no :port");
  } else {
    while (host_end < authority.size() && authority[host_end] != ':') ++host_end;
  }
  Bytes host = authority.first(host_end);
  if (host.empty()) return url_error(Errc::BadValue, why, "no host");
  if (host.size() > kMaxHost) return url_error(Errc::TooBig, why, "a host over 253 characters");
  if (!url.has_address) {
    for (uint8_t c : host)
      if (!is_host_char(c))
        return url_error(Errc::BadValue, why, "a host character other than a letter, digit, '-', '.' or '_'");
    Result<Ipv4Address> v4 = Ipv4Address::parse(host);
    if (v4) {
      url.has_address = true;
      url.address = v4.value();
    }
  }
  if (host_end < authority.size()) {
    Bytes port = authority.subspan(host_end + 1);
    if (!port.empty()) {
      uint64_t value = 0;
      if (port.size() > 5 || !parse_u64(port, value) || value == 0 || value > 0xFFFF)
        return url_error(Errc::BadValue, why, "a port that is not 1-65535");
      url.port = static_cast<uint16_t>(value);
      url.explicit_port = true;
    }
  }
  for (size_t i = 0; i < host.size(); ++i) url.host[i] = static_cast<char>(host[i]);
  url.host_len = host.size();
  Bytes path = rest.subspan(auth_end);
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '#') {
      path = path.first(i);
      break;
    }
  }
  size_t n = 0;
  if (path.empty() || path[0] == '?') url.path[n++] = '/';
  if (n + path.size() > kMaxPath) return url_error(Errc::TooBig, why, "a path over 1024 characters");
  for (uint8_t c : path) {
    if (c <= 0x20 || c >= 0x7F)
      return url_error(Errc::BadValue, why, "a space, control or non-ASCII character in the path");
    url.path[n++] = static_cast<char>(c);
  }
  url.path_len = n;
  return url;
}

Result<HttpUrl> HttpUrl::resolve(Bytes location) const {
  location = trim_ows(location);
  if (location.empty()) return http_error(Errc::BadValue);
  // An absolute URL: a scheme before any '/', '?' or '#'.
  for (size_t i = 0; i < location.size(); ++i) {
    uint8_t c = location[i];
    if (c == '/' || c == '?' || c == '#') break;
    if (c == ':') return parse(location);
  }
  uint8_t text[16 + kMaxHost + 2 * kMaxPath];
  Writer w{MutableBytes(text)};
  w.put(scheme());
  w.put("://");
  if (location.size() >= 2 && location[0] == '/' && location[1] == '/') {
    w.put(location.subspan(2));
  } else {
    w.put(host_bytes());
    if (explicit_port) {
      w.put(":");
      w.put_u64(port);
    }
    if (location[0] != '/') {
      // Relative to this path's directory: up to its last '/' before any query.
      size_t end = 0;
      for (size_t i = 0; i < path_len && path[i] != '?'; ++i)
        if (path[i] == '/') end = i + 1;
      w.put(path_bytes().first(end));
    }
    w.put(location);
  }
  if (w.overflow()) return http_error(Errc::TooBig);
  return parse(Bytes(text, w.len()));
}

bool HttpUrl::same_origin(const HttpUrl& other) const {
  if (secure != other.secure || port != other.port) return false;
  // One IPv6 address has many spellings ([fd00::1], [FD00:0::1]); a name is
  // compared as text even when a lookup has filled in its address.
  if (is_ipv6_literal() && other.is_ipv6_literal()) return address == other.address;
  return bytes_equal_nocase(host_bytes(), other.host_bytes());
}

size_t HttpUrl::format(char* out, size_t capacity) const {
  if (port == default_port()) return mpxe::format(out, capacity, "%s://%s%s", scheme(), host, path);
  return mpxe::format(out, capacity, "%s://%s:%u%s", scheme(), host, static_cast<unsigned>(port), path);
}

Result<size_t> http_emit_request(MutableBytes out, const HttpUrl& url, bool head,
                                 const HttpRange* range, bool keep_alive) {
  Writer w(out);
  w.put(head ? "HEAD " : "GET ");
  w.put(url.path_bytes());
  w.put(" HTTP/1.1\r\nHost: ");
  w.put(url.host_bytes());
  if (url.explicit_port && url.port != url.default_port()) {
    w.put(":");
    w.put_u64(url.port);
  }
  w.put("\r\nUser-Agent: mpxe\r\nAccept: */*\r\n");
  if (range != nullptr) {
    w.put("Range: bytes=");
    w.put_u64(range->first);
    w.put("-");
    w.put_u64(range->last);
    w.put("\r\n");
  }
  if (!keep_alive) w.put("Connection: close\r\n");
  w.put("\r\n");
  if (w.overflow()) return http_error(Errc::NoSpace);
  return w.len();
}

// ---------------------------------------------------------------------------
// Content-Range

Result<HttpContentRange> HttpContentRange::parse(Bytes value) {
  value = trim_ows(value);
  if (!starts_with_nocase(value, "bytes ")) return http_error(Errc::BadValue);
  Bytes spec = trim_ows(value.subspan(6));
  size_t slash = spec.size();
  for (size_t i = 0; i < spec.size(); ++i)
    if (spec[i] == '/') {
      slash = i;
      break;
    }
  if (slash == spec.size()) return http_error(Errc::BadValue);
  HttpContentRange range;
  Bytes span = spec.first(slash);
  Bytes complete = spec.subspan(slash + 1);
  if (!(complete.size() == 1 && complete[0] == '*')) {
    if (!parse_u64(complete, range.complete)) return http_error(Errc::BadValue);
    range.has_complete = true;
  }
  if (span.size() == 1 && span[0] == '*') {
    if (!range.has_complete) return http_error(Errc::BadValue);
    return range;
  }
  size_t dash = span.size();
  for (size_t i = 0; i < span.size(); ++i)
    if (span[i] == '-') {
      dash = i;
      break;
    }
  if (dash == span.size() || !parse_u64(span.first(dash), range.first) ||
      !parse_u64(span.subspan(dash + 1), range.last) || range.last < range.first)
    return http_error(Errc::BadValue);
  if (range.has_complete && range.last >= range.complete) return http_error(Errc::BadValue);
  range.satisfied = true;
  return range;
}

// ---------------------------------------------------------------------------
// Response head

Result<HttpResponseHead> HttpResponseHead::parse(Bytes bytes) {
  HttpResponseHead head;
  size_t pos = 0;
  bool first = true;
  bool seen_length = false;
  bool seen_te = false;
  bool close = false, keep_alive_token = false;
  for (;;) {
    size_t eol = pos;
    while (eol < bytes.size() && bytes[eol] != '\n') ++eol;
    if (eol == bytes.size()) return http_error(Errc::Truncated);
    Bytes line = bytes.subspan(pos, eol - pos);
    if (!line.empty() && line[line.size() - 1] == '\r') line = line.first(line.size() - 1);
    pos = eol + 1;
    if (first) {
      first = false;
      // status-line = HTTP-version SP status-code SP [ reason-phrase ]
      if (line.size() < 12 || !bytes_equal(line.first(5), bytes_of("HTTP/")))
        return http_error(Errc::BadVersion);
      if (line[5] != '1' || line[6] != '.' || !is_digit(line[7]) || line[8] != ' ')
        return http_error(Errc::BadVersion);
      head.version_minor = static_cast<uint8_t>(line[7] - '0');
      if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]))
        return http_error(Errc::BadValue);
      head.status = static_cast<uint16_t>((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
      if (head.status < 100 || head.status > 599) return http_error(Errc::BadValue);
      if (line.size() > 12) {
        if (line[12] != ' ') return http_error(Errc::BadValue);
        head.reason = line.subspan(13);
      }
      continue;
    }
    if (line.empty()) break;
    if (is_ows(line[0])) return http_error(Errc::Unsupported);  // obs-fold
    size_t colon = 0;
    while (colon < line.size() && line[colon] != ':') ++colon;
    if (colon == 0 || colon == line.size()) return http_error(Errc::BadValue);
    Bytes name = line.first(colon);
    for (uint8_t c : name)
      if (!is_tchar(c)) return http_error(Errc::BadValue);
    Bytes value = trim_ows(line.subspan(colon + 1));
    auto is = [&](const char* field) { return bytes_equal_nocase(name, bytes_of(field)); };
    if (is("content-length")) {
      // RFC 9110 8.6: a list of identical values may be taken as one.
      bool bad = false;
      for_each_element(value, [&](Bytes element) {
        uint64_t n = 0;
        if (!parse_u64(element, n) || (seen_length && n != head.content_length)) bad = true;
        head.content_length = n;
        seen_length = true;
      });
      if (bad || !seen_length) return http_error(Errc::BadValue);
    } else if (is("transfer-encoding")) {
      seen_te = true;
      bool other = false;
      bool any = false;
      for_each_element(value, [&](Bytes element) {
        any = true;
        if (!bytes_equal_nocase(element, bytes_of("chunked"))) other = true;
      });
      if (other || !any) return http_error(Errc::Unsupported);
      head.chunked = true;
    } else if (is("connection")) {
      for_each_element(value, [&](Bytes element) {
        if (bytes_equal_nocase(element, bytes_of("close"))) close = true;
        if (bytes_equal_nocase(element, bytes_of("keep-alive"))) keep_alive_token = true;
      });
    } else if (is("location")) {
      head.location = value;
    } else if (is("content-type")) {
      size_t end = 0;
      while (end < value.size() && value[end] != ';') ++end;
      head.media_type = trim_ows(value.first(end));
    } else if (is("content-range")) {
      Result<HttpContentRange> range = HttpContentRange::parse(value);
      if (!range) return range.error();
      head.has_content_range = true;
      head.content_range = range.value();
    } else if (is("accept-ranges")) {
      for_each_element(value, [&](Bytes element) {
        if (bytes_equal_nocase(element, bytes_of("bytes"))) head.accept_ranges = true;
      });
    }
  }
  head.header_len = pos;
  head.has_content_length = seen_length;
  head.keep_alive = head.version_minor >= 1 ? !close : (keep_alive_token && !close);
  if (seen_te) {
    // RFC 9112 6.3: Transfer-Encoding overrides Content-Length, and such a
    // message may be an attempt at smuggling: do not reuse the connection.
    head.has_content_length = false;
    head.content_length = 0;
    if (seen_length) head.keep_alive = false;
  }
  return head;
}

// ---------------------------------------------------------------------------
// Chunked coding

Result<HttpChunkDecoder::Step> HttpChunkDecoder::feed(Bytes input) {
  size_t i = 0;
  while (i < input.size()) {
    if (state_ == State::Done) break;
    if (state_ == State::Data) {
      size_t n = input.size() - i;
      if (remaining_ < n) n = static_cast<size_t>(remaining_);
      remaining_ -= n;
      if (remaining_ == 0) state_ = State::DataCr;
      return Step{i + n, input.subspan(i, n)};
    }
    uint8_t c = input[i++];
    switch (state_) {
      case State::Size: {
        int v = hex_digit_value(c);
        if (v >= 0) {
          if (++digits_ > 16) return http_error(Errc::BadValue);
          remaining_ = remaining_ * 16 + static_cast<uint64_t>(v);
          break;
        }
        if (digits_ == 0) return http_error(Errc::BadValue);
        if (c == ';' || is_ows(c)) {
          state_ = State::Extension;
          line_len_ = 0;
        } else if (c == '\r') {
          state_ = State::SizeLf;
        } else if (c == '\n') {
          state_ = remaining_ == 0 ? State::Trailer : State::Data;
          trailer_empty_ = true;
        } else {
          return http_error(Errc::BadValue);
        }
        break;
      }
      case State::Extension:
        if (c == '\r') {
          state_ = State::SizeLf;
        } else if (c == '\n') {
          state_ = remaining_ == 0 ? State::Trailer : State::Data;
          trailer_empty_ = true;
        } else if (++line_len_ > kMaxLine) {
          return http_error(Errc::TooBig);
        }
        break;
      case State::SizeLf:
        if (c != '\n') return http_error(Errc::BadValue);
        state_ = remaining_ == 0 ? State::Trailer : State::Data;
        trailer_empty_ = true;
        break;
      case State::DataCr:
        if (c == '\r') {
          state_ = State::DataLf;
        } else if (c == '\n') {
          state_ = State::Size;
          digits_ = 0;
        } else {
          return http_error(Errc::BadValue);
        }
        break;
      case State::DataLf:
        if (c != '\n') return http_error(Errc::BadValue);
        state_ = State::Size;
        digits_ = 0;
        break;
      case State::Trailer:
        if (c == '\r') {
          state_ = State::TrailerLf;
        } else if (c == '\n') {
          if (trailer_empty_) {
            state_ = State::Done;
          } else {
            trailer_empty_ = true;
            line_len_ = 0;
          }
        } else {
          trailer_empty_ = false;
          if (++line_len_ > kMaxLine) return http_error(Errc::TooBig);
        }
        break;
      case State::TrailerLf:
        if (c != '\n') return http_error(Errc::BadValue);
        if (trailer_empty_) {
          state_ = State::Done;
        } else {
          state_ = State::Trailer;
          trailer_empty_ = true;
          line_len_ = 0;
        }
        break;
      case State::Data:
      case State::Done:
        break;
    }
  }
  return Step{i, Bytes()};
}

}  // namespace mpxe::net
