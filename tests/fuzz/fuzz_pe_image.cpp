// A PE image and its Authenticode certificate table (host/pecheck), as
// mpxe-pecheck and mpxe-rom read them: any bytes parse or name one fault, never
// read past the input, and a table that parses lies where the rules say.
#include <algorithm>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "pecheck/pe_certificates.h"
#include "pecheck/pe_rules.h"

namespace {

bool has_rule(const std::vector<mpxe::pe::Violation>& violations, mpxe::pe::Rule rule) {
  return std::any_of(violations.begin(), violations.end(),
                     [rule](const mpxe::pe::Violation& v) { return v.rule == rule; });
}

void check_table(std::span<const uint8_t> file, const mpxe::pe::CertificateTable& table) {
  namespace wc = mpxe::pe::win_certificate;
  if (!table.signed_image()) return;
  uint64_t end = uint64_t{table.offset} + table.size;
  FUZZ_CHECK(end == file.size());
  FUZZ_CHECK(table.offset % wc::kAlignment == 0);
  uint64_t previous_end = table.offset;
  for (const mpxe::pe::Certificate& c : table.entries) {
    FUZZ_CHECK(c.offset % wc::kAlignment == 0);
    FUZZ_CHECK(c.offset >= previous_end);
    FUZZ_CHECK(c.length >= wc::kHeaderSize);
    FUZZ_CHECK(uint64_t{c.offset} + c.length <= end);
    FUZZ_CHECK(c.revision == wc::kRevision2 && c.type == wc::kTypePkcsSignedData);
    FUZZ_CHECK(c.signed_data_size >= 2 && c.signed_data_size <= c.length - wc::kHeaderSize);
    FUZZ_CHECK(file[c.offset + wc::kHeaderSize] == 0x30);
    previous_end = uint64_t{c.offset} + c.length;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> file(data, size);
  mpxe::pe::PeParseResult parsed = mpxe::pe::parse_pe(file);
  std::vector<mpxe::pe::Violation> required = mpxe::pe::check_pe(file, {.require_signature = true});
  if (!parsed.image) {
    FUZZ_CHECK(required.size() == 1 && required[0].rule == mpxe::pe::Rule::Malformed);
    return 0;
  }
  for (const mpxe::pe::Section& s : parsed.image->sections)
    FUZZ_CHECK(s.size_of_raw_data == 0 || uint64_t{s.pointer_to_raw_data} + s.size_of_raw_data <= size);

  mpxe::pe::CertParseResult certificates = mpxe::pe::parse_certificate_table(file, *parsed.image);
  FUZZ_CHECK(certificates.table.has_value() == (certificates.error == mpxe::pe::CertError::None));
  FUZZ_CHECK(has_rule(required, mpxe::pe::Rule::CertificateTable) == !certificates.table);
  if (certificates.table) {
    check_table(file, *certificates.table);
    FUZZ_CHECK(has_rule(required, mpxe::pe::Rule::Signed) == !certificates.table->signed_image());
  }
  // Without the signature rule the same bytes break the same rules, less that one.
  std::vector<mpxe::pe::Violation> plain = mpxe::pe::check_pe(file);
  FUZZ_CHECK(plain.size() + (has_rule(required, mpxe::pe::Rule::Signed) ? 1 : 0) == required.size());
  return 0;
}
