#include "net/wire/ipv4_address.h"

#include "core/byte_ops.h"
#include "core/format.h"

namespace mpxe::net {

Result<Ipv4Address> Ipv4Address::parse(Bytes text) {
  const Error bad(Layer::Address, Errc::BadAddress);
  Ipv4Address address;
  size_t pos = 0;
  for (size_t part = 0; part < kSize; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return bad;
      ++pos;
    }
    size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3) {
      value = value * 10 + (text[pos] - '0');
      ++pos;
    }
    size_t digits = pos - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return bad;
    address.octets[part] = static_cast<uint8_t>(value);
  }
  if (pos != text.size()) return bad;
  return address;
}

Result<Ipv4Address> Ipv4Address::parse(const char* text) { return parse(bytes_of(text)); }

size_t Ipv4Address::format(char* out, size_t capacity) const {
  return mpxe::format(out, capacity, "%u.%u.%u.%u", octets[0], octets[1], octets[2], octets[3]);
}

}  // namespace mpxe::net
