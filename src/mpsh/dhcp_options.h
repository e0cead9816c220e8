// DHCP option lookup in a raw BOOTP/DHCP packet (RFC 2131 section 2, RFC 2132),
// and the summary of a PXE lease the shell's `net` and `tftp` commands need.
// Portable (no UEFI): the input is the bytes of EFI_PXE_BASE_CODE_PACKET.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

namespace mpsh {

// Fixed BOOTP header offsets (RFC 2131, figure 1).
constexpr size_t kBootpSiaddrOffset = 20;
constexpr size_t kBootpSnameOffset = 44;
constexpr size_t kBootpSnameSize = 64;
constexpr size_t kBootpFileOffset = 108;
constexpr size_t kBootpFileSize = 128;
constexpr size_t kDhcpCookieOffset = 236;
constexpr size_t kDhcpOptionsOffset = 240;
constexpr uint32_t kDhcpMagicCookie = 0x63825363;

constexpr uint8_t kDhcpOptPad = 0;
constexpr uint8_t kDhcpOptSubnetMask = 1;
constexpr uint8_t kDhcpOptRouter = 3;
constexpr uint8_t kDhcpOptOverload = 52;
constexpr uint8_t kDhcpOptServerId = 54;
constexpr uint8_t kDhcpOptBootFile = 67;
constexpr uint8_t kDhcpOptEnd = 255;

// RFC 2132 9.3: option 52 says the file and/or sname fields carry options.
constexpr uint8_t kOverloadFile = 1;
constexpr uint8_t kOverloadSname = 2;

struct DhcpOption {
  bool found = false;
  mpxe::Bytes value;
};

// First occurrence of `code` in an option area (code, length, value triplets; pad
// and end have no length). An option running past the area is treated as absent.
DhcpOption dhcp_find_in_area(mpxe::Bytes area, uint8_t code);

// True when the packet is long enough to hold the options field and carries the
// magic cookie.
bool dhcp_packet_has_options(mpxe::Bytes packet);

// Looks for `code` in the options field, then (when option 52 says so) in the
// file field and the sname field, in the order RFC 2131 4.1 gives.
DhcpOption dhcp_find_option(mpxe::Bytes packet, uint8_t code);

// What `net` prints and which server `tftp` talks to.
struct LeaseSummary {
  bool has_server = false;
  uint8_t server[4] = {};
  bool has_router = false;
  uint8_t router[4] = {};
  char boot_file[256] = {};  // empty when the lease names none
};

// Server: siaddr of the ack; else siaddr of the proxy offer (when there is one);
// else option 54 of the ack, then of the proxy offer.
// Boot file: the ack's file field (unless overloaded with options), else its
// option 67, else the same two from the proxy offer, then from `pxe_reply`.
// Router: option 3 of the ack, else of the proxy offer.
// Pass an empty span for a packet that was not received.
LeaseSummary summarize_lease(mpxe::Bytes ack, mpxe::Bytes proxy_offer,
                             mpxe::Bytes pxe_reply = mpxe::Bytes());

}  // namespace mpsh
