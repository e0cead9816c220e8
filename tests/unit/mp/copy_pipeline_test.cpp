#include "mp/copy_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "core/prng.h"
#include "core/sha256.h"
#include "mp_test_util.h"

namespace mpxe::mp {
namespace {

using Digest = std::array<uint8_t, Sha256::kDigestSize>;

Digest one_shot(const std::vector<uint8_t>& bytes) {
  Sha256 sha;
  sha.update(bytes.data(), bytes.size());
  Digest d;
  sha.finish(d.data());
  return d;
}

std::vector<uint8_t> random_bytes(size_t n, uint64_t seed) {
  Prng prng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(prng.next_u32());
  return v;
}

// Job sizes that add up to `total`: mostly packet-sized, some tiny, some empty.
std::vector<uint32_t> random_sizes(size_t total, uint32_t max_size, uint64_t seed) {
  Prng prng(seed);
  std::vector<uint32_t> sizes;
  size_t left = total;
  while (left > 0) {
    uint32_t n;
    switch (prng.below(10)) {
      case 0: n = 0; break;
      case 1: n = 1 + prng.below(16); break;
      default: n = 1 + prng.below(max_size); break;
    }
    if (n > left) n = static_cast<uint32_t>(left);
    sizes.push_back(n);
    left -= n;
  }
  return sizes;
}

// The BSP's side of a download, as the driver will run it: a small pool of
// "receive buffers" that are refilled (new bytes, like a NIC DMA) only once their
// token comes back from reap(). A worker that read a buffer after its job was
// reaped would copy the wrong bytes, and the image comparison would catch it.
class FakeNic {
 public:
  static constexpr uint32_t kBuffers = 64;
  static constexpr uint32_t kBufferSize = 4096;

  explicit FakeNic(CopyPipeline& p) : p_(p), buffers_(kBuffers * kBufferSize) {
    for (uint32_t i = 0; i < kBuffers; ++i) free_.push_back(i);
  }

  // Submits image[offset, offset + n) through one buffer; keeps reaping while
  // everything is busy. Returns how the job went in.
  SubmitResult push(const std::vector<uint8_t>& image, uint64_t offset, uint32_t n) {
    while (free_.empty()) progress();
    uint32_t buffer = free_.front();
    free_.pop_front();
    uint8_t* data = &buffers_[size_t{buffer} * kBufferSize];
    std::memcpy(data, image.data() + offset, n);
    for (;;) {
      SubmitResult r = p_.submit(CopyJob{data, n, offset, buffer});
      if (r != SubmitResult::kBusy) {
        if (r == SubmitResult::kQueued || r == SubmitResult::kDone) in_flight_.push_back(buffer);
        else free_.push_back(buffer);
        return r;
      }
      progress();
    }
  }

  // Reaps what is done; checks the order; scribbles over released buffers.
  void progress() {
    uint64_t token;
    bool any = false;
    while (p_.reap(&token)) {
      any = true;
      ASSERT_FALSE(in_flight_.empty());
      EXPECT_EQ(token, in_flight_.front()) << "tokens come back in submission order";
      in_flight_.pop_front();
      std::memset(&buffers_[token * kBufferSize], 0xEE, kBufferSize);
      free_.push_back(static_cast<uint32_t>(token));
    }
    // Nothing came back: the BSP helps with the hash rather than spin.
    if (p_.poll() == 0 && !any && p_.help(4096) == 0) test::relax();
  }

  void drain() {
    while (!in_flight_.empty()) progress();
  }

  Digest finish() {
    Digest d{};
    while (!p_.finish(d.data())) progress();
    return d;
  }

 private:
  CopyPipeline& p_;
  std::vector<uint8_t> buffers_;
  std::deque<uint32_t> free_;
  std::deque<uint32_t> in_flight_;
};

// Worker threads standing in for APs: each runs the AP procedure, serve().
class Workers {
 public:
  Workers(CopyPipeline& p, uint32_t n, uint64_t budget) {
    for (uint32_t i = 0; i < n; ++i) threads_.emplace_back([&p, budget] { p.serve(budget); });
  }
  ~Workers() { join(); }
  void join() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  std::vector<std::thread> threads_;
};

std::unique_ptr<CopyPipeline> make_pipeline() { return std::make_unique<CopyPipeline>(); }

struct Case {
  uint32_t workers;
  bool hash;
};

class PipelineWorkers : public ::testing::TestWithParam<Case> {};

TEST_P(PipelineWorkers, ByteIdenticalImageAndDigest) {
  const Case c = GetParam();
  const size_t kImage = test::scaled(4 << 20);
  for (uint64_t seed : {1u, 2u}) {
    auto image = random_bytes(kImage, seed);
    auto sizes = random_sizes(kImage, FakeNic::kBufferSize, seed * 77);
    auto p = make_pipeline();
    ASSERT_TRUE(p->arm(c.workers));
    std::vector<uint8_t> dest(kImage, 0x5A);
    ASSERT_TRUE(p->begin(dest.data(), dest.size(), c.hash));
    // Small, varying budgets make batches end mid-ring and hash steps end
    // mid-job, so completions interleave differently on every run.
    Workers workers(*p, c.workers, 1 + seed * 3000);
    FakeNic nic(*p);
    uint64_t offset = 0;
    for (uint32_t n : sizes) {
      SubmitResult r = nic.push(image, offset, n);
      ASSERT_TRUE(r == SubmitResult::kQueued || r == SubmitResult::kDone);
      if (c.workers == 0) EXPECT_EQ(r, SubmitResult::kDone) << "zero workers: inline";
      offset += n;
    }
    nic.drain();
    Digest digest{};
    if (c.hash) {
      digest = nic.finish();
      EXPECT_EQ(p->hashed_bytes(), kImage);
    }
    p->request_stop();
    workers.join();
    EXPECT_EQ(p->running_workers(), 0u);
    ASSERT_EQ(dest, image) << "workers " << c.workers << " seed " << seed;
    if (c.hash) EXPECT_EQ(digest, one_shot(image));

    uint64_t jobs = 0, copied = 0, hashed = 0;
    for (uint32_t who = 0; who <= CopyPipeline::kInline; ++who) {
      auto s = p->stats(who);
      jobs += s.jobs;
      copied += s.bytes_copied;
      hashed += s.bytes_hashed;
    }
    EXPECT_EQ(jobs, sizes.size());
    EXPECT_EQ(copied, kImage);
    EXPECT_EQ(hashed, c.hash ? kImage : 0u);
    if (c.workers == 0) EXPECT_EQ(p->stats(CopyPipeline::kInline).jobs, sizes.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Counts, PipelineWorkers,
                         ::testing::Values(Case{0, true}, Case{1, true}, Case{2, true},
                                           Case{3, true}, Case{0, false}, Case{3, false}),
                         [](const auto& info) {
                           return std::to_string(info.param.workers) + "workers" +
                                  (info.param.hash ? "Hashed" : "CopyOnly");
                         });

// Submission with the workers driven by hand, one batch at a time, so the test
// picks the completion order.
TEST(CopyPipeline, OutOfOrderCompletionReapsAndHashesInOrder) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(3));
  ASSERT_EQ(p->check_in(), 0);
  ASSERT_EQ(p->check_in(), 1);
  ASSERT_EQ(p->check_in(), 2);
  auto image = random_bytes(6 * 1000, 9);
  std::vector<uint8_t> dest(image.size());
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  for (uint64_t j = 0; j < 6; ++j)
    ASSERT_EQ(p->submit(CopyJob{&image[j * 1000], 1000, j * 1000, 100 + j}),
              SubmitResult::kQueued);
  // Three workers in and hashing: worker 0 hashes, 1 and 2 take the jobs in turn
  // (1: jobs 0 2 4, 2: jobs 1 3 5).
  uint64_t token;
  EXPECT_EQ(p->run_worker(0, 1 << 20), 0u) << "nothing copied yet";
  EXPECT_EQ(p->run_worker(2, 1 << 20), 3u * 1001);
  EXPECT_FALSE(p->reap(&token)) << "job 0 is not done";
  EXPECT_EQ(p->run_worker(0, 1 << 20), 0u) << "hasher waits for job 0";
  EXPECT_EQ(p->hashed_bytes(), 0u);

  EXPECT_EQ(p->run_worker(1, 1000), 1001u) << "budget: one job";
  ASSERT_TRUE(p->reap(&token));
  EXPECT_EQ(token, 100u);
  ASSERT_TRUE(p->reap(&token));
  EXPECT_EQ(token, 101u);
  EXPECT_FALSE(p->reap(&token)) << "job 2 is not done";
  p->run_worker(0, 1 << 20);
  EXPECT_EQ(p->hashed_bytes(), 2000u) << "watermark stops at the first unfinished job";

  p->run_worker(1, 1 << 20);
  for (uint64_t j = 2; j < 6; ++j) {
    ASSERT_TRUE(p->reap(&token));
    EXPECT_EQ(token, 100 + j);
  }
  EXPECT_FALSE(p->reap(&token));
  Digest d{};
  EXPECT_FALSE(p->finish(d.data())) << "not hashed yet";
  p->run_worker(0, 1500);
  EXPECT_EQ(p->hashed_bytes(), 3500u) << "hash steps are bounded by the budget";
  p->run_worker(0, 1 << 20);
  ASSERT_TRUE(p->finish(d.data()));
  EXPECT_EQ(d, one_shot(image));
  EXPECT_EQ(dest, image);
  EXPECT_EQ(p->stats(1).jobs, 3u);
  EXPECT_EQ(p->stats(2).jobs, 3u);
  EXPECT_EQ(p->stats(0).jobs, 0u);
  EXPECT_EQ(p->stats(0).bytes_hashed, 6000u);
}

TEST(CopyPipeline, BudgetBoundsABatch) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(1));
  ASSERT_EQ(p->check_in(), 0);
  std::vector<uint8_t> src(10 * 1000, 7), dest(src.size());
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), false));
  for (uint64_t j = 0; j < 10; ++j)
    ASSERT_EQ(p->submit(CopyJob{&src[j * 1000], 1000, j * 1000, j}), SubmitResult::kQueued);
  EXPECT_EQ(p->run_worker(0, 2500), 3u * 1001);
  EXPECT_EQ(p->stats(0).jobs, 3u);
  EXPECT_EQ(p->run_worker(0, 1), 1001u) << "a batch takes at least one job";
  EXPECT_EQ(p->run_worker(0, 1 << 20), 6u * 1001);
  EXPECT_EQ(p->run_worker(0, 1 << 20), 0u) << "idle";
  EXPECT_EQ(dest, src);
}

TEST(CopyPipeline, ZeroWorkersRunsInlineAtOnce) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(0));
  EXPECT_EQ(p->check_in(), -1) << "no worker index to take";
  auto image = random_bytes(5000, 3);
  std::vector<uint8_t> dest(image.size());
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  ASSERT_EQ(p->submit(CopyJob{image.data(), 3000, 0, 1}), SubmitResult::kDone);
  EXPECT_EQ(std::memcmp(dest.data(), image.data(), 3000), 0) << "copied before submit returns";
  EXPECT_EQ(p->hashed_bytes(), 3000u) << "and hashed";
  ASSERT_EQ(p->submit(CopyJob{image.data() + 3000, 2000, 3000, 2}), SubmitResult::kDone);
  uint64_t token;
  ASSERT_TRUE(p->reap(&token));
  EXPECT_EQ(token, 1u);
  ASSERT_TRUE(p->reap(&token));
  EXPECT_EQ(token, 2u);
  Digest d{};
  ASSERT_TRUE(p->finish(d.data()));
  EXPECT_EQ(d, one_shot(image));
  EXPECT_FALSE(p->finish(d.data())) << "the hash ends with finish";
}

TEST(CopyPipeline, RejectsBadJobs) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(0));
  std::vector<uint8_t> src(100), dest(100);
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  EXPECT_EQ(p->submit(CopyJob{nullptr, 10, 0, 0}), SubmitResult::kInvalid);
  EXPECT_EQ(p->submit(CopyJob{src.data(), 101, 0, 0}), SubmitResult::kInvalid);
  EXPECT_EQ(p->submit(CopyJob{src.data(), 1, 100, 0}), SubmitResult::kInvalid);
  EXPECT_EQ(p->submit(CopyJob{src.data(), 1, ~uint64_t{0}, 0}), SubmitResult::kInvalid);
  EXPECT_EQ(p->submit(CopyJob{src.data(), 10, 5, 0}), SubmitResult::kInvalid)
      << "a gap while hashing";
  EXPECT_EQ(p->submit(CopyJob{src.data(), 10, 0, 0}), SubmitResult::kDone);
  EXPECT_EQ(p->submit(CopyJob{src.data(), 10, 0, 0}), SubmitResult::kInvalid)
      << "an overlap while hashing";
  EXPECT_EQ(p->submit(CopyJob{nullptr, 0, 10, 0}), SubmitResult::kDone) << "empty job";
  EXPECT_EQ(p->submitted(), 2u);

  uint64_t token;
  while (p->reap(&token)) {
  }
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), false));
  EXPECT_EQ(p->submit(CopyJob{src.data(), 10, 50, 0}), SubmitResult::kDone)
      << "any order without a hash";
  EXPECT_EQ(p->submit(CopyJob{src.data(), 10, 20, 0}), SubmitResult::kDone);
}

TEST(CopyPipeline, BusyWhenEveryJobSlotIsUnreaped) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(0));
  std::vector<uint8_t> src(16), dest(CopyPipeline::kJobSlots * 16 + 16);
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), false));
  for (uint32_t j = 0; j < CopyPipeline::kJobSlots; ++j)
    ASSERT_EQ(p->submit(CopyJob{src.data(), 16, j * 16ull, j}), SubmitResult::kDone);
  EXPECT_EQ(p->submit(CopyJob{src.data(), 16, 0, 0}), SubmitResult::kBusy);
  uint64_t token;
  ASSERT_TRUE(p->reap(&token));
  EXPECT_EQ(token, 0u);
  EXPECT_EQ(p->submit(CopyJob{src.data(), 16, 0, 0}), SubmitResult::kDone);
  EXPECT_EQ(p->submit(CopyJob{src.data(), 16, 0, 0}), SubmitResult::kBusy);
}

TEST(CopyPipeline, BusyWhileTheHasherLagsAWholeTableBehind) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(2));
  ASSERT_EQ(p->check_in(), 0);
  ASSERT_EQ(p->check_in(), 1);
  const uint32_t n = CopyPipeline::kJobSlots;
  std::vector<uint8_t> src(8 * (n + 1), 1), dest(src.size());
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  for (uint32_t j = 0; j < n; ++j)
    ASSERT_EQ(p->submit(CopyJob{&src[j * 8], 8, j * 8ull, j}), SubmitResult::kQueued);
  p->run_worker(1, ~uint64_t{0});
  uint64_t token;
  for (uint32_t j = 0; j < n; ++j) ASSERT_TRUE(p->reap(&token));
  // Every job is reaped, but the hasher (worker 0) has not looked at job 0's slot.
  EXPECT_EQ(p->submit(CopyJob{&src[n * 8], 8, n * 8ull, n}), SubmitResult::kBusy);
  p->run_worker(0, 8);  // one bounded hash step walks the finished jobs
  EXPECT_EQ(p->hashed_bytes(), 8u);
  EXPECT_EQ(p->submit(CopyJob{&src[n * 8], 8, n * 8ull, n}), SubmitResult::kQueued);
}

TEST(CopyPipeline, CheckInIsBoundedByArmAndClosedByStop) {
  auto p = make_pipeline();
  EXPECT_EQ(p->check_in(), -1) << "not armed";
  ASSERT_TRUE(p->arm(2));
  EXPECT_EQ(p->check_in(), 0);
  EXPECT_EQ(p->check_in(), 1);
  EXPECT_EQ(p->check_in(), -1);
  EXPECT_EQ(p->running_mask(), 3u);
  EXPECT_FALSE(p->arm(1)) << "workers still in";
  p->request_stop();
  EXPECT_TRUE(p->stop_requested());
  p->check_out(0);
  p->check_out(1);
  EXPECT_EQ(p->running_mask(), 0u);
  ASSERT_TRUE(p->arm(3));
  EXPECT_FALSE(p->stop_requested());
  p->request_stop();
  EXPECT_EQ(p->check_in(), -1) << "no check-in once a stop is pending";
  EXPECT_EQ(p->running_mask(), 0u);
  ASSERT_TRUE(p->arm(100));
  for (int32_t i = 0; i < static_cast<int32_t>(CopyPipeline::kMaxWorkers); ++i)
    EXPECT_EQ(p->check_in(), i);
  EXPECT_EQ(p->check_in(), -1) << "capped at kMaxWorkers";
}

TEST(CopyPipeline, StopLeavesQueuedJobsToTheBsp) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(2));
  ASSERT_EQ(p->check_in(), 0);
  ASSERT_EQ(p->check_in(), 1);
  auto image = random_bytes(4000, 5);
  std::vector<uint8_t> dest(image.size());
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  for (uint64_t j = 0; j < 4; ++j)
    ASSERT_EQ(p->submit(CopyJob{&image[j * 1000], 1000, j * 1000, j}), SubmitResult::kQueued);
  p->run_worker(1, 1000);  // worker 1 does job 0, then is told to stop
  p->request_stop();
  EXPECT_EQ(p->submit(CopyJob{&image[0], 0, 4000, 4}), SubmitResult::kDone)
      << "after a stop, submit runs inline";
  uint64_t token;
  ASSERT_TRUE(p->reap(&token));
  EXPECT_FALSE(p->reap(&token));
  p->poll();
  EXPECT_FALSE(p->reap(&token)) << "worker 1 is still in: its ring is still its own";
  p->check_out(1);
  p->check_out(0);
  EXPECT_GT(p->poll(), 0u);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(p->reap(&token));
  EXPECT_FALSE(p->reap(&token));
  Digest d{};
  ASSERT_TRUE(p->finish(d.data()));
  EXPECT_EQ(d, one_shot(image));
  EXPECT_EQ(dest, image);
}

TEST(CopyPipeline, StopAndRestartMidImage) {
  auto p = make_pipeline();
  const size_t kImage = test::scaled(6 << 20);
  auto image = random_bytes(kImage, 11);
  auto sizes = random_sizes(kImage, FakeNic::kBufferSize, 12);
  std::vector<uint8_t> dest(kImage);
  ASSERT_TRUE(p->arm(2));
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  FakeNic nic(*p);
  uint64_t offset = 0;
  size_t j = 0;
  auto push_until = [&](size_t end) {
    for (; j < end; ++j) {
      SubmitResult r = nic.push(image, offset, sizes[j]);
      ASSERT_TRUE(r == SubmitResult::kQueued || r == SubmitResult::kDone);
      offset += sizes[j];
    }
  };
  {
    Workers first(*p, 2, 8192);
    push_until(sizes.size() / 3);
    p->request_stop();  // with jobs still queued
    first.join();
  }
  EXPECT_EQ(p->running_workers(), 0u);
  push_until(sizes.size() / 2);  // stopped: inline
  ASSERT_TRUE(p->arm(3));        // restart with another count; drains the rings
  {
    Workers second(*p, 3, 4096);
    push_until(sizes.size());
    nic.drain();
    Digest d = nic.finish();
    p->request_stop();
    second.join();
    EXPECT_EQ(d, one_shot(image));
  }
  EXPECT_EQ(dest, image);
  // The pipeline serves a second image after the first.
  auto image2 = random_bytes(kImage / 3, 13);
  std::vector<uint8_t> dest2(image2.size());
  ASSERT_TRUE(p->arm(1));
  ASSERT_TRUE(p->begin(dest2.data(), dest2.size(), true));
  Workers third(*p, 1, 65536);
  offset = 0;
  for (uint32_t n : random_sizes(image2.size(), 1500, 14)) {
    nic.push(image2, offset, n);
    offset += n;
  }
  nic.drain();
  EXPECT_EQ(nic.finish(), one_shot(image2));
  p->request_stop();
  third.join();
  EXPECT_EQ(dest2, image2);
}

TEST(CopyPipeline, ParkedWorkerHandsItsRingToTheBsp) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(2));
  ASSERT_EQ(p->check_in(), 0);
  ASSERT_EQ(p->check_in(), 1);
  auto image = random_bytes(4000, 31);
  std::vector<uint8_t> dest(image.size());
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  for (uint64_t j = 0; j < 3; ++j)
    ASSERT_EQ(p->submit(CopyJob{&image[j * 1000], 1000, j * 1000, j}), SubmitResult::kQueued);
  p->check_out(1);  // worker 1 parks with three jobs on its ring; no stop
  EXPECT_EQ(p->exited_mask(), 2u);
  EXPECT_EQ(p->running_mask(), 1u);
  EXPECT_EQ(p->poll(), 3u * 1001) << "the BSP runs the parked worker's jobs";
  uint64_t token;
  for (uint64_t j = 0; j < 3; ++j) {
    ASSERT_TRUE(p->reap(&token));
    EXPECT_EQ(token, j);
  }
  EXPECT_EQ(p->hashed_bytes(), 0u) << "worker 0 is still in: hashing is its job";
  EXPECT_EQ(p->submit(CopyJob{&image[3000], 500, 3000, 3}), SubmitResult::kQueued)
      << "worker 0, the only one in, copies too";
  p->run_worker(0, 1 << 20);
  EXPECT_EQ(p->hashed_bytes(), 3500u);
  p->check_out(0);
  EXPECT_EQ(p->submit(CopyJob{&image[3500], 500, 3500, 4}), SubmitResult::kDone)
      << "everyone parked: inline";
  EXPECT_EQ(p->hashed_bytes(), 4000u);
  Digest d{};
  ASSERT_TRUE(p->finish(d.data()));
  EXPECT_EQ(d, one_shot(image));
  EXPECT_EQ(dest, image);
}

TEST(CopyPipeline, BspHelpsHashWhileWorkersRun) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(2));
  ASSERT_EQ(p->check_in(), 0);
  ASSERT_EQ(p->check_in(), 1);
  auto image = random_bytes(3000, 51);
  std::vector<uint8_t> dest(image.size());
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  for (uint64_t j = 0; j < 3; ++j)
    ASSERT_EQ(p->submit(CopyJob{&image[j * 1000], 1000, j * 1000, j}), SubmitResult::kQueued);
  EXPECT_EQ(p->help(), 0u) << "nothing copied yet";
  p->run_worker(1, 1 << 20);
  EXPECT_EQ(p->poll(), 0u) << "poll leaves the hash to the workers while they run";
  EXPECT_GT(p->help(1500), 0u);
  EXPECT_EQ(p->hashed_bytes(), 1500u);
  p->run_worker(0, 1 << 20);
  EXPECT_EQ(p->hashed_bytes(), 3000u);
  Digest d{};
  ASSERT_TRUE(p->finish(d.data()));
  EXPECT_EQ(d, one_shot(image));
  EXPECT_EQ(p->stats(CopyPipeline::kInline).bytes_hashed, 1500u);
  EXPECT_EQ(p->stats(0).bytes_hashed, 1500u);
}

// Waits (yielding) until pred() holds; false after a generous deadline.
template <typename Pred>
bool eventually(Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(CopyPipeline, ServeParksWhenIdleAndReportsAStop) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(2));
  bool parked[2] = {false, false};
  std::thread a([&] { parked[0] = p->serve(4096, 20); });
  std::thread b([&] { parked[1] = p->serve(4096, 20); });
  a.join();
  b.join();
  EXPECT_TRUE(parked[0]);
  EXPECT_TRUE(parked[1]);
  EXPECT_EQ(p->running_mask(), 0u);
  EXPECT_EQ(p->exited_mask(), 3u);

  ASSERT_TRUE(p->arm(1));
  EXPECT_EQ(p->exited_mask(), 0u);
  bool parked_c = true;
  std::thread c([&] { parked_c = p->serve(4096, 0); });
  ASSERT_TRUE(eventually([&] { return p->running_mask() == 1u; }));
  p->request_stop();
  c.join();
  EXPECT_FALSE(parked_c) << "returned for the stop, not parked";
}

// Workers that park whenever the BSP pauses, and are started again (as
// MpEngine::tick does) once they are all out: the image is still right.
TEST(CopyPipeline, WorkersParkingAndRelaunchedMidImage) {
  auto p = make_pipeline();
  const size_t kImage = test::scaled(4 << 20);
  auto image = random_bytes(kImage, 41);
  auto sizes = random_sizes(kImage, 2048, 42);
  std::vector<uint8_t> dest(kImage);
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  FakeNic nic(*p);
  std::vector<std::thread> threads;
  int launches = 0;
  auto launch = [&] {
    for (auto& t : threads) t.join();
    threads.clear();
    ASSERT_TRUE(p->arm(3));
    for (int i = 0; i < 3; ++i) threads.emplace_back([&p] { p->serve(2048, 3); });
    ++launches;
  };
  launch();
  uint64_t offset = 0;
  for (size_t j = 0; j < sizes.size(); ++j) {
    if (j % 700 == 699) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (p->running_mask() == 0 && p->exited_mask() == 7u) launch();
    nic.push(image, offset, sizes[j]);
    offset += sizes[j];
  }
  nic.drain();
  Digest d = nic.finish();
  p->request_stop();
  for (auto& t : threads) t.join();
  EXPECT_EQ(d, one_shot(image));
  EXPECT_EQ(dest, image);
  EXPECT_GE(launches, 1);
  RecordProperty("launches", launches);  // usually several: the workers park in the pauses
}

TEST(CopyPipeline, BeginWaitsForOutstandingJobs) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(1));
  ASSERT_EQ(p->check_in(), 0);
  std::vector<uint8_t> src(10), dest(10);
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), false));
  ASSERT_EQ(p->submit(CopyJob{src.data(), 10, 0, 0}), SubmitResult::kQueued);
  EXPECT_FALSE(p->begin(dest.data(), dest.size(), true)) << "job not reaped";
  p->run_worker(0, 100);
  uint64_t token;
  ASSERT_TRUE(p->reap(&token));
  EXPECT_TRUE(p->begin(dest.data(), dest.size(), true));
}

// Workers check in while the BSP is already submitting (APs come up late):
// early jobs run inline, later ones on the workers, same bytes.
TEST(CopyPipeline, WorkersJoiningLate) {
  auto p = make_pipeline();
  const size_t kImage = test::scaled(2 << 20);
  auto image = random_bytes(kImage, 21);
  auto sizes = random_sizes(kImage, 1500, 22);
  std::vector<uint8_t> dest(kImage);
  ASSERT_TRUE(p->arm(3));
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  FakeNic nic(*p);
  std::vector<std::thread> late;
  uint64_t offset = 0;
  for (size_t j = 0; j < sizes.size(); ++j) {
    if (j == sizes.size() / 4 || j == sizes.size() / 2 || j == 3 * sizes.size() / 4)
      late.emplace_back([&p] { p->serve(2048); });
    nic.push(image, offset, sizes[j]);
    offset += sizes[j];
  }
  nic.drain();
  Digest d = nic.finish();
  p->request_stop();
  for (auto& t : late) t.join();
  EXPECT_EQ(d, one_shot(image));
  EXPECT_EQ(dest, image);
  EXPECT_GT(p->stats(CopyPipeline::kInline).jobs, 0u);
}

// The driver's TFTP path: the BSP copies each block out of the lent receive
// buffer itself and leaves only the hash to the pipeline.
TEST(CopyPipeline, InPlaceJobsAreHashedLaterNotOnTheCallersPath) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(0));
  auto image = random_bytes(3000, 11);
  std::vector<uint8_t> dest(image.size());
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  std::memcpy(dest.data(), image.data(), 1000);
  ASSERT_EQ(p->submit_in_place(0, 1000, 7), SubmitResult::kDone);
  EXPECT_EQ(p->hashed_bytes(), 0u) << "the caller is not kept waiting for the hash";
  EXPECT_GT(p->poll(), 0u) << "the BSP hashes when it next waits";
  EXPECT_EQ(p->hashed_bytes(), 1000u);
  std::memcpy(dest.data() + 1000, image.data() + 1000, 2000);
  ASSERT_EQ(p->submit_in_place(1000, 2000, 8), SubmitResult::kDone);
  uint64_t token;
  ASSERT_TRUE(p->reap(&token));
  EXPECT_EQ(token, 7u);
  ASSERT_TRUE(p->reap(&token));
  EXPECT_EQ(token, 8u);
  Digest d{};
  EXPECT_FALSE(p->finish(d.data())) << "2000 bytes not hashed yet";
  p->help(~uint64_t{0});
  ASSERT_TRUE(p->finish(d.data()));
  EXPECT_EQ(d, one_shot(image));
}

TEST(CopyPipeline, InPlaceJobsKeepTheJobChecks) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(0));
  std::vector<uint8_t> dest(100);
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  EXPECT_EQ(p->submit_in_place(10, 5, 0), SubmitResult::kInvalid) << "a gap while hashing";
  EXPECT_EQ(p->submit_in_place(0, 101, 0), SubmitResult::kInvalid) << "past the image";
  EXPECT_EQ(p->submit_in_place(0, 100, 0), SubmitResult::kDone);
  EXPECT_EQ(p->submit_in_place(100, 0, 0), SubmitResult::kDone) << "empty last block";
  EXPECT_FALSE(p->begin(dest.data(), dest.size(), true)) << "jobs not reaped yet";
  uint64_t token;
  while (p->reap(&token)) {
  }
  EXPECT_TRUE(p->begin(dest.data(), dest.size(), true)) << "once reaped, the next image";
}

TEST(CopyPipeline, InPlaceJobsBusyUntilTheHasherCatchesUp) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(0));
  const uint32_t n = CopyPipeline::kJobSlots;
  std::vector<uint8_t> dest(4 * (n + 1), 3);
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  uint64_t token;
  for (uint32_t j = 0; j < n; ++j) {
    ASSERT_EQ(p->submit_in_place(j * 4ull, 4, j), SubmitResult::kDone);
    ASSERT_TRUE(p->reap(&token));
  }
  EXPECT_EQ(p->submit_in_place(n * 4ull, 4, n), SubmitResult::kBusy)
      << "every slot reaped but none seen by the hasher";
  p->help(4);
  EXPECT_EQ(p->submit_in_place(n * 4ull, 4, n), SubmitResult::kDone);
}

// Copy jobs and in-place jobs in one image, with a worker thread hashing: the
// digest is the image's and tokens return in submission order.
TEST(CopyPipeline, InPlaceAndCopyJobsMixWithAWorkerHashing) {
  auto p = make_pipeline();
  ASSERT_TRUE(p->arm(1));
  const size_t size = test::scaled(4 << 20);
  auto image = random_bytes(size, 12);
  std::vector<uint8_t> dest(size);
  ASSERT_TRUE(p->begin(dest.data(), dest.size(), true));
  Workers workers(*p, 1, CopyPipeline::kDefaultBudget);
  uint64_t next_token = 0, expect_token = 0, token;
  auto drain = [&] {
    while (p->reap(&token)) {
      ASSERT_EQ(token, expect_token) << "tokens in submission order";
      ++expect_token;
    }
  };
  for (size_t off = 0; off < size;) {
    uint32_t n = static_cast<uint32_t>(std::min<size_t>(1428, size - off));
    SubmitResult r;
    if (next_token % 3 == 0) {
      while ((r = p->submit(CopyJob{image.data() + off, n, off, next_token})) ==
             SubmitResult::kBusy) {
        drain();
        test::relax();
      }
    } else {
      std::memcpy(dest.data() + off, image.data() + off, n);
      while ((r = p->submit_in_place(off, n, next_token)) == SubmitResult::kBusy) {
        drain();
        test::relax();
      }
    }
    ASSERT_TRUE(r == SubmitResult::kDone || r == SubmitResult::kQueued);
    ++next_token;
    off += n;
    drain();
  }
  Digest d{};
  while (!p->finish(d.data())) {
    drain();
    if (p->poll() == 0 && p->help(4096) == 0) test::relax();
  }
  drain();
  p->request_stop();
  workers.join();
  EXPECT_EQ(expect_token, next_token);
  EXPECT_EQ(d, one_shot(image));
  EXPECT_EQ(dest, image);
  EXPECT_EQ(p->stats(0).bytes_hashed + p->stats(CopyPipeline::kInline).bytes_hashed, size);
}

}  // namespace
}  // namespace mpxe::mp
