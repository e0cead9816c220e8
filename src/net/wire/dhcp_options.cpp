#include "net/wire/dhcp_options.h"

#include "core/byte_ops.h"

namespace mpxe::net {
namespace {

// The meaningful part of a NUL-padded string field or option value.
Bytes trim_at_nul(Bytes value) {
  for (size_t i = 0; i < value.size(); ++i)
    if (value[i] == 0) return value.first(i);
  return value;
}

Error bad_option() { return Error(Layer::Dhcp, Errc::BadOption); }

}  // namespace

bool DhcpOptionReader::next(DhcpOption& option) {
  while (!done_ && pos_ < area_.size()) {
    uint8_t code = area_[pos_];
    if (code == dhcp_option::kPad) {
      ++pos_;
      continue;
    }
    if (code == dhcp_option::kEnd) break;
    // "Option codes 0 and 255 have no length octet"; every other code has one.
    if (area_.size() - pos_ < 2) {
      error_ = Error(Layer::Dhcp, Errc::Truncated);
      break;
    }
    size_t len = area_[pos_ + 1];
    if (area_.size() - pos_ - 2 < len) {
      error_ = Error(Layer::Dhcp, Errc::Truncated);
      break;
    }
    option.code = code;
    option.value = area_.subspan(pos_ + 2, len);
    pos_ += 2 + len;
    return true;
  }
  done_ = true;
  return false;
}

DhcpOptionIterator::DhcpOptionIterator(const DhcpPacket& packet)
    : reader_(packet.options()), file_(packet.file()), sname_(packet.sname()) {}

void DhcpOptionIterator::advance() {
  // "the client interprets the specified additional fields after it concludes
  // interpretation of the standard option fields" (RFC 2132 9.3).
  if (area_ == Area::Options && (overload_ & kDhcpOverloadFile)) {
    area_ = Area::File;
    reader_ = DhcpOptionReader(file_);
  } else if (area_ != Area::Sname && area_ != Area::Done && (overload_ & kDhcpOverloadSname)) {
    area_ = Area::Sname;
    reader_ = DhcpOptionReader(sname_);
  } else {
    area_ = Area::Done;
  }
}

bool DhcpOptionIterator::next(DhcpOption& option) {
  while (area_ != Area::Done) {
    if (reader_.next(option)) {
      // "The 'option overload' option MUST appear in the 'options' field"
      // (RFC 2131 4.1); one met in sname or file is passed on but changes nothing.
      if (area_ == Area::Options && option.code == dhcp_option::kOverload) {
        if (option.value.size() != 1 || option.value[0] < kDhcpOverloadFile ||
            option.value[0] > kDhcpOverloadBoth) {
          error_ = bad_option();
          area_ = Area::Done;
          return false;
        }
        overload_ = option.value[0];
      }
      return true;
    }
    if (reader_.error().is_error()) {
      error_ = reader_.error();
      area_ = Area::Done;
      return false;
    }
    advance();
  }
  return false;
}

Result<DhcpOption> dhcp_find_option(const DhcpPacket& packet, uint8_t code) {
  DhcpOptionIterator it(packet);
  DhcpOption option;
  while (it.next(option))
    if (option.code == code) return option;
  if (it.error().is_error()) return it.error();
  return Error(Layer::Dhcp, Errc::NotFound);
}

Result<DhcpMessageType> dhcp_message_type(const DhcpPacket& packet) {
  Result<DhcpOption> option = dhcp_find_option(packet, dhcp_option::kMessageType);
  if (!option) return option.error();
  Bytes value = option.value().value;
  if (value.size() != 1 || value[0] < static_cast<uint8_t>(DhcpMessageType::Discover) ||
      value[0] > static_cast<uint8_t>(DhcpMessageType::Inform))
    return bad_option();
  return static_cast<DhcpMessageType>(value[0]);
}

Result<Bytes> dhcp_boot_file(const DhcpPacket& packet) {
  DhcpOptionIterator it(packet);
  DhcpOption option;
  while (it.next(option))
    if (option.code == dhcp_option::kBootFileName) {
      Bytes name = trim_at_nul(option.value);
      if (name.empty()) break;
      return name;
    }
  if (it.error().is_error()) return it.error();
  if (it.overload() & kDhcpOverloadFile) return Error(Layer::Dhcp, Errc::NotFound);
  Bytes name = trim_at_nul(packet.file());
  if (name.empty()) return Error(Layer::Dhcp, Errc::NotFound);
  return name;
}

Result<Bytes> dhcp_server_name(const DhcpPacket& packet) {
  DhcpOptionIterator it(packet);
  DhcpOption option;
  while (it.next(option)) {
  }
  if (it.error().is_error()) return it.error();
  if (it.overload() & kDhcpOverloadSname) return Error(Layer::Dhcp, Errc::NotFound);
  Bytes name = trim_at_nul(packet.sname());
  if (name.empty()) return Error(Layer::Dhcp, Errc::NotFound);
  return name;
}

namespace {

// Each reader checks the value's size against the option's definition.
bool read_address(Bytes value, Ipv4Address& out, bool& has) {
  if (value.size() != Ipv4Address::kSize) return false;
  out = Ipv4Address::from_bytes(value.data());
  has = true;
  return true;
}

bool read_u32(Bytes value, uint32_t& out, bool& has) {
  if (value.size() != 4) return false;
  out = load_be32(value.data());
  has = true;
  return true;
}

// A list of addresses: "The minimum length for the router option is 4 octets,
// and the length MUST always be a multiple of 4."
bool is_address_list(Bytes value) {
  return !value.empty() && value.size() % Ipv4Address::kSize == 0;
}

}  // namespace

Result<DhcpParams> DhcpParams::parse(const DhcpPacket& packet) {
  DhcpParams params;
  // One bit per option code: the first instance of an option counts.
  uint32_t seen[8] = {};
  DhcpOptionIterator it(packet);
  DhcpOption option;
  while (it.next(option)) {
    uint32_t& word = seen[option.code / 32];
    uint32_t bit = 1u << (option.code % 32);
    if (word & bit) continue;
    word |= bit;
    Bytes v = option.value;
    bool ok = true;
    switch (option.code) {
      case dhcp_option::kMessageType:
        ok = v.size() == 1 && v[0] >= static_cast<uint8_t>(DhcpMessageType::Discover) &&
             v[0] <= static_cast<uint8_t>(DhcpMessageType::Inform);
        if (ok) params.message_type = v[0];
        break;
      case dhcp_option::kServerId:
        ok = read_address(v, params.server_id, params.has_server_id);
        break;
      case dhcp_option::kSubnetMask:
        ok = read_address(v, params.subnet_mask, params.has_subnet_mask);
        break;
      case dhcp_option::kBroadcastAddress:
        ok = read_address(v, params.broadcast_address, params.has_broadcast_address);
        break;
      case dhcp_option::kRequestedIp:
        ok = read_address(v, params.requested_ip, params.has_requested_ip);
        break;
      case dhcp_option::kRouter:
        ok = is_address_list(v);
        if (ok) {
          params.router = Ipv4Address::from_bytes(v.data());
          params.has_router = true;
        }
        break;
      case dhcp_option::kDnsServers:
        ok = is_address_list(v);
        for (size_t i = 0; ok && i < v.size() / 4 && i < kMaxDnsServers; ++i)
          params.dns_servers[params.dns_server_count++] = Ipv4Address::from_bytes(v.data() + 4 * i);
        break;
      case dhcp_option::kLeaseTime:
        ok = read_u32(v, params.lease_time, params.has_lease_time);
        break;
      case dhcp_option::kRenewalTime:
        ok = read_u32(v, params.renewal_time, params.has_renewal_time);
        break;
      case dhcp_option::kRebindingTime:
        ok = read_u32(v, params.rebinding_time, params.has_rebinding_time);
        break;
      case dhcp_option::kMaxMessageSize:
        // "The minimum legal value is 576 octets."
        ok = v.size() == 2 && load_be16(v.data()) >= 576;
        if (ok) params.max_message_size = load_be16(v.data());
        break;
      case dhcp_option::kClientArch:
        ok = !v.empty() && v.size() % 2 == 0;
        if (ok) {
          params.client_arch = load_be16(v.data());
          params.has_client_arch = true;
          params.client_arch_list = v;
        }
        break;
      case dhcp_option::kClientNdi:
        ok = v.size() == kPxeClientNdiLen;
        if (ok) params.client_ndi = v;
        break;
      case dhcp_option::kClientUuid:
        // "Type 0 ... 16 octets": other types are undefined.
        ok = v.size() == kPxeClientUuidLen && v[0] == 0;
        if (ok) params.client_uuid = v;
        break;
      case dhcp_option::kParameterRequestList:
        params.parameter_requests = v;
        break;
      case dhcp_option::kVendorClassId:
        params.vendor_class = v;
        break;
      case dhcp_option::kVendorSpecific:
        params.vendor_specific = v;
        break;
      case dhcp_option::kClientId:
        params.client_id = v;
        break;
      case dhcp_option::kHostName:
        params.host_name = trim_at_nul(v);
        break;
      case dhcp_option::kDomainName:
        params.domain_name = trim_at_nul(v);
        break;
      case dhcp_option::kTftpServerName:
        params.tftp_server_name = trim_at_nul(v);
        break;
      case dhcp_option::kBootFileName:
        params.boot_file_name = trim_at_nul(v);
        break;
      case dhcp_option::kMessage:
        params.message = v;
        break;
      default:  // option 52 included: the iterator has judged the one that counts
        break;
    }
    if (!ok) return bad_option();
  }
  if (it.error().is_error()) return it.error();
  params.overload = it.overload();
  return params;
}

Result<void> DhcpOptionWriter::put(uint8_t code, Bytes value) {
  if (code == dhcp_option::kPad || code == dhcp_option::kEnd || value.size() > 255)
    return Error(Layer::Dhcp, Errc::BadOption);
  if (out_.size() - pos_ < 2 + value.size()) return Error(Layer::Dhcp, Errc::NoSpace);
  out_[pos_] = code;
  out_[pos_ + 1] = static_cast<uint8_t>(value.size());
  copy_bytes(out_.subspan(pos_ + 2, value.size()), value);
  pos_ += 2 + value.size();
  return {};
}

Result<void> DhcpOptionWriter::put_u8(uint8_t code, uint8_t value) {
  uint8_t bytes[1] = {value};
  return put(code, Bytes(bytes));
}

Result<void> DhcpOptionWriter::put_u16(uint8_t code, uint16_t value) {
  uint8_t bytes[2];
  store_be16(bytes, value);
  return put(code, Bytes(bytes));
}

Result<void> DhcpOptionWriter::put_u32(uint8_t code, uint32_t value) {
  uint8_t bytes[4];
  store_be32(bytes, value);
  return put(code, Bytes(bytes));
}

Result<void> DhcpOptionWriter::put_address(uint8_t code, Ipv4Address address) {
  return put(code, Bytes(address.octets));
}

Result<void> DhcpOptionWriter::put_message_type(DhcpMessageType type) {
  return put_u8(dhcp_option::kMessageType, static_cast<uint8_t>(type));
}

Result<void> DhcpOptionWriter::put_end() {
  if (pos_ >= out_.size()) return Error(Layer::Dhcp, Errc::NoSpace);
  out_[pos_++] = dhcp_option::kEnd;
  return {};
}

Result<void> DhcpOptionWriter::pad_to(size_t len) {
  if (len > out_.size()) return Error(Layer::Dhcp, Errc::NoSpace);
  while (pos_ < len) out_[pos_++] = dhcp_option::kPad;
  return {};
}

}  // namespace mpxe::net
