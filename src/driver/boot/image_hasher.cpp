#include "driver/boot/image_hasher.h"

#include "driver/boot/platform.h"

namespace mpxe::driver {

ImageHasher::ImageHasher(MpEngine& mp, bool hash_on_ap, bool enabled)
    : mp_(mp),
      pipeline_(enabled ? mp.pipeline() : nullptr),
      behind_bytes_(hash_on_ap ? 0 : kBehindBytes),
      enabled_(enabled) {}

void ImageHasher::add(uint64_t offset, uint64_t length) {
  if (!enabled_) return;
  do {
    uint64_t n = length < kMaxJob ? length : kMaxJob;
    // kBusy: a whole job table waits for the hasher. Hash here, on the BSP, until
    // there is room; the hasher never holds its claim for long (it never waits).
    while (pipeline_->submit_in_place(offset, static_cast<uint32_t>(n), 0) ==
           mp::SubmitResult::kBusy) {
      reap();
      if (!bsp_hash(mp::CopyPipeline::kDefaultBudget)) asm volatile("pause");
    }
    reap();
    offset += n;
    length -= n;
  } while (length != 0);
  // A NIC that keeps the BSP busy leaves it no idle time: look here too.
  if (++adds_ % kTickEvery == 0) tick();
}

void ImageHasher::idle() {
  if (!enabled_) return;
  reap();
  tick();
  // While an AP hashes, the BSP stays on the network: two hashers only contend
  // for the claim, and the BSP's time is what the protocol runs on.
  if (pipeline_->running_workers() != 0) {
    asm volatile("pause");
    return;
  }
  uint64_t t0 = read_tsc();
  if (pipeline_->poll() != 0) {
    hash_ticks_ += read_tsc() - t0;
    return;
  }
  if (!bsp_hash(kIdleHashBudget)) asm volatile("pause");
}

void ImageHasher::finish(uint8_t digest[Sha256::kDigestSize]) {
  while (!pipeline_->finish(digest)) {
    reap();
    uint64_t t0 = read_tsc();
    pipeline_->poll();
    hash_ticks_ += read_tsc() - t0;
  }
}

void ImageHasher::tick() { mp_.tick(pipeline_->unhashed_bytes() > behind_bytes_); }

void ImageHasher::reap() {
  uint64_t token;
  while (pipeline_->reap(&token)) {
  }
}

bool ImageHasher::bsp_hash(uint64_t budget) {
  uint64_t t0 = read_tsc();
  uint64_t work = pipeline_->help(budget);
  if (work != 0) hash_ticks_ += read_tsc() - t0;
  return work != 0;
}

}  // namespace mpxe::driver
