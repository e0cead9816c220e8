#include "mpsh/lease.h"

#include "core/format.h"
#include "net/wire/dhcp.h"
#include "net/wire/dhcp_options.h"
#include "net/wire/dhcpv6.h"
#include "net/wire/tftp_url.h"

namespace mpsh {
namespace {

using mpxe::Bytes;
using mpxe::net::DhcpOption;
using mpxe::net::DhcpPacket;
using mpxe::net::Ipv4Address;
using mpxe::net::Result;

using Packet = Result<DhcpPacket>;

bool find_siaddr(const Packet& packet, Ipv4Address& out) {
  if (!packet || packet.value().siaddr().is_unspecified()) return false;
  out = packet.value().siaddr();
  return true;
}

// Option 54 holds one address, option 3 a list whose first entry counts.
bool find_address(const Packet& packet, uint8_t code, Ipv4Address& out) {
  if (!packet) return false;
  Result<DhcpOption> option = mpxe::net::dhcp_find_option(packet.value(), code);
  if (!option) return false;
  Bytes value = option.value().value;
  if (value.empty() || value.size() % Ipv4Address::kSize != 0) return false;
  out = Ipv4Address::from_bytes(value.data());
  return true;
}

bool find_server(const Packet& packet, Ipv4Address& out) {
  return find_siaddr(packet, out) ||
         find_address(packet, mpxe::net::dhcp_option::kServerId, out);
}

bool find_boot_file(const Packet& packet, char* out, size_t capacity) {
  if (!packet) return false;
  Result<Bytes> name = mpxe::net::dhcp_boot_file(packet.value());
  if (!name) return false;
  mpxe::copy_printable(name.value(), out, capacity);
  return true;
}

}  // namespace

LeaseSummary summarize_lease(Bytes ack, Bytes proxy_offer, Bytes pxe_reply) {
  const Packet packets[] = {DhcpPacket::check(pxe_reply), DhcpPacket::check(ack),
                            DhcpPacket::check(proxy_offer)};
  const Packet& checked_ack = packets[1];
  const Packet& checked_proxy = packets[2];
  LeaseSummary s;
  for (const Packet& boot : packets) {
    if (find_boot_file(boot, s.boot_file, sizeof(s.boot_file))) {
      s.has_server = find_server(boot, s.server);
      break;
    }
  }
  for (const Packet& packet : packets) {
    if (s.has_server) break;
    s.has_server = find_server(packet, s.server);
  }
  s.has_router = find_address(checked_ack, mpxe::net::dhcp_option::kRouter, s.router) ||
                 find_address(checked_proxy, mpxe::net::dhcp_option::kRouter, s.router);
  return s;
}

// The message's length inside a zero-filled packet: up to the first option of
// code 0, or the end; 0 when an option runs past the bytes.
size_t dhcpv6_message_length(Bytes packet) {
  size_t at = mpxe::net::Dhcpv6Packet::kHeaderLen;
  if (packet.size() < at) return 0;
  while (at + 4 <= packet.size()) {
    uint16_t code = mpxe::load_be16(packet.data() + at);
    uint16_t length = mpxe::load_be16(packet.data() + at + 2);
    if (code == 0) break;
    if (packet.size() - at - 4 < length) return 0;
    at += 4 + size_t{length};
  }
  return at;
}

Lease6Summary summarize_lease6(Bytes reply) {
  Lease6Summary s;
  size_t length = dhcpv6_message_length(reply);
  Result<mpxe::net::Dhcpv6Packet> packet = mpxe::net::Dhcpv6Packet::check(reply.subspan(0, length));
  if (length == 0 || !packet) return s;
  Result<mpxe::net::Dhcpv6Params> params = mpxe::net::Dhcpv6Params::parse(packet.value());
  if (!params || params.value().bootfile_url.empty()) return s;
  Bytes url = params.value().bootfile_url;
  s.has_url = true;
  mpxe::copy_printable(url, s.url, sizeof(s.url));
  Result<mpxe::net::TftpUrl> tftp = mpxe::net::parse_tftp_url(url);
  if (!tftp || !tftp.value().server.is_v6()) return s;
  s.has_server = true;
  s.server = tftp.value().server.v6();
  mpxe::copy_printable(Bytes(reinterpret_cast<const uint8_t*>(tftp.value().file),
                             tftp.value().file_size),
                       s.boot_file, sizeof(s.boot_file));
  return s;
}

}  // namespace mpsh
