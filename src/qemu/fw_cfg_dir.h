// QEMU fw_cfg file directory, parsed from bytes (QEMU docs/specs/fw_cfg.rst).
// The port I/O that fetches the bytes lives in fw_cfg.cpp; this part is portable.
//
// Item 0x0019 holds: a big-endian u32 count, then `count` entries of 64 bytes:
//   be32 size, be16 select, be16 reserved, char name[56] (NUL-terminated).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

namespace mpxe::qemu {

constexpr uint16_t kFwCfgSelectSignature = 0x0000;
constexpr uint16_t kFwCfgSelectFileDir = 0x0019;
constexpr size_t kFwCfgSignatureSize = 4;
constexpr size_t kFwCfgFileEntrySize = 64;
constexpr size_t kFwCfgFileNameSize = 56;

struct FwCfgFile {
  uint32_t size = 0;
  uint16_t select = 0;
  char name[kFwCfgFileNameSize + 1] = {};  // always NUL-terminated
};

// fw_cfg file names compare as plain NUL-terminated text.
bool fw_cfg_name_equal(const char* a, const char* b);

// The signature item reads "QEMU" when the device is there.
bool fw_cfg_signature_ok(Bytes signature);

// One 64-byte directory entry; false when `entry` is shorter than that.
bool fw_cfg_parse_file_entry(Bytes entry, FwCfgFile* file);

// Number of entries the directory header announces (0 when too short).
uint32_t fw_cfg_file_count(Bytes directory);

// Finds `name` in a whole directory (header and entries); entries the buffer does
// not fully hold are ignored.
bool fw_cfg_find_file(Bytes directory, const char* name, FwCfgFile* file);

}  // namespace mpxe::qemu
