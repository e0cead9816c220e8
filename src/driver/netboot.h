// What LoadFile does on our boot handle: DHCP, then the boot file over TFTP
// straight into the buffer BDS allocated, with one console line per phase, a
// progress bar, the image's SHA-256 and a timing summary. Any failure prints a
// clear line and returns an error, so BDS moves on to the next option.
#pragma once

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
  // BootHandle::LoadFn.
  static uefi::Status load(void* context, bool boot_policy, uefi::Uintn* size, void* buffer);

 private:
  uefi::Status ensure_lease();
  uefi::Status query_size(uint64_t* size);
  uefi::Status download(uint8_t* buffer, uint64_t capacity, uint64_t* size);
  void log_profile(const mp::CopyPipeline& pipeline, uint64_t copy_ticks, uint64_t hash_ticks,
                   net::Millis hash_tail);

  static constexpr uint32_t kHashWorkers = 1;

  StackSession* session_ = nullptr;
  PxeBaseCode* pxe_ = nullptr;
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
