#include "net/wire/tftp_url.h"

#include "core/byte_ops.h"

namespace mpxe::net {

namespace {

constexpr char kScheme[] = "tftp://";
constexpr size_t kSchemeLen = sizeof(kScheme) - 1;

Error url_error(Errc reason) { return Error(Layer::Tftp, reason); }

uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? static_cast<uint8_t>(c + 32) : c; }

bool equal_nocase(Bytes text, const char* word) {
  size_t i = 0;
  for (; word[i] != '\0'; ++i)
    if (i >= text.size() || lower(text[i]) != static_cast<uint8_t>(word[i])) return false;
  return i == text.size();
}

// The host as written between "tftp://" and the port or path.
Result<IpAddress> parse_host(Bytes host) {
  if (host.empty()) return url_error(Errc::BadAddress);
  if (host[0] == '[') {
    if (host.size() < 3 || host[host.size() - 1] != ']') return url_error(Errc::BadAddress);
    Result<Ipv6Address> v6 = Ipv6Address::parse(host.subspan(1, host.size() - 2));
    if (!v6.ok()) return url_error(Errc::BadAddress);
    return IpAddress(v6.value());
  }
  bool dotted = true;
  for (uint8_t c : host)
    if (!((c >= '0' && c <= '9') || c == '.')) dotted = false;
  if (!dotted) return url_error(Errc::Unsupported);  // a name: DNS would come first
  Result<Ipv4Address> v4 = Ipv4Address::parse(host);
  if (!v4.ok()) return url_error(Errc::BadAddress);
  return IpAddress(v4.value());
}

Result<uint16_t> parse_port(Bytes digits) {
  if (digits.empty() || digits.size() > 5) return url_error(Errc::BadValue);
  uint32_t port = 0;
  for (uint8_t c : digits) {
    if (c < '0' || c > '9') return url_error(Errc::BadValue);
    port = port * 10 + (c - '0');
  }
  if (port == 0 || port > 0xFFFF) return url_error(Errc::BadValue);
  return static_cast<uint16_t>(port);
}

}  // namespace

bool is_tftp_url(Bytes text) {
  return text.size() >= kSchemeLen && equal_nocase(text.first(kSchemeLen), kScheme);
}

Result<TftpUrl> parse_tftp_url(Bytes text) {
  if (!is_tftp_url(text)) return url_error(Errc::BadValue);
  Bytes rest = text.subspan(kSchemeLen);
  // The authority ends at the first '/' (an IPv6 literal holds none).
  size_t slash = 0;
  while (slash < rest.size() && rest[slash] != '/') ++slash;
  Bytes authority = rest.first(slash);
  Bytes path = slash < rest.size() ? rest.subspan(slash + 1) : Bytes();
  TftpUrl url;
  // A port follows the last ':' after the host: after ']' for an IPv6 literal.
  size_t host_end = authority.size();
  size_t search_from = 0;
  if (!authority.empty() && authority[0] == '[') {
    while (search_from < authority.size() && authority[search_from] != ']') ++search_from;
    if (search_from == authority.size()) return url_error(Errc::BadAddress);
  }
  for (size_t i = search_from; i < authority.size(); ++i) {
    if (authority[i] == ':') {
      host_end = i;
      break;
    }
  }
  Result<IpAddress> host = parse_host(authority.first(host_end));
  if (!host.ok()) return host.error();
  url.server = host.value();
  if (host_end < authority.size()) {
    Result<uint16_t> port = parse_port(authority.subspan(host_end + 1));
    if (!port.ok()) return port.error();
    url.port = port.value();
  }
  // RFC 3617: ";mode=octet" may end the path; netascii is not a boot file's mode.
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != ';') continue;
    Bytes parameter = path.subspan(i + 1);
    if (!equal_nocase(parameter, "mode=octet")) return url_error(Errc::BadValue);
    path = path.first(i);
    break;
  }
  size_t n = 0;
  for (size_t i = 0; i < path.size(); ++i) {
    uint8_t c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size()) return url_error(Errc::BadValue);
      int hi = hex_digit_value(path[i + 1]);
      int lo = hex_digit_value(path[i + 2]);
      if (hi < 0 || lo < 0) return url_error(Errc::BadValue);
      c = static_cast<uint8_t>(hi * 16 + lo);
      i += 2;
    }
    if (c < 0x20 || c == 0x7F) return url_error(Errc::BadName);
    if (n == TftpUrl::kMaxFile) return url_error(Errc::NameTooLong);
    url.file[n++] = static_cast<char>(c);
  }
  if (n == 0) return url_error(Errc::Truncated);
  url.file[n] = '\0';
  url.file_size = n;
  return url;
}

}  // namespace mpxe::net
