// Network commands over the PXE Base Code the shell was booted through:
// net, tftp get/size/tsize, sha256.
#include "core/sha256.h"
#include "net/wire/ipv6_address.h"
#include "mpsh/pxe_client.h"
#include "mpsh/shell.h"
#include "mpsh/text.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"

namespace mpsh {
namespace {

using mpxe::net::Ipv4Address;

// An address as the shell prints it, "10.0.2.15".
struct Ipv4Text {
  explicit Ipv4Text(Ipv4Address address) { address.format(text, sizeof(text)); }
  char text[16];  // "255.255.255.255" and the NUL
};

// Finds the PXE Base Code and checks it holds a lease; prints why not.
uefi::Status open_pxe(Shell& shell, const char* who, uefi::PxeBaseCodeProtocol** pxe) {
  uefi::Status s = pxe_find(shell.image, pxe);
  if (uefi::is_error(s)) {
    uefi::print("%s: no PXE Base Code protocol on the boot device (%s)\n", who,
                uefi::status_text(s));
    return s;
  }
  const uefi::PxeMode* m = (*pxe)->Mode;
  if (m == nullptr || !m->Started) {
    uefi::print("%s: PXE Base Code is not started (no lease)\n", who);
    return uefi::kNotStarted;
  }
  return uefi::kSuccess;
}

// open_pxe, and the TFTP server of the lease: over IPv6 the host of the Reply's
// tftp://[address]/ boot file URL.
uefi::Status open_tftp(Shell& shell, uefi::PxeBaseCodeProtocol** pxe, uefi::IpAddress* server) {
  uefi::Status s = open_pxe(shell, "tftp", pxe);
  if (uefi::is_error(s)) return s;
  *server = uefi::IpAddress{};
  if ((*pxe)->Mode->UsingIpv6) {
    Lease6Summary lease = pxe_lease6(*pxe);
    if (!lease.has_server) {
      uefi::print("tftp: the DHCPv6 Reply names no tftp://[address]/ boot file URL\n");
      return uefi::kNotFound;
    }
    lease.server.write(server->v6.Addr);
    return uefi::kSuccess;
  }
  LeaseSummary lease = pxe_lease(*pxe);
  if (!lease.has_server) {
    uefi::print("tftp: the lease names no server\n");
    return uefi::kNotFound;
  }
  lease.server.write(server->v4.Addr);
  return uefi::kSuccess;
}

// `tftp size` asks the PXE Base Code (TFTP_GET_FILE_SIZE); `tftp tsize` asks the
// server itself (pxe_probe_size).
uefi::Status tftp_size(Shell& shell, const char* file, bool ask_server) {
  uefi::PxeBaseCodeProtocol* pxe = nullptr;
  uefi::IpAddress server;
  uefi::Status s = open_tftp(shell, &pxe, &server);
  if (uefi::is_error(s)) return s;
  uint64_t size = 0;
  s = ask_server ? pxe_probe_size(pxe, server, file, &size)
                 : pxe_file_size(pxe, server, file, &size);
  if (uefi::is_error(s)) {
    // The probe's own failures leave nothing in Mode's TftpError.
    if (ask_server)
      uefi::print("tftp: tsize request failed: %s\n", uefi::status_text(s));
    else
      pxe_print_error(pxe, "tftp: size query failed", s);
    return s;
  }
  uefi::print("tftp: %s %s %llu\n", file, ask_server ? "tsize" : "size", size);
  return uefi::kSuccess;
}

// A GET_FILE_SIZE failure that READ_FILE may still get past (iPXE answers
// Unsupported); a server's own refusal or silence is final.
bool worth_reading_anyway(uefi::Status s) {
  return s != uefi::kTftpError && s != uefi::kIcmpError && s != uefi::kTimeout &&
         s != uefi::kNoResponse && s != uefi::kAborted;
}

uefi::Status tftp_get(Shell& shell, const char* file) {
  uefi::PxeBaseCodeProtocol* pxe = nullptr;
  uefi::IpAddress server;
  uefi::Status s = open_tftp(shell, &pxe, &server);
  if (uefi::is_error(s)) return s;

  uint64_t size = kUnknownSize;
  s = pxe_file_size(pxe, server, file, &size);
  if (uefi::is_error(s)) {
    if (!worth_reading_anyway(s)) {
      pxe_print_error(pxe, "tftp: get failed", s);
      return s;
    }
    uefi::print("tftp: GET_FILE_SIZE: %s; asking the server for tsize\n", uefi::status_text(s));
    size = kUnknownSize;
    uefi::Status probe = pxe_probe_size(pxe, server, file, &size);
    if (probe == uefi::kTftpError) {  // the server refused the file
      uefi::print("tftp: get failed: %s\n", uefi::status_text(probe));
      return probe;
    }
    if (uefi::is_error(probe)) {
      uefi::print("tftp: tsize request failed: %s; reading with a growing buffer\n",
                  uefi::status_text(probe));
      size = kUnknownSize;
    }
  }

  Download download;
  s = pxe_read_file(pxe, server, file, size, &download, &shell.last);
  if (uefi::is_error(s)) {
    pxe_print_error(pxe, "tftp: get failed", s);
    return s;
  }
  mpxe::Sha256 hash;
  hash.update(download.data, download.size);
  hash.finish_hex(download.sha256);
  release_download(shell.last);
  shell.last = download;
  uefi::print("tftp: %s %llu bytes\n", file, download.size);
  uefi::print("sha256=%s\n", download.sha256);
  return uefi::kSuccess;
}

}  // namespace

// A boot over IPv6 (a PXE Base Code with UsingIpv6): the station's address, the
// boot file URL and its server, and whether DHCPv6 answered (Mode.DhcpAck holds
// its Reply).
uefi::Status net_ipv6(const uefi::PxeBaseCodeProtocol* pxe) {
  const uefi::PxeMode* m = pxe->Mode;
  char ip[mpxe::net::Ipv6Address::kMaxTextLen + 1];
  mpxe::net::Ipv6Address::from_bytes(m->StationIp.v6.Addr).format(ip, sizeof(ip));
  uefi::print("net: ipv6 %s\n", ip);
  Lease6Summary lease = pxe_lease6(pxe);
  if (lease.has_url) uefi::print("net: boot file url %s\n", lease.url);
  if (lease.has_server) {
    lease.server.format(ip, sizeof(ip));
    uefi::print("net: server %s file %s\n", ip, lease.boot_file);
  }
  uefi::print(m->DhcpAckReceived ? "net: dhcpv6 reply received\n" : "net: no dhcpv6 reply received\n");
  return uefi::kSuccess;
}

uefi::Status cmd_net(Shell& shell, size_t, CommandArgs) {
  uefi::PxeBaseCodeProtocol* pxe = nullptr;
  if (!uefi::is_error(pxe_find(shell.image, &pxe)) && pxe->Mode != nullptr && pxe->Mode->Started &&
      pxe->Mode->UsingIpv6)
    return net_ipv6(pxe);
  uefi::Status s = open_pxe(shell, "net", &pxe);
  if (uefi::is_error(s)) return s;
  const uefi::PxeMode* m = pxe->Mode;
  Ipv4Text ip(Ipv4Address::from_bytes(m->StationIp.v4.Addr));
  Ipv4Text mask(Ipv4Address::from_bytes(m->SubnetMask.v4.Addr));
  uefi::print("net: ip %s mask %s\n", ip.text, mask.text);
  LeaseSummary lease = pxe_lease(pxe);
  uefi::print("net: server %s file %s\n", Ipv4Text(lease.server).text,
              lease.boot_file[0] != '\0' ? lease.boot_file : "(none)");
  if (lease.has_router) uefi::print("net: router %s\n", Ipv4Text(lease.router).text);
  if (m->DhcpAckReceived) uefi::print("net: dhcp ack received\n");
  if (m->ProxyOfferReceived) uefi::print("net: proxy offer received\n");
  if (m->PxeDiscoverValid) uefi::print("net: pxe discover sent\n");
  if (m->PxeReplyReceived) uefi::print("net: pxe reply received\n");
  if (!m->DhcpAckReceived && !m->ProxyOfferReceived) uefi::print("net: no dhcp ack received\n");
  return uefi::kSuccess;
}

uefi::Status cmd_tftp(Shell& shell, size_t argc, CommandArgs argv) {
  if (argc == 3 && text_equal(argv[1], "get")) return tftp_get(shell, argv[2]);
  if (argc == 3 && text_equal(argv[1], "size")) return tftp_size(shell, argv[2], false);
  if (argc == 3 && text_equal(argv[1], "tsize")) return tftp_size(shell, argv[2], true);
  uefi::print("tftp: usage: tftp get FILE | tftp size FILE | tftp tsize FILE\n");
  return uefi::kInvalidParameter;
}

uefi::Status cmd_sha256(Shell& shell, size_t, CommandArgs) {
  if (shell.last.data == nullptr) {
    uefi::print("sha256: nothing downloaded yet (use tftp get FILE)\n");
    return uefi::kNotFound;
  }
  // Hash the buffer again rather than repeat the digest taken at download time:
  // this also shows the kept bytes are still intact.
  mpxe::Sha256 hash;
  hash.update(shell.last.data, shell.last.size);
  char hex[mpxe::Sha256::kHexSize];
  hash.finish_hex(hex);
  uefi::print("sha256=%s\n", hex);
  return uefi::kSuccess;
}

}  // namespace mpsh
