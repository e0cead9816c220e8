#include "net/socket/mld_listener.h"

namespace mpxe::net {

namespace {

uint64_t seed_of(MacAddress mac) {
  uint64_t seed = 0;
  for (uint8_t octet : mac.octets) seed = (seed << 8) | octet;
  return seed;
}

}  // namespace

MldListener::MldListener(MacAddress mac) : prng_(seed_of(mac)) {}

MldListener::Group* MldListener::find(const Ipv6Address& group) {
  for (Group& g : groups_)
    if (g.used && g.address == group) return &g;
  return nullptr;
}

bool MldListener::listening(const Ipv6Address& group) const {
  for (const Group& g : groups_)
    if (g.used && g.address == group) return true;
  return false;
}

size_t MldListener::group_count() const {
  size_t n = 0;
  for (const Group& g : groups_) n += g.used ? 1 : 0;
  return n;
}

Millis MldListener::draw(Millis max) {
  if (max >= 0xFFFFFFFFu) max = 0xFFFFFFFEu;
  return prng_.below(static_cast<uint32_t>(max) + 1);
}

void MldListener::set_groups(Span<const Ipv6Address> groups, Millis now, MldSender& tx) {
  for (Group& g : groups_) {
    if (!g.used) continue;
    bool kept = false;
    for (const Ipv6Address& wanted : groups) kept = kept || wanted == g.address;
    if (!kept) g = Group{};  // left silently (see the header)
  }
  bool joined = false;
  for (const Ipv6Address& wanted : groups) {
    if (!mld_reportable(wanted) || find(wanted) != nullptr) continue;
    Group* slot = nullptr;
    for (Group& g : groups_)
      if (!g.used && slot == nullptr) slot = &g;
    if (slot == nullptr) {
      ++stats_.groups_full;
      continue;
    }
    *slot = Group{};
    slot->address = wanted;
    slot->used = true;
    slot->unsolicited_left = kRobustness;
    slot->unsolicited_due = now;
    joined = true;
  }
  // RFC 3810 6.1: "immediately transmits" the State Change Report.
  if (joined) poll(now, tx);
}

void MldListener::on_query(const MldQuery& query, Millis now) {
  if (!query.v2) {
    ++stats_.v1_queries;
    v1_until_ = now + kOlderVersionQuerierTimeout;
  }
  Millis at = now + draw(query.max_response_delay);
  if (query.general()) {
    ++stats_.general_queries;
    // Rules 1 and 2: an earlier pending answer stands, a later one moves up.
    if (at < general_due_) general_due_ = at;
    return;
  }
  Group* group = find(query.group);
  if (group == nullptr) {
    ++stats_.other_queries;
    return;
  }
  ++stats_.specific_queries;
  if (general_due_ <= at) return;  // rule 1: the General answer covers it
  if (at < group->response_due) group->response_due = at;  // rules 3 and 4
}

bool MldListener::send(Span<const MldRecord> records, Millis now, MldSender& tx) {
  if (version(now) == MldVersion::V1) {
    for (const MldRecord& record : records) {
      if (!tx.send_mld_report(MldVersion::V1, Span<const MldRecord>(&record, 1))) {
        ++stats_.send_failures;
        return false;
      }
      ++stats_.reports_sent;
    }
    return true;
  }
  if (!tx.send_mld_report(MldVersion::V2, records)) {
    ++stats_.send_failures;
    return false;
  }
  ++stats_.reports_sent;
  return true;
}

void MldListener::poll(Millis now, MldSender& tx) {
  MldRecord records[kMaxGroups];
  size_t n = 0;
  if (general_due_ <= now) {
    for (const Group& g : groups_)
      if (g.used) records[n++] = MldRecord{MldRecordType::ModeIsExclude, g.address};
    if (n == 0 || send(Span<const MldRecord>(records, n), now, tx)) {
      general_due_ = kNever;
      for (Group& g : groups_) g.response_due = kNever;  // answered with the rest
    } else {
      general_due_ = now + kSendRetry;
    }
  }

  n = 0;
  for (const Group& g : groups_)
    if (g.used && g.response_due <= now)
      records[n++] = MldRecord{MldRecordType::ModeIsExclude, g.address};
  if (n != 0) {
    bool sent = send(Span<const MldRecord>(records, n), now, tx);
    for (Group& g : groups_)
      if (g.used && g.response_due <= now) g.response_due = sent ? kNever : now + kSendRetry;
  }

  n = 0;
  for (const Group& g : groups_)
    if (g.used && g.unsolicited_left != 0 && g.unsolicited_due <= now)
      records[n++] = MldRecord{MldRecordType::ChangeToExclude, g.address};
  if (n != 0) {
    bool sent = send(Span<const MldRecord>(records, n), now, tx);
    // 6.1: the retransmissions "at intervals chosen at random from the range
    // (0, [Unsolicited Report Interval])"; one draw, so the groups of one report
    // repeat together.
    Millis repeat = kNever;
    for (Group& g : groups_) {
      if (!g.used || g.unsolicited_left == 0 || g.unsolicited_due > now) continue;
      if (!sent) {
        g.unsolicited_due = now + kSendRetry;
        continue;
      }
      if (--g.unsolicited_left == 0) {
        g.unsolicited_due = kNever;
        continue;
      }
      if (repeat == kNever) repeat = now + 1 + draw(kUnsolicitedReportInterval - 1);
      g.unsolicited_due = repeat;
    }
  }
}

Millis MldListener::next_deadline() const {
  Millis next = general_due_;
  for (const Group& g : groups_) {
    if (!g.used) continue;
    if (g.unsolicited_left != 0 && g.unsolicited_due < next) next = g.unsolicited_due;
    if (g.response_due < next) next = g.response_due;
  }
  return next;
}

}  // namespace mpxe::net
