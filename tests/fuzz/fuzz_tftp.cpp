// TFTP packets and their options. Invariants: a parsed Repr emits bytes that parse
// to the same Repr; typed options emit and parse back to the same values; a read
// request built from them reads back.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "net/wire/tftp.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

void fuzz_options(Bytes area, Bytes filename) {
  auto options = TftpOptions::parse(area);
  if (!options) return;
  TftpOptions known = options.value();
  known.unknown_count = 0;  // emit writes only the options it knows
  std::vector<uint8_t> out(known.buffer_len());
  auto len = known.emit(MutableBytes(out.data(), out.size()));
  FUZZ_CHECK(len.ok() && len.value() == out.size());
  auto again = TftpOptions::parse(Bytes(out.data(), out.size()));
  FUZZ_CHECK(again.ok() && again.value() == known);

  if (filename.empty()) return;
  std::vector<uint8_t> rrq(2 + filename.size() + 7 + known.buffer_len());
  auto rrq_len = tftp_emit_rrq(MutableBytes(rrq.data(), rrq.size()), filename, known);
  FUZZ_CHECK(rrq_len.ok() && rrq_len.value() == rrq.size());
  auto parsed = TftpRepr::parse(TftpPacket::check(Bytes(rrq.data(), rrq.size())).value());
  FUZZ_CHECK(parsed.ok() && parsed.value().opcode == TftpOpcode::Rrq);
  FUZZ_CHECK(bytes_equal(parsed.value().filename, filename));
  FUZZ_CHECK(tftp_mode_is_octet(parsed.value().mode));
  auto parsed_options = TftpOptions::parse(parsed.value().options);
  FUZZ_CHECK(parsed_options.ok() && parsed_options.value() == known);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes input(data, size);
  auto packet = TftpPacket::check(input);
  if (!packet) return 0;
  auto repr = TftpRepr::parse(packet.value());
  if (!repr) return 0;
  const TftpRepr& r = repr.value();
  std::vector<uint8_t> out(r.buffer_len());
  FUZZ_CHECK(r.emit(MutableBytes(out.data(), out.size())).ok());
  // ERROR may carry bytes after its message, which the Repr drops.
  if (r.opcode != TftpOpcode::Error) FUZZ_CHECK(bytes_equal(Bytes(out.data(), out.size()), input));
  auto again = TftpRepr::parse(TftpPacket::check(Bytes(out.data(), out.size())).value());
  FUZZ_CHECK(again.ok() && again.value() == r);

  if (r.opcode == TftpOpcode::Rrq || r.opcode == TftpOpcode::Wrq) fuzz_options(r.options, r.filename);
  if (r.opcode == TftpOpcode::Oack) fuzz_options(r.options, Bytes());
  return 0;
}
