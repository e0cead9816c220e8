// The few atomic operations the AP code needs, spelled with the compiler's
// __atomic builtins so every access names its memory order (no <atomic>: the
// portable core is freestanding). Plain fields shared between processors are
// only ever touched through these.
//
// Orders used in src/mp, and why:
//  - acquire load / release store: every hand-over of plain data (a ring slot, a
//    job slot, a finished copy, the hasher's state) goes through one of these pairs.
//  - relaxed: a value only its owner writes, read back by that owner, or counters
//    read for display.
// Nothing needs seq_cst: no path decides by a store-then-load against another
// processor's store-then-load.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mpxe::mp {

// x86 cache line; head and tail of a ring, and each processor's hot fields, live on
// different lines so the owner's writes do not invalidate the reader's copy.
inline constexpr size_t kCacheLine = 64;

template <typename T>
inline T load_relaxed(const T* p) {
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}
template <typename T>
inline T load_acquire(const T* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
template <typename T>
inline void store_relaxed(T* p, T value) {
  __atomic_store_n(p, value, __ATOMIC_RELAXED);
}
template <typename T>
inline void store_release(T* p, T value) {
  __atomic_store_n(p, value, __ATOMIC_RELEASE);
}
// Counters bumped by their single owner and read by others for statistics only.
template <typename T>
inline void add_relaxed(T* p, T value) {
  __atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + value, __ATOMIC_RELAXED);
}

// The spin-wait hint. On x86 PAUSE tells the core (and QEMU's TCG, which leaves
// its execution loop on it) that this is a wait loop.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Bounded exponential back-off for an idle worker: 1, 2, 4 ... kMaxPauses PAUSEs
// per idle round, back to 1 as soon as there is work. A round never waits longer
// than kMaxPauses PAUSEs, so a stop request is seen within that bound.
class Backoff {
 public:
  static constexpr uint32_t kMaxPauses = 256;

  void reset() { pauses_ = 1; }
  void idle() {
    for (uint32_t i = 0; i < pauses_; ++i) cpu_relax();
    if (pauses_ < kMaxPauses) pauses_ *= 2;
  }

 private:
  uint32_t pauses_ = 1;
};

}  // namespace mpxe::mp
