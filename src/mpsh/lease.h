// The summary of a PXE lease that the shell's `net` and `tftp` commands need,
// read with the wire layer (net/wire/dhcp_options.h) from the DHCP packets a PXE
// Base Code keeps in its Mode (the bytes of EFI_PXE_BASE_CODE_PACKET). What is
// mpsh's own here is which packet each answer comes from. Portable (no UEFI).
#pragma once

#include "core/bytes.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/ipv6_address.h"

namespace mpsh {

struct LeaseSummary {
  bool has_server = false;
  mpxe::net::Ipv4Address server;  // 0.0.0.0 when there is none
  bool has_router = false;
  mpxe::net::Ipv4Address router;
  // Printable ASCII, other bytes shown as '?'; empty when the lease names none.
  char boot_file[256] = {};
};

// The boot packet is the first of pxe_reply, ack, proxy_offer that names a boot
// file (dhcp_boot_file: option 67, else the file field unless it holds options),
// and boot_file is its file. server: the boot packet's siaddr, else its option 54;
// failing both (or with no boot packet), the same from pxe_reply, then the ack,
// then proxy_offer. The file and its server come from one packet because on a
// ProxyDHCP network the plain DHCP server often puts its own address in the
// ack's siaddr (dnsmasq does) and serves no files. The order agrees with what the
// firmware booted: EDK II keeps a port-4011 reply only when it took the proxy
// path; iPXE fakes its ack from merged settings (the boot server's file with the
// DHCP server's siaddr) but its PxeReply from the ProxyDHCP and boot server
// alone; the mpxe stack (DhcpClient) boots the ack's file when it names one.
// router: the first of option 3 of the ack, else of the proxy offer.
// A packet that fails DhcpPacket::check names nothing; pass an empty span for
// one that was not received.
LeaseSummary summarize_lease(mpxe::Bytes ack, mpxe::Bytes proxy_offer,
                             mpxe::Bytes pxe_reply = mpxe::Bytes());

// What a DHCPv6 Reply names for a boot (a PXE Base Code running IPv6 keeps it in
// Mode.DhcpAck): its boot file URL (option 59), and when that is a tftp:// URL
// with an IPv6 literal, the server and the file. The Mode's packet is zero-filled
// past the message, so the message ends at the first option of code 0 (which
// RFC 8415 21 leaves unassigned). A message that fails the checks names nothing.
struct Lease6Summary {
  bool has_url = false;
  char url[256] = {};  // printable ASCII, other bytes as '?'
  bool has_server = false;
  mpxe::net::Ipv6Address server;
  char boot_file[256] = {};
};
Lease6Summary summarize_lease6(mpxe::Bytes reply);

}  // namespace mpsh
