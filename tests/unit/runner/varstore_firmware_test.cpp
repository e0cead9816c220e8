// The runner's offline Secure Boot writer held against a store the firmware wrote
// itself: tests/data/varstore/firmware-vars.bin is what Debian's Secure Boot OVMF left
// in the empty template after SetVariable of db, dbx, KEK and PK, in that order, with
// signed EFI_VARIABLE_AUTHENTICATION_2 payloads (tests/data/varstore/regenerate.sh
// makes it). The payloads carry what `mpxe run --secure-boot` enrols for
// test-cert.pem: PK the certificate's X.509 list, KEK and db that list followed by
// Microsoft's (vendor-kek.esl, vendor-db.esl), dbx vendor-dbx.esl. The same inputs go
// through our writer here, and each variable must come out as the firmware stored it.
//
// MPXE_VARSTORE_DIR, when set, names another folder holding firmware-vars.bin and
// vendor-*.esl: e2e_varstore_firmware runs regenerate.sh into one and these tests on
// what the firmware wrote just now.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "core/bytes.h"
#include "https_certs.h"
#include "ovmf_vars.h"
#include "secure_boot_keys.h"

namespace mpxe::runner {
namespace {

using Bytes = std::vector<uint8_t>;

std::string data_path(const char* name) {
  return std::string(MPXE_SOURCE_DIR) + "/tests/data/varstore/" + name;
}

// What the firmware wrote, and the vendor lists it was given.
std::string store_path(const char* name) {
  const char* dir = std::getenv("MPXE_VARSTORE_DIR");
  return dir && *dir ? std::string(dir) + "/" + name : data_path(name);
}

Bytes slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The fixture ends after the store's last variable (regenerate.sh checked that all
// it cut from the store was erased); this gives the store back its free space, as
// many 0xFF bytes as its header's size says.
constexpr size_t kFvHeaderLengthOffset = 0x30;
constexpr size_t kStoreSizeOffset = 16;
constexpr size_t kStoreHeaderSize = 28;

size_t store_end(const Bytes& image) {
  const size_t store = load_le16(&image[kFvHeaderLengthOffset]);
  return store + load_le32(&image[store + kStoreSizeOffset]);
}

Bytes firmware_store() {
  Bytes image = slurp(store_path("firmware-vars.bin"));
  if (image.size() < kFvHeaderLengthOffset + 2) return {};
  const size_t end = store_end(image);
  EXPECT_LE(image.size(), end);
  image.resize(end, 0xff);
  return image;
}

// The same store as the firmware found it: its firmware volume and store headers,
// no variables.
Bytes empty_store_like(const Bytes& image) {
  const size_t store = load_le16(&image[kFvHeaderLengthOffset]);
  Bytes empty(image.begin(), image.begin() + static_cast<long>(store + kStoreHeaderSize));
  empty.resize(store_end(image), 0xff);
  return empty;
}

// What the runner enrols for test-cert.pem and the vendor lists.
SecureBootKeys keys_for_the_fixture() {
  std::string error;
  auto certificates = read_certificates(data_path("test-cert.pem"), error);
  EXPECT_TRUE(certificates) << error;
  if (!certificates) return {};
  return secure_boot_keys(signature_lists(*certificates), slurp(store_path("vendor-kek.esl")),
                          slurp(store_path("vendor-db.esl")), slurp(store_path("vendor-dbx.esl")));
}

// sign-efi-sig-list -t "2026-01-02 03:04:05" (regenerate.sh) as EFI_TIME: Year,
// Month, Day, Hour, Minute, Second, then Pad1, Nanosecond, TimeZone, Daylight, Pad2
// all zero, as EDK II requires of an authenticated write.
constexpr std::array<uint8_t, 16> kSignedAt = {0xea, 0x07, 1, 2, 3, 4, 5};

struct Key {
  std::u16string_view name;
  const std::array<uint8_t, 16>& guid;
};
const Key kKeys[] = {{u"db", kImageSecurityDatabaseGuid},
                     {u"dbx", kImageSecurityDatabaseGuid},
                     {u"KEK", kGlobalVariableGuid},
                     {u"PK", kGlobalVariableGuid}};

std::string text(std::u16string_view name) { return std::string(name.begin(), name.end()); }

// Where two byte strings part, for a failure message that fits on a line.
std::string first_difference(const Bytes& a, const Bytes& b) {
  size_t at = 0;
  while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
  if (at == a.size() && at == b.size()) return "the same";
  return "first differ at byte " + std::to_string(at) + " (sizes " + std::to_string(a.size()) +
         " and " + std::to_string(b.size()) + ")";
}

// The live variables of IMAGE that are Secure Boot key databases, in store order.
std::vector<StoredVariable> key_databases(const Bytes& image) {
  auto vars = read_variables(image);
  EXPECT_TRUE(vars);
  std::vector<StoredVariable> out;
  if (!vars) return out;
  for (StoredVariable& var : *vars)
    for (const Key& key : kKeys)
      if (var.name == key.name && var.guid == key.guid) out.push_back(var);
  return out;
}

TEST(VarstoreAgainstFirmware, TheFixtureHoldsTheKeyDatabasesInTheOrderTheFirmwareWroteThem) {
  Bytes image = firmware_store();
  ASSERT_FALSE(image.empty());
  auto vars = read_variables(image);
  ASSERT_TRUE(vars);
  // Written by the firmware at its first boot, which our offline writer leaves to it.
  EXPECT_TRUE(find_variable(image, u"certdb",
                            {0x6e, 0xe5, 0xbe, 0xd9, 0xdc, 0x75, 0xd9, 0x49, 0xb4, 0xd7, 0xb5,
                             0x34, 0x21, 0x0f, 0x63, 0x7a}));
  std::vector<std::string> order;
  for (const StoredVariable& var : key_databases(image)) order.push_back(text(var.name));
  EXPECT_EQ(order, (std::vector<std::string>{"db", "dbx", "KEK", "PK"}));
}

TEST(VarstoreAgainstFirmware, OurWriterLaysOutEachKeyDatabaseAsTheFirmwareDid) {
  Bytes theirs_image = firmware_store();
  ASSERT_FALSE(theirs_image.empty());
  SecureBootKeys keys = keys_for_the_fixture();
  ASSERT_FALSE(keys.pk.empty());
  Bytes ours_image = empty_store_like(theirs_image);
  ASSERT_EQ(enrol_secure_boot_keys(ours_image, keys.pk, keys.kek, keys.db, keys.dbx),
            std::nullopt);

  std::vector<StoredVariable> ours = key_databases(ours_image);
  std::vector<StoredVariable> theirs = key_databases(theirs_image);
  ASSERT_EQ(ours.size(), 4u);
  ASSERT_EQ(theirs.size(), 4u);
  for (size_t i = 0; i < ours.size(); ++i) {
    const StoredVariable& a = ours[i];
    const StoredVariable& b = theirs[i];
    SCOPED_TRACE(text(b.name));
    EXPECT_EQ(text(a.name), text(b.name));  // same names in the same order
    EXPECT_EQ(a.guid, b.guid);
    EXPECT_EQ(a.state, b.state);
    EXPECT_EQ(a.attributes, b.attributes);
    EXPECT_EQ(a.attributes, kSecureBootKeyAttributes);
    // A time-based authenticated variable has no monotonic count and no public key
    // index (those belong to the count-based kind UEFI 2.3.1 dropped): zero in both.
    EXPECT_EQ(a.monotonic_count, b.monotonic_count);
    EXPECT_EQ(a.pubkey_index, b.pubkey_index);
    EXPECT_EQ(b.monotonic_count, 0u);
    EXPECT_EQ(b.pubkey_index, 0u);
    // The time stamps differ on purpose. The firmware keeps the signer's time from
    // the payload's EFI_VARIABLE_AUTHENTICATION_2; our writer has no signed payload
    // and writes zero, the earliest time there is, so that any later signed update
    // (which must carry a time after the stored one) is taken.
    EXPECT_EQ(b.timestamp, kSignedAt);
    EXPECT_EQ(a.timestamp, (std::array<uint8_t, 16>{}));
    // The signature lists, byte for byte.
    EXPECT_EQ(first_difference(a.data, b.data), "the same");
  }
}

TEST(VarstoreAgainstFirmware, OurReaderTakesMicrosoftsListsOutOfTheFirmwaresStore) {
  Bytes image = firmware_store();
  ASSERT_FALSE(image.empty());
  std::string error;
  auto stored = read_secure_boot_keys(image, error);
  ASSERT_TRUE(stored) << error;
  auto kek = signature_lists_owned_by(stored->kek, kMicrosoftOwnerGuid, error);
  auto db = signature_lists_owned_by(stored->db, kMicrosoftOwnerGuid, error);
  ASSERT_TRUE(kek && db) << error;
  EXPECT_EQ(*kek, slurp(store_path("vendor-kek.esl")));
  EXPECT_EQ(*db, slurp(store_path("vendor-db.esl")));
  EXPECT_EQ(stored->dbx, slurp(store_path("vendor-dbx.esl")));
  // And what the firmware has is what check_enrolled, the runner's read-back after
  // writing, takes for these keys, attributes included.
  EXPECT_EQ(check_enrolled(image, keys_for_the_fixture()), std::nullopt);
}

}  // namespace
}  // namespace mpxe::runner
