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
// What an HTTP response's media type (Content-Type without parameters, lower
// case) says, as UEFI's HTTP boot reads it: "application/efi" an EFI image,
// "application/vnd.efi-iso" a CD/DVD image, "application/vnd.efi-img" a disk
// image; also "application/x-iso9660-image", the type mime.types gives .iso.
// False for any other type (application/octet-stream says nothing): the name
// decides then.
bool image_kind_of_media_type(const char* media_type, ImageKind* kind);
inline bool is_disk_image(ImageKind kind) { return kind != ImageKind::kExecutable; }
// "virtual disk" / "virtual CD" / "EFI image", for console lines.
const char* image_kind_text(ImageKind kind);

}  // namespace mpxe
