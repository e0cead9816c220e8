#include "driver/netboot.h"

#include "core/byte_ops.h"
#include "core/sha256.h"
#include "uefi/runtime/log.h"

namespace mpxe::driver {

using namespace uefi;
using net::Millis;

namespace {

// Copies the image into the caller's buffer and hashes it as it streams: TFTP
// delivers blocks in order, so the digest needs no second pass.
class ImageSink final : public net::TftpSink {
 public:
  ImageSink(uint8_t* buffer, uint64_t capacity) : buffer_(buffer), capacity_(capacity) {}
  net::Status on_size(uint64_t tsize) override {
    if (tsize > capacity_) return net::Error(net::Layer::Tftp, net::Errc::NoSpace);
    return {};
  }
  net::Status on_data(uint64_t offset, Bytes data) override {
    if (offset + data.size() > capacity_) return net::Error(net::Layer::Tftp, net::Errc::NoSpace);
    copy_bytes(MutableBytes(buffer_ + offset, data.size()), data);
    sha_.update(data.data(), data.size());
    return {};
  }
  void digest_hex(char hex[Sha256::kHexSize]) { sha_.finish_hex(hex); }

 private:
  uint8_t* buffer_;
  uint64_t capacity_;
  Sha256 sha_;
};

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
  ImageSink sink(buffer, capacity);
  Millis start = session_->now();
  Status s = session_->tftp_fetch(lease.boot_server, lease.boot_file, sink, 0, show_progress,
                                  nullptr);
  Millis elapsed = session_->now() - start;
  log("\n");
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
  sink.digest_hex(hex);
  log("sha256=%s\n", hex);
  uint64_t rate_kbs = elapsed != 0 ? stats.bytes / elapsed : 0;
  log("mpxe: summary: dhcp %llu ms, size %llu ms, tftp %llu ms (%llu bytes, %llu.%01llu MB/s, "
      "blksize %u, window %u, %llu retransmits)\n",
      static_cast<unsigned long long>(dhcp_ms_), static_cast<unsigned long long>(size_ms_),
      static_cast<unsigned long long>(elapsed), static_cast<unsigned long long>(stats.bytes),
      static_cast<unsigned long long>(rate_kbs / 1000),
      static_cast<unsigned long long>(rate_kbs % 1000 / 100), session_->tftp().blksize(),
      session_->tftp().windowsize(), static_cast<unsigned long long>(stats.retransmits));
  return kSuccess;
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
