#include "net/wire/tcp.h"

#include "net/wire/checksum.h"
#include "net/wire/ipv4.h"

namespace mpxe::net {
namespace {

Error tcp_error(Errc reason) { return Error(Layer::Tcp, reason); }

constexpr size_t kMssLen = 4;
constexpr size_t kWindowScaleLen = 3;
constexpr size_t kSackPermittedLen = 2;
constexpr size_t kTimestampsLen = 10;
constexpr size_t kSackHeaderLen = 2;
constexpr size_t kSackBlockLen = 8;

// The callers check that both addresses are of one family.
uint16_t checksum_of(Bytes segment, const IpAddress& src, const IpAddress& dst) {
  constexpr uint8_t kTcp = static_cast<uint8_t>(IpProtocol::Tcp);
  Checksum sum;
  if (src.is_v6()) {
    sum.add_u16(ipv6_pseudo_header_sum(src.v6(), dst.v6(), kTcp, static_cast<uint32_t>(segment.size())));
  } else {
    sum.add_u16(ipv4_pseudo_header_sum(src.v4(), dst.v4(), kTcp, static_cast<uint16_t>(segment.size())));
  }
  sum.add(segment);
  return sum.sum();
}

}  // namespace

Result<TcpSegment> TcpSegment::check(Bytes bytes) {
  if (bytes.size() < kMinHeaderLen) return tcp_error(Errc::Truncated);
  // The pseudo header's length field is 16 bits.
  if (bytes.size() > 0xFFFF) return tcp_error(Errc::BadLength);
  size_t header_len = static_cast<size_t>(bytes[kDataOffsetOffset] >> 4) * 4;
  if (header_len < kMinHeaderLen) return tcp_error(Errc::BadLength);
  if (header_len > bytes.size()) return tcp_error(Errc::Truncated);
  return TcpSegment(bytes);
}

bool TcpSegment::verify_checksum(const IpAddress& src, const IpAddress& dst) const {
  return src.family() == dst.family() && checksum_of(bytes_, src, dst) == 0xFFFF;
}

Result<TcpOptions> TcpOptions::parse(Bytes area) {
  TcpOptions options;
  size_t i = 0;
  while (i < area.size()) {
    uint8_t kind = area[i];
    if (kind == static_cast<uint8_t>(TcpOptionKind::End)) break;
    if (kind == static_cast<uint8_t>(TcpOptionKind::Nop)) {
      ++i;
      continue;
    }
    // RFC 9293 3.2: every other option has a length octet that counts the kind
    // and the length octets themselves.
    if (i + 1 >= area.size()) return tcp_error(Errc::BadOption);
    size_t len = area[i + 1];
    if (len < 2 || i + len > area.size()) return tcp_error(Errc::BadOption);
    const uint8_t* body = area.data() + i + 2;
    switch (static_cast<TcpOptionKind>(kind)) {
      case TcpOptionKind::Mss:
        if (len != kMssLen) return tcp_error(Errc::BadOption);
        options.has_mss = true;
        options.mss = load_be16(body);
        break;
      case TcpOptionKind::WindowScale:
        if (len != kWindowScaleLen) return tcp_error(Errc::BadOption);
        options.has_window_scale = true;
        options.window_shift = body[0];
        break;
      case TcpOptionKind::SackPermitted:
        if (len != kSackPermittedLen) return tcp_error(Errc::BadOption);
        options.sack_permitted = true;
        break;
      case TcpOptionKind::Timestamps:
        if (len != kTimestampsLen) return tcp_error(Errc::BadOption);
        options.has_timestamps = true;
        options.ts_val = load_be32(body);
        options.ts_ecr = load_be32(body + 4);
        break;
      case TcpOptionKind::Sack: {
        size_t blocks = (len - kSackHeaderLen) / kSackBlockLen;
        if ((len - kSackHeaderLen) % kSackBlockLen != 0 || blocks == 0 || blocks > kMaxSackBlocks)
          return tcp_error(Errc::BadOption);
        options.sack_count = static_cast<uint8_t>(blocks);
        for (size_t b = 0; b < kMaxSackBlocks; ++b) options.sack[b] = TcpSackBlock{};
        for (size_t b = 0; b < blocks; ++b) {
          options.sack[b].left = load_be32(body + b * kSackBlockLen);
          options.sack[b].right = load_be32(body + b * kSackBlockLen + 4);
        }
        break;
      }
      default:
        break;  // not ours: skipped by its length
    }
    i += len;
  }
  return options;
}

size_t TcpOptions::buffer_len() const {
  size_t len = 0;
  if (has_mss) len += kMssLen;
  if (sack_permitted && has_timestamps) {
    len += kSackPermittedLen + kTimestampsLen;  // SACK-permitted, timestamps: 12
  } else {
    if (sack_permitted) len += 2 + kSackPermittedLen;  // NOP NOP SACK-permitted
    if (has_timestamps) len += 2 + kTimestampsLen;     // NOP NOP timestamps
  }
  if (has_window_scale) len += 1 + kWindowScaleLen;  // NOP window scale
  if (sack_count != 0) len += 2 + kSackHeaderLen + kSackBlockLen * sack_count;
  return len;
}

Result<size_t> TcpOptions::emit(MutableBytes out) const {
  size_t len = buffer_len();
  if (len > TcpSegment::kMaxOptionsLen || sack_count > kMaxSackBlocks)
    return tcp_error(Errc::TooBig);
  if (out.size() < len) return tcp_error(Errc::NoSpace);
  uint8_t* p = out.data();
  constexpr uint8_t kNop = static_cast<uint8_t>(TcpOptionKind::Nop);
  if (has_mss) {
    p[0] = static_cast<uint8_t>(TcpOptionKind::Mss);
    p[1] = kMssLen;
    store_be16(p + 2, mss);
    p += kMssLen;
  }
  auto put_sack_permitted = [&] {
    p[0] = static_cast<uint8_t>(TcpOptionKind::SackPermitted);
    p[1] = kSackPermittedLen;
    p += kSackPermittedLen;
  };
  auto put_timestamps = [&] {
    p[0] = static_cast<uint8_t>(TcpOptionKind::Timestamps);
    p[1] = kTimestampsLen;
    store_be32(p + 2, ts_val);
    store_be32(p + 6, ts_ecr);
    p += kTimestampsLen;
  };
  if (sack_permitted && has_timestamps) {
    put_sack_permitted();
    put_timestamps();
  } else {
    if (sack_permitted) {
      *p++ = kNop;
      *p++ = kNop;
      put_sack_permitted();
    }
    if (has_timestamps) {
      *p++ = kNop;
      *p++ = kNop;
      put_timestamps();
    }
  }
  if (has_window_scale) {
    *p++ = kNop;
    p[0] = static_cast<uint8_t>(TcpOptionKind::WindowScale);
    p[1] = kWindowScaleLen;
    p[2] = window_shift;
    p += kWindowScaleLen;
  }
  if (sack_count != 0) {
    *p++ = kNop;
    *p++ = kNop;
    p[0] = static_cast<uint8_t>(TcpOptionKind::Sack);
    p[1] = static_cast<uint8_t>(kSackHeaderLen + kSackBlockLen * sack_count);
    p += kSackHeaderLen;
    for (size_t b = 0; b < sack_count; ++b) {
      store_be32(p, sack[b].left);
      store_be32(p + 4, sack[b].right);
      p += kSackBlockLen;
    }
  }
  return len;
}

Result<TcpRepr> TcpRepr::parse(const TcpSegment& segment, const IpAddress& src,
                               const IpAddress& dst) {
  if (!segment.verify_checksum(src, dst)) return tcp_error(Errc::BadChecksum);
  Result<TcpOptions> options = TcpOptions::parse(segment.options());
  if (!options) return options.error();
  TcpRepr repr;
  repr.src_port = segment.src_port();
  repr.dst_port = segment.dst_port();
  repr.seq = segment.seq();
  repr.ack = segment.ack();
  repr.flags = segment.flags();
  repr.window = segment.window();
  repr.urgent = segment.urgent();
  repr.options = options.value();
  repr.payload_len = segment.payload().size();
  return repr;
}

Result<void> TcpRepr::emit(MutableBytes out, const IpAddress& src, const IpAddress& dst) const {
  if (src.family() != dst.family()) return tcp_error(Errc::BadAddress);
  size_t options_len = options.buffer_len();
  if (options_len > TcpSegment::kMaxOptionsLen) return tcp_error(Errc::TooBig);
  size_t header = TcpSegment::kMinHeaderLen + options_len;
  if (header + payload_len > 0xFFFF) return tcp_error(Errc::TooBig);
  if (out.size() < header + payload_len) return tcp_error(Errc::NoSpace);
  uint8_t* p = out.data();
  store_be16(p + TcpSegment::kSrcPortOffset, src_port);
  store_be16(p + TcpSegment::kDstPortOffset, dst_port);
  store_be32(p + TcpSegment::kSeqOffset, seq);
  store_be32(p + TcpSegment::kAckOffset, ack);
  p[TcpSegment::kDataOffsetOffset] = static_cast<uint8_t>((header / 4) << 4);
  p[TcpSegment::kFlagsOffset] = flags;
  store_be16(p + TcpSegment::kWindowOffset, window);
  store_be16(p + TcpSegment::kChecksumOffset, 0);
  store_be16(p + TcpSegment::kUrgentOffset, urgent);
  Result<size_t> written = options.emit(out.subspan(TcpSegment::kMinHeaderLen, options_len));
  if (!written) return written.error();
  uint16_t sum = checksum_of(Bytes(p, header + payload_len), src, dst);
  store_be16(p + TcpSegment::kChecksumOffset, static_cast<uint16_t>(~sum));
  return {};
}

}  // namespace mpxe::net
