#include "mpsh/fw_cfg_dir.h"

#include "mpsh/text.h"

namespace mpsh {

bool fw_cfg_signature_ok(mpxe::Bytes signature) {
  return signature.size() >= kFwCfgSignatureSize && signature[0] == 'Q' && signature[1] == 'E' &&
         signature[2] == 'M' && signature[3] == 'U';
}

bool fw_cfg_parse_file_entry(mpxe::Bytes entry, FwCfgFile* file) {
  if (entry.size() < kFwCfgFileEntrySize) return false;
  file->size = mpxe::load_be32(entry.data());
  file->select = mpxe::load_be16(entry.data() + 4);
  size_t n = 0;
  for (; n < kFwCfgFileNameSize && entry[8 + n] != 0; ++n)
    file->name[n] = static_cast<char>(entry[8 + n]);
  file->name[n] = '\0';
  return true;
}

uint32_t fw_cfg_file_count(mpxe::Bytes directory) {
  return directory.size() < 4 ? 0 : mpxe::load_be32(directory.data());
}

bool fw_cfg_find_file(mpxe::Bytes directory, const char* name, FwCfgFile* file) {
  uint32_t count = fw_cfg_file_count(directory);
  mpxe::Bytes entries = directory.subspan(4);
  for (uint32_t i = 0; i < count; ++i) {
    FwCfgFile candidate;
    if (!fw_cfg_parse_file_entry(entries.subspan(size_t{i} * kFwCfgFileEntrySize), &candidate))
      return false;
    if (text_equal(candidate.name, name)) {
      *file = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace mpsh
