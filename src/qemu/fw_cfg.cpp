#include "qemu/fw_cfg.h"

#include "uefi/runtime/port_io.h"

namespace mpxe::qemu {
namespace {

constexpr uint16_t kSelectorPort = 0x510;
constexpr uint16_t kDataPort = 0x511;
// The directory has one slot per file item; QEMU has a few dozen. A count beyond
// this means the bytes are not a directory.
constexpr uint32_t kMaxFiles = 4096;

void select_item(uint16_t select) { uefi::outw(kSelectorPort, select); }

void read_bytes(uint8_t* out, size_t size) {
  for (size_t i = 0; i < size; ++i) out[i] = uefi::inb(kDataPort);
}

}  // namespace

bool fw_cfg_present() {
  uint8_t signature[kFwCfgSignatureSize];
  fw_cfg_read(kFwCfgSelectSignature, signature, sizeof(signature));
  return fw_cfg_signature_ok(Bytes(signature));
}

void fw_cfg_read(uint16_t select, void* buffer, size_t size) {
  select_item(select);
  read_bytes(static_cast<uint8_t*>(buffer), size);
}

bool fw_cfg_each_file(bool (*visit)(void* context, const FwCfgFile& file), void* context) {
  if (!fw_cfg_present()) return false;
  uint8_t header[4];
  fw_cfg_read(kFwCfgSelectFileDir, header, sizeof(header));
  uint32_t count = fw_cfg_file_count(Bytes(header));
  if (count > kMaxFiles) return false;
  // The entries follow the count in the same item: keep reading without reselecting.
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t entry[kFwCfgFileEntrySize];
    read_bytes(entry, sizeof(entry));
    FwCfgFile file;
    fw_cfg_parse_file_entry(Bytes(entry), &file);
    if (!visit(context, file)) break;
  }
  return true;
}

bool fw_cfg_lookup(const char* name, FwCfgFile* file) {
  struct Search {
    const char* name;
    FwCfgFile* file;
    bool found;
  } search{name, file, false};
  fw_cfg_each_file(
      [](void* context, const FwCfgFile& candidate) {
        auto* s = static_cast<Search*>(context);
        if (!fw_cfg_name_equal(candidate.name, s->name)) return true;
        *s->file = candidate;
        s->found = true;
        return false;
      },
      &search);
  return search.found;
}

bool fw_cfg_read_text(const char* name, char* text, size_t capacity, uint32_t* size) {
  FwCfgFile file;
  if (capacity == 0 || !fw_cfg_lookup(name, &file)) return false;
  size_t n = file.size < capacity - 1 ? file.size : capacity - 1;
  fw_cfg_read(file.select, text, n);
  text[n] = '\0';
  if (size != nullptr) *size = file.size;
  return true;
}

}  // namespace mpxe::qemu
