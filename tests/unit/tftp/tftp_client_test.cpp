// The TFTP client, scripted at explicit milliseconds: every datagram a server
// would send is built byte by byte (or taken from a capture of atftpd and
// dnsmasq), and every datagram the client sends is checked, down to which ACKs.
#include "net/socket/tftp_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "frames.h"
#include "net_test_util.h"
#include "tftp_test_util.h"

namespace mpxe::net {
namespace {

using namespace tftp_test;
using State = TftpClient::State;

// ---------------------------------------------------------------------------
// The request

TEST(TftpClientRequest, DefaultAsksBlksizeForTheMtuTsizeAndWindow16) {
  Harness h;
  ASSERT_TRUE(h.client.start(h.request, 0, h.tx).ok());
  std::vector<Sent> sent = h.tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes,
            rrq_packet("boot.efi", {{"blksize", "1468"}, {"tsize", "0"}, {"windowsize", "16"}}));
  EXPECT_EQ(sent[0].meta.dst, kServer);
  EXPECT_EQ(sent[0].meta.dst_port, 69);
  EXPECT_EQ(sent[0].meta.src, kClient);
  EXPECT_EQ(sent[0].meta.src_port, kClientPort);
  EXPECT_EQ(h.client.state(), State::Requesting);
  EXPECT_EQ(h.client.next_deadline(), 1000u);
  EXPECT_EQ(kTftpClientBlockSize, 1468);
}

TEST(TftpClientRequest, AsksOnlyWhatIsConfigured) {
  Harness h;
  h.request.blksize = 0;
  h.request.windowsize = 1;
  h.request.ask_tsize = false;
  ASSERT_TRUE(h.client.start(h.request, 0, h.tx).ok());
  EXPECT_EQ(h.tx.take().at(0).bytes, rrq_packet("boot.efi", {}));

  h.request.blksize = 65464;
  h.request.windowsize = 64;
  h.request.timeout_s = 2;
  h.request.ask_tsize = true;
  ASSERT_TRUE(h.client.start(h.request, 0, h.tx).ok());
  EXPECT_EQ(h.tx.take().at(0).bytes,
            rrq_packet("boot.efi", {{"blksize", "65464"},
                                    {"tsize", "0"},
                                    {"timeout", "2"},
                                    {"windowsize", "64"}}));
}

TEST(TftpClientRequest, RefusesRequestsThatCannotBeSent) {
  Harness h;
  auto refused = [&](TftpRequest r, Errc reason) {
    Result<void> s = h.client.start(r, 0, h.tx);
    EXPECT_TRUE(test::fails_with(s, Layer::Tftp, reason));
    EXPECT_EQ(h.client.state(), State::Idle);
    EXPECT_TRUE(h.tx.take().empty());
  };
  TftpRequest r = h.request;
  r.filename = Bytes();
  refused(r, Errc::BadValue);
  r = h.request;
  r.sink = nullptr;
  refused(r, Errc::BadValue);
  r = h.request;
  r.blksize = 7;
  refused(r, Errc::BadOption);
  r.blksize = 65465;
  refused(r, Errc::BadOption);
  r = h.request;
  r.size_only = true;
  r.ask_tsize = false;
  refused(r, Errc::BadValue);
  // RFC 2347: a request must not exceed 512 octets.
  std::string long_name(600, 'a');
  r = h.request;
  r.filename = bytes_of(long_name.c_str());
  refused(r, Errc::NoSpace);
}

TEST(TftpClientRequest, KeepsItsOwnCopyOfTheFileName) {
  Harness h;
  std::string name = "first.efi";
  h.request.filename = bytes_of(name.c_str());
  ASSERT_TRUE(h.client.start(h.request, 0, h.tx).ok());
  name = "XXXXX.XXX";
  h.tx.take();
  h.poll(1000);  // the retransmitted RRQ still names the file asked for
  EXPECT_EQ(h.tx.take().at(0).bytes,
            rrq_packet("first.efi", {{"blksize", "1468"}, {"tsize", "0"}, {"windowsize", "16"}}));
}

// ---------------------------------------------------------------------------
// Captured exchanges

struct Captured {
  UdpMeta meta;
  Buffer payload;
};
Captured captured(Bytes eth) {
  auto ip = Ipv4Packet::check(test::ipv4_of(eth)).value();
  auto udp = UdpDatagram::check(ip.payload()).value();
  Captured c;
  c.meta.src = ip.src();
  c.meta.dst = ip.dst();
  c.meta.src_port = udp.src_port();
  c.meta.dst_port = udp.dst_port();
  c.payload = test::to_buffer(udp.payload());
  return c;
}

TEST(TftpClientCaptured, ReplaysAnAtftpdTransferWithWindowsize) {
  Captured rrq = captured(test::frame(frames::kTftpRrq));
  Captured oack_frame = captured(test::frame(frames::kTftpOackAtftpd));
  Captured data2 = captured(test::frame(frames::kTftpDataAtftpd));

  RecordingSender tx;
  MemorySink sink;
  TftpClient client;
  TftpRequest request;
  request.server = rrq.meta.dst;
  request.server_port = rrq.meta.dst_port;  // atftpd listened on 6969 for the capture
  request.client = rrq.meta.src;
  request.client_port = rrq.meta.src_port;
  request.filename = bytes_of("bootx64.efi");
  request.sink = &sink;
  request.blksize = 1432;
  request.timeout_s = 3;
  request.windowsize = 4;
  ASSERT_TRUE(client.start(request, 0, tx).ok());
  std::vector<Sent> sent = tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, rrq.payload) << "our RRQ is byte for byte the captured one";

  // atftpd: "tsize 2048 timeout 3 blksize 1432 windowsize 4", from its new port.
  client.on_datagram(oack_frame.meta, view(oack_frame.payload), 2, tx);
  sent = tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, ack_packet(0));
  EXPECT_EQ(sent[0].meta.dst_port, oack_frame.meta.src_port);
  EXPECT_EQ(client.blksize(), 1432);
  EXPECT_EQ(client.windowsize(), 4);
  EXPECT_TRUE(client.has_tsize());
  EXPECT_EQ(client.tsize(), 2048u);
  EXPECT_EQ(sink.sizes, std::vector<uint64_t>{2048});

  // The served file was bytes 0, 1, 2, ... mod 256; block 1 was not captured.
  Buffer block1;
  for (int i = 0; i < 1432; ++i) block1.push_back(static_cast<uint8_t>(i));
  Buffer data1 = data_packet(1, view(block1));
  client.on_datagram(oack_frame.meta, view(data1), 3, tx);
  EXPECT_TRUE(tx.take().empty()) << "block 1 of a window of 4 is not acknowledged";
  client.on_datagram(data2.meta, view(data2.payload), 4, tx);
  sent = tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, ack_packet(2)) << "the short block ends the transfer";
  EXPECT_EQ(client.state(), State::Closing);
  ASSERT_EQ(sink.data.size(), 2048u);
  for (size_t i = 0; i < sink.data.size(); ++i) ASSERT_EQ(sink.data[i], i & 0xFF) << i;
}

TEST(TftpClientCaptured, DnsmasqDropsWindowsizeSoTheTransferIsLockStep) {
  Captured oack_frame = captured(test::frame(frames::kTftpOackDnsmasq));
  Harness h;
  h.request.blksize = 1432;
  h.start();
  h.deliver(oack_frame.payload, 2);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  EXPECT_EQ(h.client.blksize(), 1432);
  EXPECT_EQ(h.client.windowsize(), 1);
  Buffer file = file_of(2048);
  h.deliver(data_of(file, 1, 1432), 3);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{1});
  h.deliver(data_of(file, 2, 1432), 4);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{2});
  EXPECT_EQ(h.sink.data, file);
}

TEST(TftpClientCaptured, KeepsTheServersErrorText) {
  for (Bytes eth : {test::frame(frames::kTftpErrorDnsmasq), test::frame(frames::kTftpErrorAtftpd)}) {
    Captured error = captured(eth);
    Harness h;
    h.start();
    h.deliver(error.payload, 3, error.meta.src_port);
    EXPECT_EQ(h.client.state(), State::Failed);
    EXPECT_EQ(h.client.failure(), TftpFailure::ServerError);
    EXPECT_EQ(h.client.error(), Error(Layer::Tftp, Errc::NotFound));
    EXPECT_EQ(h.client.remote_code(), 1);
    std::string expected(error.payload.begin() + 4, error.payload.end() - 1);
    EXPECT_EQ(std::string(h.client.remote_text()), expected);
    EXPECT_TRUE(h.tx.take().empty()) << "an ERROR is never answered";
    EXPECT_EQ(h.client.next_deadline(), kNever);
  }
}

// ---------------------------------------------------------------------------
// Whole files of awkward sizes, with and without an OACK

struct SizeCase {
  size_t size;
  bool oack;
};

class TftpClientSizes : public ::testing::TestWithParam<SizeCase> {};

TEST_P(TftpClientSizes, ArriveWholeWithOneAckPerBlock) {
  const SizeCase c = GetParam();
  Harness h;
  h.start();
  Buffer file = file_of(c.size);
  Millis t = 5;
  if (c.oack) {
    h.deliver(oack({{"blksize", "512"}, {"tsize", std::to_string(c.size)}}), t);
    EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
    EXPECT_EQ(h.sink.sizes, std::vector<uint64_t>{c.size});
    EXPECT_TRUE(h.client.oack_received());
  }
  // "A data packet of less than 512 bytes signals termination": a file of a
  // multiple of 512 bytes ends with an empty block.
  const uint64_t blocks = c.size / 512 + 1;
  for (uint64_t i = 1; i <= blocks; ++i) {
    EXPECT_EQ(h.client.state(), i == 1 && !c.oack ? State::Requesting : State::Receiving);
    h.deliver(data_of(file, i, 512), ++t);
    EXPECT_EQ(h.acks(), std::vector<uint16_t>{static_cast<uint16_t>(i)}) << "block " << i;
  }
  EXPECT_EQ(h.client.state(), State::Closing);
  EXPECT_TRUE(h.client.succeeded());
  EXPECT_FALSE(h.client.finished());
  EXPECT_EQ(h.sink.data, file);
  EXPECT_EQ(h.client.blksize(), 512);
  EXPECT_EQ(h.client.windowsize(), 1);
  EXPECT_EQ(h.client.oack_received(), c.oack);
  EXPECT_EQ(h.client.stats().blocks, blocks);
  EXPECT_EQ(h.client.stats().bytes, c.size);
  EXPECT_EQ(h.client.stats().retransmits, 0u);
  EXPECT_EQ(h.client.server_tid(), kTid);
  if (!c.oack) EXPECT_TRUE(h.sink.sizes.empty());

  // The linger ends 3 s after the final ACK.
  EXPECT_EQ(h.client.next_deadline(), t + 3000);
  h.poll(t + 2999);
  EXPECT_EQ(h.client.state(), State::Closing);
  h.poll(t + 3000);
  EXPECT_EQ(h.client.state(), State::Complete);
  EXPECT_TRUE(h.client.finished());
  EXPECT_EQ(h.client.next_deadline(), kNever);
  EXPECT_TRUE(h.tx.take().empty());
}

INSTANTIATE_TEST_SUITE_P(, TftpClientSizes,
                         ::testing::Values(SizeCase{0, false}, SizeCase{1, false},
                                           SizeCase{511, false}, SizeCase{512, false},
                                           SizeCase{513, false}, SizeCase{0, true},
                                           SizeCase{1, true}, SizeCase{511, true},
                                           SizeCase{512, true}, SizeCase{513, true}),
                         [](const auto& info) {
                           return std::to_string(info.param.size) +
                                  (info.param.oack ? "_oack" : "_rfc1350");
                         });

// ---------------------------------------------------------------------------
// Option negotiation

TEST(TftpClientOack, TakesTheServersSmallerBlockSize) {
  Harness h;
  h.start();
  h.deliver(oack({{"blksize", "1428"}, {"tsize", "2428"}}), 2);  // QEMU's slirp answer
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  EXPECT_EQ(h.client.blksize(), 1428);
  EXPECT_EQ(h.client.windowsize(), 1) << "windowsize dropped: lock-step";
  Buffer file = file_of(2428);
  h.deliver(data_of(file, 1, 1428), 3);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{1});
  EXPECT_EQ(h.client.state(), State::Receiving) << "1428 bytes is a full block";
  h.deliver(data_of(file, 2, 1428), 4);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{2});
  EXPECT_EQ(h.client.state(), State::Closing);
  EXPECT_EQ(h.sink.data, file);
}

TEST(TftpClientOack, AnEmptyOackMeansEveryOptionRefused) {
  Harness h;
  h.start();
  h.deliver(oack({}), 2);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  EXPECT_EQ(h.client.blksize(), 512);
  EXPECT_EQ(h.client.windowsize(), 1);
  EXPECT_FALSE(h.client.has_tsize());
  EXPECT_TRUE(h.sink.sizes.empty());
}

TEST(TftpClientOack, AcceptsTheTimeoutItAskedAndLearnsTheIntervalFromIt) {
  Harness h;
  h.request.timeout_s = 2;
  h.start();
  h.deliver(oack({{"blksize", "1468"}, {"timeout", "2"}, {"windowsize", "8"}}), 1500);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  EXPECT_EQ(h.client.windowsize(), 8);
  // The RRQ's round trip (1.5 s) is the only estimate; with a 2 s timeout the
  // first data-phase retransmission comes at srtt + 4 * rttvar capped at 2 s.
  EXPECT_EQ(h.client.next_deadline(), 1500u + 2000u);
  // Give-up after 2 + 4 + 4 + 4 + 4 + 4 = 22 s without progress.
  Millis t = 1500;
  while (h.client.state() == State::Receiving) {
    t = h.client.next_deadline();
    h.poll(t);
  }
  EXPECT_EQ(h.client.failure(), TftpFailure::Timeout);
  EXPECT_GE(t - 1500, 22000u);
  EXPECT_LT(t - 1500, 26000u);
}

struct RefusedOack {
  const char* what;
  Buffer oack;
  uint16_t windowsize;
  bool ask_tsize;
};

TEST(TftpClientOack, RefusesOptionsNeverAskedOrLargerThanAsked) {
  const RefusedOack cases[] = {
      {"blksize above the 1468 asked", oack({{"blksize", "1469"}}), 16, true},
      {"windowsize above the 16 asked", oack({{"windowsize", "17"}}), 16, true},
      {"windowsize never asked", oack({{"windowsize", "4"}}), 1, true},
      {"tsize never asked", oack({{"tsize", "100"}}), 16, false},
      {"timeout never asked", oack({{"timeout", "3"}}), 16, true},
      {"an option nobody asked", oack({{"multicast", ",,1"}}), 16, true},
      {"a value that is no number", oack({{"blksize", "big"}}), 16, true},
      {"a name without a value", Buffer{0, 6, 'b', 'l', 'k', 's', 'i', 'z', 'e', 0}, 16, true},
  };
  for (const RefusedOack& c : cases) {
    Harness h;
    h.request.windowsize = c.windowsize;
    h.request.ask_tsize = c.ask_tsize;
    h.start();
    h.deliver(c.oack, 2);
    std::vector<Sent> sent = h.tx.take();
    ASSERT_EQ(sent.size(), 1u) << c.what;
    EXPECT_EQ(sent[0].bytes, error_packet(8, "unacceptable option acknowledgement")) << c.what;
    EXPECT_EQ(sent[0].meta.dst_port, kTid) << c.what;
    EXPECT_EQ(h.client.state(), State::Failed) << c.what;
    EXPECT_EQ(h.client.failure(), TftpFailure::BadOack) << c.what;
    EXPECT_EQ(h.client.error(), Error(Layer::Tftp, Errc::BadOption)) << c.what;
    EXPECT_EQ(h.client.next_deadline(), kNever);
  }
}

TEST(TftpClientOack, AnsweringWithDataTooLargeForDefaultsIsIgnored) {
  // No OACK means 512-octet blocks; 1468 octets in DATA 1 cannot be right.
  Harness h;
  h.start();
  Buffer file = file_of(3000);
  h.deliver(data_of(file, 1, 1468), 2);
  EXPECT_TRUE(h.tx.take().empty());
  EXPECT_EQ(h.client.state(), State::Requesting);
  EXPECT_EQ(h.client.stats().malformed, 1u);
}

TEST(TftpClientOack, AResentOackIsAcknowledgedAgain) {
  Harness h;
  h.start();
  h.deliver(oack({{"blksize", "1468"}, {"tsize", "10"}}), 2);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  h.deliver(oack({{"blksize", "1468"}, {"tsize", "10"}}), 3);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{}) << "a copy right behind the first";
  h.deliver(oack({{"blksize", "1468"}, {"tsize", "10"}}), 1002);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  EXPECT_EQ(h.sink.sizes, std::vector<uint64_t>{10}) << "the size is reported once";
  EXPECT_EQ(h.client.stats().duplicates, 2u);
}

// ---------------------------------------------------------------------------
// Windows (RFC 7440)

// Starts a transfer of `file` at blksize 512 with the given window, OACK at 2 ms.
void start_windowed(Harness& h, const Buffer& file, int window) {
  h.request.windowsize = static_cast<uint16_t>(window < 2 ? 16 : window);
  h.start();
  if (window < 2)
    h.deliver(oack({{"blksize", "512"}, {"tsize", std::to_string(file.size())}}), 2);
  else
    h.deliver(oack({{"blksize", "512"},
                    {"tsize", std::to_string(file.size())},
                    {"windowsize", std::to_string(window)}}),
              2);
  ASSERT_EQ(h.acks(), std::vector<uint16_t>{0});
}

// Delivers blocks first..last of `file` at `t`, returns the ACKs they drew.
std::vector<uint16_t> blocks(Harness& h, const Buffer& file, uint64_t first, uint64_t last,
                             Millis t) {
  for (uint64_t i = first; i <= last; ++i) h.deliver(data_of(file, i, 512), t);
  return h.acks();
}

TEST(TftpClientWindow, AcknowledgesTheLastBlockOfEachWindow) {
  Harness h;
  Buffer file = file_of(10 * 512 + 100);  // 11 blocks
  start_windowed(h, file, 4);
  std::vector<uint16_t> acks;
  for (uint64_t i = 1; i <= 11; ++i) {
    h.deliver(data_of(file, i, 512), 10);
    for (uint16_t a : h.acks()) acks.push_back(a);
  }
  EXPECT_EQ(acks, (std::vector<uint16_t>{4, 8, 11}));
  EXPECT_EQ(h.sink.data, file);
  EXPECT_EQ(h.client.state(), State::Closing);
}

TEST(TftpClientWindow, DefaultBlockSizeAndWindow16) {
  Harness h;
  h.start();
  Buffer file = file_of(100000);  // 68 blocks of 1468 and one of 176
  h.deliver(oack({{"blksize", "1468"}, {"tsize", "100000"}, {"windowsize", "16"}}), 2);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  std::vector<uint16_t> acks;
  for (uint64_t i = 1; i <= 69; ++i) {
    h.deliver(data_of(file, i, 1468), 3);
    for (uint16_t a : h.acks()) acks.push_back(a);
  }
  EXPECT_EQ(acks, (std::vector<uint16_t>{16, 32, 48, 64, 69}));
  EXPECT_EQ(h.sink.data, file);
}

TEST(TftpClientWindow, ALostBlockIsAnsweredOnceWithTheLastInOrderBlock) {
  Harness h;
  Buffer file = file_of(40 * 512 + 7);  // 41 blocks
  start_windowed(h, file, 16);
  EXPECT_EQ(blocks(h, file, 1, 4, 10), std::vector<uint16_t>{});
  // Block 5 is lost: block 6 draws ACK 4 at once; the rest of the window, none.
  EXPECT_EQ(blocks(h, file, 6, 6, 11), std::vector<uint16_t>{4});
  EXPECT_EQ(blocks(h, file, 7, 16, 11), std::vector<uint16_t>{});
  EXPECT_EQ(h.client.stats().out_of_order, 11u);
  // The server restarts after block 4 with a full window: 5..20.
  EXPECT_EQ(blocks(h, file, 5, 19, 12), std::vector<uint16_t>{});
  EXPECT_EQ(blocks(h, file, 20, 20, 12), std::vector<uint16_t>{20});
  EXPECT_EQ(blocks(h, file, 21, 36, 13), std::vector<uint16_t>{36});
  EXPECT_EQ(blocks(h, file, 37, 41, 14), std::vector<uint16_t>{41});
  EXPECT_EQ(h.sink.data, file);
  EXPECT_EQ(h.client.stats().duplicates, 0u);
  EXPECT_EQ(h.client.stats().retransmits, 0u);
}

TEST(TftpClientWindow, ADuplicateInsideTheWindowIsDroppedSilently) {
  Harness h;
  Buffer file = file_of(8 * 512 + 1);
  start_windowed(h, file, 4);
  EXPECT_EQ(blocks(h, file, 1, 2, 10), std::vector<uint16_t>{});
  EXPECT_EQ(blocks(h, file, 2, 2, 10), std::vector<uint16_t>{});
  EXPECT_EQ(blocks(h, file, 1, 1, 10), std::vector<uint16_t>{});
  EXPECT_EQ(blocks(h, file, 3, 4, 10), std::vector<uint16_t>{4});
  EXPECT_EQ(blocks(h, file, 4, 4, 11), std::vector<uint16_t>{}) << "right after the ACK";
  EXPECT_EQ(h.client.stats().duplicates, 3u);
  EXPECT_EQ(blocks(h, file, 5, 9, 12), (std::vector<uint16_t>{8, 9}));
  EXPECT_EQ(h.sink.data, file);
}

TEST(TftpClientWindow, ReorderingCostsOneRestartPerGap) {
  Harness h;
  Buffer file = file_of(6 * 512 + 3);  // 7 blocks
  start_windowed(h, file, 4);
  // The window 1..4 arrives as 1, 3, 2, 4.
  EXPECT_EQ(blocks(h, file, 1, 1, 10), std::vector<uint16_t>{});
  EXPECT_EQ(blocks(h, file, 3, 3, 11), std::vector<uint16_t>{1});
  EXPECT_EQ(blocks(h, file, 2, 2, 12), std::vector<uint16_t>{});
  EXPECT_EQ(blocks(h, file, 4, 4, 13), std::vector<uint16_t>{2});
  // The server restarts after ACK 1 (2..5), then after ACK 2 (3..6): the
  // blocks already here are dropped without a word.
  EXPECT_EQ(blocks(h, file, 2, 5, 14), std::vector<uint16_t>{});
  EXPECT_EQ(blocks(h, file, 3, 6, 15), std::vector<uint16_t>{6});
  EXPECT_EQ(blocks(h, file, 7, 7, 16), std::vector<uint16_t>{7});
  EXPECT_EQ(h.sink.data, file);
  EXPECT_EQ(h.client.stats().out_of_order, 2u);
  EXPECT_EQ(h.client.stats().duplicates, 4u);
}

TEST(TftpClientWindow, ALostWindowAckIsRepeatedByTheTimerOrWhenTheServerResends) {
  constexpr Millis kRto = TftpClient::kMinDataRto;
  Harness h;
  Buffer file = file_of(12 * 512 + 5);  // 13 blocks
  start_windowed(h, file, 4);           // RRQ at 0, OACK at 2: round trip 2 ms
  EXPECT_EQ(blocks(h, file, 1, 4, 4), std::vector<uint16_t>{4});
  // The ACK is lost. The round trip is milliseconds, so the first
  // retransmission waits the floor, not a second.
  EXPECT_EQ(h.client.next_deadline(), 4 + kRto);
  h.poll(4 + kRto - 1);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{});
  h.poll(4 + kRto);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{4});
  EXPECT_EQ(h.client.stats().retransmits, 1u);
  EXPECT_EQ(h.client.next_deadline(), 4 + 3 * kRto) << "doubled";
  // That one is lost too; the server's own timer fires and it resends 1..4:
  // the first old block draws ACK 4 again, the others nothing.
  EXPECT_EQ(blocks(h, file, 1, 1, 1004), std::vector<uint16_t>{4});
  EXPECT_EQ(blocks(h, file, 2, 4, 1004), std::vector<uint16_t>{});
  EXPECT_EQ(blocks(h, file, 5, 8, 1005), std::vector<uint16_t>{8});
  EXPECT_EQ(h.client.next_deadline(), 1005 + kRto) << "progress resets the backoff";
  EXPECT_EQ(blocks(h, file, 9, 13, 1006), (std::vector<uint16_t>{12, 13}));
  EXPECT_EQ(h.sink.data, file);
}

TEST(TftpClientWindow, ServerIgnoringWindowsizeIsServedLockStep) {
  Harness h;
  h.start();
  h.deliver(oack({{"blksize", "1468"}, {"tsize", "3000"}}), 2);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  EXPECT_EQ(h.client.windowsize(), 1);
  Buffer file = file_of(3000);
  for (uint64_t i = 1; i <= 3; ++i) {
    h.deliver(data_of(file, i, 1468), 3);
    EXPECT_EQ(h.acks(), std::vector<uint16_t>{static_cast<uint16_t>(i)});
  }
  EXPECT_EQ(h.sink.data, file);
}

TEST(TftpClientWindow, InLockStepAResentBlockIsAcknowledgedAgainOnlyWhenOurAckIsOld) {
  Harness h;
  Buffer file = file_of(3 * 512 + 9);
  start_windowed(h, file, 1);  // round trip 2 ms: the first retransmission after the floor
  EXPECT_EQ(blocks(h, file, 1, 1, 10), std::vector<uint16_t>{1});
  // The network duplicates block 1: an ACK for the copy would have the server
  // send block 2 twice (if it resends on a duplicate ACK), and so on for ever.
  EXPECT_EQ(blocks(h, file, 1, 1, 11), std::vector<uint16_t>{});
  // Our ACK 1 was lost: the server's timer resends block 1 a second later.
  EXPECT_EQ(blocks(h, file, 1, 1, 1010), std::vector<uint16_t>{1});
  EXPECT_EQ(blocks(h, file, 1, 1, 1011), std::vector<uint16_t>{}) << "its copy";
  EXPECT_EQ(blocks(h, file, 2, 4, 1012), (std::vector<uint16_t>{2, 3, 4}));
  EXPECT_EQ(h.sink.data, file);
  EXPECT_EQ(h.client.stats().duplicates, 3u);
}

// ---------------------------------------------------------------------------
// Block numbers past 65535

// A sender that only counts, for transfers of a hundred thousand blocks.
class CountingSender final : public UdpSender {
 public:
  Result<void> send_udp(const UdpMeta&, Bytes payload) override {
    ++count;
    last.assign(payload.begin(), payload.end());
    return {};
  }
  uint64_t count = 0;
  Buffer last;
};

class TftpClientBigFile : public ::testing::TestWithParam<int> {};

// The 64 MiB file: file_byte() over a table of a prime number of bytes, repeated.
// Blocks are 512-aligned, so two blocks share contents only 512 * 1048573 bytes
// apart: every block of the file is distinct. Its SHA-256 was computed apart
// (Python's hashlib over the same bytes), not by the code that checks it.
constexpr size_t kTableSize = 1048573;
constexpr const char* kBigFileSha256 =
    "c5b630ffe3bd27531b4c74e4491fab21828b13cd401202a46cbe5b6fe8eb1f59";

TEST_P(TftpClientBigFile, A64MiBFileAtBlksize512ArrivesWhole) {
  const int window = GetParam();
  constexpr uint64_t kSize = 64ull << 20;
  constexpr uint64_t kBlocks = kSize / 512 + 1;  // 131072 full blocks and an empty one
  static const Buffer table = file_of(kTableSize);
  HashSink sink;
  CountingSender tx;
  TftpClient client;
  TftpRequest request;
  request.server = kServer;
  request.client = kClient;
  request.client_port = kClientPort;
  request.filename = bytes_of("big.img");
  request.sink = &sink;
  request.windowsize = static_cast<uint16_t>(window > 1 ? window : 16);
  ASSERT_TRUE(client.start(request, 0, tx).ok());
  UdpMeta meta;
  meta.src = kServer;
  meta.dst = kClient;
  meta.src_port = kTid;
  meta.dst_port = kClientPort;
  Buffer o = window > 1 ? oack({{"blksize", "512"},
                                {"tsize", std::to_string(kSize)},
                                {"windowsize", std::to_string(window)}})
                        : oack({{"blksize", "512"}, {"tsize", std::to_string(kSize)}});
  client.on_datagram(meta, view(o), 1, tx);
  ASSERT_EQ(tx.last, ack_packet(0));

  Buffer packet(4 + 512);
  uint64_t offset = 0;
  for (uint64_t index = 1; index <= kBlocks; ++index) {
    size_t len = index < kBlocks ? 512 : 0;
    packet.resize(4 + len);
    packet[0] = 0;
    packet[1] = 3;
    packet[2] = static_cast<uint8_t>(index >> 8);  // the wire number: index mod 65536
    packet[3] = static_cast<uint8_t>(index);
    size_t at = static_cast<size_t>(offset % kTableSize);
    size_t first = std::min(len, kTableSize - at);
    std::memcpy(packet.data() + 4, table.data() + at, first);
    std::memcpy(packet.data() + 4 + first, table.data(), len - first);
    offset += len;
    uint64_t before = tx.count;
    client.on_datagram(meta, view(packet), 2 + index / 1000, tx);
    bool acked = tx.count != before;
    bool window_end = index % window == 0 || index == kBlocks;
    ASSERT_EQ(acked, window_end) << "block " << index;
    if (acked) ASSERT_EQ(tx.last, ack_packet(static_cast<uint16_t>(index))) << "block " << index;
  }
  EXPECT_EQ(sink.hex(), kBigFileSha256);
  EXPECT_EQ(sink.next, kSize);
  EXPECT_EQ(client.state(), State::Closing);
  EXPECT_EQ(client.stats().blocks, kBlocks);
  EXPECT_EQ(client.stats().bytes, kSize);
  EXPECT_EQ(client.stats().duplicates, 0u);
  EXPECT_EQ(client.stats().out_of_order, 0u);
  // The RRQ, ACK 0 and one ACK a window.
  EXPECT_EQ(tx.count, 2 + (kBlocks + window - 1) / window);
}

INSTANTIATE_TEST_SUITE_P(, TftpClientBigFile, ::testing::Values(1, 16),
                         [](const auto& info) { return "window" + std::to_string(info.param); });

TEST(TftpClientRollover, ALockStepServerThatWrapsToOneIsFollowed) {
  // blksize 8 keeps 65541 blocks small.
  Harness h;
  h.request.blksize = 8;
  h.request.windowsize = 1;
  h.start();
  h.deliver(oack({{"blksize", "8"}}), 1);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  const uint64_t kBlocks = 65541;
  Buffer file = file_of((kBlocks - 1) * 8 + 3);
  for (uint64_t index = 1; index <= kBlocks; ++index) {
    uint16_t wire = static_cast<uint16_t>((index - 1) % 65535 + 1);  // ..., 65535, 1, 2, ...
    Buffer packet = data_of(file, index, 8);
    packet[2] = static_cast<uint8_t>(wire >> 8);
    packet[3] = static_cast<uint8_t>(wire);
    h.deliver(packet, 2);
    std::vector<Sent> sent = h.tx.take();
    ASSERT_EQ(sent.size(), 1u) << index;
    ASSERT_EQ(sent[0].bytes, ack_packet(wire)) << index;
  }
  EXPECT_EQ(h.sink.data, file);
  EXPECT_EQ(h.client.state(), State::Closing);
}

TEST(TftpClientRollover, WithAWindowBlockOneAfter65535IsAGapNotAWrap) {
  Harness h;
  h.request.blksize = 8;
  h.start();
  h.deliver(oack({{"blksize", "8"}, {"windowsize", "16"}}), 1);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  Buffer file = file_of(70000 * 8);
  for (uint64_t index = 1; index <= 65535; ++index) h.deliver(data_of(file, index, 8), 2);
  std::vector<uint16_t> acks = h.acks();
  ASSERT_EQ(acks.size(), 4095u);
  EXPECT_EQ(acks.back(), 65520);
  Buffer wrapped_to_one = data_of(file, 65536, 8);
  wrapped_to_one[3] = 1;  // a server that skips 0, or block 0 lost: cannot tell
  h.deliver(wrapped_to_one, 3);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{65535});
  EXPECT_EQ(h.client.stats().out_of_order, 1u);
  h.deliver(data_of(file, 65536, 8), 4);  // block 0
  EXPECT_EQ(h.client.stats().blocks, 65536u);
}

// ---------------------------------------------------------------------------
// Transfer IDs

TEST(TftpClientTid, APacketFromAnotherPortGetsError5AndChangesNothing) {
  Harness h;
  h.start();
  Buffer file = file_of(1000);
  h.deliver(oack({{"blksize", "512"}}), 2);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  h.deliver(data_of(file, 1, 512), 3, kTid + 1);
  std::vector<Sent> sent = h.tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, error_packet(5, "unknown transfer ID"));
  EXPECT_EQ(sent[0].meta.dst, kServer);
  EXPECT_EQ(sent[0].meta.dst_port, kTid + 1);
  EXPECT_EQ(sent[0].meta.src_port, kClientPort);
  EXPECT_EQ(h.client.stats().blocks, 0u);
  EXPECT_EQ(h.client.stats().intruders, 1u);

  // Another host, same port: the same answer, to that host.
  const Ipv4Address other = Ipv4Address::of(10, 77, 0, 9);
  h.deliver(data_of(file, 1, 512), 4, kTid, other);
  sent = h.tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, error_packet(5, "unknown transfer ID"));
  EXPECT_EQ(sent[0].meta.dst, other);
  // An ERROR from a stranger is not answered (two clients could bounce errors
  // forever), nor is anything from a broadcast source.
  h.deliver(error_packet(5, "unknown transfer ID"), 5, 7777, other);
  h.deliver(data_of(file, 1, 512), 5, 7777, Ipv4Address::broadcast());
  EXPECT_TRUE(h.tx.take().empty());
  EXPECT_EQ(h.client.state(), State::Receiving);

  // The real server carries on.
  h.deliver(data_of(file, 1, 512), 6);
  h.deliver(data_of(file, 2, 512), 7);
  EXPECT_EQ(h.acks(), (std::vector<uint16_t>{1, 2}));
  EXPECT_EQ(h.sink.data, file);
}

TEST(TftpClientTid, ASecondServerProcessAnsweringTheResentRrqIsTurnedAway) {
  Harness h;
  h.start();
  h.poll(1000);  // the RRQ again; the server's first child answers late, then a second
  h.tx.take();
  h.deliver(oack({{"blksize", "512"}}), 1001);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  h.deliver(oack({{"blksize", "512"}}), 1002, kTid + 100);
  std::vector<Sent> sent = h.tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, error_packet(5, "unknown transfer ID"));
  EXPECT_EQ(sent[0].meta.dst_port, kTid + 100);
  EXPECT_EQ(h.client.server_tid(), kTid);
}

TEST(TftpClientTid, BeforeTheFirstReplyOnlyTheServersAddressCounts) {
  Harness h;
  h.start();
  const Ipv4Address other = Ipv4Address::of(10, 77, 0, 9);
  h.deliver(oack({{"blksize", "512"}}), 2, kTid, other);
  std::vector<Sent> sent = h.tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, error_packet(5, "unknown transfer ID"));
  EXPECT_EQ(sent[0].meta.dst, other);
  EXPECT_EQ(h.client.state(), State::Requesting);
}

// ---------------------------------------------------------------------------
// Errors from the server

TEST(TftpClientServerError, MidTransferEndsItWithTheCodeAndText) {
  Harness h;
  h.start();
  Buffer file = file_of(2000);
  h.deliver(oack({{"blksize", "512"}}), 2);
  h.deliver(data_of(file, 1, 512), 3);
  EXPECT_EQ(h.acks(), (std::vector<uint16_t>{0, 1}));
  h.deliver(error_packet(2, "Access violation"), 4);
  EXPECT_EQ(h.client.state(), State::Failed);
  EXPECT_EQ(h.client.failure(), TftpFailure::ServerError);
  EXPECT_EQ(h.client.remote_code(), 2);
  EXPECT_STREQ(h.client.remote_text(), "Access violation");
  EXPECT_EQ(h.client.error().layer(), Layer::Tftp);
  EXPECT_TRUE(h.tx.take().empty());
  // Nothing more is accepted or sent.
  h.deliver(data_of(file, 2, 512), 5);
  h.poll(100000);
  EXPECT_TRUE(h.tx.take().empty());
  EXPECT_EQ(h.client.stats().blocks, 1u);
}

TEST(TftpClientServerError, TheTextIsBoundedAndPrintable) {
  Harness h;
  h.start();
  std::string text = "bad\x01\x7f" + std::string(300, 'x');
  h.deliver(error_packet(0, text), 2);
  std::string kept = h.client.remote_text();
  EXPECT_EQ(kept.size(), TftpClient::kMaxRemoteText);
  EXPECT_EQ(kept.substr(0, 6), "bad??x");

  Harness unterminated;
  unterminated.start();
  unterminated.deliver(Buffer{0, 5, 0, 1, 'g', 'o', 'n', 'e'}, 2);
  EXPECT_EQ(unterminated.client.failure(), TftpFailure::ServerError);
  EXPECT_STREQ(unterminated.client.remote_text(), "gone");
}

// ---------------------------------------------------------------------------
// Timers

TEST(TftpClientTimer, TheRrqIsResentWithBackoffThenTheRequestFails) {
  Harness h;
  ASSERT_TRUE(h.client.start(h.request, 0, h.tx).ok());
  Buffer rrq = h.tx.take().at(0).bytes;
  std::vector<Millis> resent;
  Millis t = 0;
  while (h.client.state() == State::Requesting) {
    Millis deadline = h.client.next_deadline();
    h.poll(deadline - 1);
    EXPECT_TRUE(h.tx.take().empty());
    t = deadline;
    h.poll(t);
    for (const Sent& s : h.tx.take()) {
      EXPECT_EQ(s.bytes, rrq);
      resent.push_back(t);
    }
  }
  // 1 s, doubling up to 4 s: five retransmissions, and failure 4 s after the last.
  EXPECT_EQ(resent, (std::vector<Millis>{1000, 3000, 7000, 11000, 15000}));
  EXPECT_EQ(t, 19000u);
  EXPECT_EQ(h.client.failure(), TftpFailure::Timeout);
  EXPECT_EQ(h.client.error(), Error(Layer::Tftp, Errc::NotFound));
  EXPECT_EQ(h.client.stats().retransmits, 5u);
  EXPECT_EQ(h.client.next_deadline(), kNever);
}

TEST(TftpClientTimer, InTheTransferTheRoundTripSetsTheFirstIntervalThenItBacksOff) {
  Harness h;
  h.start(0);
  Buffer file = file_of(5000);
  h.deliver(oack({{"blksize", "512"}}), 0);  // lock-step; RRQ round trip 0 ms
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  h.deliver(data_of(file, 1, 512), 2);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{1});
  std::vector<Millis> resent;
  Millis t = 2;
  std::vector<Sent> last;
  while (h.client.state() == State::Receiving) {
    t = h.client.next_deadline();
    h.poll(t);
    last = h.tx.take();
    if (h.client.state() == State::Receiving) {
      ASSERT_EQ(last.size(), 1u);
      EXPECT_EQ(last[0].bytes, ack_packet(1));
      resent.push_back(t - 2);
    }
  }
  // The floor (the round trip is 2 ms), doubling up to 4 s, until nothing has
  // moved for 19 s (the RRQ's whole schedule): then give up and tell the server.
  std::vector<Millis> expected;
  Millis at = 0;
  for (Millis interval = TftpClient::kMinDataRto; at + interval < 19000;
       interval = std::min<Millis>(interval * 2, 4000)) {
    at += interval;
    expected.push_back(at);
  }
  EXPECT_EQ(resent, expected);
  EXPECT_GE(t - 2, 19000u);
  EXPECT_LT(t - 2, 19000u + 4000u);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].bytes, error_packet(0, "timed out"));
  EXPECT_EQ(last[0].meta.dst_port, kTid);
  EXPECT_EQ(h.client.failure(), TftpFailure::Timeout);
  EXPECT_EQ(h.client.stats().retransmits, expected.size());
}

// A block every 3 s: each comes long before the retransmissions would give up,
// but 19 blocks of 512 bytes in the first minute is under 512 bytes/s.
TEST(TftpClientTimer, ATricklingServerEndsTooSlowNamedAfterItsWindow) {
  Harness h;
  h.start(0);
  Buffer file = file_of(1000 * 512);
  h.deliver(oack({{"blksize", "512"}}), 0);
  uint64_t block = 1;
  Millis t = 0;
  while (h.client.state() == State::Receiving && t < 120000) {
    const Millis next_block = block * 3000;
    while (h.client.state() == State::Receiving && h.client.next_deadline() < next_block) {
      t = h.client.next_deadline();
      h.poll(t);
    }
    if (h.client.state() != State::Receiving) break;
    t = next_block;
    h.poll(t);
    if (h.client.state() != State::Receiving) break;
    h.deliver(data_of(file, block++, 512), t);
  }
  EXPECT_EQ(t, 60000u);
  EXPECT_EQ(h.client.failure(), TftpFailure::TooSlow);
  EXPECT_EQ(h.client.error(), Error(Layer::Tftp, Errc::TimedOut));
  EXPECT_EQ(h.client.next_deadline(), kNever);
  std::vector<Sent> sent = h.tx.take();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back().bytes, error_packet(0, "too slow"));
  char text[128];
  tftp_failure_format(h.client, text, sizeof text);
  EXPECT_STREQ(text, "10.77.0.1 too slow: 9728 bytes in 60000 ms, under 512 bytes/s");
}

// Lock-step 512-byte blocks over a 600 ms round trip: slow, honest, whole.
TEST(TftpClientTimer, ALongRoundTripInLockStepIsNotTooSlow) {
  Harness h;
  h.start(0);
  Buffer file = file_of(300 * 512 + 100);
  h.deliver(oack({{"blksize", "512"}}), 600);
  Millis t = 600;
  for (uint64_t block = 1; h.client.state() == State::Receiving; ++block) {
    t += 600;
    h.poll(t - 1);
    h.deliver(data_of(file, block, 512), t);
  }
  EXPECT_GT(t, 180000u) << "three rate windows";
  EXPECT_EQ(h.client.state(), State::Closing);
  EXPECT_EQ(h.sink.data, file);
}

TEST(TftpClientTimer, ASlowServerRaisesTheInterval) {
  Harness h;
  h.start(0);
  Buffer file = file_of(20 * 512);
  h.deliver(oack({{"blksize", "512"}}), 300);  // the RRQ took 300 ms
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  // srtt 300, rttvar 150: 300 + 600, under the 1 s ceiling.
  EXPECT_EQ(h.client.next_deadline(), 300u + 900u);
}

TEST(TftpClientTimer, ARefusedSendIsTriedAgainSoonWithoutCountingAsARetransmission) {
  Harness h;
  h.tx.refuse = 1;  // the server's MAC address is not known yet
  ASSERT_TRUE(h.client.start(h.request, 0, h.tx).ok());
  EXPECT_TRUE(h.tx.take().empty());
  EXPECT_EQ(h.client.next_deadline(), TftpClient::kSendRetryMs);
  h.poll(TftpClient::kSendRetryMs);
  EXPECT_EQ(h.tx.take().size(), 1u);
  EXPECT_EQ(h.client.stats().retransmits, 0u);
  EXPECT_EQ(h.client.next_deadline(), TftpClient::kSendRetryMs + 1000);

  h.tx.refuse = 1;  // the ring is full when ACK 0 goes
  h.deliver(oack({{"blksize", "512"}}), 60);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{});
  EXPECT_EQ(h.client.next_deadline(), 60 + TftpClient::kSendRetryMs);
  h.poll(60 + TftpClient::kSendRetryMs);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{0});
  EXPECT_EQ(h.client.stats().retransmits, 0u);
}

TEST(TftpClientTimer, TheFinalAckIsRepeatedWhileLingeringOnly) {
  Harness h;
  h.start();
  Buffer file = file_of(700);
  h.deliver(data_of(file, 1, 512), 2);
  h.deliver(data_of(file, 2, 512), 3);
  EXPECT_EQ(h.acks(), (std::vector<uint16_t>{1, 2}));
  EXPECT_EQ(h.client.state(), State::Closing);
  // Our final ACK was lost: the server resends its last block.
  h.deliver(data_of(file, 2, 512), 1003);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{2});
  h.deliver(data_of(file, 1, 512), 1004);  // anything else: ignored
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{});
  h.poll(3003);
  EXPECT_EQ(h.client.state(), State::Complete);
  h.deliver(data_of(file, 2, 512), 3004);
  EXPECT_TRUE(h.tx.take().empty());
  EXPECT_EQ(h.sink.data, file);
}

// ---------------------------------------------------------------------------
// Size only (PXE Base Code's GET_FILE_SIZE)

TEST(TftpClientSizeOnly, AsksTsizeAloneAndRefusesTheTransferOnTheOack) {
  Harness h;
  h.request.size_only = true;
  h.request.sink = nullptr;
  ASSERT_TRUE(h.client.start(h.request, 0, h.tx).ok());
  EXPECT_EQ(h.tx.take().at(0).bytes, rrq_packet("boot.efi", {{"tsize", "0"}}));
  h.deliver(oack({{"tsize", "12345678"}}), 2);
  std::vector<Sent> sent = h.tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, error_packet(8, "size only"));
  EXPECT_EQ(sent[0].meta.dst_port, kTid);
  EXPECT_EQ(h.client.state(), State::Complete);
  EXPECT_TRUE(h.client.succeeded());
  EXPECT_TRUE(h.client.has_tsize());
  EXPECT_EQ(h.client.tsize(), 12345678u);
  EXPECT_EQ(h.client.next_deadline(), kNever);
}

TEST(TftpClientSizeOnly, AServerWithoutTsizeIsAbortedAndReportedUnsupported) {
  // It answers DATA 1 (no option support at all)...
  Harness h;
  h.request.size_only = true;
  h.start();
  h.deliver(data_of(file_of(600), 1, 512), 2);
  std::vector<Sent> sent = h.tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, error_packet(8, "size only: tsize not supported"));
  EXPECT_EQ(sent[0].meta.dst_port, kTid);
  EXPECT_EQ(h.client.failure(), TftpFailure::NoTsize);
  EXPECT_EQ(h.client.error(), Error(Layer::Tftp, Errc::Unsupported));
  EXPECT_TRUE(h.sink.data.empty());

  // ...or an OACK without tsize.
  Harness o;
  o.request.size_only = true;
  o.start();
  o.deliver(oack({}), 2);
  sent = o.tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, error_packet(8, "size only: tsize not supported"));
  EXPECT_EQ(o.client.failure(), TftpFailure::NoTsize);
}

// ---------------------------------------------------------------------------
// The sink

TEST(TftpClientSink, AFullDiskAbortsWithError3) {
  Harness h;
  h.sink.data_error = Error(Layer::None, Errc::NoSpace);
  h.sink.fail_after = 1000;
  h.start();
  Buffer file = file_of(2000);
  h.deliver(oack({{"blksize", "512"}, {"tsize", "2000"}}), 2);
  h.deliver(data_of(file, 1, 512), 3);
  EXPECT_EQ(h.acks(), (std::vector<uint16_t>{0, 1}));
  h.deliver(data_of(file, 2, 512), 4);
  std::vector<Sent> sent = h.tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, error_packet(3, "disk full or allocation exceeded"));
  EXPECT_EQ(sent[0].meta.dst_port, kTid);
  EXPECT_EQ(h.client.state(), State::Failed);
  EXPECT_EQ(h.client.failure(), TftpFailure::SinkFailed);
  EXPECT_EQ(h.client.error(), Error(Layer::None, Errc::NoSpace)) << "the sink's own error";
  EXPECT_EQ(h.client.stats().bytes, 512u);
}

TEST(TftpClientSink, OtherSinkErrorsAbortWithError0AndTheirText) {
  Harness h;
  h.sink.data_error = Error(Layer::Buffer, Errc::BadValue);
  h.start();
  h.deliver(oack({{"blksize", "512"}}), 2);
  h.tx.take();
  h.deliver(data_of(file_of(100), 1, 512), 3);
  std::vector<Sent> sent = h.tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, error_packet(0, "buffer: bad value"));
  EXPECT_EQ(h.client.error(), Error(Layer::Buffer, Errc::BadValue));
}

TEST(TftpClientSink, ASizeTooLargeForTheSinkAbortsBeforeAnyData) {
  Harness h;
  h.sink.size_error = Error(Layer::None, Errc::NoSpace);
  h.start();
  h.deliver(oack({{"blksize", "512"}, {"tsize", "99999999999"}}), 2);
  std::vector<Sent> sent = h.tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, error_packet(3, "disk full or allocation exceeded"));
  EXPECT_EQ(h.client.failure(), TftpFailure::SinkFailed);
  EXPECT_EQ(h.sink.sizes, std::vector<uint64_t>{99999999999});
}

// ---------------------------------------------------------------------------
// Everything else

TEST(TftpClientMisc, PacketsThatMakeNoSenseAreCountedAndDropped) {
  Harness h;
  h.start();
  h.deliver(oack({{"blksize", "512"}}), 2);
  h.tx.take();
  Buffer file = file_of(2000);
  h.deliver(Buffer{0}, 3);                      // too short for an opcode
  h.deliver(Buffer{0, 9, 0, 1}, 3);             // no such opcode
  h.deliver(ack_packet(1), 3);                  // a client's packet
  h.deliver(rrq_packet("x", {}), 3);            // a request
  h.deliver(data_of(file, 1, 600), 3);          // larger than the block size
  EXPECT_TRUE(h.tx.take().empty());
  EXPECT_EQ(h.client.stats().malformed, 5u);
  EXPECT_EQ(h.client.state(), State::Receiving);
  h.deliver(data_of(file, 1, 512), 4);
  EXPECT_EQ(h.acks(), std::vector<uint16_t>{1});
}

TEST(TftpClientMisc, PortUnreachableFromTheServerFailsAtOnce) {
  Harness h;
  h.start();
  UdpMeta quoted;
  quoted.src = kClient;
  quoted.dst = kServer;
  quoted.src_port = kClientPort;
  quoted.dst_port = 70;  // not ours
  h.client.on_unreachable(quoted, 3, 5);
  EXPECT_EQ(h.client.state(), State::Requesting);
  quoted.dst_port = 69;
  h.client.on_unreachable(quoted, 1, 5);  // host unreachable: maybe transient
  EXPECT_EQ(h.client.state(), State::Requesting);
  h.client.on_unreachable(quoted, 3, 5);
  EXPECT_EQ(h.client.failure(), TftpFailure::Unreachable);
  EXPECT_EQ(h.client.error(), Error(Layer::Tftp, Errc::Unreachable));
}

// Over IPv6 port unreachable is ICMPv6 code 4 (RFC 4443 3.1); code 3 there is
// "address unreachable", which may pass.
TEST(TftpClientMisc, Icmpv6PortUnreachableFailsAtOnce) {
  const Ipv6Address server = Ipv6Address::of(0xfec0, 0, 0, 0, 0, 0, 0, 2);
  const Ipv6Address client = Ipv6Address::of(0xfec0, 0, 0, 0, 0x5054, 0xff, 0xfe12, 0x3456);
  Harness h;
  h.request.server = server;
  h.request.client = client;
  h.start();
  UdpMeta quoted;
  quoted.src = client;
  quoted.dst = server;
  quoted.src_port = kClientPort;
  quoted.dst_port = 69;
  h.client.on_unreachable(quoted, 3, 5);
  EXPECT_EQ(h.client.state(), State::Requesting);
  h.client.on_unreachable(quoted, 4, 5);
  EXPECT_EQ(h.client.failure(), TftpFailure::Unreachable);
}

TEST(TftpClientMisc, CancelTellsTheServer) {
  Harness h;
  h.start();
  h.deliver(oack({{"blksize", "512"}}), 2);
  h.tx.take();
  h.client.cancel(h.tx);
  std::vector<Sent> sent = h.tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, error_packet(0, "cancelled"));
  EXPECT_EQ(h.client.failure(), TftpFailure::Cancelled);
  EXPECT_TRUE(h.client.finished());
}

TEST(TftpClientMisc, StartingAgainForgetsTheLastTransfer) {
  Harness h;
  h.start();
  h.deliver(error_packet(1, "File not found"), 2);
  EXPECT_EQ(h.client.state(), State::Failed);
  h.start(10);
  EXPECT_EQ(h.client.state(), State::Requesting);
  EXPECT_EQ(h.client.failure(), TftpFailure::None);
  EXPECT_STREQ(h.client.remote_text(), "");
  EXPECT_EQ(h.client.stats().acks, 0u);
  // The same request object, restarted from the client's own copy.
  TftpRequest again;
  again.server = kServer;
  again.filename = bytes_of("boot.efi");
  again.sink = &h.sink;
  ASSERT_TRUE(h.client.start(again, 20, h.tx).ok());
  EXPECT_EQ(h.tx.take().at(0).bytes,
            rrq_packet("boot.efi", {{"blksize", "1468"}, {"tsize", "0"}, {"windowsize", "16"}}));
}

TEST(TftpClientMisc, FailureTextsNameEveryFailure) {
  for (int f = 0; f <= 9; ++f)
    EXPECT_STRNE(tftp_failure_text(static_cast<TftpFailure>(f)), "unknown failure") << f;
}

}  // namespace
}  // namespace mpxe::net
