#include "net/wire/ipv6.h"

namespace mpxe::net {
namespace {

// Hop-by-hop and destination option types (IANA "Destination Options and
// Hop-by-Hop Options").
constexpr uint8_t kOptionPad1 = 0;
constexpr uint8_t kOptionPadN = 1;
constexpr uint8_t kOptionRouterAlert = 5;
constexpr size_t kExtensionUnit = 8;  // Hdr Ext Len counts 8-octet units past the first

Ipv6Chain stop(Ipv6Chain chain, Ipv6Fault fault, uint8_t at, size_t pointer) {
  chain.fault = fault;
  chain.protocol = at;
  chain.pointer = pointer;
  chain.payload = Bytes();
  return chain;
}

}  // namespace

const char* ipv6_fault_text(Ipv6Fault fault) {
  switch (fault) {
    case Ipv6Fault::None: return "no fault";
    case Ipv6Fault::HopByHopNotFirst: return "hop-by-hop header not first";
    case Ipv6Fault::TooManyHeaders: return "too many extension headers";
    case Ipv6Fault::HeaderTruncated: return "extension header truncated";
    case Ipv6Fault::OptionTruncated: return "option truncated";
    case Ipv6Fault::UnknownOption: return "unknown option that must not be skipped";
    case Ipv6Fault::RoutingSegmentsLeft: return "routing header with segments left";
    case Ipv6Fault::Fragment: return "fragment (not reassembled)";
    case Ipv6Fault::NoNextHeader: return "no next header";
    case Ipv6Fault::UnknownHeader: return "extension header not handled (ESP, AH)";
  }
  return "unknown fault";
}

Error ipv6_fault_error(Ipv6Fault fault) {
  switch (fault) {
    case Ipv6Fault::None: return Error();
    case Ipv6Fault::HopByHopNotFirst: return Error(Layer::Ipv6, Errc::BadValue);
    case Ipv6Fault::TooManyHeaders: return Error(Layer::Ipv6, Errc::Exhausted);
    case Ipv6Fault::HeaderTruncated: return Error(Layer::Ipv6, Errc::Truncated);
    case Ipv6Fault::OptionTruncated: return Error(Layer::Ipv6, Errc::BadOption);
    case Ipv6Fault::UnknownOption: return Error(Layer::Ipv6, Errc::BadOption);
    case Ipv6Fault::RoutingSegmentsLeft: return Error(Layer::Ipv6, Errc::Unsupported);
    case Ipv6Fault::Fragment: return Error(Layer::Ipv6, Errc::Unsupported);
    case Ipv6Fault::NoNextHeader: return Error(Layer::Ipv6, Errc::NotFound);
    case Ipv6Fault::UnknownHeader: return Error(Layer::Ipv6, Errc::Unsupported);
  }
  return Error(Layer::Ipv6, Errc::BadValue);
}

Result<Ipv6Packet> Ipv6Packet::check_quoted(Bytes bytes) {
  if (bytes.size() < kHeaderLen) return Error(Layer::Ipv6, Errc::Truncated);
  Ipv6Packet packet(bytes);
  if (packet.version() != 6) return Error(Layer::Ipv6, Errc::BadVersion);
  return Ipv6Packet(bytes.first(kHeaderLen + packet.payload_len()));
}

Result<Ipv6Packet> Ipv6Packet::check(Bytes bytes) {
  Result<Ipv6Packet> packet = check_quoted(bytes);
  if (!packet) return packet;
  if (kHeaderLen + size_t{packet.value().payload_len()} > bytes.size())
    return Error(Layer::Ipv6, Errc::Truncated);
  return packet;
}

Ipv6Chain Ipv6Chain::walk(const Ipv6Packet& packet) {
  Ipv6Chain chain;
  Bytes all = packet.bytes();
  uint8_t next = packet.next_header();
  size_t next_field = Ipv6Packet::kNextHeaderOffset;  // where `next` was read
  size_t offset = Ipv6Packet::kHeaderLen;             // where the header it names starts
  for (;;) {
    switch (next) {
      case ipv6_next::kHopByHop:
      case ipv6_next::kDestOptions:
      case ipv6_next::kRouting: {
        if (next == ipv6_next::kHopByHop && offset != Ipv6Packet::kHeaderLen)
          return stop(chain, Ipv6Fault::HopByHopNotFirst, next, next_field);
        if (chain.headers == kMaxExtensionHeaders)
          return stop(chain, Ipv6Fault::TooManyHeaders, next, next_field);
        if (offset + kExtensionUnit > all.size())
          return stop(chain, Ipv6Fault::HeaderTruncated, next, offset);
        size_t len = (size_t{all[offset + 1]} + 1) * kExtensionUnit;
        if (offset + len > all.size())
          return stop(chain, Ipv6Fault::HeaderTruncated, next, offset + 1);
        if (next == ipv6_next::kRouting) {
          // "If Segments Left is zero, the node must ignore the Routing header
          // and proceed to process the next header"; a host is no waypoint.
          if (all[offset + 3] != 0)
            return stop(chain, Ipv6Fault::RoutingSegmentsLeft, next, offset + 3);
        } else {
          size_t i = offset + 2;
          size_t end = offset + len;
          while (i < end) {
            uint8_t type = all[i];
            if (type == kOptionPad1) {
              ++i;
              continue;
            }
            if (i + 2 > end) return stop(chain, Ipv6Fault::OptionTruncated, next, i);
            size_t option_end = i + 2 + all[i + 1];
            if (option_end > end) return stop(chain, Ipv6Fault::OptionTruncated, next, i + 1);
            if (type == kOptionRouterAlert && next == ipv6_next::kHopByHop) {
              chain.router_alert = true;
            } else if (type != kOptionPadN && (type >> 6) != 0) {
              // Action 00 is "skip over this option"; 01, 10 and 11 all discard.
              return stop(chain, Ipv6Fault::UnknownOption, next, i);
            }
            i = option_end;
          }
        }
        ++chain.headers;
        next_field = offset;
        next = all[offset];
        offset += len;
        continue;
      }
      case ipv6_next::kFragment: {
        if (chain.headers == kMaxExtensionHeaders)
          return stop(chain, Ipv6Fault::TooManyHeaders, next, next_field);
        if (offset + kExtensionUnit > all.size())
          return stop(chain, Ipv6Fault::HeaderTruncated, next, offset);
        uint16_t offset_flags = load_be16(all.data() + offset + 2);
        chain.fragment.next_header = all[offset];
        chain.fragment.offset = static_cast<uint16_t>(offset_flags & 0xFFF8);
        chain.fragment.more = (offset_flags & 1) != 0;
        chain.fragment.ident = load_be32(all.data() + offset + 4);
        if (chain.fragment.offset != 0 || chain.fragment.more)
          return stop(chain, Ipv6Fault::Fragment, next, offset);
        // RFC 6946: an atomic fragment is the whole packet; go on past it.
        ++chain.headers;
        next_field = offset;
        next = all[offset];
        offset += kExtensionUnit;
        continue;
      }
      case ipv6_next::kNoNextHeader:
        return stop(chain, Ipv6Fault::NoNextHeader, next, next_field);
      case ipv6_next::kEsp:
      case ipv6_next::kAuth:
        return stop(chain, Ipv6Fault::UnknownHeader, next, next_field);
      default:
        chain.protocol = next;
        chain.payload = all.subspan(offset);
        chain.pointer = next_field;
        return chain;
    }
  }
}

Ipv6Repr Ipv6Repr::parse(const Ipv6Packet& packet) {
  Ipv6Repr repr;
  repr.src = packet.src();
  repr.dst = packet.dst();
  repr.next_header = packet.next_header();
  repr.payload_len = packet.payload_len();
  repr.hop_limit = packet.hop_limit();
  repr.traffic_class = packet.traffic_class();
  repr.flow_label = packet.flow_label();
  return repr;
}

Result<void> Ipv6Repr::emit(MutableBytes out) const {
  if (out.size() < buffer_len()) return Error(Layer::Ipv6, Errc::NoSpace);
  if (flow_label > 0xFFFFF) return Error(Layer::Ipv6, Errc::BadValue);
  uint8_t* p = out.data();
  store_be32(p, (uint32_t{6} << 28) | (uint32_t{traffic_class} << 20) | flow_label);
  store_be16(p + Ipv6Packet::kPayloadLenOffset, payload_len);
  p[Ipv6Packet::kNextHeaderOffset] = next_header;
  p[Ipv6Packet::kHopLimitOffset] = hop_limit;
  src.write(p + Ipv6Packet::kSrcOffset);
  dst.write(p + Ipv6Packet::kDstOffset);
  return {};
}

}  // namespace mpxe::net
