// EFI_SIMPLE_NETWORK_PROTOCOL as an NBP calls it, over a fake NIC that records the
// receive filter the SNP programs and delivers whatever frames the test queues --
// as a device in promiscuous mode would, so the SNP's own exact filter shows.
#include "driver/efi/snp.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <vector>

#include "uefi_stubs.h"

namespace mpxe::driver {
namespace {

using namespace uefi;
using Frame = std::vector<uint8_t>;

const uint8_t kOurs[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
const uint8_t kOther[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
const uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
const uint8_t kGroupA[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};  // 224.0.0.1
const uint8_t kGroupB[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x02};  // ff02::2
const uint8_t kGroupC[6] = {0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa};  // not listed

constexpr uint32_t kAll = kSnpReceiveUnicast | kSnpReceiveMulticast | kSnpReceiveBroadcast |
                          kSnpReceivePromiscuous | kSnpReceivePromiscuousMulticast;

Frame frame_to(const uint8_t dest[6], size_t size = 60) {
  Frame f(size, 0);
  std::memcpy(f.data(), dest, 6);
  std::memcpy(f.data() + 6, kOther, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  return f;
}

MacAddress mac(const uint8_t m[6]) {
  MacAddress out{};
  std::memcpy(out.Addr, m, 6);
  return out;
}

class FakeNic final : public phy::Device {
 public:
  phy::DeviceInfo info() const override {
    phy::DeviceInfo i;
    std::memcpy(i.mac, kOurs, 6);
    return i;
  }
  bool receive(phy::RxFrame& frame) override {
    if (rx.empty()) return false;
    lent = rx.front();
    rx.pop_front();
    frame.data = lent.data();
    frame.size = lent.size();
    return true;
  }
  void release(const phy::RxFrame&) override {}
  bool transmit(Bytes frame) override {
    if (tx_full) return false;
    sent.emplace_back(frame.data(), frame.data() + frame.size());
    return true;
  }
  uint32_t rx_modes() const override { return modes; }
  bool set_rx_filter(const phy::RxFilter& f) override {
    if (refuse || (f.modes & ~modes) != 0) return false;
    filter = f;
    ++filter_calls;
    return true;
  }

  uint32_t modes = phy::kRxMulticastList | phy::kRxAllMulticast | phy::kRxPromiscuous;
  bool refuse = false;
  bool tx_full = false;
  std::deque<Frame> rx;
  Frame lent;
  std::vector<Frame> sent;
  phy::RxFilter filter;
  int filter_calls = 0;
};

// The boot services the SNP calls: TPL changes, and its WaitForPacket event.
Tpl raise_tpl(Tpl) { return kTplApplication; }
void restore_tpl(Tpl) {}
int g_event_storage = 0;
Status create_event(uint32_t, Tpl, EventNotify, void*, Event* event) {
  *event = &g_event_storage;
  return kSuccess;
}
Status close_event(Event) { return kSuccess; }
Status signal_event(Event) { return kSuccess; }

struct Harness {
  explicit Harness(uint32_t delivered = Snp::kDeliversUnicastBroadcast,
                   uint32_t modes = phy::kRxMulticastList | phy::kRxAllMulticast |
                                    phy::kRxPromiscuous) {
    BootServices* b = bs();
    b->RaiseTPL = raise_tpl;
    b->RestoreTPL = restore_tpl;
    b->CreateEvent = create_event;
    b->CloseEvent = close_event;
    b->SignalEvent = signal_event;
    nic.modes = modes;
    EXPECT_EQ(snp.init(&nic, kOurs, delivered), kSuccess);
  }
  ~Harness() { snp.fini(); }
  SimpleNetworkProtocol* p() { return snp.protocol(); }
  void start_and_initialize() {
    ASSERT_EQ(p()->Start(p()), kSuccess);
    ASSERT_EQ(p()->Initialize(p(), 0, 0), kSuccess);
  }
  Status filters(uint32_t enable, uint32_t disable, bool reset = false,
                 std::vector<MacAddress> list = {}) {
    return p()->ReceiveFilters(p(), enable, disable, reset, list.size(),
                               list.empty() ? nullptr : list.data());
  }
  // Every frame the SNP hands over from what the NIC has queued, destinations only.
  std::vector<Frame> receive_all() {
    std::vector<Frame> out;
    for (;;) {
      uint8_t buffer[1600];
      Uintn size = sizeof(buffer);
      if (p()->Receive(p(), nullptr, &size, buffer, nullptr, nullptr, nullptr) != kSuccess) break;
      out.emplace_back(buffer, buffer + 6);
    }
    return out;
  }
  std::vector<uint64_t> statistics(bool reset = false) {
    std::vector<uint64_t> table(phy::LinkCounters::kSlots, 0x5a5a);
    Uintn size = sizeof(NetworkStatistics);
    EXPECT_EQ(p()->Statistics(p(), reset, &size,
                              reinterpret_cast<NetworkStatistics*>(table.data())),
              kSuccess);
    EXPECT_EQ(size, phy::LinkCounters::table_size());
    return table;
  }

  FakeNic nic;
  Snp snp;
};

uint64_t at(const std::vector<uint64_t>& table, phy::Stat s) {
  return table[static_cast<uint32_t>(s)];
}

TEST(Snp, MaskIsWhatTheNicDeliversPlusWhatItCanBeAskedFor) {
  Harness intel;  // our address and broadcast; list, all-multicast, promiscuous on request
  EXPECT_EQ(intel.p()->Mode->ReceiveFilterMask, kAll);
  EXPECT_EQ(intel.p()->Mode->MaxMCastFilterCount, 16u);

  Harness plain(Snp::kDeliversUnicastBroadcast, 0);  // a NIC with nothing to program
  EXPECT_EQ(plain.p()->Mode->ReceiveFilterMask, kSnpReceiveUnicast | kSnpReceiveBroadcast);
  EXPECT_EQ(plain.p()->Mode->MaxMCastFilterCount, 0u);

  Harness hash_only(Snp::kDeliversUnicastBroadcast, phy::kRxAllMulticast);
  EXPECT_EQ(hash_only.p()->Mode->ReceiveFilterMask,
            kSnpReceiveUnicast | kSnpReceiveBroadcast | kSnpReceiveMulticast |
                kSnpReceivePromiscuousMulticast);
}

TEST(Snp, InitializeAndShutdownLeaveTheNicUnprogrammed) {
  Harness h;
  h.start_and_initialize();
  EXPECT_EQ(h.p()->Mode->ReceiveFilterSetting, kSnpReceiveUnicast | kSnpReceiveBroadcast);
  EXPECT_EQ(h.nic.filter.modes, 0u);
  ASSERT_EQ(h.filters(kSnpReceivePromiscuous, 0), kSuccess);
  EXPECT_EQ(h.nic.filter.modes, uint32_t{phy::kRxPromiscuous});
  ASSERT_EQ(h.p()->Shutdown(h.p()), kSuccess);
  EXPECT_EQ(h.nic.filter.modes, 0u);
  EXPECT_EQ(h.p()->Mode->ReceiveFilterSetting, 0u);
}

TEST(Snp, EachFilterReachesTheNic) {
  Harness h;
  h.start_and_initialize();
  ASSERT_EQ(h.filters(kSnpReceivePromiscuousMulticast, 0), kSuccess);
  EXPECT_EQ(h.nic.filter.modes, uint32_t{phy::kRxAllMulticast});

  ASSERT_EQ(h.filters(kSnpReceiveMulticast, kSnpReceivePromiscuousMulticast, false,
                      {mac(kGroupA), mac(kGroupB)}),
            kSuccess);
  EXPECT_EQ(h.nic.filter.modes, uint32_t{phy::kRxMulticastList});
  ASSERT_EQ(h.nic.filter.group_count, 2u);
  EXPECT_EQ(std::memcmp(h.nic.filter.groups[0], kGroupA, 6), 0);
  EXPECT_EQ(std::memcmp(h.nic.filter.groups[1], kGroupB, 6), 0);
  const SimpleNetworkMode* m = h.p()->Mode;
  EXPECT_EQ(m->ReceiveFilterSetting,
            kSnpReceiveUnicast | kSnpReceiveBroadcast | kSnpReceiveMulticast);
  ASSERT_EQ(m->MCastFilterCount, 2u);
  EXPECT_EQ(std::memcmp(m->MCastFilter[1].Addr, kGroupB, 6), 0);

  // Another filter later keeps the list, in Mode and in the NIC.
  ASSERT_EQ(h.filters(kSnpReceivePromiscuous, 0), kSuccess);
  EXPECT_EQ(h.nic.filter.modes, phy::kRxPromiscuous | phy::kRxMulticastList);
  EXPECT_EQ(h.nic.filter.group_count, 2u);
  EXPECT_EQ(m->MCastFilterCount, 2u);
  EXPECT_EQ(std::memcmp(m->MCastFilter[0].Addr, kGroupA, 6), 0);

  // ResetMCastFilter empties the list and turns multicast by list off.
  ASSERT_EQ(h.filters(0, kSnpReceivePromiscuous, true), kSuccess);
  EXPECT_EQ(h.nic.filter.modes, 0u);
  EXPECT_EQ(m->MCastFilterCount, 0u);
  EXPECT_EQ(m->ReceiveFilterSetting, kSnpReceiveUnicast | kSnpReceiveBroadcast);
}

TEST(Snp, ANicWithoutAListGetsAllMulticastForOne) {
  Harness h(Snp::kDeliversUnicastBroadcast, phy::kRxAllMulticast);
  h.start_and_initialize();
  ASSERT_EQ(h.filters(kSnpReceiveMulticast, 0, false, {mac(kGroupA)}), kSuccess);
  EXPECT_EQ(h.nic.filter.modes, uint32_t{phy::kRxAllMulticast});
}

TEST(Snp, WhatTheNicDeliversAnywayIsNotAskedFor) {
  // virtio-net: every multicast frame arrives without a filter.
  Harness h(Snp::kDeliversAllMulticast);
  h.start_and_initialize();
  ASSERT_EQ(h.filters(kSnpReceiveMulticast | kSnpReceivePromiscuousMulticast, 0, false,
                      {mac(kGroupA)}),
            kSuccess);
  EXPECT_EQ(h.nic.filter.modes, 0u);
  ASSERT_EQ(h.filters(kSnpReceivePromiscuous, 0), kSuccess);
  EXPECT_EQ(h.nic.filter.modes, uint32_t{phy::kRxPromiscuous});
}

TEST(Snp, ReceiveFiltersRefusesWhatTheSpecificationRefuses) {
  Harness plain(Snp::kDeliversUnicastBroadcast, 0);
  plain.start_and_initialize();
  EXPECT_EQ(plain.filters(kSnpReceivePromiscuous, 0), kInvalidParameter);  // outside the mask
  EXPECT_EQ(plain.filters(0, kSnpReceiveMulticast), kSuccess);  // off already: fine

  Harness h;
  h.start_and_initialize();
  EXPECT_EQ(h.filters(kSnpReceiveMulticast, 0), kInvalidParameter);  // enabling it takes a list
  EXPECT_EQ(h.filters(kSnpReceiveMulticast, 0, false, {mac(kOther)}), kInvalidParameter);
  std::vector<MacAddress> seventeen(17, mac(kGroupA));
  EXPECT_EQ(h.filters(kSnpReceiveMulticast, 0, false, seventeen), kInvalidParameter);
  // iPXE's first wish: the whole mask, multicast by list disabled in the same call.
  EXPECT_EQ(h.filters(kAll, kSnpReceiveMulticast), kSuccess);
  EXPECT_EQ(h.p()->Mode->ReceiveFilterSetting, kAll & ~kSnpReceiveMulticast);
  EXPECT_EQ(h.nic.filter.modes, phy::kRxPromiscuous | phy::kRxAllMulticast);
}

TEST(Snp, ANicThatRefusesLeavesModeAsItWas) {
  Harness h;
  h.start_and_initialize();
  h.nic.refuse = true;
  EXPECT_EQ(h.filters(kSnpReceivePromiscuous, 0), kDeviceError);
  EXPECT_EQ(h.p()->Mode->ReceiveFilterSetting, kSnpReceiveUnicast | kSnpReceiveBroadcast);
  EXPECT_EQ(h.filters(kSnpReceiveMulticast, 0, false, {mac(kGroupA)}), kDeviceError);
  EXPECT_EQ(h.p()->Mode->MCastFilterCount, 0u);
}

TEST(Snp, SoftwareFilterIsExactOverWhateverTheNicDelivers) {
  Harness h;
  h.start_and_initialize();
  auto queue_all = [&] {
    for (const uint8_t* d : {kOurs, kOther, kBroadcast, kGroupA, kGroupB, kGroupC})
      h.nic.rx.push_back(frame_to(d));
  };
  queue_all();
  EXPECT_EQ(h.receive_all(), (std::vector<Frame>{Frame(kOurs, kOurs + 6),
                                                  Frame(kBroadcast, kBroadcast + 6)}));
  ASSERT_EQ(h.filters(kSnpReceiveMulticast, kSnpReceiveBroadcast, false, {mac(kGroupB)}),
            kSuccess);
  queue_all();
  EXPECT_EQ(h.receive_all(), (std::vector<Frame>{Frame(kOurs, kOurs + 6),
                                                  Frame(kGroupB, kGroupB + 6)}));
  ASSERT_EQ(h.filters(kSnpReceivePromiscuousMulticast, 0), kSuccess);
  queue_all();
  EXPECT_EQ(h.receive_all().size(), 4u);  // not the other station's, nor broadcast (off)
  ASSERT_EQ(h.filters(kSnpReceivePromiscuous, 0), kSuccess);
  queue_all();
  EXPECT_EQ(h.receive_all().size(), 6u);
}

TEST(Snp, StatisticsFollowsTheStateMachine) {
  Harness h;
  Uintn size = 0;
  EXPECT_EQ(h.p()->Statistics(h.p(), false, &size, nullptr), kNotStarted);
  ASSERT_EQ(h.p()->Start(h.p()), kSuccess);
  EXPECT_EQ(h.p()->Statistics(h.p(), false, &size, nullptr), kDeviceError);
}

TEST(Snp, StatisticsSizeQueryAndParameterChecks) {
  Harness h;
  h.start_and_initialize();
  SimpleNetworkProtocol* p = h.p();
  Uintn size = 0;
  EXPECT_EQ(p->Statistics(p, false, &size, nullptr), kBufferTooSmall);
  EXPECT_EQ(size, 20 * sizeof(uint64_t));  // up to TxTotalBytes, the last one kept
  EXPECT_EQ(p->Statistics(p, false, nullptr, nullptr), kSuccess);  // nothing asked
  EXPECT_EQ(p->Statistics(p, true, nullptr, nullptr), kSuccess);   // reset only
  NetworkStatistics table{};
  EXPECT_EQ(p->Statistics(p, false, nullptr, &table), kInvalidParameter);
  size = sizeof(table);
  EXPECT_EQ(p->Statistics(p, false, &size, nullptr), kInvalidParameter);
  // Room for three counters: those three, BUFFER_TOO_SMALL and the size needed.
  std::memset(&table, 0x5a, sizeof(table));
  size = 3 * sizeof(uint64_t);
  EXPECT_EQ(p->Statistics(p, false, &size, &table), kBufferTooSmall);
  EXPECT_EQ(size, 20 * sizeof(uint64_t));
  EXPECT_EQ(table.RxTotalFrames, 0u);
  EXPECT_EQ(table.RxUndersizeFrames, ~uint64_t{0});
  EXPECT_EQ(table.RxOversizeFrames, 0x5a5a5a5a5a5a5a5aull);
}

TEST(Snp, StatisticsCountWhatCrossesTheProtocol) {
  Harness h;
  h.start_and_initialize();
  for (const uint8_t* d : {kOurs, kOther, kBroadcast, kGroupA})
    h.nic.rx.push_back(frame_to(d, 100));
  h.nic.rx.push_back(frame_to(kOurs, 2000));  // longer than the SNP keeps
  EXPECT_EQ(h.receive_all().size(), 2u);      // ours and broadcast

  SimpleNetworkProtocol* p = h.p();
  Frame out = frame_to(kBroadcast, 342);
  ASSERT_EQ(p->Transmit(p, 0, out.size(), out.data(), nullptr, nullptr, nullptr), kSuccess);
  out = frame_to(kOther, 60);
  ASSERT_EQ(p->Transmit(p, 0, out.size(), out.data(), nullptr, nullptr, nullptr), kSuccess);
  h.nic.tx_full = true;  // refused: the caller retries, nothing is counted
  EXPECT_EQ(p->Transmit(p, 0, out.size(), out.data(), nullptr, nullptr, nullptr), kNotReady);

  std::vector<uint64_t> t = h.statistics();
  using phy::Stat;
  EXPECT_EQ(at(t, Stat::RxTotalFrames), 3u);
  EXPECT_EQ(at(t, Stat::RxGoodFrames), 2u);
  EXPECT_EQ(at(t, Stat::RxOversizeFrames), 1u);
  EXPECT_EQ(at(t, Stat::RxUnicastFrames), 1u);
  EXPECT_EQ(at(t, Stat::RxBroadcastFrames), 1u);
  EXPECT_EQ(at(t, Stat::RxMulticastFrames), 0u);
  EXPECT_EQ(at(t, Stat::RxTotalBytes), 2200u);
  EXPECT_EQ(at(t, Stat::TxTotalFrames), 2u);
  EXPECT_EQ(at(t, Stat::TxGoodFrames), 2u);
  EXPECT_EQ(at(t, Stat::TxBroadcastFrames), 1u);
  EXPECT_EQ(at(t, Stat::TxUnicastFrames), 1u);
  EXPECT_EQ(at(t, Stat::TxTotalBytes), 402u);
  EXPECT_EQ(at(t, Stat::RxCrcErrorFrames), ~uint64_t{0});
  EXPECT_EQ(at(t, Stat::Collisions), ~uint64_t{0});
  EXPECT_EQ(t[20], ~uint64_t{0});  // past the size returned: still filled, unsupported
}

TEST(Snp, StatisticsResetReturnsTheCountsThenClears) {
  Harness h;
  h.start_and_initialize();
  h.nic.rx.push_back(frame_to(kOurs));
  EXPECT_EQ(h.receive_all().size(), 1u);
  EXPECT_EQ(at(h.statistics(true), phy::Stat::RxGoodFrames), 1u);
  EXPECT_EQ(at(h.statistics(), phy::Stat::RxGoodFrames), 0u);
}

TEST(Snp, FramesAResetThrowsAwayAreDropped) {
  Harness h;
  h.start_and_initialize();
  h.nic.rx.push_back(frame_to(kOurs));
  h.nic.rx.push_back(frame_to(kBroadcast));
  h.nic.rx.push_back(frame_to(kOther));  // never ours: not counted at all
  uint32_t interrupts = 0;
  ASSERT_EQ(h.p()->GetStatus(h.p(), &interrupts, nullptr), kSuccess);  // one now pending
  EXPECT_EQ(interrupts & kSnpReceiveInterrupt, kSnpReceiveInterrupt);
  ASSERT_EQ(h.p()->Reset(h.p(), false), kSuccess);
  std::vector<uint64_t> t = h.statistics();
  EXPECT_EQ(at(t, phy::Stat::RxDroppedFrames), 2u);
  EXPECT_EQ(at(t, phy::Stat::RxTotalFrames), 2u);
  EXPECT_EQ(at(t, phy::Stat::RxGoodFrames), 0u);
}

TEST(Snp, InitializeStartsTheCountsAfresh) {
  Harness h;
  h.start_and_initialize();
  h.nic.rx.push_back(frame_to(kOurs));
  EXPECT_EQ(h.receive_all().size(), 1u);
  ASSERT_EQ(h.p()->Shutdown(h.p()), kSuccess);
  ASSERT_EQ(h.p()->Initialize(h.p(), 0, 0), kSuccess);
  EXPECT_EQ(at(h.statistics(), phy::Stat::RxTotalFrames), 0u);
}

}  // namespace
}  // namespace mpxe::driver
