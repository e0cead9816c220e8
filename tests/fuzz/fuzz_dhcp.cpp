// DHCP messages as a PXE client receives them. Invariants: a parsed Repr emits
// the very bytes it came from; every way of reading options agrees; options
// written back by the writer read back the same.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "net/wire/dhcp.h"
#include "net/wire/dhcp_options.h"

using namespace mpxe;
using namespace mpxe::net;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes input(data, size);
  auto checked = DhcpPacket::check(input);
  if (!checked) return 0;
  const DhcpPacket& packet = checked.value();
  FUZZ_CHECK(packet.chaddr().size() == packet.hlen());
  (void)packet.client_mac();

  // Walk everything once, and keep what was seen for the checks below.
  struct Seen {
    uint8_t code;
    Bytes value;
  };
  std::vector<Seen> seen;
  DhcpOptionIterator it(packet);
  DhcpOption option;
  while (it.next(option)) {
    FUZZ_CHECK(option.code != dhcp_option::kPad && option.code != dhcp_option::kEnd);
    FUZZ_CHECK(option.value.data() >= input.data() &&
               option.value.data() + option.value.size() <= input.data() + input.size());
    seen.push_back({option.code, option.value});
    if (option.code == dhcp_option::kVendorSpecific) {
      DhcpOptionReader sub(option.value);
      DhcpOption sub_option;
      while (sub.next(sub_option)) {
      }
    }
  }
  bool well_formed = !it.error().is_error();

  auto params = DhcpParams::parse(packet);
  if (!well_formed) FUZZ_CHECK(!params.ok());
  (void)dhcp_message_type(packet);
  (void)dhcp_boot_file(packet);
  (void)dhcp_server_name(packet);
  auto found = dhcp_find_option(packet, dhcp_option::kServerId);
  if (found) FUZZ_CHECK(well_formed || found.value().value.data() != nullptr);

  auto repr = DhcpRepr::parse(packet);
  FUZZ_CHECK(repr.ok() == (well_formed && (packet.op() == 1 || packet.op() == 2)));
  if (!repr) return 0;
  std::vector<uint8_t> out(repr.value().buffer_len());
  FUZZ_CHECK(repr.value().emit(MutableBytes(out.data(), out.size())).ok());
  FUZZ_CHECK(bytes_equal(Bytes(out.data(), out.size()), input));
  auto again = DhcpRepr::parse(DhcpPacket::check(Bytes(out.data(), out.size())).value());
  FUZZ_CHECK(again.ok() && again.value() == repr.value());

  // Without overload, every option sits in the options field: write them back
  // with the writer, and the walk gives the same sequence.
  if (it.overload() != 0) return 0;
  std::vector<uint8_t> options(input.size() + 1);
  DhcpOptionWriter writer(MutableBytes(options.data(), options.size()));
  for (const Seen& s : seen) FUZZ_CHECK(writer.put(s.code, s.value).ok());
  FUZZ_CHECK(writer.put_end().ok());
  DhcpRepr rewritten = repr.value();
  rewritten.options = writer.written();
  std::vector<uint8_t> out2(rewritten.buffer_len());
  FUZZ_CHECK(rewritten.emit(MutableBytes(out2.data(), out2.size())).ok());
  DhcpOptionIterator it2(DhcpPacket::check(Bytes(out2.data(), out2.size())).value());
  size_t i = 0;
  while (it2.next(option)) {
    FUZZ_CHECK(i < seen.size() && option.code == seen[i].code &&
               bytes_equal(option.value, seen[i].value));
    ++i;
  }
  FUZZ_CHECK(i == seen.size() && !it2.error().is_error());
  return 0;
}
