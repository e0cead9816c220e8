// The digest a server publishes beside a boot file: any bytes give a digest of 64
// lower-case hex digits or an error, never a read past the input.
#include <cstring>

#include "fuzz_check.h"
#include "net/wire/digest_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = mpxe::net::parse_sha256_text(mpxe::Bytes(data, size));
  if (r.ok()) {
    const char* hex = r.value().hex;
    FUZZ_CHECK(std::strlen(hex) == 64);
    for (size_t i = 0; i < 64; ++i)
      FUZZ_CHECK((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f'));
    FUZZ_CHECK(size >= 64);
  }
  return 0;
}
