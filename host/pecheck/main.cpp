// mpxe-pecheck FILE...: checks each PE image against the rules in pe_rules.h,
// prints one line per violation and exits non-zero if any file breaks a rule
// or cannot be read.
#include <stdint.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "pecheck/pe_rules.h"

namespace {

std::optional<std::vector<uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return bytes;
}

// Returns whether the file conforms.
bool check_file(const std::string& path) {
  std::optional<std::vector<uint8_t>> bytes = read_file(path);
  if (!bytes) {
    std::cerr << path << ": cannot read\n";
    return false;
  }
  std::vector<mpxe::pe::Violation> violations = mpxe::pe::check_pe(*bytes);
  for (const mpxe::pe::Violation& v : violations)
    std::cout << path << ": " << mpxe::pe::rule_name(v.rule) << ": " << v.message << "\n";
  if (violations.empty()) std::cout << path << ": ok\n";
  return violations.empty();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Check UEFI PE32+ images against mpxe's memory-protection rules"};
  std::vector<std::string> files;
  app.add_option("files", files, "PE images to check")->required();
  CLI11_PARSE(app, argc, argv);

  bool all_conform = true;
  for (const std::string& path : files) all_conform = check_file(path) && all_conform;
  return all_conform ? 0 : 1;
}
