// The EFI_SIGNATURE_LIST walker and writer on real bytes: certificates the
// openssl CLI makes for each run (the keys stay in a temp folder), lists written
// by efitools' cert-to-efi-sig-list (a writer no one here wrote) and by ours, and
// every way a list can be malformed, each named with its list and offset.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/byte_ops.h"
#include "core/bytes.h"
#include "tls/signature_list.h"

namespace mpxe::tls {
namespace {

using Buffer = std::vector<uint8_t>;

std::string g_dir;

Buffer read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Buffer((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool run(const std::string& command) { return std::system((command + " 2>/dev/null").c_str()) == 0; }

// A self-signed RSA certificate with common name CN: its PEM path.
std::string make_certificate(const std::string& cn) {
  std::string base = g_dir + "/" + cn;
  if (!run("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + base + ".key -out " + base +
           ".pem -days 2 -subj /CN=" + cn))
    return {};
  return base + ".pem";
}

Buffer der_of(const std::string& pem) {
  std::string der = pem + ".der";
  if (!run("openssl x509 -in " + pem + " -outform DER -out " + der)) return {};
  return read_file(der);
}

Bytes view(const Buffer& b) { return Bytes(b.data(), b.size()); }

std::string guid_text(const EfiGuid& g) {
  char text[40];
  const uint8_t* b = g.bytes;
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                load_le32(b), load_le16(b + 4), load_le16(b + 6), b[8], b[9], b[10], b[11], b[12],
                b[13], b[14], b[15]);
  return text;
}

Buffer emit(const Buffer& der, const EfiGuid& owner = kMpxeOwnerGuid) {
  Buffer out(x509_signature_list_size(der.size()));
  auto written = emit_x509_signature_list(view(der), owner, MutableBytes(out.data(), out.size()));
  EXPECT_TRUE(written.ok());
  if (written.ok()) EXPECT_EQ(written.value(), out.size());
  return out;
}

std::vector<Buffer> walk(SignatureListWalker& walker) {
  std::vector<Buffer> certs;
  Bytes der;
  while (walker.next(&der)) certs.emplace_back(der.begin(), der.end());
  return certs;
}

// A list of another type (SHA-256 hashes, as db holds) with N 48-byte signatures.
Buffer sha256_list(size_t n) {
  const EfiGuid kSha256 =
      EfiGuid::make(0xc1c41626, 0x504c, 0x4092, {0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43, 0x28});
  Buffer b(28 + n * 48, 0xab);
  std::copy(std::begin(kSha256.bytes), std::end(kSha256.bytes), b.begin());
  store_le32(b.data() + 16, static_cast<uint32_t>(b.size()));
  store_le32(b.data() + 20, 0);
  store_le32(b.data() + 24, 48);
  return b;
}

Buffer concat(std::initializer_list<Buffer> parts) {
  Buffer out;
  for (const Buffer& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::string fault_text(const SignatureListFault& fault) {
  char line[160];
  signature_list_fault_format(fault, line, sizeof line);
  return line;
}

class SignatureList : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/mpxe-siglist-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    g_dir = tmpl;
    pem_a_ = make_certificate("anchor-a");
    pem_b_ = make_certificate("anchor-b");
    ASSERT_FALSE(pem_a_.empty()) << "openssl req failed";
    ASSERT_FALSE(pem_b_.empty());
    der_a_ = der_of(pem_a_);
    der_b_ = der_of(pem_b_);
    ASSERT_GT(der_a_.size(), 500u);
  }
  static void TearDownTestSuite() { run("rm -rf " + g_dir); }

  static std::string pem_a_, pem_b_;
  static Buffer der_a_, der_b_;
};
std::string SignatureList::pem_a_, SignatureList::pem_b_;
Buffer SignatureList::der_a_, SignatureList::der_b_;

TEST_F(SignatureList, GuidsHaveTheirEdk2WireForm) {
  EXPECT_EQ(guid_text(kCertX509Guid), "a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
  EXPECT_EQ(guid_text(kTlsCaCertificateGuid), "fd2340d0-3dab-4349-a6c7-3b4f12b48eae");
  // Data1 little-endian on the wire.
  EXPECT_EQ(kCertX509Guid.bytes[0], 0xa1);
  EXPECT_EQ(kCertX509Guid.bytes[3], 0xa5);
}

TEST_F(SignatureList, OurListIsByteForByteWhatEfitoolsWrites) {
  std::string esl = g_dir + "/a.esl";
  ASSERT_TRUE(run("cert-to-efi-sig-list -g " + guid_text(kMpxeOwnerGuid) + " " + pem_a_ + " " + esl))
      << "cert-to-efi-sig-list (efitools) failed";
  EXPECT_EQ(emit(der_a_), read_file(esl));
}

TEST_F(SignatureList, YieldsEveryCertificateOfEfitoolsLists) {
  std::string a = g_dir + "/ea.esl", b = g_dir + "/eb.esl";
  ASSERT_TRUE(run("cert-to-efi-sig-list " + pem_a_ + " " + a));
  ASSERT_TRUE(run("cert-to-efi-sig-list " + pem_b_ + " " + b));
  Buffer bytes = concat({read_file(a), read_file(b)});
  SignatureListWalker walker(view(bytes));
  auto certs = walk(walker);
  ASSERT_EQ(certs.size(), 2u);
  EXPECT_EQ(certs[0], der_a_);
  EXPECT_EQ(certs[1], der_b_);
  EXPECT_TRUE(walker.fault().ok()) << fault_text(walker.fault());
  EXPECT_EQ(walker.lists(), 2u);
  EXPECT_EQ(walker.certificates(), 2u);
}

TEST_F(SignatureList, SkipsOtherTypesAndCountsThem) {
  Buffer bytes = concat({sha256_list(3), emit(der_a_), sha256_list(0), emit(der_b_)});
  SignatureListWalker walker(view(bytes));
  auto certs = walk(walker);
  ASSERT_EQ(certs.size(), 2u);
  EXPECT_EQ(certs[0], der_a_);
  EXPECT_EQ(certs[1], der_b_);
  EXPECT_TRUE(walker.fault().ok());
  EXPECT_EQ(walker.lists(), 4u);
  EXPECT_EQ(walker.skipped_lists(), 2u);
  EXPECT_EQ(walker.skipped_signatures(), 3u);
}

TEST_F(SignatureList, TwoCertificatesOfOneSizeShareAList) {
  // UEFI lets a list hold several signatures of one size: two copies of A.
  Buffer list = emit(der_a_);
  list.insert(list.end(), list.begin() + 28, list.end());
  store_le32(list.data() + 16, static_cast<uint32_t>(list.size()));
  SignatureListWalker walker(view(list));
  auto certs = walk(walker);
  ASSERT_EQ(certs.size(), 2u);
  EXPECT_EQ(certs[1], der_a_);
  EXPECT_TRUE(walker.fault().ok());
}

TEST_F(SignatureList, EmptyInputHasNoCertificateAndNoFault) {
  Buffer none;
  SignatureListWalker walker(view(none));
  EXPECT_TRUE(walk(walker).empty());
  EXPECT_TRUE(walker.fault().ok());
  EXPECT_EQ(walker.lists(), 0u);
}

struct Damage {
  const char* name;
  void (*apply)(Buffer& second_list);
  net::Errc reason;
  SignatureListField field;
  const char* text;  // a piece of the fault's line
};

// Each damage hits the second list of [A][B]: A is yielded, then the walk stops at
// byte A.size() naming list 1.
TEST_F(SignatureList, EveryMalformedListIsNamedWithItsOffset) {
  const Damage damages[] = {
      {"header cut", [](Buffer& b) { b.resize(20); }, net::Errc::Truncated,
       SignatureListField::Header, "20 bytes left, fewer than a list's 28-byte header"},
      {"list size past the end", [](Buffer& b) { store_le32(b.data() + 16, load_le32(b.data() + 16) + 1); },
       net::Errc::Truncated, SignatureListField::ListSize, "runs past the end"},
      {"list size below header", [](Buffer& b) { store_le32(b.data() + 16, 27); },
       net::Errc::BadLength, SignatureListField::ListSize, "SignatureListSize 27 cannot hold"},
      {"header size huge", [](Buffer& b) { store_le32(b.data() + 20, 0xfffffff0u); },
       net::Errc::BadLength, SignatureListField::ListSize, "cannot hold its header"},
      {"signature size zero", [](Buffer& b) { store_le32(b.data() + 24, 0); },
       net::Errc::BadLength, SignatureListField::SignatureSize, "SignatureSize 0"},
      {"signature size below owner", [](Buffer& b) { store_le32(b.data() + 24, 15); },
       net::Errc::BadLength, SignatureListField::SignatureSize, "SignatureSize 15"},
      {"signature size not a divisor", [](Buffer& b) { store_le32(b.data() + 24, load_le32(b.data() + 24) - 1); },
       net::Errc::BadLength, SignatureListField::SignatureSize, "whole signatures"},
      {"x509 header not empty",
       [](Buffer& b) {
         // 4 header bytes inserted, the list grown to match: well formed but for X.509.
         b.insert(b.begin() + 28, 4, 0);
         store_le32(b.data() + 16, static_cast<uint32_t>(b.size()));
         store_le32(b.data() + 20, 4);
       },
       net::Errc::BadValue, SignatureListField::HeaderSize, "SignatureHeaderSize 4 in an X.509 list"},
      {"not a sequence", [](Buffer& b) { b[28 + 16] = 0x31; }, net::Errc::BadValue,
       SignatureListField::Certificate, "signature 0 is not a DER certificate"},
      {"der longer than its slot", [](Buffer& b) { b[28 + 16 + 2] += 1; }, net::Errc::BadValue,
       SignatureListField::Certificate, "not a DER certificate"},
      {"indefinite length", [](Buffer& b) { b[28 + 16 + 1] = 0x80; }, net::Errc::BadValue,
       SignatureListField::Certificate, "not a DER certificate"},
      {"no room for a certificate",
       [](Buffer& b) {
         b.resize(28 + 16);
         store_le32(b.data() + 16, 44);
         store_le32(b.data() + 24, 16);
       },
       net::Errc::BadValue, SignatureListField::Certificate, "signature 0"},
  };
  for (const Damage& d : damages) {
    SCOPED_TRACE(d.name);
    Buffer first = emit(der_a_);
    Buffer second = emit(der_b_);
    d.apply(second);
    Buffer bytes = concat({first, second});
    SignatureListWalker walker(view(bytes));
    auto certs = walk(walker);
    ASSERT_EQ(certs.size(), 1u);
    EXPECT_EQ(certs[0], der_a_);
    const SignatureListFault& fault = walker.fault();
    EXPECT_EQ(fault.reason, d.reason);
    EXPECT_EQ(fault.field, d.field);
    EXPECT_EQ(fault.list_index, 1u);
    EXPECT_EQ(fault.list_offset, first.size());
    std::string text = fault_text(fault);
    EXPECT_NE(text.find("list 1 at byte " + std::to_string(first.size()) + ": "), std::string::npos)
        << text;
    EXPECT_NE(text.find(d.text), std::string::npos) << text;
    // The walk stays stopped.
    Bytes more;
    EXPECT_FALSE(walker.next(&more));
  }
}

TEST_F(SignatureList, TrailingBytesInsideTheSlotAreNotPartOfTheCertificate) {
  // A slot padded past the DER (some writers round up): the certificate is the DER.
  Buffer list = emit(der_a_);
  list.insert(list.end(), 3, 0);
  store_le32(list.data() + 16, static_cast<uint32_t>(list.size()));
  store_le32(list.data() + 24, load_le32(list.data() + 24) + 3);
  SignatureListWalker walker(view(list));
  auto certs = walk(walker);
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0], der_a_);
}

TEST_F(SignatureList, WriterRefusesWhatCannotBeAList) {
  Buffer out(10);
  EXPECT_EQ(emit_x509_signature_list(view(der_a_), kMpxeOwnerGuid, MutableBytes(out.data(), out.size()))
                .error()
                .reason(),
            net::Errc::NoSpace);
  Buffer empty;
  Buffer big(100);
  EXPECT_EQ(emit_x509_signature_list(view(empty), kMpxeOwnerGuid, MutableBytes(big.data(), big.size()))
                .error()
                .reason(),
            net::Errc::BadValue);
}

TEST(DerElementLength, ShortAndLongForms) {
  const uint8_t short_form[] = {0x30, 0x03, 1, 2, 3};
  EXPECT_EQ(der_element_length(Bytes(short_form)), 5u);
  const uint8_t long_form[] = {0x30, 0x82, 0x01, 0x00};
  EXPECT_EQ(der_element_length(Bytes(long_form)), 4u + 256u);
  const uint8_t cut[] = {0x30, 0x82, 0x01};
  EXPECT_EQ(der_element_length(Bytes(cut)), 0u);
  const uint8_t five[] = {0x30, 0x85, 1, 1, 1, 1, 1};
  EXPECT_EQ(der_element_length(Bytes(five)), 0u);
}

}  // namespace
}  // namespace mpxe::tls
