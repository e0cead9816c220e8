// Variables written into the run's private copy of OVMF's variable store: an HTTP
// boot option with a fixed URI, so `--stack ovmf --http` HTTP-boots from QEMU's DHCP
// server; for --ca-cert-in-var, the TlsCaCertificate variable; for --secure-boot,
// the key databases PK, KEK, db and dbx.
//
// Why the boot option: OVMF's HttpBootDxe takes its URI from a DHCP offer only when
// the offer carries vendor class "HTTPClient" (option 60); QEMU's DHCP server never
// sends one, so the HTTPv4 options OVMF makes by itself find no usable offer. A boot
// option whose device path ends in a URI node is the "home network" case instead:
// any offer with an address will do and the URI comes from the option. OVMF's UI
// builds such options by hand (Device Manager > Network Device > HTTP Boot
// Configuration); this writes the same thing before power-on: Boot0000 + BootOrder,
// so BDS tries it first and never waits for PXEv4/PXEv6. Its device path names the
// NIC at PCI 00:<slot>.0 with a fixed MAC, so the runner pins both on the QEMU device.
//
// The store format is EDK II's (MdeModulePkg VariableFormat.h): a firmware volume
// header, a variable store header, then variables one after another, each a header,
// its UTF-16 name and its data, starting on 4-byte boundaries; free space is 0xFF.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpxe::runner {

using MacAddress = std::array<uint8_t, 6>;

// QEMU's default MAC for the first NIC, pinned on the device for --stack ovmf --http.
inline constexpr MacAddress kPinnedMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
inline constexpr unsigned kPinnedPciSlot = 2;  // where the NIC lands on Q35 unpinned too

// "52:54:00:ab:cd:ef" (either case); nothing for anything else.
std::optional<MacAddress> parse_mac(std::string_view text);

// PciRoot(0x0)/Pci(SLOT,0x0)/MAC(mac,0x1)/IPv4(0.0.0.0)/Uri(URI), end node included.
std::vector<uint8_t> http_boot_device_path(const MacAddress& mac, unsigned pci_slot,
                                           std::string_view uri);

// EFI_LOAD_OPTION: active, DESCRIPTION, DEVICE_PATH, no optional data.
std::vector<uint8_t> load_option(std::string_view description,
                                 std::span<const uint8_t> device_path);

// Writes Boot<NUMBER> = OPTION and BootOrder = {NUMBER} into the variable store image
// IMAGE (an OVMF_VARS file's bytes), marking any earlier BootOrder or Boot<NUMBER>
// deleted. Returns why it could not, or nothing.
std::optional<std::string> add_boot_option(std::vector<uint8_t>& image, uint16_t number,
                                           std::span<const uint8_t> option);

// Writes TlsCaCertificate (gEfiTlsCaCertificateGuid) = SIGNATURE_LISTS, non-volatile
// and boot-service access, into IMAGE, marking any earlier one deleted: what OVMF's
// TLS Auth Configuration page (TlsAuthConfigDxe) leaves in the store once a CA is
// enrolled, and where OVMF and mpxe's ROM look when fw_cfg etc/edk2/https/cacerts is
// absent (--ca-cert-in-var). Returns why it could not, or nothing.
std::optional<std::string> enrol_tls_ca_certificates(std::vector<uint8_t>& image,
                                                     std::span<const uint8_t> signature_lists);

// Writes Secure Boot's key databases into IMAGE, each an EFI_SIGNATURE_LIST run: db
// and, when DBX is not empty, dbx (EFI_IMAGE_SECURITY_DATABASE_GUID), then KEK and
// PK (EFI_GLOBAL_VARIABLE), PK last as a firmware enrolling them writes it. Each is
// a time-based authenticated variable (NV|BS|RT|TIME_BASED_AUTHENTICATED_WRITE_ACCESS)
// whose header carries a zero time stamp, monotonic count and key index: the
// firmware's authenticated-variable code takes such a store as it finds it at boot
// and reports SecureBoot 1, SetupMode 0 once PK is there, and later updates need
// time stamps after zero, i.e. any. Any earlier copies are marked deleted. IMAGE must
// be a store of the authenticated kind. Returns why it could not, or nothing.
std::optional<std::string> enrol_secure_boot_keys(std::vector<uint8_t>& image,
                                                  std::span<const uint8_t> pk,
                                                  std::span<const uint8_t> kek,
                                                  std::span<const uint8_t> db,
                                                  std::span<const uint8_t> dbx = {});

// One live variable of a store image (for tests and diagnostics).
struct StoredVariable {
  std::u16string name;
  std::array<uint8_t, 16> guid;
  uint32_t attributes;
  std::vector<uint8_t> data;
  uint8_t state = 0;  // VAR_ADDED (0x3f), or it ANDed with VAR_IN_DELETED_TRANSITION
  // An authenticated store's header fields (zero in a plain store): the monotonic
  // count, the EFI_TIME and the public key index.
  uint64_t monotonic_count = 0;
  std::array<uint8_t, 16> timestamp{};
  uint32_t pubkey_index = 0;
};
// Every variable in state "added", in store order; nothing if IMAGE is no store.
std::optional<std::vector<StoredVariable>> read_variables(std::span<const uint8_t> image);
// The live variable NAME of vendor GUID in IMAGE (the last, should there be two);
// nothing if IMAGE is no store or holds none.
std::optional<StoredVariable> find_variable(std::span<const uint8_t> image,
                                            std::u16string_view name,
                                            const std::array<uint8_t, 16>& guid);

// EFI_GLOBAL_VARIABLE (8be4df61-93ca-11d2-aa0d-00e098032b8c) in its byte order.
extern const std::array<uint8_t, 16> kGlobalVariableGuid;
// gEfiTlsCaCertificateGuid (fd2340d0-3dab-4349-a6c7-3b4f12b48eae) in its byte order.
extern const std::array<uint8_t, 16> kTlsCaCertificateGuid;
// EFI_IMAGE_SECURITY_DATABASE_GUID (d719b2cb-3d3a-4596-a3bc-dad00e67656f): db, dbx.
extern const std::array<uint8_t, 16> kImageSecurityDatabaseGuid;
// TIME_BASED_AUTHENTICATED_WRITE_ACCESS | RUNTIME_ACCESS | BOOTSERVICE_ACCESS |
// NON_VOLATILE: what PK, KEK, db and dbx carry.
inline constexpr uint32_t kSecureBootKeyAttributes = 0x27;

}  // namespace mpxe::runner
