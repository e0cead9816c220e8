// DHCPv6 (src/net/wire/dhcpv6.cpp, src/net/socket/dhcpv6_client.cpp) fed the
// messages dnsmasq 2.90 and QEMU's slirp sent to the client's own messages
// (dhcpv6_frames.h, made by capture_dhcpv6.py), hostile variations of them, and
// scripted exchanges at explicit milliseconds.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "dhcpv6_frames.h"
#include "dhcpv6_test_util.h"
#include "net/socket/dhcpv6_client.h"
#include "net/wire/dhcpv6.h"

namespace mpxe::net::test {
namespace {

using namespace v6frames;

constexpr char kBootUrl[] = "tftp://[fd00:6d70:7865::1]/mpsh.efi";

Dhcpv6Params params_of(Bytes message, uint32_t iaid = 0) {
  auto packet = Dhcpv6Packet::check(message);
  EXPECT_TRUE(packet.ok());
  auto params = Dhcpv6Params::parse(packet.value(), iaid);
  EXPECT_TRUE(params.ok()) << error_text(params.error());
  return params.value();
}

// ---- wire -------------------------------------------------------------------

TEST(Dhcpv6Wire, ReadsDnsmasqAdvertise) {
  Dhcpv6Params p = params_of(Bytes(kDnsmasqAdvertise), 0x00123456);
  EXPECT_EQ(p.msg_type, static_cast<uint8_t>(Dhcpv6MessageType::Advertise));
  EXPECT_EQ(p.transaction_id, 0x6d7078u);
  EXPECT_EQ(str(p.client_id).size(), 18u);
  EXPECT_EQ(p.server_id.size(), 14u);  // DUID-LLT of dnsmasq's interface
  ASSERT_TRUE(p.has_preference);
  EXPECT_EQ(p.preference, 0);
  ASSERT_TRUE(p.has_ia_na);
  EXPECT_EQ(p.ia_na.iaid, 0x00123456u);
  EXPECT_EQ(p.ia_na.t1, 1800u);
  EXPECT_EQ(p.ia_na.t2, 3150u);
  ASSERT_TRUE(p.ia_na.has_address);
  EXPECT_EQ(p.ia_na.address.address, kLeased);
  EXPECT_EQ(p.ia_na.address.preferred_lifetime, 3600u);
  EXPECT_EQ(p.ia_na.address.valid_lifetime, 3600u);
  ASSERT_TRUE(p.status.present);
  EXPECT_EQ(p.status.code, dhcpv6_status::kSuccess);
  EXPECT_EQ(str(p.status.message), "success");
  ASSERT_EQ(p.dns_server_count, 1);
  EXPECT_EQ(p.dns_servers[0], ip6("fd00:6d70:7865::53"));
  EXPECT_EQ(str(p.bootfile_url), kBootUrl);
  char domain[64];
  auto len = dhcpv6_first_domain(p.domain_list, domain, sizeof domain);
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(std::string(domain), "boot.example");
  Dhcpv6BootParams walk(p.bootfile_param);
  Bytes param;
  ASSERT_TRUE(walk.next(param));
  EXPECT_EQ(str(param), "mpsh");
  ASSERT_TRUE(walk.next(param));
  EXPECT_EQ(str(param), "-v");
  EXPECT_FALSE(walk.next(param));
}

TEST(Dhcpv6Wire, ReadsNoAddrsAvailAndSlirpReply) {
  Dhcpv6Params none = params_of(Bytes(kDnsmasqNoAddrsAdvertise));
  EXPECT_FALSE(none.has_ia_na);
  ASSERT_TRUE(none.status.present);
  EXPECT_EQ(none.status.code, dhcpv6_status::kNoAddrsAvail);
  EXPECT_STREQ(dhcpv6_status_text(none.status.code), "NoAddrsAvail");
  EXPECT_EQ(str(none.status.message), "no addresses available");

  Dhcpv6Params slirp = params_of(Bytes(kSlirpReply));
  EXPECT_EQ(slirp.msg_type, static_cast<uint8_t>(Dhcpv6MessageType::Reply));
  EXPECT_TRUE(slirp.server_id.empty());
  ASSERT_EQ(slirp.dns_server_count, 1);
  EXPECT_EQ(slirp.dns_servers[0], ip6("fec0::3"));
  EXPECT_EQ(str(slirp.bootfile_url), "tftp://[fec0:0000:0000:0000:0000:0000:0000:0002]/mpsh.efi");
}

TEST(Dhcpv6Wire, ReadsOurOwnMessagesBack) {
  Dhcpv6Params s = params_of(Bytes(kSolicit));
  EXPECT_EQ(s.msg_type, 1);
  ASSERT_TRUE(s.has_client_arch);
  EXPECT_EQ(s.client_arch, 7);
  EXPECT_EQ(buf(s.nii), (Buffer{1, 3, 0x10}));
  EXPECT_EQ(load_be32(s.vendor_class.data()), 343u);
  EXPECT_EQ(str(s.vendor_class.subspan(6)), "PXEClient:Arch:00007:UNDI:003016");
  EXPECT_EQ(s.oro.size(), 10u);
  ASSERT_TRUE(s.has_elapsed_time);
  EXPECT_EQ(s.elapsed_time, 0);
  Dhcpv6Params r = params_of(Bytes(kRequest));
  ASSERT_TRUE(r.has_ia_na);
  // The Request's IA Address has lifetimes 0: read, but not an address to use.
  EXPECT_FALSE(r.ia_na.has_address);
  EXPECT_EQ(r.ia_na.addresses, 1);
}

TEST(Dhcpv6Wire, RejectsOptionsRunningPastTheirArea) {
  // The top-level option's length runs past the message.
  Buffer b = buf(Bytes(kDnsmasqAdvertise));
  b.pop_back();
  auto packet = Dhcpv6Packet::check(view(b));
  ASSERT_TRUE(packet.ok());
  EXPECT_EQ(Dhcpv6Params::parse(packet.value()).error(), Error(Layer::Dhcp, Errc::Truncated));
  // IA_NA at offset 4 + 22 + 18 = 44, its IA Address at 44 + 4 + 12 = 60: make
  // the IA Address claim 25 bytes in a 24-byte space.
  Buffer nested = buf(Bytes(kDnsmasqAdvertise));
  ASSERT_EQ(load_be16(nested.data() + 44), dhcpv6_option::kIaNa);
  ASSERT_EQ(load_be16(nested.data() + 60), dhcpv6_option::kIaAddr);
  store_be16(nested.data() + 62, 25);
  EXPECT_EQ(Dhcpv6Params::parse(Dhcpv6Packet::check(view(nested)).value()).error(),
            Error(Layer::Dhcp, Errc::Truncated));
  // An IA Address shorter than its fixed fields.
  store_be16(nested.data() + 62, 20);
  store_be16(nested.data() + 46, 12 + 4 + 20);
  EXPECT_FALSE(Dhcpv6Params::parse(Dhcpv6Packet::check(view(nested)).value()).ok());
  EXPECT_FALSE(Dhcpv6Packet::check(Bytes(kSolicit, 3)).ok());
}

TEST(Dhcpv6Wire, RejectsOptionsOfTheWrongSize) {
  auto bad = [](std::initializer_list<uint8_t> option) {
    Buffer b = {7, 0, 0, 1};
    b.insert(b.end(), option);
    return Dhcpv6Params::parse(Dhcpv6Packet::check(view(b)).value()).error();
  };
  const Error bad_option(Layer::Dhcp, Errc::BadOption);
  EXPECT_EQ(bad({0, 7, 0, 2, 1, 2}), bad_option);                 // preference of 2 bytes
  EXPECT_EQ(bad({0, 23, 0, 4, 1, 2, 3, 4}), bad_option);          // DNS not a multiple of 16
  EXPECT_EQ(bad({0, 2, 0, 2, 0, 1}), bad_option);                 // a DUID of its type alone
  EXPECT_EQ(bad({0, 13, 0, 1, 0}), bad_option);                   // status without its code
  EXPECT_EQ(bad({0, 60, 0, 3, 0, 5, 'a'}), bad_option);           // boot param past its option
  EXPECT_EQ(bad({0, 3, 0, 4, 0, 0, 0, 1}), bad_option);           // IA_NA without T1/T2
  EXPECT_EQ(bad({0, 14, 0, 1, 0}), bad_option);                   // rapid commit with a value
  EXPECT_EQ(bad({0, 1, 0, 0}), bad_option);                       // empty client id
}

TEST(Dhcpv6Wire, DomainListRefusesPointersAndOverruns) {
  char out[64];
  const uint8_t pointer[] = {3, 'f', 'o', 'o', 0xC0, 0x00};
  EXPECT_EQ(dhcpv6_first_domain(Bytes(pointer), out, sizeof out).error(), Error(Layer::Dhcp, Errc::BadName));
  const uint8_t cut[] = {3, 'f', 'o'};
  EXPECT_EQ(dhcpv6_first_domain(Bytes(cut), out, sizeof out).error(), Error(Layer::Dhcp, Errc::Truncated));
  const uint8_t unterminated[] = {3, 'f', 'o', 'o'};
  EXPECT_EQ(dhcpv6_first_domain(Bytes(unterminated), out, sizeof out).error(),
            Error(Layer::Dhcp, Errc::Truncated));
  const uint8_t ok[] = {3, 'f', 'o', 'o', 0};
  EXPECT_EQ(dhcpv6_first_domain(Bytes(ok), out, 3).error(), Error(Layer::Dhcp, Errc::NoSpace));
}

TEST(Dhcpv6Wire, DuidsHaveTheirRfcLayouts) {
  Dhcpv6Duid llt = Dhcpv6Duid::llt(client_mac(), 0x01020304);
  EXPECT_EQ(buf(llt.view()), (Buffer{0, 1, 0, 1, 1, 2, 3, 4, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56}));
  Dhcpv6Duid ll = Dhcpv6Duid::ll(client_mac());
  EXPECT_EQ(buf(ll.view()), (Buffer{0, 3, 0, 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56}));
  Dhcpv6Duid uuid = Dhcpv6Duid::uuid(kGuid);
  EXPECT_EQ(uuid.type(), dhcpv6_duid::kUuid);
  EXPECT_EQ(uuid.length, 18);
  EXPECT_FALSE(Dhcpv6Duid::of(Bytes(kGuid, 2)).ok());
}

// ---- client: stateful against dnsmasq --------------------------------------------

class Dhcpv6StatefulTest : public ::testing::Test {
 protected:
  // The Solicit's xid, the first RAND (0.05 + 1 ms), the Request's xid: the
  // captured transaction ids.
  ScriptedRandom random{0x6d7078, 0x80000000, 0x657631};
  RecordingSender tx;
  Dhcpv6Client client{config_for(Dhcpv6Mode::Stateful), random};
};

TEST_F(Dhcpv6StatefulTest, WholeExchangeWithDnsmasqSendsTheCapturedBytes) {
  client.start(0);
  client.poll(0, tx);
  ASSERT_EQ(tx.count(), 1u);
  EXPECT_EQ(tx.last().bytes, buf(Bytes(kSolicit)));
  EXPECT_EQ(tx.last().meta.dst, IpAddress(kDhcpv6AllServers));
  EXPECT_EQ(tx.last().meta.src, IpAddress(kLinkLocal));
  EXPECT_EQ(tx.last().meta.src_port, kDhcpv6ClientPort);
  EXPECT_EQ(tx.last().meta.dst_port, kDhcpv6ServerPort);

  client.on_datagram(from6(kDnsmasqLinkLocal), Bytes(kDnsmasqAdvertise), 5, tx);
  // Preference 0: the Advertise waits for the first RT (1 s + RAND*1 s, RAND > 0).
  EXPECT_EQ(client.state(), Dhcpv6State::Soliciting);
  EXPECT_EQ(tx.count(), 1u);
  Millis first_rt = client.next_deadline();
  EXPECT_GT(first_rt, 1000u);
  EXPECT_LE(first_rt, 1100u);
  client.poll(first_rt, tx);
  EXPECT_EQ(client.state(), Dhcpv6State::Requesting);
  ASSERT_EQ(tx.count(), 2u);
  // Elapsed time restarts with the Request's exchange: 0, as captured.
  EXPECT_EQ(tx.last().bytes, buf(Bytes(kRequest)));

  client.on_datagram(from6(kDnsmasqLinkLocal), Bytes(kDnsmasqReply), first_rt + 3, tx);
  ASSERT_EQ(client.state(), Dhcpv6State::Bound);
  const Dhcpv6Lease& lease = client.lease();
  EXPECT_TRUE(lease.has_address);
  EXPECT_EQ(lease.address, kLeased);
  EXPECT_EQ(lease.preferred_lifetime, 3600u);
  EXPECT_EQ(lease.valid_lifetime, 3600u);
  EXPECT_EQ(lease.t1, 1800u);
  ASSERT_EQ(lease.dns_server_count, 1);
  EXPECT_EQ(lease.dns_servers[0], ip6("fd00:6d70:7865::53"));
  EXPECT_EQ(std::string(lease.domain.text), "boot.example");
  EXPECT_EQ(std::string(lease.boot_file_url.text), kBootUrl);
  ASSERT_EQ(lease.boot_file_param_count, 2);
  EXPECT_EQ(std::string(lease.boot_file_params[1].text), "-v");
  EXPECT_EQ(lease.server_duid.length, 14);
  EXPECT_EQ(str(lease.server), kDnsmasqLinkLocal);
  EXPECT_EQ(buf(lease.reply.view()), buf(Bytes(kDnsmasqReply)));
  EXPECT_EQ(client.next_deadline(), kNever);
}

// Solicit, dnsmasq's Advertise, Request and its Reply: Bound at `*now`.
void bind_to_dnsmasq(Dhcpv6Client& client, RecordingSender& tx, Millis* now) {
  client.start(0);
  client.poll(0, tx);
  client.on_datagram(from6(kDnsmasqLinkLocal), Bytes(kDnsmasqAdvertise), 5, tx);
  *now = client.next_deadline();
  client.poll(*now, tx);
  client.on_datagram(from6(kDnsmasqLinkLocal), Bytes(kDnsmasqReply), *now + 3, tx);
  ASSERT_EQ(client.state(), Dhcpv6State::Bound);
  *now += 3;
}

TEST_F(Dhcpv6StatefulTest, DuplicateAddressIsDeclinedToItsServerThenSolicitedAgain) {
  Millis now = 0;
  bind_to_dnsmasq(client, tx, &now);
  // Only a bound lease with an address can be declined.
  Dhcpv6Client idle(config_for(Dhcpv6Mode::Stateful), random);
  EXPECT_EQ(idle.decline(0).error(), Error(Layer::Dhcp, Errc::BadValue));

  random.push(0x646563);  // the Decline's xid
  ASSERT_TRUE(client.decline(now).ok());
  EXPECT_EQ(client.state(), Dhcpv6State::Declining);
  EXPECT_FALSE(client.lease().has_address);  // not to be used meanwhile
  EXPECT_EQ(client.next_deadline(), now);
  size_t before = tx.count();
  client.poll(now, tx);
  ASSERT_EQ(tx.count(), before + 1);
  EXPECT_EQ(tx.last().meta.dst, IpAddress(kDhcpv6AllServers));
  EXPECT_EQ(tx.last().meta.src, IpAddress(kLinkLocal));
  // RFC 8415 18.2.7: Client ID, Server ID, Elapsed Time, the IA with the address.
  Dhcpv6Params decline = params_of(view(tx.last().bytes));
  EXPECT_EQ(decline.msg_type, static_cast<uint8_t>(Dhcpv6MessageType::Decline));
  EXPECT_EQ(decline.transaction_id, 0x646563u);
  EXPECT_EQ(buf(decline.client_id), buf(client.client_duid().view()));
  EXPECT_EQ(buf(decline.server_id), buf(params_of(Bytes(kDnsmasqReply)).server_id));
  EXPECT_TRUE(decline.has_elapsed_time);
  ASSERT_TRUE(decline.has_ia_na);
  EXPECT_EQ(decline.ia_na.iaid, client.iaid());
  EXPECT_EQ(decline.ia_na.addresses, 1);
  EXPECT_TRUE(decline.oro.empty());
  EXPECT_FALSE(decline.has_client_arch);
  EXPECT_EQ(client.stats().declines_sent, 1u);
  // The IA Address is the declined one (lifetimes 0: parsed, not offered).
  Buffer wire = tx.last().bytes;
  Buffer leased(kLeased.octets, kLeased.octets + 16);
  EXPECT_NE(std::search(wire.begin(), wire.end(), leased.begin(), leased.end()), wire.end());

  // A Reply from another server is not the answer.
  Buffer other = with_xid6(Bytes(kDnsmasqReply), 0x646563);
  Dhcpv6OptionReader reader(Bytes(other.data() + 4, other.size() - 4));
  Dhcpv6Option option;
  while (reader.next(option))
    if (option.code == dhcpv6_option::kServerId)
      other[option.value.data() - other.data() + option.value.size() - 1] ^= 0xff;
  client.on_datagram(from6(kDnsmasqLinkLocal), view(other), now + 10, tx);
  EXPECT_EQ(client.state(), Dhcpv6State::Declining);
  EXPECT_EQ(client.stats().drops(Dhcpv6Drop::WrongServer), 1u);

  // The server's Reply ends the Decline: a new Solicit, a new transaction.
  Buffer reply = with_xid6(Bytes(kDnsmasqReply), 0x646563);
  client.on_datagram(from6(kDnsmasqLinkLocal), view(reply), now + 20, tx);
  EXPECT_EQ(client.state(), Dhcpv6State::Soliciting);
  EXPECT_EQ(client.stats().restarts, 1);
  before = tx.count();
  client.poll(now + 20, tx);
  ASSERT_EQ(tx.count(), before + 1);
  EXPECT_EQ(params_of(view(tx.last().bytes)).msg_type,
            static_cast<uint8_t>(Dhcpv6MessageType::Solicit));
}

TEST_F(Dhcpv6StatefulTest, UnansweredDeclineGoesFourTimesThenTheClientGivesUpAfterItsRestarts) {
  random.fallback = 0x80000000;  // RAND = 0
  Millis now = 0;
  bind_to_dnsmasq(client, tx, &now);
  // Each round: every address assigned is found in use again.
  int declines = 0;
  int rounds = 0;
  while (!client.done() || client.state() == Dhcpv6State::Bound) {
    if (client.state() == Dhcpv6State::Bound) {
      ASSERT_TRUE(client.decline(now).ok());
      ++rounds;
    }
    size_t before = tx.count();
    client.poll(now, tx);
    if (tx.count() != before) {
      uint8_t type = tx.last().bytes[0];
      uint32_t xid = client.transaction_id();
      if (type == static_cast<uint8_t>(Dhcpv6MessageType::Decline)) ++declines;
      if (type == static_cast<uint8_t>(Dhcpv6MessageType::Solicit)) {
        Buffer adv = with_xid6(Bytes(kDnsmasqAdvertise), xid);
        client.on_datagram(from6(kDnsmasqLinkLocal), view(adv), now, tx);
      }
      if (type == static_cast<uint8_t>(Dhcpv6MessageType::Request)) {
        Buffer reply = with_xid6(Bytes(kDnsmasqReply), xid);
        client.on_datagram(from6(kDnsmasqLinkLocal), view(reply), now, tx);
        continue;
      }
    }
    if (client.done()) break;
    now = client.next_deadline();
    ASSERT_LT(now, Millis{1000000});
  }
  EXPECT_EQ(client.state(), Dhcpv6State::Failed);
  EXPECT_EQ(client.failure(), Dhcpv6Failure::AddressInUse);
  EXPECT_EQ(client.error(), Error(Layer::Dhcp, Errc::InUse));
  EXPECT_EQ(rounds, Dhcpv6Client::kMaxRestarts + 1);
  EXPECT_EQ(declines, (Dhcpv6Client::kMaxRestarts + 1) * Dhcpv6Client::kDecMaxRc);
}

TEST_F(Dhcpv6StatefulTest, Preference255IsTakenAtOnce) {
  client.start(0);
  client.poll(0, tx);
  Buffer best = buf(Bytes(kDnsmasqAdvertise));
  // The Preference option's value set to 255.
  Dhcpv6OptionReader reader(Bytes(best.data() + 4, best.size() - 4));
  Dhcpv6Option option;
  while (reader.next(option))
    if (option.code == dhcpv6_option::kPreference) best[option.value.data() - best.data()] = 255;
  client.on_datagram(from6(kDnsmasqLinkLocal), view(best), 40, tx);
  EXPECT_EQ(client.state(), Dhcpv6State::Requesting);
  ASSERT_EQ(tx.count(), 2u);
  EXPECT_EQ(client.lease().preference, 255);
}

TEST_F(Dhcpv6StatefulTest, SolicitRetransmitsAsRfc8415TimesItThenGivesUp) {
  random.values = {0x6d7078, 0};  // xid, then a first RAND as small as it can be
  client.start(0);
  std::vector<Millis> sends;
  Millis now = 0;
  while (!client.done()) {
    size_t before = tx.count();
    client.poll(now, tx);
    if (tx.count() != before) sends.push_back(now);
    if (!client.done()) now = client.next_deadline();
  }
  // RAND = 0 after the first (positive, 1 ms): RT 1001, then doubling.
  // The next, 7007 + 8008, is past the 15 s bound.
  EXPECT_EQ(sends, (std::vector<Millis>{0, 1001, 1001 + 2002, 3003 + 4004}));
  EXPECT_EQ(client.failure(), Dhcpv6Failure::NoAdvertise);
  EXPECT_EQ(now, Dhcpv6Client::kSolicitDuration);
}

TEST_F(Dhcpv6StatefulTest, RequestUnansweredStartsOverBoundedTimes) {
  random.fallback = 0x80000000;
  client.start(0);
  Millis now = 0;
  int advertises = 0;
  while (!client.done() && now < 200000) {
    client.poll(now, tx);
    if (client.state() == Dhcpv6State::Soliciting && tx.count() > 0 &&
        tx.last().bytes[0] == static_cast<uint8_t>(Dhcpv6MessageType::Solicit)) {
      Buffer adv = with_xid6(Bytes(kDnsmasqAdvertise), client.transaction_id());
      client.on_datagram(from6(kDnsmasqLinkLocal), view(adv), now, tx);
      ++advertises;
    }
    if (!client.done()) now = client.next_deadline();
  }
  EXPECT_EQ(client.state(), Dhcpv6State::Failed);
  EXPECT_EQ(client.failure(), Dhcpv6Failure::NoReply);
  EXPECT_EQ(client.stats().restarts, Dhcpv6Client::kMaxRestarts);
  EXPECT_EQ(advertises, Dhcpv6Client::kMaxRestarts + 1);
  // Each round's Requests at 0, 1, 3, 7 s after the first (RAND = 0), within 15 s.
  EXPECT_EQ(client.stats().requests_sent, 4 * (Dhcpv6Client::kMaxRestarts + 1));
  EXPECT_LT(now, 3 * (Dhcpv6Client::kSolicitDuration + Dhcpv6Client::kRequestDuration));
}

TEST_F(Dhcpv6StatefulTest, NoAddrsAvailIsNamedWhenNothingElseCame) {
  client.start(0);
  client.poll(0, tx);
  Buffer none = with_xid6(Bytes(kDnsmasqNoAddrsAdvertise), client.transaction_id());
  // dnsmasq answered another DUID (the first option, its value at offset 8): give
  // it ours so that only the status is at issue.
  ASSERT_EQ(load_be16(none.data() + 4), dhcpv6_option::kClientId);
  copy_bytes(MutableBytes(none.data() + 8, 18), client.client_duid().view());
  client.on_datagram(from6(kDnsmasqLinkLocal), view(none), 10, tx);
  EXPECT_EQ(client.stats().drops(Dhcpv6Drop::NoAddress), 1u);
  Millis now = 10;
  while (!client.done()) {
    now = client.next_deadline();
    client.poll(now, tx);
  }
  EXPECT_EQ(client.failure(), Dhcpv6Failure::NoAddress);
  ASSERT_TRUE(client.last_status().valid);
  EXPECT_EQ(client.last_status().code, dhcpv6_status::kNoAddrsAvail);
  EXPECT_EQ(std::string(client.last_status().message.text), "no addresses available");
}

TEST_F(Dhcpv6StatefulTest, DropsWhatIsNotOurs) {
  client.start(0);
  client.poll(0, tx);
  // Another client's Advertise (the capture answered another DUID).
  Buffer other = with_xid6(Bytes(kDnsmasqNoAddrsAdvertise), client.transaction_id());
  client.on_datagram(from6(kDnsmasqLinkLocal), view(other), 1, tx);
  EXPECT_EQ(client.stats().drops(Dhcpv6Drop::NotForUs), 1u);
  client.on_datagram(from6(kDnsmasqLinkLocal, 548), Bytes(kDnsmasqAdvertise), 2, tx);
  EXPECT_EQ(client.stats().drops(Dhcpv6Drop::WrongPort), 1u);
  Buffer late = with_xid6(Bytes(kDnsmasqAdvertise), 0x123456);
  client.on_datagram(from6(kDnsmasqLinkLocal), view(late), 3, tx);
  EXPECT_EQ(client.stats().drops(Dhcpv6Drop::WrongXid), 1u);
  // slirp's Reply shape (no Server ID) in stateful mode, even as a Rapid Commit answer.
  Buffer slirp = with_xid6(Bytes(kSlirpReply), client.transaction_id());
  client.on_datagram(from6(kSlirpServer), view(slirp), 4, tx);
  EXPECT_EQ(client.stats().drops(Dhcpv6Drop::UnexpectedType), 1u);
  EXPECT_EQ(client.state(), Dhcpv6State::Soliciting);
  EXPECT_EQ(client.stats().received, 4u);
}

TEST_F(Dhcpv6StatefulTest, RequestingTakesOnlyTheAskedServersReplyWithServerId) {
  client.start(0);
  client.poll(0, tx);
  client.on_datagram(from6(kDnsmasqLinkLocal), Bytes(kDnsmasqAdvertise), 5, tx);
  client.poll(client.next_deadline(), tx);
  ASSERT_EQ(client.state(), Dhcpv6State::Requesting);
  // slirp's shape (no Server ID) is not enough for a stateful Reply.
  Buffer bare = with_xid6(Bytes(kSlirpReply), client.transaction_id());
  client.on_datagram(from6(kSlirpServer), view(bare), 1100, tx);
  EXPECT_EQ(client.stats().drops(Dhcpv6Drop::NoServerId), 1u);
  // Another server's Reply: its DUID's last byte changed (Server ID at offset 26, value at 30).
  Buffer other = buf(Bytes(kDnsmasqReply));
  ASSERT_EQ(load_be16(other.data() + 26), dhcpv6_option::kServerId);
  other[30 + 13] ^= 1;
  client.on_datagram(from6(kDnsmasqLinkLocal), view(other), 1101, tx);
  EXPECT_EQ(client.stats().drops(Dhcpv6Drop::WrongServer), 1u);
  EXPECT_EQ(client.state(), Dhcpv6State::Requesting);
  client.on_datagram(from6(kDnsmasqLinkLocal), Bytes(kDnsmasqReply), 1102, tx);
  EXPECT_EQ(client.state(), Dhcpv6State::Bound);
}

TEST_F(Dhcpv6StatefulTest, ReplyWithAStatusStartsOverAndNamesIt) {
  client.start(0);
  client.poll(0, tx);
  client.on_datagram(from6(kDnsmasqLinkLocal), Bytes(kDnsmasqAdvertise), 5, tx);
  client.poll(client.next_deadline(), tx);
  ASSERT_EQ(client.state(), Dhcpv6State::Requesting);
  // The Reply's top-level Status Code (after the IA_NA, at 4 + 22 + 18 + 44 = 88)
  // turned into NoAddrsAvail.
  Buffer refused = buf(Bytes(kDnsmasqReply));
  ASSERT_EQ(load_be16(refused.data() + 88), dhcpv6_option::kStatusCode);
  store_be16(refused.data() + 92, dhcpv6_status::kNoAddrsAvail);
  client.on_datagram(from6(kDnsmasqLinkLocal), view(refused), 1100, tx);
  EXPECT_EQ(client.state(), Dhcpv6State::Soliciting);
  EXPECT_EQ(client.stats().restarts, 1);
  ASSERT_TRUE(client.last_status().valid);
  EXPECT_EQ(client.last_status().code, dhcpv6_status::kNoAddrsAvail);
  EXPECT_EQ(std::string(client.last_status().message.text), "success");  // dnsmasq's text, kept
  EXPECT_EQ(str(client.last_status().from), kDnsmasqLinkLocal);
}

TEST(Dhcpv6RapidCommit, ReplyToTheSolicitEndsTheExchange) {
  ScriptedRandom random{0x6d7078};
  RecordingSender tx;
  Dhcpv6Config config = config_for(Dhcpv6Mode::Stateful);
  config.rapid_commit = true;
  Dhcpv6Client client(config, random);
  client.start(0);
  client.poll(0, tx);
  Dhcpv6Params sent = params_of(view(tx.last().bytes));
  EXPECT_TRUE(sent.rapid_commit);
  // dnsmasq's Reply given the Solicit's xid and a Rapid Commit option.
  Buffer reply = with_xid6(Bytes(kDnsmasqReply), client.transaction_id());
  const uint8_t rapid[] = {0, dhcpv6_option::kRapidCommit, 0, 0};
  reply.insert(reply.end(), rapid, rapid + 4);
  client.on_datagram(from6(kDnsmasqLinkLocal), view(reply), 3, tx);
  ASSERT_EQ(client.state(), Dhcpv6State::Bound);
  EXPECT_EQ(client.lease().address, kLeased);
  EXPECT_EQ(tx.count(), 1u);
}

// ---- client: stateless -----------------------------------------------------

TEST(Dhcpv6Stateless, SlirpReplyWithoutServerIdIsAccepted) {
  ScriptedRandom random{0x736c72};
  RecordingSender tx;
  Dhcpv6Client client(config_for(Dhcpv6Mode::Stateless), random);
  client.start(0);
  client.poll(0, tx);
  ASSERT_EQ(tx.count(), 1u);
  EXPECT_EQ(tx.last().bytes, buf(Bytes(kSlirpInformationRequest)));
  client.on_datagram(from6(kSlirpServer, kSlirpSourcePort), Bytes(kSlirpReply), 30, tx);
  ASSERT_EQ(client.state(), Dhcpv6State::Bound);
  EXPECT_FALSE(client.lease().has_address);
  EXPECT_FALSE(client.lease().server_duid.valid());
  EXPECT_EQ(std::string(client.lease().boot_file_url.text),
            "tftp://[fec0:0000:0000:0000:0000:0000:0000:0002]/mpsh.efi");
  EXPECT_EQ(client.lease().dns_servers[0], ip6("fec0::3"));
}

TEST(Dhcpv6Stateless, DnsmasqInformationReply) {
  ScriptedRandom random{0x696e66};
  RecordingSender tx;
  Dhcpv6Client client(config_for(Dhcpv6Mode::Stateless), random);
  client.start(0);
  client.poll(0, tx);
  EXPECT_EQ(tx.last().bytes, buf(Bytes(kInformationRequest)));
  client.on_datagram(from6(kDnsmasqLinkLocal), Bytes(kDnsmasqInformReply), 2, tx);
  ASSERT_EQ(client.state(), Dhcpv6State::Bound);
  EXPECT_EQ(std::string(client.lease().boot_file_url.text), kBootUrl);
  EXPECT_EQ(client.lease().server_duid.length, 14);
}

TEST(Dhcpv6Stateless, InformationRequestRetransmitsThenGivesUp) {
  ScriptedRandom random{0x696e66};
  RecordingSender tx;
  Dhcpv6Client client(config_for(Dhcpv6Mode::Stateless), random);
  client.start(0);
  std::vector<Millis> sends;
  Millis now = 0;
  while (!client.done()) {
    size_t before = tx.count();
    client.poll(now, tx);
    if (tx.count() != before) sends.push_back(now);
    if (!client.done()) now = client.next_deadline();
  }
  EXPECT_EQ(sends, (std::vector<Millis>{0, 1000, 3000, 7000}));
  EXPECT_EQ(client.failure(), Dhcpv6Failure::NoReply);
  EXPECT_EQ(now, Dhcpv6Client::kInformationDuration);
  // The elapsed time of the last send: 7 s in hundredths.
  EXPECT_EQ(params_of(view(tx.last().bytes)).elapsed_time, 700);
}

TEST(Dhcpv6Stateless, RefusedSendsAreRetriedWithoutSpendingAnAttempt) {
  ScriptedRandom random{0x696e66};
  RecordingSender tx;
  tx.fail_next = 2;
  Dhcpv6Client client(config_for(Dhcpv6Mode::Stateless), random);
  client.start(0);
  client.poll(0, tx);
  EXPECT_EQ(client.next_deadline(), Dhcpv6Client::kSendRetry);
  client.poll(20, tx);
  client.poll(40, tx);
  ASSERT_EQ(tx.count(), 1u);
  EXPECT_EQ(client.next_deadline(), 1040u);
}

}  // namespace
}  // namespace mpxe::net::test
