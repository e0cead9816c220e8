// --secure-boot's variable store, on Debian's own files: Microsoft's certificates come
// out of OVMF_VARS_4M.ms.fd (a store the firmware wrote when Debian enrolled them),
// and the keys written into the empty OVMF_VARS_4M.fd read back, laid out as the
// firmware laid out the same snakeoil key in OVMF_VARS_4M.snakeoil.fd.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "https_certs.h"
#include "ovmf_vars.h"
#include "secure_boot_keys.h"
#include "secure_boot_store.h"

#include <cstdlib>
#include <filesystem>

namespace mpxe::runner {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr char kTemplate[] = "/usr/share/OVMF/OVMF_VARS_4M.fd";
constexpr char kMicrosoftStore[] = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd";
constexpr char kSnakeoilStore[] = "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd";
constexpr char kSnakeoilCert[] = "/usr/share/ovmf/PkKek-1-snakeoil.pem";
// It has no common name: its whole subject stands for it.
constexpr char kSnakeoilName[] = "C = US, ST = Colorado, L = Fort Collins, O = SnakeOil";

std::optional<Bytes> slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::string> certificate_names(const Bytes& lists) {
  std::string error;
  auto split = split_signature_lists(lists, error);
  EXPECT_TRUE(split) << error;
  std::vector<std::string> names;
  if (!split) return names;
  for (const SignatureList& list : *split) {
    EXPECT_EQ(list.type, kCertX509TypeGuid);
    for (const auto& s : list.signatures)
      names.push_back(certificate_name(Bytes(s.data.begin(), s.data.end())));
  }
  return names;
}

// Two lists by hand: an X.509 list with one 3-byte "certificate" of owner A, and a
// SHA-256 list of two hashes, one owned by A and one by B.
Bytes two_lists(const Guid& a, const Guid& b) {
  Bytes out;
  auto put32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  out.insert(out.end(), kCertX509TypeGuid.begin(), kCertX509TypeGuid.end());
  put32(28 + 16 + 3);
  put32(0);
  put32(16 + 3);
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), {0x30, 0x01, 0x00});
  const Bytes sha256_type = {0x26, 0x16, 0xc4, 0xc1, 0x4c, 0x50, 0x92, 0x40,
                             0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43, 0x28};
  out.insert(out.end(), sha256_type.begin(), sha256_type.end());
  put32(28 + 2 * 48);
  put32(0);
  put32(48);
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), 32, 0xaa);
  out.insert(out.end(), b.begin(), b.end());
  out.insert(out.end(), 32, 0xbb);
  return out;
}

TEST(SecureBootKeys, SplitsListsAndKeepsTheOwnersOnes) {
  const Guid a = kMicrosoftOwnerGuid;
  const Guid b = kGlobalVariableGuid;
  Bytes lists = two_lists(a, b);
  std::string error;
  auto split = split_signature_lists(lists, error);
  ASSERT_TRUE(split) << error;
  ASSERT_EQ(split->size(), 2u);
  EXPECT_EQ((*split)[0].type, kCertX509TypeGuid);
  ASSERT_EQ((*split)[0].signatures.size(), 1u);
  EXPECT_EQ(Bytes((*split)[0].signatures[0].data.begin(), (*split)[0].signatures[0].data.end()),
            (Bytes{0x30, 0x01, 0x00}));
  ASSERT_EQ((*split)[1].signatures.size(), 2u);
  EXPECT_EQ((*split)[1].signatures[1].owner, b);
  // Only the first list is A's alone.
  auto owned = signature_lists_owned_by(lists, a, error);
  ASSERT_TRUE(owned) << error;
  EXPECT_EQ(*owned, Bytes(lists.begin(), lists.begin() + 47));
  EXPECT_EQ(signature_lists_owned_by(lists, kCertX509TypeGuid, error), Bytes());
}

TEST(SecureBootKeys, RefusesMalformedListsByName) {
  Bytes lists = two_lists(kMicrosoftOwnerGuid, kMicrosoftOwnerGuid);
  std::string error;
  Bytes cut(lists.begin(), lists.end() - 1);
  EXPECT_FALSE(split_signature_lists(cut, error));
  EXPECT_EQ(error, "signature list 1 at byte 47: SignatureListSize 124 runs past the end");
  Bytes short_header(lists.begin(), lists.begin() + 47 + 20);
  EXPECT_FALSE(split_signature_lists(short_header, error));
  EXPECT_EQ(error, "signature list 1 at byte 47: 20 bytes left for a 28-byte header");
  Bytes bent = lists;
  bent[47 + 24] = 50;  // SignatureSize 50 does not divide 96
  EXPECT_FALSE(split_signature_lists(bent, error));
  EXPECT_EQ(error, "signature list 1 at byte 47: SignatureSize 50 does not fit the list's 96 bytes of signatures");
  bent = lists;
  bent[16] = 10;  // below the header
  EXPECT_FALSE(signature_lists_owned_by(bent, kMicrosoftOwnerGuid, error));
  EXPECT_EQ(error, "signature list 0 at byte 0: SignatureListSize 10 below its header");
  bent = lists;
  bent[24] = 16;  // a signature with room for its owner only
  EXPECT_FALSE(split_signature_lists(bent, error));
  EXPECT_TRUE(split_signature_lists({}, error));
}

TEST(SecureBootKeys, FindsMicrosoftsCertificatesInDebiansStore) {
  auto image = slurp(kMicrosoftStore);
  if (!image) GTEST_SKIP() << kMicrosoftStore << " not installed (ovmf)";
  std::string error;
  auto stored = read_secure_boot_keys(*image, error);
  ASSERT_TRUE(stored) << error;
  EXPECT_EQ(certificate_names(stored->db),
            (std::vector<std::string>{"Microsoft Windows Production PCA 2011",
                                      "Microsoft Corporation UEFI CA 2011"}));
  // KEK holds Debian's PK/KEK certificate too; Microsoft's owner picks theirs alone.
  EXPECT_EQ(certificate_names(stored->kek).size(), 2u);
  auto kek = signature_lists_owned_by(stored->kek, kMicrosoftOwnerGuid, error);
  ASSERT_TRUE(kek) << error;
  EXPECT_EQ(certificate_names(*kek),
            (std::vector<std::string>{"Microsoft Corporation KEK CA 2011"}));
  auto db = signature_lists_owned_by(stored->db, kMicrosoftOwnerGuid, error);
  ASSERT_TRUE(db) << error;
  EXPECT_EQ(*db, stored->db);
  auto dbx = split_signature_lists(stored->dbx, error);
  ASSERT_TRUE(dbx) << error;
  EXPECT_FALSE(dbx->empty());
  auto db_var = find_variable(*image, u"db", kImageSecurityDatabaseGuid);
  ASSERT_TRUE(db_var);
  EXPECT_EQ(db_var->attributes, kSecureBootKeyAttributes);
}

TEST(SecureBootKeys, EnrolsIntoTheEmptyTemplateAndReadsBack) {
  auto image = slurp(kTemplate);
  auto ms = slurp(kMicrosoftStore);
  if (!image || !ms) GTEST_SKIP() << "OVMF's variable stores not installed (ovmf)";
  std::string error;
  auto user = read_certificates(kSnakeoilCert, error);
  if (!user) GTEST_SKIP() << error;
  auto vendor = read_secure_boot_keys(*ms, error);
  ASSERT_TRUE(vendor) << error;
  auto vendor_kek = signature_lists_owned_by(vendor->kek, kMicrosoftOwnerGuid, error);
  ASSERT_TRUE(vendor_kek) << error;
  ASSERT_EQ(read_variables(*image)->size(), 0u);
  SecureBootKeys keys =
      secure_boot_keys(signature_lists(*user), *vendor_kek, vendor->db, vendor->dbx);
  ASSERT_EQ(enrol_secure_boot_keys(*image, keys.pk, keys.kek, keys.db, keys.dbx), std::nullopt);
  EXPECT_EQ(check_enrolled(*image, keys), std::nullopt);

  auto vars = read_variables(*image);
  ASSERT_TRUE(vars);
  ASSERT_EQ(vars->size(), 4u);
  EXPECT_EQ((*vars)[0].name, u"db");
  EXPECT_EQ((*vars)[1].name, u"dbx");
  EXPECT_EQ((*vars)[2].name, u"KEK");
  EXPECT_EQ((*vars)[3].name, u"PK");  // last: enrolling PK ends setup mode
  for (const StoredVariable& var : *vars) {
    EXPECT_EQ(var.attributes, 0x27u);
    EXPECT_EQ(var.timestamp, (std::array<uint8_t, 16>{}));
  }
  auto stored = read_secure_boot_keys(*image, error);
  ASSERT_TRUE(stored) << error;
  EXPECT_EQ(certificate_names(stored->pk), (std::vector<std::string>{kSnakeoilName}));
  EXPECT_EQ(certificate_names(stored->kek),
            (std::vector<std::string>{kSnakeoilName, "Microsoft Corporation KEK CA 2011"}));
  EXPECT_EQ(certificate_names(stored->db),
            (std::vector<std::string>{kSnakeoilName, "Microsoft Windows Production PCA 2011",
                                      "Microsoft Corporation UEFI CA 2011"}));
  EXPECT_EQ(stored->dbx, vendor->dbx);

  // Enrolling again replaces the four; without a dbx, none is left.
  SecureBootKeys again = secure_boot_keys(signature_lists(*user), {}, {}, {});
  ASSERT_EQ(enrol_secure_boot_keys(*image, again.pk, again.kek, again.db, again.dbx), std::nullopt);
  EXPECT_NE(check_enrolled(*image, again), std::nullopt);  // the first dbx is still there
  auto dbx = find_variable(*image, u"dbx", kImageSecurityDatabaseGuid);
  EXPECT_TRUE(dbx);
  EXPECT_EQ(find_variable(*image, u"PK", kGlobalVariableGuid)->data, again.pk);
}

// The firmware enrolled the snakeoil certificate into OVMF_VARS_4M.snakeoil.fd as
// PK, KEK and db; the same certificate enrolled here gives the same variables but
// for the time stamp (the firmware's is its enrolment time, ours zero) and each
// signature's owner GUID (the firmware's is EFI_GLOBAL_VARIABLE, ours mpxe's).
TEST(SecureBootKeys, LaysOutVariablesAsTheFirmwareDid) {
  auto image = slurp(kTemplate);
  auto snakeoil = slurp(kSnakeoilStore);
  if (!image || !snakeoil) GTEST_SKIP() << "OVMF's variable stores not installed (ovmf)";
  std::string error;
  auto user = read_certificates(kSnakeoilCert, error);
  if (!user) GTEST_SKIP() << error;
  Bytes lists = signature_lists(*user);
  ASSERT_EQ(enrol_secure_boot_keys(*image, lists, lists, lists), std::nullopt);
  for (auto [name, guid] : {std::pair{u"PK", kGlobalVariableGuid},
                            std::pair{u"KEK", kGlobalVariableGuid},
                            std::pair{u"db", kImageSecurityDatabaseGuid}}) {
    auto ours = find_variable(*image, name, guid);
    auto theirs = find_variable(*snakeoil, name, guid);
    ASSERT_TRUE(ours && theirs);
    EXPECT_EQ(ours->attributes, theirs->attributes);
    EXPECT_NE(theirs->timestamp, (std::array<uint8_t, 16>{}));
    Bytes a = ours->data, b = theirs->data;
    ASSERT_EQ(a.size(), b.size());
    ASSERT_GE(a.size(), 44u);
    std::fill(a.begin() + 28, a.begin() + 44, 0);  // the owner
    std::fill(b.begin() + 28, b.begin() + 44, 0);
    EXPECT_EQ(a, b);
  }
}

TEST(SecureBootKeys, RefusesAPlainStore) {
  auto image = slurp(kTemplate);
  if (!image) GTEST_SKIP() << kTemplate << " not installed (ovmf)";
  // gEfiVariableGuid in place of the authenticated store's format GUID.
  const Bytes plain = {0x16, 0x36, 0xcf, 0xdd, 0x75, 0x32, 0x64, 0x41,
                       0x98, 0xb6, 0xfe, 0x85, 0x70, 0x7f, 0xfe, 0x7d};
  size_t store = (*image)[0x30] | (*image)[0x31] << 8;
  std::copy(plain.begin(), plain.end(), image->begin() + static_cast<long>(store));
  Bytes lists = two_lists(kMicrosoftOwnerGuid, kMicrosoftOwnerGuid);
  auto refused = enrol_secure_boot_keys(*image, lists, lists, lists);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->find("plain kind"), std::string::npos) << *refused;
}

// The runner's step: a copy of the template rewritten in place, read back, and a
// line per database naming what it holds; without Microsoft's store, a warning.
TEST(SecureBootStore, WritesTheRunsCopyAndSaysWhatItHolds) {
  if (!slurp(kTemplate) || !slurp(kMicrosoftStore) || !slurp(kSnakeoilCert))
    GTEST_SKIP() << "OVMF's files not installed (ovmf)";
  namespace fs = std::filesystem;
  char dir[] = "/tmp/mpxe-sbstore-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string vars = std::string(dir) + "/OVMF_VARS_4M.fd";
  fs::copy_file(kTemplate, vars);
  SecureBootStoreReport report;
  ASSERT_EQ(write_secure_boot_store({vars, kSnakeoilCert, kMicrosoftStore}, report), std::nullopt);
  const std::string name = std::string("'") + kSnakeoilName + "'";
  EXPECT_EQ(report.lines,
            (std::vector<std::string>{
                "PK: " + name,
                "KEK: " + name + ", 'Microsoft Corporation KEK CA 2011' (Microsoft's from OVMF_VARS_4M.ms.fd)",
                "db: " + name + ", 'Microsoft Windows Production PCA 2011', 'Microsoft Corporation "
                                "UEFI CA 2011' (Microsoft's from OVMF_VARS_4M.ms.fd)",
                "dbx: 1 hash from OVMF_VARS_4M.ms.fd"}));
  auto written = slurp(vars.c_str());
  ASSERT_TRUE(written);
  EXPECT_EQ(find_variable(*written, u"PK", kGlobalVariableGuid)->attributes, 0x27u);

  fs::copy_file(kTemplate, vars, fs::copy_options::overwrite_existing);
  SecureBootStoreReport alone;
  ASSERT_EQ(write_secure_boot_store({vars, kSnakeoilCert, std::string(dir) + "/none.fd"}, alone),
            std::nullopt);
  ASSERT_EQ(alone.lines.size(), 5u);
  EXPECT_NE(alone.lines[0].find("Microsoft-signed shims will be refused"), std::string::npos);
  EXPECT_EQ(alone.lines[2], "KEK: " + name);
  EXPECT_EQ(alone.lines[4], "dbx: none");

  SecureBootStoreReport refused;
  auto problem = write_secure_boot_store({vars, std::string(dir) + "/none.pem", kMicrosoftStore},
                                         refused);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("cannot read"), std::string::npos) << *problem;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mpxe::runner
