// Which server, file and router the shell reports (and fetches from) for leases
// captured on the wire: a lone DHCP server, and a ProxyDHCP network. The parsing
// itself is the wire layer's, tested in tests/unit/net.
#include "mpsh/lease.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "../dhcp/dhcpv6_frames.h"
#include "captured_dhcp.h"
#include "net/wire/dhcp.h"
#include "net/wire/dhcp_options.h"

namespace mpsh {
namespace {

using mpxe::net::DhcpPacket;
using mpxe::net::Ipv4Address;
using Packet = std::vector<uint8_t>;

// An EFI_PXE_BASE_CODE_PACKET is 1472 bytes; the DHCP message sits at its start.
constexpr size_t kPxePacketSize = 1472;

template <size_t N>
Packet captured(const uint8_t (&bytes)[N]) {
  return Packet(bytes, bytes + N);
}

// As the PXE Base Code's Mode holds it: zero-filled to the packet's full size.
Packet in_mode(Packet p) {
  p.resize(kPxePacketSize, 0);
  return p;
}

mpxe::Bytes view(const Packet& p) { return mpxe::Bytes(p.data(), p.size()); }

std::string text(Ipv4Address a) {
  char out[16];
  a.format(out, sizeof(out));
  return out;
}

Packet with_file_field(Packet p, const char* file) {
  std::memset(&p[DhcpPacket::kFileOffset], 0, DhcpPacket::kFileLen);
  std::memcpy(&p[DhcpPacket::kFileOffset], file, std::strlen(file));
  return p;
}

// Inserts an option before the end option.
Packet with_option(Packet p, std::vector<uint8_t> option) {
  size_t at = DhcpPacket::kOptionsOffset;
  while (p[at] != mpxe::net::dhcp_option::kEnd) at += p[at] == 0 ? 1 : 2 + p[at + 1];
  p.insert(p.begin() + static_cast<ptrdiff_t>(at), option.begin(), option.end());
  return p;
}

Packet with_siaddr(Packet p, Ipv4Address a) {
  a.write(&p[DhcpPacket::kSiaddrOffset]);
  return p;
}

const Packet kSlirpAck = captured(captured::kSlirpAck);
const Packet kDnsmasqAck = captured(captured::kDnsmasqAck);
const Packet kProxyOffer = captured(captured::kDnsmasqProxyOffer);
const Packet kPxeReply = captured(captured::kDnsmasqPxeReply);

TEST(Lease, SlirpAckNamesServerFileAndRouter) {
  for (const Packet& ack : {kSlirpAck, in_mode(kSlirpAck)}) {
    LeaseSummary s = summarize_lease(view(ack), mpxe::Bytes());
    ASSERT_TRUE(s.has_server);
    EXPECT_EQ(text(s.server), "10.0.2.2");
    EXPECT_STREQ(s.boot_file, "mpsh.efi");
    ASSERT_TRUE(s.has_router);
    EXPECT_EQ(text(s.router), "10.0.2.2");
  }
}

// The plain DHCP server's siaddr names itself, but the file is the boot server's:
// what OVMF booted came from 10.78.0.2, and so must what the shell fetches.
TEST(Lease, ProxyDhcpServerComesWithTheFileFromThePxeReply) {
  LeaseSummary s = summarize_lease(view(in_mode(kDnsmasqAck)), view(in_mode(kProxyOffer)),
                                   view(in_mode(kPxeReply)));
  ASSERT_TRUE(s.has_server);
  EXPECT_EQ(text(s.server), "10.78.0.2");
  EXPECT_STREQ(s.boot_file, "mpsh.efi");
  ASSERT_TRUE(s.has_router);
  EXPECT_EQ(text(s.router), "10.78.0.1");  // the lease's, not the proxy's
}

TEST(Lease, ProxyOfferNamingTheFileNamesTheServer) {
  Packet proxy = with_file_field(kProxyOffer, "pxe/boot.efi");
  LeaseSummary s = summarize_lease(view(kDnsmasqAck), view(proxy));
  EXPECT_EQ(text(s.server), "10.78.0.2");
  EXPECT_STREQ(s.boot_file, "pxe/boot.efi");
  // Without siaddr, the proxy's option 54 - still not the ack's siaddr.
  s = summarize_lease(view(kDnsmasqAck), view(with_siaddr(proxy, Ipv4Address())));
  EXPECT_EQ(text(s.server), "10.78.0.2");
  // A PXE reply naming a file outranks the proxy offer.
  Packet reply = with_siaddr(with_file_field(kPxeReply, "menu/item1.efi"),
                             Ipv4Address::of(10, 78, 0, 3));
  s = summarize_lease(view(kDnsmasqAck), view(proxy), view(reply));
  EXPECT_EQ(text(s.server), "10.78.0.3");
  EXPECT_STREQ(s.boot_file, "menu/item1.efi");
}

TEST(Lease, AckNamingAFileOutranksTheProxyOffer) {
  Packet proxy = with_file_field(kProxyOffer, "pxe/boot.efi");
  LeaseSummary s = summarize_lease(view(kSlirpAck), view(proxy));
  EXPECT_EQ(text(s.server), "10.0.2.2");
  EXPECT_STREQ(s.boot_file, "mpsh.efi");
}

// iPXE's Mode.DhcpAck merges the boot server's file into the DHCP server's ack;
// its PxeReply is the boot server's alone.
TEST(Lease, PxeReplyOutranksAnAckThatNamesTheSameFile) {
  Packet merged_ack = with_file_field(kDnsmasqAck, "mpsh.efi");
  LeaseSummary s = summarize_lease(view(merged_ack), mpxe::Bytes(), view(kPxeReply));
  EXPECT_EQ(text(s.server), "10.78.0.2");
  EXPECT_STREQ(s.boot_file, "mpsh.efi");
  EXPECT_EQ(text(s.router), "10.78.0.1");
  // With no proxy at all iPXE's PxeReply is a copy of its ack: the same answer.
  s = summarize_lease(view(kSlirpAck), mpxe::Bytes(), view(kSlirpAck));
  EXPECT_EQ(text(s.server), "10.0.2.2");
}

TEST(Lease, WithNoFileTheServerComesFromTheAckFirst) {
  LeaseSummary s = summarize_lease(view(kDnsmasqAck), view(kProxyOffer));
  ASSERT_TRUE(s.has_server);
  EXPECT_EQ(text(s.server), "10.78.0.1");
  EXPECT_STREQ(s.boot_file, "");
  // No siaddr anywhere: option 54.
  s = summarize_lease(view(with_siaddr(kDnsmasqAck, Ipv4Address())), mpxe::Bytes());
  EXPECT_EQ(text(s.server), "10.78.0.1");
  // Only a proxy offer.
  s = summarize_lease(mpxe::Bytes(), view(kProxyOffer));
  EXPECT_EQ(text(s.server), "10.78.0.2");
  EXPECT_FALSE(s.has_router);
}

TEST(Lease, Option67OutranksTheFileField) {
  Packet ack = with_option(kSlirpAck, {67, 7, 'a', '/', 'b', '.', 'e', 'f', 'i'});
  EXPECT_STREQ(summarize_lease(view(ack), mpxe::Bytes()).boot_file, "a/b.efi");
}

TEST(Lease, NonPrintableFileBytesAreMasked) {
  Packet ack = with_file_field(kSlirpAck, "a\x01" "b\x7f");
  EXPECT_STREQ(summarize_lease(view(ack), mpxe::Bytes()).boot_file, "a?b?");
}

TEST(Lease, MessagesThatFailTheCheckNameNothing) {
  Packet ack = kSlirpAck;
  ack[DhcpPacket::kMagicOffset] = 0;
  LeaseSummary s = summarize_lease(view(ack), mpxe::Bytes());
  EXPECT_FALSE(s.has_server);
  EXPECT_FALSE(s.has_router);
  EXPECT_STREQ(s.boot_file, "");
  EXPECT_EQ(text(s.server), "0.0.0.0");  // what `net` prints then
  s = summarize_lease(view(Packet(kSlirpAck.begin(), kSlirpAck.begin() + DhcpPacket::kOptionsOffset - 1)), mpxe::Bytes());
  EXPECT_FALSE(s.has_server);
  s = summarize_lease(mpxe::Bytes(), mpxe::Bytes());
  EXPECT_FALSE(s.has_server);
  EXPECT_STREQ(s.boot_file, "");
}

// A PXE Base Code running IPv6 keeps the DHCPv6 Reply in Mode.DhcpAck.
TEST(Lease6, DnsmasqsReplyInTheModeNamesItsTftpServerAndFile) {
  namespace v6 = mpxe::net::test::v6frames;
  Packet reply = in_mode(captured(v6::kDnsmasqReply));
  Lease6Summary s = summarize_lease6(view(reply));
  ASSERT_TRUE(s.has_url);
  EXPECT_STREQ(s.url, "tftp://[fd00:6d70:7865::1]/mpsh.efi");
  ASSERT_TRUE(s.has_server);
  EXPECT_EQ(s.server, mpxe::net::Ipv6Address::parse("fd00:6d70:7865::1").value());
  EXPECT_STREQ(s.boot_file, "mpsh.efi");
  // Exactly as long as the message, too.
  EXPECT_TRUE(summarize_lease6(view(captured(v6::kDnsmasqReply))).has_server);
}

TEST(Lease6, NoUrlOrABrokenMessageNamesNothing) {
  namespace v6 = mpxe::net::test::v6frames;
  EXPECT_FALSE(summarize_lease6(view(in_mode(captured(v6::kDnsmasqNoAddrsAdvertise)))).has_url);
  Packet cut = captured(v6::kDnsmasqReply);
  cut.resize(cut.size() - 3);  // the URL option runs past the end
  EXPECT_FALSE(summarize_lease6(view(cut)).has_url);
  EXPECT_FALSE(summarize_lease6(mpxe::Bytes()).has_url);
  EXPECT_FALSE(summarize_lease6(view(in_mode(Packet()))).has_url);
}

}  // namespace
}  // namespace mpsh
