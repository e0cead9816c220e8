#include "mpsh/pxe_client.h"

#include "mpsh/tsize_probe.h"
#include "uefi/protocols/loaded_image.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"

extern "C" void* memset(void* dest, int value, size_t n);

namespace mpsh {
namespace {

using mpxe::net::TftpErrorCode;

// EFI_PXE_BASE_CODE_UDP_OPFLAGS_* (UEFI 2.10, 24.3, UdpWrite/UdpRead).
constexpr uint16_t kUdpAnySrcPort = 0x0002;
constexpr uint16_t kUdpAnyDestIp = 0x0004;

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kFirstGuess = 4ull << 20;     // buffer for a file of unknown size
constexpr uint64_t kLargestFile = 3ull << 30;    // give up growing past this
constexpr int kReadAttempts = 12;
constexpr int kProbeAttempts = 3;
constexpr uint64_t kProbeWait100ns = 20'000'000;  // 2 s per attempt

uefi::Uintn pages_for(uint64_t bytes) {
  // At least one page: a zero-byte file still gets a buffer to point at.
  return bytes == 0 ? 1 : static_cast<uefi::Uintn>((bytes + kPageSize - 1) / kPageSize);
}

uint8_t* allocate_pages(uefi::Uintn pages, Download* previous) {
  uefi::PhysicalAddress address = 0;
  uefi::Status s = uefi::bs()->AllocatePages(uefi::AllocateType::AnyPages,
                                             uefi::MemoryType::LoaderData, pages, &address);
  if (uefi::is_error(s) && previous != nullptr && previous->data != nullptr) {
    // Room for the new file matters more than keeping the old one.
    release_download(*previous);
    s = uefi::bs()->AllocatePages(uefi::AllocateType::AnyPages, uefi::MemoryType::LoaderData,
                                  pages, &address);
  }
  return uefi::is_error(s) ? nullptr : reinterpret_cast<uint8_t*>(address);
}

void free_pages(uint8_t* data, uefi::Uintn pages) {
  if (data != nullptr) uefi::bs()->FreePages(reinterpret_cast<uefi::PhysicalAddress>(data), pages);
}

uefi::Status mtftp_read(uefi::PxeBaseCodeProtocol* pxe, uefi::IpAddress* server,
                        const char* file, uint8_t* buffer, uint64_t* size) {
  return pxe->Mtftp(pxe, uefi::PxeTftpOpcode::TftpReadFile, buffer, false, size, nullptr, server,
                    reinterpret_cast<const uint8_t*>(file), nullptr, false);
}

// One past the last byte that differs from `fill`.
uint64_t extent(const uint8_t* data, uint64_t size, uint8_t fill) {
  while (size > 0 && data[size - 1] == fill) --size;
  return size;
}

class Deadline {
 public:
  explicit Deadline(uint64_t wait_100ns) {
    if (uefi::is_error(uefi::bs()->CreateEvent(uefi::kEvtTimer, 0, nullptr, nullptr, &event_)))
      event_ = nullptr;
    else if (uefi::is_error(uefi::bs()->SetTimer(event_, uefi::TimerDelay::Relative, wait_100ns)))
      close();
  }
  ~Deadline() { close(); }
  // Without a timer the caller's own bound (polls counted) is what ends the wait.
  bool passed() const { return event_ != nullptr && uefi::bs()->CheckEvent(event_) == uefi::kSuccess; }

 private:
  void close() {
    if (event_ != nullptr) uefi::bs()->CloseEvent(event_);
    event_ = nullptr;
  }
  uefi::Event event_ = nullptr;
};

// Ends the transfer the probe's request opened (tsize_abort).
void send_abort(uefi::PxeBaseCodeProtocol* pxe, uefi::IpAddress server, uint16_t server_port,
                uint16_t our_port, TftpErrorCode code) {
  uint8_t packet[64];
  mpxe::net::Result<size_t> built = tsize_abort(mpxe::MutableBytes(packet), code);
  if (!built) return;
  uefi::Uintn length = built.value();
  uefi::PxeUdpPort dest_port = server_port;
  uefi::PxeUdpPort src_port = our_port;
  pxe->UdpWrite(pxe, 0, &server, &dest_port, nullptr, nullptr, &src_port, nullptr, nullptr,
                &length, packet);
}

}  // namespace

namespace {

// `protocol` on `handle`, when that handle also has a PXE Base Code.
uefi::Status on_network_handle(uefi::Handle handle, const uefi::Guid& protocol, void** out) {
  void* pxe = nullptr;
  uefi::Status s = uefi::bs()->HandleProtocol(handle, &uefi::kPxeBaseCodeProtocolGuid, &pxe);
  if (uefi::is_error(s)) return s;
  s = uefi::bs()->HandleProtocol(handle, &protocol, out);
  if (!uefi::is_error(s) && *out == nullptr) s = uefi::kNotFound;
  return s;
}

}  // namespace

uefi::Status network_protocol_find(uefi::Handle image, const uefi::Guid& protocol, void** out,
                                   bool* on_boot_device) {
  *out = nullptr;
  uefi::LoadedImageProtocol* loaded = nullptr;
  uefi::Status s = uefi::bs()->HandleProtocol(image, &uefi::kLoadedImageProtocolGuid,
                                              reinterpret_cast<void**>(&loaded));
  if (!uefi::is_error(s) && loaded != nullptr && loaded->DeviceHandle != nullptr &&
      !uefi::is_error(on_network_handle(loaded->DeviceHandle, protocol, out))) {
    if (on_boot_device != nullptr) *on_boot_device = true;
    return uefi::kSuccess;
  }
  uefi::Uintn count = 0;
  uefi::Handle* handles = nullptr;
  s = uefi::bs()->LocateHandleBuffer(uefi::LocateSearchType::ByProtocol,
                                     &uefi::kPxeBaseCodeProtocolGuid, nullptr, &count, &handles);
  if (uefi::is_error(s)) return s;
  s = uefi::kNotFound;
  for (uefi::Uintn i = 0; i < count && uefi::is_error(s); ++i)
    s = on_network_handle(handles[i], protocol, out);
  uefi::bs()->FreePool(handles);
  if (!uefi::is_error(s) && on_boot_device != nullptr) *on_boot_device = false;
  return s;
}

uefi::Status pxe_find(uefi::Handle image, uefi::PxeBaseCodeProtocol** pxe) {
  return network_protocol_find(image, uefi::kPxeBaseCodeProtocolGuid,
                               reinterpret_cast<void**>(pxe), nullptr);
}

Lease6Summary pxe_lease6(const uefi::PxeBaseCodeProtocol* pxe) {
  return summarize_lease6(mpxe::Bytes(pxe->Mode->DhcpAck.Raw, sizeof(pxe->Mode->DhcpAck.Raw)));
}

LeaseSummary pxe_lease(const uefi::PxeBaseCodeProtocol* pxe) {
  const uefi::PxeMode* m = pxe->Mode;
  auto packet = [](bool valid, const uefi::PxePacket& p) {
    return valid ? mpxe::Bytes(p.Raw, sizeof(p.Raw)) : mpxe::Bytes();
  };
  return summarize_lease(packet(m->DhcpAckReceived, m->DhcpAck),
                         packet(m->ProxyOfferReceived, m->ProxyOffer),
                         packet(m->PxeReplyReceived, m->PxeReply));
}

void pxe_print_error(const uefi::PxeBaseCodeProtocol* pxe, const char* prefix, uefi::Status s) {
  const uefi::PxeMode* m = pxe != nullptr ? pxe->Mode : nullptr;
  if (s == uefi::kTftpError && m != nullptr && m->TftpErrorReceived) {
    char text[sizeof(m->TftpError.ErrorString) + 1];
    size_t n = 0;
    for (; n < sizeof(m->TftpError.ErrorString) && m->TftpError.ErrorString[n] != 0; ++n)
      text[n] = m->TftpError.ErrorString[n];
    text[n] = '\0';
    uefi::print("%s: %s (server error %u: %s)\n", prefix, uefi::status_text(s),
                m->TftpError.ErrorCode, text);
  } else {
    uefi::print("%s: %s\n", prefix, uefi::status_text(s));
  }
}

uefi::Status pxe_file_size(uefi::PxeBaseCodeProtocol* pxe, const uefi::IpAddress& server,
                           const char* file, uint64_t* size) {
  uefi::IpAddress ip = server;
  *size = 0;
  return pxe->Mtftp(pxe, uefi::PxeTftpOpcode::TftpGetFileSize, nullptr, false, size, nullptr,
                    &ip, reinterpret_cast<const uint8_t*>(file), nullptr, false);
}

uefi::Status pxe_probe_size(uefi::PxeBaseCodeProtocol* pxe, const uefi::IpAddress& server,
                            const char* file, uint64_t* size) {
  uint8_t request[600];
  mpxe::net::Result<size_t> built = tsize_request(mpxe::MutableBytes(request), file);
  if (!built) return uefi::kInvalidParameter;
  const uefi::Uintn request_length = built.value();
  const uefi::IpAddress server_ip = server;
  uefi::Status last = uefi::kTimeout;
  for (int attempt = 0; attempt < kProbeAttempts; ++attempt) {
    uefi::IpAddress dest = server_ip;
    uefi::PxeUdpPort dest_port = mpxe::net::kTftpServerPort;
    uefi::PxeUdpPort our_port = 0;
    uefi::Uintn length = request_length;
    uefi::Status s = pxe->UdpWrite(pxe, kUdpAnySrcPort, &dest, &dest_port, nullptr, nullptr,
                                   &our_port, nullptr, nullptr, &length, request);
    if (uefi::is_error(s)) return s;
    Deadline deadline(kProbeWait100ns);
    // Bounded even without a timer: UdpRead returns at least every few seconds.
    for (int polls = 0; polls < 1'000'000 && !deadline.passed(); ++polls) {
      uefi::IpAddress from = server_ip;
      uefi::IpAddress to{};
      uefi::PxeUdpPort from_port = 0;
      uefi::PxeUdpPort to_port = our_port;
      uint8_t reply[1500];
      uefi::Uintn reply_length = sizeof(reply);
      s = pxe->UdpRead(pxe, kUdpAnySrcPort | kUdpAnyDestIp, &to, &to_port, &from, &from_port,
                       nullptr, nullptr, &reply_length, reply);
      if (uefi::is_error(s)) {
        if (s != uefi::kTimeout) last = s;
        continue;
      }
      TsizeReply r = read_tsize_reply(mpxe::Bytes(reply, reply_length));
      switch (r.kind) {
        case TsizeReply::Kind::Oack:
          send_abort(pxe, server_ip, from_port, our_port, TftpErrorCode::OptionRefused);
          if (!r.has_tsize) return uefi::kUnsupported;
          *size = r.tsize;
          return uefi::kSuccess;
        case TsizeReply::Kind::Data:
          // An RFC 1350 server ignores options and starts sending: stop it.
          send_abort(pxe, server_ip, from_port, our_port, TftpErrorCode::NotDefined);
          return uefi::kUnsupported;
        case TsizeReply::Kind::Error:
          uefi::print("tftp: server error %u: %s\n", r.error_code, r.error_text);
          return uefi::kTftpError;
        case TsizeReply::Kind::Ignore:
          break;  // not for us: keep listening
      }
    }
  }
  return last;
}

uefi::Status pxe_read_file(uefi::PxeBaseCodeProtocol* pxe, const uefi::IpAddress& server,
                           const char* file, uint64_t size_hint, Download* out,
                           Download* previous) {
  uefi::IpAddress ip = server;
  bool size_known = size_hint != kUnknownSize;
  uint64_t capacity = size_known ? size_hint : kFirstGuess;
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    uefi::Uintn pages = pages_for(capacity);
    uint8_t* data = allocate_pages(pages, previous);
    if (data == nullptr) {
      uefi::print("tftp: no memory for %llu bytes\n", capacity);
      return uefi::kOutOfResources;
    }
    // Zero fill: with a size unknown, the end of the file is found from it below.
    if (!size_known) memset(data, 0, pages * kPageSize);
    uint64_t length = capacity;
    uefi::Status s = mtftp_read(pxe, &ip, file, data, &length);
    if (s == uefi::kBufferTooSmall) {
      free_pages(data, pages);
      // EDK II reports the file's size here; iPXE leaves the length alone.
      if (length > capacity) {
        capacity = length;
        size_known = true;
      } else {
        capacity *= 2;
      }
      if (capacity > kLargestFile) return uefi::kBufferTooSmall;
      continue;
    }
    if (uefi::is_error(s)) {
      free_pages(data, pages);
      return s;
    }
    uint64_t size = length <= capacity ? length : capacity;
    if (!size_known && length >= capacity) {
      // The implementation did not say how much it wrote (iPXE leaves the length
      // as given). The zero-filled pass bounds the file from below; a second pass
      // over 0xff fill settles a file that ends in zero bytes.
      uint64_t from_zero = extent(data, capacity, 0x00);
      memset(data, 0xff, pages * kPageSize);
      length = capacity;
      s = mtftp_read(pxe, &ip, file, data, &length);
      if (uefi::is_error(s)) {
        free_pages(data, pages);
        return s;
      }
      uint64_t from_ones = extent(data, capacity, 0xff);
      size = from_zero > from_ones ? from_zero : from_ones;
    }
    out->data = data;
    out->size = size;
    out->pages = pages;
    return uefi::kSuccess;
  }
  return uefi::kBufferTooSmall;
}

}  // namespace mpsh
