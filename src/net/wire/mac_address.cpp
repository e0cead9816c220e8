#include "net/wire/mac_address.h"

#include "core/byte_ops.h"
#include "core/format.h"

namespace mpxe::net {

Result<MacAddress> MacAddress::parse(Bytes text) {
  // Six pairs of hex digits and five separators.
  if (text.size() != 3 * kSize - 1) return Error(Layer::Address, Errc::BadAddress);
  MacAddress mac;
  for (size_t i = 0; i < kSize; ++i) {
    int high = hex_digit_value(text[3 * i]);
    int low = hex_digit_value(text[3 * i + 1]);
    if (high < 0 || low < 0) return Error(Layer::Address, Errc::BadAddress);
    if (i + 1 < kSize && text[3 * i + 2] != ':' && text[3 * i + 2] != '-')
      return Error(Layer::Address, Errc::BadAddress);
    mac.octets[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return mac;
}

size_t MacAddress::format(char* out, size_t capacity) const {
  return mpxe::format(out, capacity, "%02x:%02x:%02x:%02x:%02x:%02x", octets[0], octets[1],
                      octets[2], octets[3], octets[4], octets[5]);
}

}  // namespace mpxe::net
