// MLD messages from the Linux kernel: a bridge as querier (MLDv2 General and
// Multicast Address Specific queries, an MLDv1 query) and a host's reports
// (mld_frames.h and ipv6_frames.h, captured by capture_ipv6.py); what we emit for
// the same group and addresses, byte for byte; hostile variations refused.
#include <gtest/gtest.h>

#include "ipv6_frames.h"
#include "mld_frames.h"
#include "net/wire/icmpv6.h"
#include "net/wire/mld.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::frame;
using test::mut;
using test::to_buffer;
using test::view;

const Ipv6Address kHostLinkLocal = Ipv6Address::of(0xfe80, 0, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
const Ipv6Address kHostGroup = kHostLinkLocal.solicited_node();  // ff02::1:ff12:3456
const Ipv6Address kLeftGroup = Ipv6Address::of(0xff02, 0, 0, 0, 0, 1, 0xff00, 0x42);
const Ipv6Address kQuerier = Ipv6Address::of(0xfe80, 0, 0, 0, 0x5054, 0x00ff, 0xfeab, 0xcdef);

// The IPv6 header, whether the walk saw a Router Alert, and the ICMPv6 message.
struct Parsed {
  Ipv6Repr ip;
  bool router_alert = false;
  size_t hop_by_hop_len = 0;
  Bytes message;
};

Parsed split(Bytes eth) {
  Parsed out;
  auto packet = Ipv6Packet::check(eth.subspan(EthernetFrame::kHeaderLen));
  EXPECT_TRUE(packet.ok());
  if (!packet) return out;
  out.ip = Ipv6Repr::parse(packet.value());
  Ipv6Chain chain = Ipv6Chain::walk(packet.value());
  EXPECT_TRUE(chain.ok());
  EXPECT_EQ(chain.protocol, ipv6_next::kIcmpv6);
  out.router_alert = chain.router_alert;
  out.hop_by_hop_len = chain.payload.data() - packet.value().payload().data();
  out.message = chain.payload;
  return out;
}

MldQuery query_ok(Bytes eth) {
  Parsed in = split(eth);
  EXPECT_TRUE(in.router_alert);
  EXPECT_EQ(in.ip.hop_limit, kMldHopLimit);
  auto query = MldQuery::parse(in.message, in.ip.src, in.ip.dst);
  EXPECT_TRUE(query.ok()) << error_text(query.error());
  return query.ok() ? query.value() : MldQuery{};
}

// `message` changed, its checksum made right again for `ip`.
Result<MldQuery> parse_resealed(const Ipv6Repr& ip, Buffer message) {
  store_be16(message.data() + 2, icmpv6_checksum(ip.src, ip.dst, view(message)));
  return MldQuery::parse(view(message), ip.src, ip.dst);
}

TEST(Mld, LinuxBridgeGeneralQuery) {
  MldQuery query = query_ok(frame(mld_frames::kMldv2GeneralQuery));
  EXPECT_TRUE(query.v2);
  EXPECT_TRUE(query.general());
  EXPECT_EQ(query.max_response_delay, 1000u);  // mcast_query_response_interval 100 cs
  EXPECT_EQ(query.robustness, 2u);
  EXPECT_EQ(query.qqic, 1u);  // mcast_query_interval 1 s
  EXPECT_FALSE(query.suppress_router_processing);
  EXPECT_EQ(query.source_count, 0u);
  EXPECT_TRUE(query.sources.empty());
  EXPECT_EQ(split(frame(mld_frames::kMldv2GeneralQuery)).ip.src, kQuerier);
}

TEST(Mld, LinuxBridgeAddressSpecificQuery) {
  MldQuery query = query_ok(frame(mld_frames::kMldv2GroupQuery));
  EXPECT_TRUE(query.v2);
  EXPECT_FALSE(query.general());
  EXPECT_EQ(query.group, kLeftGroup);
  EXPECT_EQ(query.max_response_delay, 500u);  // mcast_last_member_interval 50 cs
  // RFC 3810 5.1.15: sent to the group it asks about.
  EXPECT_EQ(split(frame(mld_frames::kMldv2GroupQuery)).ip.dst, kLeftGroup);
}

TEST(Mld, LinuxBridgeV1Query) {
  MldQuery query = query_ok(frame(mld_frames::kMldv1GeneralQuery));
  EXPECT_FALSE(query.v2);
  EXPECT_TRUE(query.general());
  EXPECT_EQ(query.max_response_delay, 1000u);
}

TEST(Mld, MaximumResponseCodeFloatingPointForm) {
  // RFC 3810 5.1.3: linear below 32768, then (mant | 0x1000) << (exp + 3).
  EXPECT_EQ(MldQuery::decode_max_response_code(0), 0u);
  EXPECT_EQ(MldQuery::decode_max_response_code(10000), 10000u);
  EXPECT_EQ(MldQuery::decode_max_response_code(0x7FFF), 32767u);
  EXPECT_EQ(MldQuery::decode_max_response_code(0x8000), 32768u);
  EXPECT_EQ(MldQuery::decode_max_response_code(0x8001), 32776u);
  EXPECT_EQ(MldQuery::decode_max_response_code(0x9000), 65536u);
  EXPECT_EQ(MldQuery::decode_max_response_code(0xFFFF), 8387584u);  // the RFC's maximum
  // A v2 query carrying one: the field decoded.
  Parsed in = split(frame(mld_frames::kMldv2GeneralQuery));
  Buffer message = to_buffer(in.message);
  store_be16(message.data() + 4, 0x9000);
  auto query = parse_resealed(in.ip, message);
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query.value().max_response_delay, 65536u);
}

TEST(Mld, QueryLengthsOtherThanTheTwoFormsAreRefused) {
  Parsed in = split(frame(mld_frames::kMldv2GeneralQuery));
  Buffer message = to_buffer(in.message);
  // RFC 3810 8.1: "a Query of length 26 octets ... MUST be silently ignored".
  auto query = parse_resealed(in.ip, Buffer(message.begin(), message.begin() + 26));
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error(), Error(Layer::Icmpv6, Errc::BadLength));
  query = parse_resealed(in.ip, Buffer(message.begin(), message.begin() + 23));
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error(), Error(Layer::Icmpv6, Errc::Truncated));
  // Two sources announced, one present.
  Buffer one_source = message;
  store_be16(one_source.data() + 26, 2);
  one_source.resize(28 + 16, 0x20);
  query = parse_resealed(in.ip, one_source);
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error(), Error(Layer::Icmpv6, Errc::Truncated));
  // With both present, a Multicast Address and Source Specific Query.
  one_source.resize(28 + 32, 0x20);
  kLeftGroup.write(one_source.data() + 8);
  query = parse_resealed(in.ip, one_source);
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query.value().source_count, 2u);
  EXPECT_EQ(query.value().sources.size(), 32u);
  EXPECT_EQ(query.value().group, kLeftGroup);
}

TEST(Mld, QueryWithBadChecksumOrUnicastGroupIsRefused) {
  Parsed in = split(frame(mld_frames::kMldv2GeneralQuery));
  Buffer message = to_buffer(in.message);
  message[2] ^= 1;
  auto query = MldQuery::parse(view(message), in.ip.src, in.ip.dst);
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error(), Error(Layer::Icmpv6, Errc::BadChecksum));
  message = to_buffer(in.message);
  kQuerier.write(message.data() + 8);
  query = parse_resealed(in.ip, message);
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error(), Error(Layer::Icmpv6, Errc::BadAddress));
  // Another type is not a query.
  message = to_buffer(in.message);
  message[0] = 143;
  query = parse_resealed(in.ip, message);
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error(), Error(Layer::Icmpv6, Errc::BadOpcode));
}

TEST(Mld, RouterAlertHeaderIsLinuxs) {
  uint8_t out[kRouterAlertHeaderLen];
  ASSERT_TRUE(emit_router_alert_header(MutableBytes(out), ipv6_next::kIcmpv6).ok());
  Bytes linux_header = frame(mld_frames::kMldv2JoinFromUnspecified).subspan(54, kRouterAlertHeaderLen);
  EXPECT_TRUE(bytes_equal(Bytes(out), linux_header));
  uint8_t short_out[7];
  EXPECT_FALSE(emit_router_alert_header(MutableBytes(short_out), ipv6_next::kIcmpv6).ok());
}

TEST(Mld, LinuxReportsParse) {
  struct Case {
    Bytes eth;
    MldRecordType type;
  } cases[] = {
      {frame(mld_frames::kMldv2JoinFromUnspecified), MldRecordType::ChangeToExclude},
      {frame(frames6::kMldReportHopByHop), MldRecordType::ChangeToExclude},
      {frame(mld_frames::kMldv2CurrentState), MldRecordType::ModeIsExclude},
  };
  for (const Case& c : cases) {
    Parsed in = split(c.eth);
    EXPECT_TRUE(in.router_alert);
    EXPECT_EQ(in.ip.hop_limit, kMldHopLimit);
    EXPECT_EQ(in.ip.dst, kMldv2Routers);
    auto report = Mldv2Report::check(in.message, in.ip.src, in.ip.dst);
    ASSERT_TRUE(report.ok()) << error_text(report.error());
    EXPECT_EQ(report.value().record_count(), 1u);
    Mldv2Report::Reader reader = report.value().records();
    Mldv2Report::Entry entry;
    ASSERT_TRUE(reader.next(entry));
    EXPECT_EQ(entry.type, static_cast<uint8_t>(c.type));
    EXPECT_EQ(entry.group, kHostGroup);
    EXPECT_EQ(entry.source_count, 0u);
    EXPECT_TRUE(entry.aux.empty());
    EXPECT_FALSE(reader.next(entry));
  }
}

// What we emit for the group and addresses of each Linux report is that report.
TEST(Mld, OurReportsAreLinuxsByteForByte) {
  struct Case {
    Bytes eth;
    MldRecordType type;
    Ipv6Address src;
  } cases[] = {
      {frame(mld_frames::kMldv2JoinFromUnspecified), MldRecordType::ChangeToExclude, Ipv6Address()},
      {frame(mld_frames::kMldv2CurrentState), MldRecordType::ModeIsExclude, kHostLinkLocal},
  };
  for (const Case& c : cases) {
    Parsed in = split(c.eth);
    EXPECT_EQ(in.ip.src, c.src);
    MldRecord record{c.type, kHostGroup};
    Buffer out(Mldv2Report::buffer_len(1));
    ASSERT_TRUE(Mldv2Report::emit(mut(out), Span<const MldRecord>(&record, 1), c.src, kMldv2Routers).ok());
    EXPECT_TRUE(bytes_equal(view(out), in.message));
  }
  Parsed v1 = split(frame(mld_frames::kMldv1Report));
  EXPECT_EQ(v1.ip.dst, kHostGroup);
  Buffer out(Mldv1Report::kLen);
  ASSERT_TRUE(Mldv1Report::emit(mut(out), kHostGroup, kHostLinkLocal).ok());
  EXPECT_TRUE(bytes_equal(view(out), v1.message));
  Buffer short_out(Mldv1Report::kLen - 1);
  EXPECT_FALSE(Mldv1Report::emit(mut(short_out), kHostGroup, kHostLinkLocal).ok());
}

TEST(Mld, ReportWithSourcesAndAuxDataIsWalkedAndATruncatedOneRefused) {
  // Two records: ALLOW_NEW_SOURCES with two sources and one word of aux data,
  // then MODE_IS_EXCLUDE of none.
  Buffer message(8 + (20 + 32 + 4) + 20, 0);
  message[0] = 143;
  store_be16(message.data() + 6, 2);
  uint8_t* r = message.data() + 8;
  r[0] = 5;
  r[1] = 1;
  store_be16(r + 2, 2);
  kLeftGroup.write(r + 4);
  kQuerier.write(r + 20);
  kHostLinkLocal.write(r + 36);
  r[52] = 0xAA;
  r += 56;
  r[0] = 2;
  kHostGroup.write(r + 4);
  store_be16(message.data() + 2, icmpv6_checksum(kHostLinkLocal, kMldv2Routers, view(message)));
  auto report = Mldv2Report::check(view(message), kHostLinkLocal, kMldv2Routers);
  ASSERT_TRUE(report.ok()) << error_text(report.error());
  Mldv2Report::Reader reader = report.value().records();
  Mldv2Report::Entry entry;
  ASSERT_TRUE(reader.next(entry));
  EXPECT_EQ(entry.type, 5u);
  EXPECT_EQ(entry.group, kLeftGroup);
  EXPECT_EQ(entry.source_count, 2u);
  EXPECT_EQ(Ipv6Address::from_bytes(entry.sources.data()), kQuerier);
  EXPECT_EQ(Ipv6Address::from_bytes(entry.sources.data() + 16), kHostLinkLocal);
  ASSERT_EQ(entry.aux.size(), 4u);
  EXPECT_EQ(entry.aux[0], 0xAA);
  ASSERT_TRUE(reader.next(entry));
  EXPECT_EQ(entry.type, 2u);
  EXPECT_EQ(entry.group, kHostGroup);
  EXPECT_FALSE(reader.next(entry));
  // Every shorter message misses part of a record the count announces.
  for (size_t len = 8; len < message.size(); ++len) {
    Buffer cut(message.begin(), message.begin() + len);
    store_be16(cut.data() + 2, icmpv6_checksum(kHostLinkLocal, kMldv2Routers, view(cut)));
    auto refused = Mldv2Report::check(view(cut), kHostLinkLocal, kMldv2Routers);
    ASSERT_FALSE(refused.ok()) << len;
    EXPECT_EQ(refused.error(), Error(Layer::Icmpv6, Errc::Truncated));
  }
  message[2] ^= 0x80;
  EXPECT_EQ(Mldv2Report::check(view(message), kHostLinkLocal, kMldv2Routers).error(),
            Error(Layer::Icmpv6, Errc::BadChecksum));
}

TEST(Mld, WhichGroupsAreReported) {
  EXPECT_TRUE(mld_reportable(kHostGroup));
  EXPECT_TRUE(mld_reportable(Ipv6Address::of(0xff05, 0, 0, 0, 0, 0, 0, 2)));
  EXPECT_TRUE(mld_reportable(Ipv6Address::all_routers()));
  EXPECT_FALSE(mld_reportable(Ipv6Address::all_nodes()));                     // RFC 3810 6
  EXPECT_FALSE(mld_reportable(Ipv6Address::of(0xff01, 0, 0, 0, 0, 0, 0, 1)));  // interface-local
  EXPECT_FALSE(mld_reportable(Ipv6Address::of(0xff00, 0, 0, 0, 0, 0, 0, 5)));  // reserved scope
  EXPECT_FALSE(mld_reportable(kHostLinkLocal));
}

}  // namespace
}  // namespace mpxe::net
