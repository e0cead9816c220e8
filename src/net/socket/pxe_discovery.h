// PXE 2.1 boot server discovery (section 2.2.5 and 2.4.4), as a state machine that
// does no I/O (the same manner as DhcpClient): once the address is bound, the
// client asks for a boot server of one type -- the menu item chosen -- with a
// DHCPREQUEST that carries option 43 sub-option 71 (PXE_BOOT_ITEM: type, layer),
// and takes the boot file and server from the DHCPACK that echoes the item.
//
// Where the request goes, in this order, as PXE_DISCOVERY_CONTROL allows:
//   multicast   to the DISCOVERY_MCAST_ADDR, port 4011   unless bit 1, or no address
//   broadcast   to 255.255.255.255, port 67              unless bit 0
//   unicast     to each PXE_BOOT_SERVERS address of the type, port 4011
// and, when the control bits leave none of these, unicast to the server whose
// options held the menu (the ProxyDHCP server, or the DHCP server), port 4011 --
// where dnsmasq, WDS and Serva answer. With bit 2 set only a listed server's
// reply counts. Each destination gets 4 sends 0.5, 1, 2, 4 s apart (jittered),
// then the next one; an ICMP port unreachable moves on at once. A reply for
// another item type, another transaction or another client is ignored.
//
// The request leaves from port 68 with ciaddr set, as iPXE sends it: servers
// answer to the source port, and the reply comes unicast to our address.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "net/socket/backoff.h"
#include "net/socket/dhcp_client.h"
#include "net/socket/udp_endpoint.h"
#include "net/wire/pxe_options.h"

namespace mpxe::net {

struct PxeDiscoveryRequest {
  static constexpr size_t kMaxTargets = 6;

  Ipv4Address client;  // our bound address: ciaddr and the source
  uint16_t type = 0;   // the boot server type (the menu item)
  uint16_t layer = 0;
  uint8_t control = 0;     // PXE_DISCOVERY_CONTROL bits
  Ipv4Address multicast;   // unspecified: no multicast address was given
  Ipv4Address servers[kMaxTargets];  // the PXE_BOOT_SERVERS addresses of `type`
  uint8_t server_count = 0;
  bool unicast = true;      // ask `servers` by unicast (else they only limit who is heard)
  Ipv4Address menu_server;  // who sent the options; the last resort

  // The request for item `type` under the options a server sent.
  static PxeDiscoveryRequest from_options(const PxeVendorOptions& options, uint16_t type,
                                          Ipv4Address client, Ipv4Address menu_server);
};

// EFI_PXE_BASE_CODE_DISCOVER_INFO as a caller of the PXE Base Code's Discover
// gives it (UEFI 2.10 24.3.5), without the UEFI types.
struct PxeDiscoverInfo {
  struct Server {
    uint16_t type = 0;
    bool accept_any = false;  // a reply from this server counts whatever item it names
    Ipv4Address address;
  };
  bool use_multicast = false;
  bool use_broadcast = false;
  bool use_unicast = false;
  bool must_use_list = false;
  Ipv4Address multicast;
  Server servers[PxeDiscoveryRequest::kMaxTargets];
  uint8_t server_count = 0;
};
// The request Discover(type, layer, info) makes: the list's servers of `type`
// (or that accept any) are the unicast targets and, with must_use_list, the
// only ones heard.
PxeDiscoveryRequest pxe_request_from_info(const PxeDiscoverInfo& info, uint16_t type,
                                          uint16_t layer, Ipv4Address client);

// What a boot makes of a lease that needs discovery: the PXE options, the menu
// item to ask for (`pinned`, 1-based, else the first that is not local boot),
// how long the menu prompt asks to wait first, and the request.
struct PxeBootPlan {
  static constexpr Millis kNoWait = 0;

  PxeVendorOptions options;
  PxeMenuItem item;
  bool local_boot = false;     // the item chosen is "boot from the local disk"
  bool waits_for_key = false;  // the prompt's timeout is 255: "wait for the user"
  Millis prompt_wait = kNoWait;
  PxeDiscoveryRequest request;
};
// Errors: the options' own (malformed option 43), NotFound (no item to boot),
// BadValue (`pinned` past the menu).
Result<PxeBootPlan> pxe_plan_boot(const DhcpLease& lease, size_t pinned);

enum class PxeDiscoveryState : uint8_t { Idle, Discovering, Done, Failed };

enum class PxeDiscoveryFailure : uint8_t {
  None = 0,
  NoTarget = 1,     // the control bits and lists leave nowhere to ask
  NoReply = 2,      // every destination stayed silent
  SendFailed = 3,   // the link refused every send
};
const char* pxe_discovery_failure_text(PxeDiscoveryFailure failure);

enum class PxeDiscoveryDrop : uint8_t {
  Malformed = 0,    // the DHCP wire check or option walk failed
  NotOurs = 1,      // not a BOOTREPLY ACK for this transaction and hardware address
  WrongItem = 2,    // option 71 names another boot server type
  NotListed = 3,    // control bit 2, and the sender is not a listed server
  WrongState = 4,   // nothing is expected now
};
inline constexpr size_t kPxeDiscoveryDropReasons = 5;
const char* pxe_discovery_drop_text(PxeDiscoveryDrop drop);

class PxeDiscovery final : public UdpEndpoint {
 public:
  static constexpr Millis kFirstTimeout = 500;
  static constexpr uint8_t kSendsPerTarget = 4;
  static constexpr Millis kSendRetry = 20;
  static constexpr uint16_t kMulticastPort = 4011;

  // `identity` says who asks (MAC, PXE or HTTP class, GUID), as for DhcpClient.
  PxeDiscovery(const DhcpConfig& identity, Random& random);

  // Starts a discovery; the first request goes out at the next poll(). Ends in
  // Failed(NoTarget) at once when there is nowhere to send it.
  void start(const PxeDiscoveryRequest& request, Millis now);

  void on_datagram(const UdpMeta& meta, Bytes payload, Millis now, UdpSender& tx) override;
  void on_unreachable(const UdpMeta& quoted, uint8_t code, Millis now) override;
  void poll(Millis now, UdpSender& tx);
  Millis next_deadline() const;

  PxeDiscoveryState state() const { return state_; }
  bool done() const {
    return state_ == PxeDiscoveryState::Done || state_ == PxeDiscoveryState::Failed;
  }
  PxeDiscoveryFailure failure() const { return failure_; }
  Error error() const;

  // After Done: the reply's boot server (siaddr, else option 54, else its sender),
  // boot file, the layer it granted, and both packets as they were on the wire.
  Ipv4Address boot_server() const { return boot_server_; }
  const DhcpText<255>& boot_file() const { return boot_file_; }
  uint16_t layer() const { return layer_; }
  Ipv4Address replied_from() const { return replied_from_; }
  const DhcpRawPacket& request_packet() const { return request_; }
  const DhcpRawPacket& reply_packet() const { return reply_; }

  uint32_t xid() const { return xid_; }
  uint8_t target_count() const { return target_count_; }
  uint8_t target_index() const { return target_; }
  UdpMeta target(size_t index) const { return targets_[index]; }
  uint16_t requests_sent() const { return requests_sent_; }
  uint32_t drops(PxeDiscoveryDrop reason) const { return dropped_[static_cast<size_t>(reason)]; }
  Error last_error() const { return last_error_; }

 private:
  void add_target(Ipv4Address dst, uint16_t port);
  void next_target(Millis now);
  void drop(PxeDiscoveryDrop reason) { ++dropped_[static_cast<size_t>(reason)]; }
  bool is_listed(Ipv4Address address) const;
  Result<void> send(Millis now, UdpSender& tx);
  size_t build(Millis now, MutableBytes out);

  DhcpConfig identity_;
  Random& random_;
  PxeDiscoveryRequest request_info_;
  PxeDiscoveryState state_ = PxeDiscoveryState::Idle;
  PxeDiscoveryFailure failure_ = PxeDiscoveryFailure::None;
  UdpMeta targets_[PxeDiscoveryRequest::kMaxTargets + 3];
  uint8_t target_count_ = 0;
  uint8_t target_ = 0;
  Backoff rt_;
  bool any_sent_ = false;
  Millis started_ = 0;
  uint32_t xid_ = 0;
  uint16_t requests_sent_ = 0;
  uint32_t dropped_[kPxeDiscoveryDropReasons] = {};
  Error last_error_;
  Error send_error_;
  Ipv4Address boot_server_;
  Ipv4Address replied_from_;
  DhcpText<255> boot_file_;
  uint16_t layer_ = 0;
  DhcpRawPacket request_;
  DhcpRawPacket reply_;
};

}  // namespace mpxe::net
