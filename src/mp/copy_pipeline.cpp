#include "mp/copy_pipeline.h"

namespace mpxe::mp {
namespace {

constexpr uint32_t bit(uint32_t index) { return uint32_t{1} << index; }

}  // namespace

// ---- BSP ----

bool CopyPipeline::arm(uint32_t workers) {
  if (load_acquire(&control_.running) != 0) return false;
  // Every worker has checked out (acquire above), so the BSP is the consumer of
  // every ring until the next check-in: run what was left behind.
  for (uint32_t i = 0; i < kMaxWorkers; ++i) drain_ring(i);
  if (workers > kMaxWorkers) workers = kMaxWorkers;
  bsp_.next_worker = 0;
  store_relaxed(&control_.next_index, 0u);
  store_relaxed(&control_.exited, 0u);
  store_relaxed(&control_.stop, 0u);
  // Publishes everything above to the workers that check in next (they acquire
  // `limit` before taking an index).
  store_release(&control_.limit, workers);
  return true;
}

bool CopyPipeline::begin(uint8_t* dest, uint64_t dest_size, bool hash) {
  // With every job reaped, every copy is finished (its `done` was acquired) and
  // no ring holds work: no worker reads image_ until the next job is pushed.
  if (bsp_.reaped != bsp_.submitted) return false;
  if (!try_claim_hash()) return false;
  image_.dest = dest;
  image_.size = dest_size;
  image_.hash = hash;
  hasher_.next_seq = bsp_.submitted;
  hasher_.ready_end = 0;
  hasher_.hashed = 0;
  hasher_.sha.reset();
  store_release(&progress_.seq_seen, bsp_.submitted);
  store_release(&progress_.hashed, uint64_t{0});
  for (Stats& st : stats_) {
    store_relaxed(&st.s.jobs, uint64_t{0});
    store_relaxed(&st.s.bytes_copied, uint64_t{0});
    store_relaxed(&st.s.bytes_hashed, uint64_t{0});
  }
  bsp_.next_offset = 0;
  release_hash();
  return true;
}

SubmitResult CopyPipeline::admit(uint64_t dest_offset, uint32_t length) {
  if (dest_offset > image_.size || length > image_.size - dest_offset)
    return SubmitResult::kInvalid;
  if (image_.hash && dest_offset != bsp_.next_offset) return SubmitResult::kInvalid;
  // The slot of seq last held job seq - kJobSlots: free once that job is reaped
  // (its worker is done with it) and, when hashing, the hasher has read it.
  uint64_t oldest = bsp_.reaped;
  if (image_.hash) {
    uint64_t seen = load_acquire(&progress_.seq_seen);
    if (seen < oldest) oldest = seen;
  }
  if (bsp_.submitted - oldest >= kJobSlots) return SubmitResult::kBusy;
  return SubmitResult::kQueued;
}

SubmitResult CopyPipeline::submit(const CopyJob& job) {
  if (job.source == nullptr && job.length != 0) return SubmitResult::kInvalid;
  SubmitResult admitted = admit(job.dest_offset, job.length);
  if (admitted != SubmitResult::kQueued) return admitted;

  const uint64_t seq = bsp_.submitted;

  JobSlot& slot = slots_[seq & kSlotMask];
  slot.source = job.source;
  slot.dest_offset = job.dest_offset;
  slot.token = job.token;
  slot.length = job.length;

  // Who copies: a checked-in worker, round-robin. When two or more are in and
  // the image is hashed, worker 0 is left to the hash alone.
  uint32_t candidates = 0;
  if (load_relaxed(&control_.stop) == 0) {
    candidates = load_acquire(&control_.running);
    if (image_.hash && (candidates & (candidates - 1)) != 0) candidates &= ~bit(0);
  }
  for (uint32_t n = 0; candidates != 0 && n < kMaxWorkers; ++n) {
    uint32_t i = (bsp_.next_worker + n) % kMaxWorkers;
    if ((candidates & bit(i)) == 0) continue;
    // The push (a release store of the ring's tail) publishes the slot too.
    if (rings_[i].try_push(seq)) {
      bsp_.submitted = seq + 1;
      bsp_.next_offset = job.dest_offset + job.length;
      bsp_.next_worker = (i + 1) % kMaxWorkers;
      return SubmitResult::kQueued;
    }
  }
  // Every ring full: cannot happen while rings hold kJobSlots, checked above.
  if (candidates != 0) return SubmitResult::kBusy;

  // Nobody to hand it to: the same code, on the BSP.
  bsp_.submitted = seq + 1;
  bsp_.next_offset = job.dest_offset + job.length;
  execute(seq, kInline);
  hash_step(~uint64_t{0}, kInline);
  return SubmitResult::kDone;
}

SubmitResult CopyPipeline::submit_in_place(uint64_t dest_offset, uint32_t length,
                                           uint64_t token) {
  SubmitResult admitted = admit(dest_offset, length);
  if (admitted != SubmitResult::kQueued) return admitted;
  const uint64_t seq = bsp_.submitted;
  JobSlot& slot = slots_[seq & kSlotMask];
  slot.source = image_.dest + dest_offset;
  slot.dest_offset = dest_offset;
  slot.token = token;
  slot.length = length;
  bsp_.submitted = seq + 1;
  bsp_.next_offset = dest_offset + length;
  add_relaxed(&stats_[kInline].s.jobs, uint64_t{1});
  // Publishes the slot and the caller's bytes in the image to the hasher.
  store_release(&slot.done, seq + 1);
  return SubmitResult::kDone;
}

bool CopyPipeline::reap(uint64_t* token) {
  const uint64_t seq = bsp_.reaped;
  if (seq == bsp_.submitted) return false;
  const JobSlot& slot = slots_[seq & kSlotMask];
  // Acquire: the worker's reads of the source happened before, so the caller
  // may hand the buffer back to the NIC.
  if (load_acquire(&slot.done) != seq + 1) return false;
  *token = slot.token;
  bsp_.reaped = seq + 1;
  return true;
}

uint64_t CopyPipeline::poll() {
  uint64_t work = 0;
  // A worker that has checked out (stopped or parked) never touches its ring
  // again in this run; the acquire pairs with its release in check_out, so the
  // BSP takes over as the ring's consumer and runs what is left.
  const uint32_t exited = load_acquire(&control_.exited);
  for (uint32_t i = 0; i < kMaxWorkers; ++i)
    if ((exited & bit(i)) != 0) work += drain_ring(i);
  if (load_relaxed(&control_.stop) != 0 || load_acquire(&control_.running) == 0)
    work += hash_step(~uint64_t{0}, kInline);
  return work;
}

bool CopyPipeline::finish(uint8_t digest[Sha256::kDigestSize]) {
  if (!image_.hash) return false;
  if (load_acquire(&progress_.hashed) != bsp_.next_offset) return false;
  if (!try_claim_hash()) return false;
  hasher_.sha.finish(digest);
  image_.hash = false;  // under the claim: the hasher reads it there
  release_hash();
  return true;
}

void CopyPipeline::request_stop() { store_release(&control_.stop, 1u); }

CopyPipeline::WorkerStats CopyPipeline::stats(uint32_t who) const {
  if (who > kInline) return WorkerStats{};
  const WorkerStats& s = stats_[who].s;
  return WorkerStats{load_relaxed(&s.jobs), load_relaxed(&s.bytes_copied),
                     load_relaxed(&s.bytes_hashed)};
}

// ---- AP worker ----

bool CopyPipeline::serve(uint64_t budget, uint32_t park_after) {
  int32_t index = check_in();
  if (index < 0) return false;
  const auto me = static_cast<uint32_t>(index);
  Backoff backoff;
  uint32_t idle_rounds = 0;
  bool parked = false;
  while (!stop_requested()) {
    if (run_worker(me, budget) != 0) {
      backoff.reset();
      idle_rounds = 0;
      continue;
    }
    if (park_after != 0 && ++idle_rounds >= park_after) {
      parked = true;
      break;
    }
    backoff.idle();
  }
  // Jobs that reach this ring from now on are run by the BSP's poll(), which
  // sees this worker out.
  check_out(me);
  return parked;
}

int32_t CopyPipeline::check_in() {
  const uint32_t limit = load_acquire(&control_.limit);
  uint32_t index = load_relaxed(&control_.next_index);
  do {
    if (index >= limit) return -1;
  } while (!__atomic_compare_exchange_n(&control_.next_index, &index, index + 1, true,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
  // From here the BSP may queue jobs for this index. If a stop came first, leave
  // at once through check_out: whatever was queued meanwhile, the BSP drains.
  __atomic_fetch_or(&control_.running, bit(index), __ATOMIC_ACQ_REL);
  if (stop_requested()) {
    check_out(index);
    return -1;
  }
  return static_cast<int32_t>(index);
}

void CopyPipeline::check_out(uint32_t index) {
  // First no new jobs (the BSP stops choosing this index), then hand the ring
  // over: the release on `exited` orders this worker's last ring and slot
  // accesses before the BSP's, which acquires it in poll().
  __atomic_fetch_and(&control_.running, ~bit(index), __ATOMIC_RELEASE);
  __atomic_fetch_or(&control_.exited, bit(index), __ATOMIC_RELEASE);
}

uint64_t CopyPipeline::run_worker(uint32_t index, uint64_t budget) {
  if (index >= kMaxWorkers) return 0;
  uint64_t work = 0;
  uint64_t copied = 0;
  uint64_t seq;
  // Copies first: they free the BSP's receive buffers.
  while (copied < budget && rings_[index].try_pop(&seq)) {
    uint64_t n = execute(seq, index);
    copied += n;
    work += n;
  }
  // The hasher is worker 0, or anyone while worker 0 is not in.
  if (index == 0 || (load_relaxed(&control_.running) & bit(0)) == 0)
    work += hash_step(budget, index);
  return work;
}

// ---- shared steps ----

uint64_t CopyPipeline::execute(uint64_t seq, uint32_t who) {
  JobSlot& slot = slots_[seq & kSlotMask];
  const uint32_t length = slot.length;
  if (length != 0) __builtin_memcpy(image_.dest + slot.dest_offset, slot.source, length);
  WorkerStats& st = stats_[who].s;
  add_relaxed(&st.jobs, uint64_t{1});
  add_relaxed(&st.bytes_copied, uint64_t{length});
  // The last touch of the slot: after this store the BSP may reuse the slot and
  // the source buffer, and the hasher may read the destination bytes.
  store_release(&slot.done, seq + 1);
  return uint64_t{length} + 1;
}

uint64_t CopyPipeline::hash_step(uint64_t budget, uint32_t who) {
  if (!try_claim_hash()) return 0;
  uint64_t work = 0;
  if (image_.hash) {
    // Extend the copied prefix over jobs finished in submission order.
    uint64_t seq = hasher_.next_seq;
    for (uint32_t n = 0; n < kJobSlots; ++n) {
      const JobSlot& slot = slots_[seq & kSlotMask];
      if (load_acquire(&slot.done) != seq + 1) break;
      hasher_.ready_end = slot.dest_offset + slot.length;
      ++seq;
    }
    if (seq != hasher_.next_seq) {
      hasher_.next_seq = seq;
      work += 1;
      store_release(&progress_.seq_seen, seq);
    }
    uint64_t n = hasher_.ready_end - hasher_.hashed;
    if (n > budget) n = budget;
    if (n != 0) {
      hasher_.sha.update(image_.dest + hasher_.hashed, n);
      hasher_.hashed += n;
      add_relaxed(&stats_[who].s.bytes_hashed, n);
      store_release(&progress_.hashed, hasher_.hashed);
      work += n;
    }
  }
  release_hash();
  return work;
}

bool CopyPipeline::try_claim_hash() {
  // A plain read first keeps the line shared while someone else hashes.
  if (load_relaxed(&hasher_.claim) != 0) return false;
  return __atomic_exchange_n(&hasher_.claim, 1u, __ATOMIC_ACQUIRE) == 0;
}

void CopyPipeline::release_hash() { store_release(&hasher_.claim, 0u); }

uint64_t CopyPipeline::drain_ring(uint32_t index) {
  uint64_t work = 0;
  uint64_t seq;
  while (rings_[index].try_pop(&seq)) work += execute(seq, kInline);
  return work;
}

}  // namespace mpxe::mp
