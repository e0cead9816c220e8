// Helpers shared by the mp tests.
#pragma once

#include <cstdint>
#include <thread>

namespace mpxe::mp::test {

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MPXE_TEST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define MPXE_TEST_TSAN 1
#endif

// Item counts shrink under ThreadSanitizer, which runs threaded code 5-15x slower,
// and still cross every edge many times.
inline uint64_t scaled(uint64_t n) {
#if defined(MPXE_TEST_TSAN)
  return n / 4;
#else
  return n;
#endif
}

// A test thread that waits gives its core away: this machine may have fewer cores
// than the test has threads.
inline void relax() { std::this_thread::yield(); }

}  // namespace mpxe::mp::test
