#include "net/wire/dhcpv6.h"

#include "core/byte_ops.h"

namespace mpxe::net {
namespace {

Error bad_option() { return Error(Layer::Dhcp, Errc::BadOption); }

constexpr size_t kOptionHeaderLen = 4;
// IA Address (RFC 8415 21.6): address, preferred and valid lifetimes, options.
constexpr size_t kIaAddrFixedLen = Ipv6Address::kSize + 8;

bool read_status(Bytes v, Dhcpv6Status& out) {
  if (v.size() < 2) return false;
  out.present = true;
  out.code = load_be16(v.data());
  out.message = v.subspan(2);
  return true;
}

// The options nested in an IA Address: only a Status Code matters to a client.
Result<Dhcpv6Status> read_ia_address_status(Bytes nested) {
  Dhcpv6Status status;
  Dhcpv6OptionReader reader(nested);
  Dhcpv6Option option;
  while (reader.next(option))
    if (option.code == dhcpv6_option::kStatusCode && !status.present &&
        !read_status(option.value, status))
      return bad_option();
  if (reader.error().is_error()) return reader.error();
  return status;
}

Result<Dhcpv6IaNa> read_ia_na(Bytes v) {
  if (v.size() < Dhcpv6IaNa::kFixedLen) return bad_option();
  Dhcpv6IaNa ia;
  ia.iaid = load_be32(v.data());
  ia.t1 = load_be32(v.data() + 4);
  ia.t2 = load_be32(v.data() + 8);
  Dhcpv6OptionReader reader(v.subspan(Dhcpv6IaNa::kFixedLen));
  Dhcpv6Option option;
  while (reader.next(option)) {
    if (option.code == dhcpv6_option::kStatusCode) {
      if (!ia.status.present && !read_status(option.value, ia.status)) return bad_option();
      continue;
    }
    if (option.code != dhcpv6_option::kIaAddr) continue;
    if (option.value.size() < kIaAddrFixedLen) return bad_option();
    if (ia.addresses < 0xFF) ++ia.addresses;
    Result<Dhcpv6Status> status = read_ia_address_status(option.value.subspan(kIaAddrFixedLen));
    if (!status) return status.error();
    if (status.value().present && !ia.address_status.present) ia.address_status = status.value();
    Dhcpv6IaAddress address;
    address.address = Ipv6Address::from_bytes(option.value.data());
    address.preferred_lifetime = load_be32(option.value.data() + 16);
    address.valid_lifetime = load_be32(option.value.data() + 20);
    // "The client MUST discard any addresses for which the preferred lifetime is
    // greater than the valid lifetime" (RFC 8415 21.6); a valid lifetime of 0
    // takes the address away.
    bool usable = status.value().ok() && address.address.is_unicast() &&
                  !address.address.is_link_local() && address.valid_lifetime != 0 &&
                  address.preferred_lifetime <= address.valid_lifetime;
    if (usable && !ia.has_address) {
      ia.has_address = true;
      ia.address = address;
    }
  }
  if (reader.error().is_error()) return reader.error();
  return ia;
}

// "option-len: Length of the list of DNS servers in octets; must be a multiple
// of 16" (RFC 3646 3).
bool read_dns_servers(Bytes v, Dhcpv6Params& params) {
  if (v.empty() || v.size() % Ipv6Address::kSize != 0) return false;
  for (size_t i = 0; i < v.size() && params.dns_server_count < Dhcpv6Params::kMaxDnsServers;
       i += Ipv6Address::kSize)
    params.dns_servers[params.dns_server_count++] = Ipv6Address::from_bytes(v.data() + i);
  return true;
}

bool is_boot_param_list(Bytes v) {
  Dhcpv6BootParams params(v);
  Bytes param;
  size_t walked = 0;
  while (params.next(param)) walked += 2 + param.size();
  return walked == v.size();
}

// Enterprise number, then at least nothing: vendor-class-data items, each
// class-len + data, filling the rest exactly.
bool is_vendor_class(Bytes v) {
  if (v.size() < 4) return false;
  return is_boot_param_list(v.subspan(4));
}

}  // namespace

const char* dhcpv6_message_text(uint8_t type) {
  switch (static_cast<Dhcpv6MessageType>(type)) {
    case Dhcpv6MessageType::Solicit: return "Solicit";
    case Dhcpv6MessageType::Advertise: return "Advertise";
    case Dhcpv6MessageType::Request: return "Request";
    case Dhcpv6MessageType::Confirm: return "Confirm";
    case Dhcpv6MessageType::Renew: return "Renew";
    case Dhcpv6MessageType::Rebind: return "Rebind";
    case Dhcpv6MessageType::Reply: return "Reply";
    case Dhcpv6MessageType::Release: return "Release";
    case Dhcpv6MessageType::Decline: return "Decline";
    case Dhcpv6MessageType::Reconfigure: return "Reconfigure";
    case Dhcpv6MessageType::InformationRequest: return "Information-Request";
    case Dhcpv6MessageType::RelayForward: return "Relay-forward";
    case Dhcpv6MessageType::RelayReply: return "Relay-reply";
  }
  return "unknown message";
}

const char* dhcpv6_status_text(uint16_t code) {
  switch (code) {
    case dhcpv6_status::kSuccess: return "Success";
    case dhcpv6_status::kUnspecFail: return "UnspecFail";
    case dhcpv6_status::kNoAddrsAvail: return "NoAddrsAvail";
    case dhcpv6_status::kNoBinding: return "NoBinding";
    case dhcpv6_status::kNotOnLink: return "NotOnLink";
    case dhcpv6_status::kUseMulticast: return "UseMulticast";
    case dhcpv6_status::kNoPrefixAvail: return "NoPrefixAvail";
  }
  return "unknown status";
}

// ---- DUID -----------------------------------------------------------------

Dhcpv6Duid Dhcpv6Duid::llt(MacAddress mac, uint32_t time) {
  Dhcpv6Duid d;
  store_be16(d.bytes, dhcpv6_duid::kLlt);
  store_be16(d.bytes + 2, dhcpv6_duid::kHwEthernet);
  store_be32(d.bytes + 4, time);
  mac.write(d.bytes + 8);
  d.length = 8 + MacAddress::kSize;
  return d;
}

Dhcpv6Duid Dhcpv6Duid::ll(MacAddress mac) {
  Dhcpv6Duid d;
  store_be16(d.bytes, dhcpv6_duid::kLl);
  store_be16(d.bytes + 2, dhcpv6_duid::kHwEthernet);
  mac.write(d.bytes + 4);
  d.length = 4 + MacAddress::kSize;
  return d;
}

Dhcpv6Duid Dhcpv6Duid::uuid(const uint8_t (&uuid)[16]) {
  Dhcpv6Duid d;
  store_be16(d.bytes, dhcpv6_duid::kUuid);
  copy_bytes(MutableBytes(d.bytes + 2, 16), Bytes(uuid));
  d.length = 18;
  return d;
}

Result<Dhcpv6Duid> Dhcpv6Duid::of(Bytes value) {
  if (value.size() < 3 || value.size() > kMaxLen) return bad_option();
  Dhcpv6Duid d;
  d.length = static_cast<uint8_t>(copy_bytes(MutableBytes(d.bytes), value));
  return d;
}

bool Dhcpv6Duid::operator==(const Dhcpv6Duid& other) const {
  return bytes_equal(view(), other.view());
}

// ---- reading --------------------------------------------------------------

Result<Dhcpv6Packet> Dhcpv6Packet::check(Bytes bytes) {
  if (bytes.size() < kHeaderLen) return Error(Layer::Dhcp, Errc::Truncated);
  return Dhcpv6Packet(bytes);
}

bool Dhcpv6OptionReader::next(Dhcpv6Option& option) {
  if (error_.is_error() || pos_ >= area_.size()) return false;
  if (area_.size() - pos_ < kOptionHeaderLen) {
    error_ = Error(Layer::Dhcp, Errc::Truncated);
    return false;
  }
  size_t len = load_be16(area_.data() + pos_ + 2);
  if (area_.size() - pos_ - kOptionHeaderLen < len) {
    error_ = Error(Layer::Dhcp, Errc::Truncated);
    return false;
  }
  option.code = load_be16(area_.data() + pos_);
  option.value = area_.subspan(pos_ + kOptionHeaderLen, len);
  pos_ += kOptionHeaderLen + len;
  return true;
}

bool Dhcpv6BootParams::next(Bytes& param) {
  if (value_.size() - pos_ < 2) return false;
  size_t len = load_be16(value_.data() + pos_);
  if (value_.size() - pos_ - 2 < len) return false;
  param = value_.subspan(pos_ + 2, len);
  pos_ += 2 + len;
  return true;
}

Result<Dhcpv6Params> Dhcpv6Params::parse(const Dhcpv6Packet& packet, uint32_t iaid_filter) {
  Dhcpv6Params params;
  params.msg_type = packet.msg_type();
  if (params.msg_type == static_cast<uint8_t>(Dhcpv6MessageType::RelayForward) ||
      params.msg_type == static_cast<uint8_t>(Dhcpv6MessageType::RelayReply))
    return Error(Layer::Dhcp, Errc::Unsupported);
  params.transaction_id = packet.transaction_id();
  // One bit per option code below 64: the first instance counts.
  uint64_t seen = 0;
  Dhcpv6OptionReader reader(packet.options());
  Dhcpv6Option option;
  while (reader.next(option)) {
    Bytes v = option.value;
    if (option.code == dhcpv6_option::kIaNa) {
      // Every IA_NA is checked; the first one for us is kept.
      Result<Dhcpv6IaNa> ia = read_ia_na(v);
      if (!ia) return ia.error();
      if (!params.has_ia_na && (iaid_filter == 0 || ia.value().iaid == iaid_filter)) {
        params.has_ia_na = true;
        params.ia_na = ia.value();
      }
      continue;
    }
    if (option.code >= 64) continue;
    uint64_t bit = uint64_t{1} << option.code;
    if (seen & bit) continue;
    seen |= bit;
    bool ok = true;
    switch (option.code) {
      case dhcpv6_option::kClientId:
        ok = Dhcpv6Duid::of(v).ok();
        params.client_id = v;
        break;
      case dhcpv6_option::kServerId:
        ok = Dhcpv6Duid::of(v).ok();
        params.server_id = v;
        break;
      case dhcpv6_option::kPreference:
        ok = v.size() == 1;
        if (ok) {
          params.has_preference = true;
          params.preference = v[0];
        }
        break;
      case dhcpv6_option::kElapsedTime:
        ok = v.size() == 2;
        if (ok) {
          params.has_elapsed_time = true;
          params.elapsed_time = load_be16(v.data());
        }
        break;
      case dhcpv6_option::kRapidCommit:
        ok = v.empty();
        params.rapid_commit = ok;
        break;
      case dhcpv6_option::kStatusCode:
        ok = read_status(v, params.status);
        break;
      case dhcpv6_option::kDnsServers:
        ok = read_dns_servers(v, params);
        break;
      case dhcpv6_option::kDomainList:
        params.domain_list = v;
        break;
      case dhcpv6_option::kBootfileUrl:
        ok = !v.empty();
        params.bootfile_url = v;
        break;
      case dhcpv6_option::kBootfileParam:
        ok = is_boot_param_list(v);
        params.bootfile_param = v;
        break;
      case dhcpv6_option::kOro:
        ok = v.size() % 2 == 0;
        params.oro = v;
        break;
      case dhcpv6_option::kVendorClass:
        ok = is_vendor_class(v);
        params.vendor_class = v;
        break;
      case dhcpv6_option::kClientArchType:
        ok = !v.empty() && v.size() % 2 == 0;
        if (ok) {
          params.has_client_arch = true;
          params.client_arch = load_be16(v.data());
        }
        break;
      case dhcpv6_option::kNii:
        ok = v.size() == Dhcpv6ClientMessage::kClientNiiLen;
        params.nii = v;
        break;
      default:
        break;
    }
    if (!ok) return bad_option();
  }
  if (reader.error().is_error()) return reader.error();
  return params;
}

Result<size_t> dhcpv6_first_domain(Bytes list, char* out, size_t capacity) {
  constexpr size_t kMaxName = 255;
  size_t pos = 0;
  size_t length = 0;  // text written
  size_t wire = 0;    // octets of the name on the wire
  while (true) {
    if (pos >= list.size()) return Error(Layer::Dhcp, Errc::Truncated);
    size_t label = list[pos];
    wire += 1 + label;
    if (wire > kMaxName) return Error(Layer::Dhcp, Errc::NameTooLong);
    if (label == 0) break;
    if (label > 63) return Error(Layer::Dhcp, Errc::BadName);  // a pointer or a reserved type
    if (list.size() - pos - 1 < label) return Error(Layer::Dhcp, Errc::Truncated);
    size_t need = length + (length != 0 ? 1 : 0) + label;
    if (need + 1 > capacity) return Error(Layer::Dhcp, Errc::NoSpace);
    if (length != 0) out[length++] = '.';
    for (size_t i = 0; i < label; ++i) {
      uint8_t c = list[pos + 1 + i];
      // A domain for the console and for building names: no NULs or dots inside
      // a label, nothing unprintable.
      if (c <= 0x20 || c >= 0x7F || c == '.') return Error(Layer::Dhcp, Errc::BadName);
      out[length++] = static_cast<char>(c);
    }
    pos += 1 + label;
  }
  if (capacity > 0) out[length] = '\0';
  return length;
}

// ---- writing --------------------------------------------------------------

size_t Dhcpv6ClientMessage::buffer_len() const {
  size_t n = Dhcpv6Packet::kHeaderLen;
  if (client_id.valid()) n += kOptionHeaderLen + client_id.length;
  if (server_id.valid()) n += kOptionHeaderLen + server_id.length;
  n += kOptionHeaderLen + 2;  // elapsed time
  if (rapid_commit) n += kOptionHeaderLen;
  if (has_ia_na) {
    n += kOptionHeaderLen + Dhcpv6IaNa::kFixedLen;
    if (has_ia_address) n += kOptionHeaderLen + kIaAddrFixedLen;
  }
  if (oro_count != 0) n += kOptionHeaderLen + 2 * size_t{oro_count};
  if (client_arch_set) {
    n += kOptionHeaderLen + 2;            // 61
    n += kOptionHeaderLen + kClientNiiLen;  // 62
    if (!vendor_class.empty()) n += kOptionHeaderLen + 4 + 2 + vendor_class.size();  // 16
  }
  return n;
}

namespace {

class Writer {
 public:
  explicit Writer(MutableBytes out) : out_(out) {}
  uint8_t* option(uint16_t code, size_t len) {
    store_be16(out_.data() + pos_, code);
    store_be16(out_.data() + pos_ + 2, static_cast<uint16_t>(len));
    uint8_t* value = out_.data() + pos_ + kOptionHeaderLen;
    pos_ += kOptionHeaderLen + len;
    return value;
  }
  size_t pos() const { return pos_; }
  void skip(size_t n) { pos_ += n; }

 private:
  MutableBytes out_;
  size_t pos_ = 0;
};

}  // namespace

Result<size_t> Dhcpv6ClientMessage::emit(MutableBytes out) const {
  size_t len = buffer_len();
  if (out.size() < len || oro_count > kMaxOro || vendor_class.size() > 0xFFFF - 6)
    return Error(Layer::Dhcp, Errc::NoSpace);
  fill_bytes(out.first(len), 0);
  store_be32(out.data(), (uint32_t{static_cast<uint8_t>(type)} << 24) |
                             (transaction_id & Dhcpv6Packet::kXidMask));
  Writer w(out);
  w.skip(Dhcpv6Packet::kHeaderLen);
  if (client_id.valid())
    copy_bytes(MutableBytes(w.option(dhcpv6_option::kClientId, client_id.length), client_id.length),
               client_id.view());
  if (server_id.valid())
    copy_bytes(MutableBytes(w.option(dhcpv6_option::kServerId, server_id.length), server_id.length),
               server_id.view());
  store_be16(w.option(dhcpv6_option::kElapsedTime, 2), elapsed_time);
  if (rapid_commit) w.option(dhcpv6_option::kRapidCommit, 0);
  if (has_ia_na) {
    size_t nested = has_ia_address ? kOptionHeaderLen + kIaAddrFixedLen : 0;
    uint8_t* ia = w.option(dhcpv6_option::kIaNa, Dhcpv6IaNa::kFixedLen + nested);
    store_be32(ia, iaid);  // T1, T2 stay 0
    if (has_ia_address) {
      uint8_t* a = ia + Dhcpv6IaNa::kFixedLen;
      store_be16(a, dhcpv6_option::kIaAddr);
      store_be16(a + 2, static_cast<uint16_t>(kIaAddrFixedLen));
      ia_address.write(a + kOptionHeaderLen);  // lifetimes stay 0
    }
  }
  if (oro_count != 0) {
    uint8_t* o = w.option(dhcpv6_option::kOro, 2 * size_t{oro_count});
    for (size_t i = 0; i < oro_count; ++i) store_be16(o + 2 * i, oro[i]);
  }
  if (client_arch_set) {
    store_be16(w.option(dhcpv6_option::kClientArchType, 2), client_arch);
    copy_bytes(MutableBytes(w.option(dhcpv6_option::kNii, kClientNiiLen), kClientNiiLen),
               Bytes(nii));
    if (!vendor_class.empty()) {
      uint8_t* v = w.option(dhcpv6_option::kVendorClass, 4 + 2 + vendor_class.size());
      store_be32(v, vendor_enterprise);
      store_be16(v + 4, static_cast<uint16_t>(vendor_class.size()));
      copy_bytes(MutableBytes(v + 6, vendor_class.size()), vendor_class);
    }
  }
  return w.pos();
}

}  // namespace mpxe::net
