// Ethernet II frames (DIX): destination, source, EtherType, payload. The FCS is
// the NIC's business and never reaches this layer.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/mac_address.h"

namespace mpxe::net {

enum class EtherType : uint16_t {
  Ipv4 = 0x0800,
  Arp = 0x0806,
  Vlan = 0x8100,  // IEEE 802.1Q tag: not handled by this stack
  Ipv6 = 0x86DD,
};

// A checked view: once check() has passed, every accessor reads inside the bytes.
class EthernetFrame {
 public:
  static constexpr size_t kDstOffset = 0;
  static constexpr size_t kSrcOffset = 6;
  static constexpr size_t kEtherTypeOffset = 12;
  static constexpr size_t kHeaderLen = 14;
  // The shortest frame on the wire, FCS excluded: senders pad to it, so a payload
  // may carry trailing bytes its own length field does not count.
  static constexpr size_t kMinFrameLen = 60;
  static_assert(kEtherTypeOffset + 2 == kHeaderLen);

  static Result<EthernetFrame> check(Bytes bytes);

  MacAddress dst() const { return MacAddress::from_bytes(bytes_.data() + kDstOffset); }
  MacAddress src() const { return MacAddress::from_bytes(bytes_.data() + kSrcOffset); }
  uint16_t ethertype() const { return load_be16(bytes_.data() + kEtherTypeOffset); }
  Bytes payload() const { return bytes_.subspan(kHeaderLen); }
  Bytes bytes() const { return bytes_; }

 private:
  explicit constexpr EthernetFrame(Bytes bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

struct EthernetRepr {
  MacAddress src;
  MacAddress dst;
  EtherType ethertype = EtherType::Ipv4;

  // Fails for IEEE 802.3 frames, whose type field is a length (below 0x0600).
  static Result<EthernetRepr> parse(const EthernetFrame& frame);
  static constexpr size_t buffer_len() { return EthernetFrame::kHeaderLen; }
  // Writes the header into the first buffer_len() bytes of `out`.
  Result<void> emit(MutableBytes out) const;

  constexpr bool operator==(const EthernetRepr&) const = default;
};

}  // namespace mpxe::net
