// A test-and-test-and-set spinlock for code that may run on any processor: the
// TLS heap, and wolfSSL's mutexes in the ROM (src/driver/tls/mutex.cpp). An AP
// may not call boot services, so nothing here can sleep or raise the TPL; a
// holder never calls out while it holds one, so no path takes a lock twice.
#pragma once

#include <stdint.h>

#include "mp/atomic.h"

namespace mpxe::tls {

// On a bare word, so that the C struct wolfSSL declares for its mutex (one int)
// can use them too.
inline bool spin_try_lock(int* held) { return __atomic_exchange_n(held, 1, __ATOMIC_ACQUIRE) == 0; }

// Spins until the lock is taken, or gives up after `spins` waits (returns false).
inline bool spin_lock_within(int* held, uint64_t spins) {
  for (uint64_t i = 0;; ++i) {
    if (spin_try_lock(held)) return true;
    // Wait on a plain read, so the line stays shared until it is released.
    while (__atomic_load_n(held, __ATOMIC_RELAXED) != 0) {
      if (++i >= spins) return false;
      mp::cpu_relax();
    }
  }
}

inline void spin_unlock(int* held) { __atomic_store_n(held, 0, __ATOMIC_RELEASE); }

class SpinLock {
 public:
  constexpr SpinLock() = default;
  void lock() { spin_lock_within(&held_, ~uint64_t{0}); }
  void unlock() { spin_unlock(&held_); }

 private:
  int held_ = 0;
};

class SpinGuard {
 public:
  explicit SpinGuard(SpinLock& lock) : lock_(lock) { lock_.lock(); }
  ~SpinGuard() { lock_.unlock(); }
  SpinGuard(const SpinGuard&) = delete;
  SpinGuard& operator=(const SpinGuard&) = delete;

 private:
  SpinLock& lock_;
};

}  // namespace mpxe::tls
