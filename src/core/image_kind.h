// What a boot file name says the file is: an EFI image to start, or a disk image
// to boot from a RAM disk. UEFI's HTTP boot decides the same way (by the name's
// extension when no Content-Type says otherwise): ".iso" is a CD/DVD image, ".img" a
// disk image, anything else is handed to LoadImage as before. The test is on the
// name's last path component, case-insensitive; for an http:// or https:// URL the
// query and fragment are not part of the name.
#pragma once

#include <stddef.h>

namespace mpxe {

enum class ImageKind : unsigned char {
  kExecutable,   // an EFI image (or something LoadImage will judge)
  kVirtualDisk,  // .img: a disk image, partitioned or a bare file system
  kVirtualCd,    // .iso: an ISO 9660 / El Torito image
};

ImageKind image_kind(const char* name);
inline bool is_disk_image(ImageKind kind) { return kind != ImageKind::kExecutable; }
// "virtual disk" / "virtual CD" / "EFI image", for console lines.
const char* image_kind_text(ImageKind kind);

}  // namespace mpxe
