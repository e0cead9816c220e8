#include "nic/virtqueue.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace mpxe::nic {
namespace {

// A queue over zeroed, 4 KiB aligned memory, with the device's side of the rings
// (read the avail ring, write the used ring) done by the test.
class VirtqueueTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kDeviceBase = 0x10000000;

  void make(uint16_t size) {
    bytes_ = Virtqueue::memory_size(size);
    memory_.reset(static_cast<uint8_t*>(std::aligned_alloc(Virtqueue::kAlign, bytes_)));
    std::memset(memory_.get(), 0, bytes_);
    queue_.init(memory_.get(), kDeviceBase, size);
  }

  uint8_t* at(uint64_t device_addr) { return memory_.get() + (device_addr - kDeviceBase); }
  const Virtqueue::Desc& desc(uint16_t index) {
    return reinterpret_cast<const Virtqueue::Desc*>(memory_.get())[index];
  }
  uint16_t avail_idx() { return reinterpret_cast<uint16_t*>(at(queue_.avail_device_addr()))[1]; }
  uint16_t avail_entry(uint16_t slot) {
    return reinterpret_cast<uint16_t*>(at(queue_.avail_device_addr()))[2 + slot];
  }
  void set_used_flags(uint16_t flags) {
    reinterpret_cast<uint16_t*>(at(queue_.used_device_addr()))[0] = flags;
  }
  // The device returns descriptor `id` having written `len` bytes.
  void device_uses(uint16_t id, uint32_t len) {
    auto* used = reinterpret_cast<uint16_t*>(at(queue_.used_device_addr()));
    uint16_t idx = used[1];
    auto* ring = reinterpret_cast<Virtqueue::UsedElem*>(used + 2);
    ring[idx % queue_.size()] = {id, len};
    used[1] = static_cast<uint16_t>(idx + 1);
  }

  struct FreeDeleter {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, FreeDeleter> memory_;
  size_t bytes_ = 0;
  Virtqueue queue_;
};

TEST_F(VirtqueueTest, LegacyLayoutPutsTheUsedRingOnTheNextPage) {
  // virtio 1.1, 2.6.2: 256 entries take 4096 + 518 bytes for the descriptors and
  // the avail ring (two pages) and 2054 for the used ring (one page).
  EXPECT_EQ(Virtqueue::memory_size(256), 3u * 4096);
  make(256);
  EXPECT_EQ(queue_.desc_device_addr(), kDeviceBase);
  EXPECT_EQ(queue_.avail_device_addr(), kDeviceBase + 4096);
  EXPECT_EQ(queue_.used_device_addr(), kDeviceBase + 2 * 4096);
  EXPECT_EQ(queue_.free_count(), 256);
}

TEST_F(VirtqueueTest, AddedBuffersReachTheDeviceOnlyAtPublish) {
  make(8);
  ASSERT_TRUE(queue_.add(0xA000, 1514, true, 7));
  ASSERT_TRUE(queue_.add(0xB000, 60, false, 9));
  EXPECT_EQ(desc(0).addr, 0xA000u);
  EXPECT_EQ(desc(0).len, 1514u);
  EXPECT_EQ(desc(0).flags, Virtqueue::kDescWrite);
  EXPECT_EQ(desc(1).flags, 0);
  EXPECT_EQ(avail_entry(0), 0);
  EXPECT_EQ(avail_entry(1), 1);
  EXPECT_EQ(avail_idx(), 0) << "not visible before publish";
  EXPECT_EQ(queue_.free_count(), 6);

  EXPECT_TRUE(queue_.publish()) << "the device asked for notifications";
  EXPECT_EQ(avail_idx(), 2);
  EXPECT_FALSE(queue_.publish()) << "nothing new to publish";
}

TEST_F(VirtqueueTest, NoNotifyFlagSuppressesTheDoorbell) {
  make(8);
  set_used_flags(1);
  ASSERT_TRUE(queue_.add(0xA000, 64, false, 1));
  EXPECT_FALSE(queue_.publish());
  EXPECT_EQ(avail_idx(), 1) << "published all the same";
}

TEST_F(VirtqueueTest, UsedBuffersComeBackWithTheirCookiesAndFreeTheirDescriptor) {
  make(4);
  for (uint32_t i = 0; i < 4; ++i) ASSERT_TRUE(queue_.add(0x1000 * (i + 1), 100, true, 100 + i));
  EXPECT_FALSE(queue_.add(0x9000, 100, true, 999)) << "a full ring refuses";
  queue_.publish();

  uint32_t cookie = 0, len = 0;
  EXPECT_FALSE(queue_.pop_used(&cookie, &len)) << "the device has returned nothing yet";
  device_uses(2, 42);
  device_uses(0, 60);
  ASSERT_TRUE(queue_.pop_used(&cookie, &len));
  EXPECT_EQ(cookie, 102u);
  EXPECT_EQ(len, 42u);
  ASSERT_TRUE(queue_.pop_used(&cookie, &len));
  EXPECT_EQ(cookie, 100u);
  EXPECT_EQ(len, 60u);
  EXPECT_FALSE(queue_.pop_used(&cookie, &len));
  EXPECT_EQ(queue_.free_count(), 2);

  // The freed descriptors are reused, most recently freed first.
  ASSERT_TRUE(queue_.add(0xC000, 10, false, 200));
  EXPECT_EQ(desc(0).addr, 0xC000u);
  EXPECT_EQ(avail_entry(0), 0) << "slot 4 of a 4-entry ring wraps to 0";
}

TEST_F(VirtqueueTest, IndicesWrapPastSixteenBits) {
  make(2);
  uint32_t cookie = 0, len = 0;
  for (uint32_t round = 0; round < 70000; ++round) {
    ASSERT_TRUE(queue_.add(0x1000, 1, true, round));
    queue_.publish();
    device_uses(avail_entry(static_cast<uint16_t>(round % 2)), 1);
    ASSERT_TRUE(queue_.pop_used(&cookie, &len));
    ASSERT_EQ(cookie, round);
  }
  EXPECT_EQ(queue_.free_count(), 2);
}

TEST_F(VirtqueueTest, ABrokenDeviceIdIsRefusedNotIndexed) {
  make(4);
  ASSERT_TRUE(queue_.add(0x1000, 1, true, 5));
  queue_.publish();
  device_uses(4000, 1);
  uint32_t cookie = 0, len = 0;
  EXPECT_FALSE(queue_.pop_used(&cookie, &len));
  EXPECT_EQ(queue_.free_count(), 3) << "the real buffer is still out";
}

}  // namespace
}  // namespace mpxe::nic
