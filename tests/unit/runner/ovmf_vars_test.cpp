// The HTTP boot option written into OVMF's variable store for --stack ovmf --http:
// device path and load option bytes, and the store edit on a synthetic store laid out
// as Debian's OVMF_VARS_4M.fd is (and on that file itself when it is installed).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "ovmf_vars.h"

namespace mpxe::runner {
namespace {

using Bytes = std::vector<uint8_t>;

// A firmware volume of SIZE bytes holding an empty authenticated variable store, the
// way an unused OVMF_VARS starts: FV header (0x48 bytes), store header, then 0xFF.
Bytes empty_store(size_t size = 0x2000, size_t store_size = 0x1000) {
  Bytes image(size, 0xff);
  std::fill(image.begin(), image.begin() + 0x48, 0);
  const uint8_t fvh[] = {'_', 'F', 'V', 'H'};
  std::copy(std::begin(fvh), std::end(fvh), image.begin() + 0x28);
  image[0x30] = 0x48;  // header length
  const uint8_t store[] = {0x78, 0x2c, 0xf3, 0xaa, 0x7b, 0x94, 0x9a, 0x43,
                           0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92};
  std::copy(std::begin(store), std::end(store), image.begin() + 0x48);
  image[0x48 + 16] = static_cast<uint8_t>(store_size);
  image[0x48 + 17] = static_cast<uint8_t>(store_size >> 8);
  image[0x48 + 18] = 0;
  image[0x48 + 19] = 0;
  image[0x48 + 20] = 0x5a;  // formatted
  image[0x48 + 21] = 0xfe;  // healthy
  std::fill(image.begin() + 0x48 + 22, image.begin() + 0x48 + 28, 0);
  return image;
}

const std::string kUri = "http://10.0.2.2:41234/mpsh.efi";

TEST(OvmfVars, HttpBootDevicePath) {
  Bytes path = http_boot_device_path(kPinnedMac, 2, "http://h/x");
  Bytes expected = {
      0x02, 0x01, 0x0c, 0x00, 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0,  // PciRoot(0x0)
      0x01, 0x01, 0x06, 0x00, 0x00, 0x02,                          // Pci(0x2,0x0)
      0x03, 0x0b, 0x25, 0x00, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,  // MAC(525400123456,
  };
  expected.insert(expected.end(), 26, 0);
  expected.push_back(0x01);  //   0x1)
  const uint8_t ipv4[] = {0x03, 0x0c, 0x1b, 0x00};  // IPv4(0.0.0.0), 27 bytes
  expected.insert(expected.end(), std::begin(ipv4), std::end(ipv4));
  expected.insert(expected.end(), 23, 0);
  const uint8_t uri[] = {0x03, 0x18, 14, 0x00, 'h', 't', 't', 'p', ':', '/', '/', 'h', '/', 'x'};
  expected.insert(expected.end(), std::begin(uri), std::end(uri));
  const uint8_t end[] = {0x7f, 0xff, 0x04, 0x00};
  expected.insert(expected.end(), std::begin(end), std::end(end));
  EXPECT_EQ(path, expected);
}

TEST(OvmfVars, LoadOption) {
  Bytes path = {0x7f, 0xff, 0x04, 0x00};
  EXPECT_EQ(load_option("ab", path), (Bytes{1, 0, 0, 0,  // active
                                            4, 0,        // device path length
                                            'a', 0, 'b', 0, 0, 0, 0x7f, 0xff, 0x04, 0x00}));
}

TEST(OvmfVars, AddsBootOptionAndBootOrder) {
  Bytes image = empty_store();
  Bytes option = load_option("mpxe HTTP boot", http_boot_device_path(kPinnedMac, 2, kUri));
  ASSERT_EQ(add_boot_option(image, 0, option), std::nullopt);
  auto vars = read_variables(image);
  ASSERT_TRUE(vars);
  ASSERT_EQ(vars->size(), 2u);
  EXPECT_EQ((*vars)[0].name, u"Boot0000");
  EXPECT_EQ((*vars)[0].data, option);
  EXPECT_EQ((*vars)[0].attributes, 7u);
  EXPECT_EQ((*vars)[0].guid, kGlobalVariableGuid);
  EXPECT_EQ((*vars)[1].name, u"BootOrder");
  EXPECT_EQ((*vars)[1].data, (Bytes{0, 0}));
  EXPECT_EQ((*vars)[1].attributes, 7u);
  // The first variable starts right after the store header, 4-byte aligned.
  EXPECT_EQ(image[0x64], 0xaa);
  EXPECT_EQ(image[0x65], 0x55);
  EXPECT_EQ(image[0x66], 0x3f);  // VAR_ADDED
  // Nothing past the store was touched.
  EXPECT_TRUE(std::all_of(image.begin() + 0x1048, image.end(), [](uint8_t b) { return b == 0xff; }));
}

TEST(OvmfVars, ReplacesAnEarlierBootOrderAndOption) {
  Bytes image = empty_store();
  ASSERT_EQ(add_boot_option(image, 0, load_option("old", {})), std::nullopt);
  ASSERT_EQ(add_boot_option(image, 0x12, load_option("other", {})), std::nullopt);
  Bytes option = load_option("new", {});
  ASSERT_EQ(add_boot_option(image, 0, option), std::nullopt);
  auto vars = read_variables(image);
  ASSERT_TRUE(vars);
  ASSERT_EQ(vars->size(), 3u);  // Boot0012 stays; one BootOrder naming Boot0000
  EXPECT_EQ((*vars)[0].name, u"Boot0012");
  EXPECT_EQ((*vars)[1].name, u"Boot0000");
  EXPECT_EQ((*vars)[1].data, option);
  EXPECT_EQ((*vars)[2].name, u"BootOrder");
  EXPECT_EQ((*vars)[2].data, (Bytes{0, 0}));
}

TEST(OvmfVars, EnrolsTlsCaCertificateAsTlsAuthConfigDxeDoes) {
  Bytes image = empty_store();
  ASSERT_EQ(add_boot_option(image, 0, load_option("x", {})), std::nullopt);
  Bytes first = {1, 2, 3};
  Bytes lists = {0xa1, 0x59, 0xc0, 0xa5, 5, 6, 7};  // any bytes: the store does not parse them
  ASSERT_EQ(enrol_tls_ca_certificates(image, first), std::nullopt);
  ASSERT_EQ(enrol_tls_ca_certificates(image, lists), std::nullopt);
  auto vars = read_variables(image);
  ASSERT_TRUE(vars);
  ASSERT_EQ(vars->size(), 3u);  // the boot option and its order stay; one TlsCaCertificate
  const StoredVariable& ca = (*vars)[2];
  EXPECT_EQ(ca.name, u"TlsCaCertificate");
  // gEfiTlsCaCertificateGuid fd2340d0-3dab-4349-a6c7-3b4f12b48eae as EFI_GUID lays it out.
  EXPECT_EQ(ca.guid, (std::array<uint8_t, 16>{0xd0, 0x40, 0x23, 0xfd, 0xab, 0x3d, 0x49, 0x43,
                                               0xa6, 0xc7, 0x3b, 0x4f, 0x12, 0xb4, 0x8e, 0xae}));
  EXPECT_EQ(ca.attributes, 3u);  // NON_VOLATILE | BOOTSERVICE_ACCESS, no RUNTIME_ACCESS
  EXPECT_EQ(ca.data, lists);
  EXPECT_EQ((*vars)[0].name, u"Boot0000");
  EXPECT_EQ((*vars)[1].name, u"BootOrder");
}

TEST(OvmfVars, RefusesWhatIsNoStoreOrFull) {
  Bytes option = load_option("x", {});
  Bytes junk(4096, 0);
  EXPECT_TRUE(add_boot_option(junk, 0, option));
  EXPECT_FALSE(read_variables(junk));
  Bytes tiny = empty_store(0x200, 0x80);
  auto full = add_boot_option(tiny, 0, load_option("x", http_boot_device_path(kPinnedMac, 2, kUri)));
  ASSERT_TRUE(full);
  EXPECT_NE(full->find("no room"), std::string::npos) << *full;
  // A refusal leaves the store as it was: the earlier option is not marked deleted.
  Bytes small = empty_store(0x200, 0x100);
  ASSERT_EQ(add_boot_option(small, 0, load_option("x", {})), std::nullopt);
  Bytes before = small;
  EXPECT_TRUE(add_boot_option(small, 0, load_option("x", http_boot_device_path(kPinnedMac, 2, kUri))));
  EXPECT_EQ(small, before);
  Bytes unhealthy = empty_store();
  unhealthy[0x48 + 21] = 0xff;
  EXPECT_TRUE(add_boot_option(unhealthy, 0, option));
}

TEST(OvmfVars, DebiansVarsImage) {
  std::ifstream in("/usr/share/OVMF/OVMF_VARS_4M.fd", std::ios::binary);
  if (!in) GTEST_SKIP() << "OVMF not installed";
  Bytes image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto before = read_variables(image);
  ASSERT_TRUE(before);
  Bytes option = load_option("mpxe", http_boot_device_path(kPinnedMac, 2, kUri));
  ASSERT_EQ(add_boot_option(image, 0, option), std::nullopt);
  ASSERT_EQ(enrol_tls_ca_certificates(image, Bytes(1200, 0x30)), std::nullopt);
  auto after = read_variables(image);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->size(), before->size() + 3);
}

}  // namespace
}  // namespace mpxe::runner
