#include "phy/pcap_writer.h"

#include <gtest/gtest.h>

#include <vector>

#include "iface_test_util.h"

namespace mpxe::phy {
namespace {

using net::test::Buffer;
using net::test::FakeDevice;
using net::test::view;

class MemorySink final : public ByteSink {
 public:
  bool write(Bytes bytes) override {
    if (fail) return false;
    data.insert(data.end(), bytes.begin(), bytes.end());
    return true;
  }
  Buffer data;
  bool fail = false;
};

class FixedClock final : public PcapClock {
 public:
  uint64_t now_micros() override { return micros; }
  uint64_t micros = 0;
};

const net::MacAddress kMac{{0x02, 0, 0, 0, 0, 1}};

TEST(PcapWriter, WritesTheClassicFileHeader) {
  FakeDevice inner(kMac);
  MemorySink sink;
  FixedClock clock;
  PcapWriter pcap(inner, sink, clock);
  const Buffer expected = {
      0xd4, 0xc3, 0xb2, 0xa1,  // magic 0xa1b2c3d4, little-endian
      0x02, 0x00, 0x04, 0x00,  // version 2.4
      0x00, 0x00, 0x00, 0x00,  // thiszone
      0x00, 0x00, 0x00, 0x00,  // sigfigs
      0xff, 0xff, 0x00, 0x00,  // snaplen 65535
      0x01, 0x00, 0x00, 0x00,  // LINKTYPE_ETHERNET
  };
  EXPECT_EQ(sink.data, expected);
}

TEST(PcapWriter, RecordsReceivedAndTransmittedFramesWithTimestamps) {
  FakeDevice inner(kMac);
  MemorySink sink;
  FixedClock clock;
  PcapWriter pcap(inner, sink, clock);
  inner.push_rx(Buffer{0xAA, 0xBB, 0xCC});
  clock.micros = 1'700'000'000'123'456ull;
  RxFrame frame;
  ASSERT_TRUE(pcap.receive(frame));
  pcap.release(frame);
  EXPECT_EQ(inner.released(), 1u);
  clock.micros = 1'700'000'001'000'001ull;
  ASSERT_TRUE(pcap.transmit(view(Buffer{0x11, 0x22})));
  EXPECT_EQ(inner.tx.size(), 1u);

  const Buffer records(sink.data.begin() + PcapWriter::kFileHeaderLen, sink.data.end());
  const Buffer expected = {
      // ts_sec 1700000000 (0x6553f100), ts_usec 123456 (0x0001e240), incl 3, orig 3
      0x00, 0xf1, 0x53, 0x65, 0x40, 0xe2, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
      0xAA, 0xBB, 0xCC,
      // ts_sec 1700000001, ts_usec 1, incl 2, orig 2
      0x01, 0xf1, 0x53, 0x65, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
      0x11, 0x22,
  };
  EXPECT_EQ(records, expected);
  EXPECT_EQ(pcap.counters().records, 2u);
  // Nothing waiting: nothing recorded.
  EXPECT_FALSE(pcap.receive(frame));
  EXPECT_EQ(pcap.counters().records, 2u);
}

TEST(PcapWriter, TruncatesToTheSnapLengthAndSkipsRefusedFrames) {
  FakeDevice inner(kMac);
  MemorySink sink;
  FixedClock clock;
  PcapWriter pcap(inner, sink, clock, 4);
  ASSERT_TRUE(pcap.transmit(view(Buffer{1, 2, 3, 4, 5, 6})));
  Buffer record(sink.data.begin() + PcapWriter::kFileHeaderLen, sink.data.end());
  ASSERT_EQ(record.size(), PcapWriter::kRecordHeaderLen + 4);
  EXPECT_EQ(load_le32(record.data() + 8), 4u);   // captured
  EXPECT_EQ(load_le32(record.data() + 12), 6u);  // on the wire
  EXPECT_EQ(Buffer(record.begin() + 16, record.end()), (Buffer{1, 2, 3, 4}));
  inner.tx_full = true;
  EXPECT_FALSE(pcap.transmit(view(Buffer{7})));
  EXPECT_EQ(pcap.counters().records, 1u);
  sink.fail = true;
  inner.tx_full = false;
  EXPECT_TRUE(pcap.transmit(view(Buffer{8})));
  EXPECT_EQ(pcap.counters().write_errors, 1u);
}

}  // namespace
}  // namespace mpxe::phy
