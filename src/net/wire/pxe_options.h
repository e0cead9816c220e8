// The PXE vendor options: DHCP option 43 when option 60 is "PXEClient" (PXE 2.1
// section 2.4, RFC 4578). A boot menu, the boot servers of each type and how the
// client may reach them; the one gate, PxeVendorOptions::parse, checks every
// sub-option against its layout so that nothing read afterwards can fail.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv4_address.h"

namespace mpxe::net {

// PXE_DISCOVERY_CONTROL (sub-option 6) bits.
namespace pxe_discovery {
inline constexpr uint8_t kNoBroadcast = 0x01;    // bit 0: disable broadcast discovery
inline constexpr uint8_t kNoMulticast = 0x02;    // bit 1: disable multicast discovery
inline constexpr uint8_t kListedOnly = 0x04;     // bit 2: only use/accept PXE_BOOT_SERVERS
inline constexpr uint8_t kUseBootFile = 0x08;    // bit 3: a file in the offer: boot it
}  // namespace pxe_discovery

// A PXE_BOOT_MENU item of type 0 means "boot from the local disk" (PXE 2.1 2.4.4.4;
// dnsmasq writes a pxe-service without a file so).
inline constexpr uint16_t kPxeLocalBoot = 0;
// PXE_BOOT_ITEM's layer: bits 0-14 the layer, bit 15 "credentials requested" (BIS).
inline constexpr uint16_t kPxeLayerMask = 0x7FFF;
// PXE_MENU_PROMPT's timeout 255: "wait for the user" (PXE 2.1 2.4.4.5).
inline constexpr uint8_t kPxePromptForever = 255;

struct PxeMenuItem {
  uint16_t type = 0;
  Bytes description;  // not NUL-terminated
};

// One entry of PXE_BOOT_SERVERS: a server type and its addresses.
struct PxeBootServerEntry {
  static constexpr size_t kHeaderLen = 3;  // type (2), address count (1)
  uint16_t type = 0;
  Bytes addresses;  // 4 bytes each, count() of them

  size_t count() const { return addresses.size() / Ipv4Address::kSize; }
  Ipv4Address address(size_t i) const {
    return Ipv4Address::from_bytes(addresses.data() + i * Ipv4Address::kSize);
  }
};

class PxeVendorOptions {
 public:
  static constexpr uint8_t kDiscoveryControl = 6;
  static constexpr uint8_t kMulticastAddress = 7;
  static constexpr uint8_t kBootServers = 8;
  static constexpr uint8_t kBootMenu = 9;
  static constexpr uint8_t kMenuPrompt = 10;
  static constexpr uint8_t kBootItem = 71;
  static constexpr size_t kBootItemLen = 4;
  static constexpr size_t kMenuItemHeaderLen = 3;  // type (2), description length (1)

  // Every sub-option checked: a sub-option that runs past the option's end, a menu
  // item or server list longer than its sub-option, or a fixed-size sub-option of
  // the wrong size is an error of Layer::Dhcp (Truncated, BadLength, BadOption).
  // Sub-options this client does not use (MTFTP 1-5, vendor ones) are skipped.
  static Result<PxeVendorOptions> parse(Bytes option43);

  uint8_t control() const { return control_; }  // 0 when sub-option 6 is absent
  bool has_control() const { return has_control_; }
  bool has_multicast() const { return has_multicast_; }
  Ipv4Address multicast() const { return multicast_; }

  size_t menu_count() const;
  PxeMenuItem menu_item(size_t index) const;  // index < menu_count()
  bool has_menu() const { return !menu_.empty(); }

  size_t server_entry_count() const;
  PxeBootServerEntry server_entry(size_t index) const;  // index < server_entry_count()
  bool has_servers() const { return !servers_.empty(); }

  bool has_prompt() const { return has_prompt_; }
  uint8_t prompt_timeout() const { return prompt_timeout_; }  // seconds
  Bytes prompt_text() const { return prompt_text_; }

  bool has_boot_item() const { return has_boot_item_; }
  uint16_t boot_item_type() const { return item_type_; }
  uint16_t boot_item_layer() const { return item_layer_; }

  // The offer asks for boot server discovery: it carries a menu or a server list,
  // and does not say to boot a file it names (control bit 3 with a file).
  bool wants_discovery(bool offer_has_boot_file) const;

  // The menu item to boot: `pinned` (1-based, 0 = none) names one, else the first
  // item that is not local boot. NotFound when there is none; BadValue when the
  // pinned item is past the menu. Without a menu but with a server list, the first
  // server entry's type stands for the item.
  Result<PxeMenuItem> choose(size_t pinned) const;

 private:
  uint8_t control_ = 0;
  bool has_control_ = false;
  bool has_multicast_ = false;
  bool has_prompt_ = false;
  bool has_boot_item_ = false;
  uint8_t prompt_timeout_ = 0;
  uint16_t item_type_ = 0;
  uint16_t item_layer_ = 0;
  Ipv4Address multicast_;
  Bytes servers_;
  Bytes menu_;
  Bytes prompt_text_;
};

// Option 43's value for a discovery request: PXE_BOOT_ITEM (type, layer), End.
// Returns the length written, 0 when `out` is too small.
size_t pxe_emit_boot_item(uint16_t type, uint16_t layer, MutableBytes out);
inline constexpr size_t kPxeBootItemOptionLen = 2 + PxeVendorOptions::kBootItemLen + 1;

}  // namespace mpxe::net
