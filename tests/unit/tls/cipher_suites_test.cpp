// The suite lists a context offers: mpxe's order for a CPU with and without AES
// instructions, and the ids of etc/edk2/https/ciphers mapped onto what wolfSSL has.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tls/cipher_suites.h"

namespace mpxe::tls {
namespace {

constexpr const char* kSource = "fw_cfg etc/edk2/https/ciphers";

std::vector<uint16_t> ids_of(const CipherSuites& suites) {
  std::vector<uint16_t> ids;
  for (size_t i = 0; i < suites.count(); ++i) ids.push_back(suites.id(i));
  return ids;
}

size_t position(const std::vector<uint16_t>& ids, uint16_t id) {
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] == id) return i;
  ADD_FAILURE() << "0x" << std::hex << id << " not offered";
  return ids.size();
}

std::string line(const CipherSuites& suites) {
  char text[256];
  suites.describe(text, sizeof text);
  return text;
}

std::vector<uint8_t> be(std::initializer_list<uint16_t> ids) {
  std::vector<uint8_t> bytes;
  for (uint16_t id : ids) {
    bytes.push_back(static_cast<uint8_t>(id >> 8));
    bytes.push_back(static_cast<uint8_t>(id));
  }
  return bytes;
}

TEST(CipherSuites, WithoutAesChacha20LeadsInTls13AndIn12) {
  const auto ids = ids_of(CipherSuites::ordered(false));
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids[0], 0x1303);  // TLS_CHACHA20_POLY1305_SHA256
  EXPECT_EQ(ids[1], 0x1301);  // TLS_AES_128_GCM_SHA256
  EXPECT_EQ(ids[2], 0x1302);  // TLS_AES_256_GCM_SHA384
  // TLS 1.2: ECDHE with ChaCha20 ahead of ECDHE with AES-GCM, and all of 1.3 ahead of 1.2.
  EXPECT_LT(position(ids, 0xcca8), position(ids, 0xc02f));
  EXPECT_LT(position(ids, 0xcca9), position(ids, 0xc02b));
  EXPECT_LT(position(ids, 0xccaa), position(ids, 0x009e));
  EXPECT_LT(position(ids, 0x1302), position(ids, 0xcca9));
}

TEST(CipherSuites, WithAesGcmLeadsInTls13AndIn12) {
  const auto ids = ids_of(CipherSuites::ordered(true));
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids[0], 0x1301);
  EXPECT_EQ(ids[1], 0x1302);
  EXPECT_EQ(ids[2], 0x1303);
  EXPECT_LT(position(ids, 0xc02f), position(ids, 0xcca8));
  EXPECT_LT(position(ids, 0xc02b), position(ids, 0xcca9));
}

TEST(CipherSuites, BothOrdersOfferTheSameSuitesEachOnceAndAllKnownToWolfssl) {
  auto without = ids_of(CipherSuites::ordered(false));
  auto with = ids_of(CipherSuites::ordered(true));
  for (uint16_t id : without) EXPECT_NE(cipher_suite_name(id), nullptr) << std::hex << id;
  std::sort(without.begin(), without.end());
  std::sort(with.begin(), with.end());
  EXPECT_EQ(without, with);
  EXPECT_EQ(std::adjacent_find(without.begin(), without.end()), without.end());
  // The 1.2 CBC suites stay, for servers with nothing better.
  EXPECT_NE(std::find(without.begin(), without.end(), 0xc027), without.end());
}

TEST(CipherSuites, TheCpuDecidesOnlyWhenTheLibraryUsesItsAesInstructions) {
  EXPECT_FALSE(CipherSuites::builtin(false).aes_first());
  EXPECT_EQ(CipherSuites::builtin(true).aes_first(), CipherSuites::aes_uses_cpu_instructions());
  EXPECT_EQ(line(CipherSuites::builtin(false)),
            "tls: cipher suites: ChaCha20-Poly1305 first (the CPU has no AES instructions)");
  if (!CipherSuites::aes_uses_cpu_instructions())
    EXPECT_EQ(line(CipherSuites::builtin(true)),
              "tls: cipher suites: ChaCha20-Poly1305 first (AES-GCM runs in C in this build)");
}

TEST(CipherSuites, AFileKeepsItsOrderAndSkipsWhatWolfsslLacks) {
  // TLS_AES_128_CCM_8_SHA256 (not built), AES-256-GCM, a made-up id, AES-256-GCM
  // again, TLS_RSA_WITH_AES_256_GCM_SHA384 (static RSA: not built), ECDHE-RSA-AES128-GCM.
  const auto file = be({0x1305, 0x1302, 0x0aff, 0x1302, 0x009d, 0xc02f});
  const auto suites = CipherSuites::from_ids(Bytes(file.data(), file.size()), kSource);
  EXPECT_EQ(ids_of(suites), (std::vector<uint16_t>{0x1302, 0xc02f}));
  EXPECT_EQ(suites.skipped(), 3u);
  EXPECT_EQ(suites.skipped_id(0), 0x1305);
  EXPECT_EQ(suites.skipped_id(2), 0x009d);
  EXPECT_EQ(line(suites),
            "tls: 2 cipher suites from fw_cfg etc/edk2/https/ciphers: TLS13-AES256-GCM-SHA384 "
            "ECDHE-RSA-AES128-GCM-SHA256; not supported, skipped: 0x1305 0x0aff 0x009d");
}

TEST(CipherSuites, AFileOfSupportedSuitesIsTakenWhole) {
  const auto file = be({0x1303});
  const auto suites = CipherSuites::from_ids(Bytes(file.data(), file.size()), kSource);
  EXPECT_EQ(ids_of(suites), (std::vector<uint16_t>{0x1303}));
  EXPECT_EQ(line(suites),
            "tls: 1 cipher suite from fw_cfg etc/edk2/https/ciphers: TLS13-CHACHA20-POLY1305-SHA256");
}

TEST(CipherSuites, AFileWithNothingSupportedLeavesNoSuiteAndSaysSo) {
  const auto file = be({0x009d, 0x0035});  // what Debian's OVMF offers: static RSA only
  const auto suites = CipherSuites::from_ids(Bytes(file.data(), file.size()), kSource);
  EXPECT_EQ(suites.count(), 0u);
  EXPECT_EQ(line(suites),
            "tls: fw_cfg etc/edk2/https/ciphers names no cipher suite mpxe supports "
            "(0x009d 0x0035); https is refused");
}

TEST(CipherSuites, ALongListOfUnknownIdsIsNamedInPartAndCounted) {
  std::vector<uint8_t> file;
  for (uint16_t id = 0xff00; id < 0xff00 + 20; ++id) {
    file.push_back(static_cast<uint8_t>(id >> 8));
    file.push_back(static_cast<uint8_t>(id));
  }
  file.push_back(0x13);
  file.push_back(0x01);
  const auto suites = CipherSuites::from_ids(Bytes(file.data(), file.size()), kSource);
  EXPECT_EQ(ids_of(suites), (std::vector<uint16_t>{0x1301}));
  EXPECT_EQ(suites.skipped(), 20u);
  EXPECT_NE(line(suites).find("skipped: 0xff00 0xff01 0xff02 0xff03 0xff04 0xff05 0xff06 0xff07 and 12 more"),
            std::string::npos)
      << line(suites);
}

TEST(CipherSuites, EveryIdOfTheLargestFileFitsAndDuplicatesCollapse) {
  // 1024 ids (the most etc/edk2/https/ciphers may hold), every supported suite
  // many times over: each is offered once.
  const auto all = ids_of(CipherSuites::ordered(false));
  std::vector<uint8_t> file;
  for (size_t i = 0; file.size() < 2048; ++i) {
    file.push_back(static_cast<uint8_t>(all[i % all.size()] >> 8));
    file.push_back(static_cast<uint8_t>(all[i % all.size()]));
  }
  const auto suites = CipherSuites::from_ids(Bytes(file.data(), file.size()), kSource);
  EXPECT_EQ(ids_of(suites), all);
  EXPECT_EQ(suites.skipped(), 0u);
}

}  // namespace
}  // namespace mpxe::tls
