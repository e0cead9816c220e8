// The host side of MLDv2 (RFC 3810 6), as a state machine that does no I/O: the
// groups to listen to come in as a list, queries come in parsed (MldQuery), time
// through the `now` arguments, and reports leave through the MldSender, which
// builds the bytes (source address, Router Alert, hop limit 1).
//
//   a new group      a State Change Report (CHANGE_TO_EXCLUDE of no source: "all
//                    sources") at once, and once more after a random (0, 1] s
//                    (Robustness Variable 2, Unsolicited Report Interval 1 s,
//                    RFC 3810 9.1 and 9.11); groups joined together share a report and
//                    its repeat
//   a General Query  a Current State Report (MODE_IS_EXCLUDE) of every group after
//                    a random 0..Maximum Response Delay, unless one is already
//                    due sooner (6.2, rules 1-2)
//   a Multicast Address Specific Query for one of our groups: that group's record
//                    after a random delay, the earlier of two pending (rules 3-4);
//                    a source-specific one is answered the same way (EXCLUDE of
//                    no source: we take every source, a superset of what it asks)
//   an MLDv1 query   (RFC 3810 8.2.1) MLDv1 compatibility for the Older Version
//                    Querier Present Timeout: reports go as v1 reports (RFC 2710),
//                    one per group, to the group
//   a group dropped  forgotten silently: no Done / TO_IN report. The groups here
//                    are solicited-node groups of addresses we gave up; the router
//                    stops forwarding after its Multicast Address Listening Interval
//                    (260 s), and a link-local group is not forwarded anyway
//
// ff02::1 and groups of scope 0 or 1 are never reported (mld_reportable). The
// random delays come from a generator seeded with the MAC: they spread hosts'
// reports, they are not secrets.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "core/prng.h"
#include "net/clock.h"
#include "net/result.h"
#include "net/wire/ipv6_address.h"
#include "net/wire/mac_address.h"
#include "net/wire/mld.h"

namespace mpxe::net {

enum class MldVersion : uint8_t { V1 = 1, V2 = 2 };

class MldSender {
 public:
  // One report: for V2 one MLDv2 report of `records` to ff02::16; for V1 an
  // MLDv1 report for records[0].group (one record), to that group.
  virtual Result<void> send_mld_report(MldVersion version, Span<const MldRecord> records) = 0;

 protected:
  ~MldSender() = default;
};

struct MldStats {
  uint32_t reports_sent = 0;       // reports the sender took (v1 and v2)
  uint32_t general_queries = 0;    // queries seen, by kind
  uint32_t specific_queries = 0;   // for one of our groups (with or without sources)
  uint32_t other_queries = 0;      // for a group we do not listen to
  uint32_t v1_queries = 0;         // of the above, in the MLDv1 form
  uint32_t groups_full = 0;        // groups asked for beyond kMaxGroups
  uint32_t send_failures = 0;      // reports the sender refused (retried)
};

class MldListener {
 public:
  static constexpr size_t kMaxGroups = 4;  // a solicited-node group per address at most
  // RFC 3810 9.1 and 9.11.
  static constexpr uint8_t kRobustness = 2;
  static constexpr Millis kUnsolicitedReportInterval = 1'000;
  // 9.12: Robustness Variable times Query Interval (125 s) plus Query Response
  // Interval (10 s).
  static constexpr Millis kOlderVersionQuerierTimeout = kRobustness * 125'000 + 10'000;
  // A report the sender refused is tried again this much later.
  static constexpr Millis kSendRetry = 20;

  explicit MldListener(MacAddress mac);

  // The groups to listen to now (duplicates and unreportable groups are
  // skipped); new ones are announced at once through `tx`, gone ones forgotten.
  void set_groups(Span<const Ipv6Address> groups, Millis now, MldSender& tx);
  // A query that passed the interface's checks (link-local source, hop limit 1).
  void on_query(const MldQuery& query, Millis now);
  // Sends what is due.
  void poll(Millis now, MldSender& tx);
  Millis next_deadline() const;

  bool listening(const Ipv6Address& group) const;
  size_t group_count() const;
  MldVersion version(Millis now) const {
    return now < v1_until_ ? MldVersion::V1 : MldVersion::V2;
  }
  const MldStats& stats() const { return stats_; }

 private:
  struct Group {
    Ipv6Address address;
    bool used = false;
    uint8_t unsolicited_left = 0;  // State Change Reports still to send
    Millis unsolicited_due = kNever;
    Millis response_due = kNever;  // a specific query's answer
  };

  Group* find(const Ipv6Address& group);
  // A uniform delay in [0, max] ms.
  Millis draw(Millis max);
  // One MLDv2 report of `records`, or in MLDv1 compatibility one v1 report per
  // record; false when the sender refused (the caller retries them all).
  bool send(Span<const MldRecord> records, Millis now, MldSender& tx);

  Group groups_[kMaxGroups];
  Millis general_due_ = kNever;
  Millis v1_until_ = 0;
  Prng prng_;
  MldStats stats_;
};

}  // namespace mpxe::net
