#include "driver/boot/netboot.h"

#include "core/byte_ops.h"
#include "core/format.h"
#include "core/sha256.h"
#include "driver/boot/boot_menu.h"
#include "driver/boot/image_hasher.h"
#include "driver/boot/platform.h"
#include "qemu/fw_cfg.h"
#include "uefi/protocols/ram_disk.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"

namespace mpxe::driver {

using namespace uefi;
using net::Millis;

namespace {

// On how many APs HTTP connections run when the runner does not say (mpxe run
// --http-aps): see docs/mp.md for the measurements behind it.
constexpr uint32_t kDefaultHttpAps = 0;

// TFTP's sink: puts each block at its place in the image's buffer -- the receive
// buffer is only lent for the call, so the BSP copies it before the ACK -- and
// tells the hasher, which keeps any SHA-256 off the protocol's critical path.
class ImageSink final : public net::TftpSink {
 public:
  ImageSink(uint8_t* buffer, uint64_t capacity, ImageHasher& hasher)
      : buffer_(buffer), capacity_(capacity), hasher_(hasher) {}
  net::Result<void> on_size(uint64_t tsize) override {
    if (tsize > capacity_) return net::Error(net::Layer::Tftp, net::Errc::NoSpace);
    return {};
  }
  net::Result<void> on_data(uint64_t offset, Bytes data) override {
    if (offset + data.size() > capacity_) return net::Error(net::Layer::Tftp, net::Errc::NoSpace);
    uint64_t t0 = read_tsc();
    copy_bytes(MutableBytes(buffer_ + offset, data.size()), data);
    copy_ticks_ += read_tsc() - t0;
    hasher_.add(offset, data.size());
    return {};
  }
  uint64_t copy_ticks() const { return copy_ticks_; }

 private:
  uint8_t* buffer_;
  uint64_t capacity_;
  ImageHasher& hasher_;
  uint64_t copy_ticks_ = 0;
};

constexpr uint64_t kPageSize = 4096;

bool is_http_url(const char* name) {
  return starts_with_nocase(name, "http://") || starts_with_nocase(name, "https://");
}

// A fw_cfg file the runner writes when a flag is given: present or not.
bool fw_cfg_flag(const char* file) {
  qemu::FwCfgFile found;
  return qemu::fw_cfg_lookup(file, &found);
}

// mpxe run --hash-on-ap: the hash goes to an AP whenever there is one.
bool hash_on_ap_requested() { return fw_cfg_flag(qemu::kHashOnApFile); }

// A runner setting given as a decimal number in a fw_cfg file; `fallback` without it.
uint32_t fw_cfg_number(const char* file, uint32_t fallback) {
  char text[5];
  if (!qemu::fw_cfg_read_text(file, text, sizeof(text))) return fallback;
  uint32_t n = 0;
  for (const char* c = text; *c >= '0' && *c <= '9'; ++c) n = n * 10 + static_cast<uint32_t>(*c - '0');
  return n;
}

// mpxe run --http-aps N: on how many APs the HTTP connections run.
uint32_t http_aps_requested() { return fw_cfg_number(qemu::kHttpApsFile, kDefaultHttpAps); }

// mpxe run --pxe-menu N: the PXE menu item to boot (0: the first not local boot).
size_t pxe_menu_requested() { return fw_cfg_number(qemu::kPxeMenuFile, 0); }

void hasher_idle(void* context) { static_cast<ImageHasher*>(context)->idle(); }

// Where the digest a boot checks came from, for the console.
const char* digest_source_text(DigestPlan::Source source) {
  switch (source) {
    case DigestPlan::Source::kPinned: return "the expected digest";
    case DigestPlan::Source::kPublished: return "the digest the server publishes";
    default: return "no digest";
  }
}

void format_ip(net::Ipv4Address ip, char* out, size_t size) { ip.format(out, size); }

// The firmware's RAM disk driver, or null when it has none (it is optional: OVMF
// builds carry RamDiskDxe, other platforms may not).
RamDiskProtocol* locate_ram_disk() {
  RamDiskProtocol* ram_disk = nullptr;
  Status s = bs()->LocateProtocol(&kRamDiskProtocolGuid, nullptr,
                                  reinterpret_cast<void**>(&ram_disk));
  return is_error(s) ? nullptr : ram_disk;
}

// One-line bar, redrawn in place: [#####.....] 12.0/64.0 MiB 41.2 MB/s, then the
// download's detail (HTTP: each connection's share of its range). The sizes take
// the unit the total fits (B, KiB, MiB, GiB); the rate stays in decimal MB/s, the
// unit the summary line and bench/run compare the stacks in.
void show_progress(void*, uint64_t bytes, uint64_t total, Millis elapsed, const char* detail) {
  constexpr int kWidth = 30;
  char bar[kWidth + 1];
  int filled = total != 0 ? static_cast<int>(bytes * kWidth / total) : 0;
  for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
  bar[kWidth] = '\0';
  char sizes[48];
  format_progress(bytes, total, sizes, sizeof(sizes));
  uint64_t rate_kbs = elapsed != 0 ? bytes / elapsed : 0;  // bytes per ms = kB/s
  log("\rmpxe: [%s] %s %llu.%01llu MB/s ", bar, sizes,
      static_cast<unsigned long long>(rate_kbs / 1000),
      static_cast<unsigned long long>(rate_kbs % 1000 / 100));
  if (detail != nullptr) log("%s ", detail);
}

}  // namespace

void NetBoot::init(StackSession* session, PxeBaseCode* pxe) {
  session_ = session;
  pxe_ = pxe;
  pxe_->set_url_reader(read_url, this);
}

Status NetBoot::read_url(void* context, const char* url, uint8_t* buffer, uint64_t* size) {
  auto* self = static_cast<NetBoot*>(context);
  uint64_t room = *size;
  uint64_t length = 0;
  Status s = self->http_.init();
  // size() and fetch() log their own failures, with the server's answer.
  if (!is_error(s)) s = self->http_.size(*self->session_, url, &length);
  if (is_error(s)) return s;
  *size = length;
  if (buffer == nullptr) return kSuccess;
  if (length > room) return kBufferTooSmall;
  ImageHasher none(self->mp_, false, false);
  s = self->http_.fetch(*self->session_, buffer, length, 1, none, StackSession::FetchHooks{},
                        self->mp_, 0);
  if (!is_error(s))
    log("mpxe: pxebc: '%s' %llu bytes over HTTP\n", url, static_cast<unsigned long long>(length));
  return s;
}

Status NetBoot::ensure_lease() {
  if (have_lease_) return kSuccess;
  // One boot option, both families in turn: IPv4 then IPv6, or IPv6 first when
  // the runner says so (mpxe run --ipv6). The first that names a boot file wins;
  // each failure is logged, and the boot's cause names every family's.
  const bool v6_first = fw_cfg_flag(qemu::kIpv6FirstFile);
  const bool order[2] = {v6_first, !v6_first};  // true: IPv6
  char causes[sizeof(failure_)] = {};
  size_t length = 0;
  Status s = kNotFound;
  for (int i = 0; i < 2; ++i) {
    const bool v6 = order[i];
    failure_[0] = '\0';
    family_final_ = false;
    s = v6 ? lease_ipv6() : lease_ipv4();
    if (!is_error(s)) {
      pxe_->adopt_lease();
      have_lease_ = true;
      return kSuccess;
    }
    // The site answered and its menu said no (local boot, no server): that is
    // this boot's answer, not a family that failed.
    if (family_final_) return s;
    format_append(causes, sizeof(causes), length, "%s%s", length == 0 ? "" : "; ",
                  failure_[0] != '\0' ? failure_ : status_text(s));
    if (i == 0) log("mpxe: no boot over %s; trying %s\n", v6 ? "IPv6" : "IPv4", v6 ? "IPv4" : "IPv6");
  }
  format(failure_, sizeof(failure_), "%s", causes);
  return s;
}

Status NetBoot::lease_ipv4() {
  log("mpxe: DHCP (PXE) on %02x:%02x:%02x:%02x:%02x:%02x\n", session_->mac().octets[0],
      session_->mac().octets[1], session_->mac().octets[2], session_->mac().octets[3],
      session_->mac().octets[4], session_->mac().octets[5]);
  Millis start = session_->now();
  Status s = session_->dhcp(DhcpFlavor::Pxe);
  if (!is_error(s) && session_->dhcp_client().lease().needs_discovery) {
    s = run_pxe_boot_menu(*session_, pxe_menu_requested());
    // A site with a PXE menu is not an HTTP boot site: no HTTPClient retry, and
    // not a site to try IPv6 on either.
    if (is_error(s)) {
      family_final_ = true;
      return s;
    }
  }
  if (!is_error(s) && session_->lease().boot_file[0] == '\0') {
    // A server set up for UEFI HTTP boot only names a file to the HTTPClient class.
    log("mpxe: no boot file for PXEClient; asking again as HTTPClient\n");
    s = session_->dhcp(DhcpFlavor::Http);
  }
  dhcp_ms_ = session_->now() - start;
  if (is_error(s)) {
    if (session_->dhcp_client().state() == net::DhcpState::Failed)
      fail("no DHCP lease: %s", net::dhcp_failure_text(session_->dhcp_client().failure()));
    else
      fail("no DHCP lease: %s", status_text(s));
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
  if (lease.boot_file[0] == '\0') {
    fail("the DHCP answer names no boot file");
    return kNotFound;
  }
  log("mpxe: IPv4: boot file from %s via DHCP\n", server);
  return kSuccess;
}

Status NetBoot::lease_ipv6() {
  const net::MacAddress mac = session_->mac();
  log("mpxe: IPv6 (SLAAC, DHCPv6) on %02x:%02x:%02x:%02x:%02x:%02x\n", mac.octets[0],
      mac.octets[1], mac.octets[2], mac.octets[3], mac.octets[4], mac.octets[5]);
  Millis start = session_->now();
  Status s = session_->ipv6_lease(DhcpFlavor::Pxe);
  dhcp_ms_ = session_->now() - start;
  const Ipv6Outcome& v6 = session_->ipv6();
  log_declines();
  if (is_error(s)) {
    fail("%s", v6.failure[0] != '\0' ? v6.failure : status_text(s));
    return s;
  }
  char address[net::IpAddress::kMaxTextLen + 1], router[net::IpAddress::kMaxTextLen + 1];
  char dhcp[net::IpAddress::kMaxTextLen + 1], server[net::IpAddress::kMaxTextLen + 1];
  v6.autoconf.format(address, sizeof address);
  if (v6.has_router) v6.router.format(router, sizeof router);
  else format(router, sizeof router, "none");
  v6.dhcp_server.format(dhcp, sizeof dhcp);
  const NetLease& lease = session_->lease();
  lease.boot_address.format(server, sizeof server);
  log("mpxe: IPv6: address %s router %s, RA M=%u O=%u (%llu ms)\n", address, router,
      v6.managed ? 1u : 0u, v6.other ? 1u : 0u, static_cast<unsigned long long>(v6.slaac_ms));
  if (v6.leased) {
    v6.address.format(address, sizeof address);
    log("mpxe: IPv6: address %s via stateful DHCPv6 from %s (%llu ms)\n", address, dhcp,
        static_cast<unsigned long long>(v6.dhcp_ms));
  }
  log("mpxe: IPv6: boot file URL '%s' via %s DHCPv6 from %s%s (%llu ms)\n", v6.boot_url,
      v6.stateful ? "stateful" : "stateless", dhcp, v6.http_client ? " as HTTPClient" : "",
      static_cast<unsigned long long>(v6.dhcp_ms));
  if (is_http_url(lease.boot_file) && lease.boot_address.is_unspecified()) {
    // A host name: looked up when the download starts, through these servers.
    char servers[4 * (net::IpAddress::kMaxTextLen + 2)] = {};
    size_t length = 0;
    for (size_t i = 0; i < session_->dns_server_count(); ++i) {
      char one[net::IpAddress::kMaxTextLen + 1];
      session_->dns_server(i).format(one, sizeof one);
      format_append(servers, sizeof servers, length, "%s%s", i == 0 ? "" : ", ", one);
    }
    log("mpxe: boot file '%s', its server by DNS (%s) over IPv6\n", lease.boot_file,
        length != 0 ? servers : "no DNS server given");
  } else {
    log("mpxe: boot server %s file '%s'\n", server, lease.boot_file);
  }
  return kSuccess;
}

void NetBoot::log_declines() {
  const net::Dhcpv6Binding* binding = session_->dhcpv6_binding();
  if (binding == nullptr) return;
  const size_t kept = binding->decline_count() < net::Dhcpv6Binding::kMaxDeclines
                          ? binding->decline_count()
                          : net::Dhcpv6Binding::kMaxDeclines;
  for (size_t i = 0; i < kept; ++i) {
    const net::Dhcpv6Decline& declined = binding->decline(i);
    char address[net::IpAddress::kMaxTextLen + 1], from[net::IpAddress::kMaxTextLen + 1];
    net::IpAddress(declined.address).format(address, sizeof address);
    declined.server.format(from, sizeof from);
    log("mpxe: IPv6: DHCPv6 address %s from %s is in use on the link (%s): declined "
        "(%u of at most %u)\n",
        address, from, net::dad_conflict_text(declined.conflict), static_cast<unsigned>(i + 1),
        static_cast<unsigned>(net::Dhcpv6Binding::kMaxDeclines));
  }
}

Status NetBoot::query_size(uint64_t* size) {
  const NetLease& lease = session_->lease();
  Millis start = session_->now();
  if (is_http_url(lease.boot_file)) {
    Status s = http_.init();
    if (!is_error(s)) s = http_.size(*session_, lease.boot_file, size);
    size_ms_ = session_->now() - start;
    if (!is_error(s))
      log("mpxe: file '%s' %llu bytes%s\n", lease.boot_file,
          static_cast<unsigned long long>(*size),
          http_.accepts_ranges() ? " (byte ranges accepted)" : "");
    else if (http_.last_cause()[0] != '\0')
      // HttpDownload logged it: only kept as the cause.
      format(failure_, sizeof(failure_), "'%s': %s", lease.boot_file, http_.last_cause());
    return s;
  }
  Status s = session_->tftp_size(lease.boot_address, lease.boot_port, lease.boot_file, size);
  size_ms_ = session_->now() - start;
  if (s == kUnsupported) {
    fail("the TFTP server does not report file sizes (tsize); cannot size '%s'", lease.boot_file);
  } else if (is_error(s)) {
    uint8_t code = 0;
    const char* text = nullptr;
    log_tftp_drops();  // first: the last line is the cause
    if (session_->tftp_error(&code, &text))
      fail("TFTP error %u from server: %s", code, text);
    else
      fail("cannot get the size of '%s': %s", lease.boot_file, tftp_cause(s));
  } else {
    log("mpxe: file '%s' %llu bytes\n", lease.boot_file, static_cast<unsigned long long>(*size));
  }
  return s;
}

Status NetBoot::fetch_published_digest(net::Sha256Text* digest) {
  const NetLease& lease = session_->lease();
  char name[sizeof(lease.boot_file) + 8];
  format(name, sizeof(name), "%s.sha256", lease.boot_file);
  // sha256sum's line for one file, with room for a long name.
  uint8_t text[512];
  uint64_t size = 0;
  Status s;
  if (is_http_url(name)) {
    s = http_.init();
    if (!is_error(s)) s = http_.size_if_present(*session_, name, &size);
    if (!is_error(s) && size > sizeof(text)) s = kBufferTooSmall;
    if (!is_error(s)) {
      ImageHasher none(mp_, false, false);
      s = http_.fetch(*session_, text, size, 1, none, StackSession::FetchHooks{}, mp_, 0);
    }
  } else {
    s = session_->tftp_read(lease.boot_address, lease.boot_port, name, text, sizeof(text), &size, 0);
  }
  // Not there (TFTP: any error the server sends) is no digest; a digest file too
  // big to be one, or one that does not read, is a broken digest.
  if (s == kBufferTooSmall) {
    fail("'%s' is too big for a digest (%llu bytes)", name, static_cast<unsigned long long>(size));
    return kSecurityViolation;
  }
  if (is_error(s)) return kNotFound;
  net::Result<net::Sha256Text> parsed = net::parse_sha256_text(Bytes(text, size));
  if (!parsed.ok()) {
    char why[48];
    net::error_format(parsed.error(), why, sizeof(why));
    fail("'%s' holds no SHA-256 (%s)", name, why);
    return kSecurityViolation;
  }
  *digest = parsed.value();
  return kSuccess;
}

Status NetBoot::plan_digest() {
  if (digest_planned_) return kSuccess;
  digest_ = DigestPlan{};
  char text[Sha256::kHexSize + 2];
  uint32_t size = 0;
  if (qemu::fw_cfg_read_text(qemu::kExpectedSha256File, text, sizeof(text), &size)) {
    net::Result<net::Sha256Text> pinned =
        net::parse_sha256_text(Bytes(reinterpret_cast<const uint8_t*>(text), size));
    if (!pinned.ok()) {
      fail("the expected sha256 (fw_cfg %s) is not 64 hex digits; refusing to boot",
           qemu::kExpectedSha256File);
      return kSecurityViolation;
    }
    digest_.source = DigestPlan::Source::kPinned;
    digest_.expected = pinned.value();
  } else {
    net::Sha256Text published;
    Status s = fetch_published_digest(&published);
    if (s == kSuccess) {
      digest_.source = DigestPlan::Source::kPublished;
      digest_.expected = published;
      log("mpxe: the server publishes '%s.sha256': the image must match it\n",
          session_->lease().boot_file);
    } else if (s != kNotFound) {
      log("mpxe: refusing to boot '%s' against a broken digest\n", session_->lease().boot_file);
      // The digest's own line (fetch_published_digest) stays the cause.
      return s;
    } else if (fw_cfg_flag(qemu::kDigestFile)) {
      digest_.source = DigestPlan::Source::kPrint;
    }
  }
  digest_planned_ = true;
  return kSuccess;
}

Status NetBoot::download(uint8_t* buffer, uint64_t capacity, uint64_t* size) {
  const NetLease& lease = session_->lease();
  const bool http = is_http_url(lease.boot_file);
  if (!digest_planned_) {
    Status planned = plan_digest();
    if (is_error(planned)) return planned;
    // The digest's own request replaced what HTTP knew of the boot file.
    if (http) known_size_ = 0;
  }
  if (!mp_ready_) mp_ready_ = mp_.init();
  if (!mp_ready_) return kOutOfResources;  // init() said why
  const bool hashing = digest_.hashes();
  mp::CopyPipeline& pipeline = *mp_.pipeline();
  if (hashing) {
    // One hasher is all a download can use: the hash is sequential, and the copy
    // (TFTP) or placement (TCP) happens on the BSP as frames arrive.
    mp_.start(kHashWorkers);
    if (!pipeline.begin(buffer, capacity, true)) {
      mp_.stop();  // an earlier image still in the pipeline: let the BSP finish it
      while (!pipeline.begin(buffer, capacity, true)) pipeline.poll();
      mp_.start(kHashWorkers);
    }
  }
  ImageHasher hasher(mp_, hash_on_ap_requested(), hashing);
  ImageSink sink(buffer, capacity, hasher);
  StackSession::FetchHooks hooks;
  hooks.progress = show_progress;
  hooks.idle = hasher_idle;
  hooks.context = &hasher;
  Millis start = session_->now();
  Status s;
  if (http) {
    // One connection per processor, each a byte range (when the server takes ranges).
    s = kSuccess;
    if (known_size_ == 0) s = query_size(&known_size_);
    if (!is_error(s) && known_size_ > capacity) s = kBufferTooSmall;
    if (!is_error(s))
      s = http_.fetch(*session_, buffer, known_size_, mp_.enabled_processors(), hasher, hooks, mp_,
                      http_aps_requested());
  } else {
    s = session_->tftp_fetch(lease.boot_address, lease.boot_port, lease.boot_file, sink, 0, hooks);
  }
  Millis elapsed = session_->now() - start;
  log("\n");
  // Every AP back in MP services before anything else happens: the image may start
  // next, and an NBP may call ExitBootServices.
  mp_.stop();
  uint8_t digest[Sha256::kDigestSize];
  if (hashing) hasher.finish(digest);
  Millis hash_tail = session_->now() - start - elapsed;
  if (is_error(s)) {
    uint8_t code = 0;
    const char* text = nullptr;
    const char* cause = status_text(s);
    if (!http) cause = tftp_cause(s);
    else if (http_.last_cause()[0] != '\0') cause = http_.last_cause();
    // The drops first: the last line is the cause.
    if (!http) log_tftp_drops();
    if (!http && session_->tftp_error(&code, &text))
      fail("TFTP error %u from server: %s", code, text);
    else
      fail("download of '%s' failed: %s", lease.boot_file, cause);
    return s;
  }
  uint64_t bytes = http ? known_size_ : session_->tftp().stats().bytes;
  *size = bytes;
  char hex[Sha256::kHexSize];
  if (hashing) {
    Sha256::to_hex(digest, hex);
    log("sha256=%s\n", hex);
  }
  uint64_t rate_kbs = elapsed != 0 ? bytes / elapsed : 0;
  if (http) {
    log("mpxe: summary: dhcp %llu ms, size %llu ms, http %llu ms (%llu bytes, %llu.%01llu MB/s, "
        "%u connection%s)\n",
        static_cast<unsigned long long>(dhcp_ms_), static_cast<unsigned long long>(size_ms_),
        static_cast<unsigned long long>(elapsed), static_cast<unsigned long long>(bytes),
        static_cast<unsigned long long>(rate_kbs / 1000),
        static_cast<unsigned long long>(rate_kbs % 1000 / 100), http_.connections_used(),
        http_.connections_used() == 1 ? "" : "s");
  } else {
    const net::TftpStats& stats = session_->tftp().stats();
    log("mpxe: summary: dhcp %llu ms, size %llu ms, tftp %llu ms (%llu bytes, %llu.%01llu MB/s, "
        "blksize %u, window %u, %llu retransmits)\n",
        static_cast<unsigned long long>(dhcp_ms_), static_cast<unsigned long long>(size_ms_),
        static_cast<unsigned long long>(elapsed), static_cast<unsigned long long>(bytes),
        static_cast<unsigned long long>(rate_kbs / 1000),
        static_cast<unsigned long long>(rate_kbs % 1000 / 100), session_->tftp().blksize(),
        session_->tftp().windowsize(), static_cast<unsigned long long>(stats.retransmits));
  }
  if (!hashing) return kSuccess;
  log_profile(pipeline, sink.copy_ticks(), hasher.hash_ticks(), hash_tail);
  if (!digest_.checks()) return kSuccess;
  if (!bytes_equal(Bytes(reinterpret_cast<const uint8_t*>(hex), Sha256::kHexSize - 1),
                   Bytes(reinterpret_cast<const uint8_t*>(digest_.expected.hex),
                         Sha256::kHexSize - 1))) {
    fail("sha256 mismatch: got %s, expected %s; refusing to boot '%s'", hex, digest_.expected.hex,
         lease.boot_file);
    return kSecurityViolation;
  }
  log("mpxe: sha256 matches %s\n", digest_source_text(digest_.source));
  return kSuccess;
}

Status NetBoot::boot_from_load_file(uint64_t size) {
  const char* name = session_->lease().boot_file;
  const Uintn pages = static_cast<Uintn>((size + kPageSize - 1) / kPageSize);
  PhysicalAddress at = 0;
  Status s = bs()->AllocatePages(AllocateType::AnyPages, MemoryType::BootServicesData, pages, &at);
  if (is_error(s)) {
    char mib[24];
    format_mib(size, mib, sizeof(mib));
    fail("no memory for '%s' (%s): %s", name, mib, status_text(s));
    return s;
  }
  auto* buffer = reinterpret_cast<uint8_t*>(at);
  uint64_t got = 0;
  s = download(buffer, static_cast<uint64_t>(pages) * kPageSize, &got);
  forget_boot_file();
  if (is_error(s)) {
    bs()->FreePages(at, pages);
    return s;
  }
  if (handoff_ != nullptr) handoff_(handoff_context_);
  // Not BootPolicy: this is a buffer, not a path to look up. The device path makes
  // our boot handle the image's DeviceHandle, as when BDS loads it.
  Handle image = nullptr;
  s = bs()->LoadImage(0, image_handle(), const_cast<DevicePathProtocol*>(boot_->device_path()),
                     buffer, got, &image);
  // LoadImage copied the sections, but the file's pages stay ours while the image
  // runs, as iPXE keeps its image: freeing 256 MiB took 0.8 s under TCG, a wait
  // before the image starts. An OS gets them back at ExitBootServices (they are
  // boot services data); an image that returns gives them back to us.
  if (is_error(s)) {
    bs()->FreePages(at, pages);
    // EDK II's LoadImage answers Access Denied when Secure Boot's policy forbids the
    // image outright, Security Violation when it is to be deferred; both mean db.
    const bool refused_by_policy = s == kAccessDenied || s == kSecurityViolation;
    fail("the firmware cannot load '%s': %s%s", name, status_text(s),
         refused_by_policy ? " (Secure Boot: no signature db trusts, or one dbx revokes)" : "");
    // A Secure Boot refusal still made an image handle (UEFI 2.10, 7.4 LoadImage).
    if (s == kSecurityViolation && image != nullptr) bs()->UnloadImage(image);
    return s;
  }
  log("mpxe: starting '%s'\n", name);
  image_running_ = true;
  Uintn exit_size = 0;
  char16_t* exit_data = nullptr;
  s = bs()->StartImage(image, &exit_size, &exit_data);
  image_running_ = false;
  bs()->FreePages(at, pages);
  if (exit_data != nullptr) bs()->FreePool(exit_data);
  log("mpxe: '%s' returned: %s\n", name, status_text(s));
  image_returned_ = true;  // it booted: whatever it returned is not a boot failure of ours
  // BDS reads any answer but "buffer too small" as this option not booting, and
  // moves on to the next -- as after an image it started itself returns.
  return is_error(s) ? s : kAborted;
}

// The downloaded (and hash-checked) disk image becomes a block device below our
// device path; the firmware's partition and FAT drivers bind to it during
// Register. The memory stays BDS's: it unregisters the disk and frees the pages
// when the image it starts from there returns, or when it finds nothing to start.
Status NetBoot::register_ram_disk(uint8_t* buffer, uint64_t size, ImageKind kind) {
  const char* name = session_->lease().boot_file;
  RamDiskProtocol* ram_disk = locate_ram_disk();
  if (ram_disk == nullptr) {
    fail("'%s' is a disk image, but this firmware has no EFI_RAM_DISK_PROTOCOL; cannot boot it",
         name);
    return kUnsupported;
  }
  if (boot_ == nullptr || boot_->device_path() == nullptr) return kNotReady;
  const Guid* type = kind == ImageKind::kVirtualCd ? &kVirtualCdGuid : &kVirtualDiskGuid;
  DevicePathProtocol* disk_path = nullptr;  // the RAM disk driver keeps it: not ours to free
  Status s = ram_disk->Register(reinterpret_cast<uint64_t>(buffer), size, type,
                                boot_->device_path(), &disk_path);
  if (is_error(s)) {
    fail("cannot register '%s' as a RAM disk: %s", name, status_text(s));
    return s;
  }
  char mib[24];
  format_mib(size, mib, sizeof(mib));
  log("mpxe: '%s' is a disk image: registered as a RAM disk (%s, %s) at 0x%llx\n", name, mib,
      image_kind_text(kind), static_cast<unsigned long long>(reinterpret_cast<uint64_t>(buffer)));
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

ImageKind NetBoot::boot_file_kind() const {
  const char* name = session_->lease().boot_file;
  ImageKind kind;
  if (is_http_url(name) && image_kind_of_media_type(http_.media_type(), &kind)) return kind;
  return image_kind(name);
}

const char* NetBoot::tftp_cause(Status s) {
  if (net::tftp_failure_format(session_->tftp(), cause_, sizeof cause_) == 0) return status_text(s);
  return cause_;
}

void NetBoot::log_tftp_drops() const {
  // Its own buffer: cause_ may hold tftp_cause()'s answer, still to be printed.
  char drops[192];
  if (net::tftp_drop_summary(session_->tftp().stats(), drops, sizeof drops) != 0)
    log("mpxe: TFTP %s\n", drops);
}

void NetBoot::fail(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  format_v(failure_, sizeof(failure_), fmt, args);
  va_end(args);
  log("mpxe: %s\n", failure_);
}

Status NetBoot::load(void* context, bool boot_policy, Uintn* size, void* buffer) {
  auto* self = static_cast<NetBoot*>(context);
  self->failure_[0] = '\0';
  self->image_returned_ = false;
  // An image we started may have driven the NIC through SNP since the last call.
  self->session_->reclaim_device();
  Status s = load_file(self, boot_policy, size, buffer);
  // BDS moves on to its next option after an error: the last line names why.
  if (is_error(s) && s != kBufferTooSmall && !self->image_returned_)
    log("mpxe: cannot boot: %s\n", self->failure_[0] != '\0' ? self->failure_ : status_text(s));
  return s;
}

Status NetBoot::load_file(NetBoot* self, bool boot_policy, Uintn* size, void* buffer) {
  Status s = self->ensure_lease();
  if (is_error(s)) return s;
  const char* name = self->session_->lease().boot_file;
  if (name[0] == '\0') {
    self->fail("the DHCP answer names no boot file");
    return kNotFound;
  }
  uint64_t file_size = 0;
  if (buffer == nullptr || *size == 0) {
    bool asked = false;
    if (self->known_size_ == 0) {
      // The digest first: over HTTP its request replaces what is known of the file.
      s = self->plan_digest();
      if (!is_error(s)) s = self->query_size(&file_size);
      if (is_error(s)) return s;
      self->known_size_ = file_size;
      asked = true;
    }
    const ImageKind kind = self->boot_file_kind();
    const bool disk = is_disk_image(kind);
    // Without a RAM disk driver the image has nowhere to go: fail the option now,
    // before BDS sets aside memory for it and before the image crosses the wire.
    if (disk && locate_ram_disk() == nullptr) {
      self->fail("'%s' is a disk image (%s), but this firmware has no EFI_RAM_DISK_PROTOCOL; "
                 "cannot boot it",
                 name, image_kind_text(kind));
      return kUnsupported;
    }
    if (asked && disk)
      log("mpxe: '%s' is a %s image%s: it will boot from a RAM disk\n", name,
          image_kind_text(kind), image_kind(name) == kind ? "" : " (its Content-Type says)");
    // BDS booting an EFI image: start it from here. An image that calls LoadFile
    // again while it runs gets the file the ordinary way.
    if (boot_policy && !disk && !self->image_running_ && self->boot_ != nullptr)
      return self->boot_from_load_file(self->known_size_);
    *size = self->known_size_;
    // EFI_WARN_FILE_SYSTEM tells BDS to allocate reserved pages for a file system
    // rather than a buffer for LoadImage.
    return disk ? kWarnFileSystem : kBufferTooSmall;
  }
  uint64_t got = 0;
  s = self->download(static_cast<uint8_t*>(buffer), *size, &got);
  if (s == kBufferTooSmall) {
    // The file grew between the size query and the download: ask again.
    self->known_size_ = 0;
    if (!is_error(self->query_size(&file_size))) *size = self->known_size_ = file_size;
    return kBufferTooSmall;
  }
  self->forget_boot_file();  // a later boot attempt asks the server again
  if (is_error(s)) return s;
  *size = got;
  const ImageKind kind = self->boot_file_kind();
  const bool disk = is_disk_image(kind);
  // Only an image that passed the hash check becomes a disk; on an error BDS frees
  // its pages, and nothing was registered over them.
  if (disk) {
    s = self->register_ram_disk(static_cast<uint8_t*>(buffer), got, kind);
    if (is_error(s)) return s;
  }
  if (self->handoff_ != nullptr) self->handoff_(self->handoff_context_);
  return disk ? kWarnFileSystem : kSuccess;
}

}  // namespace mpxe::driver
