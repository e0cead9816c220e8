// IP address text: any bytes give an address or an error; an address's text form
// (RFC 5952 for IPv6) is as long as format() says, fits kMaxTextLen and parses
// back to the same address.
#include <cstring>

#include "fuzz_check.h"
#include "net/wire/ip_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using mpxe::net::IpAddress;
  auto parsed = IpAddress::parse(mpxe::Bytes(data, size));
  if (!parsed.ok()) return 0;
  char text[IpAddress::kMaxTextLen + 1];
  size_t len = parsed.value().format(text, sizeof text);
  FUZZ_CHECK(len <= IpAddress::kMaxTextLen);
  FUZZ_CHECK(std::strlen(text) == len);
  auto again = IpAddress::parse(text);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again.value() == parsed.value());
  return 0;
}
