#include "core/image_kind.h"

#include "core/byte_ops.h"

namespace mpxe {

namespace {

// name[0, end) ends in `suffix` (lower case), case-insensitive.
bool ends_with_nocase(const char* name, size_t end, const char* suffix) {
  size_t n = 0;
  while (suffix[n] != '\0') ++n;
  if (end < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (ascii_lower(static_cast<uint8_t>(name[end - n + i])) != suffix[i]) return false;
  return true;
}

}  // namespace

ImageKind image_kind(const char* name) {
  if (name == nullptr) return ImageKind::kExecutable;
  const bool url = starts_with_nocase(name, "http://") || starts_with_nocase(name, "https://");
  size_t end = 0;
  while (name[end] != '\0' && !(url && (name[end] == '?' || name[end] == '#'))) ++end;
  // A name that is only an extension (".iso", or a URL path "/.iso") names no file.
  if (end <= 4 || name[end - 5] == '/') return ImageKind::kExecutable;
  if (ends_with_nocase(name, end, ".iso")) return ImageKind::kVirtualCd;
  if (ends_with_nocase(name, end, ".img")) return ImageKind::kVirtualDisk;
  return ImageKind::kExecutable;
}

bool image_kind_of_media_type(const char* media_type, ImageKind* kind) {
  struct Known {
    const char* type;
    ImageKind kind;
  };
  static constexpr Known kKnown[] = {
      {"application/efi", ImageKind::kExecutable},
      {"application/vnd.efi-iso", ImageKind::kVirtualCd},
      {"application/vnd.efi-img", ImageKind::kVirtualDisk},
      {"application/x-iso9660-image", ImageKind::kVirtualCd},
  };
  if (media_type == nullptr) return false;
  for (const Known& known : kKnown) {
    if (!bytes_equal_nocase(bytes_of(media_type), bytes_of(known.type))) continue;
    *kind = known.kind;
    return true;
  }
  return false;
}

const char* image_kind_text(ImageKind kind) {
  switch (kind) {
    case ImageKind::kVirtualDisk: return "virtual disk";
    case ImageKind::kVirtualCd: return "virtual CD";
    case ImageKind::kExecutable: break;
  }
  return "EFI image";
}

}  // namespace mpxe
