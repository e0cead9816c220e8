#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "tls/tls_platform.h"

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

long mpxe_tls_time(long* out) {
  const long now = static_cast<long>(time(nullptr));
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

// wolfSSL's allocator (XMALLOC_USER): the host's heap.
void* XMALLOC(size_t size, void* /*heap*/, int /*type*/) { return malloc(size); }
void* XREALLOC(void* p, size_t size, void* /*heap*/, int /*type*/) { return realloc(p, size); }
void XFREE(void* p, void* /*heap*/, int /*type*/) { free(p); }

}  // extern "C"
