#include "mpsh/command_line.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mpsh {
namespace {

std::vector<std::string> commands_of(const std::string& script) {
  CommandSplitter splitter(script.data(), script.size());
  std::vector<std::string> out;
  TextView command;
  while (splitter.next(&command)) out.emplace_back(command.data(), command.size());
  return out;
}

TEST(CommandSplitter, SplitsOnSemicolonsAndTrims) {
  EXPECT_EQ(commands_of("ver; cpus; net; tftp size blob.bin; tftp get blob.bin; exit 7\n"),
            (std::vector<std::string>{"ver", "cpus", "net", "tftp size blob.bin",
                                      "tftp get blob.bin", "exit 7"}));
}

TEST(CommandSplitter, SplitsOnNewlinesAndSkipsEmptyCommands) {
  EXPECT_EQ(commands_of("ver\r\n\n  cpus \t\n;;\tmemmap;"),
            (std::vector<std::string>{"ver", "cpus", "memmap"}));
  EXPECT_TRUE(commands_of("").empty());
  EXPECT_TRUE(commands_of(" ; \n\t").empty());
}

TEST(CommandSplitter, StopsAtNulLikeASeparator) {
  std::string script("help\0ver", 8);
  EXPECT_EQ(commands_of(script), (std::vector<std::string>{"help", "ver"}));
}

TEST(JoinCommands, JoinsLinesIntoOne) {
  std::string script = "ver\ncpus;  net \n";
  char out[64];
  EXPECT_EQ(join_commands(script.data(), script.size(), out, sizeof(out)), 14u);
  EXPECT_STREQ(out, "ver; cpus; net");
}

TEST(JoinCommands, TruncatesButReportsFullLength) {
  std::string script = "ver;cpus";
  char out[6];
  EXPECT_EQ(join_commands(script.data(), script.size(), out, sizeof(out)), 9u);
  EXPECT_STREQ(out, "ver; ");
}

TEST(SplitWords, SplitsInPlace) {
  char line[] = "  tftp   get\tblob.bin  ";
  char* argv[8];
  ASSERT_EQ(split_words(line, argv, 8), 3u);
  EXPECT_STREQ(argv[0], "tftp");
  EXPECT_STREQ(argv[1], "get");
  EXPECT_STREQ(argv[2], "blob.bin");
}

TEST(SplitWords, DropsWordsPastTheLimit) {
  char line[] = "a b c d";
  char* argv[2];
  ASSERT_EQ(split_words(line, argv, 2), 2u);
  EXPECT_STREQ(argv[0], "a");
  EXPECT_STREQ(argv[1], "b");
  char empty[] = "   ";
  EXPECT_EQ(split_words(empty, argv, 2), 0u);
}

}  // namespace
}  // namespace mpsh
