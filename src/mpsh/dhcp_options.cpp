#include "mpsh/dhcp_options.h"

namespace mpsh {

DhcpOption dhcp_find_in_area(mpxe::Bytes area, uint8_t code) {
  size_t i = 0;
  while (i < area.size()) {
    uint8_t tag = area[i];
    if (tag == kDhcpOptEnd) break;
    if (tag == kDhcpOptPad) {
      ++i;
      continue;
    }
    if (i + 2 > area.size()) break;
    size_t length = area[i + 1];
    if (i + 2 + length > area.size()) break;  // truncated: trust nothing after it
    if (tag == code) return DhcpOption{true, area.subspan(i + 2, length)};
    i += 2 + length;
  }
  return DhcpOption{};
}

bool dhcp_packet_has_options(mpxe::Bytes packet) {
  return packet.size() >= kDhcpOptionsOffset &&
         mpxe::load_be32(packet.data() + kDhcpCookieOffset) == kDhcpMagicCookie;
}

namespace {

uint8_t overload_flags(mpxe::Bytes packet) {
  DhcpOption o = dhcp_find_in_area(packet.subspan(kDhcpOptionsOffset), kDhcpOptOverload);
  return (o.found && o.value.size() == 1) ? o.value[0] : 0;
}

void copy_text(char* out, size_t capacity, mpxe::Bytes text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size() && n + 1 < capacity; ++i) {
    uint8_t c = text[i];
    if (c == 0) break;
    out[n++] = (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  out[n] = '\0';
}

bool find_ipv4(mpxe::Bytes packet, uint8_t code, uint8_t out[4]) {
  DhcpOption o = dhcp_find_option(packet, code);
  if (!o.found || o.value.size() < 4) return false;
  for (int i = 0; i < 4; ++i) out[i] = o.value[i];
  return true;
}

bool siaddr(mpxe::Bytes packet, uint8_t out[4]) {
  if (packet.size() < kBootpSiaddrOffset + 4) return false;
  bool any = false;
  for (int i = 0; i < 4; ++i) {
    out[i] = packet[kBootpSiaddrOffset + i];
    any = any || out[i] != 0;
  }
  return any;
}

bool boot_file(mpxe::Bytes packet, char* out, size_t capacity) {
  if (packet.size() < kBootpFileOffset + kBootpFileSize) return false;
  bool file_is_options = dhcp_packet_has_options(packet) &&
                         (overload_flags(packet) & kOverloadFile) != 0;
  if (!file_is_options) {
    copy_text(out, capacity, packet.subspan(kBootpFileOffset, kBootpFileSize));
    if (out[0] != '\0') return true;
  }
  DhcpOption o = dhcp_find_option(packet, kDhcpOptBootFile);
  if (!o.found) return false;
  copy_text(out, capacity, o.value);
  return out[0] != '\0';
}

}  // namespace

DhcpOption dhcp_find_option(mpxe::Bytes packet, uint8_t code) {
  if (!dhcp_packet_has_options(packet)) return DhcpOption{};
  DhcpOption o = dhcp_find_in_area(packet.subspan(kDhcpOptionsOffset), code);
  if (o.found || code == kDhcpOptOverload) return o;
  uint8_t overload = overload_flags(packet);
  if (overload & kOverloadFile) {
    o = dhcp_find_in_area(packet.subspan(kBootpFileOffset, kBootpFileSize), code);
    if (o.found) return o;
  }
  if (overload & kOverloadSname) {
    o = dhcp_find_in_area(packet.subspan(kBootpSnameOffset, kBootpSnameSize), code);
    if (o.found) return o;
  }
  return DhcpOption{};
}

LeaseSummary summarize_lease(mpxe::Bytes ack, mpxe::Bytes proxy_offer, mpxe::Bytes pxe_reply) {
  LeaseSummary s;
  s.has_server = siaddr(ack, s.server) || siaddr(proxy_offer, s.server) ||
                 find_ipv4(ack, kDhcpOptServerId, s.server) ||
                 find_ipv4(proxy_offer, kDhcpOptServerId, s.server);
  if (!s.has_server)
    for (auto& b : s.server) b = 0;
  s.has_router = find_ipv4(ack, kDhcpOptRouter, s.router) ||
                 find_ipv4(proxy_offer, kDhcpOptRouter, s.router);
  if (!s.has_router)
    for (auto& b : s.router) b = 0;
  if (!boot_file(ack, s.boot_file, sizeof(s.boot_file)) &&
      !boot_file(proxy_offer, s.boot_file, sizeof(s.boot_file)) &&
      !boot_file(pxe_reply, s.boot_file, sizeof(s.boot_file)))
    s.boot_file[0] = '\0';
  return s;
}

}  // namespace mpsh
