#include "net/wire/dhcp.h"

#include "core/byte_ops.h"
#include "net/wire/dhcp_options.h"

namespace mpxe::net {

Result<DhcpPacket> DhcpPacket::check(Bytes bytes) {
  if (bytes.size() < kOptionsOffset) return Error(Layer::Dhcp, Errc::Truncated);
  if (load_be32(bytes.data() + kMagicOffset) != kMagicCookie)
    return Error(Layer::Dhcp, Errc::BadMagic);
  if (bytes[kHlenOffset] > kChaddrLen) return Error(Layer::Dhcp, Errc::BadLength);
  return DhcpPacket(bytes);
}

MacAddress DhcpPacket::client_mac() const {
  if (htype() != kHtypeEthernet || hlen() != MacAddress::kSize) return MacAddress{};
  return MacAddress::from_bytes(bytes_.data() + kChaddrOffset);
}

Result<DhcpRepr> DhcpRepr::parse(const DhcpPacket& packet) {
  if (packet.op() != static_cast<uint8_t>(BootpOp::Request) &&
      packet.op() != static_cast<uint8_t>(BootpOp::Reply))
    return Error(Layer::Dhcp, Errc::BadOpcode);
  // Walk every option once so that a Repr always stands for well-formed options.
  DhcpOptionIterator it(packet);
  DhcpOption option;
  while (it.next(option)) {
  }
  if (it.error().is_error()) return it.error();

  DhcpRepr repr;
  repr.op = static_cast<BootpOp>(packet.op());
  repr.htype = packet.htype();
  repr.hlen = packet.hlen();
  repr.hops = packet.hops();
  repr.xid = packet.xid();
  repr.secs = packet.secs();
  repr.flags = packet.flags();
  repr.ciaddr = packet.ciaddr();
  repr.yiaddr = packet.yiaddr();
  repr.siaddr = packet.siaddr();
  repr.giaddr = packet.giaddr();
  // All 16 bytes, not just hlen: emit must give back what came.
  copy_bytes(MutableBytes(repr.chaddr), packet.bytes().subspan(DhcpPacket::kChaddrOffset,
                                                               DhcpPacket::kChaddrLen));
  repr.sname = packet.sname();
  repr.file = packet.file();
  repr.options = packet.options();
  return repr;
}

Result<void> DhcpRepr::emit(MutableBytes out) const {
  if (out.size() < buffer_len()) return Error(Layer::Dhcp, Errc::NoSpace);
  if (hlen > DhcpPacket::kChaddrLen || sname.size() > DhcpPacket::kSnameLen ||
      file.size() > DhcpPacket::kFileLen)
    return Error(Layer::Dhcp, Errc::BadLength);
  uint8_t* p = out.data();
  // Options first: they may come from a packet being rewritten in place.
  copy_bytes(out.subspan(DhcpPacket::kOptionsOffset, options.size()), options);
  p[DhcpPacket::kOpOffset] = static_cast<uint8_t>(op);
  p[DhcpPacket::kHtypeOffset] = htype;
  p[DhcpPacket::kHlenOffset] = hlen;
  p[DhcpPacket::kHopsOffset] = hops;
  store_be32(p + DhcpPacket::kXidOffset, xid);
  store_be16(p + DhcpPacket::kSecsOffset, secs);
  store_be16(p + DhcpPacket::kFlagsOffset, flags);
  ciaddr.write(p + DhcpPacket::kCiaddrOffset);
  yiaddr.write(p + DhcpPacket::kYiaddrOffset);
  siaddr.write(p + DhcpPacket::kSiaddrOffset);
  giaddr.write(p + DhcpPacket::kGiaddrOffset);
  copy_bytes(out.subspan(DhcpPacket::kChaddrOffset, DhcpPacket::kChaddrLen), Bytes(chaddr));
  MutableBytes sname_field = out.subspan(DhcpPacket::kSnameOffset, DhcpPacket::kSnameLen);
  fill_bytes(sname_field.subspan(copy_bytes(sname_field, sname)), 0);
  MutableBytes file_field = out.subspan(DhcpPacket::kFileOffset, DhcpPacket::kFileLen);
  fill_bytes(file_field.subspan(copy_bytes(file_field, file)), 0);
  store_be32(p + DhcpPacket::kMagicOffset, DhcpPacket::kMagicCookie);
  return {};
}

void DhcpRepr::set_client_mac(MacAddress mac) {
  htype = DhcpPacket::kHtypeEthernet;
  hlen = MacAddress::kSize;
  fill_bytes(MutableBytes(chaddr), 0);
  mac.write(chaddr);
}

bool DhcpRepr::operator==(const DhcpRepr& other) const {
  return op == other.op && htype == other.htype && hlen == other.hlen && hops == other.hops &&
         xid == other.xid && secs == other.secs && flags == other.flags &&
         ciaddr == other.ciaddr && yiaddr == other.yiaddr && siaddr == other.siaddr &&
         giaddr == other.giaddr && bytes_equal(Bytes(chaddr), Bytes(other.chaddr)) &&
         bytes_equal(sname, other.sname) && bytes_equal(file, other.file) &&
         bytes_equal(options, other.options);
}

}  // namespace mpxe::net
