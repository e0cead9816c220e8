#include "secure_boot_keys.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/bytes.h"
#include "ovmf_vars.h"

namespace mpxe::runner {

const Guid kMicrosoftOwnerGuid = {0xbd, 0x9a, 0xfa, 0x77, 0x59, 0x03, 0x32, 0x4d,
                                  0xbd, 0x60, 0x28, 0xf4, 0xe7, 0x8f, 0x78, 0x4b};
const Guid kCertX509TypeGuid = {0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
                                0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72};

namespace {

// EFI_SIGNATURE_LIST: SignatureType, SignatureListSize, SignatureHeaderSize,
// SignatureSize, then the header and the signatures; EFI_SIGNATURE_DATA starts with
// its owner's GUID.
constexpr size_t kListHeader = 28;
constexpr size_t kListSizeOffset = 16;
constexpr size_t kHeaderSizeOffset = 20;
constexpr size_t kSignatureSizeOffset = 24;
constexpr size_t kOwnerSize = 16;

Guid guid_at(std::span<const uint8_t> b, size_t at) {
  Guid g;
  std::memcpy(g.data(), &b[at], g.size());
  return g;
}

std::string list_error(size_t index, size_t offset, const std::string& what) {
  return "signature list " + std::to_string(index) + " at byte " + std::to_string(offset) + ": " +
         what;
}

std::vector<uint8_t> concat(std::initializer_list<std::span<const uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (auto part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

}  // namespace

std::optional<std::vector<SignatureList>> split_signature_lists(std::span<const uint8_t> lists,
                                                                std::string& error) {
  std::vector<SignatureList> out;
  size_t at = 0;
  while (at < lists.size()) {
    const size_t index = out.size();
    const size_t left = lists.size() - at;
    if (left < kListHeader) {
      error = list_error(index, at, std::to_string(left) + " bytes left for a 28-byte header");
      return std::nullopt;
    }
    const size_t list_size = load_le32(&lists[at + kListSizeOffset]);
    const size_t header_size = load_le32(&lists[at + kHeaderSizeOffset]);
    const size_t signature_size = load_le32(&lists[at + kSignatureSizeOffset]);
    if (list_size < kListHeader || list_size > left) {
      error = list_error(index, at, "SignatureListSize " + std::to_string(list_size) +
                                        (list_size < kListHeader ? " below its header"
                                                                 : " runs past the end"));
      return std::nullopt;
    }
    if (header_size > list_size - kListHeader) {
      error = list_error(index, at, "SignatureHeaderSize " + std::to_string(header_size) +
                                        " runs past the list");
      return std::nullopt;
    }
    const size_t body = list_size - kListHeader - header_size;
    if (signature_size <= kOwnerSize || body % signature_size != 0) {
      error = list_error(index, at, "SignatureSize " + std::to_string(signature_size) +
                                        " does not fit the list's " + std::to_string(body) +
                                        " bytes of signatures");
      return std::nullopt;
    }
    SignatureList list;
    list.type = guid_at(lists, at);
    list.bytes = lists.subspan(at, list_size);
    for (size_t s = kListHeader + header_size; s < list_size; s += signature_size)
      list.signatures.push_back({guid_at(list.bytes, s),
                                 list.bytes.subspan(s + kOwnerSize, signature_size - kOwnerSize)});
    out.push_back(std::move(list));
    at += list_size;
  }
  return out;
}

std::optional<std::vector<uint8_t>> signature_lists_owned_by(std::span<const uint8_t> lists,
                                                             const Guid& owner,
                                                             std::string& error) {
  auto split = split_signature_lists(lists, error);
  if (!split) return std::nullopt;
  std::vector<uint8_t> out;
  for (const SignatureList& list : *split) {
    bool owned = !list.signatures.empty() &&
                 std::all_of(list.signatures.begin(), list.signatures.end(),
                             [&](const SignatureList::Signature& s) { return s.owner == owner; });
    if (owned) out.insert(out.end(), list.bytes.begin(), list.bytes.end());
  }
  return out;
}

SecureBootKeys secure_boot_keys(std::span<const uint8_t> user_lists,
                                std::span<const uint8_t> vendor_kek,
                                std::span<const uint8_t> vendor_db,
                                std::span<const uint8_t> vendor_dbx) {
  SecureBootKeys keys;
  keys.pk.assign(user_lists.begin(), user_lists.end());
  keys.kek = concat({user_lists, vendor_kek});
  keys.db = concat({user_lists, vendor_db});
  keys.dbx.assign(vendor_dbx.begin(), vendor_dbx.end());
  return keys;
}

std::optional<StoredSecureBootKeys> read_secure_boot_keys(std::span<const uint8_t> image,
                                                          std::string& error) {
  if (!read_variables(image)) {
    error = "not a variable store that reads";
    return std::nullopt;
  }
  auto data = [&](std::u16string_view name, const Guid& guid) {
    auto var = find_variable(image, name, guid);
    return var ? var->data : std::vector<uint8_t>();
  };
  StoredSecureBootKeys keys;
  keys.pk = data(u"PK", kGlobalVariableGuid);
  keys.kek = data(u"KEK", kGlobalVariableGuid);
  keys.db = data(u"db", kImageSecurityDatabaseGuid);
  keys.dbx = data(u"dbx", kImageSecurityDatabaseGuid);
  return keys;
}

std::optional<std::string> check_enrolled(std::span<const uint8_t> image,
                                          const SecureBootKeys& keys) {
  auto vars = read_variables(image);
  if (!vars) return "the store does not read back";
  struct Expected {
    std::u16string_view name;
    std::string_view text;
    const Guid& guid;
    const std::vector<uint8_t>& data;
  };
  const Expected expected[] = {{u"PK", "PK", kGlobalVariableGuid, keys.pk},
                               {u"KEK", "KEK", kGlobalVariableGuid, keys.kek},
                               {u"db", "db", kImageSecurityDatabaseGuid, keys.db},
                               {u"dbx", "dbx", kImageSecurityDatabaseGuid, keys.dbx}};
  for (const Expected& e : expected) {
    size_t copies = 0;
    const StoredVariable* found = nullptr;
    for (const StoredVariable& var : *vars)
      if (var.name == e.name && var.guid == e.guid) {
        ++copies;
        found = &var;
      }
    const std::string name(e.text);
    if (e.data.empty()) {
      if (copies != 0) return name + " is in the store although nothing was enrolled in it";
      continue;
    }
    if (copies != 1) return name + " is in the store " + std::to_string(copies) + " times";
    if (found->attributes != kSecureBootKeyAttributes) {
      char line[96];
      std::snprintf(line, sizeof line, " has attributes 0x%x, not 0x%x", found->attributes,
                    kSecureBootKeyAttributes);
      return name + line;
    }
    if (found->data != e.data) return name + " reads back with other bytes than were written";
  }
  return std::nullopt;
}

}  // namespace mpxe::runner
