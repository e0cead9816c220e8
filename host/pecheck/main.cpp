// mpxe-pecheck [--require-signature] FILE...: checks each PE image against the
// rules in pe_rules.h, prints one line per violation (or "ok" and whether it is
// signed) and exits non-zero if any file breaks a rule or cannot be read.
#include <stdint.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "pecheck/hex_text.h"
#include "pecheck/pe_rules.h"

namespace {

std::optional<std::vector<uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return bytes;
}

// ", signed (PKCS#7 SignedData, N bytes at 0x...)" or ", unsigned", for a file
// that conforms (so it parses).
std::string signature_summary(const std::vector<uint8_t>& bytes) {
  mpxe::pe::PeParseResult parsed = mpxe::pe::parse_pe(bytes);
  if (!parsed.image) return {};
  mpxe::pe::CertParseResult table = mpxe::pe::parse_certificate_table(bytes, *parsed.image);
  if (!table.table || !table.table->signed_image()) return ", unsigned";
  std::string text = ", signed (";
  const char* separator = "";
  for (const mpxe::pe::Certificate& c : table.table->entries) {
    text += separator;
    text += "PKCS#7 SignedData, " + std::to_string(c.signed_data_size) + " bytes at " + mpxe::pe::hex(c.offset);
    separator = "; ";
  }
  return text + ")";
}

// Returns whether the file conforms.
bool check_file(const std::string& path, const mpxe::pe::CheckOptions& options) {
  std::optional<std::vector<uint8_t>> bytes = read_file(path);
  if (!bytes) {
    std::cerr << path << ": cannot read\n";
    return false;
  }
  std::vector<mpxe::pe::Violation> violations = mpxe::pe::check_pe(*bytes, options);
  for (const mpxe::pe::Violation& v : violations)
    std::cout << path << ": " << mpxe::pe::rule_name(v.rule) << ": " << v.message << "\n";
  if (violations.empty()) std::cout << path << ": ok" << signature_summary(*bytes) << "\n";
  return violations.empty();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Check UEFI PE32+ images against mpxe's memory-protection rules"};
  std::vector<std::string> files;
  mpxe::pe::CheckOptions options;
  app.add_flag("--require-signature", options.require_signature,
               "Also require an Authenticode signature (a PKCS_SIGNED_DATA certificate)");
  app.add_option("files", files, "PE images to check")->required();
  CLI11_PARSE(app, argc, argv);

  bool all_conform = true;
  for (const std::string& path : files) all_conform = check_file(path, options) && all_conform;
  return all_conform ? 0 : 1;
}
