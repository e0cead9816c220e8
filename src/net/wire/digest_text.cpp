#include "net/wire/digest_text.h"

#include "core/byte_ops.h"

namespace mpxe::net {

namespace {

constexpr size_t kDigits = Sha256::kHexSize - 1;

bool ends_token(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '*'; }

}  // namespace

Result<Sha256Text> parse_sha256_text(Bytes text) {
  if (text.size() < kDigits) return Error(Layer::Digest, Errc::Truncated);
  Sha256Text out;
  for (size_t i = 0; i < kDigits; ++i) {
    int v = hex_digit_value(text[i]);
    if (v < 0) return Error(Layer::Digest, Errc::BadValue);
    out.hex[i] = "0123456789abcdef"[v];
  }
  out.hex[kDigits] = '\0';
  if (text.size() > kDigits && !ends_token(text[kDigits]))
    return Error(Layer::Digest, Errc::BadLength);
  return out;
}

}  // namespace mpxe::net
