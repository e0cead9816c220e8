#include "net/wire/pxe_options.h"

#include "net/wire/dhcp_options.h"

namespace mpxe::net {
namespace {

Error bad(Errc reason) { return Error(Layer::Dhcp, reason); }

// A list of {type (2), length-or-count (1), body} records fills `list` exactly;
// `unit` is the size of one counted element of the body (1 for a description,
// 4 for an address).
bool records_fit(Bytes list, size_t unit) {
  size_t pos = 0;
  while (pos < list.size()) {
    if (list.size() - pos < PxeBootServerEntry::kHeaderLen) return false;
    size_t body = list[pos + 2] * unit;
    pos += PxeBootServerEntry::kHeaderLen;
    if (list.size() - pos < body) return false;
    pos += body;
  }
  return true;
}

// The record at `index` of a list records_fit() accepted.
Bytes record(Bytes list, size_t unit, size_t index, uint16_t* type) {
  size_t pos = 0;
  for (;;) {
    size_t body = list[pos + 2] * unit;
    if (index-- == 0) {
      *type = load_be16(list.data() + pos);
      return list.subspan(pos + PxeBootServerEntry::kHeaderLen, body);
    }
    pos += PxeBootServerEntry::kHeaderLen + body;
  }
}

size_t record_count(Bytes list, size_t unit) {
  size_t n = 0;
  for (size_t pos = 0; pos < list.size(); ++n)
    pos += PxeBootServerEntry::kHeaderLen + list[pos + 2] * unit;
  return n;
}

}  // namespace

Result<PxeVendorOptions> PxeVendorOptions::parse(Bytes option43) {
  PxeVendorOptions out;
  DhcpOptionReader reader(option43);
  DhcpOption sub;
  while (reader.next(sub)) {
    Bytes v = sub.value;
    switch (sub.code) {
      case kDiscoveryControl:
        if (v.size() != 1) return bad(Errc::BadOption);
        out.has_control_ = true;
        out.control_ = v[0];
        break;
      case kMulticastAddress:
        if (v.size() != Ipv4Address::kSize) return bad(Errc::BadOption);
        out.has_multicast_ = true;
        out.multicast_ = Ipv4Address::from_bytes(v.data());
        break;
      case kBootServers:
        if (!records_fit(v, Ipv4Address::kSize)) return bad(Errc::BadLength);
        out.servers_ = v;
        break;
      case kBootMenu:
        if (!records_fit(v, 1)) return bad(Errc::BadLength);
        out.menu_ = v;
        break;
      case kMenuPrompt:
        if (v.empty()) return bad(Errc::BadOption);
        out.has_prompt_ = true;
        out.prompt_timeout_ = v[0];
        out.prompt_text_ = v.subspan(1);
        break;
      case kBootItem:
        if (v.size() != kBootItemLen) return bad(Errc::BadOption);
        out.has_boot_item_ = true;
        out.item_type_ = load_be16(v.data());
        out.item_layer_ = load_be16(v.data() + 2);
        break;
      default:
        break;
    }
  }
  if (reader.error().is_error()) return reader.error();
  return out;
}

size_t PxeVendorOptions::menu_count() const { return record_count(menu_, 1); }

PxeMenuItem PxeVendorOptions::menu_item(size_t index) const {
  PxeMenuItem item;
  item.description = record(menu_, 1, index, &item.type);
  return item;
}

size_t PxeVendorOptions::server_entry_count() const {
  return record_count(servers_, Ipv4Address::kSize);
}

PxeBootServerEntry PxeVendorOptions::server_entry(size_t index) const {
  PxeBootServerEntry entry;
  entry.addresses = record(servers_, Ipv4Address::kSize, index, &entry.type);
  return entry;
}

bool PxeVendorOptions::wants_discovery(bool offer_has_boot_file) const {
  if (!has_menu() && !has_servers()) return false;
  return !(offer_has_boot_file && (control_ & pxe_discovery::kUseBootFile));
}

Result<PxeMenuItem> PxeVendorOptions::choose(size_t pinned) const {
  size_t count = menu_count();
  if (pinned != 0) {
    if (pinned > count) return bad(Errc::BadValue);
    return menu_item(pinned - 1);
  }
  for (size_t i = 0; i < count; ++i) {
    PxeMenuItem item = menu_item(i);
    if (item.type != kPxeLocalBoot) return item;
  }
  if (count == 0 && has_servers()) {
    PxeMenuItem item;
    item.type = server_entry(0).type;
    return item;
  }
  return bad(Errc::NotFound);
}

size_t pxe_emit_boot_item(uint16_t type, uint16_t layer, MutableBytes out) {
  if (out.size() < kPxeBootItemOptionLen) return 0;
  out[0] = PxeVendorOptions::kBootItem;
  out[1] = PxeVendorOptions::kBootItemLen;
  store_be16(out.data() + 2, type);
  store_be16(out.data() + 4, layer);
  out[6] = dhcp_option::kEnd;
  return kPxeBootItemOptionLen;
}

}  // namespace mpxe::net
