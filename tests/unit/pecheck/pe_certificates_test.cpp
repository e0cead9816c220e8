// The certificate table of an image sbsign really signed (a tiny test PE and a
// throwaway key made with openssl for this run), read back entry by entry, and
// the same bytes broken one field at a time: each fault is named, never read
// past.
#include "pecheck/pe_certificates.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "pe_builder.h"
#include "pecheck/pe_rules.h"

namespace {

using mpxe::pe::CertError;
using mpxe::pe::CertParseResult;
using mpxe::pe::CheckOptions;
using mpxe::pe::Rule;
using mpxe::pe::Violation;
using mpxe::test::get32;
using mpxe::test::put16;
using mpxe::test::put32;
using mpxe::test::TestPe;

// Data directory 4 of a TestPe: its file offset field, then its size field.
constexpr size_t kSecurityDirectory = TestPe::kOptionalOffset + 112 + 8 * 4;

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

int run(const std::string& command) { return system((command + " >/dev/null 2>&1").c_str()); }

// One key and one signed image for the whole suite: sbsign and openssl are
// packages scripts/setup installs.
class SignedPe : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/mpxe-pecheck-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_EQ(run("openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 1 -subj '/CN=mpxe test/' "
                  "-keyout " + dir_ + "/test.key -out " + cert()),
              0)
        << "openssl could not make a key";
    unsigned_ = TestPe{}.build();
    write_bytes(dir_ + "/unsigned.efi", unsigned_);
    ASSERT_EQ(run("sbsign --key " + dir_ + "/test.key --cert " + cert() + " --output " + dir_ +
                  "/signed.efi " + dir_ + "/unsigned.efi"),
              0)
        << "sbsign failed (package sbsigntool)";
    signed_ = read_bytes(dir_ + "/signed.efi");
  }
  static void TearDownTestSuite() { run("rm -rf " + dir_); }

  static std::string cert() { return dir_ + "/test.crt"; }

  static CertParseResult parse(const std::vector<uint8_t>& bytes) {
    mpxe::pe::PeParseResult image = mpxe::pe::parse_pe(bytes);
    if (!image.image) {
      ADD_FAILURE() << "not a PE: " << image.detail;
      return {};
    }
    return mpxe::pe::parse_certificate_table(bytes, *image.image);
  }

  // The one fault check_pe names for these bytes, which must be a table fault.
  static CertError fault(const std::vector<uint8_t>& bytes) {
    std::vector<Violation> v = mpxe::pe::check_pe(bytes);
    if (v.size() != 1 || v[0].rule != Rule::CertificateTable) {
      ADD_FAILURE() << "expected one certificate-table violation, got " << v.size()
                    << (v.empty() ? "" : std::string(": ") + v[0].message);
      return CertError::None;
    }
    EXPECT_EQ(parse(bytes).error, v[0].cert_error);
    return v[0].cert_error;
  }

  static uint32_t table_offset() { return get32(signed_, kSecurityDirectory); }
  static uint32_t table_size() { return get32(signed_, kSecurityDirectory + 4); }

  static inline std::string dir_;
  static inline std::vector<uint8_t> unsigned_;
  static inline std::vector<uint8_t> signed_;
};

TEST_F(SignedPe, UnsignedImageHasAnEmptyTable) {
  CertParseResult r = parse(unsigned_);
  ASSERT_TRUE(r.table) << r.detail;
  EXPECT_FALSE(r.table->signed_image());
  EXPECT_EQ(r.table->size, 0u);
  EXPECT_TRUE(mpxe::pe::check_pe(unsigned_).empty());
}

TEST_F(SignedPe, UnsignedImageBreaksOnlyTheSignatureRule) {
  std::vector<Violation> v = mpxe::pe::check_pe(unsigned_, CheckOptions{.require_signature = true});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].rule, Rule::Signed);
  EXPECT_STREQ(mpxe::pe::rule_name(v[0].rule), "signed");
}

TEST_F(SignedPe, SbsignTableReadsBack) {
  ASSERT_GT(signed_.size(), unsigned_.size());
  CertParseResult r = parse(signed_);
  ASSERT_TRUE(r.table) << r.detail;
  ASSERT_EQ(r.table->entries.size(), 1u);
  // sbsign appends the table at the image's end, which the builder made 512-aligned.
  EXPECT_EQ(r.table->offset, unsigned_.size());
  EXPECT_EQ(uint64_t{r.table->offset} + r.table->size, signed_.size());
  const mpxe::pe::Certificate& c = r.table->entries[0];
  EXPECT_EQ(c.offset, unsigned_.size());
  EXPECT_EQ(c.length, get32(signed_, c.offset));
  EXPECT_EQ(c.revision, 0x0200);
  EXPECT_EQ(c.type, 0x0002);
  EXPECT_EQ(signed_[c.offset + 8], 0x30);  // the SignedData's SEQUENCE
  EXPECT_LE(c.signed_data_size, c.length - 8);
  EXPECT_GT(c.signed_data_size, 1000u);  // a certificate and an RSA-2048 signature
}

TEST_F(SignedPe, SigningKeepsEveryRule) {
  std::vector<Violation> v = mpxe::pe::check_pe(signed_, CheckOptions{.require_signature = true});
  for (const Violation& each : v) ADD_FAILURE() << rule_name(each.rule) << ": " << each.message;
  // And the bytes before the table are the image as built, but for the directory
  // entry and the checksum sbsign fills in.
  std::vector<uint8_t> before(signed_.begin(), signed_.begin() + static_cast<long>(unsigned_.size()));
  put32(before, kSecurityDirectory, 0);
  put32(before, kSecurityDirectory + 4, 0);
  put32(before, TestPe::kOptionalOffset + 64, 0);  // CheckSum
  EXPECT_EQ(before, unsigned_);
}

// The signature itself, checked by a verifier we did not write.
TEST_F(SignedPe, SbverifyAcceptsTheSignedImageOnly) {
  EXPECT_EQ(run("sbverify --cert " + cert() + " " + dir_ + "/signed.efi"), 0);
  EXPECT_NE(run("sbverify --cert " + cert() + " " + dir_ + "/unsigned.efi"), 0);
}

TEST_F(SignedPe, ZeroSizeMeansUnsigned) {
  std::vector<uint8_t> bytes = signed_;
  put32(bytes, kSecurityDirectory + 4, 0);
  CertParseResult r = parse(bytes);
  ASSERT_TRUE(r.table);
  EXPECT_FALSE(r.table->signed_image());
}

TEST_F(SignedPe, LengthPastTheEndOfTheTable) {
  std::vector<uint8_t> bytes = signed_;
  put32(bytes, table_offset(), table_size() + 8);
  EXPECT_EQ(fault(bytes), CertError::BadLength);
}

TEST_F(SignedPe, LengthShorterThanItsHeader) {
  std::vector<uint8_t> bytes = signed_;
  put32(bytes, table_offset(), 7);
  EXPECT_EQ(fault(bytes), CertError::BadLength);
}

TEST_F(SignedPe, BadRevision) {
  std::vector<uint8_t> bytes = signed_;
  put16(bytes, table_offset() + 4, 0x0100);
  EXPECT_EQ(fault(bytes), CertError::BadRevision);
}

TEST_F(SignedPe, UnsupportedType) {
  std::vector<uint8_t> bytes = signed_;
  put16(bytes, table_offset() + 6, 0x0EF1);  // WIN_CERT_TYPE_EFI_GUID
  EXPECT_EQ(fault(bytes), CertError::UnsupportedType);
}

TEST_F(SignedPe, MisalignedTable) {
  std::vector<uint8_t> bytes = signed_;
  put32(bytes, kSecurityDirectory, table_offset() + 4);
  put32(bytes, kSecurityDirectory + 4, table_size() - 4);
  EXPECT_EQ(fault(bytes), CertError::Misaligned);
}

TEST_F(SignedPe, TableRunsPastTheFile) {
  std::vector<uint8_t> bytes = signed_;
  put32(bytes, kSecurityDirectory + 4, table_size() + 8);
  EXPECT_EQ(fault(bytes), CertError::OutsideFile);
  put32(bytes, kSecurityDirectory, 0xFFFFFFF8);  // offset + size overflows 32 bits
  EXPECT_EQ(fault(bytes), CertError::OutsideFile);
}

// What an option ROM's 0xFF padding after the image would look like to the
// firmware: bytes after the table, which Authenticode would hash.
TEST_F(SignedPe, BytesAfterTheTable) {
  std::vector<uint8_t> bytes = signed_;
  bytes.resize(bytes.size() + 512, 0xFF);
  EXPECT_EQ(fault(bytes), CertError::NotAtEnd);
}

TEST_F(SignedPe, TableOverSectionData) {
  std::vector<uint8_t> bytes = signed_;
  uint32_t text_data = 0x200;
  put32(bytes, kSecurityDirectory, text_data);
  put32(bytes, kSecurityDirectory + 4, static_cast<uint32_t>(bytes.size()) - text_data);
  EXPECT_EQ(fault(bytes), CertError::OverlapsImage);
}

TEST_F(SignedPe, TruncatedSecondEntry) {
  std::vector<uint8_t> bytes = signed_;
  bytes.resize(bytes.size() + 4, 0);
  put32(bytes, kSecurityDirectory + 4, table_size() + 4);
  EXPECT_EQ(fault(bytes), CertError::TruncatedEntry);
}

TEST_F(SignedPe, TwoEntriesWalkOnEightByteBoundaries) {
  std::vector<uint8_t> bytes = signed_;
  std::vector<uint8_t> entry(signed_.begin() + table_offset(), signed_.end());
  bytes.insert(bytes.end(), entry.begin(), entry.end());
  put32(bytes, kSecurityDirectory + 4, table_size() * 2);
  CertParseResult r = parse(bytes);
  ASSERT_TRUE(r.table) << r.detail;
  ASSERT_EQ(r.table->entries.size(), 2u);
  EXPECT_EQ(r.table->entries[1].offset % 8, 0u);
  EXPECT_EQ(r.table->entries[1].offset, table_offset() + table_size());
  EXPECT_EQ(r.table->entries[1].signed_data_size, r.table->entries[0].signed_data_size);
}

TEST_F(SignedPe, ContentIsNotASequence) {
  std::vector<uint8_t> bytes = signed_;
  bytes[table_offset() + 8] = 0x31;  // a SET
  EXPECT_EQ(fault(bytes), CertError::NotDer);
}

TEST_F(SignedPe, DerLengthPastTheEntry) {
  std::vector<uint8_t> bytes = signed_;
  size_t der = table_offset() + 8;
  ASSERT_EQ(bytes[der + 1], 0x82);  // two length bytes, as for any SignedData this size
  put16(bytes, der + 2, 0xFFFF);    // big-endian 0xFFFF either way
  EXPECT_EQ(fault(bytes), CertError::NotDer);
  bytes[der + 1] = 0x80;  // BER's indefinite length
  EXPECT_EQ(fault(bytes), CertError::NotDer);
}

TEST(CertErrors, TextsAreDistinct) {
  std::vector<std::string> texts;
  for (int e = static_cast<int>(CertError::None); e <= static_cast<int>(CertError::NotDer); ++e)
    texts.push_back(mpxe::pe::cert_error_text(static_cast<CertError>(e)));
  for (size_t i = 0; i < texts.size(); ++i)
    for (size_t j = i + 1; j < texts.size(); ++j) EXPECT_NE(texts[i], texts[j]);
}

}  // namespace
