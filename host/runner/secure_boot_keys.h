// --secure-boot's keys: the EFI_SIGNATURE_LISTs PK, KEK, db and dbx are made of, how
// they are taken out of a variable store (Microsoft's, from Debian's
// OVMF_VARS_4M.ms.fd) and how the user's certificate joins them. Pure: bytes in,
// bytes out; the runner reads the files and writes the store (ovmf_vars.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpxe::runner {

using Guid = std::array<uint8_t, 16>;

// gMicrosoftVendorGuid (77fa9abd-0359-4d32-bd60-28f4e78f784b): the owner Microsoft's
// signatures carry in every store that holds them.
extern const Guid kMicrosoftOwnerGuid;
// EFI_CERT_X509_GUID (a5c059a1-94e4-4aa7-87b5-ab155c2bf072).
extern const Guid kCertX509TypeGuid;

// One EFI_SIGNATURE_LIST, checked: its bytes (header included) and each signature's
// owner and data.
struct SignatureList {
  Guid type;
  std::span<const uint8_t> bytes;  // the whole list, as it lies in the input
  struct Signature {
    Guid owner;
    std::span<const uint8_t> data;  // for an X.509 list: one DER certificate
  };
  std::vector<Signature> signatures;
};

// The lists of a run of EFI_SIGNATURE_LISTs (UEFI 2.10, 32.4.1), in order, views into
// LISTS; nothing, with ERROR set, when a list is malformed: a header cut short, a
// SignatureListSize below its header or past the end, a SignatureSize with no room
// for the owner or that does not divide the list's body.
std::optional<std::vector<SignatureList>> split_signature_lists(std::span<const uint8_t> lists,
                                                                std::string& error);

// The lists of LISTS all of whose signatures belong to OWNER, concatenated as they
// are; nothing, with ERROR set, when LISTS is malformed.
std::optional<std::vector<uint8_t>> signature_lists_owned_by(std::span<const uint8_t> lists,
                                                             const Guid& owner,
                                                             std::string& error);

// What --secure-boot enrols, each an EFI_SIGNATURE_LIST run.
struct SecureBootKeys {
  std::vector<uint8_t> pk;
  std::vector<uint8_t> kek;
  std::vector<uint8_t> db;
  std::vector<uint8_t> dbx;  // empty: no dbx variable
};

// The user's certificate (USER_LISTS: its X.509 list) as PK, KEK and db; KEK then
// also holds VENDOR_KEK and db VENDOR_DB (Microsoft's lists, so Microsoft-signed
// shims and option ROMs verify); dbx is VENDOR_DBX.
SecureBootKeys secure_boot_keys(std::span<const uint8_t> user_lists,
                                std::span<const uint8_t> vendor_kek,
                                std::span<const uint8_t> vendor_db,
                                std::span<const uint8_t> vendor_dbx);

// The Secure Boot key databases of a store: each one's signature lists, empty when
// the store has no such variable.
struct StoredSecureBootKeys {
  std::vector<uint8_t> pk;
  std::vector<uint8_t> kek;
  std::vector<uint8_t> db;
  std::vector<uint8_t> dbx;
};
// Nothing, with ERROR set, when IMAGE is no variable store.
std::optional<StoredSecureBootKeys> read_secure_boot_keys(std::span<const uint8_t> image,
                                                          std::string& error);

// Reads IMAGE back after enrol_secure_boot_keys: each of KEYS' databases must be
// there once, with exactly its bytes and kSecureBootKeyAttributes, and no dbx when
// KEYS has none. Returns what differs, or nothing.
std::optional<std::string> check_enrolled(std::span<const uint8_t> image,
                                          const SecureBootKeys& keys);

}  // namespace mpxe::runner
