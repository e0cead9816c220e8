#include "net/error.h"

#include "core/format.h"

namespace mpxe::net {

const char* error_text(Error error) {
  switch (error.reason()) {
    case Errc::None: return "no error";
    case Errc::Truncated: return "truncated";
    case Errc::BadLength: return "bad length";
    case Errc::BadChecksum: return "bad checksum";
    case Errc::BadVersion: return "bad version";
    case Errc::BadMagic: return "bad magic";
    case Errc::BadOpcode: return "bad opcode";
    case Errc::BadOption: return "bad option";
    case Errc::BadName: return "bad name";
    case Errc::BadPointer: return "bad compression pointer";
    case Errc::TooManyPointers: return "too many compression pointers";
    case Errc::NameTooLong: return "name too long";
    case Errc::Unterminated: return "unterminated string";
    case Errc::Unsupported: return "unsupported";
    case Errc::NoSpace: return "no space";
    case Errc::NotFound: return "not found";
    case Errc::BadAddress: return "bad address";
    case Errc::BadValue: return "bad value";
    case Errc::WouldBlock: return "would block";
    case Errc::Unreachable: return "unreachable";
    case Errc::TooBig: return "too big";
    case Errc::Overlap: return "overlapping fragment";
    case Errc::Exhausted: return "table full";
    case Errc::InUse: return "in use";
    case Errc::Refused: return "connection refused";
    case Errc::Reset: return "connection reset";
    case Errc::TimedOut: return "timed out";
    case Errc::Closed: return "closed early";
    case Errc::Rejected: return "rejected";
  }
  return "unknown error";
}

const char* error_layer_text(Error error) {
  switch (error.layer()) {
    case Layer::None: return "net";
    case Layer::Buffer: return "buffer";
    case Layer::Address: return "address";
    case Layer::Ethernet: return "ethernet";
    case Layer::Arp: return "arp";
    case Layer::Ipv4: return "ipv4";
    case Layer::Icmp: return "icmp";
    case Layer::Udp: return "udp";
    case Layer::Dhcp: return "dhcp";
    case Layer::Tftp: return "tftp";
    case Layer::Dns: return "dns";
    case Layer::Iface: return "iface";
    case Layer::Tcp: return "tcp";
    case Layer::Http: return "http";
    case Layer::Digest: return "digest";
    case Layer::Tls: return "tls";
    case Layer::Ipv6: return "ipv6";
    case Layer::Icmpv6: return "icmpv6";
    case Layer::Ndp: return "ndp";
  }
  return "unknown layer";
}

size_t error_format(Error error, char* out, size_t capacity) {
  return format(out, capacity, "%s: %s", error_layer_text(error), error_text(error));
}

}  // namespace mpxe::net
