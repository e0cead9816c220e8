// DHCP messages (RFC 2131) in their BOOTP frame: the fixed 236-byte header, the
// magic cookie, then options (dhcp_options.h). Only the wire: the client's state
// machine lives elsewhere.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/mac_address.h"

namespace mpxe::net {

inline constexpr uint16_t kDhcpServerPort = 67;
inline constexpr uint16_t kDhcpClientPort = 68;
// PXE 2.1: boot servers answer ProxyDHCP requests on port 4011.
inline constexpr uint16_t kPxeProxyPort = 4011;

enum class BootpOp : uint8_t {
  Request = 1,
  Reply = 2,
};

// Option 53 values (RFC 2132 9.6).
enum class DhcpMessageType : uint8_t {
  Discover = 1,
  Offer = 2,
  Request = 3,
  Decline = 4,
  Ack = 5,
  Nak = 6,
  Release = 7,
  Inform = 8,
};

class DhcpPacket {
 public:
  static constexpr size_t kOpOffset = 0;
  static constexpr size_t kHtypeOffset = 1;
  static constexpr size_t kHlenOffset = 2;
  static constexpr size_t kHopsOffset = 3;
  static constexpr size_t kXidOffset = 4;
  static constexpr size_t kSecsOffset = 8;
  static constexpr size_t kFlagsOffset = 10;
  static constexpr size_t kCiaddrOffset = 12;
  static constexpr size_t kYiaddrOffset = 16;
  static constexpr size_t kSiaddrOffset = 20;
  static constexpr size_t kGiaddrOffset = 24;
  static constexpr size_t kChaddrOffset = 28;
  static constexpr size_t kChaddrLen = 16;
  static constexpr size_t kSnameOffset = 44;
  static constexpr size_t kSnameLen = 64;
  static constexpr size_t kFileOffset = 108;
  static constexpr size_t kFileLen = 128;
  static constexpr size_t kMagicOffset = 236;
  static constexpr size_t kOptionsOffset = 240;
  static_assert(kChaddrOffset + kChaddrLen == kSnameOffset);
  static_assert(kSnameOffset + kSnameLen == kFileOffset);
  static_assert(kFileOffset + kFileLen == kMagicOffset);
  static_assert(kMagicOffset + 4 == kOptionsOffset);

  // "The first four octets of the 'options' field of the DHCP message contain the
  // (decimal) values 99, 130, 83 and 99, respectively" (RFC 2131 3.)
  static constexpr uint32_t kMagicCookie = 0x63825363;
  // "BROADCAST (B) flag": the leftmost bit of 'flags'.
  static constexpr uint16_t kFlagBroadcast = 0x8000;
  static constexpr uint8_t kHtypeEthernet = 1;

  // At least the header and cookie, the right cookie, and a hardware address
  // length that fits chaddr (BadLength otherwise: chaddr() would overrun).
  static Result<DhcpPacket> check(Bytes bytes);

  uint8_t op() const { return bytes_[kOpOffset]; }
  uint8_t htype() const { return bytes_[kHtypeOffset]; }
  uint8_t hlen() const { return bytes_[kHlenOffset]; }
  uint8_t hops() const { return bytes_[kHopsOffset]; }
  uint32_t xid() const { return load_be32(bytes_.data() + kXidOffset); }
  uint16_t secs() const { return load_be16(bytes_.data() + kSecsOffset); }
  uint16_t flags() const { return load_be16(bytes_.data() + kFlagsOffset); }
  bool broadcast() const { return (flags() & kFlagBroadcast) != 0; }
  Ipv4Address ciaddr() const { return address_at(kCiaddrOffset); }
  Ipv4Address yiaddr() const { return address_at(kYiaddrOffset); }
  Ipv4Address siaddr() const { return address_at(kSiaddrOffset); }
  Ipv4Address giaddr() const { return address_at(kGiaddrOffset); }
  // The hlen bytes of the client hardware address that count.
  Bytes chaddr() const { return bytes_.subspan(kChaddrOffset, hlen()); }
  // The client MAC when htype/hlen say Ethernet, else all zeros.
  MacAddress client_mac() const;
  // The raw fields: NUL-terminated strings, or more options under option overload
  // (use dhcp_server_name()/dhcp_boot_file() for the meaning).
  Bytes sname() const { return bytes_.subspan(kSnameOffset, kSnameLen); }
  Bytes file() const { return bytes_.subspan(kFileOffset, kFileLen); }
  Bytes options() const { return bytes_.subspan(kOptionsOffset); }
  Bytes bytes() const { return bytes_; }

 private:
  explicit constexpr DhcpPacket(Bytes bytes) : bytes_(bytes) {}
  Ipv4Address address_at(size_t offset) const {
    return Ipv4Address::from_bytes(bytes_.data() + offset);
  }
  Bytes bytes_;
};

// The whole message: header fields plus the options area as bytes, so that what
// was parsed emits back unchanged. Options are read with DhcpOptionIterator and
// written with DhcpOptionWriter.
struct DhcpRepr {
  BootpOp op = BootpOp::Request;
  uint8_t htype = DhcpPacket::kHtypeEthernet;
  uint8_t hlen = MacAddress::kSize;
  uint8_t hops = 0;
  uint32_t xid = 0;
  uint16_t secs = 0;
  uint16_t flags = 0;
  Ipv4Address ciaddr;
  Ipv4Address yiaddr;
  Ipv4Address siaddr;
  Ipv4Address giaddr;
  uint8_t chaddr[DhcpPacket::kChaddrLen] = {};
  Bytes sname;    // at most 64 bytes; emit() zero-fills the rest of the field
  Bytes file;     // at most 128 bytes; likewise
  Bytes options;  // everything after the magic cookie

  // Fails on an op other than request/reply (BadOpcode) and on malformed
  // options anywhere they are (the options field, and sname/file under overload).
  static Result<DhcpRepr> parse(const DhcpPacket& packet);
  size_t buffer_len() const { return DhcpPacket::kOptionsOffset + options.size(); }
  Result<void> emit(MutableBytes out) const;

  void set_client_mac(MacAddress mac);
  bool operator==(const DhcpRepr& other) const;
};

}  // namespace mpxe::net
