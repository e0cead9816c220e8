#include "ovmf_vars.h"

#include <algorithm>
#include <cstring>

#include "core/byte_ops.h"
#include "core/bytes.h"

namespace mpxe::runner {

const std::array<uint8_t, 16> kGlobalVariableGuid = {0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93,
                                                     0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0,
                                                     0x98, 0x03, 0x2b, 0x8c};
const std::array<uint8_t, 16> kTlsCaCertificateGuid = {0xd0, 0x40, 0x23, 0xfd, 0xab, 0x3d,
                                                       0x49, 0x43, 0xa6, 0xc7, 0x3b, 0x4f,
                                                       0x12, 0xb4, 0x8e, 0xae};
const std::array<uint8_t, 16> kImageSecurityDatabaseGuid = {0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d,
                                                            0x96, 0x45, 0xa3, 0xbc, 0xda, 0xd0,
                                                            0x0e, 0x67, 0x65, 0x6f};

namespace {

// Firmware volume header: signature "_FVH" and the header's length.
constexpr size_t kFvSignatureOffset = 0x28;
constexpr size_t kFvHeaderLengthOffset = 0x30;
constexpr uint32_t kFvSignature = 0x4856465f;  // "_FVH"

// Variable store header: format GUID, size, format, state; 28 bytes.
constexpr size_t kStoreHeaderSize = 28;
constexpr size_t kStoreSizeOffset = 16;
constexpr size_t kStoreFormatOffset = 20;
constexpr size_t kStoreStateOffset = 21;
constexpr uint8_t kStoreFormatted = 0x5a;
constexpr uint8_t kStoreHealthy = 0xfe;

// gEfiAuthenticatedVariableGuid aaf32c78-947b-439a-a180-2e144ec37792: 60-byte headers
// (monotonic count, time stamp, public key index); gEfiVariableGuid
// ddcf3616-3275-4164-98b6-fe85707ffe7d: 32-byte headers.
constexpr std::array<uint8_t, 16> kAuthenticatedStoreGuid = {
    0x78, 0x2c, 0xf3, 0xaa, 0x7b, 0x94, 0x9a, 0x43,
    0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92};
constexpr std::array<uint8_t, 16> kPlainStoreGuid = {0x16, 0x36, 0xcf, 0xdd, 0x75, 0x32, 0x64, 0x41,
                                                     0x98, 0xb6, 0xfe, 0x85, 0x70, 0x7f, 0xfe, 0x7d};

// Variable header fields; the offsets after Attributes depend on the store's kind.
constexpr uint16_t kVariableStartId = 0x55aa;
constexpr size_t kVarStateOffset = 2;
constexpr size_t kVarAttributesOffset = 4;
constexpr uint8_t kVarAdded = 0x3f;
constexpr uint8_t kVarInDeletedTransition = 0xfe;  // ANDed into the state
constexpr uint8_t kVarDeleted = 0xfd;              // ANDed into the state
constexpr uint32_t kNvBsRt = 0x7;  // NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS
constexpr uint32_t kNvBs = 0x3;    // NON_VOLATILE | BOOTSERVICE_ACCESS

struct StoreKind {
  size_t header_size;
  size_t name_size_offset;  // then data size, then vendor GUID
};
constexpr StoreKind kAuthenticated{60, 36};
// Authenticated headers only: monotonic count, time stamp, public key index.
constexpr size_t kVarMonotonicCountOffset = 8;
constexpr size_t kVarTimeStampOffset = 16;
constexpr size_t kVarPubKeyIndexOffset = 32;
constexpr StoreKind kPlain{32, 8};

size_t align4(size_t n) { return (n + 3) & ~size_t{3}; }

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v));
  put16(out, static_cast<uint16_t>(v >> 16));
}
void put_zeros(std::vector<uint8_t>& out, size_t n) { out.insert(out.end(), n, 0); }

// Name as UTF-16LE with its terminating NUL (ASCII names only).
std::vector<uint8_t> utf16z(std::string_view ascii) {
  std::vector<uint8_t> out;
  for (char c : ascii) put16(out, static_cast<uint8_t>(c));
  put16(out, 0);
  return out;
}

void device_path_node(std::vector<uint8_t>& out, uint8_t type, uint8_t subtype,
                      std::span<const uint8_t> body) {
  out.push_back(type);
  out.push_back(subtype);
  put16(out, static_cast<uint16_t>(4 + body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

// Where a store's variables live, once its headers check out.
struct Store {
  StoreKind kind;
  size_t first;  // first variable header
  size_t end;    // one past the store
};

std::optional<Store> find_store(std::span<const uint8_t> image, std::string& error) {
  if (image.size() < kFvHeaderLengthOffset + 2 ||
      load_le32(&image[kFvSignatureOffset]) != kFvSignature) {
    error = "not a firmware volume (no _FVH signature)";
    return std::nullopt;
  }
  size_t store = load_le16(&image[kFvHeaderLengthOffset]);
  if (store + kStoreHeaderSize > image.size()) {
    error = "truncated variable store header";
    return std::nullopt;
  }
  StoreKind kind;
  if (std::equal(kAuthenticatedStoreGuid.begin(), kAuthenticatedStoreGuid.end(), &image[store]))
    kind = kAuthenticated;
  else if (std::equal(kPlainStoreGuid.begin(), kPlainStoreGuid.end(), &image[store]))
    kind = kPlain;
  else {
    error = "unknown variable store format GUID";
    return std::nullopt;
  }
  if (image[store + kStoreFormatOffset] != kStoreFormatted ||
      image[store + kStoreStateOffset] != kStoreHealthy) {
    error = "variable store is not formatted or not healthy";
    return std::nullopt;
  }
  size_t end = store + load_le32(&image[store + kStoreSizeOffset]);
  if (end > image.size()) {
    error = "variable store runs past the file";
    return std::nullopt;
  }
  return Store{kind, align4(store + kStoreHeaderSize), end};
}

struct VariableAt {
  size_t offset;
  size_t name_offset;
  size_t name_size;
  size_t data_size;
  size_t next;
};

// Calls VISIT for each variable header in the store; returns where free space begins,
// or nothing if a header runs past the store.
template <typename Visit>
std::optional<size_t> walk(std::span<const uint8_t> image, const Store& store, Visit visit) {
  size_t at = store.first;
  while (at + store.kind.header_size <= store.end && load_le16(&image[at]) == kVariableStartId) {
    size_t name_size = load_le32(&image[at + store.kind.name_size_offset]);
    size_t data_size = load_le32(&image[at + store.kind.name_size_offset + 4]);
    size_t name_offset = at + store.kind.header_size;
    if (name_size > store.end || data_size > store.end ||
        name_offset + name_size + data_size > store.end)
      return std::nullopt;
    size_t next = align4(name_offset + name_size + data_size);
    visit(VariableAt{at, name_offset, name_size, data_size, next});
    at = next;
  }
  return at;
}

bool live(uint8_t state) {
  return state == kVarAdded || state == (kVarAdded & kVarInDeletedTransition);
}

std::array<uint8_t, 16> guid_of(std::span<const uint8_t> image, const Store& store,
                                const VariableAt& v) {
  std::array<uint8_t, 16> guid;
  std::memcpy(guid.data(), &image[v.offset + store.kind.name_size_offset + 8], 16);
  return guid;
}

struct NewVariable {
  std::string_view name;
  std::array<uint8_t, 16> guid;
  uint32_t attributes;
  std::span<const uint8_t> data;
};

std::vector<uint8_t> variable(const StoreKind& kind, const NewVariable& v) {
  std::vector<uint8_t> name16 = utf16z(v.name);
  std::vector<uint8_t> out;
  put16(out, kVariableStartId);
  out.push_back(kVarAdded);
  out.push_back(0);  // reserved
  put32(out, v.attributes);
  if (kind.header_size == kAuthenticated.header_size)
    put_zeros(out, 8 + 16 + 4);  // monotonic count, time stamp, public key index
  put32(out, static_cast<uint32_t>(name16.size()));
  put32(out, static_cast<uint32_t>(v.data.size()));
  out.insert(out.end(), v.guid.begin(), v.guid.end());
  out.insert(out.end(), name16.begin(), name16.end());
  out.insert(out.end(), v.data.begin(), v.data.end());
  return out;
}

// Marks every live variable of the same name and GUID as one of VARS deleted, then
// appends VARS in order at the start of the free space. A store that cannot take
// them is left as it was.
std::optional<std::string> replace_variables(std::vector<uint8_t>& image,
                                             std::span<const NewVariable> vars) {
  std::string error;
  auto store = find_store(image, error);
  if (!store) return error;
  std::vector<size_t> replaced;  // headers of the variables VARS replace
  auto free_at = walk(image, *store, [&](const VariableAt& v) {
    if (!live(image[v.offset + kVarStateOffset])) return;
    for (const NewVariable& n : vars) {
      std::vector<uint8_t> name = utf16z(n.name);
      if (guid_of(image, *store, v) == n.guid && name.size() == v.name_size &&
          std::equal(name.begin(), name.end(), image.begin() + static_cast<long>(v.name_offset)))
        replaced.push_back(v.offset);
    }
  });
  if (!free_at) return "a variable runs past the end of the store";

  std::vector<uint8_t> add;
  for (const NewVariable& n : vars) {
    add.resize(align4(add.size()), 0xff);
    std::vector<uint8_t> bytes = variable(store->kind, n);
    add.insert(add.end(), bytes.begin(), bytes.end());
  }
  if (*free_at + add.size() > store->end) return "no room left in the variable store";
  if (!std::all_of(image.begin() + static_cast<long>(*free_at),
                   image.begin() + static_cast<long>(*free_at + add.size()),
                   [](uint8_t b) { return b == 0xff; }))
    return "the variable store's free space is not erased";
  for (size_t offset : replaced) image[offset + kVarStateOffset] &= kVarDeleted;
  std::copy(add.begin(), add.end(), image.begin() + static_cast<long>(*free_at));
  return std::nullopt;
}

}  // namespace

std::optional<MacAddress> parse_mac(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  MacAddress mac{};
  for (size_t i = 0; i < mac.size(); ++i) {
    if (i > 0 && text[3 * i - 1] != ':') return std::nullopt;
    const int high = hex_digit_value(static_cast<uint8_t>(text[3 * i]));
    const int low = hex_digit_value(static_cast<uint8_t>(text[3 * i + 1]));
    if (high < 0 || low < 0) return std::nullopt;
    mac[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return mac;
}

std::vector<uint8_t> http_boot_device_path(const MacAddress& mac, unsigned pci_slot,
                                           std::string_view uri) {
  std::vector<uint8_t> path;
  // ACPI PciRoot(0x0): _HID PNP0A03 (EISA id 0x0a0341d0), _UID 0.
  const uint8_t acpi[] = {0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0};
  device_path_node(path, 0x02, 0x01, acpi);
  const uint8_t pci[] = {0 /* function */, static_cast<uint8_t>(pci_slot)};
  device_path_node(path, 0x01, 0x01, pci);
  uint8_t mac_node[33] = {};
  std::copy(mac.begin(), mac.end(), mac_node);
  mac_node[32] = 1;  // IfType: Ethernet
  device_path_node(path, 0x03, 0x0b, mac_node);
  // IPv4: all zero (DHCP, no static address); BDS matches it loosely.
  const uint8_t ipv4[23] = {};
  device_path_node(path, 0x03, 0x0c, ipv4);
  std::vector<uint8_t> uri_bytes(uri.begin(), uri.end());
  device_path_node(path, 0x03, 0x18, uri_bytes);
  device_path_node(path, 0x7f, 0xff, {});
  return path;
}

std::vector<uint8_t> load_option(std::string_view description,
                                 std::span<const uint8_t> device_path) {
  std::vector<uint8_t> out;
  put32(out, 1);  // LOAD_OPTION_ACTIVE
  put16(out, static_cast<uint16_t>(device_path.size()));
  std::vector<uint8_t> desc = utf16z(description);
  out.insert(out.end(), desc.begin(), desc.end());
  out.insert(out.end(), device_path.begin(), device_path.end());
  return out;
}

std::optional<std::string> add_boot_option(std::vector<uint8_t>& image, uint16_t number,
                                           std::span<const uint8_t> option) {
  char boot_name[9];
  std::snprintf(boot_name, sizeof boot_name, "Boot%04X", number);
  std::vector<uint8_t> order;
  put16(order, number);
  const NewVariable vars[] = {{boot_name, kGlobalVariableGuid, kNvBsRt, option},
                              {"BootOrder", kGlobalVariableGuid, kNvBsRt, order}};
  return replace_variables(image, vars);
}

std::optional<std::string> enrol_secure_boot_keys(std::vector<uint8_t>& image,
                                                  std::span<const uint8_t> pk,
                                                  std::span<const uint8_t> kek,
                                                  std::span<const uint8_t> db,
                                                  std::span<const uint8_t> dbx) {
  std::string error;
  auto store = find_store(image, error);
  if (!store) return error;
  if (store->kind.header_size != kAuthenticated.header_size)
    return "the variable store is of the plain kind (gEfiVariableGuid): its headers have no "
           "room for authenticated variables";
  if (pk.empty() || kek.empty() || db.empty()) return "PK, KEK and db must not be empty";
  std::vector<NewVariable> vars = {
      {"db", kImageSecurityDatabaseGuid, kSecureBootKeyAttributes, db}};
  if (!dbx.empty())
    vars.push_back({"dbx", kImageSecurityDatabaseGuid, kSecureBootKeyAttributes, dbx});
  vars.push_back({"KEK", kGlobalVariableGuid, kSecureBootKeyAttributes, kek});
  vars.push_back({"PK", kGlobalVariableGuid, kSecureBootKeyAttributes, pk});
  return replace_variables(image, vars);
}

std::optional<std::string> enrol_tls_ca_certificates(std::vector<uint8_t>& image,
                                                     std::span<const uint8_t> signature_lists) {
  const NewVariable vars[] = {
      {"TlsCaCertificate", kTlsCaCertificateGuid, kNvBs, signature_lists}};
  return replace_variables(image, vars);
}

std::optional<std::vector<StoredVariable>> read_variables(std::span<const uint8_t> image) {
  std::string error;
  auto store = find_store(image, error);
  if (!store) return std::nullopt;
  std::vector<StoredVariable> vars;
  auto free_at = walk(image, *store, [&](const VariableAt& v) {
    if (!live(image[v.offset + kVarStateOffset])) return;
    StoredVariable var;
    for (size_t i = 0; i + 1 < v.name_size; i += 2) {
      char16_t c = load_le16(&image[v.name_offset + i]);
      if (c == 0) break;
      var.name += c;
    }
    var.guid = guid_of(image, *store, v);
    var.state = image[v.offset + kVarStateOffset];
    var.attributes = load_le32(&image[v.offset + kVarAttributesOffset]);
    if (store->kind.header_size == kAuthenticated.header_size) {
      var.monotonic_count = load_le32(&image[v.offset + kVarMonotonicCountOffset]) |
                            uint64_t{load_le32(&image[v.offset + kVarMonotonicCountOffset + 4])}
                                << 32;
      std::memcpy(var.timestamp.data(), &image[v.offset + kVarTimeStampOffset], 16);
      var.pubkey_index = load_le32(&image[v.offset + kVarPubKeyIndexOffset]);
    }
    auto data = image.subspan(v.name_offset + v.name_size, v.data_size);
    var.data.assign(data.begin(), data.end());
    vars.push_back(std::move(var));
  });
  if (!free_at) return std::nullopt;
  return vars;
}

std::optional<StoredVariable> find_variable(std::span<const uint8_t> image,
                                            std::u16string_view name,
                                            const std::array<uint8_t, 16>& guid) {
  auto vars = read_variables(image);
  if (!vars) return std::nullopt;
  std::optional<StoredVariable> found;
  for (StoredVariable& var : *vars)
    if (var.name == name && var.guid == guid) found = std::move(var);
  return found;
}

}  // namespace mpxe::runner
