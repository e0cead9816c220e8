// The MLDv2 host machine (socket/mld_listener.h) scripted with explicit times:
// its random delays come from a generator seeded with the MAC, so the test draws
// the same numbers (core/prng.h) and names the exact millisecond each report is
// due, checks nothing goes a millisecond before it, and that it goes at it.
#include "net/socket/mld_listener.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/prng.h"

namespace mpxe::net {
namespace {

const MacAddress kMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
constexpr uint64_t kSeed = 0x525400123456;  // the MAC's six octets, big-endian
const Ipv6Address kOurs = Ipv6Address::of(0xff02, 0, 0, 0, 0, 1, 0xff12, 0x3456);
const Ipv6Address kOther = Ipv6Address::of(0xff02, 0, 0, 0, 0, 1, 0xff00, 0x42);
const Ipv6Address kSite = Ipv6Address::of(0xff05, 0, 0, 0, 0, 0, 0, 0x1234);

struct Report {
  MldVersion version;
  std::vector<MldRecord> records;
};

class RecordingSender final : public MldSender {
 public:
  Result<void> send_mld_report(MldVersion version, Span<const MldRecord> records) override {
    if (refuse) return Error(Layer::Iface, Errc::WouldBlock);
    reports.push_back(Report{version, std::vector<MldRecord>(records.begin(), records.end())});
    return {};
  }
  std::vector<Report> take() {
    std::vector<Report> out;
    out.swap(reports);
    return out;
  }
  std::vector<Report> reports;
  bool refuse = false;
};

MldQuery general_query(Millis max_response_delay, bool v2 = true) {
  MldQuery query;
  query.v2 = v2;
  query.max_response_delay = max_response_delay;
  return query;
}

MldQuery specific_query(const Ipv6Address& group, Millis max_response_delay) {
  MldQuery query = general_query(max_response_delay);
  query.group = group;
  return query;
}

// Nothing is sent at `due` - 1, and something is at `due`.
std::vector<Report> run_to(MldListener& mld, RecordingSender& tx, Millis due) {
  EXPECT_EQ(mld.next_deadline(), due);
  mld.poll(due - 1, tx);
  EXPECT_TRUE(tx.reports.empty()) << "sent before " << due;
  mld.poll(due, tx);
  std::vector<Report> out = tx.take();
  EXPECT_FALSE(out.empty()) << "nothing at " << due;
  return out;
}

TEST(MldListener, JoinReportsAtOnceAndOnceMoreWithinTheUnsolicitedInterval) {
  MldListener mld(kMac);
  RecordingSender tx;
  Prng draws(kSeed);
  mld.set_groups(Span<const Ipv6Address>(&kOurs, 1), 1000, tx);
  std::vector<Report> out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].version, MldVersion::V2);
  ASSERT_EQ(out[0].records.size(), 1u);
  EXPECT_EQ(out[0].records[0], (MldRecord{MldRecordType::ChangeToExclude, kOurs}));
  // RFC 3810 6.1 and 9.1: Robustness Variable 2, so one repeat after (0, 1] s.
  Millis repeat = 1000 + 1 + draws.below(1000);
  out = run_to(mld, tx, repeat);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].records, (std::vector<MldRecord>{{MldRecordType::ChangeToExclude, kOurs}}));
  EXPECT_EQ(mld.next_deadline(), kNever);
  EXPECT_EQ(mld.stats().reports_sent, 2u);
  // The same list again joins nothing.
  mld.set_groups(Span<const Ipv6Address>(&kOurs, 1), 5000, tx);
  EXPECT_TRUE(tx.reports.empty());
}

TEST(MldListener, GroupsJoinedTogetherShareAReportAndAllNodesIsNeverReported) {
  MldListener mld(kMac);
  RecordingSender tx;
  const Ipv6Address groups[] = {Ipv6Address::all_nodes(), kOurs, kOurs, kSite,
                                Ipv6Address::of(0xff01, 0, 0, 0, 0, 0, 0, 2)};
  mld.set_groups(Span<const Ipv6Address>(groups), 0, tx);
  EXPECT_EQ(mld.group_count(), 2u);
  EXPECT_FALSE(mld.listening(Ipv6Address::all_nodes()));
  std::vector<Report> out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].records, (std::vector<MldRecord>{{MldRecordType::ChangeToExclude, kOurs},
                                                    {MldRecordType::ChangeToExclude, kSite}}));
}

TEST(MldListener, GroupsBeyondTheTableAreCounted) {
  MldListener mld(kMac);
  RecordingSender tx;
  Ipv6Address groups[MldListener::kMaxGroups + 1];
  for (size_t i = 0; i < MldListener::kMaxGroups + 1; ++i)
    groups[i] = Ipv6Address::of(0xff02, 0, 0, 0, 0, 1, 0xff00, static_cast<uint16_t>(i + 1));
  mld.set_groups(Span<const Ipv6Address>(groups), 0, tx);
  EXPECT_EQ(mld.group_count(), MldListener::kMaxGroups);
  EXPECT_EQ(mld.stats().groups_full, 1u);
  EXPECT_FALSE(mld.listening(groups[MldListener::kMaxGroups]));
}

TEST(MldListener, GeneralQueryIsAnsweredWithEveryGroupWithinTheMaximumResponseDelay) {
  MldListener mld(kMac);
  RecordingSender tx;
  Prng draws(kSeed);
  const Ipv6Address groups[] = {kOurs, kSite};
  mld.set_groups(Span<const Ipv6Address>(groups), 0, tx);
  EXPECT_EQ(tx.take().size(), 1u);
  // The groups joined together repeat together, at one draw.
  Millis repeat = 1 + draws.below(1000);
  std::vector<Report> out = run_to(mld, tx, repeat);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].records.size(), 2u);
  ASSERT_EQ(mld.next_deadline(), kNever);

  mld.on_query(general_query(10'000), 5000);
  Millis due = 5000 + draws.below(10'001);
  out = run_to(mld, tx, due);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].records, (std::vector<MldRecord>{{MldRecordType::ModeIsExclude, kOurs},
                                                    {MldRecordType::ModeIsExclude, kSite}}));
  EXPECT_EQ(mld.stats().general_queries, 1u);
  EXPECT_EQ(mld.next_deadline(), kNever);
}

TEST(MldListener, AnEarlierPendingAnswerStandsAndALaterOneMovesUp) {
  MldListener mld(kMac);
  RecordingSender tx;
  Prng draws(kSeed);
  mld.set_groups(Span<const Ipv6Address>(&kOurs, 1), 0, tx);
  mld.poll(1 + draws.below(1000), tx);
  tx.take();
  // RFC 3810 6.2 rules 1 and 2: the sooner of the two answers is kept, and
  // only one report goes.
  mld.on_query(general_query(10'000), 100'000);
  Millis first = 100'000 + draws.below(10'001);
  mld.on_query(general_query(10'000), 100'000);
  Millis second = 100'000 + draws.below(10'001);
  Millis due = first < second ? first : second;
  // A specific query drawn later than the pending General answer adds nothing (rule 1).
  mld.on_query(specific_query(kOurs, 10'000), 100'000);
  Millis specific = 100'000 + draws.below(10'001);
  Millis expected_due = specific < due ? specific : due;
  std::vector<Report> out = run_to(mld, tx, expected_due);
  ASSERT_EQ(out.size(), 1u);
  mld.poll(200'000, tx);
  EXPECT_EQ(tx.take().size(), specific < due ? 1u : 0u);
  EXPECT_EQ(mld.next_deadline(), kNever);
}

TEST(MldListener, SpecificQueryIsAnsweredForThatGroupOnly) {
  MldListener mld(kMac);
  RecordingSender tx;
  Prng draws(kSeed);
  const Ipv6Address groups[] = {kOurs, kSite};
  mld.set_groups(Span<const Ipv6Address>(groups), 0, tx);
  draws.below(1000);  // the repeat
  mld.poll(1000, tx);
  tx.take();
  // Not ours: counted, nothing scheduled.
  mld.on_query(specific_query(kOther, 500), 2000);
  draws.below(501);
  EXPECT_EQ(mld.stats().other_queries, 1u);
  EXPECT_EQ(mld.next_deadline(), kNever);
  mld.on_query(specific_query(kSite, 500), 2000);
  Millis due = 2000 + draws.below(501);
  std::vector<Report> out = run_to(mld, tx, due);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].records, (std::vector<MldRecord>{{MldRecordType::ModeIsExclude, kSite}}));
  EXPECT_EQ(mld.stats().specific_queries, 1u);
  // A Maximum Response Delay of 0: due at once.
  mld.on_query(specific_query(kOurs, 0), 3000);
  EXPECT_EQ(mld.next_deadline(), 3000u);
  mld.poll(3000, tx);
  EXPECT_EQ(tx.take().size(), 1u);
}

TEST(MldListener, V1QueryTurnsOnV1ReportsUntilTheOlderQuerierTimesOut) {
  MldListener mld(kMac);
  RecordingSender tx;
  Prng draws(kSeed);
  const Ipv6Address groups[] = {kOurs, kSite};
  mld.set_groups(Span<const Ipv6Address>(groups), 0, tx);
  draws.below(1000);  // the repeat
  mld.poll(1000, tx);
  tx.take();
  mld.on_query(general_query(1000, /*v2=*/false), 10'000);
  EXPECT_EQ(mld.version(10'000), MldVersion::V1);
  EXPECT_EQ(mld.stats().v1_queries, 1u);
  Millis due = 10'000 + draws.below(1001);
  std::vector<Report> out = run_to(mld, tx, due);
  // RFC 2710: one report per group, each naming it.
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].version, MldVersion::V1);
  EXPECT_EQ(out[0].records, (std::vector<MldRecord>{{MldRecordType::ModeIsExclude, kOurs}}));
  EXPECT_EQ(out[1].records, (std::vector<MldRecord>{{MldRecordType::ModeIsExclude, kSite}}));
  // 260 s later (RFC 3810 9.12) MLDv2 again.
  EXPECT_EQ(mld.version(10'000 + MldListener::kOlderVersionQuerierTimeout - 1), MldVersion::V1);
  EXPECT_EQ(mld.version(10'000 + MldListener::kOlderVersionQuerierTimeout), MldVersion::V2);
}

TEST(MldListener, RefusedReportIsRetriedAndAGroupLeftIsForgottenSilently) {
  MldListener mld(kMac);
  RecordingSender tx;
  tx.refuse = true;
  const Ipv6Address groups[] = {kOurs, kSite};
  mld.set_groups(Span<const Ipv6Address>(groups), 0, tx);
  EXPECT_EQ(mld.stats().send_failures, 1u);
  EXPECT_EQ(mld.next_deadline(), MldListener::kSendRetry);
  tx.refuse = false;
  mld.poll(MldListener::kSendRetry, tx);
  EXPECT_EQ(tx.take().size(), 1u);
  EXPECT_EQ(mld.stats().reports_sent, 1u);
  // kSite goes before its repeat: no report about it, and neither the repeat
  // nor the next answer names it.
  mld.set_groups(Span<const Ipv6Address>(&kOurs, 1), 20, tx);
  EXPECT_TRUE(tx.reports.empty());
  EXPECT_FALSE(mld.listening(kSite));
  mld.poll(1100, tx);
  std::vector<Report> out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].records, (std::vector<MldRecord>{{MldRecordType::ChangeToExclude, kOurs}}));
  mld.on_query(general_query(0), 5000);
  mld.poll(5000, tx);
  out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].records, (std::vector<MldRecord>{{MldRecordType::ModeIsExclude, kOurs}}));
}

}  // namespace
}  // namespace mpxe::net
