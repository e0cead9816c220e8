// The download's data path spread over processors: the BSP submits copy jobs
// (a received payload -> its place in the image buffer), AP workers copy them and
// one of them streams the image through SHA-256 in order, behind the copies.
//
// Roles (docs/mp.md has the whole picture):
//   BSP      begin, submit, reap, poll, finish, request_stop, arm. Owns the NIC;
//            reap() hands receive buffers back in submission order.
//   worker i check_in / run_worker(i, budget) / check_out, or serve() for all
//            three; only ever called from an AP procedure (or a host thread).
// Each job goes to one worker's SpscRing (BSP produces, worker i consumes). A
// worker publishes a finished copy with a release store of the job's sequence
// number into its slot; the BSP's reap cursor and the hasher's cursor each walk
// the slots in submission order with acquire loads. The hasher's state (SHA-256,
// its cursor) has no owner processor: whoever holds the hash claim, a flag taken
// with one atomic exchange and never waited on, may advance it.
//
// Workers never wait for anything: run_worker does a bounded batch and returns,
// serve() backs off with PAUSE between empty batches and returns on stop (or,
// if asked, after a bounded idle time: it parks). A worker that has checked out
// hands its ring to the BSP, whose poll() runs what is left. With no worker
// checked in (0 wanted, no MP services, StartupAllAPs failed, APs not up yet,
// all parked, or after a stop) submit() runs the same copy and hash code on the
// BSP.
//
// Freestanding: no heap, no globals; the owner provides the storage (about
// 130 KiB, 64-byte aligned) and must not put it in static storage (Sha256 has a
// run-time constructor).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/sha256.h"
#include "mp/atomic.h"
#include "mp/spsc_ring.h"

namespace mpxe::mp {

struct CopyJob {
  const uint8_t* source;  // e.g. a NIC receive buffer: left alone until reaped
  uint32_t length;
  uint64_t dest_offset;   // where the bytes go in the image buffer
  uint64_t token;         // the BSP's own; reap() returns it, in submission order
};

enum class SubmitResult : uint8_t {
  kQueued,   // on a worker's ring
  kDone,     // copied (and hashed as far as possible) inline, on the BSP
  kBusy,     // kJobSlots jobs not yet reaped (or not yet seen by the hasher): retry later
  kInvalid,  // null source, outside the image, or not contiguous while hashing
};

class CopyPipeline {
 public:
  static constexpr uint32_t kMaxWorkers = 8;
  static constexpr uint32_t kJobSlots = 1024;  // jobs in flight, power of two
  static constexpr uint64_t kDefaultBudget = 64 * 1024;
  static constexpr uint32_t kInline = kMaxWorkers;  // stats() index of the BSP
  static constexpr size_t kAlignment = kCacheLine;

  struct WorkerStats {
    uint64_t jobs;
    uint64_t bytes_copied;
    uint64_t bytes_hashed;
  };

  CopyPipeline() = default;
  CopyPipeline(const CopyPipeline&) = delete;
  CopyPipeline& operator=(const CopyPipeline&) = delete;

  // ---- BSP ----

  // Allows up to `workers` (capped at kMaxWorkers) to check in, clears the stop
  // flag and drains what earlier workers left on their rings. Only while no worker
  // runs and every AP procedure of the last run has returned; false (nothing
  // changed) if a worker is still checked in.
  bool arm(uint32_t workers);
  // A new image in [dest, dest + dest_size). With `hash`, jobs must arrive in
  // destination order with no gap (offset == end of the previous job) and the
  // image is hashed from offset 0. Workers may stay checked in. False while jobs
  // are still unreaped or a worker is inside a hash step: reap/poll and retry.
  bool begin(uint8_t* dest, uint64_t dest_size, bool hash);
  SubmitResult submit(const CopyJob& job);
  // A job whose bytes the BSP has already put at their place in the image (it had
  // to copy them before the receive buffer went back to the NIC): recorded as done
  // at once, so only the hash is left, for the hasher -- worker 0 when it is in,
  // otherwise the BSP's own poll() or help(), whenever it next waits. Never hashes
  // on the caller's path. The same checks and kBusy as submit(); the token still
  // comes back through reap(), in order with any copy jobs.
  SubmitResult submit_in_place(uint64_t dest_offset, uint32_t length, uint64_t token);
  // The token of the oldest unreaped job once its copy is done; false otherwise.
  // The job's source may be reused as soon as its token comes back.
  bool reap(uint64_t* token);
  // Work only the BSP can do: run the jobs left on the rings of workers that
  // have checked out (stopped or parked), and with no worker checked in (or a
  // stop pending), hash inline. Call it whenever the BSP waits on the pipeline.
  // Returns the work done (bytes + jobs), 0 when there was none.
  uint64_t poll();
  // For a BSP that would otherwise spin (receive buffers all in flight, or
  // waiting for finish): one bounded hash step, if nobody else is hashing. On a
  // host with fewer cores than vCPUs this turns the BSP's wait into work.
  uint64_t help(uint64_t budget = kDefaultBudget) { return hash_step(budget, kInline); }
  // The image's SHA-256 once every submitted byte is hashed; false before that
  // (keep polling) or when the image is not hashed. Ends the image's hash.
  bool finish(uint8_t digest[Sha256::kDigestSize]);
  // Workers return from serve() within one batch; submit() then runs inline.
  void request_stop();

  uint64_t submitted() const { return bsp_.submitted; }
  uint64_t reaped() const { return bsp_.reaped; }
  uint64_t pending() const { return bsp_.submitted - bsp_.reaped; }
  // Bytes of the image submitted but not hashed yet (0 when the image is not hashed).
  uint64_t unhashed_bytes() const {
    return image_.hash ? bsp_.next_offset - load_acquire(&progress_.hashed) : 0;
  }

  // ---- any processor ----

  uint64_t hashed_bytes() const { return load_acquire(&progress_.hashed); }
  bool stop_requested() const { return load_acquire(&control_.stop) != 0; }
  // Bit i: worker i has checked in and not yet out.
  uint32_t running_mask() const { return load_acquire(&control_.running); }
  // Bit i: worker i has checked out in this run (stopped or parked).
  uint32_t exited_mask() const { return load_acquire(&control_.exited); }
  uint32_t running_workers() const { return __builtin_popcount(running_mask()); }
  // Per-image counters of worker `who` (kInline: the BSP). Exact once the image
  // is finished; approximate while workers run.
  WorkerStats stats(uint32_t who) const;

  // ---- AP worker ----

  // The whole AP procedure: check in, run bounded batches (PAUSE back-off when
  // idle) until stop, check out. Returns at once when no worker index is free.
  // With park_after != 0 it also returns after that many idle rounds in a row
  // (each at most Backoff::kMaxPauses PAUSEs), so that an idle AP goes back to
  // sleep in MP services instead of spinning; true when it parked that way.
  bool serve(uint64_t budget = kDefaultBudget, uint32_t park_after = 0);
  // A worker index in [0, workers armed), or -1 when all are taken or a stop is
  // pending. The index is the caller's until check_out; indices are not reused
  // before the next arm().
  int32_t check_in();
  void check_out(uint32_t index);
  // One bounded batch for a checked-in worker: takes jobs from its ring while
  // fewer than `budget` bytes are copied, then, if it is the hasher, hashes up
  // to `budget` bytes. Returns the work done (bytes + jobs), 0 when idle.
  uint64_t run_worker(uint32_t index, uint64_t budget);

 private:
  static constexpr uint32_t kSlotMask = kJobSlots - 1;
  static_assert((kJobSlots & kSlotMask) == 0, "kJobSlots must be a power of two");
  static_assert(kMaxWorkers <= 32, "running mask is 32 bits");

  // One per job in flight, on its own line: neighbouring jobs finish on
  // different workers. Written by the BSP before the job is published; `done`
  // becomes seq + 1 (release) when the copy is finished.
  struct alignas(kCacheLine) JobSlot {
    const uint8_t* source;
    uint64_t dest_offset;
    uint64_t token;
    uint32_t length;
    uint64_t done;
  };
  static_assert(sizeof(JobSlot) == kCacheLine);

  // Only the BSP reads or writes these.
  struct alignas(kCacheLine) BspState {
    uint64_t submitted = 0;    // sequence number of the next job
    uint64_t reaped = 0;       // oldest job not yet reaped
    uint64_t next_offset = 0;  // end of the image so far (contiguity check)
    uint32_t next_worker = 0;  // round-robin cursor
  };
  // Written by the BSP in begin() (under the hash claim, with no job in flight);
  // read by workers after they pop a job and by the hasher under the claim.
  struct alignas(kCacheLine) Image {
    uint8_t* dest = nullptr;
    uint64_t size = 0;
    bool hash = false;
  };
  struct alignas(kCacheLine) Control {
    uint32_t stop = 0;
    uint32_t running = 0;     // bit per checked-in worker
    uint32_t exited = 0;      // bit per worker checked out in this run: its ring is the BSP's
    uint32_t next_index = 0;  // check-in counter
    uint32_t limit = 0;       // workers armed
  };
  // Touched only by whoever holds `claim`.
  struct alignas(kCacheLine) Hasher {
    uint32_t claim = 0;
    uint64_t next_seq = 0;   // first job whose copy is not known to be finished
    uint64_t ready_end = 0;  // [0, ready_end) of the image is copied
    uint64_t hashed = 0;     // [0, hashed) is in sha
    Sha256 sha;
  };
  // What the hasher publishes (release) for the BSP.
  struct alignas(kCacheLine) Progress {
    uint64_t seq_seen = 0;  // slots below this may be reused by the BSP
    uint64_t hashed = 0;
  };
  struct alignas(kCacheLine) Stats {
    WorkerStats s{};
  };

  using JobRing = SpscRing<uint64_t, kJobSlots>;

  // Validates a job and finds its slot; kQueued means "go on with bsp_.submitted".
  SubmitResult admit(uint64_t dest_offset, uint32_t length);
  uint64_t execute(uint64_t seq, uint32_t who);
  uint64_t hash_step(uint64_t budget, uint32_t who);
  bool try_claim_hash();
  void release_hash();
  uint64_t drain_ring(uint32_t index);

  BspState bsp_;
  Image image_;
  Control control_;
  Hasher hasher_;
  Progress progress_;
  Stats stats_[kMaxWorkers + 1];
  JobSlot slots_[kJobSlots] = {};
  JobRing rings_[kMaxWorkers];
};

}  // namespace mpxe::mp
