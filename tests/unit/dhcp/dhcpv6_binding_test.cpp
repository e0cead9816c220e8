// Dhcpv6Binding (src/net/socket/dhcpv6_binding.cpp): the DHCPv6 client run on
// dnsmasq's and slirp's captured messages (dhcpv6_frames.h), with the interface's
// DAD outcome scripted in a fake holder at explicit milliseconds.
#include "net/socket/dhcpv6_binding.h"

#include <gtest/gtest.h>

#include <vector>

#include "dhcpv6_frames.h"
#include "dhcpv6_test_util.h"
#include "net/socket/dhcpv6_client.h"
#include "net/wire/dhcpv6.h"

namespace mpxe::net::test {
namespace {

using namespace v6frames;


class FakeHolder final : public Dhcpv6AddressHolder {
 public:
  struct Set {
    Ipv6Address address;
    uint32_t preferred_s, valid_s;
  };
  Result<void> set_dhcpv6_address(const Ipv6Address& address, uint32_t preferred_s,
                                  uint32_t valid_s) override {
    if (refuse.is_error()) return refuse;
    sets.push_back(Set{address, preferred_s, valid_s});
    // As Slaac does: a new address starts DAD, the one held again keeps its state.
    if (slot.state == SlaacAddressState::Empty || slot.address != address) {
      slot = SlaacAddress{};
      slot.address = address;
      slot.state = SlaacAddressState::Tentative;
    }
    return {};
  }
  const SlaacAddress& dhcpv6_address() const override { return slot; }

  void dad_passes() { slot.state = SlaacAddressState::Preferred; }
  void dad_finds(DadConflict conflict) {
    slot.state = SlaacAddressState::Duplicate;
    slot.conflict = conflict;
  }

  SlaacAddress slot;
  std::vector<Set> sets;
  Error refuse;
};

uint8_t type_of(const RecordingSender::Sent& sent) { return sent.bytes[0]; }
constexpr uint8_t kSolicitType = static_cast<uint8_t>(Dhcpv6MessageType::Solicit);
constexpr uint8_t kRequestType = static_cast<uint8_t>(Dhcpv6MessageType::Request);
constexpr uint8_t kDeclineType = static_cast<uint8_t>(Dhcpv6MessageType::Decline);

class Dhcpv6BindingTest : public ::testing::Test {
 protected:
  // Plays dnsmasq: answers whatever the client sent last, as the interface would
  // deliver it, then polls the binding as the caller's loop does.
  void answer_and_poll(Millis now) {
    binding.poll(now, tx);
    while (answered < tx.count()) {
      const RecordingSender::Sent& sent = tx.sent[answered++];
      uint32_t xid = client.transaction_id();
      if (type_of(sent) == kSolicitType) {
        Buffer adv = with_xid6(Bytes(kDnsmasqAdvertise), xid);
        client.on_datagram(from6(kDnsmasqLinkLocal), view(adv), now, tx);
      } else if (type_of(sent) == kRequestType || type_of(sent) == kDeclineType) {
        Buffer reply = with_xid6(Bytes(kDnsmasqReply), xid);
        client.on_datagram(from6(kDnsmasqLinkLocal), view(reply), now, tx);
      }
      binding.poll(now, tx);
    }
  }
  // Runs the exchange until the binding tests an address (or is done).
  Millis run_to_dad(Millis now) {
    while (binding.state() == Dhcpv6BindingState::Running) {
      answer_and_poll(now);
      if (binding.state() != Dhcpv6BindingState::Running) break;
      now = binding.next_deadline();
      EXPECT_NE(now, kNever);
      if (now == kNever) break;
    }
    return now;
  }

  ScriptedRandom random;  // RAND = 0, every xid 0
  RecordingSender tx;
  size_t answered = 0;
  FakeHolder holder;
  Dhcpv6Client client{config_for(Dhcpv6Mode::Stateful), random};
  Dhcpv6Binding binding{client, holder};
};

TEST_F(Dhcpv6BindingTest, LeasedAddressGoesToTheInterfaceAndIsBoundOnceDadPasses) {
  binding.start(0);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Running);
  Millis now = run_to_dad(0);
  ASSERT_EQ(binding.state(), Dhcpv6BindingState::Testing);
  ASSERT_EQ(holder.sets.size(), 1u);
  EXPECT_EQ(holder.sets[0].address, kLeased);
  EXPECT_EQ(holder.sets[0].preferred_s, 3600u);
  EXPECT_EQ(holder.sets[0].valid_s, 3600u);
  // Not usable, not done while DAD runs; the fence is the binding's deadline.
  EXPECT_FALSE(binding.done());
  EXPECT_FALSE(binding.has_address());
  EXPECT_EQ(binding.next_deadline(), now + Dhcpv6Binding::kDadLimit);
  binding.poll(now + 500, tx);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Testing);
  holder.dad_passes();
  binding.poll(now + 1000, tx);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Bound);
  EXPECT_TRUE(binding.done());
  EXPECT_TRUE(binding.has_address());
  EXPECT_EQ(binding.address(), kLeased);
  EXPECT_EQ(binding.dad_ms(), 1000u);
  EXPECT_EQ(binding.decline_count(), 0u);
  EXPECT_EQ(binding.next_deadline(), kNever);
  EXPECT_EQ(client.stats().declines_sent, 0u);
}

TEST_F(Dhcpv6BindingTest, DuplicateIsDeclinedNamedAndTheNextLeaseTested) {
  binding.start(0);
  Millis now = run_to_dad(0);
  ASSERT_EQ(binding.state(), Dhcpv6BindingState::Testing);
  holder.dad_finds(DadConflict::Advertised);
  size_t before = tx.count();
  binding.poll(now + 800, tx);
  // The Decline leaves in the same poll, from the link-local address.
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Running);
  ASSERT_EQ(tx.count(), before + 1);
  EXPECT_EQ(type_of(tx.last()), kDeclineType);
  EXPECT_EQ(tx.last().meta.src, IpAddress(kLinkLocal));
  ASSERT_EQ(binding.decline_count(), 1u);
  EXPECT_EQ(binding.decline(0).address, kLeased);
  EXPECT_EQ(binding.decline(0).conflict, DadConflict::Advertised);
  EXPECT_EQ(binding.decline(0).server, IpAddress(ip6(kDnsmasqLinkLocal)));
  EXPECT_EQ(binding.decline(0).at, now + 800);
  // dnsmasq forgets Declines: the same address again, still a duplicate on the
  // interface, is declined again at once, without a second DAD.
  now += 800;
  for (;;) {
    answer_and_poll(now);
    if (holder.sets.size() == 2) break;
    now = binding.next_deadline();
    ASSERT_NE(now, kNever);
  }
  EXPECT_EQ(holder.sets[1].address, kLeased);
  EXPECT_EQ(binding.decline_count(), 2u);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Running);
  EXPECT_EQ(client.stats().declines_sent, 2u);
  // The holder's slot emptied by the interface (as if the address had gone):
  // the third lease runs DAD again, and passes.
  holder.slot = SlaacAddress{};
  now = run_to_dad(now);
  ASSERT_EQ(binding.state(), Dhcpv6BindingState::Testing);
  EXPECT_EQ(holder.sets.size(), 3u);
  holder.dad_passes();
  binding.poll(now + 1000, tx);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Bound);
  EXPECT_EQ(binding.decline_count(), 2u);
  EXPECT_EQ(client.stats().restarts, 2);
}

TEST_F(Dhcpv6BindingTest, EveryLeaseInUseFailsAfterTheClientsRestartsWithEachDeclineKept) {
  binding.start(0);
  Millis now = 0;
  int rounds = 0;
  while (!binding.done() && rounds < 10) {
    holder.slot = SlaacAddress{};  // each lease runs a DAD of its own
    now = run_to_dad(now);
    if (binding.state() != Dhcpv6BindingState::Testing) break;
    ++rounds;
    holder.dad_finds(DadConflict::Probed);
    binding.poll(now + 1000, tx);
    now += 1000;
  }
  EXPECT_EQ(rounds, Dhcpv6Client::kMaxRestarts + 1);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Failed);
  EXPECT_EQ(binding.failure(), Dhcpv6BindingFailure::Client);
  EXPECT_EQ(client.failure(), Dhcpv6Failure::AddressInUse);
  EXPECT_EQ(binding.error(), Error(Layer::Dhcp, Errc::InUse));
  ASSERT_EQ(binding.decline_count(), Dhcpv6Binding::kMaxDeclines);
  for (size_t i = 0; i < binding.decline_count(); ++i) {
    EXPECT_EQ(binding.decline(i).address, kLeased);
    EXPECT_EQ(binding.decline(i).conflict, DadConflict::Probed);
  }
  EXPECT_FALSE(binding.has_address());
}

TEST_F(Dhcpv6BindingTest, AddressTheInterfaceRefusesFailsWithItsError) {
  holder.refuse = Error(Layer::Iface, Errc::BadValue);
  binding.start(0);
  run_to_dad(0);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Failed);
  EXPECT_EQ(binding.failure(), Dhcpv6BindingFailure::AddressRefused);
  EXPECT_EQ(binding.error(), Error(Layer::Iface, Errc::BadValue));
  EXPECT_STREQ(dhcpv6_binding_failure_text(binding.failure()),
               "the interface refused the leased address");
}

TEST_F(Dhcpv6BindingTest, DadThatNeverEndsFailsAtItsFence) {
  binding.start(0);
  Millis now = run_to_dad(0);
  ASSERT_EQ(binding.state(), Dhcpv6BindingState::Testing);
  binding.poll(now + Dhcpv6Binding::kDadLimit - 1, tx);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Testing);
  binding.poll(now + Dhcpv6Binding::kDadLimit, tx);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Failed);
  EXPECT_EQ(binding.failure(), Dhcpv6BindingFailure::DadTimeout);
}

TEST_F(Dhcpv6BindingTest, AddressGoneFromTheInterfaceDuringDadFails) {
  binding.start(0);
  Millis now = run_to_dad(0);
  ASSERT_EQ(binding.state(), Dhcpv6BindingState::Testing);
  holder.slot = SlaacAddress{};
  binding.poll(now + 10, tx);
  EXPECT_EQ(binding.failure(), Dhcpv6BindingFailure::AddressLost);
  // Another address in the slot is not ours either.
  binding.start(now + 20);
  now = run_to_dad(now + 20);
  ASSERT_EQ(binding.state(), Dhcpv6BindingState::Testing);
  holder.slot.address = ip6("fd00:6d70:7865::101");
  binding.poll(now + 10, tx);
  EXPECT_EQ(binding.failure(), Dhcpv6BindingFailure::AddressLost);
}

TEST_F(Dhcpv6BindingTest, ClientFailurePassesThrough) {
  binding.start(0);
  Millis now = 0;
  while (!binding.done()) {
    binding.poll(now, tx);  // nobody answers
    if (!binding.done()) now = binding.next_deadline();
  }
  EXPECT_EQ(binding.failure(), Dhcpv6BindingFailure::Client);
  EXPECT_EQ(client.failure(), Dhcpv6Failure::NoAdvertise);
  EXPECT_EQ(binding.error(), Error(Layer::Dhcp, Errc::TimedOut));
  EXPECT_EQ(now, Dhcpv6Client::kSolicitDuration);
  EXPECT_TRUE(holder.sets.empty());
}

TEST(Dhcpv6BindingStateless, SlirpReplyBindsWithoutAnAddress) {
  ScriptedRandom random{0x736c72};  // the captured transaction id
  RecordingSender tx;
  FakeHolder holder;
  Dhcpv6Client client(config_for(Dhcpv6Mode::Stateless), random);
  Dhcpv6Binding binding(client, holder);
  binding.start(0);
  binding.poll(0, tx);
  ASSERT_EQ(tx.count(), 1u);
  EXPECT_EQ(tx.last().bytes, buf(Bytes(kSlirpInformationRequest)));
  client.on_datagram(from6(kSlirpServer, kSlirpSourcePort), Bytes(kSlirpReply), 30, tx);
  EXPECT_FALSE(binding.done());  // until the caller's next poll
  binding.poll(30, tx);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Bound);
  EXPECT_FALSE(binding.has_address());
  EXPECT_TRUE(holder.sets.empty());
  EXPECT_TRUE(client.lease().has_boot_file());
}

}  // namespace
}  // namespace mpxe::net::test
