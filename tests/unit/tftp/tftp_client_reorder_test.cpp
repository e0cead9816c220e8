// The TFTP client with a reorder store (RFC 7440 windows through a link that
// reorders and duplicates), and the named causes of a failure: scripted at
// explicit milliseconds, every datagram built byte by byte, every ACK checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "net/socket/tftp_client.h"
#include "tftp_test_util.h"

namespace mpxe::net {
namespace {

using namespace tftp_test;
using State = TftpClient::State;

constexpr Millis kWait = TftpClient::kReorderWaitMs;

// A harness whose client keeps early blocks: room for `slots` blocks of 512.
struct StoreHarness : Harness {
  explicit StoreHarness(size_t slots = 16) : store(slots * 512) {
    request.reorder_store = MutableBytes(store.data(), store.size());
  }
  Buffer store;
};

// Starts a transfer of `file` at blksize 512 with windowsize `window`, OACK at 2 ms.
void start_windowed(Harness& h, const Buffer& file, int window) {
  h.request.blksize = 512;
  h.request.windowsize = static_cast<uint16_t>(window);
  h.start();
  h.deliver(oack({{"blksize", "512"},
                  {"tsize", std::to_string(file.size())},
                  {"windowsize", std::to_string(window)}}),
            2);
  ASSERT_EQ(h.acks(), std::vector<uint16_t>{0});
}

// Delivers the blocks of `file` (1-based indices) in the order given, at `t`;
// returns the ACKs they drew.
std::vector<uint16_t> send(Harness& h, const Buffer& file, std::vector<uint64_t> order, Millis t,
                           size_t blksize = 512) {
  for (uint64_t i : order) h.deliver(data_of(file, i, blksize), t);
  return h.acks();
}

std::vector<uint64_t> range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (uint64_t i = first; i <= last; ++i) out.push_back(i);
  return out;
}

TEST(TftpClientReorder, ASwappedPairCostsNoAckAndNoResend) {
  StoreHarness h;
  Buffer file = file_of(40 * 512 + 7);  // 41 blocks
  start_windowed(h, file, 16);
  EXPECT_EQ(send(h, file, {1, 2, 4}, 10), std::vector<uint16_t>{}) << "4 is kept, not answered";
  EXPECT_EQ(h.client.next_deadline(), 10 + kWait) << "the gap is given a moment";
  EXPECT_EQ(send(h, file, {3}, 10), std::vector<uint16_t>{});
  EXPECT_EQ(h.sink.data, Buffer(file.begin(), file.begin() + 4 * 512)) << "3 and 4 delivered";
  EXPECT_GT(h.client.next_deadline(), 10 + kWait) << "no gap left to answer";
  EXPECT_EQ(send(h, file, range(5, 16), 10), std::vector<uint16_t>{16});
  // The next windows: pairs swapped everywhere, the last block too.
  EXPECT_EQ(send(h, file, {18, 17, 20, 19, 22, 21, 24, 23, 26, 25, 28, 27, 30, 29, 32, 31}, 11),
            std::vector<uint16_t>{32});
  EXPECT_EQ(send(h, file, {33, 34, 35, 36, 37, 38, 39, 41, 40}, 12), std::vector<uint16_t>{41});
  EXPECT_EQ(h.client.state(), State::Closing);
  EXPECT_EQ(h.sink.data, file);
  EXPECT_EQ(h.client.stats().held, 10u);
  EXPECT_EQ(h.client.stats().gap_acks, 0u);
  EXPECT_EQ(h.client.stats().out_of_order, 0u);
  EXPECT_EQ(h.client.stats().retransmits, 0u);
  EXPECT_EQ(h.client.stats().acks, 4u) << "ACK 0, 16, 32, 41: one per window";
}

TEST(TftpClientReorder, EveryBlockTwiceDrawsNoExtraAck) {
  StoreHarness h;
  Buffer file = file_of(31 * 512 + 100);  // 32 blocks
  start_windowed(h, file, 16);
  std::vector<uint16_t> acks;
  for (uint64_t i = 1; i <= 32; ++i) {
    for (uint16_t a : send(h, file, {i, i}, 10 + i)) acks.push_back(a);
  }
  // The copy of the last block is answered: after the end, a resent last
  // block means our final ACK was lost (a linger is short, a storm impossible).
  EXPECT_EQ(acks, (std::vector<uint16_t>{16, 32, 32}));
  EXPECT_EQ(h.sink.data, file);
  EXPECT_EQ(h.client.stats().duplicates, 32u);
  EXPECT_EQ(h.client.stats().retransmits, 0u);
  // Swapped and doubled: 2 1 2 1 (a held block's copy is a duplicate too).
  StoreHarness g;
  start_windowed(g, file, 16);
  EXPECT_EQ(send(g, file, {2, 1, 2, 1, 4, 3, 4, 3}, 10), std::vector<uint16_t>{});
  EXPECT_EQ(send(g, file, range(5, 16), 10), std::vector<uint16_t>{16});
  EXPECT_EQ(g.client.stats().duplicates, 4u);
  EXPECT_EQ(g.client.stats().held, 2u);
  EXPECT_EQ(g.client.stats().gap_acks, 0u);
}

TEST(TftpClientReorder, TheLastBlockOfAWindowAheadOfItsNeighbourIsWaitedFor) {
  StoreHarness h;
  Buffer file = file_of(12 * 512 + 1);  // 13 blocks
  start_windowed(h, file, 4);
  // 4 ends the window but comes before 3: no ACK until 3 is here, then ACK 4.
  EXPECT_EQ(send(h, file, {1, 2, 4}, 10), std::vector<uint16_t>{});
  EXPECT_EQ(send(h, file, {3}, 10), std::vector<uint16_t>{4});
  // The network's copy of 4 after our ACK: nothing.
  EXPECT_EQ(send(h, file, {4}, 11), std::vector<uint16_t>{});
  // The next window's first block before the last: 6, 5, 7, 8.
  EXPECT_EQ(send(h, file, {6, 5, 7, 8}, 12), std::vector<uint16_t>{8});
  EXPECT_EQ(send(h, file, {9, 10, 12, 11, 13}, 13), (std::vector<uint16_t>{12, 13}));
  EXPECT_EQ(h.sink.data, file);
  EXPECT_EQ(h.client.stats().gap_acks, 0u);
}

TEST(TftpClientReorder, ALossAtTheEndOfAWindowIsAnsweredAfterTheWait) {
  StoreHarness h;
  Buffer file = file_of(40 * 512 + 7);
  start_windowed(h, file, 16);
  // 15 is lost: 16 has no followers to prove it, so the wait decides.
  EXPECT_EQ(send(h, file, range(1, 14), 10), std::vector<uint16_t>{});
  EXPECT_EQ(send(h, file, {16}, 10), std::vector<uint16_t>{});
  EXPECT_EQ(h.client.next_deadline(), 10 + kWait);
  h.poll(10 + kWait - 1);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{});
  h.poll(10 + kWait);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{14});
  EXPECT_EQ(h.client.stats().gap_acks, 1u);
  EXPECT_EQ(h.client.stats().retransmits, 0u) << "a gap ACK is no retransmission";
  // The server restarts after 14 (15..30): 16 is here already and is dropped;
  // 15 brings 16 out of the store.
  EXPECT_EQ(send(h, file, range(15, 30), 13), std::vector<uint16_t>{30});
  EXPECT_EQ(send(h, file, range(31, 41), 14), std::vector<uint16_t>{41});
  EXPECT_EQ(h.sink.data, file);
}

TEST(TftpClientReorder, AGapWithBlocksPiledBehindItIsALossAnsweredAtOnce) {
  StoreHarness h;
  Buffer file = file_of(40 * 512 + 7);
  start_windowed(h, file, 16);
  EXPECT_EQ(send(h, file, range(1, 4), 10), std::vector<uint16_t>{});
  // 5 is lost; the third block held behind it proves it.
  EXPECT_EQ(send(h, file, {6, 7}, 10), std::vector<uint16_t>{});
  EXPECT_EQ(send(h, file, {8}, 10), std::vector<uint16_t>{4});
  EXPECT_EQ(send(h, file, range(9, 16), 10), std::vector<uint16_t>{}) << "once per gap";
  EXPECT_EQ(h.client.stats().held, 11u);
  // The server restarts after 4 (5..20): 6..16 are in the store already.
  EXPECT_EQ(send(h, file, {5}, 11), std::vector<uint16_t>{});
  EXPECT_EQ(h.sink.data.size(), 16u * 512) << "5 freed 6..16";
  EXPECT_EQ(send(h, file, range(6, 20), 11), std::vector<uint16_t>{20});
  EXPECT_EQ(h.client.stats().duplicates, 11u);
  EXPECT_EQ(send(h, file, range(21, 36), 12), std::vector<uint16_t>{36});
  EXPECT_EQ(send(h, file, range(37, 41), 13), std::vector<uint16_t>{41});
  EXPECT_EQ(h.sink.data, file);
  EXPECT_EQ(h.client.stats().gap_acks, 1u);
  EXPECT_EQ(h.client.stats().out_of_order, 0u);
}

TEST(TftpClientReorder, AGapThatNeverFillsEndsInATimeout) {
  StoreHarness h;
  Buffer file = file_of(40 * 512 + 7);
  start_windowed(h, file, 16);
  EXPECT_EQ(send(h, file, range(1, 4), 10), std::vector<uint16_t>{});
  EXPECT_EQ(send(h, file, range(6, 16), 10), std::vector<uint16_t>{4});
  // The server never sends 5 again: our timer repeats ACK 4, backing off, and
  // gives up once nothing has moved for the full schedule (19 s).
  std::vector<uint16_t> acks;
  Millis t = 10;
  while (h.client.state() == State::Receiving && t < 60000) {
    t = h.client.next_deadline();
    h.poll(t);
    for (const Sent& s : h.tx.take()) {
      if (s.bytes.size() == 4) acks.push_back(static_cast<uint16_t>(s.bytes[3]));
    }
  }
  EXPECT_EQ(h.client.state(), State::Failed);
  EXPECT_EQ(h.client.failure(), TftpFailure::Timeout);
  // From the round-trip floor (20 ms) doubling to 4 s: every one names 4.
  EXPECT_EQ(acks, std::vector<uint16_t>(h.client.stats().retransmits, 4));
  EXPECT_GE(acks.size(), 5u);
  EXPECT_GE(t, 10u + 19000u);
  EXPECT_LE(t, 10u + 19000u + 4000u) << "the give-up is checked at the next timer";
  EXPECT_EQ(h.sink.data.size(), 4u * 512) << "nothing after the gap reaches the sink";
  char line[160];
  tftp_failure_format(h.client, line, sizeof line);
  EXPECT_EQ(std::string(line), "10.77.0.1 stopped answering: timed out after " +
                                   std::to_string(acks.size()) + " retransmissions");
}

TEST(TftpClientReorder, AStoreTooSmallForTheGapDropsWhatHasNoRoom) {
  StoreHarness h(2);  // room for 2 blocks
  Buffer file = file_of(15 * 512 + 7);  // 16 blocks
  start_windowed(h, file, 16);
  EXPECT_EQ(send(h, file, {1, 3, 4}, 10), std::vector<uint16_t>{}) << "3 and 4 fit";
  EXPECT_EQ(send(h, file, {5}, 10), std::vector<uint16_t>{1}) << "5 does not: a loss";
  EXPECT_EQ(send(h, file, range(6, 16), 10), std::vector<uint16_t>{});
  EXPECT_EQ(h.client.stats().out_of_order, 12u);
  EXPECT_EQ(send(h, file, range(2, 16), 11), std::vector<uint16_t>{16});
  EXPECT_EQ(h.sink.data, file);
}

TEST(TftpClientReorder, LockStepKeepsNothingAndAnswersAtOnce) {
  StoreHarness h;
  Buffer file = file_of(3 * 512 + 1);
  h.request.blksize = 512;
  h.start();
  h.deliver(oack({{"blksize", "512"}}), 2);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  EXPECT_EQ(send(h, file, {2}, 3), std::vector<uint16_t>{0});
  EXPECT_EQ(h.client.stats().held, 0u);
  EXPECT_EQ(h.client.stats().out_of_order, 1u);
}

TEST(TftpClientReorder, BlockNumbersRollOverWithPairsSwapped) {
  // blksize 8 keeps 70000 blocks small; every window has its middle pair
  // swapped, and the window across 65535 -> 0 has 0 before 65535.
  Harness h;
  Buffer store(16 * 8);
  h.request.reorder_store = MutableBytes(store.data(), store.size());
  h.request.blksize = 8;
  h.start();
  h.deliver(oack({{"blksize", "8"}, {"windowsize", "16"}}), 1);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  const uint64_t kBlocks = 70000;
  Buffer file = file_of((kBlocks - 1) * 8 + 5);
  std::vector<uint16_t> acks;
  for (uint64_t first = 1; first <= kBlocks; first += 16) {
    uint64_t last = std::min(first + 15, kBlocks);
    std::vector<uint64_t> order = range(first, last);
    if (order.size() >= 10) std::swap(order[7], order[8]);
    if (first <= 65536 && 65536 <= last) std::swap(order[65535 - first], order[65536 - first]);
    for (uint16_t a : send(h, file, order, 2, 8)) acks.push_back(a);
  }
  EXPECT_EQ(h.client.state(), State::Closing);
  EXPECT_EQ(h.sink.data, file);
  ASSERT_EQ(acks.size(), (kBlocks + 15) / 16);
  EXPECT_EQ(acks[4094], 65520);
  EXPECT_EQ(acks[4095], 0) << "65536 is block 0";
  EXPECT_EQ(acks.back(), static_cast<uint16_t>(kBlocks));
  EXPECT_EQ(h.client.stats().gap_acks, 0u);
  EXPECT_EQ(h.client.stats().blocks, kBlocks);
}

// ---------------------------------------------------------------------------
// Named causes

struct OackCase {
  const char* what;
  Buffer oack;
  uint16_t windowsize;
  bool ask_tsize;
  uint8_t timeout_s;
  TftpOackFault fault;
  const char* line;
};

TEST(TftpClientNamedCause, EachOackViolationHasItsOwnLineWithTheServer) {
  const OackCase cases[] = {
      {"blksize above asked", oack({{"blksize", "2048"}}), 16, true, 0,
       TftpOackFault::LargerThanAsked,
       "bad OACK from 10.77.0.1: blksize 2048 granted, more than the 1468 asked"},
      {"blksize under 8", oack({{"blksize", "4"}}), 16, true, 0, TftpOackFault::OutOfRange,
       "bad OACK from 10.77.0.1: blksize 4 is out of range"},
      {"blksize over 65464", oack({{"blksize", "70000"}}), 16, true, 0, TftpOackFault::OutOfRange,
       "bad OACK from 10.77.0.1: blksize 70000 is out of range"},
      {"windowsize above asked", oack({{"windowsize", "32"}}), 16, true, 0,
       TftpOackFault::LargerThanAsked,
       "bad OACK from 10.77.0.1: windowsize 32 granted, more than the 16 asked"},
      {"windowsize 0", oack({{"windowsize", "0"}}), 16, true, 0, TftpOackFault::OutOfRange,
       "bad OACK from 10.77.0.1: windowsize 0 is out of range"},
      {"windowsize never asked", oack({{"windowsize", "8"}}), 1, true, 0, TftpOackFault::NotAsked,
       "bad OACK from 10.77.0.1: windowsize 8 granted, never asked"},
      {"timeout never asked", oack({{"timeout", "3"}}), 16, true, 0, TftpOackFault::NotAsked,
       "bad OACK from 10.77.0.1: timeout 3 granted, never asked"},
      {"timeout above asked", oack({{"timeout", "9"}}), 16, true, 2,
       TftpOackFault::LargerThanAsked,
       "bad OACK from 10.77.0.1: timeout 9 granted, more than the 2 asked"},
      {"tsize never asked", oack({{"tsize", "100"}}), 16, false, 0, TftpOackFault::NotAsked,
       "bad OACK from 10.77.0.1: tsize 100 granted, never asked"},
      {"tsize nonsense", oack({{"tsize", "-1"}}), 16, true, 0, TftpOackFault::NotANumber,
       "bad OACK from 10.77.0.1: tsize '-1' is not a number"},
      {"tsize past 64 bits", oack({{"tsize", "99999999999999999999"}}), 16, true, 0,
       TftpOackFault::NotANumber,
       "bad OACK from 10.77.0.1: tsize '99999999999999999999' is not a number"},
      {"blksize no number", oack({{"BLKSIZE", "big"}}), 16, true, 0, TftpOackFault::NotANumber,
       "bad OACK from 10.77.0.1: blksize 'big' is not a number"},
      {"unknown option", oack({{"multicast", ",,1"}}), 16, true, 0, TftpOackFault::Unknown,
       "bad OACK from 10.77.0.1: unknown option 'multicast' granted, never asked"},
      {"unknown option, unprintable", oack({{"x\x01y", "1"}}), 16, true, 0, TftpOackFault::Unknown,
       "bad OACK from 10.77.0.1: unknown option 'x?y' granted, never asked"},
      {"repeated", oack({{"blksize", "512"}, {"blksize", "1024"}}), 16, true, 0,
       TftpOackFault::Repeated, "bad OACK from 10.77.0.1: blksize given twice"},
      {"a name without a value", Buffer{0, 6, 'b', 'l', 'k', 's', 'i', 'z', 'e', 0}, 16, true, 0,
       TftpOackFault::Malformed, "bad OACK from 10.77.0.1: malformed (tftp: bad option)"},
      {"a value without its NUL", Buffer{0, 6, 't', 's', 'i', 'z', 'e', 0, '1'}, 16, true, 0,
       TftpOackFault::Malformed, "bad OACK from 10.77.0.1: malformed (tftp: unterminated string)"},
  };
  for (const OackCase& c : cases) {
    Harness h;
    h.request.windowsize = c.windowsize;
    h.request.ask_tsize = c.ask_tsize;
    h.request.timeout_s = c.timeout_s;
    h.start();
    h.deliver(c.oack, 2);
    std::vector<Sent> sent = h.tx.take();
    ASSERT_EQ(sent.size(), 1u) << c.what;
    EXPECT_EQ(sent[0].bytes, error_packet(8, "unacceptable option acknowledgement")) << c.what;
    EXPECT_EQ(h.client.failure(), TftpFailure::BadOack) << c.what;
    EXPECT_EQ(h.client.oack_fault(), c.fault) << c.what;
    char line[160];
    size_t n = tftp_failure_format(h.client, line, sizeof line);
    EXPECT_STREQ(line, c.line) << c.what;
    EXPECT_EQ(n, strlen(c.line)) << c.what;
  }
}

TEST(TftpClientNamedCause, AnOackWithinWhatWasAskedIsTaken) {
  Harness h;
  h.request.timeout_s = 3;
  h.start();
  h.deliver(oack({{"BlkSize", "1024"}, {"windowsize", "16"}, {"timeout", "2"}, {"tsize", "9"}}),
            2);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  EXPECT_EQ(h.client.blksize(), 1024);
  EXPECT_EQ(h.client.oack_fault(), TftpOackFault::None);
  char line[16] = "x";
  EXPECT_EQ(tftp_failure_format(h.client, line, sizeof line), 0u);
  EXPECT_STREQ(line, "");
}

TEST(TftpClientNamedCause, OtherFailuresNameTheServerToo) {
  Harness h;
  h.start();
  h.deliver(error_packet(1, "File not found"), 2);
  char line[160];
  tftp_failure_format(h.client, line, sizeof line);
  EXPECT_STREQ(line, "TFTP error 1 from 10.77.0.1: File not found");

  Harness u;
  u.start();
  UdpMeta quoted;
  quoted.src = kClient;
  quoted.dst = kServer;
  quoted.src_port = kClientPort;
  quoted.dst_port = 69;
  u.client.on_unreachable(quoted, 3, 5);
  tftp_failure_format(u.client, line, sizeof line);
  EXPECT_STREQ(line, "server unreachable (server 10.77.0.1; tftp: unreachable)");
}

TEST(TftpClientNamedCause, DropsAreCountedByReasonWithTheFirstSender) {
  StoreHarness h;
  Buffer file = file_of(40 * 512 + 7);
  start_windowed(h, file, 16);
  char line[256] = "x";
  EXPECT_EQ(tftp_drop_summary(h.client.stats(), line, sizeof line), 0u);
  EXPECT_STREQ(line, "");
  send(h, file, {1, 1, 2}, 10);
  h.deliver(Buffer{0, 9, 1}, 10);                              // no such opcode
  h.deliver(data_of(file, 3, 512), 10, 4000);                  // another port
  h.deliver(data_of(file, 3, 512), 10, kTid, Ipv4Address::of(10, 77, 0, 9));  // another host
  h.tx.take();
  tftp_drop_summary(h.client.stats(), line, sizeof line);
  EXPECT_STREQ(line,
               "dropped 1 duplicate (first from 10.77.0.1:50123), 1 malformed (first from "
               "10.77.0.1:50123), 2 from other transfers (first from 10.77.0.1:4000)");
  // Cut short, as a console line would be: still terminated.
  char small[20];
  size_t full = tftp_drop_summary(h.client.stats(), small, sizeof small);
  EXPECT_EQ(full, strlen(line));
  EXPECT_EQ(strlen(small), sizeof small - 1);
}

}  // namespace
}  // namespace mpxe::net
