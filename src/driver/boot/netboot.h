// What LoadFile does on our boot handle: DHCP, then the boot file over TFTP or
// HTTP, with one console line per phase, a progress bar and a timing summary. Any
// failure prints a clear line and returns an error, so BDS moves on to the next
// option.
//
// An EFI image is loaded and started from inside BDS's first LoadFile call, the
// way iPXE boots: into pages of our own, then LoadImage from that buffer and
// StartImage. BDS's own way -- a size answer, its allocation of the whole file,
// a second call to fill it, LoadImage from its buffer -- cost 2.5-3 s more for a
// 256 MiB image under TCG (docs/PERFORMANCE.md), and nothing of it is needed.
//
// The SHA-256 of the image is computed only when asked, during the transfer:
// pinned by the runner (--sha256), published by the server beside the file
// (FILE.sha256), or to be printed (--digest). A mismatch refuses the boot.
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
#include "driver/efi/boot_handle.h"
#include "driver/boot/http_download.h"
#include "driver/boot/mp_engine.h"
#include "driver/efi/pxe_base_code.h"
#include "driver/boot/stack_session.h"
#include "net/wire/digest_text.h"

namespace mpxe::driver {

// Which digest a download checks, if any.
struct DigestPlan {
  enum class Source : uint8_t { kNone, kPrint, kPinned, kPublished };
  Source source = Source::kNone;
  net::Sha256Text expected;  // kPinned, kPublished
  bool hashes() const { return source != Source::kNone; }
  bool checks() const { return source == Source::kPinned || source == Source::kPublished; }
};

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
  // PxeBaseCode::UrlReader: an NBP's Mtftp of an http(s):// name (shim's next
  // stage beside a boot file that came as a URL), over HttpDownload on one connection.
  static uefi::Status read_url(void* context, const char* url, uint8_t* buffer, uint64_t* size);
  static uefi::Status load_file(NetBoot* self, bool boot_policy, uefi::Uintn* size, void* buffer);
  // Logs "mpxe: <text>" and keeps the text as this boot's cause of failure, which
  // load() repeats as its last line ("mpxe: cannot boot: ...") for BDS's log and
  // the runner's final word.
  void fail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  // The boot file's name and server, from IPv4 then IPv6 or the other way round
  // (fw_cfg kIpv6FirstFile); each family's step logs its own lines.
  uefi::Status ensure_lease();
  uefi::Status lease_ipv4();  // DHCP, a PXE menu, the HTTPClient retry
  uefi::Status lease_ipv6();  // SLAAC, DHCPv6, the boot file URL
  void log_declines();        // the DHCPv6 addresses DAD found in use
  uefi::Status query_size(uint64_t* size);
  // What the boot file is: its HTTP Content-Type when that says (after a size
  // query), else its name's extension.
  ImageKind boot_file_kind() const;
  // The digest this boot checks (or prints), decided once per boot file: the
  // runner's pinned one, else FILE.sha256 from the server, else --digest. A digest
  // that cannot be read refuses the boot (kSecurityViolation).
  uefi::Status plan_digest();
  // FILE.sha256 beside the boot file, over the boot file's protocol: kNotFound
  // when the server has none.
  uefi::Status fetch_published_digest(net::Sha256Text* digest);
  uefi::Status download(uint8_t* buffer, uint64_t capacity, uint64_t* size);
  // BDS's first call, for an EFI image: download it into pages of our own, load
  // it from there and start it. Returns only when the image returns or fails.
  uefi::Status boot_from_load_file(uint64_t size);
  // What was learnt of the boot file (size, digest): a later boot asks again.
  void forget_boot_file() {
    known_size_ = 0;
    digest_planned_ = false;
  }
  uefi::Status register_ram_disk(uint8_t* buffer, uint64_t size, ImageKind kind);
  void log_profile(const mp::CopyPipeline& pipeline, uint64_t copy_ticks, uint64_t hash_ticks,
                   net::Millis hash_tail);
  // Why the last TFTP transfer failed, naming the server (tftp_failure_format),
  // or `s`'s text when the client never failed (the request was not sent).
  const char* tftp_cause(uefi::Status s);
  // The datagrams the last TFTP transfer dropped, by reason, with the first sender.
  void log_tftp_drops() const;

  static constexpr uint32_t kHashWorkers = 1;

  StackSession* session_ = nullptr;
  PxeBaseCode* pxe_ = nullptr;
  const BootHandle* boot_ = nullptr;
  bool have_lease_ = false;
  bool family_final_ = false;  // lease_ipv4/6 failed in a way the other family must not retry
  net::Millis dhcp_ms_ = 0;
  net::Millis size_ms_ = 0;
  uint64_t known_size_ = 0;  // from the last size query, so BDS's repeated asks cost nothing
  DigestPlan digest_;
  bool digest_planned_ = false;  // for the current boot file; reset with known_size_
  bool image_running_ = false;   // inside StartImage from boot_from_load_file
  MpEngine mp_;
  HttpDownload http_;
  bool mp_ready_ = false;
  Handoff handoff_ = nullptr;
  char cause_[192] = {};
  char failure_[352] = {};      // this LoadFile call's cause of failure (fail())
  bool image_returned_ = false;  // this LoadFile call started an image, which returned
  void* handoff_context_ = nullptr;
};

}  // namespace mpxe::driver
