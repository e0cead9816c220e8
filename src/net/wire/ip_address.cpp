#include "net/wire/ip_address.h"

#include "core/byte_ops.h"
#include "core/format.h"

namespace mpxe::net {

Result<IpAddress> IpAddress::parse(Bytes text) {
  for (uint8_t c : text) {
    if (c != ':') continue;
    Result<Ipv6Address> v6 = Ipv6Address::parse(text);
    if (!v6) return v6.error();
    return IpAddress(v6.value());
  }
  Result<Ipv4Address> v4 = Ipv4Address::parse(text);
  if (!v4) return v4.error();
  return IpAddress(v4.value());
}

Result<IpAddress> IpAddress::parse(const char* text) { return parse(bytes_of(text)); }

size_t IpAddress::format(char* out, size_t capacity) const {
  return is_v4() ? v4().format(out, capacity) : v6().format(out, capacity);
}

size_t IpAddress::format_with_port(uint16_t port, char* out, size_t capacity) const {
  char address[kMaxTextLen + 1];
  format(address, sizeof address);
  return is_v6() ? mpxe::format(out, capacity, "[%s]:%u", address, port)
                 : mpxe::format(out, capacity, "%s:%u", address, port);
}

}  // namespace mpxe::net
