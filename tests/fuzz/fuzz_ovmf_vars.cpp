// OVMF variable store images (what the runner reads from OVMF_VARS_4M.ms.fd and the
// run's own copy; seeds from make_ovmf_vars_corpus.py): any bytes read as a store or
// are refused; the variables read stay inside the image; Secure Boot's key databases
// split into lists that cover their bytes or are refused by name; and keys enrolled
// into a store that takes them read back exactly, with nothing else changed.
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "ovmf_vars.h"
#include "secure_boot_keys.h"

using namespace mpxe::runner;

namespace {

void check_lists(const std::vector<uint8_t>& lists) {
  std::string error;
  auto split = split_signature_lists(lists, error);
  if (!split) {
    FUZZ_CHECK(!error.empty());
    FUZZ_CHECK(!signature_lists_owned_by(lists, kMicrosoftOwnerGuid, error));
    return;
  }
  size_t covered = 0;
  for (const SignatureList& list : *split) {
    FUZZ_CHECK(list.bytes.data() == lists.data() + covered);
    for (const auto& s : list.signatures)
      FUZZ_CHECK(s.data.data() > list.bytes.data() &&
                 s.data.data() + s.data.size() <= list.bytes.data() + list.bytes.size());
    covered += list.bytes.size();
  }
  FUZZ_CHECK(covered == lists.size());
  auto owned = signature_lists_owned_by(lists, kMicrosoftOwnerGuid, error);
  FUZZ_CHECK(owned && owned->size() <= lists.size());
  auto again = split_signature_lists(*owned, error);
  FUZZ_CHECK(again);
  for (const SignatureList& list : *again)
    for (const auto& s : list.signatures) FUZZ_CHECK(s.owner == kMicrosoftOwnerGuid);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> image(data, data + size);
  auto vars = read_variables(image);
  if (!vars) return 0;
  size_t bytes = 0;
  for (const StoredVariable& var : *vars) bytes += var.name.size() * 2 + var.data.size();
  FUZZ_CHECK(bytes <= size);

  std::string error;
  auto keys = read_secure_boot_keys(image, error);
  FUZZ_CHECK(keys);
  for (const auto* lists : {&keys->pk, &keys->kek, &keys->db, &keys->dbx}) check_lists(*lists);

  // A 3-byte "certificate" list of Microsoft's: enrolment needs no real one.
  std::vector<uint8_t> list = {0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a, 0x87, 0xb5,
                               0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72, 47,   0,    0,    0,
                               0,    0,    0,    0,    19,   0,    0,    0};
  list.insert(list.end(), kMicrosoftOwnerGuid.begin(), kMicrosoftOwnerGuid.end());
  list.insert(list.end(), {0x30, 0x01, 0x00});
  SecureBootKeys enrolled = secure_boot_keys(list, list, keys->db.empty() ? list : keys->db, {});
  std::vector<uint8_t> edited = image;
  if (enrol_secure_boot_keys(edited, enrolled.pk, enrolled.kek, enrolled.db, enrolled.dbx)) {
    FUZZ_CHECK(edited == image);  // refused: untouched
    return 0;
  }
  FUZZ_CHECK(edited.size() == image.size());
  auto after = read_variables(edited);
  FUZZ_CHECK(after);
  auto pk = find_variable(edited, u"PK", kGlobalVariableGuid);
  FUZZ_CHECK(pk && pk->data == enrolled.pk && pk->attributes == kSecureBootKeyAttributes);
  auto db = find_variable(edited, u"db", kImageSecurityDatabaseGuid);
  FUZZ_CHECK(db && db->data == enrolled.db);
  return 0;
}
