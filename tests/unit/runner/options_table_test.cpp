// One option table: `mpxe run --help`, README's table (mpxe options --markdown) and
// the environment fallbacks the parser reads all come from host/runner/options.cpp.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "options.h"

namespace mpxe::runner {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, separator);) parts.push_back(part);
  return parts;
}

std::string trim(std::string text) {
  while (!text.empty() && text.front() == ' ') text.erase(0, 1);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// A table row's cells, trimmed: split at each '|' that is not escaped.
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::string cell;
  for (size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '|' && row[i - 1] != '\\') {
      out.push_back(trim(cell));
      cell.clear();
    } else {
      cell += row[i];
    }
  }
  return out;
}

// The option table's rows: first option name -> its env fallback cell.
std::map<std::string, std::string> env_cells(const std::string& markdown) {
  std::map<std::string, std::string> env;
  for (const std::string& line : split(markdown, '\n')) {
    if (!line.starts_with("| `--") || line.starts_with("| `-- ")) continue;
    std::vector<std::string> parts = cells(line);  // option, env, meaning
    size_t end = line.find_first_of(" `[", 3);
    env[line.substr(3, end - 3)] = parts.at(1);
  }
  return env;
}

TEST(OptionTable, ReadmeHoldsTheGeneratedTable) {
  const std::string readme_path = MPXE_SOURCE_DIR "/README.md";
  std::string readme = read_text(readme_path);
  ASSERT_FALSE(readme.empty()) << readme_path;
  std::optional<std::string> regenerated = replace_options_markdown(readme, run_options_markdown());
  ASSERT_TRUE(regenerated) << readme_path << " lost the lines around its option table:\n"
                           << kOptionsMarkdownBegin << "\n"
                           << kOptionsMarkdownEnd;
  EXPECT_TRUE(*regenerated == readme)
      << "README.md's option table is not what `mpxe options --markdown` makes from "
         "host/runner/options.cpp; regenerate it:\n  build/bin/mpxe options --update-readme "
         "README.md\nThe table it should hold:\n"
      << run_options_markdown();
}

TEST(OptionTable, EveryOptionIsInHelpAndInTheTable) {
  std::vector<std::string> names = run_option_names();
  for (const char* known : {"--cores", "--memory", "--pxe-folder", "--boot-file", "--nic",
                            "--stack", "--http", "--https", "--ca-cert", "--boot-url",
                            "--shell-cmd", "--gdb", "--timeout", "--headless", "--dry-run"})
    EXPECT_NE(std::find(names.begin(), names.end(), known), names.end()) << known;
  std::string help = run_help();
  std::string markdown = run_options_markdown();
  for (const std::string& name : names) {
    bool in_help = false;  // "  --cores N", "  --print-command,--dry-run"
    for (const char* before : {"  ", ","})
      for (const char* after : {" ", ","})
        in_help = in_help || help.find(before + name + after) != std::string::npos;
    EXPECT_TRUE(in_help) << name << " missing from --help";
    EXPECT_NE(markdown.find("`" + name), std::string::npos) << name << " missing from the table";
  }
  EXPECT_EQ(markdown.find("`--help"), std::string::npos);
}

TEST(OptionTable, StaleClaimsAreGone) {
  std::string help = run_help();
  EXPECT_EQ(help.find("does not speak HTTP"), std::string::npos);
  EXPECT_EQ(help.find("yet"), std::string::npos) << help;
}

TEST(OptionTable, CellsEscapeMarkdown) {
  std::string markdown = run_options_markdown();
  EXPECT_NE(markdown.find("`--stack mpxe\\|ovmf\\|ipxe` (mpxe)"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("`--gdb[=PORT]` | `GDB_SERVER` |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("`--print-command`, `--dry-run`"), std::string::npos) << markdown;
  EXPECT_EQ(markdown.find("/<boot"), std::string::npos) << "an unescaped HTML tag";
  // Every row has its three cells: no stray '|' inside one.
  for (const std::string& line : split(markdown, '\n'))
    if (line.starts_with("| `--")) EXPECT_EQ(cells(line).size(), 3u) << line;
}

// The env column is what the parser reads: each variable it names, set alone,
// changes its option, and the help names it too.
TEST(OptionTable, EnvColumnIsWhatTheParserReads) {
  const std::map<std::string, std::string> sample = {
      {"--cores", "3"},         {"--pxe-folder", "/srv/x"},  {"--boot-file", "x.efi"},
      {"--gdb", "4444"},        {"--accel", "kvm"},          {"--serial-port", "5555"},
      {"--monitor-port", "6666"}, {"--headless", "TRUE"},
  };
  const RunOptions defaults = parse_run_arguments({}, Environment()).options.value();
  const std::string help = run_help();
  size_t with_env = 0;
  for (const auto& [option, cell] : env_cells(run_options_markdown())) {
    if (cell.empty()) continue;
    ++with_env;
    ASSERT_TRUE(sample.contains(option)) << option << ": add a sample value to this test";
    for (std::string variable : split(cell, ',')) {
      variable = trim(variable);
      ASSERT_TRUE(variable.size() > 2 && variable.front() == '`' && variable.back() == '`')
          << variable;
      variable = variable.substr(1, variable.size() - 2);
      if (variable.ends_with("=TRUE")) variable.resize(variable.size() - 5);
      EXPECT_NE(help.find(variable), std::string::npos) << variable << " missing from --help";
      std::string name = variable;
      if (auto star = name.find('*'); star != std::string::npos) name.replace(star, 1, "X64");
      ParseResult r = parse_run_arguments({}, Environment({{name, sample.at(option)}}));
      ASSERT_TRUE(r.options) << name << ": " << r.err;
      EXPECT_NE(*r.options, defaults) << name << " does not fill " << option;
    }
  }
  EXPECT_EQ(with_env, sample.size());
}

TEST(OptionTable, ReplaceNeedsBothMarkers) {
  std::string doc = "a\n" + std::string(kOptionsMarkdownBegin) + "\nold\n" +
                    std::string(kOptionsMarkdownEnd) + "\nb\n";
  EXPECT_EQ(replace_options_markdown(doc, "new\n"),
            "a\n" + std::string(kOptionsMarkdownBegin) + "\nnew\n\n" +
                std::string(kOptionsMarkdownEnd) + "\nb\n");
  EXPECT_FALSE(replace_options_markdown("a\n" + std::string(kOptionsMarkdownBegin), "x"));
  EXPECT_FALSE(replace_options_markdown("no markers", "x"));
}

}  // namespace
}  // namespace mpxe::runner
