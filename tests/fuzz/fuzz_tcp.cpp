// TCP segments and options. Invariants: parsed options emit and parse back to
// the same values; a segment whose checksum is made right parses, and its Repr
// emits bytes that parse to the same Repr with the same payload.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "net/wire/tcp.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

const Ipv4Address kSrc{{10, 77, 0, 1}};
const Ipv4Address kDst{{10, 77, 0, 2}};

void fuzz_options(Bytes area) {
  auto options = TcpOptions::parse(area);
  if (!options) return;
  const TcpOptions& o = options.value();
  std::vector<uint8_t> out(o.buffer_len());
  auto len = o.emit(MutableBytes(out.data(), out.size()));
  if (!len) {
    // Only a set that cannot fit in 40 bytes is refused.
    FUZZ_CHECK(o.buffer_len() > TcpSegment::kMaxOptionsLen);
    return;
  }
  FUZZ_CHECK(len.value() == out.size() && out.size() % 4 == 0);
  auto again = TcpOptions::parse(Bytes(out.data(), out.size()));
  FUZZ_CHECK(again.ok() && again.value() == o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto segment = TcpSegment::check(Bytes(data, size));
  if (!segment) return 0;
  fuzz_options(segment.value().options());

  // Put a right checksum in a copy so the rest of the parser is reached.
  std::vector<uint8_t> copy(data, data + size);
  copy[TcpSegment::kChecksumOffset] = 0;
  copy[TcpSegment::kChecksumOffset + 1] = 0;
  auto fixed = TcpSegment::check(Bytes(copy.data(), copy.size())).value();
  auto raw = TcpRepr::parse(fixed, kSrc, kDst);
  if (!raw && raw.error().reason() == Errc::BadChecksum) {
    // Recompute: emit the header from the parsed fields over the same payload.
    auto options = TcpOptions::parse(fixed.options());
    if (!options) return 0;
    TcpRepr repr;
    repr.src_port = fixed.src_port();
    repr.dst_port = fixed.dst_port();
    repr.seq = fixed.seq();
    repr.ack = fixed.ack();
    repr.flags = fixed.flags();
    repr.window = fixed.window();
    repr.urgent = fixed.urgent();
    repr.options = options.value();
    repr.payload_len = fixed.payload().size();
    if (repr.options.buffer_len() > TcpSegment::kMaxOptionsLen) return 0;
    std::vector<uint8_t> out(repr.buffer_len());
    Bytes payload = fixed.payload();
    for (size_t i = 0; i < payload.size(); ++i) out[repr.header_len() + i] = payload[i];
    FUZZ_CHECK(repr.emit(MutableBytes(out.data(), out.size()), kSrc, kDst).ok());
    auto again_segment = TcpSegment::check(Bytes(out.data(), out.size()));
    FUZZ_CHECK(again_segment.ok());
    auto again = TcpRepr::parse(again_segment.value(), kSrc, kDst);
    FUZZ_CHECK(again.ok() && again.value() == repr);
    FUZZ_CHECK(bytes_equal(again_segment.value().payload(), payload));
    return 0;
  }
  FUZZ_CHECK(!raw || raw.value().payload_len == fixed.payload().size());
  return 0;
}
