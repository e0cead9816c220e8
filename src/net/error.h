// Errors that say where they came from, in one small integer (after iPXE's errno.h,
// which packs a category and a reason): the high byte names the layer that
// rejected the bytes, the low byte the reason. No strings travel with an error;
// the console turns one into text with error_layer_text() and error_text().
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mpxe::net {

// Who said no. Values are stable: they appear in logs.
enum class Layer : uint8_t {
  None = 0,
  Buffer = 1,    // no longer raised; the value stays reserved
  Address = 2,   // text forms of addresses
  Ethernet = 3,
  Arp = 4,
  Ipv4 = 5,
  Icmp = 6,
  Udp = 7,
  Dhcp = 8,
  Tftp = 9,
  Dns = 10,
  Iface = 11,    // the interface: routing, port bindings, the device's transmit ring
  Tcp = 12,
  Http = 13,
  Digest = 14,   // a published digest file (FILE.sha256)
  Tls = 15,      // TLS over a stream: the handshake, the peer's certificate, records
  Ipv6 = 16,     // the IPv6 header and its extension-header chain
  Icmpv6 = 17,
  Ndp = 18,      // neighbour discovery messages and their options (RFC 4861)
};

// Why. Values are stable: they appear in logs.
enum class Errc : uint8_t {
  None = 0,
  Truncated = 1,        // the bytes end before a field, or before what a length field promises
  BadLength = 2,        // a length field that cannot be (shorter than its own header, ...)
  BadChecksum = 3,
  BadVersion = 4,
  BadMagic = 5,         // a fixed marker (the DHCP magic cookie) is wrong
  BadOpcode = 6,        // an operation/type code this format does not define
  BadOption = 7,        // an option whose size or value breaks its definition
  BadName = 8,          // a name or label with bad syntax
  BadPointer = 9,       // a DNS compression pointer that does not point backwards in bounds
  TooManyPointers = 10, // more compression jumps than any legal name needs
  NameTooLong = 11,     // a DNS name over 255 octets
  Unterminated = 12,    // a string field without its NUL
  Unsupported = 13,     // well formed, but not what this stack handles (hardware type, ...)
  NoSpace = 14,         // the output buffer is too small
  NotFound = 15,        // a looked-up option or record is absent
  BadAddress = 16,      // an address in text form does not parse
  BadValue = 17,        // a header field holds a value its definition forbids
  WouldBlock = 18,      // not now: an ARP answer or a free transmit slot is awaited; retry
  Unreachable = 19,     // no route to the destination, or its next hop never answered ARP
  TooBig = 20,          // over the link MTU, or over the reassembly buffer
  Overlap = 21,         // an IPv4 fragment overlaps data already received with other bytes
  Exhausted = 22,       // a fixed table is full (reassembly slots, port bindings)
  InUse = 23,           // a UDP port already bound
  Refused = 24,         // the peer refused: a TCP RST in answer to our SYN
  Reset = 25,           // the peer reset an established connection
  TimedOut = 26,        // no answer after every retransmission, or no progress for too long
  Closed = 27,          // the peer closed before all that was promised arrived
  Rejected = 28,        // a well-formed answer that says no (an HTTP status outside 2xx)
};

class Error {
 public:
  constexpr Error() = default;
  constexpr Error(Layer layer, Errc reason)
      : code_(static_cast<uint16_t>((static_cast<unsigned>(layer) << 8) |
                                    static_cast<unsigned>(reason))) {}

  constexpr Layer layer() const { return static_cast<Layer>(code_ >> 8); }
  constexpr Errc reason() const { return static_cast<Errc>(code_ & 0xFF); }
  // The packed form, for logs: 0x0503 is "ipv4: bad checksum".
  constexpr uint16_t code() const { return code_; }
  constexpr bool is_error() const { return code_ != 0; }

  constexpr bool operator==(const Error&) const = default;

 private:
  uint16_t code_ = 0;
};
static_assert(sizeof(Error) == 2);

// "truncated", "bad checksum", ...: the reason alone.
const char* error_text(Error error);
// "ipv4", "dhcp", ...: the layer alone.
const char* error_layer_text(Error error);
// "ipv4: bad checksum" into out (always NUL-terminated when capacity > 0); returns
// the length the full text has.
size_t error_format(Error error, char* out, size_t capacity);

}  // namespace mpxe::net
