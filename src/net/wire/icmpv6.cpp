#include "net/wire/icmpv6.h"

#include "core/byte_ops.h"
#include "net/wire/checksum.h"

namespace mpxe::net {

const char* icmpv6_type_text(uint8_t type) {
  switch (static_cast<Icmpv6Type>(type)) {
    case Icmpv6Type::DstUnreachable: return "destination unreachable";
    case Icmpv6Type::PacketTooBig: return "packet too big";
    case Icmpv6Type::TimeExceeded: return "time exceeded";
    case Icmpv6Type::ParamProblem: return "parameter problem";
    case Icmpv6Type::EchoRequest: return "echo request";
    case Icmpv6Type::EchoReply: return "echo reply";
    case Icmpv6Type::MldQuery: return "multicast listener query";
    case Icmpv6Type::MldReport: return "multicast listener report";
    case Icmpv6Type::MldDone: return "multicast listener done";
    case Icmpv6Type::RouterSolicit: return "router solicitation";
    case Icmpv6Type::RouterAdvert: return "router advertisement";
    case Icmpv6Type::NeighborSolicit: return "neighbour solicitation";
    case Icmpv6Type::NeighborAdvert: return "neighbour advertisement";
    case Icmpv6Type::Redirect: return "redirect";
    case Icmpv6Type::Mldv2Report: return "multicast listener report v2";
  }
  return "unknown";
}

const char* icmpv6_code_text(uint8_t type, uint8_t code) {
  switch (static_cast<Icmpv6Type>(type)) {
    case Icmpv6Type::DstUnreachable:
      switch (static_cast<Icmpv6Unreachable>(code)) {
        case Icmpv6Unreachable::NoRoute: return "no route to destination";
        case Icmpv6Unreachable::AdminProhibited: return "administratively prohibited";
        case Icmpv6Unreachable::BeyondScope: return "beyond scope of source address";
        case Icmpv6Unreachable::Address: return "address unreachable";
        case Icmpv6Unreachable::Port: return "port unreachable";
        case Icmpv6Unreachable::SourcePolicy: return "source address failed policy";
        case Icmpv6Unreachable::RejectRoute: return "reject route to destination";
      }
      return "destination unreachable";
    case Icmpv6Type::TimeExceeded:
      return code == 0 ? "hop limit exceeded" : code == 1 ? "fragment reassembly time exceeded"
                                                          : "time exceeded";
    case Icmpv6Type::ParamProblem:
      switch (static_cast<Icmpv6ParamProblem>(code)) {
        case Icmpv6ParamProblem::BadHeaderField: return "erroneous header field";
        case Icmpv6ParamProblem::UnknownNextHeader: return "unrecognized next header";
        case Icmpv6ParamProblem::UnknownOption: return "unrecognized option";
      }
      return "parameter problem";
    default:
      return icmpv6_type_text(type);
  }
}

Result<Icmpv6Packet> Icmpv6Packet::check(Bytes bytes) {
  if (bytes.size() < kHeaderLen) return Error(Layer::Icmpv6, Errc::Truncated);
  return Icmpv6Packet(bytes);
}

uint16_t icmpv6_checksum(const Ipv6Address& src, const Ipv6Address& dst, Bytes message) {
  Checksum sum;
  sum.add_address(src);
  sum.add_address(dst);
  sum.add_u32(static_cast<uint32_t>(message.size()));
  sum.add_u16(ipv6_next::kIcmpv6);
  sum.add(message.first(Icmpv6Packet::kChecksumOffset));
  sum.add(message.subspan(Icmpv6Packet::kChecksumOffset + 2));
  return sum.finish();
}

bool Icmpv6Packet::verify_checksum(const Ipv6Address& src, const Ipv6Address& dst) const {
  return icmpv6_checksum(src, dst, bytes_) == checksum();
}

Result<Icmpv6Repr> Icmpv6Repr::parse(const Icmpv6Packet& packet, const Ipv6Address& src,
                                     const Ipv6Address& dst) {
  if (!packet.verify_checksum(src, dst)) return Error(Layer::Icmpv6, Errc::BadChecksum);
  Icmpv6Repr repr;
  repr.type = static_cast<Icmpv6Type>(packet.type());
  repr.code = packet.code();
  switch (repr.type) {
    case Icmpv6Type::EchoRequest:
    case Icmpv6Type::EchoReply:
      repr.ident = packet.ident();
      repr.seq_no = packet.seq_no();
      repr.data = packet.data();
      return repr;
    case Icmpv6Type::PacketTooBig:
    case Icmpv6Type::ParamProblem:
    case Icmpv6Type::DstUnreachable:
    case Icmpv6Type::TimeExceeded: {
      repr.param = packet.param();
      Result<Ipv6Packet> quoted = Ipv6Packet::check_quoted(packet.data());
      if (!quoted) return Error(Layer::Icmpv6, quoted.error().reason());
      repr.quoted_header = Ipv6Repr::parse(quoted.value());
      repr.data = packet.data();
      return repr;
    }
    default:
      break;
  }
  return Error(Layer::Icmpv6, Errc::Unsupported);
}

Result<void> Icmpv6Repr::emit(MutableBytes out, const Ipv6Address& src,
                              const Ipv6Address& dst) const {
  size_t len = buffer_len();
  if (out.size() < len) return Error(Layer::Icmpv6, Errc::NoSpace);
  uint8_t* p = out.data();
  // Data first: it may overlap the header being written when it came from `out`.
  copy_bytes(out.subspan(Icmpv6Packet::kHeaderLen, data.size()), data);
  p[Icmpv6Packet::kTypeOffset] = static_cast<uint8_t>(type);
  p[Icmpv6Packet::kCodeOffset] = code;
  if (type == Icmpv6Type::EchoRequest || type == Icmpv6Type::EchoReply) {
    store_be16(p + Icmpv6Packet::kIdentOffset, ident);
    store_be16(p + Icmpv6Packet::kSeqOffset, seq_no);
  } else {
    store_be32(p + Icmpv6Packet::kParamOffset, param);
  }
  store_be16(p + Icmpv6Packet::kChecksumOffset, 0);
  store_be16(p + Icmpv6Packet::kChecksumOffset, icmpv6_checksum(src, dst, Bytes(p, len)));
  return {};
}

bool Icmpv6Repr::operator==(const Icmpv6Repr& other) const {
  return type == other.type && code == other.code && ident == other.ident &&
         seq_no == other.seq_no && param == other.param &&
         quoted_header == other.quoted_header && bytes_equal(data, other.data);
}

}  // namespace mpxe::net
