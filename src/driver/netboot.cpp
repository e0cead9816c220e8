#include "driver/netboot.h"

#include "core/byte_ops.h"
#include "core/sha256.h"
#include "driver/platform.h"
#include "qemu/fw_cfg.h"
#include "uefi/runtime/log.h"

namespace mpxe::driver {

using namespace uefi;
using net::Millis;

namespace {

// Puts each block at its place in BDS's buffer -- the receive buffer is only lent
// for the call, so the BSP copies it before the ACK -- and leaves the SHA-256 to
// the MP pipeline: worker 0 on an AP when there is one, otherwise the BSP itself
// in the idle time between a lock-step ACK and the next block. The hash is never
// on the critical path of the protocol.
class ImageSink final : public net::TftpSink {
 public:
  // With `hash_on_ap` the standby worker starts at the first unhashed byte and
  // the BSP leaves the hash to it while it runs (mpxe run --hash-on-ap).
  ImageSink(uint8_t* buffer, uint64_t capacity, MpEngine& mp, bool hash_on_ap)
      : buffer_(buffer),
        capacity_(capacity),
        mp_(mp),
        pipeline_(*mp.pipeline()),
        behind_bytes_(hash_on_ap ? 0 : kBehindBytes),
        hash_on_ap_(hash_on_ap) {}
  net::Status on_size(uint64_t tsize) override {
    if (tsize > capacity_) return net::Error(net::Layer::Tftp, net::Errc::NoSpace);
    return {};
  }
  net::Status on_data(uint64_t offset, Bytes data) override {
    if (offset + data.size() > capacity_) return net::Error(net::Layer::Tftp, net::Errc::NoSpace);
    uint64_t t0 = read_tsc();
    copy_bytes(MutableBytes(buffer_ + offset, data.size()), data);
    copy_ticks_ += read_tsc() - t0;
    // kBusy: a whole job table waits for the hasher. Hash here, on the BSP, until
    // it has room; the hasher cannot hold its claim forever (it never waits).
    while (pipeline_.submit_in_place(offset, static_cast<uint32_t>(data.size()), 0) ==
           mp::SubmitResult::kBusy) {
      reap();
      if (!bsp_hash(mp::CopyPipeline::kDefaultBudget)) asm volatile("pause");
    }
    reap();
    // A NIC that keeps the BSP busy leaves it no idle time: look here too.
    if (++blocks_ % kTickEveryBlocks == 0) mp_.tick(pipeline_.unhashed_bytes() > behind_bytes_);
    return {};
  }
  // StackSession's idle hook: the BSP hashes what the APs have not.
  void idle() {
    reap();
    mp_.tick(pipeline_.unhashed_bytes() > behind_bytes_);
    if (hash_on_ap_ && pipeline_.running_workers() != 0) {
      asm volatile("pause");
      return;
    }
    uint64_t t0 = read_tsc();
    if (pipeline_.poll() != 0) {
      hash_ticks_ += read_tsc() - t0;
      return;
    }
    if (!bsp_hash(kIdleHashBudget)) asm volatile("pause");
  }
  // Runs the rest of the hash on the BSP once the APs have stopped.
  void finish(uint8_t digest[Sha256::kDigestSize]) {
    while (!pipeline_.finish(digest)) {
      reap();
      uint64_t t0 = read_tsc();
      pipeline_.poll();
      hash_ticks_ += read_tsc() - t0;
    }
  }
  uint64_t copy_ticks() const { return copy_ticks_; }
  uint64_t hash_ticks() const { return hash_ticks_; }

 private:
  // A 1428-byte block hashes in a few microseconds; the budget keeps the BSP's
  // answer to the next block prompt even when the hash has fallen behind.
  static constexpr uint64_t kIdleHashBudget = 16 * 1024;
  // Unhashed bytes beyond which the BSP counts as behind and wakes the standby
  // worker. Lock-step TFTP never gets there: the BSP hashes each block in the wait
  // for the next one, and an AP spinning beside it under TCG only takes a host
  // core from the BSP and QEMU's network thread (measured: half the throughput).
  static constexpr uint64_t kBehindBytes = 512 * 1024;
  // One CheckEvent per this many blocks when no idle time comes.
  static constexpr uint32_t kTickEveryBlocks = 32;

  void reap() {
    uint64_t token;
    while (pipeline_.reap(&token)) {
    }
  }
  bool bsp_hash(uint64_t budget) {
    uint64_t t0 = read_tsc();
    uint64_t work = pipeline_.help(budget);
    if (work != 0) hash_ticks_ += read_tsc() - t0;
    return work != 0;
  }

  uint8_t* buffer_;
  uint64_t capacity_;
  MpEngine& mp_;
  mp::CopyPipeline& pipeline_;
  uint64_t behind_bytes_;
  bool hash_on_ap_;
  uint32_t blocks_ = 0;
  uint64_t copy_ticks_ = 0;
  uint64_t hash_ticks_ = 0;
};

// mpxe run --hash-on-ap: the hash goes to an AP whenever there is one.
bool hash_on_ap_requested() {
  qemu::FwCfgFile file;
  return qemu::fw_cfg_present() && qemu::fw_cfg_lookup(qemu::kHashOnApFile, &file);
}

void sink_idle(void* context) { static_cast<ImageSink*>(context)->idle(); }

// The digest the runner asked for (mpxe run --sha256 HEX, through QEMU's fw_cfg);
// false when none was given. A file that is not 64 hex digits is refused too.
enum class Expected : uint8_t { kNone, kDigest, kMalformed };

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Expected expected_digest(char hex[Sha256::kHexSize]) {
  if (!qemu::fw_cfg_present()) return Expected::kNone;
  qemu::FwCfgFile file;
  if (!qemu::fw_cfg_lookup(qemu::kExpectedSha256File, &file)) return Expected::kNone;
  constexpr size_t kDigits = Sha256::kHexSize - 1;
  char text[kDigits + 2] = {};
  size_t n = file.size < sizeof(text) ? file.size : sizeof(text);
  qemu::fw_cfg_read(file.select, text, n);
  // Exactly 64 digits, optionally followed by one newline.
  if (n < kDigits || (n > kDigits && text[kDigits] != '\n') || file.size > kDigits + 1)
    return Expected::kMalformed;
  for (size_t i = 0; i < kDigits; ++i) {
    int v = hex_value(text[i]);
    if (v < 0) return Expected::kMalformed;
    hex[i] = "0123456789abcdef"[v];
  }
  hex[kDigits] = '\0';
  return Expected::kDigest;
}

void format_ip(net::Ipv4Address ip, char* out, size_t size) { ip.format(out, size); }

// One-line bar, redrawn in place: [#####.....]  12.0/64.0 MiB  41.2 MB/s
void show_progress(void*, uint64_t bytes, uint64_t total, Millis elapsed) {
  constexpr int kWidth = 30;
  char bar[kWidth + 1];
  int filled = total != 0 ? static_cast<int>(bytes * kWidth / total) : 0;
  for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
  bar[kWidth] = '\0';
  uint64_t rate_kbs = elapsed != 0 ? bytes / elapsed : 0;  // bytes per ms = kB/s
  log("\rmpxe: [%s] %llu.%01llu/%llu.%01llu MiB %llu.%01llu MB/s ", bar,
      static_cast<unsigned long long>(bytes >> 20),
      static_cast<unsigned long long>((bytes & 0xfffff) * 10 >> 20),
      static_cast<unsigned long long>(total >> 20),
      static_cast<unsigned long long>((total & 0xfffff) * 10 >> 20),
      static_cast<unsigned long long>(rate_kbs / 1000),
      static_cast<unsigned long long>(rate_kbs % 1000 / 100));
}

}  // namespace

void NetBoot::init(StackSession* session, PxeBaseCode* pxe) {
  session_ = session;
  pxe_ = pxe;
}

Status NetBoot::ensure_lease() {
  if (have_lease_) return kSuccess;
  log("mpxe: DHCP (PXE) on %02x:%02x:%02x:%02x:%02x:%02x\n", session_->mac().octets[0],
      session_->mac().octets[1], session_->mac().octets[2], session_->mac().octets[3],
      session_->mac().octets[4], session_->mac().octets[5]);
  Millis start = session_->now();
  Status s = session_->dhcp(DhcpFlavor::Pxe);
  dhcp_ms_ = session_->now() - start;
  if (is_error(s)) {
    log("mpxe: no DHCP lease: %s\n", status_text(s));
    return s;
  }
  const NetLease& lease = session_->lease();
  char ip[16], mask[16], server[16], router[16];
  format_ip(lease.station, ip, sizeof(ip));
  format_ip(lease.mask, mask, sizeof(mask));
  format_ip(lease.boot_server, server, sizeof(server));
  format_ip(lease.router, router, sizeof(router));
  log("mpxe: lease %s mask %s router %s (%llu ms)\n", ip, mask, router,
      static_cast<unsigned long long>(dhcp_ms_));
  log("mpxe: boot server %s file '%s'%s\n", server, lease.boot_file,
      lease.proxy_offer.valid() ? " (ProxyDHCP)" : "");
  pxe_->adopt_lease();
  have_lease_ = true;
  return kSuccess;
}

Status NetBoot::query_size(uint64_t* size) {
  const NetLease& lease = session_->lease();
  Millis start = session_->now();
  Status s = session_->tftp_size(lease.boot_server, lease.boot_file, size);
  size_ms_ = session_->now() - start;
  if (s == kUnsupported) {
    log("mpxe: the TFTP server does not report file sizes (tsize); cannot size '%s'\n",
        lease.boot_file);
  } else if (is_error(s)) {
    uint8_t code = 0;
    const char* text = nullptr;
    if (session_->tftp_error(&code, &text))
      log("mpxe: TFTP error %u from server: %s\n", code, text);
    else
      log("mpxe: cannot get the size of '%s': %s\n", lease.boot_file, status_text(s));
  } else {
    log("mpxe: file '%s' %llu bytes\n", lease.boot_file, static_cast<unsigned long long>(*size));
  }
  return s;
}

Status NetBoot::download(uint8_t* buffer, uint64_t capacity, uint64_t* size) {
  const NetLease& lease = session_->lease();
  char expected[Sha256::kHexSize] = {};
  Expected want = expected_digest(expected);
  if (want == Expected::kMalformed) {
    log("mpxe: the expected sha256 (fw_cfg %s) is not 64 hex digits; refusing to boot\n",
        qemu::kExpectedSha256File);
    return kSecurityViolation;
  }
  if (!mp_ready_) mp_ready_ = mp_.init();
  if (!mp_ready_) return kOutOfResources;  // init() said why
  // One hasher is all a TFTP download can use: the copy must happen on the BSP
  // before the receive buffer goes back (see ImageSink), and the hash is sequential.
  mp_.start(kTftpWorkers);
  mp::CopyPipeline& pipeline = *mp_.pipeline();
  if (!pipeline.begin(buffer, capacity, true)) {
    mp_.stop();  // an earlier image still in the pipeline: let the BSP finish it
    while (!pipeline.begin(buffer, capacity, true)) pipeline.poll();
    mp_.start(kTftpWorkers);
  }
  ImageSink sink(buffer, capacity, mp_, hash_on_ap_requested());
  Millis start = session_->now();
  StackSession::FetchHooks hooks;
  hooks.progress = show_progress;
  hooks.idle = sink_idle;
  hooks.context = &sink;
  Status s = session_->tftp_fetch(lease.boot_server, lease.boot_file, sink, 0, hooks);
  Millis elapsed = session_->now() - start;
  log("\n");
  // Every AP back in MP services before anything else happens: the image may start
  // next, and an NBP may call ExitBootServices.
  mp_.stop();
  uint8_t digest[Sha256::kDigestSize];
  sink.finish(digest);
  Millis hash_tail = session_->now() - start - elapsed;
  const net::TftpStats& stats = session_->tftp().stats();
  if (is_error(s)) {
    uint8_t code = 0;
    const char* text = nullptr;
    if (session_->tftp_error(&code, &text))
      log("mpxe: TFTP error %u from server: %s\n", code, text);
    else
      log("mpxe: download of '%s' failed: %s\n", lease.boot_file, status_text(s));
    return s;
  }
  *size = stats.bytes;
  char hex[Sha256::kHexSize];
  Sha256::to_hex(digest, hex);
  log("sha256=%s\n", hex);
  uint64_t rate_kbs = elapsed != 0 ? stats.bytes / elapsed : 0;
  log("mpxe: summary: dhcp %llu ms, size %llu ms, tftp %llu ms (%llu bytes, %llu.%01llu MB/s, "
      "blksize %u, window %u, %llu retransmits)\n",
      static_cast<unsigned long long>(dhcp_ms_), static_cast<unsigned long long>(size_ms_),
      static_cast<unsigned long long>(elapsed), static_cast<unsigned long long>(stats.bytes),
      static_cast<unsigned long long>(rate_kbs / 1000),
      static_cast<unsigned long long>(rate_kbs % 1000 / 100), session_->tftp().blksize(),
      session_->tftp().windowsize(), static_cast<unsigned long long>(stats.retransmits));
  log_profile(pipeline, sink.copy_ticks(), sink.hash_ticks(), hash_tail);
  if (want == Expected::kDigest &&
      !bytes_equal(Bytes(reinterpret_cast<const uint8_t*>(hex), Sha256::kHexSize - 1),
                   Bytes(reinterpret_cast<const uint8_t*>(expected), Sha256::kHexSize - 1))) {
    log("mpxe: sha256 mismatch: got %s, expected %s; refusing to boot '%s'\n", hex, expected,
        lease.boot_file);
    return kSecurityViolation;
  }
  if (want == Expected::kDigest) log("mpxe: sha256 matches the expected digest\n");
  return kSuccess;
}

// Where the BSP's time went and who hashed what: the profile behind the choice of
// what runs on the APs.
void NetBoot::log_profile(const mp::CopyPipeline& pipeline, uint64_t copy_ticks,
                          uint64_t hash_ticks, Millis hash_tail) {
  uint64_t per_ms = session_->ticks_per_ms();
  uint64_t ap_hashed = 0;
  for (uint32_t i = 0; i < mp::CopyPipeline::kMaxWorkers; ++i)
    ap_hashed += pipeline.stats(i).bytes_hashed;
  uint64_t bsp_hashed = pipeline.stats(mp::CopyPipeline::kInline).bytes_hashed;
  log("mpxe: profile: BSP copy %llu ms, BSP hash %llu ms, sha256 ready %llu ms after the last "
      "block; sha256 of %llu KiB on the BSP, %llu KiB on APs (%u processors, %u AP launches)\n",
      static_cast<unsigned long long>(copy_ticks / per_ms),
      static_cast<unsigned long long>(hash_ticks / per_ms),
      static_cast<unsigned long long>(hash_tail), static_cast<unsigned long long>(bsp_hashed >> 10),
      static_cast<unsigned long long>(ap_hashed >> 10), mp_.enabled_processors(),
      mp_.launches());
}

Status NetBoot::load(void* context, bool, Uintn* size, void* buffer) {
  auto* self = static_cast<NetBoot*>(context);
  Status s = self->ensure_lease();
  if (is_error(s)) return s;
  if (self->session_->lease().boot_file[0] == '\0') {
    log("mpxe: the DHCP answer names no boot file\n");
    return kNotFound;
  }
  uint64_t file_size = 0;
  if (buffer == nullptr || *size == 0) {
    if (self->known_size_ == 0) {
      s = self->query_size(&file_size);
      if (is_error(s)) return s;
      self->known_size_ = file_size;
    }
    *size = self->known_size_;
    return kBufferTooSmall;
  }
  uint64_t got = 0;
  s = self->download(static_cast<uint8_t*>(buffer), *size, &got);
  if (s == kBufferTooSmall) {
    // The file grew between the size query and the download: ask again.
    self->known_size_ = 0;
    if (!is_error(self->query_size(&file_size))) *size = self->known_size_ = file_size;
    return kBufferTooSmall;
  }
  self->known_size_ = 0;  // a later boot attempt asks the server again
  if (is_error(s)) return s;
  *size = got;
  if (self->handoff_ != nullptr) self->handoff_(self->handoff_context_);
  return kSuccess;
}

}  // namespace mpxe::driver
