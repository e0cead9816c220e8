// A DHCPv6 client run to a usable address: the client (dhcpv6_client.h) as the
// router advertisement chose it, and in stateful mode the IA_NA address it is
// given handed to the interface (Dhcpv6AddressHolder, the slot Slaac keeps for
// it), its duplicate address detection awaited (RFC 8415 18.2.10.1), and a
// duplicate declined and another address asked for:
//
//   Running --client Bound, no address (stateless)-------------------> Bound
//      |  ^ --client Bound, address--> Testing --DAD passed----------> Bound
//      |  |                              |
//      |  +------ Duplicate: decline() --+      address refused, DAD
//      v                                        over its bound, lost --> Failed
//   Failed (the client's failure: after kMaxRestarts declines, AddressInUse)
//
// The declines are bounded by the client's restarts; each is kept (declines())
// so the caller can name them. Like the client it does no I/O: time comes in
// through `now`, sends leave through the UdpSender handed to poll().
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "net/clock.h"
#include "net/error.h"
#include "net/result.h"
#include "net/socket/dhcpv6_client.h"
#include "net/socket/slaac.h"
#include "net/socket/udp_endpoint.h"
#include "net/wire/ip_address.h"
#include "net/wire/ipv6_address.h"

namespace mpxe::net {

// Where a stateful address goes: the interface (Interface implements it).
class Dhcpv6AddressHolder {
 public:
  // Lifetimes in seconds (0xffffffff: for ever); the address runs DAD unless it
  // is already ours.
  virtual Result<void> set_dhcpv6_address(const Ipv6Address& address, uint32_t preferred_s,
                                          uint32_t valid_s) = 0;
  // The slot it is held in: Tentative while DAD runs, then usable or Duplicate.
  virtual const SlaacAddress& dhcpv6_address() const = 0;

 protected:
  ~Dhcpv6AddressHolder() = default;
};

enum class Dhcpv6BindingState : uint8_t {
  Idle,
  Running,  // the client is exchanging messages (or declining)
  Testing,  // the leased address is running DAD
  Bound,    // done: stateless, or the address is usable
  Failed,   // done: failure() says why
};

enum class Dhcpv6BindingFailure : uint8_t {
  None = 0,
  Client = 1,          // the client failed: its failure() says why
  AddressRefused = 2,  // the interface refused the leased address: error()
  DadTimeout = 3,      // DAD did not end within kDadLimit
  AddressLost = 4,     // the interface dropped the address before DAD ended
};
const char* dhcpv6_binding_failure_text(Dhcpv6BindingFailure failure);

// One address DAD found in use and the client declined.
struct Dhcpv6Decline {
  Ipv6Address address;
  DadConflict conflict = DadConflict::None;
  IpAddress server;  // the one that assigned it
  Millis at = 0;
};

class Dhcpv6Binding {
 public:
  // Every restart of the client may follow a decline, and the last one too.
  static constexpr size_t kMaxDeclines = Dhcpv6Client::kMaxRestarts + 1;
  // DAD takes RetransTimer (1 s) once the probe is out; a margin for sends the
  // interface could not make at once.
  static constexpr Millis kDadLimit = 3000;

  // Both must outlive the binding; the client is bound to port 546 by the caller.
  Dhcpv6Binding(Dhcpv6Client& client, Dhcpv6AddressHolder& holder)
      : client_(client), holder_(holder) {}

  // Starts the client (or starts over), forgetting the declines.
  void start(Millis now);
  void poll(Millis now, UdpSender& tx);
  Millis next_deadline() const;

  Dhcpv6BindingState state() const { return state_; }
  bool done() const {
    return state_ == Dhcpv6BindingState::Bound || state_ == Dhcpv6BindingState::Failed;
  }
  Dhcpv6BindingFailure failure() const { return failure_; }
  // Failed: the client's error, or the interface's refusal.
  Error error() const;
  // Bound with a stateful address: it is usable on the interface.
  bool has_address() const {
    return state_ == Dhcpv6BindingState::Bound && client_.lease().has_address;
  }
  const Ipv6Address& address() const { return client_.lease().address; }
  // How long the last DAD took (Bound with an address).
  Millis dad_ms() const { return dad_ms_; }
  size_t decline_count() const { return decline_count_; }
  const Dhcpv6Decline& decline(size_t i) const { return declines_[i]; }
  const Dhcpv6Client& client() const { return client_; }

 private:
  void take_lease(Millis now, UdpSender& tx);
  void watch_dad(Millis now, UdpSender& tx);
  void fail(Dhcpv6BindingFailure failure, Error error = Error());

  Dhcpv6Client& client_;
  Dhcpv6AddressHolder& holder_;
  Dhcpv6BindingState state_ = Dhcpv6BindingState::Idle;
  Dhcpv6BindingFailure failure_ = Dhcpv6BindingFailure::None;
  Error error_;
  Millis dad_started_ = 0;
  Millis dad_ms_ = 0;
  Dhcpv6Decline declines_[kMaxDeclines];
  size_t decline_count_ = 0;
};

}  // namespace mpxe::net
