#include "net/socket/dhcpv6_binding.h"

#include "net/socket/backoff.h"

namespace mpxe::net {

namespace {

Millis add(Millis a, Millis b) { return Backoff::saturating_add(a, b); }

}  // namespace

const char* dhcpv6_binding_failure_text(Dhcpv6BindingFailure failure) {
  switch (failure) {
    case Dhcpv6BindingFailure::None: return "none";
    case Dhcpv6BindingFailure::Client: return "the DHCPv6 client failed";
    case Dhcpv6BindingFailure::AddressRefused: return "the interface refused the leased address";
    case Dhcpv6BindingFailure::DadTimeout: return "duplicate address detection did not end";
    case Dhcpv6BindingFailure::AddressLost: return "the leased address left the interface during DAD";
  }
  return "?";
}

void Dhcpv6Binding::start(Millis now) {
  state_ = Dhcpv6BindingState::Running;
  failure_ = Dhcpv6BindingFailure::None;
  error_ = Error();
  dad_ms_ = 0;
  decline_count_ = 0;
  client_.start(now);
}

Error Dhcpv6Binding::error() const {
  if (failure_ == Dhcpv6BindingFailure::Client) return client_.error();
  return error_;
}

void Dhcpv6Binding::fail(Dhcpv6BindingFailure failure, Error error) {
  state_ = Dhcpv6BindingState::Failed;
  failure_ = failure;
  error_ = error;
}

Millis Dhcpv6Binding::next_deadline() const {
  switch (state_) {
    case Dhcpv6BindingState::Running: return client_.next_deadline();
    // The interface runs DAD on its own timer; this one only fences it.
    case Dhcpv6BindingState::Testing: return add(dad_started_, kDadLimit);
    case Dhcpv6BindingState::Idle:
    case Dhcpv6BindingState::Bound:
    case Dhcpv6BindingState::Failed: return kNever;
  }
  return kNever;
}

void Dhcpv6Binding::poll(Millis now, UdpSender& tx) {
  switch (state_) {
    case Dhcpv6BindingState::Running:
      // The client may have gone Bound in on_datagram() since the last poll.
      client_.poll(now, tx);
      if (client_.state() == Dhcpv6State::Failed) fail(Dhcpv6BindingFailure::Client);
      else if (client_.state() == Dhcpv6State::Bound) take_lease(now, tx);
      break;
    case Dhcpv6BindingState::Testing: watch_dad(now, tx); break;
    case Dhcpv6BindingState::Idle:
    case Dhcpv6BindingState::Bound:
    case Dhcpv6BindingState::Failed: break;
  }
}

void Dhcpv6Binding::take_lease(Millis now, UdpSender& tx) {
  const Dhcpv6Lease& lease = client_.lease();
  if (!lease.has_address) {
    state_ = Dhcpv6BindingState::Bound;
    return;
  }
  Result<void> set =
      holder_.set_dhcpv6_address(lease.address, lease.preferred_lifetime, lease.valid_lifetime);
  if (!set) {
    fail(Dhcpv6BindingFailure::AddressRefused, set.error());
    return;
  }
  state_ = Dhcpv6BindingState::Testing;
  dad_started_ = now;
  // Already settled when the address was ours before (a SLAAC one), or a
  // duplicate already (the server offered a declined address again).
  watch_dad(now, tx);
}

void Dhcpv6Binding::watch_dad(Millis now, UdpSender& tx) {
  const SlaacAddress& held = holder_.dhcpv6_address();
  const Dhcpv6Lease& lease = client_.lease();
  if (held.state == SlaacAddressState::Empty || held.address != lease.address) {
    fail(Dhcpv6BindingFailure::AddressLost);
    return;
  }
  switch (held.state) {
    case SlaacAddressState::Preferred:
    case SlaacAddressState::Deprecated:
      state_ = Dhcpv6BindingState::Bound;
      dad_ms_ = now - dad_started_;
      return;
    case SlaacAddressState::Duplicate: {
      if (decline_count_ < kMaxDeclines)
        declines_[decline_count_] = Dhcpv6Decline{lease.address, held.conflict, lease.server, now};
      ++decline_count_;
      Result<void> declined = client_.decline(now);
      if (!declined) {
        fail(Dhcpv6BindingFailure::AddressLost, declined.error());
        return;
      }
      state_ = Dhcpv6BindingState::Running;
      client_.poll(now, tx);  // the Decline goes now
      return;
    }
    // Slaac runs DAD of a leased address tentative, never optimistic (slaac.h
    // says why); either way the lease is not the station's before DAD ends.
    case SlaacAddressState::Tentative:
    case SlaacAddressState::Optimistic:
      if (now >= add(dad_started_, kDadLimit)) fail(Dhcpv6BindingFailure::DadTimeout);
      return;
    case SlaacAddressState::Empty: return;  // handled above
  }
}

}  // namespace mpxe::net
