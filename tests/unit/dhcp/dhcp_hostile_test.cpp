// Packets the client must ignore, each with the reason it counts: other clients'
// transactions, wrong hardware addresses, requests, truncated and hostile bytes.
// None of them may change the state or the lease.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "dhcp_frames.h"
#include "dhcp_test_util.h"
#include "net/socket/dhcp_client.h"

namespace mpxe::net::test {
namespace {

using namespace frames;

constexpr uint32_t kFullXid = 0x6D707865;

// A client in Selecting (DISCOVER sent at 0) for the "full" capture's xid.
class DhcpHostile : public ::testing::Test {
 protected:
  DhcpHostile() : random{kFullXid}, client(pxe_config(), random) {
    client.start(0);
    client.poll(0, tx);
  }

  // Feeds `packet` and expects it dropped for `reason`, nothing else changed.
  void expect_dropped(const Buffer& packet, DhcpDrop reason, UdpMeta meta = from_server("10.77.0.1")) {
    DhcpState before = client.state();
    uint32_t drops = client.stats().drops(reason);
    uint32_t accepted = client.stats().accepted;
    size_t sent = tx.count();
    client.on_datagram(meta, view(packet), 10, tx);
    EXPECT_EQ(client.stats().drops(reason), drops + 1) << dhcp_drop_text(reason);
    EXPECT_EQ(client.stats().last_drop, reason);
    EXPECT_EQ(client.stats().accepted, accepted);
    EXPECT_EQ(client.state(), before);
    EXPECT_EQ(tx.count(), sent);
  }
  void expect_malformed(const Buffer& packet, Errc reason) {
    expect_dropped(packet, DhcpDrop::Malformed);
    EXPECT_EQ(client.stats().last_error, Error(Layer::Dhcp, reason));
  }

  ScriptedRandom random;
  RecordingSender tx;
  DhcpClient client;
};

// Where dnsmasq's offer ends its options (the End option).
size_t end_of_options(const Buffer& p) {
  size_t at = DhcpPacket::kOptionsOffset;
  while (p[at] != 255) at += p[at] == 0 ? 1 : 2 + p[at + 1];
  return at;
}

TEST_F(DhcpHostile, AnotherClientsTransaction) {
  expect_dropped(with_xid(kFullOffer, kFullXid + 1), DhcpDrop::WrongXid);
}

TEST_F(DhcpHostile, AnotherClientsHardwareAddress) {
  Buffer offer = buf(kFullOffer);
  offer[DhcpPacket::kChaddrOffset + 5] ^= 1;
  expect_dropped(offer, DhcpDrop::WrongChaddr);
  Buffer short_hlen = buf(kFullOffer);
  short_hlen[DhcpPacket::kHlenOffset] = 4;
  expect_dropped(short_hlen, DhcpDrop::WrongChaddr);
  Buffer token_ring = buf(kFullOffer);
  token_ring[DhcpPacket::kHtypeOffset] = 6;
  expect_dropped(token_ring, DhcpDrop::WrongChaddr);
}

TEST_F(DhcpHostile, RequestsAreNotReplies) {
  // Our own DISCOVER looped back, and another client's.
  expect_dropped(buf(kFullDiscover), DhcpDrop::NotReply);
  Buffer op3 = buf(kFullOffer);
  op3[DhcpPacket::kOpOffset] = 3;
  expect_dropped(op3, DhcpDrop::NotReply);
}

TEST_F(DhcpHostile, OnlyFromServerPorts) {
  expect_dropped(buf(kFullOffer), DhcpDrop::WrongPort, from_server("10.77.0.1", 1067));
}

TEST_F(DhcpHostile, PlainBootpReply) {
  // Option 53 turned into a Pad-free unknown option 200 of the same length.
  Buffer bootp = buf(kFullOffer);
  ASSERT_EQ(bootp[DhcpPacket::kOptionsOffset], 53);
  bootp[DhcpPacket::kOptionsOffset] = 200;
  expect_dropped(bootp, DhcpDrop::NotDhcp);
}

TEST_F(DhcpHostile, AckWhileSelecting) {
  expect_dropped(buf(kFullAck), DhcpDrop::UnexpectedType);
  expect_dropped(buf(kFullNak), DhcpDrop::UnexpectedType);
}

TEST_F(DhcpHostile, OfferWithoutAddressIsNoProxyWithoutPxeClient) {
  Buffer offer = buf(kFullOffer);
  std::fill(offer.begin() + DhcpPacket::kYiaddrOffset, offer.begin() + DhcpPacket::kYiaddrOffset + 4, 0);
  expect_dropped(offer, DhcpDrop::NoAddress);
  Buffer broadcast = buf(kFullOffer);
  std::fill(broadcast.begin() + DhcpPacket::kYiaddrOffset,
            broadcast.begin() + DhcpPacket::kYiaddrOffset + 4, 0xFF);
  expect_dropped(broadcast, DhcpDrop::NoAddress);
}

TEST_F(DhcpHostile, OfferWithoutServerId) {
  Buffer offer = buf(kFullOffer);
  ASSERT_EQ(offer[DhcpPacket::kOptionsOffset + 3], 54);
  offer[DhcpPacket::kOptionsOffset + 3] = 201;  // some other option now
  expect_dropped(offer, DhcpDrop::NoServerId);
  // A proxy offer that names no server at all (no 54, siaddr 0) is useless too.
  Buffer proxy = with_xid(kProxyProxyOffer, kFullXid);
  proxy[DhcpPacket::kOptionsOffset + 3] = 201;
  std::fill(proxy.begin() + DhcpPacket::kSiaddrOffset, proxy.begin() + DhcpPacket::kSiaddrOffset + 4, 0);
  expect_dropped(proxy, DhcpDrop::NoServerId);
}

TEST_F(DhcpHostile, SecondProxyOfferIsADuplicate) {
  Buffer proxy = with_xid(kProxyProxyOffer, kFullXid);
  client.on_datagram(from_server("10.77.0.2"), view(proxy), 5, tx);
  EXPECT_EQ(client.stats().proxy_offers, 1);
  expect_dropped(proxy, DhcpDrop::Duplicate, from_server("10.77.0.2"));
}

TEST_F(DhcpHostile, TruncatedEverywhere) {
  Buffer offer = buf(kFullOffer);
  // Where options begin: a cut there leaves a shorter but well-formed message,
  // which is no error (a UDP datagram is whole or absent).
  std::vector<bool> boundary(offer.size() + 1, false);
  for (size_t at = DhcpPacket::kOptionsOffset; at < offer.size() && offer[at] != 255;
       at += offer[at] == 0 ? 1 : 2 + offer[at + 1])
    boundary[at] = true;
  for (size_t len = 0; len < end_of_options(offer); ++len) {
    if (boundary[len]) continue;
    Buffer cut(offer.begin(), offer.begin() + len);
    expect_malformed(cut, Errc::Truncated);
    ASSERT_FALSE(HasFailure()) << "cut at " << len;
  }
  // Cut right after the header and cookie: no option 53 at all.
  expect_dropped(Buffer(offer.begin(), offer.begin() + DhcpPacket::kOptionsOffset), DhcpDrop::NotDhcp);
  EXPECT_EQ(tx.count(), 1u);
}

TEST_F(DhcpHostile, BadMagic) {
  Buffer offer = buf(kFullOffer);
  offer[DhcpPacket::kMagicOffset] = 0;
  expect_malformed(offer, Errc::BadMagic);
}

TEST_F(DhcpHostile, HardwareLengthPastChaddr) {
  Buffer offer = buf(kFullOffer);
  offer[DhcpPacket::kHlenOffset] = 17;
  expect_malformed(offer, Errc::BadLength);
}

TEST_F(DhcpHostile, OptionRunsPastTheEnd) {
  Buffer offer = buf(kFullOffer);
  size_t end = end_of_options(offer);
  offer.resize(end + 3);
  offer[end] = 12;  // host name of 200 bytes, 2 present
  offer[end + 1] = 200;
  expect_malformed(offer, Errc::Truncated);
}

TEST_F(DhcpHostile, TheSummaryNamesEachFaultOnceWithItsFirstSender) {
  char text[240];
  EXPECT_EQ(dhcp_fault_summary(client.stats(), text, sizeof(text)), 0u);
  EXPECT_STREQ(text, "") << "nothing dropped yet";

  Buffer offer = buf(kFullOffer);
  size_t end = end_of_options(offer);
  offer.resize(end + 3);
  offer[end] = 12;
  offer[end + 1] = 200;
  expect_malformed(offer, Errc::Truncated);
  Buffer other = buf(kFullOffer);
  other[DhcpPacket::kXidOffset] ^= 0xFF;
  expect_dropped(other, DhcpDrop::WrongXid, from_server("10.77.0.9"));
  EXPECT_EQ(dhcp_fault_summary(client.stats(), text, sizeof(text)), strlen(text));
  EXPECT_STREQ(text, "1 answer dropped: dhcp: truncated (1, first from 10.77.0.1)")
      << "another client's answer is no fault, and its sender is not named";

  Buffer bootp = buf(kFullOffer);
  bootp[DhcpPacket::kOptionsOffset] = 200;  // option 53 becomes an unknown one
  expect_dropped(bootp, DhcpDrop::NotDhcp, from_server("10.77.0.2"));
  Buffer bad_magic = buf(kFullOffer);
  bad_magic[DhcpPacket::kMagicOffset] = 0;
  expect_dropped(bad_magic, DhcpDrop::Malformed, from_server("10.77.0.4"));
  expect_dropped(bootp, DhcpDrop::NotDhcp, from_server("10.77.0.3"));
  expect_malformed(offer, Errc::Truncated);
  dhcp_fault_summary(client.stats(), text, sizeof(text));
  EXPECT_STREQ(text,
               "5 answers dropped: dhcp: truncated (2, first from 10.77.0.1); dhcp: bad magic (1, "
               "first from 10.77.0.4); no message type (BOOTP) (2, first from 10.77.0.2)")
      << "each reason and each kind of malformed once, with its count and first sender";

  char small[16];
  size_t full = dhcp_fault_summary(client.stats(), small, sizeof(small));
  EXPECT_EQ(full, strlen(text)) << "the full length, as format() gives it";
  EXPECT_EQ(std::string(small), std::string(text, sizeof(small) - 1));
}

TEST_F(DhcpHostile, EveryKindOfMalformedIsNamedApart) {
  Buffer truncated = buf(kFullOffer);
  truncated.resize(DhcpPacket::kOptionsOffset - 1);
  Buffer bad_magic = buf(kFullOffer);
  bad_magic[DhcpPacket::kMagicOffset] = 0;
  Buffer long_hlen = buf(kFullOffer);
  long_hlen[DhcpPacket::kHlenOffset] = 17;
  Buffer bad_type = buf(kFullOffer);
  bad_type[DhcpPacket::kOptionsOffset + 2] = 42;
  expect_malformed(truncated, Errc::Truncated);
  expect_malformed(bad_magic, Errc::BadMagic);
  expect_malformed(long_hlen, Errc::BadLength);
  expect_malformed(bad_type, Errc::BadOption);
  expect_malformed(bad_magic, Errc::BadMagic);
  char text[400];
  dhcp_fault_summary(client.stats(), text, sizeof(text));
  EXPECT_STREQ(text,
               "5 answers dropped: dhcp: truncated (1, first from 10.77.0.1); dhcp: bad magic (2, "
               "first from 10.77.0.1); dhcp: bad length (1, first from 10.77.0.1); dhcp: bad "
               "option (1, first from 10.77.0.1)")
      << "the four ways the wire check fails, each once with its count";
}

TEST_F(DhcpHostile, OptionOfTheWrongSize) {
  Buffer offer = buf(kFullOffer);
  // Option 54 (server id) claims 3 bytes: the first byte of its value becomes
  // the length of something else, so shorten the option and pad after it.
  ASSERT_EQ(offer[DhcpPacket::kOptionsOffset + 3], 54);
  offer[DhcpPacket::kOptionsOffset + 4] = 3;
  offer[DhcpPacket::kOptionsOffset + 8] = 0;  // a Pad in place of the 4th byte
  expect_malformed(offer, Errc::BadOption);
  Buffer bad_type = buf(kFullOffer);
  bad_type[DhcpPacket::kOptionsOffset + 2] = 42;  // message type 42
  expect_malformed(bad_type, Errc::BadOption);
  Buffer bad_overload = buf(kFullOffer);
  size_t end = end_of_options(bad_overload);
  bad_overload.resize(end + 4);
  bad_overload[end] = 52;
  bad_overload[end + 1] = 1;
  bad_overload[end + 2] = 7;  // no such overload value
  bad_overload[end + 3] = 255;
  expect_malformed(bad_overload, Errc::BadOption);
}

TEST_F(DhcpHostile, OverloadedFieldsWithBrokenOptions) {
  Buffer offer = buf(kFullOffer);
  size_t end = end_of_options(offer);
  offer.resize(end + 4);
  offer[end] = 52;
  offer[end + 1] = 1;
  offer[end + 2] = 3;
  offer[end + 3] = 255;
  // The file field now holds options: one whose length runs past the field.
  offer[DhcpPacket::kFileOffset] = 67;
  offer[DhcpPacket::kFileOffset + 1] = 200;
  expect_malformed(offer, Errc::Truncated);
}

TEST_F(DhcpHostile, LongerThanWeCanKeep) {
  Buffer offer = buf(kFullOffer);
  offer.resize(DhcpRawPacket::kCapacity + 1, 0);
  expect_dropped(offer, DhcpDrop::Oversize);
}

TEST_F(DhcpHostile, NothingExpectedOnceFailedOrBound) {
  client.on_datagram(from_server("10.77.0.1"), view(buf(kFullOffer)), 5, tx);
  client.on_datagram(from_server("10.77.0.1"), view(buf(kFullAck)), 6, tx);
  ASSERT_EQ(client.state(), DhcpState::Bound);
  expect_dropped(buf(kFullAck), DhcpDrop::WrongState);
  DhcpLease copy = client.lease();
  client.on_datagram(from_server("10.77.0.1"), view(buf(kFullNak)), 7, tx);
  EXPECT_EQ(client.state(), DhcpState::Bound);
  EXPECT_EQ(client.lease().address, copy.address);
}

TEST_F(DhcpHostile, AckFromAServerNotSelected) {
  client.on_datagram(from_server("10.77.0.1"), view(buf(kFullOffer)), 5, tx);
  ASSERT_EQ(client.state(), DhcpState::Requesting);
  Buffer ack = buf(kFullAck);
  ASSERT_EQ(ack[DhcpPacket::kOptionsOffset + 3], 54);
  ack[DhcpPacket::kOptionsOffset + 8] = 77;
  expect_dropped(ack, DhcpDrop::WrongServer);
  Buffer zero = buf(kFullAck);
  std::fill(zero.begin() + DhcpPacket::kYiaddrOffset, zero.begin() + DhcpPacket::kYiaddrOffset + 4, 0);
  expect_dropped(zero, DhcpDrop::NoAddress);
  expect_dropped(buf(kFullDiscover), DhcpDrop::NotReply);
  // A late offer of the same server while requesting: not what this state takes.
  expect_dropped(buf(kFullOffer), DhcpDrop::UnexpectedType);
  // Nor is an offer without address that is no ProxyDHCP offer (no "PXEClient").
  Buffer no_class = buf(kFullOffer);
  std::fill(no_class.begin() + DhcpPacket::kYiaddrOffset,
            no_class.begin() + DhcpPacket::kYiaddrOffset + 4, 0);
  expect_dropped(no_class, DhcpDrop::UnexpectedType);
  EXPECT_FALSE(client.lease().proxy_offer.valid());
}

}  // namespace
}  // namespace mpxe::net::test
