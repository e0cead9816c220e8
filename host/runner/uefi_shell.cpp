#include "uefi_shell.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>

namespace mpxe::runner {

namespace {

std::string_view trim(std::string_view text) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

bool same_word(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

// N of `exit N` as mpsh reads it: decimal, or hex after 0x; below 2^32.
std::optional<uint32_t> exit_code(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// The status an `exit` command asks for, if COMMAND is one mpsh would take.
std::optional<uint32_t> exit_request(std::string_view command) {
  size_t space = command.find_first_of(" \t");
  std::string_view word = command.substr(0, space);
  if (!same_word(word, "exit")) return std::nullopt;
  if (space == std::string_view::npos) return 0;
  return exit_code(trim(command.substr(space)));
}

}  // namespace

std::string uefi_shell_startup_script(std::string_view shell_cmd) {
  std::string script;
  while (!shell_cmd.empty()) {
    size_t cut = shell_cmd.find_first_of(";\n");
    std::string_view command = trim(shell_cmd.substr(0, cut));
    shell_cmd.remove_prefix(cut == std::string_view::npos ? shell_cmd.size() : cut + 1);
    if (command.empty()) continue;
    if (auto code = exit_request(command)) {
      char lines[96];
      std::snprintf(lines, sizeof lines, "mm 0xF4 0x%X -w 4 -IO -n\r\nexit %u\r\n",
                    static_cast<unsigned>(*code), static_cast<unsigned>(*code));
      script += lines;
      continue;
    }
    script += command;
    script += "\r\n";
  }
  return script;
}

}  // namespace mpxe::runner
