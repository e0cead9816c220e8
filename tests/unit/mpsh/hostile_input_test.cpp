// Random and mutated input for every parser of the shell, meant to run under
// ASan/UBSan (MPXE_SANITIZE): no input may read out of bounds or trap. The seed is
// fixed so a failure replays.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "mpsh/command_line.h"
#include "qemu/fw_cfg_dir.h"
#include "mpsh/lease.h"
#include "mpsh/line_editor.h"
#include "mpsh/tsize_probe.h"
#include "net/wire/dhcp.h"
#include "net/wire/dhcp_options.h"

namespace mpsh {
using namespace mpxe::qemu;
namespace {

std::vector<uint8_t> random_bytes(std::mt19937& rng, size_t max) {
  std::vector<uint8_t> v(rng() % (max + 1));
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

TEST(HostileInput, DhcpPackets) {
  std::mt19937 rng(1);
  for (int i = 0; i < 20000; ++i) {
    auto p = random_bytes(rng, 1472);
    using mpxe::net::DhcpPacket;
    constexpr size_t kOptions = DhcpPacket::kOptionsOffset;
    if (p.size() >= kOptions && rng() % 2) {  // get past DhcpPacket::check
      mpxe::store_be32(&p[DhcpPacket::kMagicOffset], DhcpPacket::kMagicCookie);
      p[DhcpPacket::kHlenOffset] %= DhcpPacket::kChaddrLen + 1;
      if (rng() % 2 && p.size() > kOptions + 2) {  // overload file, sname or both
        p[kOptions] = mpxe::net::dhcp_option::kOverload;
        p[kOptions + 1] = 1;
        p[kOptions + 2] = static_cast<uint8_t>(1 + rng() % 3);
      }
    }
    // Exact-size copies so ASan sees any read past the end.
    std::vector<uint8_t> exact(p);
    mpxe::Bytes b(exact.data(), exact.size());
    LeaseSummary s = summarize_lease(b, b, b);
    ASSERT_LT(std::strlen(s.boot_file), sizeof(s.boot_file));
  }
}

TEST(HostileInput, Dhcpv6Replies) {
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    auto p = random_bytes(rng, 1472);
    // Well-formed option headers now and then, so the walk gets past them.
    for (size_t at = 4; rng() % 2 && at + 4 <= p.size(); at += 4 + p[at + 3]) {
      p[at] = 0;
      p[at + 1] = static_cast<uint8_t>(rng() % 2 ? 59 : rng() % 64);
      p[at + 2] = 0;
    }
    std::vector<uint8_t> exact(p);
    Lease6Summary s = summarize_lease6(mpxe::Bytes(exact.data(), exact.size()));
    ASSERT_LT(std::strlen(s.url), sizeof(s.url));
    ASSERT_LT(std::strlen(s.boot_file), sizeof(s.boot_file));
  }
}

TEST(HostileInput, TftpReplies) {
  std::mt19937 rng(2);
  for (int i = 0; i < 50000; ++i) {
    auto p = random_bytes(rng, 64);
    if (p.size() >= 2 && rng() % 2) {
      p[0] = 0;
      p[1] = static_cast<uint8_t>(1 + rng() % 6);
    }
    TsizeReply r = read_tsize_reply(mpxe::Bytes(p.data(), p.size()));
    ASSERT_LT(std::strlen(r.error_text), sizeof(r.error_text));
  }
}

TEST(HostileInput, FwCfgDirectories) {
  std::mt19937 rng(3);
  for (int i = 0; i < 5000; ++i) {
    auto d = random_bytes(rng, 4 + 4 * kFwCfgFileEntrySize);
    if (d.size() >= 4 && rng() % 2) mpxe::store_be32(d.data(), rng() % 8);
    FwCfgFile f;
    fw_cfg_find_file(mpxe::Bytes(d.data(), d.size()), "opt/org.mpxe/mpsh-cmd", &f);
    ASSERT_LE(std::strlen(f.name), kFwCfgFileNameSize);
  }
}

TEST(HostileInput, ScriptsAndWords) {
  std::mt19937 rng(4);
  const char alphabet[] = "ab ;\n\r\t\0x";
  for (int i = 0; i < 5000; ++i) {
    std::string s(rng() % 40, ' ');
    for (auto& c : s) c = alphabet[rng() % (sizeof(alphabet) - 1)];
    CommandSplitter splitter(s.data(), s.size());
    TextView command;
    size_t total = 0;
    while (splitter.next(&command)) {
      ASSERT_GT(command.size(), 0u);
      total += command.size();
    }
    ASSERT_LE(total, s.size());
    std::vector<char> joined(2 * s.size() + 1);
    ASSERT_LE(join_commands(s.data(), s.size(), joined.data(), joined.size()), 2 * s.size());
    std::string line(s.c_str());
    char* argv[4];
    ASSERT_LE(split_words(line.data(), argv, 4), 4u);
  }
}

TEST(HostileInput, RandomKeys) {
  std::mt19937 rng(5);
  LineEditor editor([](void*, const char*) {}, nullptr);
  editor.begin();
  for (int i = 0; i < 200000; ++i) {
    uint16_t scan = rng() % 4 == 0 ? static_cast<uint16_t>(rng() % 0x20) : 0;
    uint16_t ch = static_cast<uint16_t>(rng() % 3 == 0 ? rng() % 0x20 : 0x20 + rng() % 0x60);
    if (editor.feed(edit_key_from_uefi(scan, ch)) != LineEditor::Result::Editing) editor.begin();
    ASSERT_LE(editor.cursor(), editor.length());
    ASSERT_LE(editor.length(), LineEditor::kMaxLine);
    ASSERT_EQ(std::strlen(editor.text()), editor.length());
  }
}

}  // namespace
}  // namespace mpsh
