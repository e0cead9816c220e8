#include <sys/random.h>
#include <time.h>

#include "tls/tls_heap.h"
#include "tls/tls_platform.h"

namespace {

// The host's TLS pool: the ROM's allocator over a static buffer, given before
// main() so that wolfSSL never finds the heap empty.
constexpr size_t kHostPoolBytes = size_t{32} << 20;
alignas(16) unsigned char g_pool[kHostPoolBytes];
const bool g_pool_given = mpxe::tls::tls_heap().add_pool(g_pool, sizeof(g_pool));

}  // namespace

extern "C" {

int mpxe_tls_seed(unsigned char* output, unsigned int size) {
  unsigned int done = 0;
  while (done < size) {
    const ssize_t got = getrandom(output + done, size - done, 0);
    if (got <= 0) return -1;
    done += static_cast<unsigned int>(got);
  }
  return 0;
}

int64_t mpxe_tls_time(int64_t* out) {
  const int64_t now = static_cast<int64_t>(time(nullptr));
  if (out != nullptr) *out = now;
  return now;
}

uint32_t LowResTimer(void) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint32_t>(now.tv_sec);
}

int64_t TimeNowInMilliseconds(void) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

}  // extern "C"
