// ARP (RFC 826) for IPv4 over Ethernet, the only pairing this stack resolves.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/mac_address.h"

namespace mpxe::net {

enum class ArpOperation : uint16_t {
  Request = 1,
  Reply = 2,
};

class ArpPacket {
 public:
  static constexpr size_t kHardwareTypeOffset = 0;
  static constexpr size_t kProtocolTypeOffset = 2;
  static constexpr size_t kHardwareLenOffset = 4;
  static constexpr size_t kProtocolLenOffset = 5;
  static constexpr size_t kOperationOffset = 6;
  static constexpr size_t kSenderMacOffset = 8;
  static constexpr size_t kSenderIpOffset = 14;
  static constexpr size_t kTargetMacOffset = 18;
  static constexpr size_t kTargetIpOffset = 24;
  static constexpr size_t kLen = 28;
  static_assert(kTargetIpOffset + Ipv4Address::kSize == kLen);

  static constexpr uint16_t kHardwareEthernet = 1;  // ar$hrd for Ethernet
  static constexpr uint16_t kProtocolIpv4 = 0x0800; // ar$pro: the EtherType of IPv4

  // The addresses sit at fixed offsets only for 6-byte hardware and 4-byte protocol
  // addresses, so anything but Ethernet/IPv4 is refused here (Unsupported).
  static Result<ArpPacket> check(Bytes bytes);

  uint16_t hardware_type() const { return load_be16(bytes_.data() + kHardwareTypeOffset); }
  uint16_t protocol_type() const { return load_be16(bytes_.data() + kProtocolTypeOffset); }
  uint16_t operation() const { return load_be16(bytes_.data() + kOperationOffset); }
  MacAddress sender_mac() const { return MacAddress::from_bytes(bytes_.data() + kSenderMacOffset); }
  Ipv4Address sender_ip() const { return Ipv4Address::from_bytes(bytes_.data() + kSenderIpOffset); }
  MacAddress target_mac() const { return MacAddress::from_bytes(bytes_.data() + kTargetMacOffset); }
  Ipv4Address target_ip() const { return Ipv4Address::from_bytes(bytes_.data() + kTargetIpOffset); }

 private:
  explicit constexpr ArpPacket(Bytes bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

struct ArpRepr {
  ArpOperation operation = ArpOperation::Request;
  MacAddress sender_mac;
  Ipv4Address sender_ip;
  MacAddress target_mac;  // ignored in a request; senders zero it
  Ipv4Address target_ip;

  // Fails for operations other than request and reply (RARP, InARP: BadOpcode).
  static Result<ArpRepr> parse(const ArpPacket& packet);
  static constexpr size_t buffer_len() { return ArpPacket::kLen; }
  Result<void> emit(MutableBytes out) const;

  constexpr bool operator==(const ArpRepr&) const = default;
};

}  // namespace mpxe::net
