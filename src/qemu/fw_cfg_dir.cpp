#include "qemu/fw_cfg_dir.h"

namespace mpxe::qemu {

bool fw_cfg_name_equal(const char* a, const char* b) {
  for (; *a != '\0' && *a == *b; ++a, ++b) {
  }
  return *a == *b;
}

bool fw_cfg_signature_ok(Bytes signature) {
  return signature.size() >= kFwCfgSignatureSize && signature[0] == 'Q' && signature[1] == 'E' &&
         signature[2] == 'M' && signature[3] == 'U';
}

bool fw_cfg_parse_file_entry(Bytes entry, FwCfgFile* file) {
  if (entry.size() < kFwCfgFileEntrySize) return false;
  file->size = load_be32(entry.data());
  file->select = load_be16(entry.data() + 4);
  size_t n = 0;
  for (; n < kFwCfgFileNameSize && entry[8 + n] != 0; ++n)
    file->name[n] = static_cast<char>(entry[8 + n]);
  file->name[n] = '\0';
  return true;
}

uint32_t fw_cfg_file_count(Bytes directory) {
  return directory.size() < 4 ? 0 : load_be32(directory.data());
}

bool fw_cfg_find_file(Bytes directory, const char* name, FwCfgFile* file) {
  uint32_t count = fw_cfg_file_count(directory);
  Bytes entries = directory.subspan(4);
  for (uint32_t i = 0; i < count; ++i) {
    FwCfgFile candidate;
    if (!fw_cfg_parse_file_entry(entries.subspan(size_t{i} * kFwCfgFileEntrySize), &candidate))
      return false;
    if (fw_cfg_name_equal(candidate.name, name)) {
      *file = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace mpxe::qemu
