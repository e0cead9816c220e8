// What LoadFile does on our boot handle: DHCP, then the boot file over TFTP
// straight into the buffer BDS allocated, with one console line per phase, a
// progress bar, the image's SHA-256 and a timing summary. Any failure prints a
// clear line and returns an error, so BDS moves on to the next option.
//
// A boot file named *.img or *.iso is a disk image, booted the way EDK II's BDS
// boots one from HTTP boot: the size query answers EFI_WARN_FILE_SYSTEM instead of
// EFI_BUFFER_TOO_SMALL, BDS then allocates reserved pages and calls again, we fill
// them, register them through EFI_RAM_DISK_PROTOCOL below our device path and
// answer EFI_WARN_FILE_SYSTEM once more; BDS finds the RAM disk under our handle,
// starts its \EFI\BOOT\BOOTX64.EFI, and unregisters and frees the disk itself when
// that image returns or cannot be found.
#pragma once

#include "core/image_kind.h"
#include "driver/boot_handle.h"
#include "driver/http_download.h"
#include "driver/mp_engine.h"
#include "driver/pxe_base_code.h"
#include "driver/stack_session.h"

namespace mpxe::driver {

class NetBoot {
 public:
  void init(StackSession* session, PxeBaseCode* pxe);
  // Called at the end of every successful download, just before the firmware starts
  // the image: where the NIC is handed over (SNP) to an NBP with its own stack.
  using Handoff = void (*)(void* context);
  void set_handoff(Handoff handoff, void* context) {
    handoff_ = handoff;
    handoff_context_ = context;
  }
  // The handle whose LoadFile this is: a RAM disk is registered below its path.
  void set_boot_handle(const BootHandle* boot) { boot_ = boot; }
  // BootHandle::LoadFn.
  static uefi::Status load(void* context, bool boot_policy, uefi::Uintn* size, void* buffer);

 private:
  uefi::Status ensure_lease();
  uefi::Status query_size(uint64_t* size);
  // What the boot file is: its HTTP Content-Type when that says (after a size
  // query), else its name's extension.
  ImageKind boot_file_kind() const;
  uefi::Status download(uint8_t* buffer, uint64_t capacity, uint64_t* size);
  uefi::Status register_ram_disk(uint8_t* buffer, uint64_t size, ImageKind kind);
  void log_profile(const mp::CopyPipeline& pipeline, uint64_t copy_ticks, uint64_t hash_ticks,
                   net::Millis hash_tail);

  static constexpr uint32_t kHashWorkers = 1;

  StackSession* session_ = nullptr;
  PxeBaseCode* pxe_ = nullptr;
  const BootHandle* boot_ = nullptr;
  bool have_lease_ = false;
  net::Millis dhcp_ms_ = 0;
  net::Millis size_ms_ = 0;
  uint64_t known_size_ = 0;  // from the last size query, so BDS's repeated asks cost nothing
  MpEngine mp_;
  HttpDownload http_;
  bool mp_ready_ = false;
  Handoff handoff_ = nullptr;
  void* handoff_context_ = nullptr;
};

}  // namespace mpxe::driver
