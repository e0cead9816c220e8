// DNS messages as a stub resolver receives them, compression and all.
// Invariants: every name a parsed response points at reads; a name read from
// anywhere reads the same again when written out uncompressed; a query parses,
// emits and parses to the same Repr.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "net/wire/dns.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

void check_name_reads_back(const DnsName& name) {
  size_t end = 0;
  auto again = DnsName::read(name.wire(), 0, &end);
  FUZZ_CHECK(again.ok() && again.value() == name && end == name.wire().size());
  char text[300];
  size_t len = name.format(text, sizeof text);
  FUZZ_CHECK(len < sizeof text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes input(data, size);
  auto packet = DnsPacket::check(input);
  if (!packet) return 0;

  auto response = DnsResponse::parse(packet.value());
  if (response) {
    const DnsResponse& r = response.value();
    FUZZ_CHECK(r.a_count <= DnsResponse::kMaxA && r.cname_count <= DnsResponse::kMaxCname);
    for (size_t i = 0; i < r.a_count; ++i) {
      FUZZ_CHECK(r.a[i].ttl <= 0x7FFFFFFF);
      auto name = DnsName::read(input, r.a[i].name_offset);
      FUZZ_CHECK(name.ok());
      check_name_reads_back(name.value());
    }
    FUZZ_CHECK(r.aaaa_count <= DnsResponse::kMaxAaaa);
    for (size_t i = 0; i < r.aaaa_count; ++i) {
      FUZZ_CHECK(r.aaaa[i].ttl <= 0x7FFFFFFF);
      auto name = DnsName::read(input, r.aaaa[i].name_offset);
      FUZZ_CHECK(name.ok());
      check_name_reads_back(name.value());
    }
    for (size_t i = 0; i < r.cname_count; ++i) {
      FUZZ_CHECK(DnsName::read(input, r.cname[i].name_offset).ok());
      FUZZ_CHECK(DnsName::read(input, r.cname[i].target_offset).ok());
    }
    if (r.has_question) {
      auto question = DnsName::read(input, r.question_offset);
      FUZZ_CHECK(question.ok());
      Ipv4Address addresses[DnsResponse::kMaxA];
      uint32_t ttl = 0;
      size_t n = r.addresses_for(question.value(), addresses, DnsResponse::kMaxA, &ttl);
      FUZZ_CHECK(n <= r.a_count);
      Ipv6Address v6[DnsResponse::kMaxAaaa];
      DnsName canonical;
      uint32_t ttl6 = 0;
      size_t n6 = r.addresses_for(question.value(), v6, DnsResponse::kMaxAaaa, &ttl6, &canonical);
      FUZZ_CHECK(n6 <= r.aaaa_count);
      if (n6 > 0) FUZZ_CHECK(ttl6 <= 0x7FFFFFFF);
    }
  }

  auto query = DnsQueryRepr::parse(packet.value());
  if (query) {
    std::vector<uint8_t> out(query.value().buffer_len());
    FUZZ_CHECK(query.value().emit(MutableBytes(out.data(), out.size())).ok());
    auto again = DnsQueryRepr::parse(DnsPacket::check(Bytes(out.data(), out.size())).value());
    FUZZ_CHECK(again.ok() && again.value() == query.value());
  }

  // The name reader from every offset: whatever it accepts is a sane name.
  for (size_t offset = DnsPacket::kHeaderLen; offset < input.size(); ++offset) {
    auto name = DnsName::read(input, offset);
    if (name) check_name_reads_back(name.value());
  }
  return 0;
}
